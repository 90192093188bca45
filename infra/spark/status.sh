#!/usr/bin/env bash
# One line per service of the cluster infra/spark/start.sh started for ${HAVEN_HOME:-var}:
# name, address, up or down, tab-separated (the master's web UI on a line of its own).
# Exit status 0 when every service is up, 3 when one is down or none was ever started.
set -euo pipefail
HOME_DIR=$(realpath -m "${HAVEN_HOME:-var}")
cd "$(dirname "$0")/../.."
DIR=$HOME_DIR/stack/spark
# shellcheck source=infra/spark/common.sh
source infra/spark/common.sh

[ -s "$DIR/master.address" ] || { printf 'spark-master\t-\tdown\n'; exit 3; }
status=0
for name in $(services "$DIR"); do
  if running_pid "$DIR" "$name" >/dev/null; then state=up; else state=down; status=3; fi
  printf 'spark-%s\t%s\t%s\n' "$name" "$(cat "$DIR/$name.address" 2>/dev/null || echo -)" "$state"
  if [ "$name" = master ]; then
    printf 'spark-master-ui\t%s\t%s\n' "$(cat "$DIR/master-ui.address" 2>/dev/null || echo -)" "$state"
  fi
done
exit $status
