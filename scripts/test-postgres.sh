#!/usr/bin/env bash
# Starts (or stops) the PostgreSQL server the tests use: Debian's postgresql package, a cluster of
# its own under .build-postgres/ (or /tmp when the postgres user cannot reach the checkout), on
# loopback port 54329, trusting local connections. Prints the database URL on standard output.
#   scripts/test-postgres.sh start   → postgres://postgres@127.0.0.1:54329/dragoman_test
#   scripts/test-postgres.sh stop
# PostgreSQL refuses to run as root; as root, the server runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."

port=54329
database=dragoman_test
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "PostgreSQL is not installed: scripts/install-dependencies.sh --for-tests" >&2; exit 1; }

as_owner=()
# From /, as the postgres user may not be allowed into the current folder.
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres -- env --chdir=/); fi

directory=$PWD/.build-postgres
mkdir -p "$directory"
if [ ${#as_owner[@]} -gt 0 ]; then
  chown postgres "$directory"
  if ! "${as_owner[@]}" test -w "$directory"; then directory=/tmp/dragoman-test-postgres; fi
  mkdir -p "$directory" && chown postgres "$directory"
fi
data=$directory/data
log=$directory/server.log

case "${1:-start}" in
  start)
    if [ ! -f "$data/PG_VERSION" ]; then
      "${as_owner[@]}" "$bin/initdb" --pgdata "$data" --username postgres --auth trust --encoding UTF8 --no-instructions >"$directory/initdb.log" 2>&1 \
        || { cat "$directory/initdb.log" >&2; exit 1; }
    fi
    if ! "${as_owner[@]}" "$bin/pg_ctl" --pgdata "$data" status >/dev/null 2>&1; then
      "${as_owner[@]}" "$bin/pg_ctl" --pgdata "$data" --log "$log" --wait --timeout 60 \
        --options "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$directory -c max_connections=200 -c fsync=off" start >/dev/null \
        || { cat "$log" >&2; exit 1; }
    fi
    psql="$bin/psql -h 127.0.0.1 -p $port -U postgres -d postgres -Atq"
    if [ -z "$($psql -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
      $psql -c "CREATE DATABASE $database" >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$port/$database"
    ;;
  stop)
    "${as_owner[@]}" "$bin/pg_ctl" --pgdata "$data" --mode fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2
    ;;
esac
