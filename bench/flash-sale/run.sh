#!/usr/bin/env bash
# Flash sale: 1,000 concurrent shoppers add ONE hot SKU to their own cart (PUT /v1/carts/{cartId}/lines/HOT),
# against the durable cluster (deploy/local-cluster.sh: PostgreSQL + 2 silos + gateway) and the embedded in-memory
# gateway; baseline in the same run: pgbench doing a relational OMS's reservation transaction (SELECT ... FOR
# UPDATE; UPDATE stock; INSERT reservation; COMMIT) on one hot row of the SAME PostgreSQL server, and the HTTP
# relational service (bench/relational-service: ASP.NET Core + Npgsql, 64-connection pool) doing that transaction behind
# PUT /v1/carts/{cartId}/lines/{sku}, driven by the SAME load generator at 1,000 clients.
# Targets (issue): cluster >= 5x pgbench at 1,000 clients; >= 3x the HTTP relational service and >= 2x pgbench at 64
# clients; 0 oversell.
#
# Usage (repo root): bash bench/flash-sale/run.sh
# Env: OMS_DATA=/tmp/oms-flash  OMS_PG_PORT=55452  CONCURRENCY=1000  WARMUP=5  DURATION=20
#      PG_DURATION=20  PG_REF_CLIENTS=64  PG_REF_DURATION=10  SOLDOUT_STOCK=500  SOLDOUT_REQUESTS=10000
#      EMB_PORT=5452 EMB_SILO_PORT=11452 EMB_GATEWAY_PORT=30452  OMS_NO_BUILD=1 (skip the solution build)
#      RELSVC=1 (0 = skip the HTTP relational service)  RELSVC_POOL=64  RELSVC_PORT=5091
#      PIN_LOADGEN=1 (taskset -c CPU for FlashLoadGen and pgbench; "" = no pinning; servers are never pinned)
#      STRICT=1 (exit 3 when a target is missed)
# Exit: 0 verified (target met or not, unless STRICT=1); 4 a count/verification failed; 1 set-up failure.
# The run wipes $OMS_DATA/pg (a throwaway server) so that every run starts from empty stock.
# Traffic: 127.0.0.1 only. Bounded: every step has a timeout; ~4-6 minutes in all (incl. the Release build).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export OMS_DATA="${OMS_DATA:-/tmp/oms-flash}"
case "$OMS_DATA" in /*) ;; *) OMS_DATA="$(pwd)/$OMS_DATA" ;; esac
export OMS_PG_PORT="${OMS_PG_PORT:-55452}"
export OMS_READY_TIMEOUT="${OMS_READY_TIMEOUT:-120}"
CONCURRENCY="${CONCURRENCY:-1000}"
WARMUP="${WARMUP:-5}"
DURATION="${DURATION:-20}"
PG_DURATION="${PG_DURATION:-20}"
PG_REF_CLIENTS="${PG_REF_CLIENTS:-64}"
PG_REF_DURATION="${PG_REF_DURATION:-10}"
HOT_STOCK="${HOT_STOCK:-1000000}"
SOLDOUT_STOCK="${SOLDOUT_STOCK:-500}"
SOLDOUT_REQUESTS="${SOLDOUT_REQUESTS:-10000}"
EMB_PORT="${EMB_PORT:-5452}"
EMB_SILO_PORT="${EMB_SILO_PORT:-11452}"
EMB_GATEWAY_PORT="${EMB_GATEWAY_PORT:-30452}"
MAX_CONNECTIONS=1100
RELSVC="${RELSVC:-1}"
RELSVC_POOL="${RELSVC_POOL:-64}"
RELSVC_PORT="${RELSVC_PORT:-5091}"
RELSVC_URL="http://127.0.0.1:$RELSVC_PORT"
PIN_LOADGEN="${PIN_LOADGEN-1}"
# The load generators (FlashLoadGen, pgbench) run on one core; the servers are not pinned (2 cores: pinning them to the
# other one would halve what PostgreSQL, the silos and the gateway can use).
PIN=()
[[ -n "$PIN_LOADGEN" ]] && command -v taskset >/dev/null && PIN=(taskset -c "$PIN_LOADGEN")
CLUSTER_URL="http://127.0.0.1:5080"
EMB_URL="http://127.0.0.1:$EMB_PORT"
BUILD_DIR="${FLASH_BUILD_DIR:-/tmp/oms-flash-build}"
PGDIR="$OMS_DATA/pg"
LC="$ROOT/deploy/local-cluster.sh"

mkdir -p "$OMS_DATA"
RUN="$OMS_DATA/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
cd "$RUN" # every stray file lands in the run directory, never in the work tree
CLK_TCK="$(getconf CLK_TCK)"
T_START=$(date +%s)

log() { echo "[$(date +%H:%M:%S) +$(($(date +%s) - T_START))s] $*" >&2; }
die() { echo "FAILED: $*" >&2; exit 1; }

PG_BIN="${PG_BIN:-$(find /usr/lib/postgresql -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)}"
[[ -x "$PG_BIN/pgbench" && -x "$PG_BIN/psql" ]] || die "pgbench/psql not found under /usr/lib/postgresql/*/bin (set PG_BIN)"
PSQL=("$PG_BIN/psql" -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres)
as_owner() { if [[ "$(id -u)" -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# ---- cleanup ------------------------------------------------------------------------------------------------
EMB_PID=""
LG_PID=""
SVC_PID=""
stop_relsvc() {
    [[ -n "$SVC_PID" ]] || return 0
    kill "$SVC_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SVC_PID" 2>/dev/null || true
    wait "$SVC_PID" 2>/dev/null || true
    SVC_PID=""
}
cleanup() {
    local rc=$?
    set +e
    [[ -n "$LG_PID" ]] && kill "$LG_PID" 2>/dev/null
    stop_relsvc
    if [[ -n "$EMB_PID" ]] && kill -0 "$EMB_PID" 2>/dev/null; then
        kill "$EMB_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$EMB_PID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$EMB_PID" 2>/dev/null
    fi
    timeout 90 "$LC" down >>"$RUN/cluster-down.log" 2>&1 || echo "local-cluster.sh down failed; see $RUN/cluster-down.log" >&2
    echo "run directory (results, pgbench logs): $RUN; cluster logs: $OMS_DATA/logs" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU accounting helpers shared with the other cluster bench: proc_ticks, pg_ticks, machine_ticks, pidfile.
# shellcheck source=../lib/cpu-ticks.sh
source "$HERE/../lib/cpu-ticks.sh"
# snapshot: "wall machine_total machine_idle pg silos gateway embedded relsvc"
cpu_snap() {
    local m
    m="$(machine_ticks)"
    echo "$(date +%s.%N) $m $(pg_ticks) $(proc_ticks $(pidfile silo1) $(pidfile silo2)) $(proc_ticks $(pidfile gateway)) $(proc_ticks $EMB_PID) $(proc_ticks $SVC_PID)"
}
# cpu_report SNAP_BEFORE SNAP_AFTER [extra "name seconds"...] -> one line of cores used per process group
cpu_report() {
    local before="$1" after="$2"
    shift 2
    awk -v b="$before" -v a="$after" -v hz="$CLK_TCK" -v extra="$*" 'BEGIN {
        split(b, x, " "); split(a, y, " "); wall = y[1] - x[1]; if (wall <= 0) wall = 1
        tot = y[2] - x[2]; idle = y[3] - x[3]
        printf "CPU over %.1fs: machine busy %.0f%% of %d cores", wall, (tot > 0 ? 100 * (tot - idle) / tot : 0), '"$(nproc)"'
        busy = (tot > 0 ? (tot - idle) / tot : 0) * '"$(nproc)"'; ours = 0
        split("postgres silos gateway embedded-gateway relsvc", n, " ")
        for (i = 1; i <= 5; i++) { d = (y[i + 3] - x[i + 3]) / hz / wall; ours += d; if (d > 0) printf ", %s %.2f", n[i], d }
        m = split(extra, e, " "); for (i = 1; i + 1 <= m; i += 2) { d = e[i + 1] / wall; ours += d; printf ", %s %.2f", e[i], d }
        printf ", everything else on the machine %.2f (cores)\n", (busy > ours ? busy - ours : 0) }'
}
# cpu_per_op BEFORE AFTER N CLIENT_SECONDS OUT: CPU ms per acknowledged operation over the whole load, into OUT (all,
# incl. the load generator / pgbench) and OUT.server (PostgreSQL + silos + gateway + embedded + service only).
cpu_per_op() {
    awk -v b="$1" -v a="$2" -v n="$3" -v c="${4:-0}" -v hz="$CLK_TCK" -v out="$5" 'BEGIN {
        split(b, x, " "); split(a, y, " "); if (n <= 0) n = 1; s = 0
        for (i = 4; i <= 8; i++) s += (y[i] - x[i]) / hz
        printf "%.2f\n", (s + c) * 1000 / n > out; printf "%.2f\n", s * 1000 / n > (out ".server") }'
}
db_commits() { "${PSQL[@]}" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$1'"; }
wal_lsn() { "${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()'; }
wal_diff() { "${PSQL[@]}" -d postgres -c "SELECT pg_wal_lsn_diff('$2','$1')::bigint"; }
per_op() { # FILE OPS WAL_BYTES COMMITS [GRAIN_CALLS]
    awk -v n="$2" -v w="$3" -v c="$4" -v g="${5:-}" 'BEGIN { if (n <= 0) n = 1
        printf "wal_per_op=%.0f\ncommits_per_op=%.2f\n", w / n, c / n; if (g != "") printf "calls_per_op=%.1f\n", g / n }' >"$1"
}
pv() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1; }
# Grain calls: orleans_app_requests_latency's count (calls that got a response, counted by the calling process), summed
# over both silos and the gateway (an Orleans client). Raw scrapes kept in FILE.raw.
calls_snap() { # FILE -> prints the total
    { for port in 8081 8082; do curl -sS -m 10 "http://127.0.0.1:$port/metrics" 2>/dev/null || true; done
      curl -sS -m 10 -H "X-Api-Key: ${KEY:-}" "$CLUSTER_URL/metrics" 2>/dev/null || true; } >"$1.raw"
    awk '/^#/ { next } { name = $1; sub(/\{.*/, "", name); if (name == "orleans_app_requests_latency_milliseconds_count") t += $NF } END { printf "%.0f\n", t }' "$1.raw"
}
# CPU of the reaped children of THIS shell (pgbench): `times` must run in the main shell, not in a $(...) subshell
# (there it reports the subshell's own children: 0). children_cpu FILE; the seconds are then in FILE.s.
children_cpu() {
    times >"$1"
    tail -n 1 "$1" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] } printf "%.2f", s }' >"$1.s"
}

