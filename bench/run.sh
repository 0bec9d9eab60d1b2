#!/usr/bin/env bash
# PushListener benchmarks in one command: parser micro-benchmarks, end-to-end throughput and latency against a baseline
# app in the same run, latency at a fixed rate, and RSS over a long run. Prints a markdown table and writes it to
# bench/results/latest.md. See docs/benchmarks.md for what each figure means.
#
# Usage: bench/run.sh [--quick] [--no-micro] [--no-soak] [--no-cost] [--only-cost] [--soak-notifications N] [--postgres] [--floor]
#   --quick                  smoke run: short durations, small soak (about 3 minutes instead of about 10)
#   --postgres               PostgreSQL mode instead: one and two listener instances on a private PostgreSQL
#                            (scripts/postgres-test-server.sh, durable settings) next to the baseline app, and the
#                            fixed-rate run; written to bench/results/latest-postgres.md
#   --floor                  floor mode instead (bench/floor.sh): the baseline, the minimum durable apps
#                            (bench/DurableFloor: file, SQLite, indexed SQLite, PostgreSQL) and the listener, interleaved
#                            at 64 connections, and the disk's flush cost; written to bench/results/latest-floor.md
#   --no-micro               skip the BenchmarkDotNet parser benchmarks
#   --no-soak                skip the memory soak (the longest part: about 1,000,000 / listener req/s seconds)
#   --no-cost                skip the logging and telemetry cost runs (as shipped, with metrics and traces)
#   --only-cost              only the logging and telemetry cost runs (about 2 minutes)
#   --soak-notifications N   notifications for the soak (default 1000000; 30000 with --quick)
# Environment: BENCH_KEEP=1 keeps the work folder (logs, databases, BenchmarkDotNet artifacts) after the run;
#   BENCH_COST_ROUNDS=N interleaved rounds of the cost runs (default 4; more rounds, steadier ratios on a shared machine);
#   BENCH_FLOOR_ROUNDS, BENCH_FLOOR_SECONDS, BENCH_FLOOR_WARMUP for --floor (default 2 rounds of 8 s, 10 s warm-up).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

QUICK=0 MICRO=1 SOAK=1 SOAK_N= COST=1 E2E=1 POSTGRES=0 FLOOR=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-micro) MICRO=0 ;;
    --no-soak) SOAK=0 ;;
    --no-cost) COST=0 ;;
    --only-cost) MICRO=0 SOAK=0 E2E=0 ;;
    --soak-notifications) SOAK_N=$2; shift ;;
    --postgres) POSTGRES=1 ;;
    --floor) FLOOR=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

CONNECTIONS="16 64 256"
WRK_THREADS=2
RATE=2000
if [ "$QUICK" = 1 ]; then
  DURATION=5 WARMUP=3 RATE_DURATION=8 RATE_WARMUP=2 SOAK_N=${SOAK_N:-30000}
else
  DURATION=12 WARMUP=5 RATE_DURATION=20 RATE_WARMUP=5 SOAK_N=${SOAK_N:-1000000}
fi
SCRIPT_START=$(date +%s)

log() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- tools ------------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  log "installing wrk and curl (Debian packages)"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk curl >/dev/null
fi
command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

# One run at a time on this machine: two would share bench/.artifacts and measure each other's load.
mkdir -p "$ROOT/bench/.artifacts"
exec 9>"$ROOT/bench/.artifacts/run.lock"
if ! flock -n 9; then
  echo "another bench/run.sh is running; waiting for it to finish" >&2
  flock 9
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pushlistener-bench.XXXXXX")
PIDS=()
PG_FOLDER=
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # One folder, or (--floor) one per PostgreSQL app.
  for folder in $PG_FOLDER; do "$ROOT/scripts/postgres-test-server.sh" stop "$folder" || true; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# An interrupted or terminated run, or one whose output pipe closed (| head), exits through cleanup too, so no
# listener or private PostgreSQL is left running.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

# --- build (Release, into bench/.artifacts so that other builds of the tree are not disturbed) -------------------------
ART=$ROOT/bench/.artifacts
log "building (Release) into bench/.artifacts"
PROJECTS="src/PushListener bench/Baseline bench/RateLoad bench/PushListener.Benchmarks"
[ "$FLOOR" = 1 ] && PROJECTS="src/PushListener bench/Baseline bench/DurableFloor"
for project in $PROJECTS; do
  dotnet build "$project" -c Release --artifacts-path "$ART" -nologo -v quiet -warnaserror >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; exit 1; }
done
LISTENER_DLL=$ART/bin/PushListener/release/PushListener.dll
BASELINE_DLL=$ART/bin/Baseline/release/PushListener.Bench.Baseline.dll
RATELOAD_DLL=$ART/bin/RateLoad/release/PushListener.Bench.RateLoad.dll
MICRO_DLL=$ART/bin/PushListener.Benchmarks/release/PushListener.Benchmarks.dll

