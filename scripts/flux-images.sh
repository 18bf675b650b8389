#!/usr/bin/env bash
# Builds the images of Flux's controllers for the local cluster's GitOps test (docs/gitops.md),
# from the set-up's builds (.cache/flux-source-controller, .cache/flux-kustomize-controller: static
# Go binaries), each from scratch with buildah as an OCI layout, and copies the controllers' CRDs
# from their modules (config/crd/bases, the files Flux's own install applies):
#   source-controller     localhost/netmap/flux-source-controller:<version>
#   kustomize-controller  localhost/netmap/flux-kustomize-controller:<version>
#   crds/                 GitRepository and Kustomization (and the source kinds beside them)
# Output: one directory with a `complete` marker, keyed by what it is made of, linked from
# .cache/flux-images; a second run only prints the path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETMAP_ROOT"
log() { printf 'flux-images: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

source_bin=$(readlink -f .cache/flux-source-controller 2>/dev/null || true)
kustomize_bin=$(readlink -f .cache/flux-kustomize-controller 2>/dev/null || true)
[ -x "$source_bin" ] && [ -x "$kustomize_bin" ] || fail "no Flux builds in .cache: run scripts/setup.sh flux first"
source_version=$(awk '$1 == "github.com/fluxcd/source-controller" { print $2; exit }' test/tools/flux-source/go.mod)
kustomize_version=$(awk '$1 == "github.com/fluxcd/kustomize-controller" { print $2; exit }' test/tools/flux-kustomize/go.mod)
key=$( { cat "${BASH_SOURCE[0]}"; sha256sum "$source_bin" "$kustomize_bin"; echo "$source_version $kustomize_version"; } | sha256sum | cut -c1-16)
out=$NETMAP_CACHE/flux-images-$key

# The module's directory in the module cache (downloaded again when the cache was cleaned).
module_dir() {
  (cd "$1" && go mod download -json "$2@$3" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
}

if [ ! -f "$out/complete" ]; then
  command -v buildah >/dev/null || fail "cannot build Flux's images: install buildah (apt-get install buildah)"
  mkdir -p "$NETMAP_BUILDAH_STORAGE"
  exec {lock}>"$out.lock"
  flock "$lock"
  if [ ! -f "$out/complete" ]; then
    start=$SECONDS
    work=$(mktemp -d "$NETMAP_CACHE/flux-images.XXXXXX")
    # shellcheck disable=SC2064 # expand now
    trap "rm -rf '$work'" EXIT
    for name in source-controller:"$source_bin":"$source_version" kustomize-controller:"$kustomize_bin":"$kustomize_version"; do
      IFS=: read -r controller bin version <<<"$name"
      root=$work/$controller-root
      mkdir -p "$root/etc" "$root/tmp" "$root/data"
      chmod 1777 "$root/tmp" "$root/data"
      printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
      printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
      install -D -m 0755 "$bin" "$root/usr/local/bin/$controller"
      tar -C "$root" --owner=0 --group=0 -cf "$root.tar" .
      container=$(buildah_ from scratch)
      buildah_ add --quiet "$container" "$root.tar" / >/dev/null
      buildah_ config --entrypoint "[\"/usr/local/bin/$controller\"]" --user 65534:65534 "$container"
      buildah_ commit --quiet --rm "$container" "localhost/netmap/flux-$controller:$version" >/dev/null
      buildah_ push --quiet "localhost/netmap/flux-$controller:$version" "oci:$work/$controller:$version"
      buildah_ rmi "localhost/netmap/flux-$controller:$version" >/dev/null
    done
    mkdir -p "$work/crds"
    cp "$(module_dir test/tools/flux-source github.com/fluxcd/source-controller "$source_version")"/config/crd/bases/*.yaml "$work/crds/"
    cp "$(module_dir test/tools/flux-kustomize github.com/fluxcd/kustomize-controller "$kustomize_version")"/config/crd/bases/*.yaml "$work/crds/"
    chmod 0644 "$work/crds/"*.yaml
    rm -rf "$out" && mkdir -p "$out"
    mv "$work/source-controller" "$work/kustomize-controller" "$work/crds" "$out/"
    for name in source-controller kustomize-controller; do [ -f "$out/$name/index.json" ] || fail "no $name image"; done
    [ -f "$out/crds/source.toolkit.fluxcd.io_gitrepositories.yaml" ] && [ -f "$out/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml" ] || fail "no Flux CRDs"
    touch "$out/complete"
    log "built in $((SECONDS - start)) s"
    # Bounded: the newest three sets stay (other checkouts may point at them).
    find "$NETMAP_CACHE" -maxdepth 1 -name 'flux-images-????????????????' -type d -printf '%T@ %p\n' | sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
  fi
  exec {lock}>&-
fi
mkdir -p .cache && ln -sfn "$out" .cache/flux-images
echo "$out"
