#!/bin/sh
# The image's entrypoint, installed as /usr/local/bin/network-mapper:
#   network-mapper sniffer | operator      one component, with its Node flags (/app/node-flags)
#   network-mapper cli ARGS... (or netmap)  the kubectl plugin's commands, e.g. `cli list`
#   network-mapper --version
# exec, so that the component is PID 1's only process and gets the kubelet's SIGTERM itself.
set -eu
app=/app

usage="usage: network-mapper sniffer | operator | cli [list|export|version ...] | --version"

# The flags stay one word each: none of them holds a space.
flags_of() {
  flags=$(sed -n "s/^$1:[[:space:]]*//p" "$app/node-flags")
  [ -n "$flags" ] || { echo "network-mapper: no Node flags for $1 in $app/node-flags" >&2; exit 1; }
  echo "$flags"
}

[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
command=$1
shift
case "$command" in
  sniffer | operator)
    flags=$(flags_of "$command")
    # shellcheck disable=SC2086 # word splitting of the flag list is meant
    exec node $flags "$app/dist/src/$command/main.js" "$@" ;;
  cli | netmap) exec node "$app/dist/src/cli/main.js" "$@" ;;
  --version | version) exec node -p "'network-mapper ' + require('$app/package.json').version" ;;
  -h | --help | help) echo "$usage" ;;
  *) printf "network-mapper: unknown command '%s'\n%s\n" "$command" "$usage" >&2; exit 2 ;;
esac
