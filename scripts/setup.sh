#!/usr/bin/env bash
# Makes a fresh clone runnable: the toolchain (only what is missing), the npm dependencies
# (exactly the lockfile's), and the build. Idempotent and quick when everything is in place.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$PRESSLINE_ROOT/scripts/bootstrap.sh"
use_project_node || die "Node >= 24 missing after bootstrap"
cd "$PRESSLINE_ROOT"
stamp="node_modules/.pressline-lock-sha"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # `npm install` against the committed lockfile, not `npm ci`: the registries these machines reach
  # serve only the Linux builds of platform-specific optional packages (@swc/core-*, ...), so the
  # lockfile cannot list the others and `npm ci` refuses it. Versions still come from the lockfile.
  log "npm install (from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
else
  log "node_modules ok"
fi
log "building"
npm run --silent build
log "ready: bin/pressline --help"
