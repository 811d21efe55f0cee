#!/usr/bin/env bash
# Bulk feed: POST /v1/inventory/batch with 100,000 rows (distinct location x SKU over 3 locations), timed end to end,
# on the embedded gateway in both storage modes in turn: --in-memory, then SQLite (a fresh --data /tmp/... file).
#   run 1: new location x SKU records (first write of each grain state)
#   run 2: the same rows with a newer asOf (updates of existing records)
# Baseline, same run: the same 100,000 rows upserted straight into SQLite by python3's sqlite3 (the product's own
# table, index and write statement, ONE transaction), plus the cost of one transaction per row, as the product commits.
# Mode "cluster" (MODES="memory sqlite cluster"): the durable 2-silo PostgreSQL cluster of deploy/local-cluster.sh, by
# cluster.sh under flock /tmp/oms-cluster-bench.lock (its ports are fixed and shared with bench/orders), with its own
# baselines on the same PostgreSQL server: the product's writetostorage() 100,000 times by psql (1,000 per transaction), and the
# relational way (COPY into a staging table + one INSERT ... ON CONFLICT by asOf).
# Target (issue 9): < 10 s for 100,000 rows durable (SQLite with fsync, the PostgreSQL cluster), < 3 s in memory.
# Usage: bash bench/feed-batch/run.sh   (from the repo root; env: ROWS=100000 MODES="memory sqlite" SKIP_BUILD=1
#        MAX_POST_SECONDS=600 STRICT=1 makes a missed target exit 3). Traffic: 127.0.0.1 only.
# Stock events: CHANNELS=3 ONHAND_SHIFT=1 Oms__Events__Stock=true bash bench/feed-batch/run.sh (channels of every warehouse; each SKU
#        then announces stock.* per channel, and the gateway pays the view load, the announcement read/write, the log;
#        ONHAND_SHIFT=1 makes the update batch change every level, so that updates announce too).
# Warm-up: WARMUP_ROWS=6000 (0 = cold) rows of other SKUs are posted twice (new, then update) after each start and
#        before the timed runs, so the figures are those of a running gateway rather than of the JIT and tiering of a
#        fresh process (which a cold run pays: ~10-14 % of its CPU samples were in the JIT).
# Profile: PROFILE="memory-new sqlite-update" (any mode-run pairs) traces the gateway (cluster-*: silo1) during those
#        POSTs with dotnet-trace collect-linux --profile cpu-sampling (PROFILE_SECONDS=12 from the POST's start) and charges the
#        samples to components with bench/orders/ProfileReport (reports beside the logs, summary at the end). The
#        profiled runs' own figures are disturbed by the profiler: do not use them.
set -euo pipefail

ROOT=${FEED_BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# bash reads a script as it runs: run a copy, so editing this file during a run cannot break it.
if [[ -z "${FEED_BENCH_COPY:-}" ]]; then
  copy=$(mktemp /tmp/oms-feed-run.XXXXXX.sh)
  cp "${BASH_SOURCE[0]}" "$copy"
  FEED_BENCH_COPY=$copy FEED_BENCH_ROOT=$ROOT exec bash "$copy" "$@"
fi
rm -f "$FEED_BENCH_COPY"
HERE="$ROOT/bench/feed-batch"
ROWS=${ROWS:-100000}
WARMUP_ROWS=${WARMUP_ROWS:-6000}
MODES=${MODES:-"memory sqlite"}
MAX_POST_SECONDS=${MAX_POST_SECONDS:-600}
# Channels (all warehouses eligible): with Oms__Events__Stock=true each SKU announces stock events per channel.
CHANNELS=${CHANNELS:-0}
GW_PORT=${GW_PORT:-5184}
SILO_PORT=${SILO_PORT:-11184}
ORLEANS_GW_PORT=${ORLEANS_GW_PORT:-30184}
URL="http://127.0.0.1:$GW_PORT"
ARTIFACTS=${BENCH_ARTIFACTS:-/tmp/oms-bench-build}
WORK=$(mktemp -d /tmp/oms-bench-feed.XXXXXX)
LOCATIONS=(BENCH-1 BENCH-2 BENCH-3)

GW_PID=""
stop_gateway() {
  [[ -n "$GW_PID" ]] || return 0
  kill "$GW_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$GW_PID" 2>/dev/null || true
  GW_PID=""
}
cleanup() { local rc=$?; stop_gateway; echo "logs and data: $WORK" >&2; exit "$rc"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "FAILED: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- grains grain-interfaces client 2>/dev/null)" ]] && echo '+uncommitted changes' || true)"
command -v python3 >/dev/null || die "python3 is required (batch generator and SQLite baseline)"
if curl -s -o /dev/null --max-time 1 "$URL/"; then die "port $GW_PORT is already in use"; fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building the gateway (Release, artifacts in $ARTIFACTS)"
  dotnet build -c Release "$ROOT/client/Oms.Gateway/Oms.Gateway.csproj" --artifacts-path "$ARTIFACTS" -nologo -v q >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log"; die "build failed"; }
