package main

import (
	"os"

	"k8s.io/component-base/cli"
	kubectl "k8s.io/kubectl/pkg/cmd"
)

func runKubectl(args []string) int {
	// kubectl finds its plugins (kubectl-<name> on PATH, e.g. `kubectl netmap`) from os.Args,
	// not from the cobra arguments: give it the arguments a kubectl binary of its own would see.
	os.Args = append([]string{"kubectl"}, args...)
	return cli.Run(kubectl.NewDefaultKubectlCommand())
}