kv() { sed -n "s/^$2='\(.*\)'\$/\1/p" "$1" | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "nan") printf "%.2f", a / b; else printf "n/a" }'; }

FAILURES=()
fail_check() { FAILURES+=("$*"); echo "VERIFY FAILED: $*" >&2; }

# ---- pre-flight -----------------------------------------------------------------------------------------------
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
log "stopping leftovers of a previous run in $OMS_DATA (recorded pids only)"
timeout 90 "$LC" down >"$RUN/cluster-down-pre.log" 2>&1 || true
for p in 5080 11111 11112 30000 30001 8081 8082 "$OMS_PG_PORT" "$EMB_PORT" "$EMB_SILO_PORT" "$EMB_GATEWAY_PORT"; do
    port_busy "$p" && die "port $p is already in use (another cluster or bench running?): $(ss -Hltnp "sport = :$p" | head -n 1)"
done
if [[ -f "$PGDIR/PG_VERSION" ]]; then
    log "wiping the previous throwaway PostgreSQL data in $PGDIR"
    rm -rf "$PGDIR"
fi
if [[ -d "$OMS_DATA/logs" ]]; then
    rm -rf "$OMS_DATA/logs.prev"
    mv "$OMS_DATA/logs" "$OMS_DATA/logs.prev"
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

