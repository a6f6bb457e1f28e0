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
# Matchering (GPL, Python) is a peer of the mastering bench only, never a dependency of Pressline:
# installed from PyPI into .tools/matchering-venv when python3 can make a venv, skipped otherwise.
if [ -z "${MATCHERING_PYTHON:-}" ] && command -v python3 >/dev/null 2>&1; then
  venv="$PRESSLINE_TOOLS/matchering-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matchering' 2>/dev/null; then
    log "installing matchering into $venv (bench peer only)"
    (python3 -m venv "$venv" && "$venv/bin/pip" install -q matchering) >&2 || log "matchering unavailable: its comparison is skipped"
  fi
  if "$venv/bin/python" -c 'import matchering' 2>/dev/null; then export MATCHERING_PYTHON="$venv/bin/python"; fi
fi
node dist/bench/run-all.js "$@"
