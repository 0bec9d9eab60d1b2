# PostgreSQL mode of bench/run.sh (sourced by it with --postgres; uses its helpers, build and settings).
# One listener instance and two listener instances on a private PostgreSQL cluster with durable settings (fsync and
# synchronous_commit on, as in production), next to the baseline app, all in this run; then the fixed rate on one instance.
# Two instances: one wrk per instance, half the connections each, started together (a load balancer spreading
# connections evenly); their req/s add up, the p99 is the worse of the two.

# Outside the work folder: the postgres user must reach it, and the work folder is private to this user.
PG_FOLDER=$(mktemp -d "${TMPDIR:-/tmp}/pushlistener-bench-pg.XXXXXX")
pass() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }
log "starting a private PostgreSQL (scripts/postgres-test-server.sh, durable settings)"
"$ROOT/scripts/postgres-test-server.sh" start "$PG_FOLDER" --durable >/dev/null
PG_VERSION=$(awk '{print $1}' "$PG_FOLDER/data/PG_VERSION")
pg_database() { "$ROOT/scripts/postgres-test-server.sh" database "$PG_FOLDER" "$1"; }

PG_SETTINGS=(
  "${LISTENER_SETTINGS[@]}"
  --PushListener:Storage:Provider=PostgreSql
)

# start_listener NAME DATABASE: a listener on the database; sets APP_PID and the URL in LAST_URL.
start_listener() {
  local port
  port=$(free_port)
  start_app "$1" "$LISTENER_DLL" "$port" "${PG_SETTINGS[@]}" "--ConnectionStrings:PushListener=$2" "--PushListener:Inbox:DataFolder=$WORK/$1-data"
  LAST_URL=http://127.0.0.1:$port/ews/notifications
}

# wrk_pair URL1 URL2 CONNECTIONS SECONDS PREFIX: one wrk per instance, half the connections each, at the same time.
wrk_pair() {
  local half=$(( $3 / 2 )) seq1 seq2 pid1
  RUN_SEQ=$((RUN_SEQ + 2)); seq1=$((RUN_SEQ - 1)); seq2=$RUN_SEQ
  BENCH_RUN=$seq1 wrk -t1 -c"$half" -d"$4"s --timeout 10s --latency -s "$ROOT/bench/wrk/push.lua" "$1" >"$5-1.txt" 2>&1 &
  pid1=$!
  BENCH_RUN=$seq2 wrk -t1 -c"$half" -d"$4"s --timeout 10s --latency -s "$ROOT/bench/wrk/push.lua" "$2" >"$5-2.txt" 2>&1 \
    || { cat "$5-2.txt" >&2; echo "wrk failed" >&2; exit 1; }
  wait "$pid1" || { cat "$5-1.txt" >&2; echo "wrk failed" >&2; exit 1; }
}

log "starting the baseline app"
BASELINE_PORT=$(free_port)
start_app baseline "$BASELINE_DLL" "$BASELINE_PORT"
BASELINE_PID=$APP_PID
BASELINE_URL=http://127.0.0.1:$BASELINE_PORT/ews/notifications

# --- one instance -------------------------------------------------------------------------------------------------------
log "one listener instance on PostgreSQL"
start_listener pg-one "$(pg_database bench_one)"
ONE_PID=$APP_PID ONE_URL=$LAST_URL
curl -sf -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$ROOT/tests/Fixtures/heartbeat.xml" "$ONE_URL" >"$WORK/reply-pg.xml"
curl -sf -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$ROOT/tests/Fixtures/heartbeat.xml" "$BASELINE_URL" >"$WORK/reply-baseline.xml"
cmp -s "$WORK/reply-pg.xml" "$WORK/reply-baseline.xml" || { echo "the baseline's reply differs from the listener's" >&2; exit 1; }

log "warm-up: ${WARMUP} s of wrk on each app (not measured)"
run_wrk "$ONE_URL" 64 "$WARMUP" "$WORK/warmup-pg-one.txt"
run_wrk "$BASELINE_URL" 64 "$WARMUP" "$WORK/warmup-baseline.txt"
log "wrk: one instance, 64 connections, ${DURATION} s"
run_wrk "$ONE_URL" 64 "$DURATION" "$WORK/wrk-pg-one.txt"
log "wrk: baseline, 64 connections, ${DURATION} s"
run_wrk "$BASELINE_URL" 64 "$DURATION" "$WORK/wrk-baseline.txt"
ONE_RPS=$(wrk_rps "$WORK/wrk-pg-one.txt") ONE_P50=$(wrk_pct "$WORK/wrk-pg-one.txt" 50) ONE_P99=$(wrk_pct "$WORK/wrk-pg-one.txt" 99) ONE_ERR=$(wrk_errors "$WORK/wrk-pg-one.txt")
BASE_RPS=$(wrk_rps "$WORK/wrk-baseline.txt") BASE_P50=$(wrk_pct "$WORK/wrk-baseline.txt" 50) BASE_P99=$(wrk_pct "$WORK/wrk-baseline.txt" 99) BASE_ERR=$(wrk_errors "$WORK/wrk-baseline.txt")
echo "  one instance $ONE_RPS req/s (p99 $ONE_P99 ms), baseline $BASE_RPS req/s (p99 $BASE_P99 ms)" >&2

log "fixed rate: one instance at $RATE req/s for ${RATE_DURATION} s (after ${RATE_WARMUP} s warm-up)"
RUN_SEQ=$((RUN_SEQ + 1))
dotnet "$RATELOAD_DLL" --url "$ONE_URL" --rate "$RATE" --duration "$RATE_DURATION" --warmup "$RATE_WARMUP" \
  --connections 256 --run "$RUN_SEQ" --tsv "$WORK/rate-pg.tsv" >&2
