#!/usr/bin/env bash
# Start a Spark standalone cluster on this machine, loopback only: one master and two workers
# (HAVEN_SPARK_WORKERS), each worker limited to HAVEN_SPARK_WORKER_CORES cores and
# HAVEN_SPARK_WORKER_MEMORY memory, all from the virtual environment's own pyspark
# (`spark-class`), so the cluster runs the very Spark version the driver does. Prints the
# master URL as the last line of stdout (everything else goes to stderr):
#
#   export HAVEN_SPARK_MASTER="$(bash infra/spark/start.sh)"
#
# Idempotent: services already running are left alone (a missing one is started). State,
# logs, pid files and the workers' scratch (shuffle files, executors' folders) live in
# ${HAVEN_HOME:-var}/stack/spark, owner-only. Ports (override for tests):
# HAVEN_SPARK_MASTER_PORT (7077), HAVEN_SPARK_MASTER_WEBUI_PORT (7080) and
# HAVEN_SPARK_WORKER_WEBUI_PORT (7081; worker n listens on that port + n - 1).
# infra/spark/README.md describes the cluster shape and what a remote cluster needs.
set -euo pipefail
umask 077
HOME_DIR=$(realpath -m "${HAVEN_HOME:-var}")
cd "$(dirname "$0")/../.."
ROOT=$PWD
DIR=$HOME_DIR/stack/spark
HOST=127.0.0.1
MASTER_PORT=${HAVEN_SPARK_MASTER_PORT:-7077}
MASTER_WEBUI_PORT=${HAVEN_SPARK_MASTER_WEBUI_PORT:-7080}
WORKER_WEBUI_PORT=${HAVEN_SPARK_WORKER_WEBUI_PORT:-7081}
WORKERS=${HAVEN_SPARK_WORKERS:-2}
CORES=${HAVEN_SPARK_WORKER_CORES:-1}
MEMORY=${HAVEN_SPARK_WORKER_MEMORY:-2g}
MASTER_URL=spark://$HOST:$MASTER_PORT

say() { echo "spark: $*" >&2; }
# shellcheck source=infra/spark/common.sh
source "$ROOT/infra/spark/common.sh"

SPARK_CLASS=$(spark_class "$ROOT") || { say "pyspark not found in .venv: run \`make venv\`"; exit 1; }
command -v java >/dev/null || [ -n "${JAVA_HOME:-}" ] || { say "java not found: run \`make java\`"; exit 1; }
mkdir -p "$DIR"
chmod 700 "$HOME_DIR/stack" "$DIR" 2>/dev/null || true

# Loopback only: SPARK_LOCAL_IP is the address the daemons, their web UIs and the executors
# they launch bind to. The daemons log errors only (engines may quote values at INFO).
export SPARK_LOCAL_IP=$HOST
export SPARK_DAEMON_MEMORY=${HAVEN_SPARK_DAEMON_MEMORY:-512m}
export SPARK_DAEMON_JAVA_OPTS="-Dlog4j2.configurationFile=file:$ROOT/infra/spark/log4j2.properties"
export SPARK_CONF_DIR=$DIR/conf
mkdir -p "$SPARK_CONF_DIR"
# Finished applications' folders (their copy of Haven's code, executors' logs) go after a day.
export SPARK_WORKER_OPTS="-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.appDataTtl=86400"
# No REST submission server (it takes jobs without authentication); Haven connects as a client.
export SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false"

# start NAME CLASS ARGS...: launch one daemon in its own session, unless it runs already.
start() {
  local name=$1; shift
  local pid
  if pid=$(running_pid "$DIR" "$name"); then
    say "$name already running (pid $pid)"
    return 0
  fi
  say "starting $name"
  # setsid: the daemon outlives this script and the terminal's or test's process group.
  setsid "$SPARK_CLASS" "$@" >"$DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$name.pid"
}

# wait_port PORT SECONDS NAME: until something accepts connections on HOST:PORT.
wait_port() {
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; do
    if ! running_pid "$DIR" "$3" >/dev/null; then
      say "$3 exited; its log: $DIR/$3.log"; tail -n 20 "$DIR/$3.log" >&2; exit 1
    fi
    [ $SECONDS -lt "$deadline" ] || { say "$3 not listening on $HOST:$1 after $2 s; log: $DIR/$3.log"; exit 1; }
    sleep 0.2
  done
}

start master org.apache.spark.deploy.master.Master \
  --host "$HOST" --port "$MASTER_PORT" --webui-port "$MASTER_WEBUI_PORT"
echo "$MASTER_URL" > "$DIR/master.address"
echo "http://$HOST:$MASTER_WEBUI_PORT" > "$DIR/master-ui.address"
wait_port "$MASTER_PORT" 60 master

for n in $(seq 1 "$WORKERS"); do
  name=worker-$n
  mkdir -p "$DIR/$name/work" "$DIR/$name/local"
  # Each worker's scratch (shuffle and spill files hold row values) stays in HAVEN_HOME.
  SPARK_LOCAL_DIRS=$DIR/$name/local start "$name" org.apache.spark.deploy.worker.Worker \
    --host "$HOST" --cores "$CORES" --memory "$MEMORY" \
    --webui-port $((WORKER_WEBUI_PORT + n - 1)) --work-dir "$DIR/$name/work" "$MASTER_URL"
  echo "http://$HOST:$((WORKER_WEBUI_PORT + n - 1))" > "$DIR/$name.address"
done
# Stale pid and address files of workers a larger cluster left behind.
for stale in "$DIR"/worker-*.pid; do
  [ -e "$stale" ] || continue
  n=${stale##*/worker-}; n=${n%.pid}
  if [ "$n" -gt "$WORKERS" ] && ! running_pid "$DIR" "worker-$n" >/dev/null; then
    rm -f "$stale" "$DIR/worker-$n.address"
  fi
done

# Ready when every worker has registered with the master (its JSON status page says so).
deadline=$((SECONDS + 90))
while true; do
  alive=$(curl -fsS "http://$HOST:$MASTER_WEBUI_PORT/json/" 2>/dev/null \
    | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || true)
  [ "${alive:-0}" -ge "$WORKERS" ] && break
  for n in $(seq 1 "$WORKERS"); do
    running_pid "$DIR" "worker-$n" >/dev/null || {
      say "worker-$n exited; its log: $DIR/worker-$n.log"; tail -n 20 "$DIR/worker-$n.log" >&2; exit 1
    }
  done
  [ $SECONDS -lt $deadline ] || { say "only ${alive:-0} of $WORKERS workers registered after 90 s"; exit 1; }
  sleep 0.3
done
say "master $MASTER_URL (web UI http://$HOST:$MASTER_WEBUI_PORT), $WORKERS workers of $CORES cores and $MEMORY"
echo "$MASTER_URL"
