#!/usr/bin/env bash
# Builds the silo and gateway container images with the .NET SDK (dotnet publish /t:PublishContainer, no Docker
# daemon) as archives OUT_DIR/oms-silo.tar.gz and OUT_DIR/oms-gateway.tar.gz, and checks each (check-image.sh).
#
#   build-images.sh OUT_DIR
#
# Environment:
#   OMS_IMAGE_TAG     image tag                                  (default: the commit, git rev-parse --short HEAD)
#   OMS_BASE_IMAGE    base image to pull                         (default: mcr.microsoft.com/dotnet/aspnet:10.0 when
#                     mcr.microsoft.com answers; otherwise base-image.sh's stand-in, served from a local registry)
#   OMS_REGISTRY_PORT port of that local registry                (default 5599)
#   OMS_NO_BUILD=1    publish the existing Release build (dotnet publish --no-build), as test.sh does after its build
#
# The SDK writes a plain (uncompressed) tar whatever the file is called; its layers are gzip-compressed already,
# so the outer gzip -1 mainly makes the name true. Load one with: docker load -i OUT_DIR/oms-silo.tar.gz, or
# gunzip -c OUT_DIR/oms-silo.tar.gz | ctr -n k8s.io images import -, or kind load image-archive after gunzip.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:?usage: build-images.sh OUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
tag="${OMS_IMAGE_TAG:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo dev)}"
port="${OMS_REGISTRY_PORT:-5599}"

work="$(mktemp -d)"
registry_pid=""
cleanup() {
    [[ -n "$registry_pid" ]] && kill "$registry_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

base="${OMS_BASE_IMAGE:-}"
if [[ -z "$base" ]]; then
    # Any HTTP answer (401 included) means the registry is reachable; 000 means no name or no route.
    code="$(curl -s -m 10 -o /dev/null -w '%{http_code}' https://mcr.microsoft.com/v2/ || true)"
    if [[ "$code" != "000" && -n "$code" ]]; then
        base="mcr.microsoft.com/dotnet/aspnet:10.0"
    else
        echo "build-images: mcr.microsoft.com is not reachable from here; building the stand-in base (base-image.sh)"
        runtime="$(bash "$here/base-image.sh" "$work/base" | tail -n 1)"
        python3 "$here/oci-registry.py" serve "$work/base" "$port" &
        registry_pid=$!
        for _ in $(seq 1 50); do
            curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null && break
            sleep 0.2
        done
        base="localhost:$port/dotnet/aspnet:$runtime"
    fi
fi
echo "build-images: base image $base, tag $tag"

publish() {
    local project="$1" name="$2"
    local started=$SECONDS
    local build=()
    [[ "${OMS_NO_BUILD:-0}" == "1" ]] && build=(--no-build)
    dotnet publish "$root/$project" -c Release "${build[@]}" --nologo -v q -clp:ErrorsOnly /t:PublishContainer \
        -p:ContainerBaseImage="$base" -p:ContainerImageTag="$tag" -p:ContainerArchiveOutputPath="$out/$name.tar"
    gzip -1 -f "$out/$name.tar"
    echo "build-images: $out/$name.tar.gz $(du -m "$out/$name.tar.gz" | cut -f1) MB in $((SECONDS - started)) s"
}

publish silo/Oms.Silo oms-silo
bash "$here/check-image.sh" "$out/oms-silo.tar.gz" Oms.Silo.dll 8080 11111 30000
publish client/Oms.Gateway oms-gateway
bash "$here/check-image.sh" "$out/oms-gateway.tar.gz" Oms.Gateway.dll 8080
