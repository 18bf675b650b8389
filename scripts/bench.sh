#!/usr/bin/env bash
# Every benchmark (dist/bench/**/*.bench.js), one process each, after the usual set-up.
# Results are recorded by hand in BENCHMARKS.md with the command that produced them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
netmap_setup
cd "$NETMAP_ROOT"
# The side-by-side benchmark runs the reference sniffer from OTTERIZE_BIN_DIR. Without it, but
# with OTTERIZE_PEERS_DIR (a directory holding bin/otterize-sniffer.xz), unpack it into the cache.
if [ -z "${OTTERIZE_BIN_DIR:-}" ] && [ -n "${OTTERIZE_PEERS_DIR:-}" ]; then
  packed="$OTTERIZE_PEERS_DIR/bin/otterize-sniffer.xz"
  [ -f "$packed" ] || { echo "OTTERIZE_PEERS_DIR has no bin/otterize-sniffer.xz: $OTTERIZE_PEERS_DIR"; exit 1; }
  OTTERIZE_BIN_DIR="$NETMAP_CACHE/otterize-$(sha256sum "$packed" | cut -c1-16)"
  if [ ! -x "$OTTERIZE_BIN_DIR/otterize-sniffer" ]; then
    mkdir -p "$OTTERIZE_BIN_DIR"
    xz -dc "$packed" > "$OTTERIZE_BIN_DIR/otterize-sniffer.tmp"
    chmod +x "$OTTERIZE_BIN_DIR/otterize-sniffer.tmp"
    mv "$OTTERIZE_BIN_DIR/otterize-sniffer.tmp" "$OTTERIZE_BIN_DIR/otterize-sniffer"
  fi
  export OTTERIZE_BIN_DIR
fi
[ -n "${OTTERIZE_BIN_DIR:-}" ] || echo "note: OTTERIZE_BIN_DIR and OTTERIZE_PEERS_DIR are not set: the side-by-side benchmark against the reference sniffer will not run"
shopt -s globstar nullglob
benches=(dist/bench/**/*.bench.js)
[ ${#benches[@]} -gt 0 ] || { echo "no benchmarks built"; exit 1; }
for bench in "${benches[@]}"; do
  if [ -n "${1:-}" ] && [[ "$bench" != *"$1"* ]]; then continue; fi
  echo "== node $bench"
  node --expose-gc "$bench"
done
