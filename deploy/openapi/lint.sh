#!/usr/bin/env bash
# Lints the document the gateway serves with Redocly CLI (pinned in package-lock.json) under redocly.yaml.
# Fails on any error or warning (redocly itself fails on errors only). Build in Release first.
# Optional $1: lint this file instead of a fresh fetch. Prints "openapi lint: N errors, N warnings".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
[[ -x node_modules/.bin/redocly ]] || npm ci --no-audit --no-fund --loglevel=error >/dev/null

report="$(mktemp)"
served="$(mktemp --suffix=.json)"
trap 'rm -f "$report" "$served"' EXIT
doc="${1:-}"
if [[ -z "$doc" ]]; then
    ./served-document.sh "$served"
    doc="$served"
fi
node_modules/.bin/redocly lint "$doc" --config redocly.yaml --format json --max-problems 1000 >"$report" 2>/dev/null || true
python3 - "$report" <<'PY'
import json, sys
problems = json.load(open(sys.argv[1]))["problems"]
for p in problems:
    where = p["location"][0].get("pointer", "") if p.get("location") else ""
    print(f"{p['severity']:5} {p['ruleId']}: {p['message']} at {where}")
errors = sum(p["severity"] == "error" for p in problems)
warnings = len(problems) - errors
print(f"openapi lint: {errors} errors, {warnings} warnings")
sys.exit(1 if problems else 0)
PY