fi
GATEWAY_DLL="$ARTIFACTS/bin/Oms.Gateway/release/Oms.Gateway.dll"
[[ -f "$GATEWAY_DLL" ]] || die "missing $GATEWAY_DLL"

log "generating two $ROWS-row batches"
python3 "$HERE/gen_batch.py" "$WORK/batch-new.json" "$ROWS" "2026-01-01T00:00:00Z" "${LOCATIONS[@]}"
ONHAND_SHIFT=${ONHAND_SHIFT:-0} python3 "$HERE/gen_batch.py" "$WORK/batch-update.json" "$ROWS" "2026-01-02T00:00:00Z" "${LOCATIONS[@]}"
if (( WARMUP_ROWS > 0 )); then
  SKU_PREFIX=WSKU- python3 "$HERE/gen_batch.py" "$WORK/warmup-new.json" "$WARMUP_ROWS" "2026-01-01T00:00:00Z" "${LOCATIONS[@]}"
  SKU_PREFIX=WSKU- python3 "$HERE/gen_batch.py" "$WORK/warmup-update.json" "$WARMUP_ROWS" "2026-01-02T00:00:00Z" "${LOCATIONS[@]}"
fi
log "batch body: $(stat -c %s "$WORK/batch-new.json") bytes"

export ASPNETCORE_ENVIRONMENT=Production
export Logging__LogLevel__Default=Warning

