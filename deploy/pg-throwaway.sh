#!/usr/bin/env bash
# Throwaway local PostgreSQL for development and tests, with the Orleans schema applied.
#
#   pg-throwaway.sh start  DIR PORT   initdb DIR (if needed), start on 127.0.0.1:PORT (socket in
#                                     /tmp), create database "oms", apply deploy/sql/postgresql/*
#   pg-throwaway.sh stop   DIR        fast shutdown (no error if it is not running)
#   pg-throwaway.sh status DIR        exit 0 if running
#
# The cluster's superuser is always "postgres" with trust authentication on localhost only, so the
# connection string is the same whoever runs this:
#   Host=127.0.0.1;Port=PORT;Username=postgres;Database=oms
# As root, the server runs as the OS user "postgres" (DIR is chowned to it; every parent of DIR
# must be traversable by that user, so do not put DIR under /root). As any other user, it runs as
# that user.
#
# Environment: PG_BIN (default: newest /usr/lib/postgresql/*/bin), OMS_PG_DB (default: oms).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
superuser=postgres
db="${OMS_PG_DB:-oms}"

usage() {
    echo "usage: $(basename "$0") start DIR PORT | stop DIR | status DIR" >&2
    exit 2
}

find_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
        return
    fi
    local b
    b="$(find /usr/lib/postgresql -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -z "$b" ]]; then
        local initdb_path
        initdb_path="$(command -v initdb 2>/dev/null || true)"
        [[ -n "$initdb_path" ]] && b="$(dirname "$initdb_path")"
    fi
    [[ -n "$b" && -x "$b/pg_ctl" ]] || { echo "pg-throwaway: PostgreSQL binaries not found (set PG_BIN)" >&2; exit 1; }
    echo "$b"
}

# Runs a command as the server's OS owner: the "postgres" user when we are root, ourselves otherwise.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        # cd / so that the postgres user never starts in an unreadable cwd such as /root.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

abs_dir() {
    local d="$1"
    case "$d" in
        /*) echo "$d" ;;
        *) echo "$(pwd)/$d" ;;
    esac
}

is_running() {
    local dir="$1"
    [[ -f "$dir/postmaster.pid" ]] || return 1
    as_owner "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

cmd_start() {
    local dir="$1" port="$2"
    [[ "$port" =~ ^[0-9]+$ ]] || { echo "pg-throwaway: bad port '$port'" >&2; exit 2; }

    mkdir -p "$dir"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown -R postgres:postgres "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            echo "pg-throwaway: user postgres cannot write $dir (is a parent directory private?)" >&2
            exit 1
        fi
    fi
    chmod 700 "$dir"

    if [[ ! -f "$dir/PG_VERSION" ]]; then
        if [[ -n "$(ls -A "$dir")" ]]; then
            echo "pg-throwaway: $dir is not empty and is not a PostgreSQL data directory" >&2
            exit 1
        fi
        echo "pg-throwaway: initdb $dir"
        local initlog
        initlog="$(mktemp)"
        as_owner "$BIN/initdb" -D "$dir" --username="$superuser" --auth=trust \
            --encoding=UTF8 --locale=C >"$initlog" 2>&1 || {
            cat "$initlog" >&2
            rm -f "$initlog"
            exit 1
        }
        rm -f "$initlog"
        # Two silos' Npgsql pools open ~100 connections each under load; the default of 100 ran out (53300).
        # In postgresql.conf, so ALTER SYSTEM (the benches raise it further) still wins.
        echo "max_connections = 300" | as_owner tee -a "$dir/postgresql.conf" >/dev/null
    fi

    if is_running "$dir"; then
        echo "pg-throwaway: already running ($dir)"
    else
        echo "pg-throwaway: starting on port $port"
        # The log file lives inside DIR (owned by the server user).
        as_owner "$BIN/pg_ctl" -D "$dir" -o "-p $port -k /tmp -c fsync=on -c listen_addresses=127.0.0.1" \
            -l "$dir/log" start -w -t 60 >/dev/null || {
            echo "pg-throwaway: start failed; tail of $dir/log:" >&2
            tail -n 30 "$dir/log" >&2 || true
            exit 1
        }
    fi

    # Wait until it accepts connections (pg_ctl -w already did; this also covers "already running").
    local i
    for i in $(seq 1 60); do
        if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
            break
        fi
        [[ "$i" -eq 60 ]] && { echo "pg-throwaway: server not ready on port $port" >&2; exit 1; }
        sleep 0.5
    done

    local psql_args=(-h 127.0.0.1 -p "$port" -U "$superuser")
    local exists
    exists="$("$BIN/psql" -X -At "${psql_args[@]}" -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '$db'")"
    if [[ "$exists" != "1" ]]; then
        echo "pg-throwaway: creating database $db"
        "$BIN/createdb" "${psql_args[@]}" "$db"
    fi

    PSQL="$BIN/psql" "$here/sql/apply-postgres.sh" "${psql_args[@]}" -d "$db"
    echo "pg-throwaway: ready: Host=127.0.0.1;Port=$port;Username=$superuser;Database=$db"
}

cmd_stop() {
    local dir="$1"
    if [[ ! -f "$dir/PG_VERSION" ]]; then
        echo "pg-throwaway: $dir is not a data directory; nothing to stop"
        return 0
    fi
    if is_running "$dir"; then
        as_owner "$BIN/pg_ctl" -D "$dir" stop -m fast -w >/dev/null
        echo "pg-throwaway: stopped ($dir)"
    else
        echo "pg-throwaway: not running ($dir)"
    fi
}

cmd_status() {
    local dir="$1"
    if is_running "$dir"; then
        echo "pg-throwaway: running ($dir)"
    else
        echo "pg-throwaway: not running ($dir)"
        return 1
    fi
}

[[ $# -ge 2 ]] || usage
action="$1"
DIR="$(abs_dir "$2")"
BIN="$(find_bin)"

case "$action" in
    start)
        [[ $# -eq 3 ]] || usage
        cmd_start "$DIR" "$3"
        ;;
    stop)
        [[ $# -eq 2 ]] || usage
        cmd_stop "$DIR"
        ;;
    status)
        [[ $# -eq 2 ]] || usage
        cmd_status "$DIR"
        ;;
    *)
        usage
        ;;
esac
