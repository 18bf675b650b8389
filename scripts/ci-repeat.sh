#!/usr/bin/env bash
# Flakiness check: runs CI (.ci/run) COUNT times in a row, each on a fresh clone of REV in a new
# directory with a copy of ../shared beside it, as CI gets it. Each run takes the node turn lock
# (/run/netmap-node-turn.lock) so that other local-cluster runs on the machine queue between runs
# rather than fail. Prints one line per run and exits non-zero if any run failed; logs stay in the
# work directory.
#   scripts/ci-repeat.sh [COUNT=3] [REV=HEAD] [WORK_DIR=a new temporary directory]
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
count=${1:-3}
rev=$(git -C "$repo" rev-parse "${2:-HEAD}") || exit 2
work=${3:-$(mktemp -d /tmp/netmap-ci-repeat.XXXXXX)}
[ -d "$repo/../shared" ] || { echo "ci-repeat: $repo/../shared is missing (CI needs it beside the clone)" >&2; exit 2; }
mkdir -p "$work" && rm -rf "$work/shared" && cp -r "$repo/../shared" "$work/shared"
failed=0
for i in $(seq 1 "$count"); do
  clone="$work/run-$i"
  rm -rf "$clone"
  git clone -q "$repo" "$clone" && git -C "$clone" checkout -q "$rev" || exit 2
  start=$(date +%s)
  (cd "$clone" && flock /run/netmap-node-turn.lock env CI=true bash .ci/run) > "$work/run-$i.log" 2>&1
  rc=$?
  [ "$rc" = 0 ] || failed=$((failed + 1))
  echo "run $i of $count: exit $rc after $(( $(date +%s) - start )) s, $(grep -aE '^tests: ' "$work/run-$i.log" | tail -1) (log: $work/run-$i.log)"
done
echo "$((count - failed))/$count green, commit ${rev:0:7}"
[ "$failed" = 0 ]
