#!/usr/bin/env bash
# Bytes written per inventory batch at 100 and 50,000 live holds (durable SQLite, group commit, fsync on), with the
# whole-record size that every batch wrote before holds were detached (docs/decisions/0009) beside it.
# Usage: bash bench/hold-bytes/run.sh   (from anywhere; env: HOLDS=100,50000 ROUNDS=50 WAVE=20 SKIP_BUILD=1)
# Ports 11185/30185 (the in-process silo). Bounded: 600 s.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/hold-bytes"
ARTIFACTS=${BENCH_ARTIFACTS:-/tmp/oms-bench-build}
WORK=$(mktemp -d /tmp/oms-bench-holds.XXXXXX)
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "[$(date +%H:%M:%S)] building (Release, artifacts in $ARTIFACTS)" >&2
  dotnet build -c Release "$HERE/HoldBytes.csproj" --artifacts-path "$ARTIFACTS" -nologo -v q >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log"; echo "FAILED: build" >&2; exit 1; }
fi
DLL="$ARTIFACTS/bin/HoldBytes/release/HoldBytes.dll"
[[ -f "$DLL" ]] || { echo "FAILED: missing $DLL" >&2; exit 1; }
echo "Product source: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- grains grain-interfaces 2>/dev/null)" ]] && echo '+uncommitted changes' || true)"
timeout 600 dotnet "$DLL" --holds "${HOLDS:-100,50000}" --rounds "${ROUNDS:-50}" --wave "${WAVE:-20}" --db "$WORK/oms.db" 2>"$WORK/stderr.log" | grep -v '^warn\|^      ' || { tail -20 "$WORK/stderr.log"; echo "FAILED (log $WORK)" >&2; exit 1; }
