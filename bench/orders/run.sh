#!/usr/bin/env bash
# Orders: 3-line ship orders sourced over 50 locations (POST /v1/orders), against the durable cluster
# (deploy/local-cluster.sh: PostgreSQL + 2 silos + gateway); baseline in the same run, on the SAME PostgreSQL server:
# pgbench doing the relational way of the same work (lock 3 stock rows, allocate, insert the order and its 3 lines,
# commit), at the same client counts, for the same duration: pgbench first (silos idle), then the HTTP relational
# service (bench/relational-service: ASP.NET Core + Npgsql doing that transaction behind POST /v1/orders, driven by the
# SAME load generator, 64-connection pool), then an unmeasured OMS pre-warm, then the OMS at each client count.
# Target (issue): orders/s >= 2x the HTTP relational service and >= 1x pgbench at every client count; CPU <= 1.5 ms/order.
#
# Usage (repo root): bash bench/orders/run.sh
# Env: PRODUCT_TREE=worktree|<git rev> (build the working tree as is, or export that commit to $OMS_DATA/src and build it)
#      OMS_DATA=/tmp/oms-orders  OMS_PG_PORT=55462  CLIENTS="64 256"  PREWARM=30  WARMUP=15  DURATION=30  PG_DURATION=30
#      LOCATIONS=50 WAREHOUSES=6 SKUS=500 WH_STOCK=5000 STORE_STOCK=300 CUSTOMERS=50000
#      PG_SOURCING=1 (also pgbench with the sourcing query in SQL, at the first client count; 0 = skip)
#      PG_STATEMENTS=1 (pg_stat_statements loaded: PostgreSQL time per order and the top statements; 0 = off)
#      RELSVC=1 (run the HTTP relational service; 0 = skip)  RELSVC_POOL=64 (its Npgsql Max Pool Size)  RELSVC_PORT=5090
#      PIN_LOADGEN=1 (taskset -c CPU for the load generators, OrdersLoadGen and pgbench; "" = no pinning; servers are never pinned)
#      OMS_NO_BUILD=1 (skip the solution build in local-cluster.sh)  STRICT=1 (exit 3 when a target is missed)
# Exit: 0 verified (target met or not, unless STRICT=1); 4 a count/verification failed; 1 set-up failure.
# The run wipes $OMS_DATA/pg (a throwaway server) so that every run starts from the same seeded stock.
# Traffic: 127.0.0.1 only. Bounded: every step has a timeout; ~5 minutes with the defaults (incl. the Release build).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export OMS_DATA="${OMS_DATA:-/tmp/oms-orders}"
case "$OMS_DATA" in /*) ;; *) OMS_DATA="$(pwd)/$OMS_DATA" ;; esac
export OMS_PG_PORT="${OMS_PG_PORT:-55462}"
export OMS_READY_TIMEOUT="${OMS_READY_TIMEOUT:-120}"
read -r -a CLIENT_COUNTS <<<"${CLIENTS:-64 256}"
WARMUP="${WARMUP:-15}"
PREWARM="${PREWARM:-30}"
DURATION="${DURATION:-30}"
PG_DURATION="${PG_DURATION:-$DURATION}"
LOCATIONS="${LOCATIONS:-50}"
WAREHOUSES="${WAREHOUSES:-6}"
SKUS="${SKUS:-500}"
WH_STOCK="${WH_STOCK:-5000}"
STORE_STOCK="${STORE_STOCK:-300}"
CUSTOMERS="${CUSTOMERS:-50000}"
PG_SOURCING="${PG_SOURCING:-1}"
PG_STATEMENTS="${PG_STATEMENTS:-1}"
RELSVC="${RELSVC:-1}"
RELSVC_POOL="${RELSVC_POOL:-64}"
RELSVC_PORT="${RELSVC_PORT:-5090}"
RELSVC_URL="http://127.0.0.1:$RELSVC_PORT"
PIN_LOADGEN="${PIN_LOADGEN-1}"
# The load generators (OrdersLoadGen, pgbench) run on one core; the servers (PostgreSQL, silos, gateway, the relational
# service) are not pinned: with 2 cores, pinning them to the other core would halve what they can use.
PIN=()
[[ -n "$PIN_LOADGEN" ]] && command -v taskset >/dev/null && PIN=(taskset -c "$PIN_LOADGEN")
MAX_CLIENTS="$(printf '%s\n' "${CLIENT_COUNTS[@]}" | sort -n | tail -n 1)"
# The two silos' Npgsql pools open up to ~100 connections each under load (the default max_connections of 100 is
# not enough for the cluster alone: seeding 25,000 rows failed with "53300: sorry, too many clients already").
MAX_CONNECTIONS=$((MAX_CLIENTS + 300))
CLUSTER_URL="http://127.0.0.1:5080"
BUILD_DIR="${ORDERS_BUILD_DIR:-/tmp/oms-orders-build}"
PGDIR="$OMS_DATA/pg"
# PRODUCT_TREE=worktree (default): the cluster is built from the working tree, as it is. PRODUCT_TREE=<git rev> (e.g.
# HEAD): that commit is exported (git archive) to $OMS_DATA/src and built there, so that edits going on in the
# working tree during the run cannot end up in (or break) the measured build.
PRODUCT_TREE="${PRODUCT_TREE:-worktree}"
PRODUCT_ROOT="$ROOT"
[[ "$PRODUCT_TREE" == worktree ]] || PRODUCT_ROOT="$OMS_DATA/src"
LC="$PRODUCT_ROOT/deploy/local-cluster.sh"
LC_DOWN="$ROOT/deploy/local-cluster.sh" # stops by the pids recorded in $OMS_DATA, whichever tree started them

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
LG_PID=""
SVC_PID=""
PROF_PIDS=()
cleanup() {
    local rc=$?
    set +e
    [[ -n "$LG_PID" ]] && kill "$LG_PID" 2>/dev/null
    for p in ${PROF_PIDS[@]+"${PROF_PIDS[@]}"}; do kill "$p" 2>/dev/null; done
    stop_relsvc
    timeout 90 "$LC_DOWN" down >>"$RUN/cluster-down.log" 2>&1 || echo "local-cluster.sh down failed; see $RUN/cluster-down.log" >&2
    echo "run directory (results, ledgers, pgbench logs): $RUN; cluster logs: $OMS_DATA/logs" >&2
    exit "$rc"
}
stop_relsvc() {
    [[ -n "$SVC_PID" ]] || return 0
    kill "$SVC_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SVC_PID" 2>/dev/null || true
    wait "$SVC_PID" 2>/dev/null || true
    SVC_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU accounting helpers shared with the other cluster bench: proc_ticks, pg_ticks, machine_ticks, pidfile.
# shellcheck source=../lib/cpu-ticks.sh
source "$HERE/../lib/cpu-ticks.sh"
# snapshot: "wall machine_total machine_idle pg silos gateway relsvc"
cpu_snap() {
    echo "$(date +%s.%N) $(machine_ticks) $(pg_ticks) $(proc_ticks $(pidfile silo1) $(pidfile silo2)) $(proc_ticks $(pidfile gateway)) $(proc_ticks $SVC_PID)"
}
# cpu_report SNAP_BEFORE SNAP_AFTER [extra "name seconds"...] -> one line of cores used per process group;
# with PER_N=n also CPU ms per order, totalled over CPU_GROUPS (default: postgres silos gateway) + the extras, into CPU_OUT,
# and over CPU_GROUPS alone (the servers, without the load generator) into CPU_OUT.server
cpu_report() {
    local before="$1" after="$2"
    shift 2
    awk -v b="$before" -v a="$after" -v hz="$CLK_TCK" -v extra="$*" -v cores="$(nproc)" -v per="${PER_N:-0}" -v out="${CPU_OUT:-}" -v groups="${CPU_GROUPS:-postgres silos gateway}" 'BEGIN {
        split(b, x, " "); split(a, y, " "); wall = y[1] - x[1]; if (wall <= 0) wall = 1
        tot = y[2] - x[2]; idle = y[3] - x[3]
        printf "CPU over %.1fs: machine busy %.0f%% of %d cores", wall, (tot > 0 ? 100 * (tot - idle) / tot : 0), cores
        busy = (tot > 0 ? (tot - idle) / tot : 0) * cores; ours = 0
        split("postgres silos gateway relsvc", n, " ")
        for (i = 1; i <= 4; i++) { d = (y[i + 3] - x[i + 3]) / hz / wall; ours += d; if (d > 0) printf ", %s %.2f", n[i], d }
        m = split(extra, e, " "); for (i = 1; i + 1 <= m; i += 2) { d = e[i + 1] / wall; ours += d; printf ", %s %.2f", e[i], d }
        printf ", everything else on the machine %.2f (cores)", (busy > ours ? busy - ours : 0)
        if (per > 0) {
            printf "; CPU per order:"; t = 0
            for (i = 1; i <= 4; i++) { d = (y[i + 3] - x[i + 3]) / hz * 1000 / per; if (index(" " groups " ", " " n[i] " ")) t += d; if (d > 0.005) printf " %s %.2f ms,", n[i], d }
            srv = t
            for (i = 1; i + 1 <= m; i += 2) { d = e[i + 1] * 1000 / per; t += d; printf " %s %.2f ms,", e[i], d }
            printf " total of %s%s %.2f ms (servers %.2f ms)", groups, (m > 0 ? " + " e[1] : ""), t, srv
            if (out != "") { printf "%.2f\n", t > out; printf "%.2f\n", srv > (out ".server") }
        }
        printf "\n" }'
}
# CPU of the reaped children of THIS shell (pgbench): `times` must run in the main shell, not in a $(...) subshell.
children_cpu() { # FILE
    times >"$1"
    tail -n 1 "$1" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] } printf "%.2f", s }' >"$1.s"
}

kv() { sed -n "s/^$2='\(.*\)'\$/\1/p" "$1" | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "nan" && a != "") printf "%.2f", a / b; else printf "n/a" }'; }

FAILURES=()
fail_check() { FAILURES+=("$*"); echo "VERIFY FAILED: $*" >&2; }

# Silo metrics (Prometheus text at :8081 and :8082), summed over both silos and over labels.
METRICS=(oms_orders_placed_total oms_orders_refused_total oms_inventory_allocations_refused_total
    oms_inventory_allocations_rolled_back_total oms_inventory_commit_batch_size_sum oms_inventory_commit_batch_size_count
    orleans_storage_write_latency_milliseconds_sum orleans_storage_write_latency_milliseconds_count
    orleans_storage_read_latency_milliseconds_sum orleans_storage_read_latency_milliseconds_count
    orleans_catalog_activation_created_total orleans_app_requests_latency_milliseconds_count)
# The raw scrapes are kept ($1.raw: both silos, $1.gw.raw: the gateway, an Orleans client whose own outgoing grain
# calls are counted there); the gateway's figures are summed under the prefix gw_.
metrics_snap() { # FILE
    local port
    for port in 8081 8082; do curl -sS -m 10 "http://127.0.0.1:$port/metrics" 2>/dev/null || true; done >"$1.raw"
    curl -sS -m 10 -H "X-Api-Key: ${KEY:-}" "$CLUSTER_URL/metrics" >"$1.gw.raw" 2>/dev/null || true
    {
        awk -v names="${METRICS[*]}" -v pre="" "$METRICS_AWK" "$1.raw"
        awk -v names="${METRICS[*]}" -v pre="gw_" "$METRICS_AWK" "$1.gw.raw"
    } | sort >"$1"
}
METRICS_AWK='BEGIN { n = split(names, a, " "); for (i = 1; i <= n; i++) v[a[i]] = 0 }
    /^#/ { next } { name = $1; sub(/\{.*/, "", name); if (name in v) v[name] += $NF }
    END { for (k in v) printf "%s%s %.3f\n", pre, k, v[k] }'
