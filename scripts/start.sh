#!/bin/sh
# Starts one of this package's commands; every npm script runs it:  sh scripts/start.sh <command> [args…]
# From the command's V8 startup snapshot when one is built for the node on PATH (dist/<command>/snapshot,
# written by scripts/build/snapshot.mjs: its blob, and the node it was built by), else through
# scripts/start.mjs. The snapshot checks its build against the sources before it runs and hands over to
# scripts/start.mjs, which rebuilds, when they changed, so a stale build never runs either way.
# POSIX sh and builtins but one `stat`: it runs before node does. NODE_OPTIONS can change V8's flags,
# which a blob was built without, so then the snapshot is not used.
case $0 in
  */*) root=${0%/*}/.. ;;
  *) root=.. ;;
esac
record=$root/dist/${1:-none}/snapshot
if [ -z "${NODE_OPTIONS:-}" ] && [ -f "$record" ] && node=$(command -v node); then
  blob='' built_by=''
  { read -r blob && read -r built_by; } <"$record"
  here=$(stat -L -c '%d:%i:%s:%Y' "$node" 2>/dev/null || stat -L -f '%d:%i:%z:%m' "$node" 2>/dev/null)
  if [ -n "$blob" ] && [ "$here" = "$built_by" ] && [ -f "$root/dist/$1/$blob" ]; then
    blob=$root/dist/$1/$blob
    shift
    exec "$node" --snapshot-blob "$blob" -- "$@"
  fi
fi
exec node "$root/scripts/start.mjs" "$@"
