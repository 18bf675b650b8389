#!/usr/bin/env bash
# Unpacks Otterize's reference binaries and manifests (the Intents Operator, its webhook server,
# the reference sniffer, their CRDs, webhook configuration and RBAC, the Intents Operator's Helm
# chart) from a directory laid out like the project's shared peers folder into the cache, and
# prints the directory to use as OTTERIZE_BIN_DIR. Cached by the checksums file, the chart and this
# script: a second run only prints the path. `images` builds, once, the two images that chart
# names (each binary as /manager, with the /version file the binaries read) into that directory;
# the local cluster runs it when it installs Otterize.
#
#   scripts/otterize.sh unpack PEERS_DIR
#   scripts/otterize.sh images OTTERIZE_BIN_DIR
#
# PEERS_DIR holds bin/{intents-operator,intents-operator-webhook-server,otterize-sniffer}.xz with
# bin/SHA256SUMS (of the unpacked binaries), intents-operator/{crds,webhook,rbac}/ and
# helm-charts/intents-operator/. The images are OCI layouts, images/<name>/, tagged with the
# chart's appVersion; they need buildah and root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
log() { printf 'otterize: %s\n' "$*" >&2; }

# build_images <dir>: an image per binary from scratch, with what a distroless static base gives
# them (a world-writable /tmp, which controller-runtime writes to at start-up; root and nonroot
# accounts) and no RUN step, so no isolation is involved.
build_images() {
  local dir version name container
  dir=$(cd "$1" && pwd) || { log "no directory $1"; exit 1; }
  [ -f "$dir/images/.complete" ] && { printf '%s\n' "$dir/images"; return 0; }
  [ -f "$dir/charts/intents-operator/Chart.yaml" ] || { log "$dir has no charts/intents-operator: run scripts/otterize.sh unpack again"; exit 1; }
  command -v buildah >/dev/null || { log "cannot build Otterize's images: install buildah (apt-get install buildah)"; exit 1; }
  [ "$(id -u)" = 0 ] || { log "cannot build Otterize's images: buildah needs root here"; exit 1; }
  exec 9>"$dir/.images.lock"
  flock 9
  [ -f "$dir/images/.complete" ] && { printf '%s\n' "$dir/images"; return 0; }
  rm -rf "$dir/images" && mkdir -p "$dir/images"
  version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$dir/charts/intents-operator/Chart.yaml")
  [ -n "$version" ] || { log "no appVersion in the intents-operator chart"; exit 1; }
  printf '%s\n' "$version" > "$dir/version"
  local base=$dir/images/base
  mkdir -p "$NETMAP_BUILDAH_STORAGE" "$base/tmp" "$base/etc"
  chmod 1777 "$base/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$base/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$base/etc/group"
  tar -C "$base" --owner=0 --group=0 -cf "$dir/images/base.tar" tmp etc
  for name in intents-operator intents-operator-webhook-server; do
    container=$(buildah_ from scratch)
    buildah_ add --quiet "$container" "$dir/images/base.tar" / >/dev/null
    buildah_ copy --quiet --chmod 0755 "$container" "$dir/$name" /manager >/dev/null
    buildah_ copy --quiet --chmod 0644 "$container" "$dir/version" /version >/dev/null
    buildah_ config --entrypoint '["/manager"]' --user 65532:65532 --workingdir / \
      --label "org.opencontainers.image.version=$version" "$container"
    buildah_ commit --quiet --rm "$container" "localhost/otterize/$name:$version" >/dev/null
    buildah_ push --quiet "localhost/otterize/$name:$version" "oci:$dir/images/$name:$version"
    buildah_ rmi "localhost/otterize/$name:$version" >/dev/null
  done
  rm -rf "$base" "$dir/images/base.tar"
  touch "$dir/images/.complete"
  printf '%s\n' "$dir/images"
}

unpack() {
  local peers key dir tmp f
  peers=$(cd "$1" && pwd) || { log "no directory $1"; exit 1; }
  [ -f "$peers/bin/SHA256SUMS" ] || { log "no bin/SHA256SUMS under $peers"; exit 1; }
  [ -f "$peers/helm-charts/intents-operator/Chart.yaml" ] || { log "no helm-charts/intents-operator under $peers"; exit 1; }
  # The chart and this script are part of the key: a changed layout makes a new directory.
  key=$( { cat "$peers/bin/SHA256SUMS" "${BASH_SOURCE[0]}"; find "$peers/helm-charts/intents-operator" -type f -print0 | sort -z | xargs -0 sha256sum | cut -c1-64; } | sha256sum | cut -c1-16)
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
    mkdir -p "$tmp/charts"
    cp -r "$peers/helm-charts/intents-operator" "$tmp/charts/"
    chmod -R u+w "$tmp/manifests" "$tmp/charts"
    touch "$tmp/.complete"
    rm -rf "$dir" && mv "$tmp" "$dir"
    # Bounds the cache: all but the newest three (other checkouts may still point at those).
    find "$NETMAP_CACHE" -maxdepth 1 -name 'otterize-????????????????' -type d -printf '%T@ %p\n' | sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
  fi
  printf '%s\n' "$dir"
}

case "${1:-}" in
  unpack) [ $# -eq 2 ] || { log "usage: scripts/otterize.sh unpack PEERS_DIR"; exit 2; }; unpack "$2" ;;
  images) [ $# -eq 2 ] || { log "usage: scripts/otterize.sh images OTTERIZE_BIN_DIR"; exit 2; }; build_images "$2" ;;
  *) log "usage: scripts/otterize.sh unpack PEERS_DIR | images OTTERIZE_BIN_DIR"; exit 2 ;;
esac