log "building the load generator (artifacts in $BUILD_DIR)"
timeout 300 dotnet build -c Release "$HERE/LoadGen/FlashLoadGen.csproj" --artifacts-path "$BUILD_DIR" -nologo -v q \
    >"$RUN/loadgen-build.log" 2>&1 || { tail -n 30 "$RUN/loadgen-build.log"; die "load generator build failed"; }
LOADGEN="$(find "$BUILD_DIR/bin" -name FlashLoadGen.dll -path '*release*' | head -n 1)"
[[ -f "$LOADGEN" ]] || die "FlashLoadGen.dll not found under $BUILD_DIR"
if [[ "$RELSVC" == 1 ]]; then
    port_busy "$RELSVC_PORT" && die "port $RELSVC_PORT (relational service) is already in use"
    log "building the HTTP relational service (bench/relational-service, artifacts in $BUILD_DIR)"
    timeout 300 dotnet build -c Release "$HERE/../relational-service/RelationalService.csproj" --artifacts-path "$BUILD_DIR" -nologo -v q \
        >"$RUN/relsvc-build.log" 2>&1 || { tail -n 30 "$RUN/relsvc-build.log"; die "relational service build failed"; }
    RELSVC_DLL="$(find "$BUILD_DIR/bin" -name RelationalService.dll -path '*release*' | head -n 1)"
    [[ -f "$RELSVC_DLL" ]] || die "RelationalService.dll not found under $BUILD_DIR"
fi

# ---- PostgreSQL: one server for the OMS and for the baseline, max_connections raised for 1,000 pgbench clients --
log "starting PostgreSQL ($PGDIR, port $OMS_PG_PORT) and raising max_connections to $MAX_CONNECTIONS"
timeout 120 "$ROOT/deploy/pg-throwaway.sh" start "$PGDIR" "$OMS_PG_PORT" >"$RUN/pg-start.log" 2>&1 ||
    { cat "$RUN/pg-start.log"; die "PostgreSQL start failed"; }
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET max_connections = $MAX_CONNECTIONS" >/dev/null
# Restarted before any silo connects; pg_ctl restart keeps the original options (port, fsync=on, listen 127.0.0.1).
as_owner "$PG_BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/log" restart -m fast -w -t 60 >>"$RUN/pg-start.log" 2>&1 ||
    { tail -n 20 "$PGDIR/log"; die "PostgreSQL restart failed"; }
[[ "$("${PSQL[@]}" -d postgres -c 'SHOW max_connections')" == "$MAX_CONNECTIONS" ]] || die "max_connections was not raised"
PG_VERSION_STR="$("${PSQL[@]}" -d postgres -c 'SHOW server_version')"
PG_SETTINGS="$("${PSQL[@]}" -d postgres -F' ' -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','shared_buffers','wal_level','max_connections','commit_delay')")"
log "PostgreSQL $PG_VERSION_STR: $PG_SETTINGS"

# ---- the durable cluster ----------------------------------------------------------------------------------------
log "local-cluster.sh up (Release build of the solution unless OMS_NO_BUILD=1; log $RUN/cluster-up.log)"
timeout 480 "$LC" up >"$RUN/cluster-up.log" 2>&1 || { tail -n 40 "$RUN/cluster-up.log"; die "local-cluster.sh up failed"; }
KEY="$(cat "$OMS_DATA/api-key")"
log "cluster up (silo1 $(pidfile silo1), silo2 $(pidfile silo2), gateway $(pidfile gateway))"

api() { # METHOD URL PATH [BODY] -> prints the HTTP code; body in $RUN/api.out
    local method="$1" base="$2" path="$3" body="${4:-}" args=()
    [[ "$base" == "$CLUSTER_URL" ]] && args+=(-H "X-Api-Key: $KEY")
    [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data "$body")
    curl -sS -m 30 -o "$RUN/api.out" -w '%{http_code}' -X "$method" "${args[@]}" "$base$path"
}
must() { local code; code="$(api "$@")"; [[ "$code" == 2* ]] || { cat "$RUN/api.out" >&2; die "$1 $3 -> $code"; }; }

setup_catalog() { # BASE
    local base="$1"
    must PUT "$base" /v1/locations/L1 '{"name":"Flash DC","type":"warehouse","latitude":51,"longitude":0}'
    must PUT "$base" /v1/channels/C1 '{"name":"Flash web","locationIds":["L1"],"reservationTtlSeconds":900}'
    must PUT "$base" /v1/inventory/L1/HOT "{\"onHand\":$HOT_STOCK,\"asOf\":\"2026-06-01T00:00:00Z\"}"
    must PUT "$base" /v1/inventory/L1/HOT500 "{\"onHand\":$SOLDOUT_STOCK,\"asOf\":\"2026-06-01T00:00:00Z\"}"
    sleep 1.5 # reference data reaches every silo's cache within a second (ReferenceDataCache polls at 250 ms)
}
inventory() { # BASE SKU -> "onHand reserved"
    must GET "$1" "/v1/inventory/L1/$2"
    jq -r '"\(.onHand) \(.reserved)"' "$RUN/api.out"
}

