#!/usr/bin/env bash
# Installs what a fresh machine lacks, each tool only when missing: Node 24 (from the npm
# registry, into .tools/node), ffmpeg/ffprobe, Java 17+, Maven, Go (for the S3 server) and
# xmllint. Idempotent: a second run only checks.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_node() {
  if use_project_node; then log "node $(node --version) ok"; return; fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) die "no Node package for $(uname -m)" ;;
  esac
  command -v npm >/dev/null 2>&1 || apt_install npm
  log "installing Node $NODE_VERSION_PINNED from the npm registry (node-linux-$arch) into .tools/node"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION_PINNED" >/dev/null)
  rm -rf "$PRESSLINE_TOOLS/node"
  mkdir -p "$PRESSLINE_TOOLS/node"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$PRESSLINE_TOOLS/node" --strip-components=1
  rm -rf "$tmp"
  use_project_node || die "Node install failed"
  log "node $(node --version) installed"
}

install_ffmpeg() {
  if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
    log "ffmpeg ok ($(ffmpeg -version | head -1 | cut -d' ' -f3))"; return; fi
  apt_install ffmpeg
}

install_java() {
  local major=0
  if command -v java >/dev/null 2>&1; then
    major="$(java -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')"
  fi
  if [ "${major:-0}" -ge 17 ] 2>/dev/null; then log "java $major ok"; else apt_install openjdk-17-jre-headless; fi
  if command -v mvn >/dev/null 2>&1; then log "maven ok"; else apt_install maven; fi
}

install_go() {
  # Go builds versitygw, the S3 server. Without a usable Go the stack falls back to S3Proxy.
  if command -v go >/dev/null 2>&1; then log "go ok ($(go version | cut -d' ' -f3))"; return; fi
  apt_install golang-go || log "Go unavailable: the local stack will use S3Proxy instead of versitygw"
}

install_xmllint() {
  if command -v xmllint >/dev/null 2>&1; then log "xmllint ok"; else apt_install libxml2-utils; fi
}

# PRESSLINE_BOOTSTRAP=runtime installs only what the services need to run (Node, ffmpeg): the
# container image uses that; the default (full) adds what the local stack and the tests need.
main() {
  mkdir -p "$PRESSLINE_TOOLS"
  install_node
  install_ffmpeg
  if [ "${PRESSLINE_BOOTSTRAP:-full}" = "runtime" ]; then return; fi
  install_java
  install_go
  install_xmllint
}
main "$@"
