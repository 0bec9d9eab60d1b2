# Floor mode of bench/run.sh (sourced by it with --floor; uses its helpers, build and settings).
# The ceiling durability sets on this machine: the baseline app, the same app made durable in the cheapest honest ways
# (bench/DurableFloor: a file with fdatasync, appended or reused as a preallocated ring, one writer or four sharing the
# queue; one SQLite table, one writer or four databases; SQLite with a dedupe and a second index; PostgreSQL: bodies
# only, then what issue 13 requires at its cheapest, the append alone and with dispatch (one writer or four; bodies
# inline or in a table of their own); each with group commit), and the listener (SQLite inbox, PostgreSQL, and with
# the inbox off), all started together and measured in interleaved rounds of wrk at 64 connections; each PostgreSQL
# app on a private cluster of its own. Also the disk's flush cost (pg_test_fsync, or dd with O_DSYNC). Written to
# bench/results/latest-floor.md (a run of some apps only: latest-floor-subset.md); docs/benchmarks.md, "The ceiling
# durability sets on this machine", reads it.
#
# Environment: BENCH_FLOOR_ROUNDS (default 2; 1 with --quick), BENCH_FLOOR_SECONDS per measured run (default 8; 5
# with --quick), BENCH_FLOOR_WARMUP per app (default 10 s, long enough for tiered compilation; 5 with --quick),
# BENCH_FLOOR_APPS: the apps to run, space-separated names from FLOOR_APPS below (run in FLOOR_APPS' order; the
# baseline is always added, the ratios need it), e.g. "floor-postgres floor-postgres-append listener-postgres".

if [ "$QUICK" = 1 ]; then
  FLOOR_ROUNDS=${BENCH_FLOOR_ROUNDS:-1} FLOOR_SECONDS=${BENCH_FLOOR_SECONDS:-5} FLOOR_WARMUP=${BENCH_FLOOR_WARMUP:-5}
else
  FLOOR_ROUNDS=${BENCH_FLOOR_ROUNDS:-2} FLOOR_SECONDS=${BENCH_FLOOR_SECONDS:-8} FLOOR_WARMUP=${BENCH_FLOOR_WARMUP:-10}
fi
FLOOR_DLL=$ART/bin/DurableFloor/release/PushListener.Bench.DurableFloor.dll
FLOOR_CONNECTIONS=64

# --- the disk's flush cost ------------------------------------------------------------------------------------------------
# On the folder the apps write to, before any load. pg_test_fsync (PostgreSQL's tool) when installed; else dd writing
# 8 kB blocks with O_DSYNC (each write waits for the disk, as a commit does).
FSYNC_LINES=
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r | head -1 || true)
if [ -n "$pg_bin" ] && [ -x "$pg_bin/pg_test_fsync" ]; then
  log "the disk's flush cost: pg_test_fsync, 1 s per method"
  "$pg_bin/pg_test_fsync" -s 1 -f "$WORK/fsync-test" >"$WORK/pg_test_fsync.txt" 2>&1 || true
  # The first section: one 8 kB write, then the flush, by method.
  FSYNC_LINES=$(awk '/one 8kB write/ {on = 1; next} on && /ops\/sec/ {printf "| pg_test_fsync: 8 kB write + %s | %s | %s |\n", $1, $2, $4} /two 8kB writes/ {exit}' "$WORK/pg_test_fsync.txt")
  cat "$WORK/pg_test_fsync.txt" >&2
fi
if [ -z "$FSYNC_LINES" ]; then
  log "the disk's flush cost: dd, 8 kB writes with O_DSYNC for about 2 s"
  dd if=/dev/zero of="$WORK/fsync-test" bs=8k count=500 oflag=dsync 2>"$WORK/dd.txt" || true
  secs=$(awk '/copied/ {for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) print $(i - 1)}' "$WORK/dd.txt" | tr -d ,)
  [ -n "$secs" ] && FSYNC_LINES="| dd, 8 kB write with O_DSYNC | $(calc '%.0f' "500 / $secs") | $(calc '%.0f' "$secs * 1000000 / 500") |"
fi
rm -f "$WORK/fsync-test"

