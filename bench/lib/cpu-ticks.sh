# CPU accounting for the cluster benches, sourced by bench/flash-sale/run.sh and bench/orders/run.sh: ticks from
# /proc (fields after "pid (comm) ": 12 utime, 13 stime, 14 cutime, 15 cstime).
# Needs PGDIR (the throwaway PostgreSQL's data directory) and OMS_DATA (local-cluster.sh's pid files).
proc_ticks() { # pid... -> utime+stime (+ reaped children when $WITH_CHILDREN=1)
    local t=0 p v
    for p in "$@"; do
        v="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk -v c="${WITH_CHILDREN:-0}" '{print $12+$13+(c?$14+$15:0)}')" || continue
        t=$((t + ${v:-0}))
    done
    echo "$t"
}
pg_ticks() {
    local pm kids
    pm="$(head -n 1 "$PGDIR/postmaster.pid" 2>/dev/null)" || { echo 0; return; }
    kids="$(ps -o pid= --ppid "$pm" 2>/dev/null | tr '\n' ' ')"
    echo $(($(WITH_CHILDREN=1 proc_ticks "$pm") + $(proc_ticks $kids)))
}
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6; exit}' /proc/stat; }
pidfile() { cat "$OMS_DATA/pids/$1.pid" 2>/dev/null || true; }
