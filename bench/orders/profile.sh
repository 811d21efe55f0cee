#!/usr/bin/env bash
# Where the OMS order path's CPU goes: one shortened orders run (bench/orders/run.sh: pgbench, then the OMS at 64
# clients) with, inside the measured window, a CPU-sampling trace of silo1 and then of the gateway (dotnet-trace
# collect-linux --profile cpu-sampling, PROFILE_SECONDS each) and dotnet-counters System.Runtime on both (GC, allocation
# rate, thread pool). Then ProfileReport/ aggregates each trace into CPU by component, leaf kind and top frames, and
# the counters are averaged over the window. The run's own figures are disturbed by the profiler: do not use them.
#
# Usage (repo root): bash bench/orders/profile.sh
# The two traces run one after the other (silo1, then the gateway after silo1's symbol resolution, ~25 s): the window
# must cover 3 + 2 x PROFILE_SECONDS + ~30 s, hence DURATION=80.
# Env: as run.sh (defaults here: CLIENTS=64 WARMUP=15 DURATION=80 PREWARM=30 PG_SOURCING=0 RELSVC=0
#      OMS_DATA=/tmp/oms-orders-profile PRODUCT_TREE=HEAD), PROFILE_SECONDS=15.
# Needs dotnet-trace and dotnet-counters 10.0.750501 (installed with `dotnet tool install -g` when missing) and root or
# perf_event access for collect-linux. Output: $OMS_DATA/run-*/profile/ (traces, *.report.txt, counters-*.csv, summary.txt).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$PATH:$HOME/.dotnet/tools"
for tool in dotnet-trace dotnet-counters; do
    command -v "$tool" >/dev/null || timeout 300 dotnet tool install -g "$tool" --version 10.0.750501 >/dev/null
done
export OMS_DATA="${OMS_DATA:-/tmp/oms-orders-profile}"
export CLIENTS="${CLIENTS:-64}" WARMUP="${WARMUP:-15}" DURATION="${DURATION:-80}" PREWARM="${PREWARM:-30}"
export PG_SOURCING="${PG_SOURCING:-0}" RELSVC="${RELSVC:-0}" PRODUCT_TREE="${PRODUCT_TREE:-HEAD}"
export PROFILE_SECONDS="${PROFILE_SECONDS:-15}" PROFILE_TAG="oms-c${CLIENTS%% *}"
REPORT_BUILD=/tmp/oms-profile-build
timeout 300 dotnet build -c Release "$HERE/ProfileReport/ProfileReport.csproj" --artifacts-path "$REPORT_BUILD" -nologo -v q >/dev/null ||
    { echo "ProfileReport build failed" >&2; exit 1; }
REPORT="$(find "$REPORT_BUILD/bin" -name ProfileReport.dll -path '*release*' | head -n 1)"

bash "$HERE/run.sh"
RUN="$(ls -d "$OMS_DATA"/run-* | sort | tail -n 1)"
P="$RUN/profile"
[[ -d "$P" ]] || { echo "no profile directory in $RUN" >&2; exit 1; }
{
    echo "Profile of $PROFILE_TAG ($RUN), ${PROFILE_SECONDS}s per process"
    cat "$P/trace-times.log" 2>/dev/null || true
    for who in silo1 gateway; do
        [[ -f "$P/$who.nettrace" ]] || { echo "no trace for $who (see $P/trace-$who.log)"; continue; }
        echo
        echo "=== $who ==="
        timeout 600 dotnet "$REPORT" "$P/$who.nettrace" --top 25 >"$P/$who.report.txt" 2>&1 || true
        cat "$P/$who.report.txt"
    done
    for who in silo1 gateway; do
        f="$P/counters-$who.csv"
        [[ -f "$f" ]] || continue
        echo
        echo "=== dotnet-counters System.Runtime, $who: mean over the samples (rates per second as reported) ==="
        # csv: Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
        awk -F',' 'NR > 1 { n[$3]++; s[$3] += $5 } END { for (k in n) printf "  %-70s %14.2f\n", k, s[k] / n[k] }' "$f" | sort
    done
} | tee "$P/summary.txt"
