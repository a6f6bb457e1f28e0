#!/usr/bin/env bash
# The local stack for machines without a Docker engine: a real Apache Kafka broker (KRaft, one
# node, jars from Maven Central) and a real S3 server (versitygw built with `go install`;
# S3Proxy from Maven Central when Go is missing). Data and logs live under .stack/ (git-ignored).
#
#   deploy/local/stack.sh up       start both, wait until ready, write .stack/env
#   deploy/local/stack.sh down     stop both (nothing left running)
#   deploy/local/stack.sh status   what runs, where
#   deploy/local/stack.sh env      print the environment to use the stack
#
# Ports: PRESSLINE_KAFKA_PORT (19092), PRESSLINE_KAFKA_CONTROLLER_PORT (19093), PRESSLINE_S3_PORT (19000).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

KAFKA_VERSION=4.1.2
VERSITYGW_VERSION=v1.7.0
S3PROXY_VERSION=2.6.0
STACK_DIR="${PRESSLINE_STACK_DIR:-$PRESSLINE_ROOT/.stack}"
KAFKA_PORT="${PRESSLINE_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${PRESSLINE_KAFKA_CONTROLLER_PORT:-19093}"
S3_PORT="${PRESSLINE_S3_PORT:-19000}"
S3_ACCESS_KEY="${PRESSLINE_S3_ACCESS_KEY:-pressline}"
S3_SECRET_KEY="${PRESSLINE_S3_SECRET_KEY:-pressline-local-secret}"
S3_BUCKET="${PRESSLINE_S3_BUCKET:-pressline}"
READY_TIMEOUT="${PRESSLINE_STACK_READY_TIMEOUT:-120}"
HERE="$PRESSLINE_ROOT/deploy/local"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }
is_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
now_ms() { date +%s%3N; }

