#!/usr/bin/env bash
# Writes the OpenAPI document the gateway serves (GET /openapi/v1.json) to $1: starts the Release build of the
# gateway in memory on free ports, fetches the document, stops the gateway. Build first (dotnet build -c Release).
set -euo pipefail
out="${1:?usage: served-document.sh OUTPUT.json}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dll="$root/client/Oms.Gateway/bin/Release/net10.0/Oms.Gateway.dll"
[[ -f "$dll" ]] || { echo "served-document.sh: $dll is missing: build in Release first" >&2; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
http_port=$(free_port); silo_port=$(free_port); gateway_port=$(free_port)
log="$(mktemp)"
dotnet "$dll" --in-memory --urls "http://127.0.0.1:$http_port" --silo-port "$silo_port" --gateway-port "$gateway_port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$http_port/openapi/v1.json" -o "$out"; then exit 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "served-document.sh: the gateway exited" >&2; exit 1; }
    sleep 0.5
done
cat "$log" >&2
echo "served-document.sh: no document within 60 s" >&2
exit 1
