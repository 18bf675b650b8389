#!/usr/bin/env bash
# ensure_cap_patch, sourced by setup.sh and run on its own by the Containerfile's build stage
# (in the directory holding node_modules and patches/).
# cap 0.2.1 lacks pcap_stats() and always turns immediate mode on (see docs/sniffer-capture.md):
# patches/cap-0.2.1.patch adds both. npm ci wipes node_modules, stamp included, so this runs again
# after every npm ci. The applied patch is kept next to the stamp, so a changed patch is first
# reversed with the copy that was applied, then the new one goes on.
ensure_cap_patch() {
  local patch=patches/cap-0.2.1.patch dir=node_modules/cap
  local stamp=$dir/.netmap-patch-stamp applied=$dir/.netmap-applied.patch want
  want="$(sha256sum "$patch" | cut -c1-16) $(node -v)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return
  if [ -f "$applied" ] && ! cmp -s "$applied" "$patch"; then
    log "reversing the previous cap patch"
    patch --force --silent --no-backup-if-mismatch --reject-file=- -R -p1 -d "$dir" < "$applied"
  fi
  # --force: never guess that a patch is reversed (--batch would, and apply it the other way).
  if patch --force --silent --dry-run -R -p1 -d "$dir" < "$patch" >/dev/null 2>&1; then
    log "cap patch already applied; rebuilding cap"
  else
    log "applying $patch and rebuilding cap"
    patch --force --silent --no-backup-if-mismatch --reject-file=- -p1 -d "$dir" < "$patch"
  fi
  cp "$patch" "$applied"
  npm rebuild cap --loglevel=error >/dev/null
  node -e 'const c = new (require("cap").Cap)(); if (typeof c.stats !== "function") process.exit(1)' \
    || { log "cap was rebuilt without the patch"; exit 1; }
  echo "$want" > "$stamp"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  log() { printf 'cap-patch: %s\n' "$*" >&2; }
  ensure_cap_patch
fi