# --- the apps -----------------------------------------------------------------------------------------------------------------
# pg_ticks FOLDER: CPU ticks of a whole cluster: the postmaster, its children (backends, WAL writer, checkpointer,
# autovacuum...), and children that exited since (the postmaster's cutime and cstime). Fields counted after the ")"
# that ends the command name.
pg_ticks() {
  local pm
  pm=$(head -1 "$1/data/postmaster.pid")
  # A process can end between the glob and the read: cat's complaint is not an error here.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$pm" '
    { pid = $1; sub(/^.*\) /, "") }
    pid == pm { s += $12 + $13 + $14 + $15 }
    pid != pm && $2 == pm { s += $12 + $13 }
    END { print s + 0 }'
}

# name | label (what it does before answering) | uses the PostgreSQL cluster | reports its batches (/floor/stats)
FLOOR_APPS=(baseline floor-file floor-file-ring floor-file-ring-x4 floor-sqlite floor-sqlite-x4 floor-sqlite-indexed
            floor-sqlite-indexed-x4 floor-postgres floor-postgres-x4 floor-postgres-append floor-postgres-inbox
            floor-postgres-inbox-x4 floor-postgres-inbox-apart listener listener-postgres listener-inbox-off)
FLOOR_SUBSET=0
if [ -n "${BENCH_FLOOR_APPS:-}" ]; then
  for app in $BENCH_FLOOR_APPS; do
    [[ " ${FLOOR_APPS[*]} " == *" $app "* ]] || { echo "BENCH_FLOOR_APPS: unknown app '$app' (one of: ${FLOOR_APPS[*]})" >&2; exit 2; }
  done
  chosen=(baseline)
  for app in "${FLOOR_APPS[@]}"; do
    if [ "$app" != baseline ] && [[ " $BENCH_FLOOR_APPS " == *" $app "* ]]; then chosen+=("$app"); fi
  done
  [ "${#chosen[@]}" = "${#FLOOR_APPS[@]}" ] || FLOOR_SUBSET=1
  FLOOR_APPS=("${chosen[@]}")
fi
declare -A LABEL PG_APP STATS_APP URL PID
LABEL[baseline]="baseline (bench/Baseline): reads the body, answers; stores nothing"
LABEL[floor-file]="floor, file: append + fdatasync per batch"
LABEL[floor-file-ring]="floor, file ring: overwrite a zero-filled 256 MB file + fdatasync per batch"
LABEL[floor-file-ring-x4]="floor, file ring x4: four writers (four files) sharing one queue, flushes overlap"
LABEL[floor-sqlite]="floor, SQLite: one INSERT per request, one transaction per batch (WAL, synchronous=FULL)"
LABEL[floor-sqlite-x4]="floor, SQLite x4: four databases, four writers sharing one queue"
LABEL[floor-sqlite-indexed]="floor, SQLite indexed: the same + unique index on a 32-byte body hash + a random index"
LABEL[floor-sqlite-indexed-x4]="floor, SQLite indexed x4: four such databases, four writers sharing one queue"
LABEL[floor-postgres]="floor, PostgreSQL: one multi-row INSERT per batch (one round trip, synchronous_commit on)"
LABEL[floor-postgres-x4]="floor, PostgreSQL x4: four connections, four writers sharing one queue"
LABEL[floor-postgres-append]="requirements floor, PostgreSQL append: entries under a unique dedupe hash and a per-subscription order index + registry upsert, one statement per batch"
LABEL[floor-postgres-inbox]="requirements floor, PostgreSQL inbox: that append + a dispatcher claiming (SKIP LOCKED, lease) and completing each commit's entries"
LABEL[floor-postgres-inbox-x4]="requirements floor, PostgreSQL inbox x4: four writers (four connections) sharing one queue, one dispatcher"
LABEL[floor-postgres-inbox-apart]="requirements floor, PostgreSQL inbox, bodies apart: the same with the bodies in a table of their own (the listener's layout)"
LABEL[listener]="listener (as bench/run.sh: SQLite inbox, default handlers, Warning logging)"
LABEL[listener-postgres]="listener on PostgreSQL (PushListener:Storage:Provider=PostgreSql)"
LABEL[listener-inbox-off]="listener, inbox off (PushListener:Inbox:Enabled=false): parse + handlers in the request, not durable"
for app in "${FLOOR_APPS[@]}"; do PG_APP[$app]=0 STATS_APP[$app]=0; done
PG_APP[floor-postgres]=1 PG_APP[floor-postgres-x4]=1 PG_APP[floor-postgres-append]=1 PG_APP[floor-postgres-inbox]=1 PG_APP[floor-postgres-inbox-x4]=1 PG_APP[floor-postgres-inbox-apart]=1 PG_APP[listener-postgres]=1
for app in "${FLOOR_APPS[@]}"; do if [[ $app == floor-* ]]; then STATS_APP[$app]=1; fi; done

