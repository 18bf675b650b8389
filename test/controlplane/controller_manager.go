package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"k8s.io/component-base/cli"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// runControllerManager is the "controller-manager" subcommand: kube-controller-manager itself.
func runControllerManager(args []string) int {
	cmd := kcm.NewControllerManagerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

// startControllerManager runs kube-controller-manager with only the named controllers (aliases
// such as "deployment" or full names such as "deployment-controller"). It runs as a child
// process because it shares global feature-gate state with kube-apiserver; the kernel kills it
// when this process dies.
func startControllerManager(controllers []string, kubeconfig, logPath string, pki *pkiFiles) (*exec.Cmd, <-chan error, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(self, "controller-manager",
		"--kubeconfig="+kubeconfig,
		"--controllers="+strings.Join(controllers, ","),
		"--leader-elect=false",
		"--secure-port=0",
		"--use-service-account-credentials=false",
		"--root-ca-file="+pki.caCert,
		"--service-account-private-key-file="+pki.saKey,
	)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, nil, fmt.Errorf("kube-controller-manager: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- cmd.Wait()
		log.Close()
	}()
	return cmd, done, nil
}

// startChild runs one more subcommand of this binary (see subcommands), killed by the kernel when
// this process dies, its output appended to logPath.
func startChild(logPath string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("%s: %w", args[0], err)
	}
	go func() {
		_ = cmd.Wait()
		log.Close()
	}()
	return cmd, nil
}
