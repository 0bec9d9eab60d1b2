#!/usr/bin/env bash
# The SoapCore comparison: starts the listener (Release build) on a free loopback port with a throw-away data folder,
# hosts the SoapCore service in the comparison program, sends both the same Exchange-shaped and hostile requests and
# writes the table to bench/SoapCoreComparison/results.md. Usage: bench/SoapCoreComparison/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/PushListener -c Release -nologo -v quiet >/dev/null
dotnet build bench/SoapCoreComparison -c Release -nologo -v quiet >/dev/null

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# From its build folder, so that it finds its appsettings.json.
(cd src/PushListener/bin/Release/net10.0 && exec dotnet PushListener.dll --Kestrel:Endpoints:Http:Url=http://127.0.0.1:$port \
  --PushListener:Inbox:DataFolder="$work/data" --PushListener:Handlers:log:Enabled=false \
  --Serilog:MinimumLevel:Default=Warning) >"$work/listener.log" 2>&1 &
listener=$!
trap 'kill $listener 2>/dev/null || true; wait $listener 2>/dev/null || true; rm -rf "$work"' EXIT
healthy=0
for _ in $(seq 1 150); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.2
done
if [ "$healthy" = 0 ]; then echo "the listener did not start:" >&2; cat "$work/listener.log" >&2; exit 1; fi

dotnet bench/SoapCoreComparison/bin/Release/net10.0/PushListener.Bench.SoapCoreComparison.dll \
  --fixtures tests/Fixtures --listener "http://127.0.0.1:$port/ews/notifications" --out bench/SoapCoreComparison/results.md