# --- machine -----------------------------------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM_GIB=$(awk '/^MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
DOTNET_RUNTIME=$(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}')
MACHINE="$(nproc) cores ($CPU_MODEL), ${MEM_GIB} GiB RAM, $(uname -sr), .NET SDK $(dotnet --version), ASP.NET Core runtime $DOTNET_RUNTIME, $({ wrk --version 2>&1 || true; } | awk 'NR == 1 {print $1, $2}')"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# What was measured: the commit, and whether src/ had changes not yet committed (read-only git commands).
SOURCE="working tree (not a git checkout)"
if git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
  SOURCE="commit $(git -C "$ROOT" rev-parse --short HEAD)"
  changed=$(git -C "$ROOT" status --porcelain -- src | wc -l)
  if [ "$changed" -gt 0 ]; then SOURCE="$SOURCE plus $changed uncommitted change(s) under src/ ($(git -C "$ROOT" status --porcelain -- src | awk '{print $2}' | sed 's|^src/||' | paste -sd, -))"; fi
fi

# --- helpers -----------------------------------------------------------------------------------------------------------
free_port() {
  local port
  while :; do
    # Below Linux's ephemeral range (32768-60999), where wrk's and the database clients' own ends could hold the port.
    port=$(( 20000 + RANDOM % 12000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# start_app NAME DLL PORT [settings...]: starts the app from its build folder, waits for /healthz; sets APP_PID.
start_app() {
  local name=$1 dll=$2 port=$3; shift 3
  (cd "$(dirname "$dll")" && DOTNET_ENVIRONMENT=Production exec dotnet "$dll" \
     "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$port" "$@" >"$WORK/$name.log" 2>&1) &
  APP_PID=$!
  PIDS+=("$APP_PID")
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; echo "$name exited during start-up" >&2; exit 1; }
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2; echo "$name did not become healthy in 30 s" >&2; exit 1
}

stop_app() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# CPU time a process has used (user + system), in clock ticks (sysconf CLK_TCK, 100 on Linux).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# sampler PID FILE INTERVAL: appends "seconds-since-start rss_kb" lines until killed; sets SAMPLER_PID.
sampler() {
  local pid=$1 file=$2 interval=$3 t0
  t0=$(date +%s.%N)
  ( while kill -0 "$pid" 2>/dev/null; do
      printf '%s %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.1f", a - b}')" "$(rss_kb "$pid")"
      sleep "$interval"
    done ) >>"$file" &
  SAMPLER_PID=$!
}
stop_sampler() { kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; }
max_col2() { awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$1"; }

# wrk latencies come as 812.00us, 6.55ms, 1.20s or 2.00m: to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

RUN_SEQ=$(( $(date +%s) % 10000 * 10 ))
# run_wrk URL CONNECTIONS SECONDS OUTFILE: distinct pushes (bench/wrk/push.lua), each run with its own subscription ids.
run_wrk() {
  RUN_SEQ=$((RUN_SEQ + 1))
  BENCH_RUN=$RUN_SEQ wrk -t"$WRK_THREADS" -c"$2" -d"$3"s --timeout 10s --latency -s "$ROOT/bench/wrk/push.lua" "$1" >"$4" 2>&1 \
    || { cat "$4" >&2; echo "wrk failed" >&2; exit 1; }
}
wrk_rps() { awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1"; }
wrk_pct() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
wrk_requests() { sed -n 's/^bench: requests=\([0-9]*\).*/\1/p' "$1"; }
wrk_errors() { sed -n 's/^bench: .*non2xx_or_errors=\([0-9]*\).*/\1/p' "$1"; }

# calc FORMAT EXPRESSION: awk arithmetic (the parentheses keep a comparison from reading as output redirection).
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }
median() { sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }
mb() { calc "%.0f" "$1 / 1024"; }

# The default handlers (the `log` entry of appsettings.json stays configured), logging at Warning.
LISTENER_SETTINGS=(
  --Serilog:MinimumLevel:Default=Warning
  --Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning
  # All load comes from 127.0.0.1; the per-source limit (default 1000/s) would answer 429 to most of it.
  --PushListener:Senders:RateLimit:PermitsPerSecond=0
)

if [ "$POSTGRES" = 1 ]; then
  # shellcheck source=bench/postgres.sh
  . "$ROOT/bench/postgres.sh"
  exit 0
fi
if [ "$FLOOR" = 1 ]; then
  # shellcheck source=bench/floor.sh
  . "$ROOT/bench/floor.sh"
  exit 0
fi

# --- 1. parser micro-benchmarks ------------------------------------------------------------------------------------------
MICRO_ROWS=
if [ "$MICRO" = 1 ]; then
  log "parser micro-benchmarks (BenchmarkDotNet, short in-process job, about a minute)"
  (cd "$WORK" && dotnet "$MICRO_DLL" --summary-out "$WORK/micro.tsv" --artifacts "$WORK/bdn" >"$WORK/micro.log" 2>&1) \
    || { cat "$WORK/micro.log" >&2; echo "parser benchmarks failed" >&2; exit 1; }
  sed -n '/^| Method/,/^$/p' "$WORK/micro.log" >&2
  MICRO_ROWS=$(sort -t$'\t' -k3,3n "$WORK/micro.tsv")
fi

# --- 2. end-to-end: listener and baseline, interleaved at each connection count -----------------------------------------
declare -A RPS P50 P99 ERR RSS FR
if [ "$E2E" = 1 ]; then
log "starting the listener (durable SQLite inbox, default handlers) and the baseline app"
LISTENER_PORT=$(free_port)
start_app listener "$LISTENER_DLL" "$LISTENER_PORT" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/listener-data"
LISTENER_PID=$APP_PID
BASELINE_PORT=$(free_port)
start_app baseline "$BASELINE_DLL" "$BASELINE_PORT"
BASELINE_PID=$APP_PID
LISTENER_URL=http://127.0.0.1:$LISTENER_PORT/ews/notifications
BASELINE_URL=http://127.0.0.1:$BASELINE_PORT/ews/notifications

# Both must answer the same bytes, or the comparison is not like for like.
for app in listener baseline; do
  url=LISTENER_URL; [ $app = baseline ] && url=BASELINE_URL
  curl -sf -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification' \
    --data-binary @"$ROOT/tests/Fixtures/heartbeat.xml" "${!url}" >"$WORK/reply-$app.xml"
done
cmp -s "$WORK/reply-listener.xml" "$WORK/reply-baseline.xml" \
  || { echo "the baseline's reply differs from the listener's:" >&2; cat "$WORK/reply-listener.xml" "$WORK/reply-baseline.xml" >&2; exit 1; }

log "warm-up: ${WARMUP} s of wrk on each app (not measured)"
run_wrk "$LISTENER_URL" 64 "$WARMUP" "$WORK/warmup-listener.txt"
run_wrk "$BASELINE_URL" 64 "$WARMUP" "$WORK/warmup-baseline.txt"

for c in $CONNECTIONS; do
  for app in listener baseline; do
    if [ $app = listener ]; then url=$LISTENER_URL pid=$LISTENER_PID; else url=$BASELINE_URL pid=$BASELINE_PID; fi
    log "wrk: $app, $c connections, ${DURATION} s"
    : >"$WORK/rss-$app-$c.txt"
    sampler "$pid" "$WORK/rss-$app-$c.txt" 0.5
    run_wrk "$url" "$c" "$DURATION" "$WORK/wrk-$app-$c.txt"
    stop_sampler
    RPS[$app,$c]=$(wrk_rps "$WORK/wrk-$app-$c.txt")
    P50[$app,$c]=$(wrk_pct "$WORK/wrk-$app-$c.txt" 50)
    P99[$app,$c]=$(wrk_pct "$WORK/wrk-$app-$c.txt" 99)
    ERR[$app,$c]=$(wrk_errors "$WORK/wrk-$app-$c.txt")
    RSS[$app,$c]=$(max_col2 "$WORK/rss-$app-$c.txt")
    echo "  ${RPS[$app,$c]} req/s, p50 ${P50[$app,$c]} ms, p99 ${P99[$app,$c]} ms, errors ${ERR[$app,$c]:-?}, max RSS $(mb "${RSS[$app,$c]}") MB" >&2
  done
done

# --- 3. fixed rate --------------------------------------------------------------------------------------------------------
for app in listener baseline; do
  if [ $app = listener ]; then url=$LISTENER_URL pid=$LISTENER_PID; else url=$BASELINE_URL pid=$BASELINE_PID; fi
  log "fixed rate: $app at $RATE req/s for ${RATE_DURATION} s (after ${RATE_WARMUP} s warm-up)"
  RUN_SEQ=$((RUN_SEQ + 1))
  dotnet "$RATELOAD_DLL" --url "$url" --rate "$RATE" --duration "$RATE_DURATION" --warmup "$RATE_WARMUP" \
    --connections 256 --run "$RUN_SEQ" --tsv "$WORK/rate-$app.tsv" >&2
  FR[$app]=$(cat "$WORK/rate-$app.tsv")
done
PEAK_LISTENER=$(hwm_kb "$LISTENER_PID")
PEAK_BASELINE=$(hwm_kb "$BASELINE_PID")

# --- 3b. a push of 100 messages: the time to its answer -------------------------------------------------------------------
# One subscription's watermark chain, 100 messages in one SendNotification (Exchange sends few; a backlog can send more).
big_push() { # big_push RUN N: prints the body
  local sub wm prev i
  sub=$(printf 'J0RCN1BSMDRNQjAwMDAuZXVycHJkMDQucHJvZC5vdXRsb29rLmNvbRAAAAA%06d%06dAAAA' "$1" "$1")
  printf '<?xml version="1.0" encoding="utf-8"?><soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Body><m:SendNotification xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>'
  for i in $(seq 1 "$2"); do
    prev=$(printf 'AQAAAEbmwqYW%06d%08dBAAAAAAAAAAA=' "$1" $((i - 1))); wm=$(printf 'AQAAAEbmwqYW%06d%08dBAAAAAAAAAAA=' "$1" "$i")
    printf '<m:SendNotificationResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification><t:SubscriptionId>%s</t:SubscriptionId><t:PreviousWatermark>%s</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents><t:CreatedEvent><t:Watermark>%s</t:Watermark><t:TimeStamp>2026-11-20T09:41:27Z</t:TimeStamp><t:ItemId Id="AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwBGAAAAAAClax62ndKZI5cs4WproCsbBwCtyHrscZ+x9amhpGxwzUgikPw23FIgAAA=" ChangeKey="CQAAABYAAAA8TA9PBwOwN9+9AOV2YY53yhQOXi7a" /><t:ParentFolderId Id="AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwAuAAAAAABMBaVU9aYfKFRROpX5Z0WoAQCncAqMO8+DTL9zmhaj345M2RezDcAdAAA=" ChangeKey="AQAAABYAAACK1x63zvuOWDLimpNix0To0pBZyMFm" /></t:CreatedEvent></m:Notification></m:SendNotificationResponseMessage>' "$sub" "$prev" "$wm"
  done
  printf '</m:ResponseMessages></m:SendNotification></soap11:Body></soap11:Envelope>'
}
BIG_N=30
log "a push of 100 messages, $BIG_N times (each a new subscription), one after another"
: >"$WORK/big.txt"
for i in $(seq 1 "$BIG_N"); do
  big_push $((RUN_SEQ * 100 + i)) 100 >"$WORK/big.xml"
  curl -s -o "$WORK/big-reply.xml" -w '%{time_total}\n' -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification' \
    --data-binary @"$WORK/big.xml" "$LISTENER_URL" >>"$WORK/big.txt"
  grep -q '<m:SubscriptionStatus>OK</m:SubscriptionStatus>' "$WORK/big-reply.xml" || { cat "$WORK/big-reply.xml" >&2; echo "the 100-message push was not answered OK" >&2; exit 1; }
done
BIG_BYTES=$(wc -c <"$WORK/big.xml")
BIG_P50=$(awk '{print $1 * 1000}' "$WORK/big.txt" | median)
BIG_MAX=$(awk '{print $1 * 1000}' "$WORK/big.txt" | sort -n | tail -1)
echo "  $BIG_BYTES bytes: median $(calc '%.1f' "$BIG_P50") ms, max $(calc '%.1f' "$BIG_MAX") ms" >&2
stop_app "$LISTENER_PID"
stop_app "$BASELINE_PID"
fi

# --- 3d. logging and telemetry cost: three listeners, interleaved rounds at 64 connections --------------------------------
# warning: the settings above (logging at Warning, the default handlers). shipped: the default appsettings.json (Information, the
# log handler writing a line per notification, the request log), only the rate limit off. metrics: warning plus the
# Prometheus endpoint, scraped every 5 s. telemetry: metrics plus OTLP metrics and traces exported to a closed local port
# at the default sampling ratio (0.1 of pushes traced with their deliveries and handler runs; the exports fail, which
# costs what a collector's absence costs). traces-all: telemetry with every push traced (SamplingRatio=1), for reference.
# Each round runs the four in turn; the ratios are medians of the per-round ratios, so a disturbance that hits one round
# moves them less than it moves the totals.
COST_CONFIGS="warning shipped metrics telemetry traces-all"
declare -A COST_REQ COST_SECS COST_RATIOS COST_CPU COST_CPU_RATIOS
COST_ROUNDS=${BENCH_COST_ROUNDS:-4}
if [ "$COST" = 1 ]; then
  log "logging and telemetry cost: five listeners, $COST_ROUNDS interleaved rounds of ${DURATION} s at 64 connections"
  OTLP_CLOSED=$(free_port)
  declare -A COST_PID COST_URL
  for cfg in $COST_CONFIGS; do
    port=$(free_port)
    case $cfg in
      warning) start_app "cost-$cfg" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/cost-$cfg" ;;
      shipped) start_app "cost-$cfg" "$LISTENER_DLL" "$port" --PushListener:Senders:RateLimit:PermitsPerSecond=0 "--PushListener:Inbox:DataFolder=$WORK/cost-$cfg" ;;
      metrics) start_app "cost-$cfg" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/cost-$cfg" \
          --PushListener:Telemetry:Prometheus:Enabled=true ;;
      telemetry) start_app "cost-$cfg" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/cost-$cfg" \
          --PushListener:Telemetry:Prometheus:Enabled=true "--PushListener:Telemetry:Otlp:Endpoint=http://127.0.0.1:$OTLP_CLOSED" ;;
      traces-all) start_app "cost-$cfg" "$LISTENER_DLL" "$port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/cost-$cfg" \
          --PushListener:Telemetry:Prometheus:Enabled=true "--PushListener:Telemetry:Otlp:Endpoint=http://127.0.0.1:$OTLP_CLOSED" \
          --PushListener:Telemetry:Tracing:SamplingRatio=1 ;;
    esac
    COST_PID[$cfg]=$APP_PID
    COST_URL[$cfg]=http://127.0.0.1:$port/ews/notifications
    COST_REQ[$cfg]=0 COST_SECS[$cfg]=0 COST_RATIOS[$cfg]= COST_CPU[$cfg]=0 COST_CPU_RATIOS[$cfg]=
    run_wrk "${COST_URL[$cfg]}" 64 "$WARMUP" "$WORK/warmup-cost-$cfg.txt"
  done
  scrape_url=${COST_URL[telemetry]%/ews/notifications}/metrics
  scrape_metrics=${COST_URL[metrics]%/ews/notifications}/metrics
  ( while sleep 5; do curl -sf "$scrape_url" -o /dev/null || true; curl -sf "$scrape_metrics" -o /dev/null || true; done ) &
  SCRAPER_PID=$!
  PIDS+=("$SCRAPER_PID")
  for round in $(seq 1 $COST_ROUNDS); do
    for cfg in $COST_CONFIGS; do
      ticks=$(cpu_ticks "${COST_PID[$cfg]}")
      run_wrk "${COST_URL[$cfg]}" 64 "$DURATION" "$WORK/wrk-cost-$cfg-$round.txt"
      ticks=$(( $(cpu_ticks "${COST_PID[$cfg]}") - ticks ))
      e=$(wrk_errors "$WORK/wrk-cost-$cfg-$round.txt")
      [ "${e:-0}" = 0 ] || { cat "$WORK/wrk-cost-$cfg-$round.txt" >&2; echo "cost run $cfg had $e failed requests" >&2; exit 1; }
      n=$(wrk_requests "$WORK/wrk-cost-$cfg-$round.txt")
      COST_REQ[$cfg]=$(( ${COST_REQ[$cfg]} + n ))
      COST_SECS[$cfg]=$(( ${COST_SECS[$cfg]} + DURATION ))
      COST_CPU[$cfg]=$(( ${COST_CPU[$cfg]} + ticks ))
      per=$(calc '%.2f' "$ticks * 1000000 / $CLK_TCK / $n")
      [ "$cfg" = warning ] && round_warning=$n round_warning_cpu=$per
      COST_RATIOS[$cfg]="${COST_RATIOS[$cfg]} $(calc '%.4f' "$n / $round_warning")"
      COST_CPU_RATIOS[$cfg]="${COST_CPU_RATIOS[$cfg]} $(calc '%.4f' "$per / $round_warning_cpu")"
      echo "  round $round, $cfg: $(wrk_rps "$WORK/wrk-cost-$cfg-$round.txt") req/s, $per µs CPU per request" >&2
    done
  done
  kill "$SCRAPER_PID" 2>/dev/null || true
  curl -sf "$scrape_url" >"$WORK/metrics.txt" || true
  for cfg in $COST_CONFIGS; do stop_app "${COST_PID[$cfg]}"; done
