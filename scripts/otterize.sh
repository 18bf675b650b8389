#!/usr/bin/env bash
# Unpacks Otterize's reference binaries and manifests (the Intents Operator, its webhook server,
# the reference sniffer, their CRDs, webhook configuration and RBAC) from a directory laid out
# like the project's shared peers folder into the cache, and prints the directory to use as
# OTTERIZE_BIN_DIR. Cached by the checksums file: a second run only prints the path.
#
#   scripts/otterize.sh unpack PEERS_DIR
#
# PEERS_DIR holds bin/{intents-operator,intents-operator-webhook-server,otterize-sniffer}.xz with
# bin/SHA256SUMS (of the unpacked binaries), and intents-operator/{crds,webhook,rbac}/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
log() { printf 'otterize: %s\n' "$*" >&2; }

unpack() {
  local peers key dir tmp f
  peers=$(cd "$1" && pwd) || { log "no directory $1"; exit 1; }
  [ -f "$peers/bin/SHA256SUMS" ] || { log "no bin/SHA256SUMS under $peers"; exit 1; }
  key=$(sha256sum "$peers/bin/SHA256SUMS" | cut -c1-16)
  dir="$NETMAP_CACHE/otterize-$key"
  mkdir -p "$NETMAP_CACHE"
  if [ ! -f "$dir/.complete" ]; then
    log "unpacking Otterize's binaries from $peers"
    tmp=$(mktemp -d "$NETMAP_CACHE/otterize-tmp.XXXXXX")
    for f in intents-operator intents-operator-webhook-server otterize-sniffer; do
      xz -dc "$peers/bin/$f.xz" > "$tmp/$f"
      chmod 0755 "$tmp/$f"
    done
    (cd "$tmp" && sha256sum --quiet -c "$peers/bin/SHA256SUMS") || { log "checksums do not match"; rm -rf "$tmp"; exit 1; }
    mkdir -p "$tmp/manifests"
    cp -r "$peers/intents-operator/crds" "$peers/intents-operator/webhook" "$peers/intents-operator/rbac" "$tmp/manifests/"
    chmod -R u+w "$tmp/manifests"
    touch "$tmp/.complete"
    rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  printf '%s\n' "$dir"
}

case "${1:-}" in
  unpack) [ $# -eq 2 ] || { log "usage: scripts/otterize.sh unpack PEERS_DIR"; exit 2; }; unpack "$2" ;;
  *) log "usage: scripts/otterize.sh unpack PEERS_DIR"; exit 2 ;;
esac
