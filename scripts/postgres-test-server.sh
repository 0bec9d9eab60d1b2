#!/usr/bin/env bash
# A private, throw-away PostgreSQL server for the tests and the benchmarks: never the machine's own cluster.
#
# Usage:
#   scripts/postgres-test-server.sh start FOLDER [--durable]
#       Installs Debian's postgresql when no initdb is found (apt-get; root or sudo), creates a cluster in FOLDER
#       (an empty or missing folder; owned by the postgres user when run as root, because PostgreSQL refuses to run
#       as root), starts it on a free loopback port with trust authentication, creates the database
#       pushlistener_test, and prints its connection string (also written to FOLDER/connection-string).
#       Without --durable the server skips fsync: the tests kill listeners, never the database, so nothing is
#       lost, and the suite runs faster. The benchmarks pass --durable.
#   scripts/postgres-test-server.sh database FOLDER NAME
#       Creates another (empty) database NAME on the running server and prints its connection string.
#   scripts/postgres-test-server.sh stop FOLDER
#       Stops the server (fast shutdown) and deletes FOLDER.
#
# ./test.sh runs `start` before the tests, exports the string as PUSHLISTENER_TEST_POSTGRES, and runs `stop` on exit.
set -euo pipefail

usage() { sed -n '2,17p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 folder=$(realpath -m "$2")
shift 2
durable=0 name=
for arg in "$@"; do
  case "$arg" in
    --durable) durable=1 ;;
    -*) usage ;;
    *) [ "$command" = database ] && [ -z "$name" ] && [[ "$arg" =~ ^[a-z_][a-z0-9_]*$ ]] || usage; name=$arg ;;
  esac
done

log() { printf '[postgres-test-server] %s\n' "$*" >&2; }

# As root, every server command runs as the postgres user; as anyone else, as that user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

find_bin() {
  local dir
  # Newest installed major version first.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

install_postgres() {
  log "PostgreSQL is not installed: installing Debian's postgresql (apt-get)"
  local sudo=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { log "not root and no sudo: install the postgresql package yourself"; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  # The package's own cluster is not used (and may not start without an init system): only its binaries are.
  $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
}

port_is_free() {
  # Nothing answers a TCP connection on 127.0.0.1:$1.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local bin
  bin=$(find_bin) || { install_postgres; bin=$(find_bin) || { log "initdb not found after installing postgresql"; exit 1; }; }

  mkdir -p "$folder"
  if [ -e "$folder/data" ]; then
    log "$folder already holds a cluster; stop it first"
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { log "the postgres user is missing (it comes with the postgresql package)"; exit 1; }
    chown postgres: "$folder"
    chmod 700 "$folder"
    runuser -u postgres -- test -x "$folder" \
      || { log "the postgres user cannot reach $folder (a parent folder is private): use a folder such as one made by mktemp -d"; exit 1; }
  fi

  as_owner "$bin/initdb" -D "$folder/data" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync >"$folder/initdb.log" 2>&1 \
    || { cat "$folder/initdb.log" >&2; exit 1; }

  local sync_settings=""
  if [ "$durable" = 0 ]; then
    sync_settings="fsync = off
synchronous_commit = off
full_page_writes = off"
  fi
  as_owner tee -a "$folder/data/postgresql.conf" >/dev/null <<EOF

# scripts/postgres-test-server.sh: a private server for tests, loopback only.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$folder'
max_connections = 400
shared_buffers = 128MB
logging_collector = off
$sync_settings
EOF

  # A free port can be taken between the check and the bind: try a few.
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM % 12000) )) # below the ephemeral range (32768-), which client connections take
    port_is_free "$port" || continue
    if as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
      echo "$port" | as_owner tee "$folder/port" >/dev/null
      break
    fi
    port=
  done
  if [ -z "${port:-}" ]; then
    log "the server did not start; its log:"
    cat "$folder/server.log" >&2 || true
    exit 1
  fi

  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres pushlistener_test
  local connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=pushlistener_test"
  echo "$connection" | as_owner tee "$folder/connection-string" >/dev/null
  log "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') running on 127.0.0.1:$port (cluster in $folder)"
  echo "$connection"
}

database() {
  [ -n "$name" ] || usage
  local bin port
  bin=$(find_bin) || { log "createdb not found"; exit 1; }
  port=$(cat "$folder/port")
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=$name"
}

stop() {
  if [ -d "$folder/data" ]; then
    local bin
    bin=$(find_bin) || { log "pg_ctl not found"; exit 1; }
    as_owner "$bin/pg_ctl" -D "$folder/data" -m fast -w -t 60 stop >/dev/null 2>&1 || log "the server was not running"
  fi
  rm -rf "$folder"
}

case "$command" in
  start) start ;;
  database) database ;;
  stop) stop ;;
  *) usage ;;
esac
