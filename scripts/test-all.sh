#!/usr/bin/env bash
# The README's test command: the whole suite on a fresh machine. Installs what is missing, builds,
# starts a real Kafka broker and a real S3 server (deploy/local/stack.sh), runs every jest project
# plus typecheck, lint and the formatting check, stops the stack even on failure, and ends with
#   tests: N passed, M failed
# (typecheck, lint and formatting count as one test each). Exit code 0 only when M is 0.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e
cd "$PRESSLINE_ROOT"
T0=$(date +%s)
"$PRESSLINE_ROOT/scripts/setup.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }
use_project_node
T_SETUP=$(date +%s)
REPORTS="$PRESSLINE_ROOT/reports"
rm -rf "$REPORTS"; mkdir -p "$REPORTS"
STACK_STARTED=0
stop_stack() { if [ "$STACK_STARTED" = "1" ]; then deploy/local/stack.sh down >&2 || true; STACK_STARTED=0; fi; }
trap stop_stack EXIT

if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${S3_ENDPOINT:-}" ]; then
  if deploy/local/stack.sh up; then
    STACK_STARTED=1
    source .stack/env
  else
    echo "the local stack did not start" >&2
  fi
fi
T_STACK=$(date +%s)

JEST=(node node_modules/jest/bin/jest.js --ci --forceExit --passWithNoTests)
"${JEST[@]}" --selectProjects unit --json --outputFile="$REPORTS/unit.json"
T_UNIT=$(date +%s)
"${JEST[@]}" --selectProjects integration --runInBand --json --outputFile="$REPORTS/integration.json"
T_INT=$(date +%s)
"${JEST[@]}" --selectProjects e2e --runInBand --json --outputFile="$REPORTS/e2e.json"
T_E2E=$(date +%s)

checks_passed=0; checks_failed=0
if npx --no-install tsc -p tsconfig.json --noEmit; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); echo "typecheck failed" >&2; fi
if npx --no-install eslint . --max-warnings=0; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); echo "lint failed" >&2; fi
if npx --no-install prettier --check . --log-level warn; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); echo "formatting check failed: npm run format" >&2; fi
stop_stack
T_END=$(date +%s)

echo "timings: setup $((T_SETUP - T0)) s, stack $((T_STACK - T_SETUP)) s, unit $((T_UNIT - T_STACK)) s, integration $((T_INT - T_UNIT)) s, e2e $((T_E2E - T_INT)) s, checks $((T_END - T_E2E)) s, total $((T_END - T0)) s"
node scripts/test-summary.js "$REPORTS" "$checks_passed" "$checks_failed"
