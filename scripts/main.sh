#!/usr/bin/env bash
# The main job: set-up, then a local control plane with network-mapper's CRDs (see README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
netmap_setup
cd "$NETMAP_ROOT"
exec node dist/test/support/local-cluster/main.js "$@"
