#!/usr/bin/env bash
# Every benchmark (dist/bench/**/*.bench.js), one process each, after the usual set-up.
# Results are recorded by hand in BENCHMARKS.md with the command that produced them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
netmap_setup
cd "$NETMAP_ROOT"
# The side-by-side benchmark runs the reference sniffer from OTTERIZE_BIN_DIR. Without it, but
# with OTTERIZE_PEERS_DIR (laid out as scripts/otterize.sh expects), unpack it into the cache.
if [ -z "${OTTERIZE_BIN_DIR:-}" ] && [ -n "${OTTERIZE_PEERS_DIR:-}" ]; then
  OTTERIZE_BIN_DIR=$("$NETMAP_ROOT/scripts/otterize.sh" unpack "$OTTERIZE_PEERS_DIR")
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