# Each PostgreSQL app its own private cluster (scripts/postgres-test-server.sh, durable settings), so that the work a
# cluster defers (checkpoints, autovacuum) is charged to the app that caused it, whenever it runs. run.sh's clean-up
# stops every folder in PG_FOLDER.
declare -A PG_DIR PG_DB
PG_VERSION=
for app in "${FLOOR_APPS[@]}"; do
  [ "${PG_APP[$app]}" = 1 ] || continue
  PG_DIR[$app]=$(mktemp -d "${TMPDIR:-/tmp}/pushlistener-bench-pg.XXXXXX")
  PG_FOLDER="$PG_FOLDER ${PG_DIR[$app]}"
  log "starting a private PostgreSQL for $app (scripts/postgres-test-server.sh, durable settings)"
  PG_DB[$app]=$("$ROOT/scripts/postgres-test-server.sh" start "${PG_DIR[$app]}" --durable)
  PG_VERSION=$(awk '{print $1}' "${PG_DIR[$app]}/data/PG_VERSION")
done

# floor_start NAME DLL PORT [settings...]: as run.sh's start_app, but returns 1 instead of exiting when the app ends
# during start-up (a port found free can be taken by another process before the app binds it: the caller retries).
floor_start() {
  local name=$1 dll=$2 port=$3; shift 3
  (cd "$(dirname "$dll")" && DOTNET_ENVIRONMENT=Production exec dotnet "$dll" \
     "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$port" "$@" >"$WORK/$name.log" 2>&1) &
  APP_PID=$! STARTED_PORT=$port
  PIDS+=("$APP_PID")
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$APP_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2; echo "$name did not become healthy in 60 s" >&2; exit 1
}
start_app() {
  local attempt
  for attempt in 1 2 3; do
    if floor_start "$@"; then return 0; fi
    echo "$1 exited during start-up (attempt $attempt):" >&2; tail -5 "$WORK/$1.log" >&2
    set -- "$1" "$2" "$(free_port)" "${@:4}"
  done
  exit 1
}

log "starting ${#FLOOR_APPS[@]} apps"
for app in "${FLOOR_APPS[@]}"; do
  port=$(free_port)
  case $app in
    baseline) start_app "$app" "$BASELINE_DLL" "$port" ;;
    floor-file) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=file "--Floor:DataFolder=$WORK/$app" ;;
    floor-file-ring) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=file-ring "--Floor:DataFolder=$WORK/$app" ;;
    floor-file-ring-x4) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=file-ring --Floor:Writers=4 "--Floor:DataFolder=$WORK/$app" ;;
    floor-sqlite-x4) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=sqlite --Floor:Writers=4 "--Floor:DataFolder=$WORK/$app" ;;
    floor-sqlite) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=sqlite "--Floor:DataFolder=$WORK/$app" ;;
    floor-sqlite-indexed) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=sqlite-indexed "--Floor:DataFolder=$WORK/$app" ;;
    floor-sqlite-indexed-x4) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=sqlite-indexed --Floor:Writers=4 "--Floor:DataFolder=$WORK/$app" ;;
    floor-postgres-x4) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=postgres --Floor:Writers=4 "--ConnectionStrings:Floor=${PG_DB[$app]}" ;;
    floor-postgres) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=postgres "--ConnectionStrings:Floor=${PG_DB[$app]}" ;;
    floor-postgres-append) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=postgres-append "--ConnectionStrings:Floor=${PG_DB[$app]}" ;;
    floor-postgres-inbox) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=postgres-inbox "--ConnectionStrings:Floor=${PG_DB[$app]}" ;;
    floor-postgres-inbox-x4) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=postgres-inbox --Floor:Writers=4 "--ConnectionStrings:Floor=${PG_DB[$app]}" ;;
    floor-postgres-inbox-apart) start_app "$app" "$FLOOR_DLL" "$port" --Floor:Mode=postgres-inbox --Floor:BodiesApart=true \
                                  "--ConnectionStrings:Floor=${PG_DB[$app]}" ;;
    listener) start_app "$app" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/$app" ;;
    listener-postgres) start_app "$app" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" --PushListener:Storage:Provider=PostgreSql \
                         "--ConnectionStrings:PushListener=${PG_DB[$app]}" "--PushListener:Inbox:DataFolder=$WORK/$app" ;;
    listener-inbox-off) start_app "$app" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" --PushListener:Inbox:Enabled=false \
                          "--PushListener:Inbox:DataFolder=$WORK/$app" ;;
  esac
  PID[$app]=$APP_PID
  URL[$app]=http://127.0.0.1:$STARTED_PORT/ews/notifications
