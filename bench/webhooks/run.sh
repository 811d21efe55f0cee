#!/usr/bin/env bash
# Webhook delivery: events/s to 10 signed-webhook receivers while orders are placed over HTTP, 201 -> order.created
# latency at a steady rate, events and event-JSON bytes per order, orders/s with and without the subscriptions, and
# beside it a bare HttpClient posting the same signed bodies to the same receivers (8 concurrent per receiver).
# The gateway runs as its own process, embedded mode on SQLite (a fresh --data file; MODE=memory for --in-memory),
# pinned to CPU 0; this program (load generator + the 10 Kestrel receivers) to CPU 1 (PIN=0 turns pinning off).
# Usage: bash bench/webhooks/run.sh   (env: SKIP_BUILD=1 MODE=sqlite|memory RATE=10 SECONDS_=15 CONCURRENCY=16 IDEMPOTENCY=1)
# Ports: free ones picked at start (gateway HTTP, silo, Orleans gateway; receivers on port 0). Bounded: 300 s.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/webhooks"
ARTIFACTS=${BENCH_ARTIFACTS:-/tmp/oms-bench-build}
WORK=$(mktemp -d /tmp/oms-bench-webhooks.XXXXXX)
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "FAILED: $* (logs in $WORK)" >&2; exit 1; }
GW_PID=""
cleanup() { [[ -n "$GW_PID" ]] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null; true; }
trap cleanup EXIT

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building gateway and bench (Release, artifacts in $ARTIFACTS)"
  for proj in "$ROOT/client/Oms.Gateway/Oms.Gateway.csproj" "$HERE/Webhooks.csproj"; do
    dotnet build -c Release "$proj" --artifacts-path "$ARTIFACTS" -nologo -v q >>"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; die "build of $proj"; }
  done
fi
GATEWAY_DLL="$ARTIFACTS/bin/Oms.Gateway/release/Oms.Gateway.dll"
BENCH_DLL="$ARTIFACTS/bin/Webhooks/release/Webhooks.dll"
for f in "$GATEWAY_DLL" "$BENCH_DLL"; do [[ -f "$f" ]] || die "missing $f"; done

read -r HTTP_PORT SILO_PORT ORLEANS_GW_PORT < <(python3 -c '
import socket
ss=[socket.socket() for _ in range(3)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(*[s.getsockname()[1] for s in ss])')
URL="http://127.0.0.1:$HTTP_PORT"
PIN_GW=(); PIN_LG=()
if [[ "${PIN:-1}" == 1 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then PIN_GW=(taskset -c 0); PIN_LG=(taskset -c 1); fi

echo "Product source: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- grains grain-interfaces client 2>/dev/null)" ]] && echo '+uncommitted changes' || true); $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
export ASPNETCORE_ENVIRONMENT=Production
export Logging__LogLevel__Default=Warning
export Oms__Webhooks__AllowedHosts__0=127.0.0.1
args=(--urls "$URL" --silo-port "$SILO_PORT" --gateway-port "$ORLEANS_GW_PORT")
if [[ "${MODE:-sqlite}" == memory ]]; then args+=(--in-memory); else args+=(--data "$WORK/oms.db"); fi
log "starting gateway (${MODE:-sqlite}) on $URL ${PIN_GW[*]:-unpinned}"
(cd "$ROOT/client/Oms.Gateway" && exec ${PIN_GW[@]+"${PIN_GW[@]}"} dotnet "$GATEWAY_DLL" "${args[@]}") >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
deadline=$((SECONDS + 90))
until curl -sf -o /dev/null --max-time 5 "$URL/health/ready"; do
  kill -0 "$GW_PID" 2>/dev/null || { tail -40 "$WORK/gateway.log"; die "gateway exited during start"; }
  (( SECONDS < deadline )) || { tail -40 "$WORK/gateway.log"; die "gateway not ready within 90 s"; }
  sleep 0.5
done
log "gateway ready"
rc=0
timeout 300 ${PIN_LG[@]+"${PIN_LG[@]}"} dotnet "$BENCH_DLL" --url "$URL" --gateway-pid "$GW_PID" --rate "${RATE:-10}" \
  --seconds "${SECONDS_:-15}" --concurrency "${CONCURRENCY:-16}" --idempotency "${IDEMPOTENCY:-1}" 2> >(tee "$WORK/bench.log" >&2) || rc=$?
kill -0 "$GW_PID" 2>/dev/null || die "gateway died during the run"
if grep -qE '^(fail|crit):' "$WORK/gateway.log"; then log "the gateway logged errors:"; grep -A5 -E '^(fail|crit):' "$WORK/gateway.log" | head -30 >&2; fi
[[ -f "$WORK/oms.db" ]] && echo "SQLite files after the run: $(du -cb "$WORK"/oms.db* | tail -1 | cut -f1) bytes"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg); logs in $WORK"
(( rc == 0 )) || die "bench exited $rc"
