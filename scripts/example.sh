#!/usr/bin/env bash
# The README's first command: set up, synthesise the example release, run the whole line on it
# (embedded default), and leave the deliverable in out/example.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PRESSLINE_ROOT/scripts/setup.sh"
cd "$PRESSLINE_ROOT"
bin/pressline example out/example-release
bin/pressline run out/example-release/release.json --out out/example "$@"
