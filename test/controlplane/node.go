package main

import (
	"context"
	"os/signal"
	"syscall"

	"k8s.io/component-base/cli"
	kubeproxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// The node's components, linked from the same k8s.io/kubernetes module as the API server, so one
// cached build gives the local cluster a real node: "controlplane kubelet|kube-proxy|kube-scheduler
// <their own flags>". Each runs as its own process, as on a real node (they share global
// feature-gate and flag state, so they cannot share one).

func runKubelet(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cmd := kubelet.NewKubeletCommand(ctx)
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

func runKubeProxy(args []string) int {
	cmd := kubeproxy.NewProxyCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

func runScheduler(args []string) int {
	cmd := scheduler.NewSchedulerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}
