#!/usr/bin/env bash
# Local Oms.Orleans cluster (two silos, or OMS_SILOS) on a throwaway PostgreSQL (membership, grain state, reminders).
#
#   local-cluster.sh up       build once (Release), start PostgreSQL, the silos, the gateway,
#                             and wait (bounded) until the silos are Active and the gateway is ready
#   local-cluster.sh roll     rolling restart: each silo in turn gets SIGTERM (a graceful stop, timed), is started
#                             again and waited for until Active, then the next (what a Kubernetes rollout of the
#                             silo StatefulSet does); exits 1 if a silo took 10 s or more to stop
#   local-cluster.sh down     stop gateway and silos (by recorded pid), then PostgreSQL
#   local-cluster.sh status   what runs, and GET http://localhost:5080/health/ready
#
# Silo i (1..OMS_SILOS) listens on 11110+i (silo), 29999+i (gateway) and http://localhost:808i (dashboard, health).
#
# Environment:
#   OMS_DATA            state directory: pg data, logs, pids     (default /tmp/oms-cluster)
#   OMS_PG_PORT         PostgreSQL port                          (default 55432)
#   OMS_NO_BUILD=1      skip the build (use the existing Release output)
#   OMS_READY_TIMEOUT   seconds to wait for readiness            (default 180)
#   OMS_SILOS           number of silos, 1..9                    (default 2)
#   OMS_ROLL_PAUSE      seconds between one silo Active and the next stop (default 3)
#
# PostgreSQL's superuser is always "postgres" (pg-throwaway.sh creates it with that name whoever
# runs this, root or not), hence the fixed Username in the connection string.
# Do not put OMS_DATA under /root when running as root: the server runs as the postgres user.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

