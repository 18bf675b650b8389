#!/usr/bin/env bash
# Builds the local cluster node's own images (there is no registry to pull from), each from scratch
# with buildah (no RUN step, so no isolation is involved) as an OCI layout tagged with its version:
#   pause    localhost/netmap/pause:3.10     the pod sandbox (test/support/local-cluster/node/pause.c, static)
#   demo     localhost/netmap/demo:1         Node 24 (this set-up's), a POSIX shell and its tools
#                                             (Debian's busybox-static), the demo app as the entrypoint
#   coredns  localhost/netmap/coredns:<ver>  the set-up's CoreDNS build (test/tools/coredns)
#   kube-router localhost/netmap/kube-router:<ver>  the set-up's kube-router build (test/tools/kube-router)
#                                             with this machine's iptables (nf_tables backend) and ipset
# Dynamic binaries get the shared libraries they load from this machine. Output: one directory with
# <name>/ per image and a `complete` marker, keyed by everything the images are made of, linked
# from .cache/node-images; a second run only prints the path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETMAP_ROOT"
log() { printf 'node-images: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

coredns=$(readlink -f .cache/coredns 2>/dev/null || true)
[ -x "$coredns" ] || fail "no CoreDNS build in .cache/coredns: run scripts/setup.sh coredns first"
node_bin="$NETMAP_NODE_DIR/bin/node"
[ -x "$node_bin" ] || fail "no Node $NETMAP_NODE_VERSION in $NETMAP_NODE_DIR: run scripts/setup.sh first"
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 || fail "no static busybox: apt-get install busybox-static"
kube_router=$(readlink -f .cache/kube-router 2>/dev/null || true)
[ -x "$kube_router" ] || fail "no kube-router build in .cache/kube-router: run scripts/setup.sh kube-router first"
kube_router_version=$(awk '$1 == "github.com/cloudnativelabs/kube-router/v2" { print $2; exit }' test/tools/kube-router/go.mod)
xtables_multi=/usr/sbin/xtables-nft-multi
# Where this iptables loads its extensions from (compiled in; /lib may be a link to /usr/lib).
xtables_lib=$(readlink -f "$(dirname "$(ldd "$xtables_multi" | grep -o '/[^ ]*libxtables[^ ]*' | head -n 1)")/xtables")
[ -x "$xtables_multi" ] && [ -x /usr/sbin/ipset ] && [ -d "$xtables_lib" ] || fail "no iptables (nf_tables) or ipset: apt-get install iptables ipset"
coredns_version=$(awk '$1 == "require" && $2 == "github.com/coredns/coredns" { print $3 }' test/tools/coredns/go.mod)
coredns_version=${coredns_version#v}
pause_src=test/support/local-cluster/node/pause.c
demo_app=test/support/local-cluster/demo/app.mjs

key=$( { cat "${BASH_SOURCE[0]}" "$pause_src" "$demo_app"; sha256sum "$coredns" "$node_bin" "$busybox" "$kube_router" "$xtables_multi" /usr/sbin/ipset; gcc --version | head -n 1; } | sha256sum | cut -c1-16)
out=$NETMAP_CACHE/node-images-$key

# copy_with_libs <binary> <rootfs> <path in rootfs>: the binary and every library ldd names.
copy_with_libs() {
  local binary=$1 rootfs=$2 target=$3 lib
  install -D -m 0755 "$binary" "$rootfs$target"
  for lib in $(ldd "$binary" 2>/dev/null | grep -o '/[^ ]*' || true); do
    install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
  done
}

# base_files <rootfs>: what every image needs (accounts, a world-writable /tmp).
base_files() {
  mkdir -p "$1/etc" "$1/tmp"
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$1/etc/group"
}

# commit <rootfs> <name> <tag> <buildah config args...>
commit() {
  local rootfs=$1 name=$2 tag=$3 container
  shift 3
  tar -C "$rootfs" --owner=0 --group=0 -cf "$rootfs.tar" .
  container=$(buildah_ from scratch)
  buildah_ add --quiet "$container" "$rootfs.tar" / >/dev/null
  buildah_ config "$@" "$container"
  buildah_ commit --quiet --rm "$container" "localhost/netmap/$name:$tag" >/dev/null
  buildah_ push --quiet "localhost/netmap/$name:$tag" "oci:$work/$name:$tag"
  buildah_ rmi "localhost/netmap/$name:$tag" >/dev/null
}

if [ ! -f "$out/complete" ]; then
  command -v buildah >/dev/null || fail "cannot build the node's images: install buildah (apt-get install buildah)"
  [ "$(id -u)" = 0 ] || fail "cannot build the node's images: buildah needs root here"
  mkdir -p "$NETMAP_BUILDAH_STORAGE"
  exec {lock}>"$out.lock"
  flock "$lock"
  if [ ! -f "$out/complete" ]; then
    start=$SECONDS
    work=$(mktemp -d "$NETMAP_CACHE/node-images.XXXXXX")
    # shellcheck disable=SC2064 # expand now
    trap "rm -rf '$work'" EXIT

    root=$work/pause-root
    base_files "$root"
    gcc -O2 -static -o "$work/pause.bin" "$pause_src"
    install -D -m 0755 "$work/pause.bin" "$root/pause"
    commit "$root" pause 3.10 --entrypoint '["/pause"]' --user 65535:65535

    root=$work/demo-root
    base_files "$root"
    copy_with_libs "$node_bin" "$root" /usr/local/bin/node
    install -D -m 0755 "$busybox" "$root/bin/busybox"
    for applet in $("$busybox" --list); do
      [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    install -D -m 0644 "$demo_app" "$root/demo/app.mjs"
    commit "$root" demo 1 --entrypoint '["node", "/demo/app.mjs"]' --cmd '' --workingdir /demo \
      --env PATH=/usr/local/bin:/bin

    root=$work/coredns-root
    base_files "$root"
    copy_with_libs "$coredns" "$root" /coredns
    # Root with only NET_BIND_SERVICE (the Deployment drops the rest), as the port is 53.
    commit "$root" coredns "$coredns_version" --entrypoint '["/coredns"]'

    root=$work/kube-router-root
    base_files "$root"
    install -D -m 0755 "$kube_router" "$root/usr/local/bin/kube-router"
    copy_with_libs "$xtables_multi" "$root" /usr/sbin/xtables-nft-multi
    for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
      ln -s xtables-nft-multi "$root/usr/sbin/$tool"
    done
    copy_with_libs /usr/sbin/ipset "$root" /usr/sbin/ipset
    # iptables loads its matches and targets (set, conntrack, mark, comment, physdev, NFLOG...) at run time.
    for ext in "$xtables_lib"/*.so; do copy_with_libs "$ext" "$root" "$ext"; done
    cp /etc/protocols /etc/services "$root/etc/"
    commit "$root" kube-router "${kube_router_version#v}" --entrypoint '["/usr/local/bin/kube-router"]' \
      --env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env XTABLES_LIBDIR="$xtables_lib"

    rm -rf "$out" && mkdir -p "$out"
    mv "$work/pause" "$work/demo" "$work/coredns" "$work/kube-router" "$out/"
    for name in pause demo coredns kube-router; do [ -f "$out/$name/index.json" ] || fail "no $name image"; done
    touch "$out/complete"
    log "built in $((SECONDS - start)) s"
    # Bounded: the newest three sets stay (other checkouts may point at them).
    find "$NETMAP_CACHE" -maxdepth 1 -name 'node-images-????????????????' -type d -printf '%T@ %p\n' | sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
  fi
  exec {lock}>&-
fi
mkdir -p .cache && ln -sfn "$out" .cache/node-images
echo "$out"
