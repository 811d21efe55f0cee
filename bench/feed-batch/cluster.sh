#!/usr/bin/env bash
# The feed batch on the durable 2-silo PostgreSQL cluster (deploy/local-cluster.sh: PostgreSQL, silo1, silo2, gateway),
# with the PostgreSQL baselines on the same server. Called by run.sh (mode "cluster") as
#   flock /tmp/oms-cluster-bench.lock bash cluster.sh
# because local-cluster.sh's ports (5080, 11111/11112, 30000/30001, 8081/8082) are fixed and bench/orders uses them too.
# In (env, from run.sh): ROOT HERE WORK ROWS WARMUP_ROWS MAX_POST_SECONDS SKIP_BUILD LOCATIONS_LIST PROFILE PROFILE_SECONDS
# Out: $WORK/cluster.env (shell assignments the caller reads), logs in $WORK/cluster-*.
set -euo pipefail
export OMS_DATA=${FEED_CLUSTER_DATA:-/tmp/oms-feed-cluster}
export OMS_PG_PORT=${FEED_PG_PORT:-55482}
PGDIR="$OMS_DATA/pg"
URL="http://localhost:5080"
read -r -a LOCATIONS <<<"$LOCATIONS_LIST"
LC="$ROOT/deploy/local-cluster.sh"
log() { echo "[$(date +%H:%M:%S)] cluster: $*" >&2; }
die() { echo "FAILED: cluster: $*" >&2; exit 1; }

PG_BIN="${PG_BIN:-$(find /usr/lib/postgresql -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)}"
[[ -x "$PG_BIN/psql" ]] || die "psql not found under /usr/lib/postgresql/*/bin (set PG_BIN)"
PSQL=("$PG_BIN/psql" -X -At -q -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres)
# shellcheck source=../lib/cpu-ticks.sh
source "$HERE/../lib/cpu-ticks.sh"
TICK=$(getconf CLK_TCK)

cleanup() {
  local rc=$?
  timeout 90 "$LC" down >"$WORK/cluster-down.log" 2>&1 || echo "local-cluster.sh down failed; see $WORK/cluster-down.log" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -d "$OMS_DATA" ]] && { "$LC" down >/dev/null 2>&1 || true; rm -rf "$OMS_DATA"; }
log "local-cluster.sh up (OMS_DATA=$OMS_DATA, PostgreSQL port $OMS_PG_PORT; log $WORK/cluster-up.log)"
[[ "${SKIP_BUILD:-0}" == 1 ]] && export OMS_NO_BUILD=1
timeout 600 "$LC" up >"$WORK/cluster-up.log" 2>&1 || { tail -n 40 "$WORK/cluster-up.log" >&2; die "local-cluster.sh up failed"; }
KEY=$(cat "$OMS_DATA/api-key")
PG_SETTINGS="$("${PSQL[@]}" -d postgres -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','commit_delay')")"
log "up: silo1 $(pidfile silo1), silo2 $(pidfile silo2), gateway $(pidfile gateway); PostgreSQL $PG_SETTINGS"

