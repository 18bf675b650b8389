package main

import (
	"k8s.io/component-base/cli"
	kubectl "k8s.io/kubectl/pkg/cmd"
)

func runKubectl(args []string) int {
	cmd := kubectl.NewDefaultKubectlCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}