data="${OMS_DATA:-/tmp/oms-cluster}"
case "$data" in /*) ;; *) data="$(pwd)/$data" ;; esac
pgdir="$data/pg"
port="${OMS_PG_PORT:-55432}"
logdir="$data/logs"
piddir="$data/pids"
ready_timeout="${OMS_READY_TIMEOUT:-180}"
gateway_url="http://localhost:5080"
CS="Host=127.0.0.1;Port=$port;Username=postgres;Database=oms"

silo_dir="$root/silo/Oms.Silo/bin/Release/net10.0"
gateway_dir="$root/client/Oms.Gateway/bin/Release/net10.0"

silos="${OMS_SILOS:-2}"
[[ "$silos" =~ ^[1-9]$ ]] || { echo "local-cluster: OMS_SILOS must be 1..9" >&2; exit 2; }
silo_names=()
for ((i = 1; i <= silos; i++)); do silo_names+=("silo$i"); done
procs=("${silo_names[@]}" gateway)

log() { echo "local-cluster: $*"; }
die() { echo "local-cluster: $*" >&2; exit 1; }

psql_bin() {
    if command -v psql >/dev/null 2>&1; then
        command -v psql
    else
        find /usr/lib/postgresql -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1
    fi
}

pid_of() {
    local f="$piddir/$1.pid"
    if [[ -f "$f" ]]; then
        cat "$f"
    fi
}

# Running, and really the process we started (guards against a recycled pid).
is_alive() {
    local name="$1" pid
    pid="$(pid_of "$name")"
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    local dll
    dll="$(dll_of "$name")"
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dll"
}

dll_of() {
    case "$1" in
        silo[1-9]) echo "Oms.Silo.dll" ;;
        gateway) echo "Oms.Gateway.dll" ;;
        *) die "unknown process $1" ;;
    esac
}

port_in_use() {
    local p="$1"
    if command -v ss >/dev/null 2>&1; then
        ss -Hltn "sport = :$p" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
    fi
}

start_proc() {
    local name="$1" dir="$2" dll="$3"
    shift 3
    if is_alive "$name"; then
        log "$name already running (pid $(pid_of "$name"))"
        return 0
    fi
    [[ -f "$dir/$dll" ]] || die "$dir/$dll not found (build failed or OMS_NO_BUILD=1 without a build?)"
    # Working directory = the output folder, so that appsettings*.json and content files are found
    # (ASP.NET Core uses the current directory as content root). setsid: own session, so a Ctrl-C
    # in the calling terminal does not reach the cluster; the pid stays that of dotnet.
    (
        cd "$dir"
        exec setsid nohup dotnet "$dll" "$@" >>"$logdir/$name.log" 2>&1 </dev/null
    ) &
    echo "$!" >"$piddir/$name.pid"
    date +%s >"$piddir/$name.epoch"
    log "$name started (pid $!, log $logdir/$name.log)"
}

fail_if_dead() {
    local name
    for name in "$@"; do
        if ! is_alive "$name"; then
            echo "local-cluster: $name exited during start-up; last lines of $logdir/$name.log:" >&2
            tail -n 40 "$logdir/$name.log" >&2 || true
            exit 1
        fi
    done
}

cmd_up() {
    mkdir -p "$data" "$logdir" "$piddir"

    if [[ "${OMS_NO_BUILD:-0}" != "1" ]]; then
        local sln
        sln="$(find "$root" -maxdepth 1 -name '*.sln' | sort | head -n 1)"
        [[ -n "$sln" ]] || sln="$(find "$root" -maxdepth 1 -name '*.slnx' | sort | head -n 1)"
        [[ -n "$sln" ]] || die "no .sln/.slnx at $root"
        log "building $(basename "$sln") (Release), log $logdir/build.log"
        if ! dotnet build "$sln" -c Release -nologo >"$logdir/build.log" 2>&1; then
            tail -n 40 "$logdir/build.log" >&2
            die "build failed"
        fi
    fi

    local ports=(5080) i
    for ((i = 1; i <= silos; i++)); do ports+=($((11110 + i)) $((29999 + i)) $((8080 + i))); done
    for p in "${ports[@]}"; do
        if port_in_use "$p"; then
            local owned=0 name
            for name in "${procs[@]}"; do is_alive "$name" && owned=1; done
            [[ "$owned" == 1 ]] || die "port $p is already in use by something else"
        fi
    done

    "$here/pg-throwaway.sh" start "$pgdir" "$port"

    for ((i = 1; i <= silos; i++)); do start_silo "$i"; done

    # Silos are ready when each has an Active (3) membership row newer than their process start
    # (older Active rows may be left over by killed silos of a previous run).
    local psql deadline active=0 since
    psql="$(psql_bin)"
    since="$(for n in "${silo_names[@]}"; do cat "$piddir/$n.epoch" 2>/dev/null; done | sort -n | head -n 1)"
    since="${since:-0}"
    deadline=$(($(date +%s) + ready_timeout))
    log "waiting for $silos Active silos (up to ${ready_timeout}s)"
    while :; do
        fail_if_dead "${silo_names[@]}"
        active="$("$psql" -X -At -h 127.0.0.1 -p "$port" -U postgres -d oms -c \
            "SELECT count(*) FROM orleansmembershiptable WHERE status = 3 AND starttime >= to_timestamp($since) - interval '5 seconds'" \
            2>/dev/null || echo 0)"
        [[ "$active" -ge "$silos" ]] && break
        [[ $(date +%s) -lt $deadline ]] || die "silos not Active after ${ready_timeout}s (active: $active); see $logdir/silo*.log"
        sleep 1
    done
    log "silos Active: $active"

    # Cluster mode turns auth on: one admin key, kept in $data/api-key (or OMS_API_KEY), printed below.
    local api_key="${OMS_API_KEY:-}"
    [[ -n "$api_key" ]] || api_key="$(cat "$data/api-key" 2>/dev/null || true)"
    [[ -n "$api_key" ]] || api_key="oms-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    echo "$api_key" >"$data/api-key"
    export Oms__Auth__Keys__0__Name=local-admin Oms__Auth__Keys__0__Key="$api_key" Oms__Auth__Keys__0__Scopes__0=admin
    start_proc gateway "$gateway_dir" Oms.Gateway.dll \
        --cluster --connection "$CS" --urls http://localhost:5080

    log "waiting for $gateway_url/health/ready"
    while :; do
        fail_if_dead "${silo_names[@]}" gateway
        if curl -fsS -m 5 -o /dev/null "$gateway_url/health/ready" 2>/dev/null; then
            break
        fi
        [[ $(date +%s) -lt $deadline ]] || die "gateway not ready after ${ready_timeout}s; see $logdir/gateway.log"
        sleep 1
    done
    log "up: gateway $gateway_url (X-Api-Key: $api_key), dashboards http://localhost:8081/dashboard/ .. http://localhost:$((8080 + silos))/dashboard/, PostgreSQL $CS"
}

start_silo() {
    local i="$1"
    start_proc "silo$i" "$silo_dir" Oms.Silo.dll \
        --connection "$CS" --silo-port $((11110 + i)) --gateway-port $((29999 + i)) --urls "http://localhost:$((8080 + i))"
}

# One silo at a time: SIGTERM and wait (timed), start it again, wait until it is Active (its /health/ready), pause.
cmd_roll() {
    mkdir -p "$logdir" "$piddir"
    local i name started stopped_ms slow=0 deadline
    for ((i = 1; i <= silos; i++)); do
        name="silo$i"
        is_alive "$name" || die "$name is not running (local-cluster.sh up first)"
        started="$(date +%s%N)"
        stop_proc "$name"
        stopped_ms=$((($(date +%s%N) - started) / 1000000))
        [[ $stopped_ms -lt 10000 ]] || slow=1
        started="$(date +%s%N)"
        start_silo "$i"
        deadline=$(($(date +%s) + ready_timeout))
        until curl -fsS -m 5 -o /dev/null "http://localhost:$((8080 + i))/health/ready" 2>/dev/null; do
            fail_if_dead "$name"
            [[ $(date +%s) -lt $deadline ]] || die "$name not Active after ${ready_timeout}s; see $logdir/$name.log"
            sleep 0.5
        done
        log "$name: graceful stop $((stopped_ms / 1000)).$(((stopped_ms % 1000) / 100)) s, Active again $((($(date +%s%N) - started) / 1000000)) ms after its start"
        [[ $i -eq $silos ]] || sleep "${OMS_ROLL_PAUSE:-3}"
    done
    [[ $slow -eq 0 ]] || die "a silo took 10 s or more to stop gracefully"
    log "rolled $silos silos"
}

stop_proc() {
    local name="$1" pid _
    pid="$(pid_of "$name")"
    if [[ -z "$pid" ]]; then
        return 0
    fi
    if is_alive "$name"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do
            is_alive "$name" || break
            sleep 0.5
        done
        if is_alive "$name"; then
            log "$name (pid $pid) did not stop in 15s; killing"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        log "$name stopped (pid $pid)"
    else
        log "$name not running"
    fi
    rm -f "$piddir/$name.pid" "$piddir/$name.epoch"
}

cmd_down() {
    # Gateway first (clients go away), then the silos one by one (graceful leave), then the store.
    stop_proc gateway
    for ((i = silos; i >= 1; i--)); do stop_proc "silo$i"; done
    "$here/pg-throwaway.sh" stop "$pgdir"
}

cmd_status() {
    local name rc=0
    for name in "${procs[@]}"; do
        if is_alive "$name"; then
            echo "$name: running (pid $(pid_of "$name"))"
        elif [[ -n "$(pid_of "$name")" ]]; then
            echo "$name: NOT running (stale pid $(pid_of "$name"); log $logdir/$name.log)"
            rc=1
        else
            echo "$name: not started"
            rc=1
        fi
    done
    if [[ -f "$pgdir/PG_VERSION" ]] && "$here/pg-throwaway.sh" status "$pgdir" >/dev/null 2>&1; then
        echo "postgresql: running (port $port, $pgdir)"
        local psql
        psql="$(psql_bin)"
        "$psql" -X -h 127.0.0.1 -p "$port" -U postgres -d oms -c \
            "SELECT deploymentid, address, port, generation, status, iamalivetime FROM orleansmembershiptable ORDER BY iamalivetime DESC LIMIT 10" \
            2>/dev/null || true
    else
        echo "postgresql: not running ($pgdir)"
        rc=1
    fi
    local code
    code="$(curl -sS -m 5 -o "$data/ready.out" -w '%{http_code}' "$gateway_url/health/ready" 2>/dev/null || true)"
    echo "GET $gateway_url/health/ready -> ${code:-no answer}"
    [[ -s "$data/ready.out" ]] && { cat "$data/ready.out"; echo; }
    rm -f "$data/ready.out"
    [[ "$code" == "200" ]] || rc=1
    return "$rc"
}

case "${1:-}" in
    up) cmd_up ;;
    roll) cmd_roll ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *)
        echo "usage: $(basename "$0") up|roll|down|status" >&2
        exit 2
        ;;
esac