start_gateway() { # mode
  local args=(--urls "$URL" --silo-port "$SILO_PORT" --gateway-port "$ORLEANS_GW_PORT")
  if [[ $1 == memory ]]; then args+=(--in-memory); else args+=(--data "$WORK/oms.db"); fi
  (cd "$ROOT/client/Oms.Gateway" && exec dotnet "$GATEWAY_DLL" "${args[@]}") >"$WORK/gateway-$1.log" 2>&1 &
  GW_PID=$!
  local deadline=$((SECONDS + 90))
  until curl -sf -o /dev/null --max-time 6 "$URL/health/ready"; do
    kill -0 "$GW_PID" 2>/dev/null || { tail -40 "$WORK/gateway-$1.log"; die "gateway ($1) exited during start"; }
    (( SECONDS < deadline )) || { tail -40 "$WORK/gateway-$1.log"; die "gateway ($1) not ready within 90 s"; }
    sleep 0.5
  done
  for loc in "${LOCATIONS[@]}"; do
    local code
    code=$(curl -s -o "$WORK/put.json" -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Type: application/json' \
      -d '{"name":"b","type":"warehouse","latitude":51,"longitude":0}' "$URL/v1/locations/$loc")
    [[ "$code" == 200 || "$code" == 201 ]] || { cat "$WORK/put.json"; die "PUT /v1/locations/$loc answered $code"; }
  done
  for i in $(seq 1 "$CHANNELS"); do
    local code
    code=$(curl -s -o "$WORK/put.json" -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Type: application/json' \
      -d '{"name":"b","region":"eu","locationTypes":["warehouse"]}' "$URL/v1/channels/BCH-$i")
    [[ "$code" == 200 || "$code" == 201 ]] || { cat "$WORK/put.json"; die "PUT /v1/channels/BCH-$i answered $code"; }
  done
}

# Prints "seconds applied ignored rejected"; the answer body stays in $WORK.
post_batch() { # mode run file
  local out="$WORK/answer-$1-$2.json" code
  code=$(curl -s -o "$out" -w '%{http_code} %{time_total}' --max-time "$MAX_POST_SECONDS" -X POST \
    -H 'Content-Type: application/json' --data-binary "@$3" "$URL/v1/inventory/batch" || echo "000 timeout")
  local status=${code%% *} secs=${code##* }
  if [[ "$status" != 200 ]]; then
    log "POST /v1/inventory/batch ($1, $2) answered HTTP $status after ${secs}s: $(head -c 600 "$out" 2>/dev/null)"
    echo "$secs -1 -1 -1"
    return
  fi
  python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(sys.argv[2], a.get("applied"), a.get("ignored"), len(a.get("rejected") or []))' "$out" "$secs"
}

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

PROFILE=${PROFILE:-}
PROFILE_SECONDS=${PROFILE_SECONDS:-12}
PROF_PID=""
if [[ -n "$PROFILE" ]]; then
  export PATH="$PATH:$HOME/.dotnet/tools"
  command -v dotnet-trace >/dev/null || timeout 300 dotnet tool install -g dotnet-trace --version 10.0.750501 >/dev/null
  REPORT_BUILD=${REPORT_BUILD:-/tmp/oms-profile-build}
  timeout 300 dotnet build -c Release "$ROOT/bench/orders/ProfileReport/ProfileReport.csproj" --artifacts-path "$REPORT_BUILD" -nologo -v q >"$WORK/report-build.log" 2>&1 ||
    { tail -20 "$WORK/report-build.log"; die "ProfileReport build failed"; }
  REPORT_DLL="$(find "$REPORT_BUILD/bin" -name ProfileReport.dll -path '*release*' | head -n 1)"
fi
# Where a feed row's CPU goes, inclusive (a sample counts for every path on its stack): passed to ProfileReport.
FEED_PATHS=(
  "HTTP endpoint + JSON body=Oms\.Gateway\.Inventory|System\.Text\.Json"
  "FeedBatchGrain.ApplyAsync=FeedBatchGrain"
  "grain activation (ActivationData.ActivateAsync: OnActivate, state read)=ActivationData\+<ActivateAsync>|ActivationData::ActivateAsync|ActivationData\+<CallActivateAsync>"
  "placement / grain directory=PlacementService|GrainDirectory|GrainLocator|LocalGrainDirectory"
  "InventoryGrain.SetLevelAsync (incl. commit)=InventoryGrain\+<SetLevelAsync>|InventoryGrain::SetLevelAsync"
  "storage write (bridge, group commit / memory storage)=StateStorageBridge.*Write|GroupCommitGrainStorage|MemoryGrainStorage.*Write|MemoryStorageGrain"
  "storage read=StateStorageBridge.*Read|ReadStateAsync"
  "view push (InventoryGrain.PushToViewAsync + SkuAvailabilityGrain.Update*)=PushToView|SkuAvailabilityGrain\+<Update|SkuAvailabilityGrain::Update"
  "stock-delta stream publish/delivery=Orleans\.Streams|Orleans\.Providers\.Streams|MemoryStreamQueue|MemoryAdapter|StockDeltaHub"
  "dashboard call profiler=Orleans\.Dashboard"
  "Orleans serialization / copiers=Orleans\.Serialization|Codec|Copier"
  "JIT (libclrjit)=libclrjit"
  "metrics (OpenTelemetry, System.Diagnostics.Metrics)=OpenTelemetry|System\.Diagnostics\.Metrics"
)

start_profile() { # tag
  [[ " $PROFILE " == *" $1 "* ]] || return 0
  log "profile: ${PROFILE_SECONDS}s of cpu-sampling on the gateway ($GW_PID) -> $WORK/$1.nettrace"
  timeout $((PROFILE_SECONDS + 180)) dotnet-trace collect-linux -p "$GW_PID" --profile cpu-sampling \
    --duration "$(printf '00:00:%02d' "$PROFILE_SECONDS")" -o "$WORK/$1.nettrace" >"$WORK/trace-$1.log" 2>&1 &
  PROF_PID=$!
}
finish_profile() { # tag
  [[ -n "$PROF_PID" ]] || return 0
  wait "$PROF_PID" || log "dotnet-trace for $1 exited with $? (see $WORK/trace-$1.log)"
  PROF_PID=""
}

declare -A T A I R RSS CPU BATCHING
CLUSTER_LOCK=${CLUSTER_LOCK:-/tmp/oms-cluster-bench.lock}
for mode in $MODES; do
  if [[ $mode == cluster ]]; then
    log "mode cluster: waiting for $CLUSTER_LOCK (bench/orders holds it while its cluster runs)"
    ROOT=$ROOT HERE=$HERE WORK=$WORK ROWS=$ROWS WARMUP_ROWS=$WARMUP_ROWS MAX_POST_SECONDS=$MAX_POST_SECONDS SKIP_BUILD=${SKIP_BUILD:-0} \
      LOCATIONS_LIST="${LOCATIONS[*]}" PROFILE="$PROFILE" PROFILE_SECONDS=$PROFILE_SECONDS \
      flock "$CLUSTER_LOCK" bash "$HERE/cluster.sh" || { log "the cluster run failed"; BAD=1; }
    # shellcheck disable=SC1091
    [[ -f "$WORK/cluster.env" ]] && source "$WORK/cluster.env"
    [[ "${A[cluster-new]:-}" == "$ROWS" && "${A[cluster-update]:-}" == "$ROWS" ]] || BAD=1
    continue
  fi
  log "mode $mode: starting the gateway"
  start_gateway "$mode"
  if (( WARMUP_ROWS > 0 )); then
    for run in new update; do
      read -r secs applied _ _ < <(post_batch "$mode" "warmup-$run" "$WORK/warmup-$run.json")
      log "mode $mode: warm-up, $WARMUP_ROWS rows ($run): ${secs}s, applied $applied"
    done
    sleep 2
  fi
  for run in new update; do
    log "mode $mode: POST $ROWS rows ($run)"
    before=$(cpu_ticks "$GW_PID")
    start_profile "$mode-$run"
    read -r secs applied ignored rejected < <(post_batch "$mode" "$run" "$WORK/batch-$run.json")
    CPU[$mode-$run]=$(awk -v a="$(cpu_ticks "$GW_PID")" -v b="$before" -v t="$TICK" 'BEGIN { printf "%.1f", (a - b) / t }')
    finish_profile "$mode-$run"
    T[$mode-$run]=$secs; A[$mode-$run]=$applied; I[$mode-$run]=$ignored; R[$mode-$run]=$rejected
    log "mode $mode, $run: ${secs}s (gateway CPU ${CPU[$mode-$run]}s), applied $applied, ignored $ignored, rejected $rejected"
    [[ "$applied" == "$ROWS" ]] || { log "expected $ROWS applied rows"; BAD=1; break; }
  done
  RSS[$mode]=$(rss_mib "$GW_PID")
  # Batching as the product's own histograms saw it over this process's life (warm-up included): mean per call.
  curl -s --max-time 10 "$URL/metrics" >"$WORK/metrics-$mode.txt" || true
  BATCHING[$mode]=$(awk '
    /^oms_(storage_batch_size|availability_delta_batch_size|inventory_commit_batch_size)[a-z_]*_(sum|count)[ {]/ {
      name = $1; sub(/\{.*/, "", name); kind = name ~ /_sum$/ ? "sum" : "count"; sub(/_(sum|count)$/, "", name); v[name, kind] += $NF; names[name] = 1 }
    END { for (n in names) if (v[n, "count"] > 0) printf "%s %.1f over %d; ", n, v[n, "sum"] / v[n, "count"], v[n, "count"] }' "$WORK/metrics-$mode.txt")
  # Spot check: the last row's record holds what the update batch sent.
  last=$((ROWS - 1)); loc=${LOCATIONS[$((last % 3))]}; sku=$(printf 'BSKU-%06d' $((last / 3)))
  curl -s --max-time 10 "$URL/v1/inventory/$loc/$sku" >"$WORK/check-$mode.json" || true
  log "mode $mode: GET /v1/inventory/$loc/$sku -> $(head -c 300 "$WORK/check-$mode.json")"
  if grep -qE '^(fail|crit):' "$WORK/gateway-$mode.log"; then
    log "the gateway logged errors in mode $mode:"; grep -A6 -E '^(fail|crit):' "$WORK/gateway-$mode.log" | head -40 >&2
  fi
  stop_gateway
done

PAYLOAD=120
if [[ -f "$WORK/oms.db" ]]; then
  read -r n avg size < <(python3 - "$WORK/oms.db" <<'PY'
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
n, avg = con.execute("SELECT count(*), avg(length(PayloadBinary)) FROM OrleansStorage WHERE GrainIdExtensionString LIKE 'BENCH-%' AND GrainIdExtensionString NOT LIKE '%WSKU-%'").fetchone()
print(n, int(avg or 0), os.path.getsize(sys.argv[1]))
PY
)
  log "SQLite file after the runs: $n inventory rows, average payload $avg bytes, $((size / 1048576)) MiB"
  [[ "$avg" -gt 0 ]] && PAYLOAD=$avg
fi

log "baseline: $ROWS rows straight into SQLite (python3 sqlite3, payload $PAYLOAD bytes)"
timeout 400 python3 "$HERE/sqlite_baseline.py" "$ROOT/grains/Oms.Grains/Storage/sqlite-storage.sql" "$WORK/baseline.db" "$ROWS" "$PAYLOAD" >"$WORK/baseline.txt" ||
  { cat "$WORK/baseline.txt"; die "SQLite baseline failed"; }
eval "$(awk '/^BASELINE /{ for (i = 2; i <= NF; i++) print "B_" $i }' "$WORK/baseline.txt")"

echo
echo "Feed batch, POST /v1/inventory/batch, $ROWS rows over ${#LOCATIONS[@]} locations ($(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); SQLite $B_sqlite)"
echo "Product source: $REV (built into $ARTIFACTS); warm-up before the timed runs: $WARMUP_ROWS rows x 2"
echo "Channels: $CHANNELS; stock events (Oms__Events__Stock): ${Oms__Events__Stock:-false}"
echo "Load average (1/5/15 min) before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) -- a shared machine"
printf '%-34s %12s %12s %14s %10s %18s\n' "" "new rows s" "updates s" "rows/s (new)" "RSS MiB" "CPU s new/update"
for mode in $MODES; do
  case $mode in memory) label="gateway --in-memory" ;; sqlite) label="gateway SQLite (--data)" ;; *) label="2-silo PostgreSQL cluster" ;; esac
  printf '%-34s %12.2f %12.2f %14s %10s %18s\n' "$label" "${T[$mode-new]:-0}" "${T[$mode-update]:-0}" \
    "$(awk -v t="${T[$mode-new]:-0}" -v n="$ROWS" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print "-" }')" "${RSS[$mode]:--}" \
    "${CPU[$mode-new]:--} / ${CPU[$mode-update]:--}"
done
printf '%-34s %12.2f %12.2f %14.0f\n' "baseline: SQLite, one transaction" "$B_insert_s" "$B_update_s" "$(awk -v t="$B_insert_s" -v n="$ROWS" 'BEGIN { print n / t }')"
printf '%-34s %12s %12s   (%s ms per commit, timed on %s rows)\n' "baseline: SQLite, txn per row" "$B_per_row_commit_extrapolated_s" "" "$B_per_row_commit_ms" "$B_sample"
printf '%-34s %12s %12s   (%s ms per commit; fsync at checkpoints only)\n' "  same, synchronous=NORMAL" "$B_per_row_normal_extrapolated_s" "" "$B_per_row_normal_ms"
if [[ -n "${B_pg_storage_new:-}" ]]; then
  printf '%-34s %12s %12s   (the function the product calls, 1,000 per transaction; %s)\n' "baseline: PG writetostorage(), psql" "$B_pg_storage_new" "$B_pg_storage_update" "${PG_SETTINGS:-}"
  printf '%-34s %12s %12s\n' "baseline: PG COPY + one upsert" "$B_pg_copy_new" "$B_pg_copy_update"
  echo "(cluster CPU s = silos + gateway + PostgreSQL)"
fi
for mode in $MODES; do
  echo "batching, $mode (mean per call, warm-up included): ${BATCHING[$mode]:-no metrics}"
done
for mode in $MODES; do
  if [[ $mode == cluster ]]; then
    [[ -n "${B_pg_storage_new:-}" ]] || continue
    echo "ratio cluster / baseline (PG writetostorage() by psql): new $(awk -v a="${T[$mode-new]:-0}" -v b="$B_pg_storage_new" 'BEGIN { printf "%.1fx", a / b }'), updates $(awk -v a="${T[$mode-update]:-0}" -v b="$B_pg_storage_update" 'BEGIN { printf "%.1fx", a / b }')"
    continue
  fi
  label=$([[ $mode == memory ]] && echo "in-memory" || echo "SQLite")
  echo "ratio gateway $label / baseline (SQLite, one transaction): new $(awk -v a="${T[$mode-new]:-0}" -v b="$B_insert_s" 'BEGIN { printf "%.1fx", a / b }'), updates $(awk -v a="${T[$mode-update]:-0}" -v b="$B_update_s" 'BEGIN { printf "%.1fx", a / b }')"
done
MISS=0
for mode in $MODES; do
  for run in new update; do
    target=$([[ $mode == memory ]] && echo 3 || echo 10)
    ok=$(awk -v t="${T[$mode-$run]:-0}" -v a="${A[$mode-$run]:-0}" -v n="$ROWS" -v g="$target" 'BEGIN { print (a == n && t > 0 && t < g) ? "yes" : "NO" }')
    [[ $ok == yes ]] || MISS=1
    echo "Target < $target s, $mode $run: $ok (${T[$mode-$run]:-not run} s)"
  done
done
for tag in $PROFILE; do
  [[ -f "$WORK/$tag.nettrace" ]] || { echo "no trace for $tag"; continue; }
  path_args=(); for p in "${FEED_PATHS[@]}"; do path_args+=(--path "$p"); done
  timeout 600 dotnet "$REPORT_DLL" "$WORK/$tag.nettrace" --top 25 "${path_args[@]}" >"$WORK/$tag.report.txt" 2>&1 || true
  echo; echo "=== profile of the gateway, $tag (${PROFILE_SECONDS}s from the POST's start) ==="
  cat "$WORK/$tag.report.txt"
done
[[ "${BAD:-0}" == 0 ]] || die "a batch was not fully applied (see above)"
if [[ "${STRICT:-0}" == 1 && $MISS == 1 ]]; then exit 3; fi