fi

# --- 3c. storage per request: a fresh data folder, a wrk run, a clean stop, the folder's size -------------------------------
if [ "$E2E" = 1 ]; then
log "storage: a fresh listener, ${DURATION} s of wrk at 64 connections, then its data folder's size after a clean stop"
storage_port=$(free_port)
start_app storage "$LISTENER_DLL" "$storage_port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/storage-data"
STORAGE_PID=$APP_PID
# The empty database (schema, first pages) is the fixed overhead.
STORAGE_EMPTY=$(du -sb "$WORK/storage-data" | cut -f1)
run_wrk "http://127.0.0.1:$storage_port/ews/notifications" 64 "$DURATION" "$WORK/wrk-storage.txt"
STORAGE_N=$(( $(wrk_requests "$WORK/wrk-storage.txt") - $(wrk_errors "$WORK/wrk-storage.txt") ))
stop_app "$STORAGE_PID"
# A clean stop checkpoints the write-ahead log into inbox.db and deletes it: what is left is what is kept.
STORAGE_FULL=$(du -sb "$WORK/storage-data" | cut -f1)
# The request as it travels: the body wrk sends plus its HTTP request line and headers.
REQUEST_BYTES=$(( 1548 + 276 ))
STORAGE_PER=$(calc '%.0f' "($STORAGE_FULL - $STORAGE_EMPTY) / $STORAGE_N")
echo "  $STORAGE_N notifications: $STORAGE_EMPTY bytes empty, $STORAGE_FULL bytes after, $STORAGE_PER bytes per request (request about $REQUEST_BYTES bytes)" >&2
fi

