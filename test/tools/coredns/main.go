// Command coredns is CoreDNS itself (github.com/coredns/coredns), linked with only the plugins
// the local cluster's Corefile uses, so the test build stays small. It is test tooling: the
// local cluster runs it as the kube-system/coredns pod, as every real cluster runs CoreDNS.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	// Each import registers one plugin; dnsserver.Directives below orders them as CoreDNS's own
	// plugin.cfg does (the order a query walks the chain, not the order in the Corefile).
	_ "github.com/coredns/coredns/plugin/autopath"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"ready", "health", "errors", "log", "cache", "autopath", "kubernetes", "forward"}
}

func main() {
	coremain.Run()
}