setup_catalog "$CLUSTER_URL"
log "catalog: L1, C1 (L1, TTL 900 s), L1/HOT onHand $HOT_STOCK, L1/HOT500 onHand $SOLDOUT_STOCK"

# ---- baseline: pgbench, relational reservation on one hot row ------------------------------------------------------
"$PG_BIN/dropdb" -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres --if-exists relational
"$PG_BIN/createdb" -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres relational
"${PSQL[@]}" -d relational -q -f "$HERE/relational-schema.sql" >/dev/null

run_pgbench() { # TAG CLIENTS SECONDS
    local tag="$1" clients="$2" secs="$3" dir="$RUN/$1" before after c0 c1 lsn0 lsn1 x0 x1
    mkdir -p "$dir"
    "${PSQL[@]}" -d relational -q -c "TRUNCATE reservation RESTART IDENTITY; DELETE FROM stock; INSERT INTO stock VALUES ('L1','HOT',$HOT_STOCK,0); CHECKPOINT;" >/dev/null
    log "pgbench $tag: $clients clients, -T $secs (load avg $(cut -d" " -f1 /proc/loadavg); connections open now: $("${PSQL[@]}" -d postgres -c 'SELECT count(*) FROM pg_stat_activity'))"
    lsn0="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    x0="$(db_commits relational)"
    children_cpu "$dir/times0"
    c0="$(cat "$dir/times0.s")"
    before="$(cpu_snap)"
    (cd "$dir" && timeout $((secs + 120)) ${PIN[@]+"${PIN[@]}"} "$PG_BIN/pgbench" -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres -n -M prepared \
        -c "$clients" -j 2 -T "$secs" -f "$HERE/relational-reserve.sql" -l --log-prefix=tx relational) \
        >"$dir/pgbench.out" 2>&1 || { tail -n 20 "$dir/pgbench.out"; die "pgbench $tag failed"; }
    after="$(cpu_snap)"
    children_cpu "$dir/times1"
    c1="$(cat "$dir/times1.s")"
    lsn1="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    x1="$(db_commits relational)"
    local tps processed failed p50 p99 reserved onhand rows wal
    tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$dir/pgbench.out")"
    processed="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/pgbench.out")"
    failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$dir/pgbench.out")"
    read -r p50 p99 < <(cat "$dir"/tx.* | awk '{print $3}' | sort -n | awk '{a[NR] = $1}
        function q(p,  i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return a[i] / 1000 }
        END { printf "%.1f %.1f\n", q(0.50), q(0.99) }')
    read -r onhand reserved rows < <("${PSQL[@]}" -d relational -F' ' -c "SELECT s.on_hand, s.reserved, (SELECT count(*) FROM reservation) FROM stock s WHERE location_id='L1' AND sku='HOT'")
    wal="$("${PSQL[@]}" -d postgres -c "SELECT pg_wal_lsn_diff('$lsn1','$lsn0')::bigint")"
    echo "  tps $tps (processed $processed, failed ${failed:-0}), latency p50 $p50 ms p99 $p99 ms" >&2
    echo "  verify: stock.reserved $reserved, reservation rows $rows, pgbench processed $processed, on_hand $onhand; WAL $((wal / 1024)) KiB ($((wal / (rows > 0 ? rows : 1))) B/reservation)" >&2
    [[ "$reserved" == "$rows" && "$reserved" == "$processed" ]] || fail_check "pgbench $tag: reserved $reserved, reservation rows $rows, processed $processed differ"
    [[ "$reserved" -le "$onhand" ]] || fail_check "pgbench $tag: oversell (reserved $reserved > on_hand $onhand)"
    echo "  $(cpu_report "$before" "$after" pgbench "$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b - a}')")" >&2
    cpu_per_op "$before" "$after" "$rows" "$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b - a}')" "$dir/cpu-per-op"
    per_op "$dir/per-op" "$rows" "$wal" "$((x1 - x0))"
    echo "  per reservation: CPU $(cat "$dir/cpu-per-op") ms (servers $(cat "$dir/cpu-per-op.server") ms), $(pv "$dir/per-op" commits_per_op) commits, $(pv "$dir/per-op" wal_per_op) B of WAL" >&2
    eval "PG_${tag}_TPS=$tps PG_${tag}_P50=$p50 PG_${tag}_P99=$p99 PG_${tag}_N=$processed"
}
run_pgbench c1000 "$CONCURRENCY" "$PG_DURATION"
run_pgbench c64 "$PG_REF_CLIENTS" "$PG_REF_DURATION"

