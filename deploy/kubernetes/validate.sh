#!/usr/bin/env bash
# Validates deploy/kubernetes without a cluster: kubectl kustomize renders it (the ConfigMap generator included), then
# validate/validate.mjs checks every document against the Kubernetes schemas (npm kubernetes-models 5.1.0, pinned in
# validate/package-lock.json) and the references (selectors, ports, probes against the code's health paths, RBAC).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# kubectl comes with this machine image (google-cloud-sdk); a machine without it cannot render the kustomization: that is
# reported as skipped (exit 77, counted by test.sh as neither passed nor failed), not as a pass.
command -v kubectl >/dev/null || { echo "validate: SKIPPED: kubectl (for kustomize) not found" >&2; exit 77; }
(cd "$here/validate" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$here" >"$rendered"
node "$here/validate/validate.mjs" "$rendered" "$here/secrets.example.yaml" "$root"
