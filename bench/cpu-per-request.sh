#!/usr/bin/env bash
# CPU time per request of the listener (durable inbox, default handlers, Warning logging): the process's user+sys time
# from /proc/<pid>/stat over a 64-connection wrk run of distinct pushes (bench/wrk/push.lua), divided by the requests
# answered. Unlike req/s, it barely moves when other work loads the machine, so two builds can be compared on a busy
# one. Also prints the shares of the inbox writer thread, of the thread-pool workers (requests and dispatch; a worker
# that exits during the run takes its ticks with it) and of the tiered JIT (should be 0 after the warm-up), and the
# bytes the process wrote to the disk per request (/proc/<pid>/io write_bytes: SQLite's WAL frames and checkpoint copies;
# divided by 4,096, about twice the pages a request dirties, once into the WAL and once back into the database).
#
# Usage: bench/cpu-per-request.sh [--runs N] [--duration S] [--warmup S] [--postgres [--statements]] [-- listener settings...]
#   e.g. bench/cpu-per-request.sh --runs 3 -- --PushListener:Inbox:Enabled=false
#   --postgres     the listener on a private PostgreSQL (scripts/postgres-test-server.sh start --durable, a fresh
#                  database per run) on the same machine: CPU per request is then the listener's plus every PostgreSQL
#                  process's (the server's own ticks, its children's, and the reaped children's), shown apart, with the
#                  database's transactions per request (pg_stat_database)
#   --statements   with --postgres: load pg_stat_statements and print statements per request, the busiest first
#                  (costs the server a little CPU: compare builds with the same flags)
# Environment: LISTENER_DLL=path uses that build instead of building this tree (to compare two builds, run alternately).
#   PERF_DATA=prefix records the listener with perf during each measured run (prefix-RUN.data, managed frames through
#   DOTNET_PerfMapEnabled; read with: perf report -i prefix-1.data --no-children --sort comm,dso,sym -g none --stdio).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
RUNS=2 DURATION=10 WARMUP=12 POSTGRES=0 STATEMENTS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) POSTGRES=1 ;;
    --statements) STATEMENTS=1 ;;
    --runs) RUNS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "wrk is required (Debian: apt-get install wrk)" >&2; exit 1; }

if [ -z "${LISTENER_DLL:-}" ]; then
  dotnet build src/PushListener -c Release --artifacts-path "$ROOT/bench/.artifacts" -nologo -v quiet -warnaserror >/dev/null
  LISTENER_DLL=$ROOT/bench/.artifacts/bin/PushListener/release/PushListener.dll
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pushlistener-cpu.XXXXXX")
PID= PG_FOLDER=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true
  if [ -n "$PG_FOLDER" ]; then scripts/postgres-test-server.sh stop "$PG_FOLDER" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# An interrupted or terminated run, or one whose output pipe closed (| head), exits through cleanup too, so no
# listener or private PostgreSQL is left running.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE
TICKS=$(getconf CLK_TCK)
process_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
disk_writes() { awk '$1 == "write_bytes:" {print $2}' "/proc/$PID/io"; }