for loc in "${LOCATIONS[@]}"; do
  code=$(curl -s -o "$WORK/cluster-put.json" -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Type: application/json' -H "X-Api-Key: $KEY" \
    -d '{"name":"b","type":"warehouse","latitude":51,"longitude":0}' "$URL/v1/locations/$loc")
  [[ "$code" == 200 || "$code" == 201 ]] || { cat "$WORK/cluster-put.json" >&2; die "PUT /v1/locations/$loc answered $code"; }
done
sleep 2 # reference data reaches every silo's cache within a poll

post() { # name file -> "seconds applied ignored rejected"
  local out="$WORK/answer-cluster-$1.json" code
  code=$(curl -s -o "$out" -w '%{http_code} %{time_total}' --max-time "$MAX_POST_SECONDS" -X POST -H 'Content-Type: application/json' \
    -H "X-Api-Key: $KEY" --data-binary "@$2" "$URL/v1/inventory/batch" || echo "000 timeout")
  local status=${code%% *} secs=${code##* }
  if [[ "$status" != 200 ]]; then
    log "POST ($1) answered HTTP $status after ${secs}s: $(head -c 600 "$out" 2>/dev/null)"
    echo "$secs -1 -1 -1"
    return
  fi
  python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(sys.argv[2], a.get("applied"), a.get("ignored"), len(a.get("rejected") or []))' "$out" "$secs"
}
cpu() { echo "$(proc_ticks "$(pidfile silo1)" "$(pidfile silo2)") $(proc_ticks "$(pidfile gateway)") $(pg_ticks)"; }
secs_of() { awk -v a="$1" -v b="$2" -v t="$TICK" 'BEGIN { printf "%.1f", (a - b) / t }'; }

if (( WARMUP_ROWS > 0 )); then
  for run in new update; do
    read -r s a _ _ < <(post "warmup-$run" "$WORK/warmup-$run.json")
    log "warm-up, $WARMUP_ROWS rows ($run): ${s}s, applied $a"
  done
  sleep 2
fi

: >"$WORK/cluster.env"
for run in new update; do
  log "POST $ROWS rows ($run)"
  read -r s0 g0 p0 < <(cpu)
  prof=""
  if [[ " ${PROFILE:-} " == *" cluster-$run "* ]]; then
    timeout $((PROFILE_SECONDS + 180)) dotnet-trace collect-linux -p "$(pidfile silo1)" --profile cpu-sampling \
      --duration "$(printf '00:00:%02d' "$PROFILE_SECONDS")" -o "$WORK/cluster-$run.nettrace" >"$WORK/trace-cluster-$run.log" 2>&1 &
    prof=$!
  fi
  read -r secs applied ignored rejected < <(post "$run" "$WORK/batch-$run.json")
  read -r s1 g1 p1 < <(cpu)
  [[ -n "$prof" ]] && { wait "$prof" || log "dotnet-trace exited with $?"; }
  log "$run: ${secs}s, applied $applied, ignored $ignored, rejected $rejected; CPU silos $(secs_of "$s1" "$s0") s, gateway $(secs_of "$g1" "$g0") s, PostgreSQL $(secs_of "$p1" "$p0") s"
  {
    echo "T[cluster-$run]=$secs A[cluster-$run]=$applied I[cluster-$run]=$ignored R[cluster-$run]=$rejected"
    echo "CPU[cluster-$run]='$(secs_of "$s1" "$s0")+$(secs_of "$g1" "$g0")+$(secs_of "$p1" "$p0")'"
  } >>"$WORK/cluster.env"
done

last=$((ROWS - 1)); loc=${LOCATIONS[$((last % ${#LOCATIONS[@]}))]}; sku=$(printf 'BSKU-%06d' $((last / ${#LOCATIONS[@]})))
log "GET /v1/inventory/$loc/$sku -> $(curl -s --max-time 10 -H "X-Api-Key: $KEY" "$URL/v1/inventory/$loc/$sku" | head -c 300)"
for who in silo1 silo2 gateway; do
  if grep -qE '^(fail|crit):' "$OMS_DATA/logs/$who.log" 2>/dev/null; then
    log "$who logged errors:"; grep -A6 -E '^(fail|crit):' "$OMS_DATA/logs/$who.log" | head -30 >&2
  fi
done
batching=""
for port in 8081 8082; do
  curl -s --max-time 10 "http://localhost:$port/metrics" >"$WORK/metrics-cluster-$port.txt" || true
done
batching=$(cat "$WORK"/metrics-cluster-*.txt | awk '
  /^oms_(storage_batch_size|availability_delta_batch_size|inventory_commit_batch_size)[a-z_]*_(sum|count)[ {]/ {
    name = $1; sub(/\{.*/, "", name); kind = name ~ /_sum$/ ? "sum" : "count"; sub(/_(sum|count)$/, "", name); v[name, kind] += $NF; names[name] = 1 }
  END { for (n in names) if (v[n, "count"] > 0) printf "%s %.1f over %d; ", n, v[n, "sum"] / v[n, "count"], v[n, "count"] }')
echo "BATCHING[cluster]='$batching (both silos)'" >>"$WORK/cluster.env"
payload=$("${PSQL[@]}" -d oms -c "SELECT coalesce(avg(length(payloadbinary))::int, 120) FROM orleansstorage WHERE graintypestring = 'stock'" 2>/dev/null || echo 120)

# Baselines on the same server, after the product's runs (the cluster idles meanwhile).
log "baselines: $ROWS rows by psql on the same server (payload $payload bytes)"
python3 "$HERE/pg_baseline.py" "$WORK" "$ROWS" "$payload" "${LOCATIONS[@]}"
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.2f", a - b }'; }
B_storage_new=$(timed "${PSQL[@]}" -d oms -f "$WORK/storage-new.sql")
B_storage_update=$(timed "${PSQL[@]}" -d oms -f "$WORK/storage-update.sql")
"${PSQL[@]}" -d oms -c "DELETE FROM orleansstorage WHERE serviceid = 'oms-baseline'" >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$OMS_PG_PORT" -U postgres relational
# psql does not expand variables inside \copy: the file's path is put into the script.
sed "s|CSV_FILE|$WORK/feed.csv|" "$HERE/relational-feed.sql" >"$WORK/relational-new.sql"
sed "s|CSV_FILE|$WORK/feed-update.csv|" "$HERE/relational-feed.sql" >"$WORK/relational-update.sql"
B_copy_new=$(timed "${PSQL[@]}" -d relational -f "$WORK/relational-new.sql")
B_copy_update=$(timed "${PSQL[@]}" -d relational -f "$WORK/relational-update.sql")
[[ "$("${PSQL[@]}" -d relational -c 'SELECT count(*) FROM stock_level WHERE version = 2')" == "$ROWS" ]] || die "the relational baseline did not update every row"
log "baselines: writetostorage() x $ROWS by psql (1,000 per transaction): new ${B_storage_new}s, updates ${B_storage_update}s; COPY + one upsert: new ${B_copy_new}s, updates ${B_copy_update}s"
echo "B_pg_storage_new=$B_storage_new B_pg_storage_update=$B_storage_update B_pg_copy_new=$B_copy_new B_pg_copy_update=$B_copy_update PG_SETTINGS='$PG_SETTINGS'" >>"$WORK/cluster.env"
