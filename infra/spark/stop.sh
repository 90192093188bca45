#!/usr/bin/env bash
# Stop the cluster infra/spark/start.sh started for ${HAVEN_HOME:-var}: workers first (each
# stops its executors), then the master. Its state and logs stay in ${HAVEN_HOME:-var}/stack/spark.
set -euo pipefail
HOME_DIR=$(realpath -m "${HAVEN_HOME:-var}")
cd "$(dirname "$0")/../.."
DIR=$HOME_DIR/stack/spark
# shellcheck source=infra/spark/common.sh
source infra/spark/common.sh

stop() {
  local pid
  pid=$(running_pid "$DIR" "$1") || { rm -f "$DIR/$1.pid"; return 0; }
  echo "spark: stopping $1 (pid $pid)" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "spark: $1 did not stop within 10 s; killing it" >&2
    # Its executors are its children: they go with it.
    for child in $(pgrep -P "$pid" || true); do kill -KILL "$child" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/$1.pid"
}

for name in $(services "$DIR" | grep -v '^master$' || true); do stop "$name"; done
stop master
