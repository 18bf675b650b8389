#!/usr/bin/env bash
# The main job: set-up, then network-mapper mapping a demo shop on a local cluster (see README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
netmap_setup
cd "$NETMAP_ROOT"
exec node dist/test/support/local-cluster/main.js "$@"
