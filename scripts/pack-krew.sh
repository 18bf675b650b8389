#!/usr/bin/env bash
# Builds the krew release archive of `kubectl netmap` for linux/amd64 and renders its manifest:
#   OUTDIR/netmap-vX.Y.Z-linux-amd64.tar.gz   kubectl-netmap (launcher), lib/network-mapper/ (the
#                                             npm package with its production dependencies)
#   OUTDIR/netmap.yaml                        .krew.yaml with version, uri (file://, or
#                                             $NETMAP_RELEASE_URL/<archive>) and sha256 filled in
# Needs a built dist/ (scripts/setup.sh). Node.js >= 24 must be on the user's PATH (the caveat).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETMAP_ROOT"
out=$(realpath -m "${1:?usage: scripts/pack-krew.sh OUTDIR}")
version="v$(node -p 'require("./package.json").version')"
archive="netmap-$version-linux-amd64.tar.gz"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage/root/lib"

npm pack --silent --pack-destination "$stage" . >/dev/null
# --ignore-scripts: the only install script is the sniffer's libpcap binding (cap), which the CLI
# never loads; it is removed below so the archive needs no compiler and no libpcap.
npm install --global --prefix "$stage/prefix" --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error "$stage"/network-mapper-*.tgz >&2
mv "$stage/prefix/lib/node_modules/network-mapper" "$stage/root/lib/network-mapper"
rm -rf "$stage/root/lib/network-mapper/node_modules/cap"

cat > "$stage/root/kubectl-netmap" <<'LAUNCHER'
#!/bin/sh
# krew links this file onto PATH as kubectl-netmap; kubectl runs it for `kubectl netmap`.
here=$(dirname "$(readlink -f "$0")")
exec node "$here/lib/network-mapper/dist/src/cli/main.js" "$@"
LAUNCHER
chmod +x "$stage/root/kubectl-netmap"

tar -C "$stage/root" -czf "$out/$archive" kubectl-netmap lib
sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)
uri="${NETMAP_RELEASE_URL:+$NETMAP_RELEASE_URL/$archive}"
uri="${uri:-file://$out/$archive}"
# The bot's template syntax, filled in the way krew-release-bot does it.
sed -e "s|{{ .TagName }}|$version|g" \
    -e "s|^\( *\){{addURIAndSha .*}}$|\1uri: $uri\n\1sha256: $sha|" \
    .krew.yaml > "$out/netmap.yaml"
echo "$out/$archive"