done

# Every app must answer the same bytes, or the comparison is not like for like.
for app in "${FLOOR_APPS[@]}"; do
  curl -sf -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification' \
    --data-binary @"$ROOT/tests/Fixtures/heartbeat.xml" "${URL[$app]}" >"$WORK/reply-$app.xml" \
    || { echo "$app did not answer the heartbeat" >&2; exit 1; }
  cmp -s "$WORK/reply-$app.xml" "$WORK/reply-baseline.xml" \
    || { echo "$app's reply differs from the baseline's:" >&2; cat "$WORK/reply-$app.xml" "$WORK/reply-baseline.xml" >&2; exit 1; }
done

# floor_wrk URL SECONDS OUTFILE: as run_wrk, 64 connections, and wrk's own CPU time (user, system seconds) in OUTFILE.time.
floor_wrk() {
  RUN_SEQ=$((RUN_SEQ + 1))
  local TIMEFORMAT='%U %S'
  { time BENCH_RUN=$RUN_SEQ wrk -t"$WRK_THREADS" -c"$FLOOR_CONNECTIONS" -d"$2"s --timeout 10s --latency -s "$ROOT/bench/wrk/push.lua" "$1" >"$3" 2>&1; } 2>"$3.time" \
    || { cat "$3" >&2; echo "wrk failed" >&2; exit 1; }
}
stats() { curl -sf "${URL[$1]%/ews/notifications}/floor/stats"; }
# drain APP: a floor inbox's dispatcher finishes its backlog (completed = written; up to 60 s), so that its claims and
# completions land in its own run, not in the next app's database CPU.
drain() {
  [[ $1 == floor-postgres-inbox* ]] || return 0
  local c w b k
  for _ in $(seq 1 600); do
    read -r c w b k <<<"$(stats "$1")"
    [ "${k##* }" -lt "$w" ] || return 0
    sleep 0.1
  done
  echo "  $1: the dispatcher is still behind after 60 s (${k##* } of $w completed)" >&2
}

log "warm-up: ${FLOOR_WARMUP} s of wrk on each app (not measured)"
for app in "${FLOOR_APPS[@]}"; do floor_wrk "${URL[$app]}" "$FLOOR_WARMUP" "$WORK/warmup-$app.txt"; drain "$app"; done

