#!/usr/bin/env bash
# Builds network-mapper's image (Containerfile) on this kind of machine, without any registry:
# buildah with chroot isolation, FROM two bases this script makes from Debian's packages
# (mmdebstrap, the machine's own Debian release) and the Node 24 the set-up caches:
#   runtime base  Debian (essential packages) + libpcap0.8, libstdc++6 + the node binary in /usr/local/bin;
#   build base    Debian + the Containerfile's BUILD_PACKAGES + node, its headers and npm, and
#                 this machine's CA bundle (npm ci reaches the registry through it).
# Output: an OCI image layout, $NETMAP_CACHE/image-<key>/oci, tagged with package.json's version,
# linked from .cache/image. Every step is keyed by a hash of its inputs: a second run is a no-op.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETMAP_ROOT"
log() { printf 'image: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

require_tools() {
  command -v buildah >/dev/null && command -v mmdebstrap >/dev/null \
    || fail "cannot build the image: install buildah and mmdebstrap (Debian: apt-get install buildah mmdebstrap), then run scripts/image.sh again"
  [ "$(id -u)" = 0 ] || fail "cannot build the image: buildah --isolation chroot and mmdebstrap need root here; run scripts/image.sh as root"
  [ -x "$NETMAP_NODE_DIR/bin/node" ] || fail "cannot build the image: no Node $NETMAP_NODE_VERSION in $NETMAP_NODE_DIR; run scripts/setup.sh first"
  mkdir -p "$NETMAP_BUILDAH_STORAGE"
  buildah_ info >/dev/null 2>&1 || fail "cannot build the image: buildah does not run here ($(buildah_ info 2>&1 | tail -n 1))"
}

# A build argument's default, read from the Containerfile: it stays the one place it is set.
containerfile_arg() {
  local value
  value=$(sed -n "s/^ARG $1=\"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" Containerfile | head -n 1)
  [ -n "$value" ] || fail "no ARG $1 in Containerfile"
  echo "$value"
}

release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
host_ca_bundle=/etc/ssl/certs/ca-certificates.crt
version=$(node -p 'require("./package.json").version')
# What a slim image leaves out (the licences stay), and merged /usr set up by symlinks as Debian's
# own images have it, instead of the usrmerge package and the perl it needs.
dpkg_options=(
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
)

# make_base <image> runtime|build <Debian packages>
make_base() {
  local image=$1 kind=$2 packages=$3 work container
  buildah_ inspect --type image "$image" >/dev/null 2>&1 && return
  log "making $image (Debian $release: ${packages// /, }; Node $NETMAP_NODE_VERSION)"
  work=$(mktemp -d "$NETMAP_CACHE/image-base.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  mmdebstrap --quiet --variant=essential --include="${packages// /,}" "${dpkg_options[@]}" \
    "$release" "$work/rootfs.tar"
  node_tree "$work/node" "$kind"
  tar -C "$work/node" -cf "$work/node.tar" .
  container=$(buildah_ from scratch)
  buildah_ add "$container" "$work/rootfs.tar" / >/dev/null
  buildah_ add "$container" "$work/node.tar" /usr/local >/dev/null
  buildah_ config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$container"
  if [ "$kind" = build ] && [ -f "$host_ca_bundle" ]; then
    # This machine's trust store (it may hold a proxy's CA) for the build stage's npm ci; the
    # runtime base, and so the image, does not get it.
    buildah_ add "$container" "$host_ca_bundle" /etc/ssl/certs/ca-certificates.crt >/dev/null
    buildah_ config --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$container"
  fi
  buildah_ commit --quiet --rm "$container" "$image" >/dev/null
  rm -rf "$work"
}

# node_tree <dir> runtime|build: the parts of Node 24 each base carries, laid out as in /usr/local.
node_tree() {
  local dir=$1 kind=$2 npm_version
  mkdir -p "$dir/bin" "$dir/share/doc/node"
  cp "$NETMAP_NODE_DIR/bin/node" "$dir/bin/node"
  cp "$NETMAP_NODE_DIR/LICENSE" "$dir/share/doc/node/LICENSE"
  [ "$kind" = build ] || return 0
  cp -r "$NETMAP_NODE_DIR/include" "$dir/include"
  npm_version=$(containerfile_arg NPM_VERSION)
  mkdir -p "$dir/lib/node_modules"
  (cd "$dir/lib/node_modules" && npm pack --silent "npm@$npm_version" >/dev/null && tar xzf npm-*.tgz && mv package npm && rm npm-*.tgz)
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/bin/npx"
}

hash_of() { sha256sum | cut -c1-16; }

# Bounds the cache: the bases of other keys go, and all but the newest three images (other
# checkouts on the machine may still point at those).
prune_old() {
  local keep_runtime=$1 keep_build=$2 image
  for image in $(buildah_ images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/network-mapper-base:' || true); do
    case "$image" in *":$keep_runtime" | *":$keep_build") ;; *) buildah_ rmi "$image" >/dev/null 2>&1 || true ;; esac
  done
  find "$NETMAP_CACHE" -maxdepth 1 -name 'image-????????????????' -type d -printf '%T@ %p\n' | sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
}

build_image() {
  local runtime_packages="libpcap0.8 libstdc++6" build_packages recipe runtime_key build_key key out
  build_packages=$(containerfile_arg BUILD_PACKAGES)
  # Changing how a base is made (this file) makes new bases.
  recipe=$(sed -n '/^make_base()/,/^}/p;/^node_tree()/,/^}/p;/^dpkg_options=/,/^)/p' "${BASH_SOURCE[0]}")
  runtime_key=$(printf '%s\n' "$release" "$runtime_packages" "$NETMAP_NODE_VERSION" "$recipe" | hash_of)
  build_key=$( { printf '%s\n' "$release" "$build_packages" "$NETMAP_NODE_VERSION" "$(containerfile_arg NPM_VERSION)" "$recipe"
                 cat "$host_ca_bundle" 2>/dev/null || true; } | hash_of)
  key=$( { printf '%s\n' "$runtime_key" "$build_key"
           find Containerfile .dockerignore package.json package-lock.json tsconfig.json \
             scripts/cap-patch.sh src patches image page -type f -print0 | sort -z | xargs -0 sha256sum; } | hash_of)
  out=$NETMAP_CACHE/image-$key
  if [ ! -f "$out/complete" ]; then
    require_tools
    local start=$SECONDS runtime_base=localhost/network-mapper-base:runtime-$runtime_key build_base=localhost/network-mapper-base:build-$build_key
    make_base "$runtime_base" runtime "$runtime_packages"
    make_base "$build_base" build "$build_packages"
    log "building localhost/network-mapper:$version"
    buildah_ build --quiet --isolation chroot --layers --pull=never \
      --build-arg "BASE_IMAGE=$runtime_base" --build-arg "BUILD_BASE_IMAGE=$build_base" \
      --build-arg "VERSION=$version" -t "localhost/network-mapper:$version" -f Containerfile . >/dev/null
    rm -rf "$out" && mkdir -p "$out"
    buildah_ push --quiet "localhost/network-mapper:$version" "oci:$out/oci:$version"
    touch "$out/complete"
    log "built in $((SECONDS - start)) s"
    prune_old "runtime-$runtime_key" "build-$build_key"
  fi
  # The tests and the local cluster find it here, as they find .cache/controlplane.
  mkdir -p .cache && ln -sfn "$out/oci" .cache/image
  echo "$out/oci"
}

build_image