# ---- OMS load ---------------------------------------------------------------------------------------------------
run_loadgen() { # TAG BASE MODE SKU ARGS... -> $RUN/TAG.env
    local tag="$1" base="$2" mode="$3" sku="$4" before after key_args=()
    shift 4
    [[ "$base" == "$CLUSTER_URL" ]] && key_args=(--key "$KEY")
    log "load $tag: $mode, $CONCURRENCY clients, PUT $base/v1/carts/*/lines/$sku $* (load avg $(cut -d" " -f1 /proc/loadavg))"
    before="$(cpu_snap)"
    timeout 300 ${PIN[@]+"${PIN[@]}"} dotnet "$LOADGEN" "$mode" --url "$base" "${key_args[@]}" --sku "$sku" --channel C1 \
        --concurrency "$CONCURRENCY" --prefix "$tag" --label "$tag" --out "$RUN/$tag.env" "$@" >"$RUN/$tag.out" 2>&1 &
    LG_PID=$!
    wait "$LG_PID" || { LG_PID=""; cat "$RUN/$tag.out" >&2; die "load generator $tag failed"; }
    LG_PID=""
    after="$(cpu_snap)"
    echo "  $(kv "$RUN/$tag.env" statuses) | acked/s $(kv "$RUN/$tag.env" ok_rate), attempts/s $(kv "$RUN/$tag.env" attempt_rate), p50 $(kv "$RUN/$tag.env" p50_ms) ms, p90 $(kv "$RUN/$tag.env" p90_ms) ms, p99 $(kv "$RUN/$tag.env" p99_ms) ms, max $(kv "$RUN/$tag.env" max_ms) ms" >&2
    echo "  200s: warm-up $(kv "$RUN/$tag.env" ok_warmup), measured $(kv "$RUN/$tag.env" ok_measured), drain $(kv "$RUN/$tag.env" ok_drain); 409 $(kv "$RUN/$tag.env" conflict_total); unknown (exception) $(kv "$RUN/$tag.env" unknown_total); other status $(kv "$RUN/$tag.env" other_total)" >&2
    grep '^# error sample' "$RUN/$tag.env" | head -n 5 >&2 || true
    echo "  $(cpu_report "$before" "$after" loadgen "$(kv "$RUN/$tag.env" cpu_s)")" >&2
    cpu_per_op "$before" "$after" "$(kv "$RUN/$tag.env" ok_total)" "$(kv "$RUN/$tag.env" cpu_s)" "$RUN/$tag.cpu-per-op"
}

verify_hot() { # TAG BASE
    local tag="$1" base="$2" onhand reserved ok unknown other
    read -r onhand reserved < <(inventory "$base" HOT)
    ok="$(kv "$RUN/$tag.env" ok_total)"
    unknown="$(kv "$RUN/$tag.env" unknown_total)"
    other="$(kv "$RUN/$tag.env" other_total)"
    echo "  verify: GET /v1/inventory/L1/HOT -> onHand $onhand, reserved $reserved; 200s (warm-up + measured + drain) $ok; unknown outcome $unknown" >&2
    if [[ "$unknown" == 0 ]]; then
        [[ "$reserved" == "$ok" ]] || fail_check "$tag: reserved $reserved != acknowledged $ok"
    else
        [[ "$reserved" -ge "$ok" && "$reserved" -le $((ok + unknown)) ]] || fail_check "$tag: reserved $reserved outside [$ok, $((ok + unknown))]"
    fi
    [[ "$reserved" -le "$onhand" ]] || fail_check "$tag: OVERSELL reserved $reserved > onHand $onhand"
    [[ "$other" == 0 ]] || fail_check "$tag: $other responses with an unexpected status ($(kv "$RUN/$tag.env" statuses))"
    [[ "$unknown" == 0 ]] || fail_check "$tag: $unknown requests failed without an answer (timeout/connection)"
    eval "${tag//-/_}_RESERVED=$reserved"
}

