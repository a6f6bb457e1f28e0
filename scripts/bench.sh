#!/usr/bin/env bash
# `npm run bench`: builds, starts the local stack (for the distributed benchmarks), runs every
# benchmark side by side, writes reports/bench.json, stops the stack.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PRESSLINE_ROOT"
"$PRESSLINE_ROOT/scripts/setup.sh" >&2
use_project_node
started=0
if [ -z "${KAFKA_BROKERS:-}" ]; then
  deploy/local/stack.sh up >&2 && started=1 && source .stack/env
fi
trap '[ "$started" = 1 ] && deploy/local/stack.sh down >&2' EXIT
node dist/bench/run-all.js "$@"
