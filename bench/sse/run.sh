#!/usr/bin/env bash
# SSE stock-delta stream: GET /v1/availability/stream?channel=&skus= on the embedded gateway (--in-memory --demo).
#   1. stock change -> SSE delivery latency at 1, 100 and 1,000 subscribers on channel web-uk filtered to one SKU
#      (skus=SKU-00001), and 1,000 unfiltered: a writer PUTs /v1/inventory/WH-UK-DAV/SKU-00001 every 100 ms on average
#      with a unique onHand for 15 s; every `stock` event is matched to its write (by version); p50/p99/p99.9/max from
#      the write's send and from its 2xx, events delivered vs expected, resyncs.
#   2. memory per idle SSE connection: the gateway's VmRSS and GC heap (after a full GC induced from outside with
#      dotnet-trace, read with dotnet-counters, both from ~/.dotnet/tools when there) before/after 1,000 idle subscribers.
#   3. hot-SKU isolation: cold-SKU reads (GET /v1/availability/SKU-xxxxx?channel=web-uk, every SKU but the hot one) open
#      loop at 2,000 req/s, idle and then while 64 carts PUT lines of the hot SKU (1, 0, 1, ...) closed loop; p99 ratio
#      (target <= 2) and the sale's writes/s and status codes.
# The gateway is pinned to CPU 0 (taskset), the load program (bench/sse, .NET) to CPU 1; the flash sale runs in a child
# process of it at nice 10 on CPU 1, so that the cold readers are not queued behind the carts' client work.
# Usage: bash bench/sse/run.sh   (from the repo root; ~3-5 min)
#   env: SKIP_BUILD=1 (reuse the last build)  BENCH_ARTIFACTS=/tmp/oms-bench-sse-build  PRODUCT_TREE=worktree|<git rev>
#        (build the working tree, or export that commit with git archive and build it: edits under way cannot break or
#        enter the measured build)  SECONDS_=15 (writer per row)  INTERVAL_MS=100  JITTER=0.5 (each gap uniform in
#        ±50 % of the interval; 0 = exactly every INTERVAL_MS)  SUBSCRIBERS=1,100,1000  UNFILTERED=1000 (0 = skip)
#        IDLE=1000  RATE=2000  ISO_SECONDS=15  CARTS=64  PIN=1  STRICT=1 (a missed isolation target exits 3)
#        STRICT_EVENTS=1 (a lost event fails the run)
# Ports: 5195 (HTTP), 11195 (silo), 30195 (Orleans gateway). Traffic: 127.0.0.1 only. Bounded: the program runs under
# `timeout 540`; every phase inside it is bounded in time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/sse"
ARTIFACTS=${BENCH_ARTIFACTS:-/tmp/oms-bench-sse-build}
GW_PORT=${GW_PORT:-5195}
SILO_PORT=${SILO_PORT:-11195}
ORLEANS_GW_PORT=${ORLEANS_GW_PORT:-30195}
GW_URL="http://127.0.0.1:$GW_PORT"
WORK=$(mktemp -d /tmp/oms-bench-sse.XXXXXX)
PRODUCT_TREE=${PRODUCT_TREE:-worktree}

PIDS=()
BENCH_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$BENCH_PID" ]]; then
    # timeout -> the load program -> its sale process (nice): the children first, by their parent's pid
    for kid in $(ps -o pid= --ppid "$BENCH_PID" 2>/dev/null); do
      for grandkid in $(ps -o pid= --ppid "$kid" 2>/dev/null); do kill "$grandkid" 2>/dev/null || true; done
      kill "$kid" 2>/dev/null || true
    done
    kill "$BENCH_PID" 2>/dev/null || true
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  echo "logs: $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "FAILED: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for port in "$GW_PORT" "$SILO_PORT" "$ORLEANS_GW_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is already in use"; fi
done

# --- build ---------------------------------------------------------------------------------------------------------
PRODUCT_ROOT="$ROOT"
if [[ "$PRODUCT_TREE" == worktree ]]; then
  REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- grains grain-interfaces client 2>/dev/null)" ]] && echo '+uncommitted changes' || true)"
else
  REV="$(git -C "$ROOT" rev-parse --short "$PRODUCT_TREE^{commit}" 2>/dev/null)" || die "PRODUCT_TREE=$PRODUCT_TREE is not a commit"
  PRODUCT_ROOT="$WORK/src"
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "exporting commit $REV to $PRODUCT_ROOT (built there, not in the working tree)"
    mkdir -p "$PRODUCT_ROOT"
    git -C "$ROOT" archive "$REV" | tar -x -C "$PRODUCT_ROOT" || die "git archive $REV failed"
  else
    PRODUCT_ROOT="$ROOT" # SKIP_BUILD: the binaries are the last build's; the gateway only needs a content root
  fi
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # Own artifacts folder: a build or test run by someone else in the tree cannot swap the binaries mid-run.
  log "building gateway ($PRODUCT_ROOT) and bench (Release, artifacts in $ARTIFACTS)"
  for proj in "$PRODUCT_ROOT/client/Oms.Gateway/Oms.Gateway.csproj" "$HERE/Sse.csproj"; do
    dotnet build -c Release "$proj" --artifacts-path "$ARTIFACTS" -nologo -v q >>"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; die "build of $proj failed"; }
  done
