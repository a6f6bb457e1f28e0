#!/usr/bin/env bash
# Shared helpers for the project's shell scripts. Source it; do not run it.
set -euo pipefail

PRESSLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESSLINE_TOOLS="${PRESSLINE_TOOLS:-$PRESSLINE_ROOT/.tools}"
NODE_VERSION_PINNED="24.21.0"

log() { printf '[pressline] %s\n' "$*" >&2; }
die() { printf '[pressline] error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    die "need root to run: $* (install it yourself or run as root)"; fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: $*"
  if [ "$APT_UPDATED" = "0" ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

node_major() { "$1" -e 'process.stdout.write(String(process.versions.node.split(".")[0]))' 2>/dev/null || echo 0; }

# Puts the project's Node (>= 24) first on PATH: the machine's own when it is new enough,
# else the copy that scripts/bootstrap.sh installed under .tools/node.
use_project_node() {
  if [ -x "$PRESSLINE_TOOLS/node/bin/node" ]; then
    export PATH="$PRESSLINE_TOOLS/node/bin:$PATH"
  fi
  local node_bin
  node_bin="$(command -v node || true)"
  [ -n "$node_bin" ] && [ "$(node_major "$node_bin")" -ge 24 ] || return 1
  return 0
}
