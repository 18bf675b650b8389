# Sourced by the other scripts: where things live and which toolchain to use.
# Idempotent set-up lives in setup.sh; this file only sets variables and PATH.
NETMAP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Shared between clones on one machine, so a second checkout (and CI) reuses the builds.
NETMAP_CACHE=${NETMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/network-mapper}
NETMAP_NODE_VERSION=24.21.0
NETMAP_NODE_DIR="$NETMAP_CACHE/node-v$NETMAP_NODE_VERSION"
export NETMAP_ROOT NETMAP_CACHE

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# The project's own buildah image store, apart from the machine's (/var/lib/containers): the
# image and Otterize's test images are built there (scripts/image.sh, scripts/otterize.sh).
NETMAP_BUILDAH_STORAGE="$NETMAP_CACHE/buildah"
buildah_() { buildah --root "$NETMAP_BUILDAH_STORAGE/root" --runroot "$NETMAP_BUILDAH_STORAGE/run" "$@"; }

if [ -x "$NETMAP_NODE_DIR/bin/node" ]; then
  export PATH="$NETMAP_NODE_DIR/bin:$PATH"
  # node-gyp builds `cap` against these headers instead of downloading them.
  export npm_config_nodedir="$NETMAP_NODE_DIR"
fi

# The Go module proxy is reachable, the checksum database is not; go.sum pins every module.
export GOSUMDB=off
export GOFLAGS="-buildvcs=false -mod=readonly"