fi
GATEWAY_DLL="$ARTIFACTS/bin/Oms.Gateway/release/Oms.Gateway.dll"
BENCH_DLL="$ARTIFACTS/bin/Sse/release/Sse.dll"
for f in "$GATEWAY_DLL" "$BENCH_DLL"; do [[ -f "$f" ]] || die "missing $f"; done

PIN_GW=(); PIN_LG=()
if [[ "${PIN:-1}" == 1 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then PIN_GW=(taskset -c 0); PIN_LG=(taskset -c 1); fi
TOOLS=""
if [[ -x "$HOME/.dotnet/tools/dotnet-trace" && -x "$HOME/.dotnet/tools/dotnet-counters" ]]; then TOOLS="$HOME/.dotnet/tools"
else log "dotnet-trace/dotnet-counters not in ~/.dotnet/tools: memory is RSS only (dotnet tool install -g dotnet-trace dotnet-counters)"; fi

# --- gateway -------------------------------------------------------------------------------------------------------
export ASPNETCORE_ENVIRONMENT=Production
export Logging__LogLevel__Default=Warning
log "starting gateway --in-memory --demo on $GW_URL ${PIN_GW[*]:-unpinned}"
(cd "$PRODUCT_ROOT/client/Oms.Gateway" && exec env 'Logging__LogLevel__Oms.Demo=Information' ${PIN_GW[@]+"${PIN_GW[@]}"} dotnet "$GATEWAY_DLL" --in-memory --demo \
  --urls "$GW_URL" --silo-port "$SILO_PORT" --gateway-port "$ORLEANS_GW_PORT") >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
deadline=$((SECONDS + 120))
until grep -q "Demo data loaded" "$WORK/gateway.log" 2>/dev/null; do
  kill -0 "$GW_PID" 2>/dev/null || { tail -40 "$WORK/gateway.log"; die "gateway exited during start"; }
  grep -q "Demo data failed" "$WORK/gateway.log" && { tail -60 "$WORK/gateway.log"; die "demo data failed to load"; }
  (( SECONDS < deadline )) || { tail -40 "$WORK/gateway.log"; die "no 'Demo data loaded' within 120 s"; }
  sleep 0.5
done
log "$(grep -o 'Demo data loaded.*' "$WORK/gateway.log" | head -1)"
grep -q 'Oms.Gateway.dll' "/proc/$GW_PID/cmdline" 2>/dev/null || die "pid $GW_PID is not the gateway ($(tr '\0' ' ' <"/proc/$GW_PID/cmdline"))"
log "gateway pid $GW_PID, affinity $(taskset -pc "$GW_PID" 2>/dev/null | awk '{ print $NF }'), VmRSS $(awk '/VmRSS/ { print $2, $3 }' "/proc/$GW_PID/status")"
code=$(curl -s -o "$WORK/sample.json" -w '%{http_code}' --max-time 5 "$GW_URL/v1/availability/SKU-00001?channel=web-uk" || true)
[[ "$code" == 200 ]] || { cat "$WORK/sample.json"; die "GET /v1/availability/SKU-00001?channel=web-uk answered $code"; }

# --- the load program ----------------------------------------------------------------------------------------------
rc=0
timeout 540 ${PIN_LG[@]+"${PIN_LG[@]}"} dotnet "$BENCH_DLL" --url "$GW_URL" --gateway-pid "$GW_PID" --tools "$TOOLS" --work "$WORK" \
  --seconds "${SECONDS_:-15}" --interval-ms "${INTERVAL_MS:-100}" --jitter "${JITTER:-0.5}" --subscribers "${SUBSCRIBERS:-1,100,1000}" \
  --unfiltered "${UNFILTERED:-1000}" --idle "${IDLE:-1000}" --rate "${RATE:-2000}" --iso-seconds "${ISO_SECONDS:-15}" --carts "${CARTS:-64}" \
  --strict "${STRICT:-0}" --strict-events "${STRICT_EVENTS:-0}" >"$WORK/result.txt" 2> >(tee "$WORK/bench.log" >&2) &
BENCH_PID=$!
wait "$BENCH_PID" || rc=$?
BENCH_PID=""
cat "$WORK/result.txt"

kill -0 "$GW_PID" 2>/dev/null || die "gateway died during the run"
if grep -qE '^(fail|crit):' "$WORK/gateway.log"; then
  log "the gateway logged errors:"; grep -A5 -E '^(fail|crit):' "$WORK/gateway.log" | head -40 >&2
fi
stalls=$(grep -cE 'stalled for|took elapsed time' "$WORK/gateway.log" || true)
(( stalls == 0 )) || log "the gateway logged $stalls Orleans stall warnings (thread pool / platform stalled, long work items): see $WORK/gateway.log"
echo
echo "Product source: $REV (built into $ARTIFACTS); $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Load average (1/5/15 min) before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) -- a shared machine: see the cpu0 'others' and steal figures per row"
echo "Gateway: --in-memory --demo, ${PIN_GW[*]:-unpinned}, ASPNETCORE_ENVIRONMENT=Production, log level Warning; load program ${PIN_LG[*]:-unpinned}; gateway VmRSS at the end $(awk '/VmRSS/ { print $2, $3 }' "/proc/$GW_PID/status")"
case "$rc" in
  0) ;;
  3) echo "isolation target missed (STRICT=1)"; exit 3 ;;
  124) die "the load program did not finish within 540 s" ;;
  *) die "the load program exited $rc" ;;
esac