metric_delta() { # BEFORE AFTER NAME
    awk -v n="$3" 'FNR == NR { if ($1 == n) b = $2; next } $1 == n { printf "%.0f", $2 - b }' "$1" "$2"
}

# ---- pre-flight -----------------------------------------------------------------------------------------------
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
log "stopping leftovers of a previous run in $OMS_DATA (recorded pids only)"
timeout 90 "$LC_DOWN" down >"$RUN/cluster-down-pre.log" 2>&1 || true
for p in 5080 11111 11112 30000 30001 8081 8082 "$OMS_PG_PORT"; do
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
if [[ "$PRODUCT_TREE" == worktree ]]; then
    REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- grains grain-interfaces client silo deploy 2>/dev/null)" ]] && echo ' + uncommitted changes in the product' || true)"
else
    REV="$(git -C "$ROOT" rev-parse --short "$PRODUCT_TREE^{commit}" 2>/dev/null)" || die "PRODUCT_TREE=$PRODUCT_TREE is not a commit"
    log "exporting commit $REV to $PRODUCT_ROOT (built there, not in the working tree)"
    rm -rf "$PRODUCT_ROOT"
    mkdir -p "$PRODUCT_ROOT"
    git -C "$ROOT" archive "$REV" | tar -x -C "$PRODUCT_ROOT" || die "git archive $REV failed"
    export OMS_NO_BUILD=0 # a fresh copy has no build output
fi

log "building the load generator (artifacts in $BUILD_DIR)"
timeout 300 dotnet build -c Release "$HERE/LoadGen/OrdersLoadGen.csproj" --artifacts-path "$BUILD_DIR" -nologo -v q \
    >"$RUN/loadgen-build.log" 2>&1 || { tail -n 30 "$RUN/loadgen-build.log"; die "load generator build failed"; }
LOADGEN="$(find "$BUILD_DIR/bin" -name OrdersLoadGen.dll -path '*release*' | head -n 1)"
[[ -f "$LOADGEN" ]] || die "OrdersLoadGen.dll not found under $BUILD_DIR"
RELSVC_DLL=""
if [[ "$RELSVC" == 1 ]]; then
    port_busy "$RELSVC_PORT" && die "port $RELSVC_PORT (relational service) is already in use"
    log "building the HTTP relational service (bench/relational-service, artifacts in $BUILD_DIR)"
    timeout 300 dotnet build -c Release "$HERE/../relational-service/RelationalService.csproj" --artifacts-path "$BUILD_DIR" -nologo -v q \
        >"$RUN/relsvc-build.log" 2>&1 || { tail -n 30 "$RUN/relsvc-build.log"; die "relational service build failed"; }
    RELSVC_DLL="$(find "$BUILD_DIR/bin" -name RelationalService.dll -path '*release*' | head -n 1)"
    [[ -f "$RELSVC_DLL" ]] || die "RelationalService.dll not found under $BUILD_DIR"