storage_stats() { # label: what the grains wrote (row versions = writes), and WAL/commits per reservation
    "${PSQL[@]}" -d oms -F' | ' -c "SELECT graintypestring, count(*) AS rows, sum(version) AS writes, max(octet_length(payloadbinary)) AS max_bytes FROM orleansstorage GROUP BY 1 ORDER BY 3 DESC NULLS LAST" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# ---- the HTTP relational service: same database `relational`, same load generator, 1,000 clients, 64-connection pool --
if [[ "$RELSVC" == 1 ]]; then
    "${PSQL[@]}" -d relational -q -c "TRUNCATE reservation, cart_line RESTART IDENTITY; DELETE FROM stock;
        INSERT INTO stock (location_id, sku, on_hand) VALUES ('L1','HOT',$HOT_STOCK), ('L1','HOT500',$SOLDOUT_STOCK); CHECKPOINT;" >/dev/null
    log "starting the HTTP relational service on $RELSVC_URL (Npgsql Max Pool Size $RELSVC_POOL, db relational)"
    (cd "$RUN" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
        RELATIONAL_DB="Host=127.0.0.1;Port=$OMS_PG_PORT;Username=postgres;Database=relational;Maximum Pool Size=$RELSVC_POOL" \
        exec dotnet "$RELSVC_DLL" --urls "$RELSVC_URL") >"$RUN/relsvc.log" 2>&1 &
    SVC_PID=$!
    for i in $(seq 1 60); do
        curl -fsS -m 2 -o /dev/null "$RELSVC_URL/health/ready" 2>/dev/null && break
        kill -0 "$SVC_PID" 2>/dev/null || { tail -n 30 "$RUN/relsvc.log" >&2; die "relational service exited"; }
        [[ "$i" == 60 ]] && die "relational service not ready after 60 s"
        sleep 1
    done
    R_LSN0="$(wal_lsn)"
    R_X0="$(db_commits relational)"
    run_loadgen relsvc "$RELSVC_URL" timed HOT --warmup "$WARMUP" --duration "$DURATION"
    R_X1="$(db_commits relational)"
    R_LSN1="$(wal_lsn)"
    verify_hot relsvc "$RELSVC_URL"
    R_LINES="$("${PSQL[@]}" -d relational -c "SELECT coalesce(sum(quantity), 0) FROM cart_line WHERE sku = 'HOT'")"
    [[ "$R_LINES" == "${relsvc_RESERVED:-x}" ]] || fail_check "relsvc: cart lines hold $R_LINES units, stock.reserved ${relsvc_RESERVED:-?}"
    per_op "$RUN/relsvc.per-op" "$(kv "$RUN/relsvc.env" ok_total)" "$(wal_diff "$R_LSN0" "$R_LSN1")" "$((R_X1 - R_X0))"
    echo "  cart_line units $R_LINES; per reservation: CPU $(cat "$RUN/relsvc.cpu-per-op") ms (servers $(cat "$RUN/relsvc.cpu-per-op.server") ms), $(pv "$RUN/relsvc.per-op" commits_per_op) commits, $(pv "$RUN/relsvc.per-op" wal_per_op) B of WAL" >&2
    run_loadgen relsvc-soldout "$RELSVC_URL" fixed HOT500 --total "$SOLDOUT_REQUESTS"
    read -r RSO_ONHAND RSO_RESERVED < <(inventory "$RELSVC_URL" HOT500)
    RSO_OK="$(kv "$RUN/relsvc-soldout.env" ok_total)"
    RSO_409="$(kv "$RUN/relsvc-soldout.env" conflict_total)"
    echo "  verify: relational HOT500 onHand $RSO_ONHAND, reserved $RSO_RESERVED; 200s $RSO_OK, 409 $RSO_409" >&2
    [[ "$RSO_OK" == "$SOLDOUT_STOCK" && "$RSO_RESERVED" == "$SOLDOUT_STOCK" && "$RSO_409" == $((SOLDOUT_REQUESTS - SOLDOUT_STOCK)) ]] ||
        fail_check "relsvc sold-out: $RSO_OK x 200, $RSO_409 x 409, reserved $RSO_RESERVED (expected $SOLDOUT_STOCK, $((SOLDOUT_REQUESTS - SOLDOUT_STOCK)), $SOLDOUT_STOCK)"
    stop_relsvc
fi

LSN0="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
XACT0="$("${PSQL[@]}" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'oms'")"
CALLS0="$(calls_snap "$RUN/cluster.metrics0")"
run_loadgen cluster "$CLUSTER_URL" timed HOT --warmup "$WARMUP" --duration "$DURATION"
CALLS1="$(calls_snap "$RUN/cluster.metrics1")"
XACT1="$("${PSQL[@]}" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'oms'")"
LSN1="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
verify_hot cluster "$CLUSTER_URL"
CL_WAL="$("${PSQL[@]}" -d postgres -c "SELECT pg_wal_lsn_diff('$LSN1','$LSN0')::bigint")"
CL_OK="$(kv "$RUN/cluster.env" ok_total)"
HOT_ROW="$("${PSQL[@]}" -d oms -F' ' -c "SELECT version, octet_length(payloadbinary) FROM orleansstorage WHERE grainidextensionstring = 'L1|HOT' ORDER BY modifiedon DESC LIMIT 1" 2>/dev/null || true)"
read -r HOT_WRITES HOT_BYTES <<<"${HOT_ROW:-0 0}"
per_op "$RUN/cluster.per-op" "$CL_OK" "$CL_WAL" "$((XACT1 - XACT0))" "$((CALLS1 - CALLS0))"
echo "  grain calls $((CALLS1 - CALLS0)) ($(pv "$RUN/cluster.per-op" calls_per_op)/reservation); CPU $(cat "$RUN/cluster.cpu-per-op") ms/reservation (servers $(cat "$RUN/cluster.cpu-per-op.server") ms)" >&2
echo "  PostgreSQL during the run: WAL $((CL_WAL / 1024 / 1024)) MiB ($((CL_WAL / (CL_OK > 0 ? CL_OK : 1))) B/reservation), $((XACT1 - XACT0)) commits in db oms ($(awk -v a=$((XACT1 - XACT0)) -v b="$CL_OK" 'BEGIN{printf "%.1f", (b > 0 ? a / b : 0)}')/reservation)" >&2
echo "  inventory row L1|HOT: ${HOT_WRITES:-?} writes (group commits) for $CL_OK holds + the level = $(awk -v a="$CL_OK" -v b="${HOT_WRITES:-0}" 'BEGIN{printf "%.1f", (b > 1 ? a / (b - 1) : 0)}') holds/write; stored record now ${HOT_BYTES:-?} bytes" >&2
echo "  grain storage rows (writes = sum of row versions):" >&2
storage_stats

run_loadgen soldout "$CLUSTER_URL" fixed HOT500 --total "$SOLDOUT_REQUESTS"
read -r SO_ONHAND SO_RESERVED < <(inventory "$CLUSTER_URL" HOT500)
SO_OK="$(kv "$RUN/soldout.env" ok_total)"
SO_409="$(kv "$RUN/soldout.env" conflict_total)"
SO_N="$(kv "$RUN/soldout.env" requests_total)"
echo "  verify: GET /v1/inventory/L1/HOT500 -> onHand $SO_ONHAND, reserved $SO_RESERVED; 200s $SO_OK, 409 insufficient_stock $SO_409, of $SO_N" >&2
[[ "$SO_OK" == "$SOLDOUT_STOCK" ]] || fail_check "sold-out: $SO_OK acknowledged, expected exactly $SOLDOUT_STOCK"
[[ "$SO_409" == $((SOLDOUT_REQUESTS - SOLDOUT_STOCK)) ]] || fail_check "sold-out: $SO_409 x 409, expected $((SOLDOUT_REQUESTS - SOLDOUT_STOCK))"
[[ "$SO_RESERVED" == "$SOLDOUT_STOCK" ]] || fail_check "sold-out: reserved $SO_RESERVED, expected $SOLDOUT_STOCK"
[[ "$SO_RESERVED" -le "$SO_ONHAND" ]] || fail_check "sold-out: OVERSELL reserved $SO_RESERVED > onHand $SO_ONHAND"

log "cluster log lines at warn/fail level:"
for f in "$OMS_DATA"/logs/silo1.log "$OMS_DATA"/logs/silo2.log "$OMS_DATA"/logs/gateway.log; do
    echo "  $(basename "$f"): $(grep -c '^warn:' "$f" || true) warn, $(grep -c '^fail:' "$f" || true) fail, $(grep -c '^crit:' "$f" || true) crit" >&2