wait_for() { # name, seconds, command...
  local name="$1" timeout="$2"; shift 2
  local start; start=$(date +%s)
  until "$@"; do
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then return 1; fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------- Kafka
kafka_libs() {
  local libs="$PRESSLINE_TOOLS/kafka-$KAFKA_VERSION/libs"
  if [ ! -f "$libs/.complete" ]; then
    command -v mvn >/dev/null || die "maven missing: run scripts/bootstrap.sh"
    log "fetching Kafka $KAFKA_VERSION jars from Maven Central"
    rm -rf "$libs"; mkdir -p "$libs"
    mvn -B -q -Dstyle.color=never -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs" >&2
    touch "$libs/.complete"
  fi
  echo "$libs"
}

kafka_ready() { grep -q "Kafka Server started" "$STACK_DIR/kafka/kafka.log" 2>/dev/null && port_open "$KAFKA_PORT"; }

kafka_up() {
  local dir="$STACK_DIR/kafka" pidf="$STACK_DIR/kafka/kafka.pid"
  if is_running "$pidf"; then log "kafka already running (pid $(cat "$pidf"))"; return; fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process: set PRESSLINE_KAFKA_PORT"
  local libs; libs="$(kafka_libs)"
  mkdir -p "$dir/data"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$dir/data|g" \
    "$HERE/kafka/server.properties.template" > "$dir/server.properties"
  local jopts=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$HERE/kafka/log4j2.xml")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id; cluster_id="$(java "${jopts[@]}" -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    java "${jopts[@]}" -cp "$libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
      --ignore-formatted > "$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "kafka storage format failed"; }
  fi
  : > "$dir/kafka.log"
  local t0; t0=$(now_ms)
  nohup java "${jopts[@]}" -cp "$libs/*" kafka.Kafka "$dir/server.properties" >> "$dir/kafka.log" 2>&1 < /dev/null &
  echo $! > "$pidf"
  if ! wait_for kafka "$READY_TIMEOUT" kafka_ready; then
    tail -30 "$dir/kafka.log" >&2; die "kafka not ready after ${READY_TIMEOUT}s (log: $dir/kafka.log)"
  fi
  log "kafka $KAFKA_VERSION ready on 127.0.0.1:$KAFKA_PORT in $(( $(now_ms) - t0 )) ms (log: $dir/kafka.log)"
}

# ---------------------------------------------------------------- S3
versitygw_bin() {
  local bin="$PRESSLINE_TOOLS/bin/versitygw-$VERSITYGW_VERSION"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || return 1
    log "building versitygw $VERSITYGW_VERSION with go install (first time only)"
    local gobin; gobin="$(mktemp -d)"
    GOBIN="$gobin" GOFLAGS=-buildvcs=false go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >&2 || return 1
    mkdir -p "$(dirname "$bin")"; mv "$gobin/versitygw" "$bin"; rm -rf "$gobin"
  fi
  echo "$bin"
}

s3proxy_jar() {
  local dir="$PRESSLINE_TOOLS/s3proxy-$S3PROXY_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    log "fetching S3Proxy $S3PROXY_VERSION from Maven Central (Go unavailable)"
    mkdir -p "$dir/libs"
    mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION" >&2
    mvn -B -q -Dstyle.color=never -f "$HERE/s3proxy-pom.xml" -Ds3proxy.version="$S3PROXY_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$dir/libs" >&2
    touch "$dir/.complete"
  fi
  echo "$dir/libs"
}

# versitygw keeps object metadata (ETag, checksums) in extended attributes, set on the new file
# before it is renamed into place: readers never see new bytes with old checksums. Only where the
# filesystem has no user xattrs does it fall back to a sidecar folder (not atomic with the data).
xattrs_supported() {
  local probe="$1/.xattr-probe"
  : > "$probe"
  local ok=1
  if command -v python3 >/dev/null 2>&1; then
    python3 -c "import os,sys; os.setxattr(sys.argv[1], 'user.pressline', b'1')" "$probe" 2>/dev/null && ok=0
  elif command -v setfattr >/dev/null 2>&1; then
    setfattr -n user.pressline -v 1 "$probe" 2>/dev/null && ok=0
  fi
  rm -f "$probe"
  return $ok
}

s3_ready() { curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/health" 2>/dev/null || port_open "$S3_PORT"; }

s3_up() {
  local dir="$STACK_DIR/s3" pidf="$STACK_DIR/s3/s3.pid"
  if is_running "$pidf"; then log "s3 server already running (pid $(cat "$pidf"))"; return; fi
  port_open "$S3_PORT" && die "port $S3_PORT is taken by another process: set PRESSLINE_S3_PORT"
  mkdir -p "$dir/data" "$dir/meta"
  : > "$dir/s3.log"
  local t0 bin; t0=$(now_ms)
  if bin="$(versitygw_bin)"; then
    echo versitygw > "$dir/kind"
    local meta_opts=()
    if ! xattrs_supported "$dir/data"; then meta_opts=(--sidecar "$dir/meta"); log "no user xattrs here: versitygw metadata in a sidecar folder"; fi
    ROOT_ACCESS_KEY="$S3_ACCESS_KEY" ROOT_SECRET_KEY="$S3_SECRET_KEY" nohup "$bin" --port "127.0.0.1:$S3_PORT" \
      --health /health posix "${meta_opts[@]}" "$dir/data" >> "$dir/s3.log" 2>&1 < /dev/null &
  else
    echo s3proxy > "$dir/kind"
    local libs; libs="$(s3proxy_jar)"
    cat > "$dir/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$dir/data
CONF
    nohup java -Xmx256m -cp "$libs/*" org.gaul.s3proxy.Main --properties "$dir/s3proxy.conf" >> "$dir/s3.log" 2>&1 < /dev/null &
  fi
  echo $! > "$pidf"
  if ! wait_for s3 "$READY_TIMEOUT" s3_ready; then
    tail -30 "$dir/s3.log" >&2; die "s3 server not ready after ${READY_TIMEOUT}s (log: $dir/s3.log)"
  fi
  log "s3 server ($(cat "$dir/kind")) ready on http://127.0.0.1:$S3_PORT in $(( $(now_ms) - t0 )) ms (log: $dir/s3.log)"
}

# ---------------------------------------------------------------- commands
write_env() {
  cat > "$STACK_DIR/env" <<ENV
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export S3_BUCKET=$S3_BUCKET
export S3_REGION=us-east-1
export S3_FORCE_PATH_STYLE=true
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
ENV
}

stop_pid() { # name pidfile
  local name="$1" pidf="$2"
  if is_running "$pidf"; then
    local pid; pid="$(cat "$pidf")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; log "$name killed"; else log "$name stopped"; fi
  fi
  rm -f "$pidf"
}

case "${1:-}" in
  up)
    mkdir -p "$STACK_DIR"
    s3_up
    kafka_up
    write_env
    log "stack ready: source $STACK_DIR/env"
    ;;
  down)
    stop_pid kafka "$STACK_DIR/kafka/kafka.pid"
    stop_pid "s3 server" "$STACK_DIR/s3/s3.pid"
    if [ "${2:-}" = "--purge" ]; then rm -rf "$STACK_DIR"; log "data removed"; fi
    ;;
  status)
    is_running "$STACK_DIR/kafka/kafka.pid" && echo "kafka: running (pid $(cat "$STACK_DIR/kafka/kafka.pid"), 127.0.0.1:$KAFKA_PORT)" || echo "kafka: stopped"
    is_running "$STACK_DIR/s3/s3.pid" && echo "s3: running (pid $(cat "$STACK_DIR/s3/s3.pid"), http://127.0.0.1:$S3_PORT)" || echo "s3: stopped"
    ;;
  env)
    [ -f "$STACK_DIR/env" ] && cat "$STACK_DIR/env" || die "stack not started: deploy/local/stack.sh up"
    ;;
  *)
    echo "usage: $0 up | down [--purge] | status | env" >&2; exit 2 ;;
esac