# --- 4. memory soak ---------------------------------------------------------------------------------------------------------
SOAK_LINE=
if [ "$SOAK" = 1 ]; then
  soak_rate=${RPS[listener,64]}
  [ "${soak_rate:-0}" -gt 0 ] || soak_rate=1000
  soak_seconds=$(( SOAK_N / soak_rate + 1 ))
  log "memory soak: $SOAK_N notifications at 64 connections; at the measured $soak_rate req/s that is about ${soak_seconds} s"
  soak_port=$(free_port)
  start_app soak "$LISTENER_DLL" "$soak_port" "${LISTENER_SETTINGS[@]}" "--PushListener:Inbox:DataFolder=$WORK/soak-data"
  SOAK_PID=$APP_PID
  soak_url=http://127.0.0.1:$soak_port/ews/notifications
  : >"$WORK/rss-soak.txt"
  sampler "$SOAK_PID" "$WORK/rss-soak.txt" 2
  sent=0 soak_errors=0 chunk=0 soak_start=$(date +%s)
  while [ "$sent" -lt "$SOAK_N" ]; do
    chunk=$((chunk + 1))
    # Rounds of at most a minute, each sized from the rate so far, so the run stops close to the target count.
    left=$(( SOAK_N - sent ))
    secs=$(( left / soak_rate + 1 ))
    if [ $secs -gt 60 ]; then secs=60; fi
    if [ $secs -lt 3 ]; then secs=3; fi
    if [ $chunk -gt 60 ]; then echo "soak: gave up after 60 rounds at $sent notifications" >&2; break; fi
    run_wrk "$soak_url" 64 "$secs" "$WORK/wrk-soak-$chunk.txt"
    n=$(wrk_requests "$WORK/wrk-soak-$chunk.txt"); e=$(wrk_errors "$WORK/wrk-soak-$chunk.txt")
    sent=$(( sent + n - e )); soak_errors=$(( soak_errors + e ))
    elapsed=$(( $(date +%s) - soak_start ))
    if [ "$elapsed" -gt 0 ]; then soak_rate=$(( sent / elapsed > 0 ? sent / elapsed : 1 )); fi
    echo "  round $chunk: $n requests ($e failed), $sent notifications stored so far, RSS $(mb "$(rss_kb "$SOAK_PID")") MB" >&2
  done
  soak_elapsed=$(( $(date +%s) - soak_start ))
  sleep 2
  stop_sampler
  # After warm-up: the median RSS over 10-20% of the run; at the end: the median of the last five samples.
  rss_file=$WORK/rss-soak.txt
  soak_t=$(tail -1 "$rss_file" | cut -d' ' -f1)
  soak_warm=$(awk -v T="$soak_t" '$1 >= 0.1 * T && $1 <= 0.2 * T {print $2}' "$rss_file" | median)
  [ -n "$soak_warm" ] || soak_warm=$(head -1 "$rss_file" | cut -d' ' -f2)
  soak_end=$(tail -5 "$rss_file" | cut -d' ' -f2 | median)
  soak_max=$(max_col2 "$rss_file")
  soak_db=$(du -sm "$WORK/soak-data" | cut -f1)
  stop_app "$SOAK_PID"
  SOAK_LINE="$sent $soak_errors $soak_elapsed $soak_warm $soak_end $soak_max $soak_db"