done
echo "  distinct fail/crit messages (count, first line):" >&2
grep -h -A1 '^fail:\|^crit:' "$OMS_DATA"/logs/silo*.log "$OMS_DATA"/logs/gateway.log 2>/dev/null | grep -v '^fail:\|^crit:\|^--' |
    sed 's/^ *//; s/cluster-[0-9]*-[0-9]*/cluster-N-M/g' | cut -c1-170 | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/    /' >&2 || true
echo "  first fail/crit entries:" >&2
grep -h -A3 '^fail:\|^crit:' "$OMS_DATA"/logs/silo*.log "$OMS_DATA"/logs/gateway.log 2>/dev/null | head -n 16 | cut -c1-250 | sed 's/^/    /' >&2 || true

log "local-cluster.sh down (the embedded run gets the machine to itself)"
timeout 90 "$LC" down >>"$RUN/cluster-down.log" 2>&1 || true

# ---- embedded: in memory, then SQLite (durable: group commit, one transaction and fsync per batch) ----------------
EMB_DIR="$ROOT/client/Oms.Gateway/bin/Release/net10.0"
run_embedded() { # TAG STORAGE-ARGS...
    local tag="$1" i
    shift
    log "starting the embedded gateway ($*) on $EMB_URL"
    (cd "$EMB_DIR" && exec dotnet Oms.Gateway.dll "$@" --urls "$EMB_URL" --silo-port "$EMB_SILO_PORT" --gateway-port "$EMB_GATEWAY_PORT") \
        >"$RUN/$tag.log" 2>&1 &
    EMB_PID=$!
    for i in $(seq 1 90); do
        curl -fsS -m 2 -o /dev/null "$EMB_URL/health/ready" 2>/dev/null && break
        kill -0 "$EMB_PID" 2>/dev/null || { tail -n 30 "$RUN/$tag.log"; die "embedded gateway exited"; }
        [[ "$i" == 90 ]] && die "embedded gateway not ready after 90 s"
        sleep 1
    done
    setup_catalog "$EMB_URL"
    run_loadgen "$tag" "$EMB_URL" timed HOT --warmup "$WARMUP" --duration "$DURATION"
    verify_hot "$tag" "$EMB_URL"
    echo "  $tag log: $(grep -c '^warn:' "$RUN/$tag.log" || true) warn, $(grep -c '^fail:' "$RUN/$tag.log" || true) fail" >&2
    kill "$EMB_PID" 2>/dev/null || true
    wait "$EMB_PID" 2>/dev/null || true
    EMB_PID=""
}
run_embedded embedded --in-memory
rm -f "$RUN/embedded-sqlite.db"*
run_embedded embedded-sqlite --data "$RUN/embedded-sqlite.db"
log "embedded SQLite file after the run: $(du -ch "$RUN/embedded-sqlite.db"* 2>/dev/null | tail -1 | cut -f1)"

# ---- table --------------------------------------------------------------------------------------------------------
BASE_TPS="$PG_c1000_TPS"
CL_RATE="$(kv "$RUN/cluster.env" ok_rate)"
CL_RATIO="$(ratio "$CL_RATE" "$BASE_TPS")"
TARGET=met
TARGET_NOTES=()
awk -v r="$CL_RATIO" 'BEGIN { exit !(r != "n/a" && r >= 5) }' || { TARGET=missed; TARGET_NOTES+=("cluster/pgbench-1000 $CL_RATIO < 5"); }
r="$(ratio "$CL_RATE" "$PG_c64_TPS")"
awk -v r="$r" 'BEGIN { exit !(r != "n/a" && r >= 2) }' || { TARGET=missed; TARGET_NOTES+=("cluster/pgbench-64 $r < 2"); }
if [[ "$RELSVC" == 1 ]]; then
    r="$(ratio "$CL_RATE" "$(kv "$RUN/relsvc.env" ok_rate)")"
    awk -v r="$r" 'BEGIN { exit !(r != "n/a" && r >= 3) }' || { TARGET=missed; TARGET_NOTES+=("cluster/HTTP relational $r < 3"); }
