// Command controlplane runs a real kube-apiserver (linked from k8s.io/kubernetes) on top of an
// embedded etcd, on loopback, for network-mapper's tests and local demo. It is test tooling,
// not product code: it trades every production concern for a fast, self-contained start.
//
// It prints one line "READY <kubeconfig>" on stdout once /readyz answers, and shuts both
// servers down on SIGTERM or SIGINT.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if len(os.Args) > 1 {
		if sub, ok := subcommands[os.Args[1]]; ok {
			os.Exit(sub(os.Args[2:]))
		}
	}
	dataDir := flag.String("data-dir", "", "directory for certificates, etcd data and the kubeconfig (required)")
	port := flag.Int("port", 0, "secure port of the API server (0 picks a free one)")
	serviceCIDRs := flag.String("service-cidrs", "10.96.0.0/16,fd00:10:96::/112", "Service ClusterIP ranges")
	advertise := flag.String("advertise-address", "192.0.2.1",
		"address published in the endpoints of the kubernetes Service (the API server refuses loopback there; "+
			"the default is a documentation address that nothing listens on)")
	bind := flag.String("bind-address", "127.0.0.1", "address the API server listens on")
	verbosity := flag.Int("v", 0, "kube-apiserver log verbosity")
	controllers := flag.String("controllers", "",
		"kube-controller-manager controllers to run in-process, comma-separated (e.g. deployment,replicaset,garbage-collector); none by default, so tests own every object")
	exitWithStdin := flag.Bool("exit-with-stdin", false,
		"shut down when stdin closes, so a parent that dies (even by SIGKILL) never leaves a control plane behind")
	nodeName := flag.String("node-name", "",
		"a real node joins: write kubeconfigs for its kubelet (system:node:<name>), kube-proxy and kube-scheduler, "+
			"and a serving certificate for its kubelet, which the API server verifies")
	nodeIP := flag.String("node-ip", "", "the node's InternalIP, named in its kubelet's serving certificate")
	serviceAccountAdmission := flag.Bool("service-account-admission", false,
		"run the ServiceAccount admission plugin (the kube-api-access volume a real kubelet mounts); it needs the serviceaccount controller")
	flag.Parse()
	if *exitWithStdin {
		go shutdownOnStdinEOF()
	}
	if *dataDir == "" {
		fail(errors.New("--data-dir is required"))
	}
	err := run(options{dataDir: *dataDir, port: *port, serviceCIDRs: *serviceCIDRs, advertise: *advertise, bind: *bind, verbosity: *verbosity, controllers: splitList(*controllers),
		nodeName: *nodeName, nodeIP: *nodeIP, serviceAccountAdmission: *serviceAccountAdmission})
	if orphaned.Load() {
		// Nobody is left to clean up after us.
		_ = os.RemoveAll(*dataDir)
	}
	if err != nil {
		fail(err)
	}
}

// The other components, each a process of its own: "controlplane <name> <its flags>".
var subcommands = map[string]func([]string) int{
	// "controlplane kubectl ..." is a kubectl for machines without one, to look at the cluster.
	"kubectl":            runKubectl,
	"controller-manager": runControllerManager,
	"kubelet":            runKubelet,
	"kube-proxy":         runKubeProxy,
	"kube-scheduler":     runScheduler,
	"cri-clean":          runCRIClean,
}

var orphaned, stopping atomic.Bool

func shutdownOnStdinEOF() {
	_, _ = io.Copy(io.Discard, os.Stdin)
	orphaned.Store(true)
	// The API server's own signal handler then shuts both servers down cleanly.
	_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "controlplane: %v\n", err)
	os.Exit(1)
}

type options struct {
	dataDir, serviceCIDRs, advertise, bind string
	port, verbosity                        int
	controllers                            []string
	nodeName, nodeIP                       string
	serviceAccountAdmission                bool
}

