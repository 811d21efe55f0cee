#!/usr/bin/env bash
# Availability reads through separate cluster-mode gateway processes on the durable 2-silo PostgreSQL cluster
# (deploy/local-cluster.sh), against the bare app (bench/availability/Baseline) answering the same bytes, same run.
#   pass 1: one gateway on CPU 0 (taskset), wrk on CPU 1 (with the silos and PostgreSQL): peak req/s, p50/p99, the
#           gateway's CPU per read and the silos' CPU per read (what a read costs the cluster behind the gateway).
#   pass 2: the baseline on CPU 0, the same wrk.
#   pass 3: two gateways, one per core, each with its own wrk (-c16, unpinned): total req/s.
# A second gateway process (started with --demo: it loads the demo data into the cluster) is the other gateway.
# Usage (repo root): flock /tmp/oms-cluster-bench.lock bash bench/availability/cluster.sh
# Env: DURATION=15 WARMUP=10 SKIP_BUILD=1 (reuse the Release build), AVAIL_CLUSTER_DATA (default /tmp/oms-avail-cluster),
#      AVAIL_PG_PORT (default 55483). Ports: 5080 (local-cluster gateway), 5093 (second gateway), 5182 (baseline).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/availability"
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-10}
export OMS_DATA=${AVAIL_CLUSTER_DATA:-/tmp/oms-avail-cluster}
export OMS_PG_PORT=${AVAIL_PG_PORT:-55483}
PGDIR="$OMS_DATA/pg"
LC="$ROOT/deploy/local-cluster.sh"
GW1="http://127.0.0.1:5080"
GW2="http://127.0.0.1:5093"
BASE="http://127.0.0.1:5182"
ARTIFACTS=${BENCH_ARTIFACTS:-/tmp/oms-bench-build}
WORK=$(mktemp -d /tmp/oms-bench-avail-cluster.XXXXXX)
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "FAILED: $*" >&2; exit 1; }
# shellcheck source=../lib/cpu-ticks.sh
source "$ROOT/bench/lib/cpu-ticks.sh"
TICK=$(getconf CLK_TCK)
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  timeout 90 "$LC" down >"$WORK/down.log" 2>&1 || true
  echo "logs: $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v wrk >/dev/null || die "wrk not installed (bench/availability/run.sh installs it)"
command -v taskset >/dev/null && (( $(nproc) >= 2 )) || die "needs taskset and 2 cores"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
REV=$(git -C "$ROOT" rev-parse --short HEAD)

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building the baseline"
  dotnet build -c Release "$HERE/Baseline/Baseline.csproj" --artifacts-path "$ARTIFACTS" -nologo -v q >"$WORK/build.log" 2>&1 || die "baseline build failed"
else
  export OMS_NO_BUILD=1
fi
[[ -d "$OMS_DATA" ]] && { "$LC" down >/dev/null 2>&1 || true; rm -rf "$OMS_DATA"; }
log "local-cluster.sh up (log $WORK/up.log)"
timeout 600 "$LC" up >"$WORK/up.log" 2>&1 || { tail -n 30 "$WORK/up.log" >&2; die "local-cluster.sh up failed"; }
export API_KEY=$(cat "$OMS_DATA/api-key")
CS="Host=127.0.0.1;Port=$OMS_PG_PORT;Username=postgres;Database=oms"

log "second gateway with --demo on $GW2 (loads the demo data into the cluster)"
(cd "$ROOT/client/Oms.Gateway" && exec env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning 'Logging__LogLevel__Oms.Demo=Information' \
  Oms__Auth__Keys__0__Name=bench Oms__Auth__Keys__0__Key="$API_KEY" Oms__Auth__Keys__0__Scopes__0=admin \
  dotnet "$ROOT/client/Oms.Gateway/bin/Release/net10.0/Oms.Gateway.dll" --cluster --demo --connection "$CS" --urls "$GW2") >"$WORK/gateway2.log" 2>&1 &
GW2_PID=$!
PIDS+=("$GW2_PID")
deadline=$((SECONDS + 180))
until grep -q "Demo data loaded" "$WORK/gateway2.log"; do
  kill -0 "$GW2_PID" 2>/dev/null || { tail -30 "$WORK/gateway2.log" >&2; die "second gateway exited"; }
  (( SECONDS < deadline )) || die "no demo data within 180 s"
  sleep 1
done
log "$(grep -o 'Demo data loaded.*' "$WORK/gateway2.log")"
(cd "$HERE/Baseline" && exec taskset -c 0 dotnet "$ARTIFACTS/bin/Baseline/release/Baseline.dll" --urls "$BASE") >"$WORK/baseline.log" 2>&1 &
BASE_PID=$!
PIDS+=("$BASE_PID")
for url in "$GW1" "$GW2"; do
  code=$(curl -s -o "$WORK/sample.json" -w '%{http_code}' -H "X-Api-Key: $API_KEY" "$url/v1/availability/SKU-00001?channel=web-uk")
  [[ "$code" == 200 ]] || { cat "$WORK/sample.json" >&2; die "$url answered $code"; }
done
until curl -sf -o /dev/null "$BASE/v1/availability/SKU-00001?channel=web-uk"; do sleep 0.3; done

