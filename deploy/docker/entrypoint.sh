#!/bin/sh
# Starts one Pressline service by name; the rest of the arguments go to it.
set -e
app="${1:-gateway}"
[ $# -gt 0 ] && shift
case "$app" in
  gateway|ingest|analysis|mixing|mastering|packaging|pressline) exec node "/app/dist/apps/$app/src/main.js" "$@" ;;
  *) echo "unknown service: $app (gateway, ingest, analysis, mixing, mastering, packaging, pressline)" >&2; exit 2 ;;
esac