# --- interleaved rounds ---------------------------------------------------------------------------------------------------------
declare -A REQ TICKS DBTICKS DBWIN WRKSEC COMMITS WRITES BUSY RATIOS P50S P99S RPSS ERRS
for app in "${FLOOR_APPS[@]}"; do REQ[$app]=0 TICKS[$app]=0 DBTICKS[$app]=0 DBWIN[$app]=0 WRKSEC[$app]=0 COMMITS[$app]=0 WRITES[$app]=0 BUSY[$app]=0 ERRS[$app]=0; done
# A cluster's CPU over all the rounds (the other apps' turns included) goes to its app; DBSTART is where it starts.
declare -A DBSTART
for app in "${FLOOR_APPS[@]}"; do if [ "${PG_APP[$app]}" = 1 ]; then DBSTART[$app]=$(pg_ticks "${PG_DIR[$app]}"); fi; done
for round in $(seq 1 "$FLOOR_ROUNDS"); do
  for app in "${FLOOR_APPS[@]}"; do
    log "round $round/$FLOOR_ROUNDS: $app, ${FLOOR_CONNECTIONS} connections, ${FLOOR_SECONDS} s (load $(cut -d' ' -f1 /proc/loadavg))"
    out=$WORK/wrk-$app-$round.txt
    t0=$(cpu_ticks "${PID[$app]}") d0=0
    [ "${PG_APP[$app]}" = 1 ] && d0=$(pg_ticks "${PG_DIR[$app]}")
    [ "${STATS_APP[$app]}" = 1 ] && read -r c0 w0 b0 k0 <<<"$(stats "$app")"
    floor_wrk "${URL[$app]}" "$FLOOR_SECONDS" "$out"
    # The listener's dispatcher finishes its backlog after the last answer: that work belongs to these requests.
    sleep 1.5
    drain "$app"
    t1=$(cpu_ticks "${PID[$app]}") d1=0
    [ "${PG_APP[$app]}" = 1 ] && d1=$(pg_ticks "${PG_DIR[$app]}")
    if [ "${STATS_APP[$app]}" = 1 ]; then
      read -r c1 w1 b1 k1 <<<"$(stats "$app")"
      COMMITS[$app]=$(( ${COMMITS[$app]} + c1 - c0 )) WRITES[$app]=$(( ${WRITES[$app]} + w1 - w0 )) BUSY[$app]=$(( ${BUSY[$app]} + b1 - b0 ))
      # The dispatcher's claimed and completed entries (floor-postgres-inbox): completed should follow the writes.
      if [[ $app == floor-postgres-inbox* ]]; then
        echo "  dispatcher: $(( ${k1%% *} - ${k0%% *} )) claimed, $(( ${k1##* } - ${k0##* } )) completed, of $(( w1 - w0 )) written" >&2
      fi
    fi
    n=$(wrk_requests "$out") e=$(wrk_errors "$out")
    REQ[$app]=$(( ${REQ[$app]} + n )) ERRS[$app]=$(( ${ERRS[$app]} + ${e:-0} ))
    TICKS[$app]=$(( ${TICKS[$app]} + t1 - t0 )) DBWIN[$app]=$(( ${DBWIN[$app]} + d1 - d0 ))
    WRKSEC[$app]=$(awk -v a="${WRKSEC[$app]}" '{printf "%.2f", a + $1 + $2}' "$out.time")
    rps=$(wrk_rps "$out")
    RPSS[$app]="${RPSS[$app]:-} $rps"
    P50S[$app]="${P50S[$app]:-} $(wrk_pct "$out" 50)"
    P99S[$app]="${P99S[$app]:-} $(wrk_pct "$out" 99)"
    [ "$app" = baseline ] && round_baseline=$rps
    RATIOS[$app]="${RATIOS[$app]:-} $(calc '%.3f' "$rps / $round_baseline")"
    echo "  $rps req/s ($(calc '%.3f' "$rps / $round_baseline") x the baseline), p99 $(wrk_pct "$out" 99) ms, server CPU $(calc '%.1f' "($t1 - $t0) * 1000000 / $CLK_TCK / $n") us/request$([ "${PG_APP[$app]}" = 1 ] && echo " + database $(calc '%.1f' "($d1 - $d0) * 1000000 / $CLK_TCK / $n") us in this run"), failed ${e:-?}" >&2
  done
done
for app in "${FLOOR_APPS[@]}"; do
  if [ "${PG_APP[$app]}" = 1 ]; then DBTICKS[$app]=$(( $(pg_ticks "${PG_DIR[$app]}") - ${DBSTART[$app]} )); fi
done
for app in "${FLOOR_APPS[@]}"; do stop_app "${PID[$app]}"; done