G1=$(pidfile gateway); S1=$(pidfile silo1); S2=$(pidfile silo2)
pin() { taskset -a -p -c "$1" "$2" >/dev/null; }
pin 0 "$G1"
for p in "$S1" "$S2" "$GW2_PID" $(head -1 "$PGDIR/postmaster.pid") $(ps -o pid= --ppid "$(head -1 "$PGDIR/postmaster.pid")"); do pin 1 "$p" || true; done

# One closed-loop wrk run: prints "rps p50_ms p99_ms errors".
wrk_run() { # url seconds connections out [cpu]
  local pinning=()
  [[ -n "${5:-}" ]] && pinning=(taskset -c "$5")
  timeout $(($2 + 30)) "${pinning[@]}" wrk -t1 -c"$3" -d"$2s" --timeout 10s --latency -s "$HERE/random-sku.lua" "$1" >"$4" 2>&1 || { cat "$4" >&2; die "wrk against $1 failed"; }
  awk '/^WRK /{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%.1f %.3f %.3f %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000,
      v["err_connect"] + v["err_read"] + v["err_write"] + v["err_status"] + v["err_timeout"] }' "$4"
}
per_req() { awk -v a="$1" -v b="$2" -v t="$TICK" -v r="$3" -v s="$4" 'BEGIN { printf "%.1f", (r > 0) ? (b - a) / t * 1e6 / (r * s) : 0 }'; }

log "pass 1: one gateway (CPU 0), wrk on CPU 1: warm-up ${WARMUP}s, then ${DURATION}s"
wrk_run "$GW1" "$WARMUP" 32 "$WORK/warm1.txt" 1 >/dev/null
g0=$(proc_ticks "$G1"); s0=$(proc_ticks "$S1" "$S2")
read -r R1 P50_1 P99_1 E1 < <(wrk_run "$GW1" "$DURATION" 32 "$WORK/gw1.txt" 1)
g1=$(proc_ticks "$G1"); s1=$(proc_ticks "$S1" "$S2")
GW_CPU=$(per_req "$g0" "$g1" "$R1" "$DURATION"); SILO_CPU=$(per_req "$s0" "$s1" "$R1" "$DURATION")

log "pass 2: baseline (CPU 0), same wrk"
wrk_run "$BASE" "$WARMUP" 32 "$WORK/warmb.txt" 1 >/dev/null
b0=$(proc_ticks "$BASE_PID")
read -r RB P50_B P99_B EB < <(wrk_run "$BASE" "$DURATION" 32 "$WORK/base.txt" 1)
b1=$(proc_ticks "$BASE_PID")
BASE_CPU=$(per_req "$b0" "$b1" "$RB" "$DURATION")

log "pass 3: two gateways (CPU 0 and CPU 1), a wrk each (-c16, unpinned)"
pin 1 "$GW2_PID"
wrk_run "$GW2" "$WARMUP" 16 "$WORK/warm2.txt" >/dev/null
wrk_run "$GW1" "$DURATION" 16 "$WORK/two-1.txt" >"$WORK/two-1.res" &
w1=$!
wrk_run "$GW2" "$DURATION" 16 "$WORK/two-2.txt" >"$WORK/two-2.res" &
w2=$!
wait "$w1" "$w2"
read -r T1 _ T1P99 TE1 <"$WORK/two-1.res"
read -r T2 _ T2P99 TE2 <"$WORK/two-2.res"
(( E1 + EB + TE1 + TE2 == 0 )) || die "errors or non-2xx answers: gateway $E1, baseline $EB, two gateways $TE1 + $TE2"

echo
echo "Availability reads through cluster-mode gateways, 2-silo PostgreSQL cluster (random SKU-00001..00500 x web-uk/de/fr; $(date -u +%Y-%m-%dT%H:%MZ))"
echo "Product: $REV. Load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg). wrk -t1, ${DURATION}s after ${WARMUP}s warm-up."
printf '%-44s %10s %8s %8s %14s %14s\n' "" "req/s" "p50 ms" "p99 ms" "server us/req" "silos us/req"
printf '%-44s %10.0f %8.2f %8.2f %14s %14s\n' "one gateway (CPU 0; wrk, silos, PG on CPU 1)" "$R1" "$P50_1" "$P99_1" "$GW_CPU" "$SILO_CPU"
printf '%-44s %10.0f %8.2f %8.2f %14s %14s\n' "bare ASP.NET Core (CPU 0), same bytes" "$RB" "$P50_B" "$P99_B" "$BASE_CPU" "-"
printf '%-44s %10.2f\n' "ratio one gateway / bare app" "$(awk -v a="$R1" -v b="$RB" 'BEGIN { print a / b }')"
printf '%-44s %10.0f %8s %8.2f   (%0.f + %0.f; p99 the worse of the two)\n' "two gateways (CPU 0, CPU 1), a wrk each" "$(awk -v a="$T1" -v b="$T2" 'BEGIN { print a + b }')" "" \
  "$(awk -v a="$T1P99" -v b="$T2P99" 'BEGIN { print (a > b) ? a : b }')" "$T1" "$T2"
echo "Target (issue 10): one gateway >= 0.5x the bare app -> $(awk -v a="$R1" -v b="$RB" 'BEGIN { print (a / b >= 0.5) ? "yes" : "NO" }')"
