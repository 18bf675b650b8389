#!/usr/bin/env bash
# Every benchmark (dist/bench/**/*.bench.js), one process each, after the usual set-up.
# Results are recorded by hand in BENCHMARKS.md with the command that produced them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
netmap_setup
cd "$NETMAP_ROOT"
shopt -s globstar nullglob
benches=(dist/bench/**/*.bench.js)
[ ${#benches[@]} -gt 0 ] || { echo "no benchmarks built"; exit 1; }
for bench in "${benches[@]}"; do
  if [ -n "${1:-}" ] && [[ "$bench" != *"$1"* ]]; then continue; fi
  echo "== node $bench"
  node --expose-gc "$bench"
done