fi

# --- report -----------------------------------------------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL=$(( $(date +%s) - SCRIPT_START ))
pass() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }
{
  echo "# PushListener benchmark results"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh$([ $QUICK = 1 ] && echo ' --quick')$([ $MICRO = 0 ] && echo ' --no-micro')$([ $SOAK = 0 ] && echo ' --no-soak')$([ $COST = 0 ] && echo ' --no-cost')$([ $E2E = 0 ] && echo ' (cost runs only)')\` in ${TOTAL} s."
  echo "Machine: $MACHINE."
  echo "Source: $SOURCE."
  echo "Load average (1, 5, 15 min) at start: $LOAD_START; at end: $LOAD_END. A load above the core count means other work shared the CPUs: compare the ratios, not the absolute figures, between runs."
  echo
  if [ -n "$MICRO_ROWS" ]; then
    echo "## Parser (BenchmarkDotNet, SendNotificationReader.Read on a body in memory)"
    echo
    echo "| payload | fixture | request bytes | mean | MB/s | allocated per request | allocated / request size |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    while IFS=$'\t' read -r name fixture bytes mean mbps alloc ratio; do
      echo "| $name | $fixture | $bytes | $(calc '%.2f' "$mean / 1000") µs | $mbps | $alloc B | $ratio |"
    done <<<"$MICRO_ROWS"
    echo
  fi
  if [ "$E2E" = 1 ]; then
  echo "## End to end (wrk, $WRK_THREADS threads, ${DURATION} s per run, distinct 1.5 KB one-event pushes)"
  echo
  echo "Listener: durable SQLite inbox (WAL, synchronous=FULL), the default handlers (\`log\`), logging at Warning. Baseline: bench/Baseline, the same reply bytes without parsing or storing. Both measured in this run, interleaved."
  echo
  echo "| connections | listener req/s | baseline req/s | listener / baseline | listener p50 | baseline p50 | listener p99 | baseline p99 | listener max RSS | baseline max RSS | failed requests (L/B) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for c in $CONNECTIONS; do
    echo "| $c | ${RPS[listener,$c]} | ${RPS[baseline,$c]} | $(calc '%.3f' "${RPS[listener,$c]} / ${RPS[baseline,$c]}") | ${P50[listener,$c]} ms | ${P50[baseline,$c]} ms | ${P99[listener,$c]} ms | ${P99[baseline,$c]} ms | $(mb "${RSS[listener,$c]}") MB | $(mb "${RSS[baseline,$c]}") MB | ${ERR[listener,$c]:-?}/${ERR[baseline,$c]:-?} |"
  done
  echo
  echo "Peak RSS (VmHWM, whole process life: start-up, warm-up, the runs above and the fixed-rate run): listener $(mb "$PEAK_LISTENER") MB, baseline $(mb "$PEAK_BASELINE") MB."
  echo
  echo "## Fixed rate (bench/RateLoad, open loop, latency from each request's scheduled time)"
  echo
  echo "| app | rate | seconds | sent | OK | failed | p50 | p90 | p99 | p99.9 | max | generator send lag p99 |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for app in listener baseline; do
    read -r r d s ok f _ p50 p90 p99 p999 max lag <<<"${FR[$app]}"
    echo "| $app | $r/s | $d | $s | $ok | $f | $p50 ms | $p90 ms | $p99 ms | $p999 ms | $max ms | $lag ms |"
  done
  echo
  echo "## A push of 100 messages (curl, one at a time, each a new subscription, on the listener above)"
  echo
  echo "| pushes | bytes each | median time to the answer | max |"
  echo "|---:|---:|---:|---:|"
  echo "| $BIG_N | $BIG_BYTES | $(calc '%.1f' "$BIG_P50") ms | $(calc '%.1f' "$BIG_MAX") ms |"
  echo
  echo "## Storage per request (fresh listener, wrk 64 connections for ${DURATION} s, size of the data folder after a clean stop)"
  echo
  echo "| notifications | empty data folder (fixed overhead) | data folder after | bytes per request | request bytes (body 1548 + request line and headers 276) | ratio |"
  echo "|---:|---:|---:|---:|---:|---:|"
  echo "| $STORAGE_N | $STORAGE_EMPTY | $STORAGE_FULL | $STORAGE_PER | $REQUEST_BYTES | $(calc '%.2f' "$STORAGE_PER / $REQUEST_BYTES") |"
  echo
  fi
  if [ "$COST" = 1 ]; then
    echo "## Logging and telemetry cost (wrk, 64 connections, $COST_ROUNDS interleaved rounds of ${DURATION} s per listener)"
    echo
    echo "warning: as in the end-to-end runs (logging at Warning, the default handlers). shipped: the default appsettings.json (Information, the log handler's line per notification, the request log), rate limit off. metrics: warning plus the Prometheus endpoint, scraped every 5 s. telemetry: metrics plus OTLP metrics and traces at the default sampling ratio (0.1 of pushes traced, with their deliveries and handler runs) exported to a closed local port. traces-all: telemetry with every push traced. Per-round ratios are to the warning listener's run in the same round."
    echo
    echo "CPU per request is the listener process's user + system CPU time during its wrk runs over the requests it answered: on a shared machine it moves far less than req/s (another process taking the cores lowers req/s, not the CPU each request costs), so it is the figure the cost targets read."
    echo
    echo "| listener | requests | req/s | req/s / warning (median of rounds) | per-round req/s ratios | CPU per request | CPU / warning (median of rounds) | per-round CPU ratios |"
    echo "|---|---:|---:|---:|---|---:|---:|---|"
    for cfg in $COST_CONFIGS; do
      echo "| $cfg | ${COST_REQ[$cfg]} | $(calc '%.0f' "${COST_REQ[$cfg]} / ${COST_SECS[$cfg]}") | $(tr ' ' '\n' <<<"${COST_RATIOS[$cfg]}" | grep . | median) |${COST_RATIOS[$cfg]} | $(calc '%.1f' "${COST_CPU[$cfg]} * 1000000 / $CLK_TCK / ${COST_REQ[$cfg]}") µs | $(tr ' ' '\n' <<<"${COST_CPU_RATIOS[$cfg]}" | grep . | median) |${COST_CPU_RATIOS[$cfg]} |"
    done
    echo
  fi
  if [ -n "$SOAK_LINE" ]; then
    read -r n e secs warm end max db <<<"$SOAK_LINE"
    echo "## Memory soak (wrk, 64 connections, fresh listener)"
    echo
    echo "| notifications stored | failed | seconds | req/s | RSS after warm-up (10-20% of the run) | RSS at the end | max RSS | growth | database |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    echo "| $n | $e | $secs | $(( n / (secs > 0 ? secs : 1) )) | $(mb "$warm") MB | $(mb "$end") MB | $(mb "$max") MB | $(calc '%+.1f' "($end - $warm) * 100 / $warm")% | $db MB |"
    echo
  fi

  echo "## Targets"
  echo
  echo "| target | measured | result |"
  echo "|---|---|---|"
  if [ "$E2E" = 1 ]; then
  worst=1e9 best=0
  for c in $CONNECTIONS; do
    r=$(calc '%.3f' "${RPS[listener,$c]} / ${RPS[baseline,$c]}")
    worst=$(calc '%.3f' "($r < $worst) ? $r : $worst"); best=$(calc '%.3f' "($r > $best) ? $r : $best")
  done
  ok=$(calc '%d' "$worst >= 0.5")
  echo "| durable throughput >= 0.5 x baseline (each connection count) | ratio $worst to $best | $(pass "$ok")$([ "$ok" = 1 ] || echo ": $(calc '%.1f' "0.5 / $worst") x short at worst") |"
  read -r _ _ _ _ lf _ _ _ lp99 lp999 _ _ <<<"${FR[listener]}"
  ok=$(calc '%d' "$lp99 < 10 && $lf == 0")
  echo "| p99 < 10 ms at $RATE req/s, durable inbox | p99 $lp99 ms, p99.9 $lp999 ms, $lf failed | $(pass "$ok")$([ "$ok" = 1 ] || echo ": $(calc '%.1f' "$lp99 - 10") ms over") |"
  if [ -n "$MICRO_ROWS" ]; then
    min_mbps=$(cut -f5 <<<"$MICRO_ROWS" | sort -n | head -1)
    max_ratio=$(cut -f7 <<<"$MICRO_ROWS" | sort -n | tail -1)
    ok=$(calc '%d' "$min_mbps >= 150")
    echo "| parser >= 150 MB/s (each payload) | slowest $min_mbps MB/s | $(pass "$ok")$([ "$ok" = 1 ] || echo ": $(calc '%.0f' "150 - $min_mbps") MB/s short") |"
    ok=$(calc '%d' "$max_ratio <= 2")
    echo "| parser allocation <= 2 x request size (each payload) | $(cut -f1,7 <<<"$MICRO_ROWS" | awk -F'\t' '{printf "%s%s %s x", (NR > 1 ? ", " : ""), $1, $2}') | $(pass "$ok")$([ "$ok" = 1 ] || echo ": worst $(calc '%.1f' "$max_ratio / 2") x the limit") |"
  fi
  ok=$(calc '%d' "$BIG_P50 < 50")
  echo "| a 100-message push answered in < 50 ms | median $(calc '%.1f' "$BIG_P50") ms, max $(calc '%.1f' "$BIG_MAX") ms | $(pass "$ok") |"
  ok=$(calc '%d' "$STORAGE_PER <= 2 * $REQUEST_BYTES")
  echo "| bytes kept per request <= 2 x request size (+ the empty database, $STORAGE_EMPTY bytes) | $STORAGE_PER bytes per $REQUEST_BYTES-byte request | $(pass "$ok") |"
  ok=$(calc '%d' "$PEAK_LISTENER < 200 * 1024")
  echo "| peak RSS < 200 MB during the load runs | listener $(mb "$PEAK_LISTENER") MB (baseline $(mb "$PEAK_BASELINE") MB) | $(pass "$ok")$([ "$ok" = 1 ] || echo ": $(calc '%.0f' "$PEAK_LISTENER / 1024 - 200") MB over") |"
  fi
  if [ "$COST" = 1 ]; then
    # Throughput a CPU-bound service reaches is inversely proportional to its CPU per request.
    med() { tr ' ' '\n' <<<"$1" | grep . | median; }
    r=$(calc '%.3f' "1 / $(med "${COST_CPU_RATIOS[shipped]}")")
    ok=$(calc '%d' "$r >= 0.8")
    echo "| as shipped >= 0.8 x the Warning-level throughput (same run; 1 / CPU-per-request ratio, median of rounds) | $r (req/s ratio $(med "${COST_RATIOS[shipped]}")) | $(pass "$ok") |"
    r=$(calc '%.3f' "1 - 1 / $(med "${COST_CPU_RATIOS[telemetry]}")")
    ok=$(calc '%d' "$r <= 0.05")
    echo "| metrics and traces cost <= 5 % of throughput (same run; CPU per request, median of rounds) | $(calc '%.1f' "$r * 100") % (metrics alone $(calc '%.1f' "(1 - 1 / $(med "${COST_CPU_RATIOS[metrics]}")) * 100") %; req/s ratio $(med "${COST_RATIOS[telemetry]}")) | $(pass "$ok") |"
  fi
  if [ -n "$SOAK_LINE" ]; then
    read -r n _ _ warm end _ _ <<<"$SOAK_LINE"
    growth=$(calc '%.1f' "($end - $warm) * 100 / $warm")
    ok=$(calc '%d' "$growth <= 10 && $n >= 0.99 * $SOAK_N")
    echo "| RSS flat after warm-up over $SOAK_N notifications (growth <= 10%) | $n notifications, $growth% | $(pass "$ok") |"
  fi
} >"$WORK/latest.md"

mkdir -p "$ROOT/bench/results"
cp "$WORK/latest.md" "$ROOT/bench/results/latest.md"
echo
cat "$WORK/latest.md"
echo
echo "Written to bench/results/latest.md (${TOTAL} s)."
