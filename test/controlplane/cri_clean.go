package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	remote "k8s.io/cri-client/pkg"
)

// runCRIClean is "controlplane cri-clean --endpoint unix://<socket>": stops and removes every pod
// sandbox of a CRI runtime, as `crictl rmp -af` does (there is no crictl here). Stopping a sandbox
// is what makes the runtime call CNI DEL, so the pods' veths, addresses and port mappings go
// before the runtime stops: the local cluster's stop runs it after the kubelet has stopped.
func runCRIClean(args []string) int {
	flags := flag.NewFlagSet("cri-clean", flag.ExitOnError)
	endpoint := flags.String("endpoint", "", "the CRI socket (unix://...)")
	_ = flags.Parse(args)
	runtime, err := remote.NewRemoteRuntimeService(*endpoint, 10*time.Second, nil, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-clean: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sandboxes, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-clean: listing pod sandboxes: %v\n", err)
		return 1
	}
	failed := 0
	for _, sandbox := range sandboxes {
		if err := runtime.StopPodSandbox(ctx, sandbox.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-clean: stopping %s/%s: %v\n", sandbox.Metadata.Namespace, sandbox.Metadata.Name, err)
			failed++
			continue
		}
		if err := runtime.RemovePodSandbox(ctx, sandbox.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-clean: removing %s/%s: %v\n", sandbox.Metadata.Namespace, sandbox.Metadata.Name, err)
			failed++
		}
	}
	fmt.Printf("removed %d of %d pod sandboxes\n", len(sandboxes)-failed, len(sandboxes))
	if failed > 0 {
		return 1
	}
	return 0
}