fi

# ---- PostgreSQL: one server for the OMS and for the baseline -------------------------------------------------
log "starting PostgreSQL ($PGDIR, port $OMS_PG_PORT) and raising max_connections to $MAX_CONNECTIONS"
timeout 120 "$ROOT/deploy/pg-throwaway.sh" start "$PGDIR" "$OMS_PG_PORT" >"$RUN/pg-start.log" 2>&1 ||
    { cat "$RUN/pg-start.log"; die "PostgreSQL start failed"; }
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET max_connections = $MAX_CONNECTIONS" >/dev/null
# pg_stat_statements: where PostgreSQL's time goes, per statement, for both sides (same small overhead on both).
[[ "$PG_STATEMENTS" == 1 ]] && "${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
# Restarted before any silo connects; pg_ctl restart keeps the original options (port, fsync=on, listen 127.0.0.1).
as_owner "$PG_BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/log" restart -m fast -w -t 60 >>"$RUN/pg-start.log" 2>&1 ||
    { tail -n 20 "$PGDIR/log"; die "PostgreSQL restart failed"; }
[[ "$("${PSQL[@]}" -d postgres -c 'SHOW max_connections')" == "$MAX_CONNECTIONS" ]] || die "max_connections was not raised"
[[ "$PG_STATEMENTS" == 1 ]] && "${PSQL[@]}" -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
PG_VERSION_STR="$("${PSQL[@]}" -d postgres -c 'SHOW server_version')"
PG_SETTINGS="$("${PSQL[@]}" -d postgres -F' ' -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','shared_buffers','wal_level','max_connections','commit_delay')")"
log "PostgreSQL $PG_VERSION_STR: $PG_SETTINGS"

# ---- the durable cluster ----------------------------------------------------------------------------------------
log "local-cluster.sh up (Release build of the solution unless OMS_NO_BUILD=1; log $RUN/cluster-up.log)"
timeout 480 "$LC" up >"$RUN/cluster-up.log" 2>&1 || { tail -n 40 "$RUN/cluster-up.log"; die "local-cluster.sh up failed"; }
KEY="$(cat "$OMS_DATA/api-key")"
log "cluster up (silo1 $(pidfile silo1), silo2 $(pidfile silo2), gateway $(pidfile gateway)); product $REV"

# ---- seed: locations, channel, products, stock (the layout files feed the baseline too) -------------------------
LAYOUT="$RUN/layout"
mkdir -p "$LAYOUT"
log "seeding: $LOCATIONS locations ($WAREHOUSES warehouses), channel web-gb, $SKUS products, $((LOCATIONS * SKUS)) stock rows (warehouse $WH_STOCK, store $STORE_STOCK units per SKU)"
timeout 600 dotnet "$LOADGEN" seed --url "$CLUSTER_URL" --key "$KEY" --layout "$LAYOUT" --locations "$LOCATIONS" \
    --warehouses "$WAREHOUSES" --skus "$SKUS" --wh-stock "$WH_STOCK" --store-stock "$STORE_STOCK" --out "$RUN/seed.env" \
    >"$RUN/seed.out" 2>&1 || { tail -n 20 "$RUN/seed.out" >&2; die "seeding failed"; }
grep '^\[seed\]' "$RUN/seed.out" | sed 's/^/  /' >&2
sleep 2 # reference data reaches every silo's cache within a second (ReferenceDataCache polls at 250 ms)

"$PG_BIN/createdb" -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres relational
"${PSQL[@]}" -d relational -q -f "$HERE/relational-schema.sql" >/dev/null 2>&1 || die "relational schema failed"
"${PSQL[@]}" -d relational -q -c "\copy location FROM '$LAYOUT/locations.csv' WITH (FORMAT csv)" \
    -c "\copy stock (location_id, sku, on_hand) FROM '$LAYOUT/stock.csv' WITH (FORMAT csv)" -c "ANALYZE" >/dev/null
log "baseline database 'relational': $("${PSQL[@]}" -d relational -c 'SELECT count(*) FROM location') locations, $("${PSQL[@]}" -d relational -c 'SELECT count(*) FROM stock') stock rows"

# ---- baseline: pgbench ------------------------------------------------------------------------------------------------
run_pgbench() { # TAG SCRIPT CLIENTS SECONDS
    local tag="$1" script="$2" clients="$3" secs="$4" dir="$RUN/$1" before after c0 c1 lsn0 lsn1 x0 x1
    mkdir -p "$dir"
    "${PSQL[@]}" -d relational -q -c "UPDATE stock SET allocated = 0 WHERE allocated <> 0; TRUNCATE order_lines, orders RESTART IDENTITY;" \
        -c "VACUUM ANALYZE stock" -c "CHECKPOINT" >/dev/null
    log "pgbench $tag: $(basename "$script"), $clients clients, -T $secs (load avg $(cut -d" " -f1 /proc/loadavg))"
    lsn0="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    x0="$(db_commits relational)"
    pgss_reset
    children_cpu "$dir/times0"
    before="$(cpu_snap)"
    (cd "$dir" && timeout $((secs + 120)) ${PIN[@]+"${PIN[@]}"} "$PG_BIN/pgbench" -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres -n -M prepared \
        -c "$clients" -j 2 -T "$secs" -D nskus="$SKUS" -D nlocs="$LOCATIONS" -D nwh="$WAREHOUSES" \
        -f "$script" -l --log-prefix=tx relational) >"$dir/pgbench.out" 2>&1 || { tail -n 20 "$dir/pgbench.out"; die "pgbench $tag failed"; }
    after="$(cpu_snap)"
    children_cpu "$dir/times1"
    c0="$(cat "$dir/times0.s")" c1="$(cat "$dir/times1.s")"
    lsn1="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    x1="$(db_commits relational)"
    local tps processed failed p50 p99 orders lines allocated over wh wal
    tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$dir/pgbench.out")"
    processed="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/pgbench.out")"
    failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$dir/pgbench.out")"
    read -r p50 p99 < <(cat "$dir"/tx.* | awk '{print $3}' | sort -n | awk '{a[NR] = $1}
        function q(p,  i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return a[i] / 1000 }
        END { printf "%.1f %.1f\n", q(0.50), q(0.99) }')
    read -r orders lines allocated over wh < <("${PSQL[@]}" -d relational -F' ' -c "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines),
        (SELECT coalesce(sum(allocated), 0) FROM stock), (SELECT count(*) FROM stock WHERE allocated > on_hand),
        (SELECT count(*) FROM order_lines WHERE location_id LIKE 'WH-%')")
    wal="$("${PSQL[@]}" -d postgres -c "SELECT pg_wal_lsn_diff('$lsn1','$lsn0')::bigint")"
    echo "  tps $tps (processed $processed, failed ${failed:-0}), latency p50 $p50 ms p99 $p99 ms" >&2
    echo "  verify: orders $orders, order_lines $lines, sum(stock.allocated) $allocated, rows over-allocated $over, lines at warehouses $wh; WAL $((wal / 1024 / 1024)) MiB ($((wal / (orders > 0 ? orders : 1))) B/order), $((x1 - x0)) commits in db relational" >&2
    per_op "$dir/per-op" "$orders" "$wal" "$((x1 - x0))" "" 
    [[ "$allocated" == "$lines" && "$lines" == $((3 * orders)) ]] || fail_check "pgbench $tag: allocated $allocated, lines $lines, orders $orders do not agree"
    [[ "$over" == 0 ]] || fail_check "pgbench $tag: $over stock rows allocated beyond on_hand"
    [[ "$orders" == "$processed" ]] || echo "  note: $((processed - orders)) transactions found a row short and wrote nothing" >&2
    echo "  $(PER_N="$orders" CPU_OUT="$dir/cpu-per-order" CPU_GROUPS=postgres cpu_report "$before" "$after" pgbench "$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b - a}')")" >&2
    pgss_report relational "$orders" >&2
    local v="${tag//-/_}"
    eval "PG_${v}_TPS=$tps PG_${v}_P50=$p50 PG_${v}_P99=$p99 PG_${v}_N=$processed"
}

