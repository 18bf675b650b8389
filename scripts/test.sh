#!/usr/bin/env bash
# The whole test suite: set-up, lint, type-check (the build), unit and integration tests.
# Integration tests need root: they start a real control plane and make network namespaces.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
netmap_setup
cd "$NETMAP_ROOT"
echo "== lint"
npx eslint --max-warnings=0 .
if [ -z "${OTTERIZE_BIN_DIR:-}" ]; then
  echo "== otterize: the end-to-end test's part against the real Otterize Intents Operator will not run: OTTERIZE_BIN_DIR is not set (see README, \"Testing against Otterize\")"
fi
echo "== tests"
npx mocha --config .mocharc.json 'dist/test/unit/**/*.test.js' 'dist/test/integration/**/*.test.js' "$@"
