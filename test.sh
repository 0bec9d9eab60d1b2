#!/usr/bin/env bash
# Runs the whole test suite: builds everything, installs and starts whatever real servers the tests need,
# and prints one closing line "N passed, N failed". Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build PushListener.sln -c Release -warnaserror -nologo -v quiet

# A private PostgreSQL for the store contract suite and the several-instances tests (installed when missing).
pg_folder=$(mktemp -d "${TMPDIR:-/tmp}/pushlistener-pg.XXXXXX")
log=$(mktemp)
trap 'scripts/postgres-test-server.sh stop "$pg_folder" || true; rm -f "$log"' EXIT
PUSHLISTENER_TEST_POSTGRES=$(scripts/postgres-test-server.sh start "$pg_folder")
export PUSHLISTENER_TEST_POSTGRES
status=0
dotnet test PushListener.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# dotnet test prints one summary per test assembly; add them up into the closing line CI reads.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