log "fixed rate: baseline at $RATE req/s"
RUN_SEQ=$((RUN_SEQ + 1))
dotnet "$RATELOAD_DLL" --url "$BASELINE_URL" --rate "$RATE" --duration "$RATE_DURATION" --warmup "$RATE_WARMUP" \
  --connections 256 --run "$RUN_SEQ" --tsv "$WORK/rate-baseline.tsv" >&2
ONE_RSS=$(hwm_kb "$ONE_PID")
stop_app "$ONE_PID"

# --- two instances ------------------------------------------------------------------------------------------------------
log "two listener instances on one PostgreSQL database"
TWO_DB=$(pg_database bench_two)
start_listener pg-two-a "$TWO_DB"
TWO_A_PID=$APP_PID TWO_A_URL=$LAST_URL
start_listener pg-two-b "$TWO_DB"
TWO_B_PID=$APP_PID TWO_B_URL=$LAST_URL
wrk_pair "$TWO_A_URL" "$TWO_B_URL" 64 "$WARMUP" "$WORK/warmup-pg-two"
log "wrk: two instances, 32 + 32 connections, ${DURATION} s"
wrk_pair "$TWO_A_URL" "$TWO_B_URL" 64 "$DURATION" "$WORK/wrk-pg-two"
TWO_RPS=$(( $(wrk_rps "$WORK/wrk-pg-two-1.txt") + $(wrk_rps "$WORK/wrk-pg-two-2.txt") ))
TWO_P99=$(calc '%.2f' "($(wrk_pct "$WORK/wrk-pg-two-1.txt" 99) > $(wrk_pct "$WORK/wrk-pg-two-2.txt" 99)) ? $(wrk_pct "$WORK/wrk-pg-two-1.txt" 99) : $(wrk_pct "$WORK/wrk-pg-two-2.txt" 99)")
TWO_P50=$(calc '%.2f' "($(wrk_pct "$WORK/wrk-pg-two-1.txt" 50) + $(wrk_pct "$WORK/wrk-pg-two-2.txt" 50)) / 2")
TWO_ERR=$(( $(wrk_errors "$WORK/wrk-pg-two-1.txt") + $(wrk_errors "$WORK/wrk-pg-two-2.txt") ))
echo "  two instances $TWO_RPS req/s (p99 $TWO_P99 ms)" >&2
stop_app "$TWO_A_PID"
stop_app "$TWO_B_PID"
stop_app "$BASELINE_PID"
PG_DB_MB=$(du -sm "$PG_FOLDER/data" | cut -f1)

# --- report ---------------------------------------------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL=$(( $(date +%s) - SCRIPT_START ))
{
  echo "# PushListener benchmark results: PostgreSQL"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh --postgres$([ $QUICK = 1 ] && echo ' --quick')\` in ${TOTAL} s."
  echo "Machine: $MACHINE; PostgreSQL $PG_VERSION on the same machine (private cluster, fsync and synchronous_commit on)."
  echo "Source: $SOURCE."
  echo "Load average (1, 5, 15 min) at start: $LOAD_START; at end: $LOAD_END. The database, the listeners, the baseline and wrk share the same cores."
  echo
  echo "## Throughput (wrk, ${DURATION} s per run, distinct 1.5 KB one-event pushes, Null handler, logging at Warning)"
  echo
  echo "| app | connections | req/s | / baseline | p50 | p99 | failed requests | peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  echo "| baseline (bench/Baseline) | 64 | $BASE_RPS | 1.000 | $BASE_P50 ms | $BASE_P99 ms | ${BASE_ERR:-?} | |"
  echo "| listener, one instance on PostgreSQL | 64 | $ONE_RPS | $(calc '%.3f' "$ONE_RPS / $BASE_RPS") | $ONE_P50 ms | $ONE_P99 ms | ${ONE_ERR:-?} | $(mb "$ONE_RSS") MB |"
  echo "| listener, two instances on one database | 32 + 32 | $TWO_RPS | $(calc '%.3f' "$TWO_RPS / $BASE_RPS") | $TWO_P50 ms (mean) | $TWO_P99 ms (worse) | $TWO_ERR | |"
  echo
  echo "## Fixed rate (bench/RateLoad, open loop, one instance)"
  echo
  echo "| app | rate | seconds | sent | OK | failed | p50 | p90 | p99 | p99.9 | max | generator send lag p99 |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for app in pg baseline; do
    read -r r d sn ok f _ p50 p90 p99 p999 max lag <"$WORK/rate-$app.tsv"
    echo "| $([ $app = pg ] && echo 'listener on PostgreSQL' || echo baseline) | $r/s | $d | $sn | $ok | $f | $p50 ms | $p90 ms | $p99 ms | $p999 ms | $max ms | $lag ms |"
  done
  echo
  echo "Database folder after the runs: $PG_DB_MB MB (three databases: one instance, fixed rate, two instances)."
  echo
  echo "## Targets"
  echo
  echo "| target | measured | result |"
  echo "|---|---|---|"
  ok=$(calc '%d' "$ONE_RPS >= 0.3 * $BASE_RPS")
  echo "| one instance on PostgreSQL >= 0.3 x baseline (64 connections) | $(calc '%.3f' "$ONE_RPS / $BASE_RPS") | $(pass "$ok") |"
} >"$WORK/latest-postgres.md"

mkdir -p "$ROOT/bench/results"
cp "$WORK/latest-postgres.md" "$ROOT/bench/results/latest-postgres.md"
echo
cat "$WORK/latest-postgres.md"
echo
echo "Written to bench/results/latest-postgres.md (${TOTAL} s)."