DB_SETTINGS=()
if [ "$POSTGRES" = 1 ]; then
  # Outside the work folder: the postgres user must reach it.
  PG_FOLDER=$(mktemp -d "${TMPDIR:-/tmp}/pushlistener-cpu-pg.XXXXXX")
  scripts/postgres-test-server.sh start "$PG_FOLDER" --durable >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r | head -1)
  as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if [ "$STATEMENTS" = 1 ]; then
    echo "shared_preload_libraries = 'pg_stat_statements'" | as_postgres tee -a "$PG_FOLDER/data/postgresql.conf" >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_FOLDER/data" -w -t 60 restart >/dev/null
  fi
  PG_PORT=$(cat "$PG_FOLDER/port")
  psql_at() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -c "$2"; }
  # Every PostgreSQL process: the server's own user+sys and its reaped children's (cutime+cstime), plus its live
  # children's (backends, WAL writer, checkpointer): a backend that exits moves from the second sum to the first.
  postgres_ticks() {
    local server sum=0 child
    server=$(head -1 "$PG_FOLDER/data/postmaster.pid")
    sum=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$server/stat")
    for child in $(cat "/proc/$server/task/$server/children"); do
      sum=$((sum + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
    echo "$sum"
  }
fi
# thread_ticks NAME: user+sys ticks of the process's threads whose name contains NAME. The fields are counted after
# the name's closing parenthesis: names hold spaces ("PushListener in", ".NET TP Worker"), which shift awk's fields.
thread_ticks() {
  local sum=0 t ticks
  for t in /proc/"$PID"/task/*; do
    if grep -q "$1" "$t/comm" 2>/dev/null; then
      ticks=$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || ticks=0 # the thread just ended
      sum=$((sum + ${ticks:-0}))
    fi
  done
  echo "$sum"
}

for run in $(seq 1 "$RUNS"); do
  if [ "$POSTGRES" = 1 ]; then
    database="cpu_run_$run"
    DB_SETTINGS=(--PushListener:Storage:Provider=PostgreSql "--ConnectionStrings:PushListener=$(scripts/postgres-test-server.sh database "$PG_FOLDER" "$database")")
    [ "$STATEMENTS" = 1 ] && psql_at "$database" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  fi
  port=$(( 20000 + RANDOM % 12000 )) # below the ephemeral range (32768-): no client connection holds it
  perf_env=()
  [ -n "${PERF_DATA:-}" ] && perf_env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
  (cd "$(dirname "$LISTENER_DLL")" && DOTNET_ENVIRONMENT=Production exec env "${perf_env[@]}" dotnet "$LISTENER_DLL" \
     "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$port" --Serilog:MinimumLevel:Default=Warning \
     --Serilog:MinimumLevel:Override:Microsoft.AspNetCore.HttpLogging=Warning \
     --Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning \
     --PushListener:Senders:RateLimit:PermitsPerSecond=0 "--PushListener:Inbox:DataFolder=$WORK/data-$run" "${DB_SETTINGS[@]}" "$@" \
     >"$WORK/listener-$run.log" 2>&1) &
  PID=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  url=http://127.0.0.1:$port/ews/notifications
  # Warm-up long enough for tiered compilation to finish: JIT time would count as request time.
  BENCH_RUN=$((run * 10 + 1)) wrk -t2 -c64 -d"${WARMUP}s" -s bench/wrk/push.lua "$url" >/dev/null 2>&1
  sleep 1
  if [ "$POSTGRES" = 1 ]; then
    [ "$STATEMENTS" = 1 ] && psql_at "$database" "SELECT pg_stat_statements_reset()" >/dev/null
    x0=$(psql_at "$database" "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
    p0=$(postgres_ticks)
  fi
  c0=$(process_ticks) w0=$(thread_ticks "PushListener in") j0=$(thread_ticks Tiered) tp0=$(thread_ticks "TP Worker") d0=$(disk_writes)
  PERF_PID=
  if [ -n "${PERF_DATA:-}" ]; then
    perf record -e cpu-clock -F 499 -g -p "$PID" -o "$PERF_DATA-$run.data" -- sleep "$DURATION" >/dev/null 2>&1 &
    PERF_PID=$!
  elif [ -n "${PERF_SYSCALLS:-}" ]; then
    perf stat -e syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,context-switches \
      -p "$PID" -o "$PERF_SYSCALLS-$run.txt" -- sleep "$DURATION" >/dev/null 2>&1 &
    PERF_PID=$!
  fi
  BENCH_RUN=$((run * 10 + 2)) wrk -t2 -c64 -d"${DURATION}s" --timeout 10s --latency -s bench/wrk/push.lua "$url" >"$WORK/wrk-$run.txt" 2>&1
  sleep 1.5 # the dispatcher finishes the backlog: its work belongs to these requests
  [ -n "$PERF_PID" ] && wait "$PERF_PID" 2>/dev/null
  c1=$(process_ticks) w1=$(thread_ticks "PushListener in") j1=$(thread_ticks Tiered) tp1=$(thread_ticks "TP Worker") d1=$(disk_writes)
  if [ "$POSTGRES" = 1 ]; then
    p1=$(postgres_ticks)
    # Statistics reach pg_stat_database within about a second (PostgreSQL 15 flushes them when a backend goes idle).
    sleep 1
    x1=$(psql_at "$database" "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
    if [ "$STATEMENTS" = 1 ]; then
      psql_at "$database" "SELECT calls, round(total_exec_time)::bigint, wal_records, left(regexp_replace(query, '\s+', ' ', 'g'), 100) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 25" >"$WORK/statements-$run.txt"
      psql_at "$database" "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd > 0 ORDER BY relname" >"$WORK/tables-$run.txt"
      psql_at "$database" "SELECT sum(calls) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())" >"$WORK/statement-total-$run.txt"
    fi
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  requests=$(sed -n 's/^bench: requests=\([0-9]*\).*/\1/p' "$WORK/wrk-$run.txt")
  errors=$(sed -n 's/^bench: .*non2xx_or_errors=\([0-9]*\).*/\1/p' "$WORK/wrk-$run.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk-$run.txt")
  awk -v run="$run" -v r="$requests" -v e="$errors" -v c=$((c1 - c0)) -v w=$((w1 - w0)) -v j=$((j1 - j0)) -v tp=$((tp1 - tp0)) -v t="$TICKS" \
      -v p99="$p99" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v d=$((d1 - d0)) \
    'BEGIN { printf "run %d: %d requests (%s errors), CPU per request %.1f us (inbox writer %.1f us, thread-pool workers %.1f us, JIT %.1f us), disk writes %.1f KB per request, p99 %s, load %s\n",
             run, r, e, c / t / r * 1e6, w / t / r * 1e6, tp / t / r * 1e6, j / t / r * 1e6, d / r / 1024, p99, load }'
  if [ "$POSTGRES" = 1 ]; then
    awk -v r="$requests" -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v x=$((x1 - x0)) -v t="$TICKS" \
      'BEGIN { printf "       listener + PostgreSQL %.1f us per request (PostgreSQL %.1f us), %.2f transactions per request\n",
               (c + p) / t / r * 1e6, p / t / r * 1e6, x / r }'
    if [ "$STATEMENTS" = 1 ]; then
      awk -v r="$requests" -v s="$(cat "$WORK/statement-total-$run.txt")" 'BEGIN { printf "       %.2f statements per request; the busiest (calls, execution ms, WAL records, statement):\n", s / r }'
      sed 's/^/         /' "$WORK/statements-$run.txt"
      echo "       tables since the database was created (relation, inserted, updated, updated in place):"
      sed 's/^/         /' "$WORK/tables-$run.txt"
    fi
  fi
done
