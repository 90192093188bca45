#!/usr/bin/env bash
# Stop the PostgreSQL that start.sh started with the same HAVEN_PG_DIR (its data stay).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${HAVEN_PG_DIR:-$PWD/.cache/postgres}
[ -s "$DIR/data/PG_VERSION" ] || DIR=${TMPDIR:-/tmp}/haven-postgres-$(printf %s "${HAVEN_PG_DIR:-$PWD}" | cksum | cut -d' ' -f1)
BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] && [ -s "$DIR/data/PG_VERSION" ] || exit 0
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); else RUN=(); fi
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1 || exit 0
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