fi
[[ ${#FAILURES[@]} -eq 0 ]] || TARGET=missed
row() { printf '| %-60s | %10s | %8s | %8s | %9s | %8s | %7s | %7s | %5s | %7s | %7s | %7s |\n' "$@"; }
c() { [[ -f "$1" ]] && cat "$1" || echo "-"; }
op() { local v; v="$(pv "$1" "$2")"; [[ -n "$v" ]] && echo "$v" || echo "-"; }
REL_RATE="$( [[ "$RELSVC" == 1 ]] && kv "$RUN/relsvc.env" ok_rate || echo "")"
cmp3() { echo "$(ratio "$1" "$BASE_TPS") $(ratio "$1" "$PG_c64_TPS") $([[ -n "$REL_RATE" ]] && ratio "$1" "$REL_RATE" || echo -)"; }
{
    echo
    echo "Flash sale, one hot SKU, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg); product $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
    echo "PostgreSQL $PG_VERSION_STR ($PG_SETTINGS); OMS and HTTP service windows: warm-up ${WARMUP}s + ${DURATION}s; pgbench -T $PG_DURATION (64 clients: -T $PG_REF_DURATION)"
    echo "Load generators pinned: ${PIN[*]:-no}; servers not pinned. CPU ms/op over the whole load incl. the load generator / pgbench; 'servers' without it."
    row "scenario" "res./s" "p50 ms" "p99 ms" "CPU ms/op" "servers" "commits" "WAL B" "calls" "/pg1000" "/pg64" "/http"
    row "------------------------------------------------------------" "----------" "--------" "--------" "---------" "--------" "-------" "-------" "-----" "-------" "-------" "-------"
    row "pgbench relational txn, $CONCURRENCY clients" "$BASE_TPS" "$PG_c1000_P50" "$PG_c1000_P99" "$(c "$RUN/c1000/cpu-per-op")" "$(c "$RUN/c1000/cpu-per-op.server")" \
        "$(op "$RUN/c1000/per-op" commits_per_op)" "$(op "$RUN/c1000/per-op" wal_per_op)" "-" $(cmp3 "$BASE_TPS")
    row "pgbench relational txn, $PG_REF_CLIENTS clients (sane pool)" "$PG_c64_TPS" "$PG_c64_P50" "$PG_c64_P99" "$(c "$RUN/c64/cpu-per-op")" "$(c "$RUN/c64/cpu-per-op.server")" \
        "$(op "$RUN/c64/per-op" commits_per_op)" "$(op "$RUN/c64/per-op" wal_per_op)" "-" $(cmp3 "$PG_c64_TPS")
    if [[ "$RELSVC" == 1 ]]; then
        row "HTTP relational service, $CONCURRENCY clients, pool $RELSVC_POOL" "$REL_RATE" "$(kv "$RUN/relsvc.env" p50_ms)" "$(kv "$RUN/relsvc.env" p99_ms)" "$(c "$RUN/relsvc.cpu-per-op")" "$(c "$RUN/relsvc.cpu-per-op.server")" \
            "$(op "$RUN/relsvc.per-op" commits_per_op)" "$(op "$RUN/relsvc.per-op" wal_per_op)" "-" $(cmp3 "$REL_RATE")
    fi
    row "OMS cluster (2 silos + gateway, PostgreSQL), $CONCURRENCY clients" "$CL_RATE" "$(kv "$RUN/cluster.env" p50_ms)" "$(kv "$RUN/cluster.env" p99_ms)" "$(c "$RUN/cluster.cpu-per-op")" "$(c "$RUN/cluster.cpu-per-op.server")" \
        "$(op "$RUN/cluster.per-op" commits_per_op)" "$(op "$RUN/cluster.per-op" wal_per_op)" "$(op "$RUN/cluster.per-op" calls_per_op)" $(cmp3 "$CL_RATE")
    row "OMS embedded in-memory, $CONCURRENCY clients" "$(kv "$RUN/embedded.env" ok_rate)" "$(kv "$RUN/embedded.env" p50_ms)" "$(kv "$RUN/embedded.env" p99_ms)" "$(c "$RUN/embedded.cpu-per-op")" "$(c "$RUN/embedded.cpu-per-op.server")" \
        "-" "-" "-" $(cmp3 "$(kv "$RUN/embedded.env" ok_rate)")
    row "OMS embedded SQLite (durable, fsync), $CONCURRENCY clients" "$(kv "$RUN/embedded-sqlite.env" ok_rate)" "$(kv "$RUN/embedded-sqlite.env" p50_ms)" "$(kv "$RUN/embedded-sqlite.env" p99_ms)" "$(c "$RUN/embedded-sqlite.cpu-per-op")" "$(c "$RUN/embedded-sqlite.cpu-per-op.server")" \
        "-" "-" "-" $(cmp3 "$(kv "$RUN/embedded-sqlite.env" ok_rate)")
    row "OMS cluster sold-out: $SOLDOUT_REQUESTS req, stock $SOLDOUT_STOCK ($(kv "$RUN/soldout.env" attempt_rate) req/s)" "$SO_OK x 200" "$(kv "$RUN/soldout.env" p50_ms)" "$(kv "$RUN/soldout.env" p99_ms)" "-" "-" "-" "-" "-" "-" "-" "-"
    if [[ "$RELSVC" == 1 ]]; then
        row "HTTP service sold-out: $SOLDOUT_REQUESTS req, stock $SOLDOUT_STOCK ($(kv "$RUN/relsvc-soldout.env" attempt_rate) req/s)" "$RSO_OK x 200" "$(kv "$RUN/relsvc-soldout.env" p50_ms)" "$(kv "$RUN/relsvc-soldout.env" p99_ms)" "-" "-" "-" "-" "-" "-" "-" "-"
    fi
    echo
    echo "Oversell / counts: cluster reserved ${cluster_RESERVED:-?} = 200s $(kv "$RUN/cluster.env" ok_total); embedded reserved ${embedded_RESERVED:-?} = 200s $(kv "$RUN/embedded.env" ok_total); embedded SQLite reserved ${embedded_sqlite_RESERVED:-?} = 200s $(kv "$RUN/embedded-sqlite.env" ok_total); HTTP service reserved ${relsvc_RESERVED:-?} = 200s $(kv "$RUN/relsvc.env" ok_total 2>/dev/null); sold-out reserved $SO_RESERVED of $SO_ONHAND, $SO_OK x 200, $SO_409 x 409 (HTTP service: ${RSO_RESERVED:-?}, ${RSO_OK:-?} x 200, ${RSO_409:-?} x 409)"
    if [[ "$TARGET" == met ]]; then
        echo "Targets (cluster >= 5x pgbench at $CONCURRENCY clients, >= 2x pgbench at $PG_REF_CLIENTS, >= 3x the HTTP relational service, 0 oversell): MET"
    else
        echo "Targets (cluster >= 5x pgbench at $CONCURRENCY clients, >= 2x pgbench at $PG_REF_CLIENTS, >= 3x the HTTP relational service, 0 oversell): MISSED (${TARGET_NOTES[*]:-}; ${#FAILURES[@]} verification failure(s))"
    fi
    for f in ${FAILURES[@]+"${FAILURES[@]}"}; do echo "VERIFICATION FAILED: $f"; done
} | tee "$RUN/table.txt"
log "done in $(($(date +%s) - T_START)) s"

[[ ${#FAILURES[@]} -eq 0 ]] || exit 4
[[ "${STRICT:-0}" == 1 && "$TARGET" == missed ]] && exit 3
exit 0