func splitList(value string) []string {
	var out []string
	for _, item := range strings.Split(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func run(o options) error {
	dataDir, err := filepath.Abs(o.dataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	port := o.port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	pki, err := writePKI(filepath.Join(dataDir, "pki"), o.advertise, o.nodeName, o.nodeIP)
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}

	etcd, err := startEtcd(filepath.Join(dataDir, "etcd"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer etcd.Close()

	server := "https://127.0.0.1:" + strconv.Itoa(port)
	kubeconfig := filepath.Join(dataDir, "admin.kubeconfig")
	if err := writeKubeconfig(kubeconfig, server, pki.caCert, pki.adminCert, pki.adminKey); err != nil {
		return err
	}
	if o.nodeName != "" {
		// The node's components reach the API server at its advertised address, as on a real node.
		nodeServer := "https://" + net.JoinHostPort(o.advertise, strconv.Itoa(port))
		for _, c := range pki.components {
			if err := writeKubeconfig(filepath.Join(dataDir, c.name+".kubeconfig"), nodeServer, pki.caCert, c.cert, c.key); err != nil {
				return err
			}
		}
	}

	admission := []string{
		// No controller-manager creates the "default" ServiceAccount, so the admission
		// plugin that requires it would reject every Pod the tests create.
		"--disable-admission-plugins=ServiceAccount",
	}
	authorization := "RBAC"
	if o.serviceAccountAdmission {
		admission = nil
	}
	if o.nodeName != "" {
		// As kubeadm sets it up: the kubelet is authorized by the Node authorizer and limited
		// to its own Node and pods by NodeRestriction; the API server calls the kubelet (logs,
		// exec, port-forward) with a client certificate and verifies the kubelet's.
		authorization = "Node,RBAC"
		admission = append(admission, "--enable-admission-plugins=NodeRestriction",
			"--kubelet-client-certificate="+pki.adminCert, "--kubelet-client-key="+pki.adminKey,
			"--kubelet-certificate-authority="+pki.caCert,
			"--kubelet-preferred-address-types=InternalIP")
	}
	cmd := apiserver.NewAPIServerCommand()
	cmd.SetArgs(append(admission,
		"--etcd-servers=http://"+etcd.Clients[0].Addr().String(),
		"--bind-address="+o.bind,
		"--advertise-address="+o.advertise,
		"--secure-port="+strconv.Itoa(port),
		"--cert-dir="+filepath.Join(dataDir, "pki"),
		"--tls-cert-file="+pki.servingCert,
		"--tls-private-key-file="+pki.servingKey,
		"--client-ca-file="+pki.caCert,
		"--authorization-mode="+authorization,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.saKey,
		"--service-account-signing-key-file="+pki.saKey,
		"--service-cluster-ip-range="+o.serviceCIDRs,
		"--allow-privileged=true",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--shutdown-delay-duration=0s",
		"--v="+strconv.Itoa(o.verbosity),
	))

	done := make(chan error, 1)
	go func() { done <- cmd.Execute() }()

	ready := make(chan error, 1)
	go func() { ready <- waitReady(server, pki) }()

	select {
	case err := <-done:
		return fmt.Errorf("kube-apiserver exited before it was ready: %v", err)
	case err := <-etcd.Err():
		return fmt.Errorf("etcd failed: %w", err)
	case err := <-ready:
		if err != nil {
			return err
		}
	}
	controllerManager := make(<-chan error)
	if len(o.controllers) > 0 {
		cmd, done, err := startControllerManager(o.controllers, kubeconfig, filepath.Join(dataDir, "controller-manager.log"), pki)
		if err != nil {
			return err
		}
		if o.nodeName != "" {
			// A node's pods are bound by the real scheduler, with its own identity; like the
			// controller manager it dies with this process.
			scheduler, err := startChild(filepath.Join(dataDir, "kube-scheduler.log"), "kube-scheduler",
				"--kubeconfig="+filepath.Join(dataDir, "kube-scheduler.kubeconfig"), "--leader-elect=false", "--secure-port=0")
			if err != nil {
				return err
			}
			defer func() { _ = scheduler.Process.Kill() }()
		}
		// Stop it first on shutdown: its watches would otherwise hold the API server's graceful
		// shutdown open.
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		go func() {
			<-stop
			stopping.Store(true)
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}()
		defer func() { _ = cmd.Process.Kill() }()
		controllerManager = done
	}
	fmt.Printf("READY %s\n", kubeconfig)

	// The API server installs its own SIGTERM/SIGINT handler and returns from Execute once it
	// has shut down; etcd is closed by the deferred call afterwards.
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("kube-apiserver: %w", err)
		}
		return nil
	case err := <-etcd.Err():
		return fmt.Errorf("etcd failed: %w", err)
	case err := <-controllerManager:
		if stopping.Load() {
			// Stopped by us on SIGTERM; wait for the API server.
			if err := <-done; err != nil {
				return fmt.Errorf("kube-apiserver: %w", err)
			}
			return nil
		}
		return fmt.Errorf("kube-controller-manager exited: %v", err)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEtcd(dir string) (*embed.Etcd, error) {
	// A fresh store each start: the tests expect an empty cluster.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, err
	}
	clientPort, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "controlplane"
	cfg.LogLevel = "error"
	cfg.UnsafeNoFsync = true
	client, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(clientPort))
	peer, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(peerPort))
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case <-time.After(30 * time.Second):
		e.Close()
		return nil, errors.New("not ready after 30s")
	}
}

func waitReady(server string, pki *pkiFiles) error {
	cert, err := tls.LoadX509KeyPair(pki.adminCert, pki.adminKey)
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(pki.caCert)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := client.Get(server + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("kube-apiserver not ready after 60s")
}