db_commits() { "${PSQL[@]}" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$1'"; }
per_op() { # FILE OPS WAL_BYTES COMMITS [GRAIN_CALLS] -> kv file for the table
    awk -v n="$2" -v w="$3" -v c="$4" -v g="${5:-}" 'BEGIN { if (n <= 0) n = 1
        printf "wal_per_op=%.0f\ncommits_per_op=%.2f\n", w / n, c / n; if (g != "") printf "calls_per_op=%.1f\n", g / n }' >"$1"
}
pv() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1; }

# ---- the HTTP relational service (bench/relational-service), same database `relational`, same load generator -------
start_relsvc() {
    [[ -n "$SVC_PID" ]] && return 0
    log "starting the HTTP relational service on $RELSVC_URL (Npgsql Max Pool Size $RELSVC_POOL, db relational)"
    (cd "$RUN" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
        RELATIONAL_DB="Host=127.0.0.1;Port=$OMS_PG_PORT;Username=postgres;Database=relational;Maximum Pool Size=$RELSVC_POOL" \
        exec dotnet "$RELSVC_DLL" --urls "$RELSVC_URL") >"$RUN/relsvc.log" 2>&1 &
    SVC_PID=$!
    for i in $(seq 1 60); do
        curl -fsS -m 2 -o /dev/null "$RELSVC_URL/health/ready" 2>/dev/null && return 0
        kill -0 "$SVC_PID" 2>/dev/null || { tail -n 30 "$RUN/relsvc.log" >&2; die "relational service exited"; }
        [[ "$i" == 60 ]] && die "relational service not ready after 60 s"
        sleep 1
    done
}
run_relsvc() { # TAG CLIENTS
    local tag="$1" clients="$2" before after lsn0 lsn1 x0 x1 e="$RUN/$1.env" ok orders lines allocated over wh wal off units
    "${PSQL[@]}" -d relational -q -c "UPDATE stock SET allocated = 0 WHERE allocated <> 0; TRUNCATE order_lines, orders RESTART IDENTITY;" \
        -c "VACUUM ANALYZE stock" -c "CHECKPOINT" >/dev/null
    start_relsvc
    log "HTTP relational service $tag: $clients clients, POST $RELSVC_URL/v1/orders, warm-up ${WARMUP}s + ${DURATION}s (load avg $(cut -d" " -f1 /proc/loadavg))"
    lsn0="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    x0="$(db_commits relational)"
    pgss_reset
    before="$(cpu_snap)"
    timeout $((WARMUP + DURATION + 120)) ${PIN[@]+"${PIN[@]}"} dotnet "$LOADGEN" run --url "$RELSVC_URL" --layout "$LAYOUT" \
        --concurrency "$clients" --warmup "$WARMUP" --duration "$DURATION" --customers "$CUSTOMERS" --prefix "$tag" --label "$tag" \
        --ledger "$RUN/$tag.ledger.tsv" --resolve "$RUN/$tag.resolve.txt" --out "$e" >"$RUN/$tag.out" 2>&1 &
    LG_PID=$!
    wait "$LG_PID" || { LG_PID=""; cat "$RUN/$tag.out" >&2; die "load generator $tag failed"; }
    LG_PID=""
    after="$(cpu_snap)"
    x1="$(db_commits relational)"
    lsn1="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    pgss_report relational "$(kv "$e" ok_total)" >"$RUN/$tag.pgss"
    ok="$(kv "$e" ok_total)"
    wal="$("${PSQL[@]}" -d postgres -c "SELECT pg_wal_lsn_diff('$lsn1','$lsn0')::bigint")"
    echo "  $(kv "$e" statuses) | orders/s $(kv "$e" ok_rate), p50 $(kv "$e" p50_ms) ms, p90 $(kv "$e" p90_ms) ms, p99 $(kv "$e" p99_ms) ms, max $(kv "$e" max_ms) ms; fulfilments per order $(kv "$e" fulfilments_per_order)" >&2
    echo "  201s: warm-up $(kv "$e" ok_warmup), measured $(kv "$e" ok_measured), drain $(kv "$e" ok_drain); 409 $(kv "$e" conflict_total); no answer $(kv "$e" unknown_total); other $(kv "$e" other_total); orders/s per 5 s: $(kv "$e" timeline_5s)" >&2
    grep '^# error sample' "$e" | head -n 6 | sed 's/^/  /' >&2 || true
    echo "  $(PER_N="$ok" CPU_OUT="$RUN/$tag.cpu-per-order" CPU_GROUPS="postgres relsvc" cpu_report "$before" "$after" loadgen "$(kv "$e" cpu_s)")" >&2
    per_op "$RUN/$tag.per-op" "$ok" "$wal" "$((x1 - x0))"
    # Verify in SQL: every location x SKU's allocated equals the units the 201s placed there (the ledger), orders = 201s.
    read -r orders lines allocated over wh off units < <("${PSQL[@]}" -d relational -F' ' \
        -c "CREATE TEMP TABLE ledger (order_id text, location_id text, sku text, quantity integer)" \
        -c "\copy ledger FROM '$RUN/$tag.ledger.tsv'" \
        -c "SELECT (SELECT count(*) FROM orders), (SELECT coalesce(sum(quantity), 0) FROM order_lines), (SELECT coalesce(sum(allocated), 0) FROM stock),
                   (SELECT count(*) FROM stock WHERE allocated + reserved > on_hand), (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE location_id LIKE 'WH-%'),
                   (SELECT count(*) FROM stock s FULL JOIN (SELECT location_id, sku, sum(quantity) AS q FROM ledger GROUP BY 1, 2) l USING (location_id, sku)
                     WHERE coalesce(s.allocated, -1) <> coalesce(l.q, 0)),
                   (SELECT coalesce(sum(quantity), 0) FROM ledger)" | tail -n 1)
    echo "  verify: orders $orders (201s $ok), units in order_lines $lines, sum(stock.allocated) $allocated, units in the 201s $units, records off $off, rows over on_hand $over, units at warehouses $wh; WAL $((wal / 1024 / 1024)) MiB ($((wal / (ok > 0 ? ok : 1))) B/order), $((x1 - x0)) commits in db relational" >&2
    cat "$RUN/$tag.pgss" >&2
    [[ "$allocated" == "$lines" && "$lines" == "$units" ]] || fail_check "relational service $tag: allocated $allocated, order lines $lines, units acknowledged $units do not agree"
    [[ "$off" == 0 ]] || fail_check "relational service $tag: $off location x SKU records differ from the acknowledged orders"
    [[ "$over" == 0 ]] || fail_check "relational service $tag: OVERSELL, $over stock rows beyond on_hand"
    [[ "$(kv "$e" unknown_total)" != 0 || "$orders" == "$ok" ]] || fail_check "relational service $tag: $orders orders in the database, $ok acknowledged"
    [[ "$(kv "$e" other_total)" == 0 ]] || fail_check "relational service $tag: $(kv "$e" other_total) responses with an unexpected status ($(kv "$e" statuses))"
    [[ "$(kv "$e" unknown_total)" == 0 ]] || fail_check "relational service $tag: $(kv "$e" unknown_total) requests without an answer"
    [[ "$(kv "$e" bad_bodies)" == 0 ]] || fail_check "relational service $tag: $(kv "$e" bad_bodies) 201s whose fulfilments did not cover the lines"
}

# ---- profile (bench/orders/profile.sh sets PROFILE_TAG): dotnet-trace on silo1 and the gateway, dotnet-counters -----
start_profile() { # TAG WARMUP: silo1 from 3 s into the measured window, then the gateway, PROFILE_SECONDS each
    # dotnet-trace collect-linux --profile cpu-sampling: kernel perf CPU samples of that process with managed frames
    # resolved (the EventPipe "collect" profiles sample thread time, idle threads included). One at a time: two
    # collect-linux sessions share the perf/user_events machinery. dotnet-counters (System.Runtime) runs beside both.
    local tag="$1" delay=$(($2 + 3)) secs="${PROFILE_SECONDS:-15}" dir="$RUN/profile" who dur
    mkdir -p "$dir"
    command -v dotnet-trace >/dev/null || die "PROFILE_TAG set but dotnet-trace is not on PATH (~/.dotnet/tools)"
    dur="$(printf '00:00:%02d' "$secs")"
    log "profile: from ${delay}s, ${secs}s of dotnet-trace collect-linux cpu-sampling on silo1 ($(pidfile silo1)), then on the gateway ($(pidfile gateway)); dotnet-counters on both -> $dir"
    (
        sleep "$delay"
        timeout $((secs + 120)) dotnet-trace collect-linux -p "$(pidfile silo1)" --profile cpu-sampling --duration "$dur" -o "$dir/silo1.nettrace" >"$dir/trace-silo1.log" 2>&1
        echo "silo1 rc=$? at $(date +%T)" >>"$dir/trace-times.log"
        timeout $((secs + 120)) dotnet-trace collect-linux -p "$(pidfile gateway)" --profile cpu-sampling --duration "$dur" -o "$dir/gateway.nettrace" >"$dir/trace-gateway.log" 2>&1
        echo "gateway rc=$? at $(date +%T)" >>"$dir/trace-times.log"
    ) &
    PROF_PIDS+=($!)
    for who in silo1 gateway; do
        (sleep "$delay"; exec timeout $((2 * secs + 60)) dotnet-counters collect -p "$(pidfile "$who")" --counters System.Runtime --refresh-interval 1 \
            --duration "$(printf '00:00:%02d' $((2 * secs + 4)))" --format csv -o "$dir/counters-$who.csv") >"$dir/counters-$who.log" 2>&1 &
        PROF_PIDS+=($!)
    done
}
# Grain calls per order by grain type and method, from the dashboard's last-100-s statistics (Orleans.Dashboard's grain
# call filter; grain calls only: system targets and the gateway's client calls are not in it), normalised by the
# IOrderGrain.PlaceAsync calls in the same window. The window overlaps the run before; the mix per order is the same.
dashboard_calls() { # TAG
    curl -sS -m 10 "http://127.0.0.1:8081/dashboard/TopGrainMethods" >"$RUN/$1.dashboard-methods.json" 2>/dev/null || return 0
    curl -sS -m 10 "http://127.0.0.1:8081/dashboard/DashboardCounters" >"$RUN/$1.dashboard-counters.json" 2>/dev/null || true
    python3 - "$RUN/$1.dashboard-methods.json" "$RUN/$1.dashboard-counters.json" <<'PY' || true
import json, sys
methods = json.load(open(sys.argv[1])).get("calls", [])
rows = {}
for c in methods:
    key = (c["grain"].split(".")[-1], c["method"].split(".")[-1])
    rows[key] = rows.get(key, 0) + c["count"]
types = {}
try:
    for g in json.load(open(sys.argv[2])).get("simpleGrainStats", []):
        t = g["grainType"].split(".")[-1]
        types[t] = types.get(t, 0) + g["totalCalls"]
except Exception:
    pass
orders = types.get("OrderGrain") or sum(v for (g, m), v in rows.items() if g == "OrderGrain" and m == "PlaceAsync")
if not orders:
    sys.exit(0)
print(f"  grain calls per order by grain type (dashboard, last 100 s, both silos; per OrderGrain call, {orders} of them):")
print("    " + ", ".join(f"{t} {v / orders:.2f}" for t, v in sorted(types.items(), key=lambda kv: -kv[1]) if v > 0) + f"; total {sum(types.values()) / orders:.2f}")
if rows:
    print("  top grain methods (dashboard), per order: " + ", ".join(f"{g}.{m} {v / orders:.2f}" for (g, m), v in sorted(rows.items(), key=lambda kv: -kv[1])))
PY
}
wait_profile() {
    local p
    for p in ${PROF_PIDS[@]+"${PROF_PIDS[@]}"}; do wait "$p" 2>/dev/null || true; done
    PROF_PIDS=()
}

# ---- OMS load ---------------------------------------------------------------------------------------------------
LEDGERS=()
RESOLVES=()
run_oms() { # TAG CLIENTS [WARMUP DURATION]
    local tag="$1" clients="$2" warmup="${3:-$WARMUP}" duration="${4:-$DURATION}" before after lsn0 lsn1 x0 x1 m0="$RUN/$1.metrics0" m1="$RUN/$1.metrics1"
    log "OMS $tag: $clients clients, POST $CLUSTER_URL/v1/orders, warm-up ${warmup}s + ${duration}s (load avg $(cut -d" " -f1 /proc/loadavg))"
    metrics_snap "$m0"
    storage_snap "$RUN/$tag.storage0"
    lsn0="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    x0="$(db_commits oms)"
    pgss_reset
    before="$(cpu_snap)"
    [[ "$tag" == "${PROFILE_TAG:-}" ]] && start_profile "$tag" "$warmup"
    timeout $((warmup + duration + 120)) ${PIN[@]+"${PIN[@]}"} dotnet "$LOADGEN" run --url "$CLUSTER_URL" --key "$KEY" --layout "$LAYOUT" \
        --concurrency "$clients" --warmup "$warmup" --duration "$duration" --customers "$CUSTOMERS" --prefix "$tag" --label "$tag" \
        --ledger "$RUN/$tag.ledger.tsv" --resolve "$RUN/$tag.resolve.txt" --out "$RUN/$tag.env" >"$RUN/$tag.out" 2>&1 &
    LG_PID=$!
    wait "$LG_PID" || { LG_PID=""; cat "$RUN/$tag.out" >&2; die "load generator $tag failed"; }
    LG_PID=""
    after="$(cpu_snap)"
    pgss_report oms "$(kv "$RUN/$tag.env" ok_total)" >"$RUN/$tag.pgss" # before any query of ours runs in db oms
    x1="$(db_commits oms)"
    lsn1="$("${PSQL[@]}" -d postgres -c 'SELECT pg_current_wal_lsn()')"
    metrics_snap "$m1"
    storage_snap "$RUN/$tag.storage1"
    LEDGERS+=("$RUN/$tag.ledger.tsv")
    RESOLVES+=("$RUN/$tag.resolve.txt")
    wait_profile
    local e="$RUN/$tag.env" ok placed wal writes wlat rlat reads batch calls scalls gcalls
    ok="$(kv "$e" ok_total)"
    echo "  $(kv "$e" statuses) | orders/s $(kv "$e" ok_rate), p50 $(kv "$e" p50_ms) ms, p90 $(kv "$e" p90_ms) ms, p99 $(kv "$e" p99_ms) ms, max $(kv "$e" max_ms) ms; fulfilments per order $(kv "$e" fulfilments_per_order)" >&2
    echo "  201s: warm-up $(kv "$e" ok_warmup), measured $(kv "$e" ok_measured), drain $(kv "$e" ok_drain); 409 insufficient_stock $(kv "$e" conflict_total); no answer (exception) $(kv "$e" unknown_total); other status $(kv "$e" other_total)" >&2
    echo "  orders/s per 5 s of the measured window: $(kv "$e" timeline_5s)" >&2
    grep '^# error sample' "$e" | head -n 6 | sed 's/^/  /' >&2 || true
    # per order: CPU over the whole load (warm-up + window + drain) / every 201
    echo "  $(PER_N="$ok" CPU_OUT="$RUN/$tag.cpu-per-order" cpu_report "$before" "$after" loadgen "$(kv "$e" cpu_s)")" >&2
    wal="$("${PSQL[@]}" -d postgres -c "SELECT pg_wal_lsn_diff('$lsn1','$lsn0')::bigint")"
    placed="$(metric_delta "$m0" "$m1" oms_orders_placed_total)"
    writes="$(metric_delta "$m0" "$m1" orleans_storage_write_latency_milliseconds_count)"
    reads="$(metric_delta "$m0" "$m1" orleans_storage_read_latency_milliseconds_count)"
    wlat="$(awk -v s="$(metric_delta "$m0" "$m1" orleans_storage_write_latency_milliseconds_sum)" -v c="$writes" 'BEGIN{printf "%.1f", (c > 0 ? s / c : 0)}')"
    rlat="$(awk -v s="$(metric_delta "$m0" "$m1" orleans_storage_read_latency_milliseconds_sum)" -v c="$reads" 'BEGIN{printf "%.1f", (c > 0 ? s / c : 0)}')"
    batch="$(awk -v s="$(metric_delta "$m0" "$m1" oms_inventory_commit_batch_size_sum)" -v c="$(metric_delta "$m0" "$m1" oms_inventory_commit_batch_size_count)" 'BEGIN{printf "%.2f changes over %d inventory writes", (c > 0 ? s / c : 0), c}')"
    scalls="$(metric_delta "$m0" "$m1" orleans_app_requests_latency_milliseconds_count)"
    gcalls="$(metric_delta "$m0" "$m1" gw_orleans_app_requests_latency_milliseconds_count)"
    calls=$((${scalls:-0} + ${gcalls:-0}))
    per_op "$RUN/$tag.per-op" "$ok" "$wal" "$((x1 - x0))" "$calls"
    echo "  PostgreSQL: WAL $((wal / 1024 / 1024)) MiB ($((wal / (ok > 0 ? ok : 1))) B/order), $((x1 - x0)) commits in db oms ($(awk -v a=$((x1 - x0)) -v b="$ok" 'BEGIN{printf "%.1f", (b > 0 ? a / b : 0)}')/order)" >&2
    echo "  silos: orders placed $placed; grain-state writes $writes ($(awk -v a="$writes" -v b="$ok" 'BEGIN{printf "%.1f", (b > 0 ? a / b : 0)}')/order, mean $wlat ms), reads $reads (mean $rlat ms); inventory commit batch: mean $batch;" \
        "activations $(metric_delta "$m0" "$m1" orleans_catalog_activation_created_total); grain calls $calls ($(awk -v a="$calls" -v b="$ok" 'BEGIN{printf "%.1f", (b > 0 ? a / b : 0)}')/order: silos $scalls, gateway $gcalls; orleans_app_requests_latency count = calls answered, per calling process);" \
        "allocations refused $(metric_delta "$m0" "$m1" oms_inventory_allocations_refused_total), rolled back $(metric_delta "$m0" "$m1" oms_inventory_allocations_rolled_back_total)" >&2
    echo "  grain-state writes per acknowledged order, by grain type: $(storage_delta "$RUN/$tag.storage0" "$RUN/$tag.storage1" "$ok")" >&2
    dashboard_calls "$tag" >&2 || true
    cat "$RUN/$tag.pgss" >&2
    [[ "$(kv "$e" other_total)" == 0 ]] || fail_check "$tag: $(kv "$e" other_total) responses with an unexpected status ($(kv "$e" statuses))"
    [[ "$(kv "$e" unknown_total)" == 0 ]] || fail_check "$tag: $(kv "$e" unknown_total) requests failed without an answer (timeout/connection)"
    [[ "$(kv "$e" bad_bodies)" == 0 ]] || fail_check "$tag: $(kv "$e" bad_bodies) 201s whose fulfilments did not cover the 3 lines"
}

pgss_reset() { [[ "$PG_STATEMENTS" != 1 ]] || "${PSQL[@]}" -d postgres -c "SELECT pg_stat_statements_reset()" >/dev/null; }
pgss_report() { # DB ORDERS: statement execution time per order in DB, and its top statements
    [[ "$PG_STATEMENTS" == 1 ]] || return 0
    local db="$1" n="$2"
    "${PSQL[@]}" -d postgres -F' ' -c "SELECT round(coalesce(sum(total_exec_time), 0)::numeric / greatest($n, 1), 3), coalesce(sum(calls), 0) / greatest($n, 1)
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '$db'" |
        awk '{ printf "  PostgreSQL statement execution (pg_stat_statements, db '"$db"'): %s ms per order over %.1f statements per order; top statements:\n", $1, $2 }'
    "${PSQL[@]}" -d postgres -F' | ' -c "SELECT round(total_exec_time::numeric / greatest($n, 1), 3) AS ms_per_order, round(calls::numeric / greatest($n, 1), 2) AS calls_per_order,
            round(mean_exec_time::numeric, 3) AS mean_ms, regexp_replace(left(query, 110), '\s+', ' ', 'g')
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '$db' ORDER BY total_exec_time DESC LIMIT 6" |
        sed 's/^/    /' || true
}

storage_snap() { # FILE: per grain type "type rows writes bytes"
    "${PSQL[@]}" -d oms -F' ' -c "SELECT graintypestring, count(*), coalesce(sum(version), 0), coalesce(sum(octet_length(payloadbinary)), 0) FROM orleansstorage GROUP BY 1 ORDER BY 1" >"$1" 2>/dev/null || true
}
storage_delta() { # BEFORE AFTER ORDERS -> per grain type written: writes per order, and the mean row size afterwards
    awk -v n="$3" 'FNR == NR { w[$1] = $3; next }
        { d = $3 - w[$1]; if (d > 0) { printf "%s%s %.2f (rows %.0f B)", sep, $1, (n > 0 ? d / n : 0), ($2 > 0 ? $4 / $2 : 0); sep = ", " } }' "$1" "$2"
}

storage_stats() { # what the grains wrote (row versions = writes)
    "${PSQL[@]}" -d oms -F' | ' -c "SELECT graintypestring, count(*) AS rows, sum(version) AS writes, round(avg(octet_length(payloadbinary))) AS avg_bytes, max(octet_length(payloadbinary)) AS max_bytes FROM orleansstorage GROUP BY 1 ORDER BY 3 DESC NULLS LAST" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# The baseline first, while the silos are idle: after order load they keep ~0.3-0.45 cores busy (allocation-confirm
# reminders of thousands of inventory grains firing and being deleted), which would be taken from pgbench.
for c in "${CLIENT_COUNTS[@]}"; do
    run_pgbench "pg-c$c" "$HERE/relational-order.sql" "$c" "$PG_DURATION"
    if [[ "$PG_SOURCING" == 1 && "$c" == "${CLIENT_COUNTS[0]}" ]]; then
        run_pgbench "pgsrc-c$c" "$HERE/relational-order-sourced.sql" "$c" "$PG_DURATION"
    fi
done
# Then the HTTP relational service, also while the silos are idle (stopped before the OMS runs).
if [[ "$RELSVC" == 1 ]]; then
    for c in "${CLIENT_COUNTS[@]}"; do run_relsvc "rel-c$c" "$c"; done
    stop_relsvc
fi
# Then the OMS: one unmeasured pre-warm (the order path's code is JIT-compiled and tiered up under load: ~20 % of the
# silos' CPU went to the JIT 20-35 s into the first load in a perf profile), then each client count.
if [[ "$PREWARM" -gt 0 ]]; then
    run_oms "oms-prewarm" "${CLIENT_COUNTS[0]}" 0 "$PREWARM"
fi
for c in "${CLIENT_COUNTS[@]}"; do
    run_oms "oms-c$c" "$c"
done

# ---- verification: every location x SKU against the acknowledged orders -----------------------------------------------
log "verifying: allocated of all $((LOCATIONS * SKUS)) location x SKU records against the 201s (and any unanswered order looked up)"
LEDGER_LIST="$(IFS=,; echo "${LEDGERS[*]}")"
RESOLVE_LIST="$(IFS=,; echo "${RESOLVES[*]}")"
timeout 600 dotnet "$LOADGEN" verify --url "$CLUSTER_URL" --key "$KEY" --layout "$LAYOUT" --ledgers "$LEDGER_LIST" \
    --resolve "$RESOLVE_LIST" --out "$RUN/verify.env" >"$RUN/verify.out" 2>&1 || { tail -n 20 "$RUN/verify.out" >&2; die "verification run failed"; }
V="$RUN/verify.env"
echo "  acknowledged orders $(kv "$V" orders_acked); unanswered looked up $(kv "$V" resolve_checked) (exist $(kv "$V" resolved_placed), absent $(kv "$V" resolved_absent), unknown $(kv "$V" unresolved))" >&2
echo "  allocated over all $(kv "$V" pairs_checked) records: $(kv "$V" allocated_total); expected from the orders: $(kv "$V" expected_total); records off: $(kv "$V" mismatches); onHand changed: $(kv "$V" onhand_changed); reserved <> 0: $(kv "$V" reserved_nonzero); allocated > onHand: $(kv "$V" over_allocated)" >&2
echo "  orders read back: $(kv "$V" sample_checked), differing from their 201: $(kv "$V" sample_bad); locations used $(kv "$V" locations_used) of $LOCATIONS; units at warehouses $(kv "$V" units_at_warehouses) of $(kv "$V" expected_total)" >&2
grep '^# ' "$V" | head -n 20 | sed 's/^/  /' >&2 || true
[[ "$(kv "$V" read_failures)" == 0 ]] || fail_check "$(kv "$V" read_failures) inventory reads failed"
[[ "$(kv "$V" mismatches)" == 0 ]] || fail_check "ALLOCATION MISMATCH: $(kv "$V" mismatches) location x SKU records disagree with the acknowledged orders (allocated $(kv "$V" allocated_total), orders say $(kv "$V" expected_total))"
[[ "$(kv "$V" allocated_total)" == "$(kv "$V" expected_total)" ]] || fail_check "ALLOCATION MISMATCH: total allocated $(kv "$V" allocated_total) != units of acknowledged orders $(kv "$V" expected_total)"
[[ "$(kv "$V" onhand_changed)" == 0 ]] || fail_check "$(kv "$V" onhand_changed) records with onHand different from the seed"
[[ "$(kv "$V" over_allocated)" == 0 ]] || fail_check "OVERSELL: $(kv "$V" over_allocated) records with allocated > onHand"
[[ "$(kv "$V" unresolved)" == 0 ]] || fail_check "$(kv "$V" unresolved) unanswered orders could not be looked up"
[[ "$(kv "$V" sample_bad)" == 0 ]] || fail_check "$(kv "$V" sample_bad) orders read back differ from their 201"
ORDER_ROWS="$("${PSQL[@]}" -d oms -c "SELECT count(*) FROM orleansstorage WHERE graintypestring = 'order' AND grainidextensionstring LIKE 'oms-%'" 2>/dev/null || echo '?')"
echo "  order grain rows in PostgreSQL: $ORDER_ROWS (acknowledged + found: $(($(kv "$V" orders_acked) + $(kv "$V" resolved_placed))))" >&2
echo "  grain storage rows (writes = sum of row versions):" >&2
storage_stats
echo "  reminders: $("${PSQL[@]}" -d oms -c 'SELECT count(*) FROM orleansreminderstable' 2>/dev/null || echo '?') rows" >&2

log "cluster log lines at warn/fail level:"
for f in "$OMS_DATA"/logs/silo1.log "$OMS_DATA"/logs/silo2.log "$OMS_DATA"/logs/gateway.log; do
    echo "  $(basename "$f"): $(grep -c '^warn:' "$f" || true) warn, $(grep -c '^fail:' "$f" || true) fail, $(grep -c '^crit:' "$f" || true) crit" >&2
done
echo "  distinct warn/fail/crit messages (count, first line):" >&2
grep -h -A1 '^warn:\|^fail:\|^crit:' "$OMS_DATA"/logs/silo*.log "$OMS_DATA"/logs/gateway.log 2>/dev/null | grep -v '^warn:\|^fail:\|^crit:\|^--' |
    sed 's/^ *//; s/cluster-[0-9]*-[0-9]*/cluster-N-M/g; s/#[0-9A-F]\{8,\}/#X/g' | cut -c1-170 | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/    /' >&2 || true

# ---- table --------------------------------------------------------------------------------------------------------
FIRST="${CLIENT_COUNTS[0]}"
TARGET=met
TARGET_NOTES=()
for c in "${CLIENT_COUNTS[@]}"; do
    oms="$(kv "$RUN/oms-c$c.env" ok_rate)"
    r="$(ratio "$oms" "$(eval echo "\${PG_pg_c${c}_TPS:-}")")"
    awk -v r="$r" 'BEGIN { exit !(r != "n/a" && r >= 1) }' || { TARGET=missed; TARGET_NOTES+=("OMS/pgbench $r < 1 at $c clients"); }
    if [[ "$RELSVC" == 1 ]]; then
        r="$(ratio "$oms" "$(kv "$RUN/rel-c$c.env" ok_rate)")"
        awk -v r="$r" 'BEGIN { exit !(r != "n/a" && r >= 2) }' || { TARGET=missed; TARGET_NOTES+=("OMS/HTTP relational $r < 2 at $c clients"); }
    fi
    cpu="$(cat "$RUN/oms-c$c.cpu-per-order" 2>/dev/null || echo 999)"
    awk -v x="$cpu" 'BEGIN { exit !(x <= 1.5) }' || { TARGET=missed; TARGET_NOTES+=("OMS CPU $cpu ms/order > 1.5 at $c clients"); }
done
[[ ${#FAILURES[@]} -eq 0 ]] || TARGET=missed
row() { printf '| %-52s | %8s | %7s | %7s | %9s | %9s | %8s | %7s | %7s | %8s | %7s |\n' "$@"; }
num() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { if (x == "" || x == "nan") print "-"; else printf "%.*f", d, x }'; }
cpuo() { [[ -f "$1" ]] && num "$(cat "$1")" 2 || echo "-"; }
op() { local v; v="$(pv "$1" "$2")"; [[ -n "$v" ]] && echo "$v" || echo "-"; }
{
    echo
    echo "Orders, 3 lines x 1 unit, $LOCATIONS locations ($WAREHOUSES warehouses), $SKUS SKUs, $(date -u +%Y-%m-%dT%H:%MZ), product $REV"
    echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "PostgreSQL $PG_VERSION_STR ($PG_SETTINGS); OMS: pre-warm ${PREWARM}s, then warm-up ${WARMUP}s + ${DURATION}s per client count (HTTP relational service: the same, no pre-warm); pgbench -T $PG_DURATION"
    echo "Load generators pinned: ${PIN[*]:-no}; servers not pinned. CPU ms/order: whole load incl. the load generator (pgbench / OrdersLoadGen); 'servers' = PostgreSQL + service/silos+gateway only."
    row "scenario" "orders/s" "p50 ms" "p99 ms" "CPU ms/op" "servers" "commits" "WAL B" "calls" "OMS/rel" "OMS/pg"
    row "----------------------------------------------------" "--------" "-------" "-------" "---------" "---------" "--------" "-------" "-------" "--------" "-------"
    for c in "${CLIENT_COUNTS[@]}"; do
        pg_tps="$(eval echo "\${PG_pg_c${c}_TPS:-}")"
        oms="$(kv "$RUN/oms-c$c.env" ok_rate)"
        row "pgbench relational order txn, $c clients" "$(num "$pg_tps")" "$(num "$(eval echo "\${PG_pg_c${c}_P50:-}")")" \
            "$(num "$(eval echo "\${PG_pg_c${c}_P99:-}")")" "$(cpuo "$RUN/pg-c$c/cpu-per-order")" "$(cpuo "$RUN/pg-c$c/cpu-per-order.server")" \
            "$(op "$RUN/pg-c$c/per-op" commits_per_op)" "$(op "$RUN/pg-c$c/per-op" wal_per_op)" "-" "-" "-"
        if [[ -n "$(eval echo "\${PG_pgsrc_c${c}_TPS:-}")" ]]; then
            row "pgbench same + sourcing query in SQL, $c clients" "$(num "$(eval echo "\${PG_pgsrc_c${c}_TPS}")")" "$(num "$(eval echo "\${PG_pgsrc_c${c}_P50}")")" \
                "$(num "$(eval echo "\${PG_pgsrc_c${c}_P99}")")" "$(cpuo "$RUN/pgsrc-c$c/cpu-per-order")" "$(cpuo "$RUN/pgsrc-c$c/cpu-per-order.server")" \
                "$(op "$RUN/pgsrc-c$c/per-op" commits_per_op)" "$(op "$RUN/pgsrc-c$c/per-op" wal_per_op)" "-" "-" "-"
        fi
        rel=""
        if [[ "$RELSVC" == 1 ]]; then
            rel="$(kv "$RUN/rel-c$c.env" ok_rate)"
            row "HTTP relational service (pool $RELSVC_POOL), $c clients" "$(num "$rel")" "$(num "$(kv "$RUN/rel-c$c.env" p50_ms)" 1)" \
                "$(num "$(kv "$RUN/rel-c$c.env" p99_ms)" 1)" "$(cpuo "$RUN/rel-c$c.cpu-per-order")" "$(cpuo "$RUN/rel-c$c.cpu-per-order.server")" \
                "$(op "$RUN/rel-c$c.per-op" commits_per_op)" "$(op "$RUN/rel-c$c.per-op" wal_per_op)" "-" "-" "-"
        fi
        row "OMS cluster (2 silos + gateway), $c clients" "$(num "$oms")" "$(num "$(kv "$RUN/oms-c$c.env" p50_ms)" 0)" \
            "$(num "$(kv "$RUN/oms-c$c.env" p99_ms)" 0)" "$(cpuo "$RUN/oms-c$c.cpu-per-order")" "$(cpuo "$RUN/oms-c$c.cpu-per-order.server")" \
            "$(op "$RUN/oms-c$c.per-op" commits_per_op)" "$(op "$RUN/oms-c$c.per-op" wal_per_op)" "$(op "$RUN/oms-c$c.per-op" calls_per_op)" \
            "$([[ -n "$rel" ]] && ratio "$oms" "$rel" || echo -)" "$(ratio "$oms" "$pg_tps")"
    done
    echo
    echo "Counts (OMS): allocated over all $(kv "$V" pairs_checked) location x SKU records $(kv "$V" allocated_total), units of acknowledged orders $(kv "$V" expected_total) ($(kv "$V" mismatches) records off, $(kv "$V" over_allocated) over onHand, $(kv "$V" sample_bad) of $(kv "$V" sample_checked) orders read back differ); pgbench and the HTTP service verified in SQL per run (above)"
    if [[ "$TARGET" == met ]]; then
        echo "Target (OMS >= 2x the HTTP relational service and >= 1x pgbench at every client count, CPU <= 1.5 ms/order, counts verified): MET"
    else
        echo "Target (OMS >= 2x the HTTP relational service and >= 1x pgbench at every client count, CPU <= 1.5 ms/order, counts verified): MISSED (${TARGET_NOTES[*]:-}; ${#FAILURES[@]} verification failure(s))"
    fi
    for f in ${FAILURES[@]+"${FAILURES[@]}"}; do echo "VERIFICATION FAILED: $f"; done
} | tee "$RUN/table.txt"
log "done in $(($(date +%s) - T_START)) s"

[[ ${#FAILURES[@]} -eq 0 ]] || exit 4
[[ "${STRICT:-0}" == 1 && "$TARGET" == missed ]] && exit 3
exit 0
