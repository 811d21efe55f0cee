#!/usr/bin/env bash
# Runs every test: pure domain, two-silo cluster, gateway over HTTP, and durability against a throwaway
# PostgreSQL and killed processes. Installs PostgreSQL from apt when it is missing (root or passwordless sudo).
# Also checks the OpenAPI contract of the served document: redocly lint clean and the committed Kiota client not
# stale, and the deployment: both container images built by the .NET SDK and checked, the Kubernetes manifests
# validated (each counted as one test). Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    echo "test.sh: installing PostgreSQL (apt) for the durability tests"
    sudo_=""
    [[ "$(id -u)" -eq 0 ]] || sudo_="sudo -n"
    $sudo_ apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq postgresql >/dev/null \
        || { echo "test.sh: could not install PostgreSQL" >&2; exit 1; }
fi

dotnet build Oms.Orleans.sln -c Release --nologo -v q -clp:ErrorsOnly || exit 1
# The tools of .config/dotnet-tools.json: the Kiota generator, and smtp4dev, the SMTP server the notification tests start.
dotnet tool restore >/dev/null || { echo "test.sh: dotnet tool restore failed" >&2; exit 1; }

# The served /openapi/v1.json: Redocly lint (0 errors, 0 warnings under deploy/openapi/redocly.yaml), and the Kiota
# client regenerated from it equal to the committed one. Each installs its tool (npm ci, dotnet tool restore).
# The deployment: the silo and gateway image archives (dotnet publish /t:PublishContainer, checked by check-image.sh)
# and the Kubernetes manifests (kustomize-rendered, schema- and reference-checked).
images="$(mktemp -d)"
export OMS_NO_BUILD=1 # the images are published from the build above
checks_passed=0
checks_failed=0
for check in deploy/openapi/lint.sh "tests/Oms.Gateway.Client/regenerate.sh --check" \
    "deploy/containers/build-images.sh $images" deploy/kubernetes/validate.sh; do
    echo "test.sh: $check"
    started=$SECONDS
    bash $check
    case $? in
        0) checks_passed=$((checks_passed + 1)) ;;
        77) echo "test.sh: $check SKIPPED (a tool it needs is missing; see its message)" ;;
        *) checks_failed=$((checks_failed + 1)) ;;
    esac
    echo "test.sh: $check took $((SECONDS - started)) s"
done
rm -rf "$images"

log="$(mktemp)"
# One test assembly at a time: the cluster and durability tests start silos and processes, and a 2-core
# machine gives wrong timing answers when they share it with another assembly.
dotnet test Oms.Orleans.sln -c Release --no-build --nologo -m:1 -v q --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
rm -f "$log"
if [[ $status -eq 0 && $passed -eq 0 ]]; then status=1; fi
passed=$((passed + checks_passed))
failed=$((failed + checks_failed))
if [[ $checks_failed -gt 0 ]]; then status=1; fi
echo "$passed passed, $failed failed"
exit "$status"
