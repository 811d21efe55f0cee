#!/usr/bin/env bash
# Regenerates the Kiota client from the document the gateway serves (build in Release first):
#   regenerate.sh           fetch /openapi/v1.json into openapi.json and rewrite Generated/ from it
#   regenerate.sh --check   generate into a temporary folder and fail if openapi.json or Generated/ differ (stale client)
# Kiota is the version pinned in .config/dotnet-tools.json (dotnet tool restore installs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
check=false
[[ "${1:-}" == "--check" ]] && check=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/deploy/openapi/served-document.sh" "$work/openapi.json"

cd "$root"
dotnet tool restore >/dev/null
# The update check asks GitHub for releases; it is unreachable from CI and says nothing we need.
KIOTA_UPDATE_DISABLED=true KIOTA_TUTORIAL_ENABLED=false dotnet kiota generate --log-level Error \
    -l CSharp -d "$work/openapi.json" -o "$work/Generated" -c OmsApiClient -n Oms.Gateway.Client \
    --exclude-backward-compatible --clean-output >"$work/kiota.log" 2>&1 || { cat "$work/kiota.log" >&2; exit 1; }

if $check; then
    if diff -q "$work/openapi.json" "$here/openapi.json" >/dev/null && diff -r -q "$work/Generated" "$here/Generated"; then
        echo "kiota client: up to date with the served document"
        exit 0
    fi
    diff -u "$here/openapi.json" "$work/openapi.json" | head -40 >&2 || true
    echo "kiota client: STALE against the served document: run tests/Oms.Gateway.Client/regenerate.sh and commit" >&2
    exit 1
fi
cp "$work/openapi.json" "$here/openapi.json"
rm -rf "$here/Generated"
cp -r "$work/Generated" "$here/Generated"
echo "kiota client: regenerated ($(find "$here/Generated" -name '*.cs' | wc -l) files)"
