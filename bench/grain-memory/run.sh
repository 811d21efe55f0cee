#!/usr/bin/env bash
# Live heap per activation: an in-process silo (AddOmsGrains, in-memory storage) with 100,000 inventory grains at one
# location (100,000 distinct SKUs), idle (GetAsync) and then stateful (SetLevelAsync, which also activates 100,000
# availability views). Baselines in the same process: a Dictionary<string, record> with the same keys, and an empty
# grain (Orleans' own per-activation cost). Target (issue): <= 4 KiB per idle inventory grain.
# Usage: bash bench/grain-memory/run.sh   (from the repo root; env: COUNT=100000 SKIP_BUILD=1; STRICT=1 makes a missed
#        target exit 3). Bounded: each phase 300 s at most, the whole run 900 s.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/grain-memory"
ARTIFACTS=${BENCH_ARTIFACTS:-/tmp/oms-bench-build}
COUNT=${COUNT:-100000}
WORK=$(mktemp -d /tmp/oms-bench-memory.XXXXXX)
PID=""
cleanup() {
  local rc=$?
  if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; fi
  echo "log: $WORK/run.log" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "[$(date +%H:%M:%S)] building (Release, artifacts in $ARTIFACTS)" >&2
  dotnet build -c Release "$HERE/GrainMemory.csproj" --artifacts-path "$ARTIFACTS" -nologo -v q >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log"; echo "FAILED: build" >&2; exit 1; }
fi
DLL="$ARTIFACTS/bin/GrainMemory/release/GrainMemory.dll"
[[ -f "$DLL" ]] || { echo "FAILED: missing $DLL" >&2; exit 1; }

REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- grains grain-interfaces client 2>/dev/null)" ]] && echo '+uncommitted changes' || true)"
echo "[$(date +%H:%M:%S)] running $COUNT activations (takes about a minute)" >&2
timeout 900 dotnet "$DLL" --count "$COUNT" --silo-port "${SILO_PORT:-11183}" --gateway-port "${ORLEANS_GW_PORT:-30183}" >"$WORK/run.log" 2>&1 &
PID=$!
set +e; wait "$PID"; rc=$?; set -e
PID=""
# The report without the Orleans warnings (they stay in the log).
echo "Product source: $REV"
grep -E '^(Orleans default collection age|grain-memory:)' "$WORK/run.log" || true
sed -n '/^Activations by grain type/,$p' "$WORK/run.log" | grep -vE '^(warn|info):|^      ' || true
[[ $rc == 0 ]] || { tail -40 "$WORK/run.log"; echo "FAILED: grain-memory exited $rc" >&2; exit 1; }
grep -q '^RESULT ' "$WORK/run.log" || { echo "FAILED: no result line" >&2; exit 1; }
if [[ "${STRICT:-0}" == 1 ]] && grep -q 'idle inventory grain -> NO' "$WORK/run.log"; then exit 3; fi