# --- report ---------------------------------------------------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL=$(( $(date +%s) - SCRIPT_START ))
mean() { tr ' ' '\n' <<<"$1" | grep . | awk '{s += $1} END {if (NR) printf "%.3f", s / NR}'; }
lowest() { tr ' ' '\n' <<<"$1" | grep . | sort -g | head -1; }
highest() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -1; }
us() { calc '%.1f' "$1 * 1000000 / $CLK_TCK / $2"; }
{
  echo "# PushListener benchmark results: the ceiling durability sets"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`$([ "$FLOOR_SUBSET" = 1 ] && echo "BENCH_FLOOR_APPS=\"${FLOOR_APPS[*]}\" ")bench/run.sh --floor$([ $QUICK = 1 ] && echo ' --quick')\` in ${TOTAL} s: $FLOOR_ROUNDS interleaved round(s) of ${FLOOR_SECONDS} s per app after ${FLOOR_WARMUP} s of warm-up each."
  echo "Machine: $MACHINE; PostgreSQL ${PG_VERSION:-(none)} on the same machine (a private cluster per app, fsync and synchronous_commit on)."
  echo "Source: $SOURCE."
  echo "Load average (1, 5, 15 min) at start: $LOAD_START; at end: $LOAD_END. Every app, the database and wrk share the same cores."
  echo
  echo "## Throughput at $FLOOR_CONNECTIONS connections (wrk -t$WRK_THREADS, distinct 1.5 KB one-event pushes, bench/wrk/push.lua)"
  echo
  echo "req/s is the mean over the rounds; / baseline is the mean of each round's ratio to the baseline's run in the same round (lowest-highest); p50 is the median round's, p99 the worst round's. CPU per request: user + system ticks of the app's process over the run and 1.5 s after it (a floor inbox: until its dispatcher has caught up), over the requests answered; for PostgreSQL, + the ticks of the app's own cluster over all the rounds, the other apps' turns included (a checkpoint or an autovacuum counts for the app that caused it, whenever it runs, and so does a listener's idle background work), and in brackets its cluster's ticks within the app's own runs only; wrk's own CPU is shown apart. Cores busy: app + database + wrk CPU over the wall time (the machine has $(nproc)). Batches: writes per commit, the mean commit time (a writer thread's time in one commit, flush included) and the writers' busy share (summed over the writers: 400 % is four writers always committing), from the floor app's counters."
  echo
  echo "| app | req/s | / baseline | p50 | p99 | CPU per request: app | + database | (database in its runs) | wrk | cores busy | writes per commit | commit time | writer busy | failed |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for app in "${FLOOR_APPS[@]}"; do
    n=${REQ[$app]}
    secs=$(( FLOOR_ROUNDS * FLOOR_SECONDS ))
    db= dbwin=; [ "${PG_APP[$app]}" = 1 ] && db="$(us "${DBTICKS[$app]}" "$n") µs" dbwin="$(us "${DBWIN[$app]}" "$n") µs"
    batch= commit= busy=
    if [ "${STATS_APP[$app]}" = 1 ] && [ "${COMMITS[$app]}" -gt 0 ]; then
      batch=$(calc '%.1f' "${WRITES[$app]} / ${COMMITS[$app]}")
      commit="$(calc '%.2f' "${BUSY[$app]} / 1000 / ${COMMITS[$app]}") ms"
      busy="$(calc '%.0f' "${BUSY[$app]} / 10000 / $secs") %"
    fi
    cores=$(calc '%.2f' "((${TICKS[$app]} + ${DBTICKS[$app]}) / $CLK_TCK + ${WRKSEC[$app]}) / $secs")
    echo "| ${LABEL[$app]} | $(calc '%.0f' "$n / $secs") | $(mean "${RATIOS[$app]}") ($(lowest "${RATIOS[$app]}")-$(highest "${RATIOS[$app]}")) | $(tr ' ' '\n' <<<"${P50S[$app]}" | grep . | median) ms | $(highest "${P99S[$app]}") ms | $(us "${TICKS[$app]}" "$n") µs | $db | $dbwin | $(calc '%.1f' "${WRKSEC[$app]} * 1000000 / $n") µs | $cores | $batch | $commit | $busy | ${ERRS[$app]} |"
  done
  echo
  echo "Per-round req/s: $(for app in "${FLOOR_APPS[@]}"; do printf '%s%s' "$app" "${RPSS[$app]}"; [ "$app" = "${FLOOR_APPS[-1]}" ] || printf '; '; done)."
  echo
  echo "## The disk's flush cost (on the folder the apps write to, before the load)"
  echo
  echo "| method | ops/s | µs per op |"
  echo "|---|---:|---:|"
  echo "${FSYNC_LINES:-| (not measured) | | |}"
} >"$WORK/latest-floor.md"

# A run of some apps (BENCH_FLOOR_APPS) leaves the full run's table alone.
RESULT=latest-floor.md; [ "$FLOOR_SUBSET" = 1 ] && RESULT=latest-floor-subset.md
mkdir -p "$ROOT/bench/results"
cp "$WORK/latest-floor.md" "$ROOT/bench/results/$RESULT"
echo
cat "$WORK/latest-floor.md"
echo
echo "Written to bench/results/$RESULT (${TOTAL} s)."
