#!/usr/bin/env bash
# Install (Debian packages) and start a local PostgreSQL for the catalogue tests, then print
# its SQLAlchemy URL on stdout. Idempotent: a server already running is reused at once.
#
#   export HAVEN_TEST_POSTGRES_URL="$(bash infra/postgres/start.sh)"
#
# The server listens on 127.0.0.1 only, on a port derived from its data folder (the next
# free one when that is taken; override with HAVEN_PG_PORT), keeps its files in
# .cache/postgres (override with HAVEN_PG_DIR, as `haven stack up` does; a folder the postgres
# user cannot reach falls back to one under /tmp), creates the database haven_test (override
# with HAVEN_PG_DB), runs as the `postgres` user when started by root, and trades durability
# for speed (fsync off): it is a test server, never a place for real data. Its generated password is in
# an owner-only file.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${HAVEN_PG_DIR:-$PWD/.cache/postgres}
URL_FILE=$PWD/.cache/postgres/url  # where the tests look when HAVEN_TEST_POSTGRES_URL is unset
DB=${HAVEN_PG_DB:-haven_test}
ROLE=haven

say() { echo "postgres: $*" >&2; }
pg_bin() { find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1; }

BIN=$(pg_bin)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "not installed, and installing needs root and apt-get (Debian): install the postgresql package"
    exit 1
  fi
  say "installing the postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql >&2; then
    apt-get update -q >&2
    apt-get install -y -q postgresql >&2
  fi
  BIN=$(pg_bin)
fi

# Root starts the server as `postgres`, which needs its own folder it can reach.
if [ "$(id -u)" = 0 ]; then
  RUN=(runuser -u postgres --)
  OWNER=postgres
else
  RUN=()
  OWNER=$(id -un)
fi
prepare() { mkdir -p "$1" && chmod 700 "$1" && chown "$OWNER" "$1" && "${RUN[@]}" test -w "$1"; }
if ! prepare "$DIR"; then
  # A checkout in a private folder (such as /root) is out of reach of the postgres user.
  DIR=${TMPDIR:-/tmp}/haven-postgres-$(printf %s "${HAVEN_PG_DIR:-$PWD}" | cksum | cut -d' ' -f1)
  say "user $OWNER cannot reach the checkout; using $DIR"
  prepare "$DIR" || { say "user $OWNER cannot write $DIR either"; exit 1; }
fi
PORT=${HAVEN_PG_PORT:-$((54000 + $(printf %s "$DIR" | cksum | cut -d' ' -f1) % 1000))}

if [ ! -s "$DIR/data/PG_VERSION" ]; then
  say "creating a cluster in $DIR/data"
  (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/password")
  chown "$OWNER" "$DIR/password"
  "${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U "$ROLE" --pwfile="$DIR/password" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
fi
PASSWORD=$(cat "$DIR/password")

if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  # The derived port can be taken (another checkout's server, or one whose folder was just
  # deleted and has not noticed yet): take the next free one unless HAVEN_PG_PORT was given.
  if [ -z "${HAVEN_PG_PORT:-}" ]; then
    while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
  fi
  say "starting on 127.0.0.1:$PORT"
  mkdir -p "$DIR/run"
  chown "$OWNER" "$DIR/run"
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2
fi

# The port the server runs on, whichever run of this script started it.
PORT=$("${RUN[@]}" sed -n 4p "$DIR/data/postmaster.pid")
BASE="postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT"
if [ "$(psql "$BASE/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  psql "$BASE/postgres" -q -c "CREATE DATABASE $DB" >&2
fi
URL="postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
if [ -z "${HAVEN_PG_DIR:-}" ]; then  # only the tests' server
  mkdir -p "$(dirname "$URL_FILE")"
  (umask 077; printf '%s\n' "$URL" > "$URL_FILE")
fi
echo "$URL"
