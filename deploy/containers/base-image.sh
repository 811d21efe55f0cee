#!/usr/bin/env bash
# Builds a stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 as an OCI layout, for machines that cannot reach
# mcr.microsoft.com: the Debian 12 packages the official runtime-deps image installs (from apt, this machine's
# mirror) plus the ASP.NET Core and .NET runtimes of the installed SDK, the official image's "app" user (1654) and
# environment. Same distribution, libraries and runtime version; not the same bytes, so images built on it are for
# testing here. Where mcr.microsoft.com answers, build-images.sh uses the real image and never calls this.
#
#   base-image.sh LAYOUT_DIR        (prints the runtime version on its last line)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: base-image.sh LAYOUT_DIR}"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime="$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)"
[[ -d "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" ]] || { echo "base-image: no .NET runtime $runtime beside ASP.NET Core" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$work/debs" "$rootfs"

# The packages of the official runtime-deps:10.0 (Debian 12) Dockerfile.
packages=(libc6 libgcc-s1 libstdc++6 libssl3 zlib1g libicu72 ca-certificates tzdata)
# Stale package lists name versions the mirror no longer has: refresh them once (root or passwordless sudo), retry.
download() { (cd "$work/debs" && apt-get download -qq "${packages[@]}" 2>/dev/null); }
if ! download; then
    sudo_=""
    [[ "$(id -u)" -eq 0 ]] || sudo_="sudo -n"
    $sudo_ apt-get update -qq >/dev/null 2>&1 || true
    download || { echo "base-image: apt-get download ${packages[*]} failed" >&2; exit 1; }
fi
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done

mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/app" "$rootfs/tmp" "$rootfs/usr/bin" "$rootfs/usr/share/dotnet/shared"
chmod 1777 "$rootfs/tmp"
cat "$rootfs"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' >"$rootfs/etc/group"
mkdir -p "$rootfs/home/app"

cp "$dotnet_root/dotnet" "$rootfs/usr/share/dotnet/"
cp -r "$dotnet_root/host" "$rootfs/usr/share/dotnet/"
for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$rootfs/usr/share/dotnet/shared/$fw"
    cp -r "$dotnet_root/shared/$fw/$runtime" "$rootfs/usr/share/dotnet/shared/$fw/"
done
ln -s ../share/dotnet/dotnet "$rootfs/usr/bin/dotnet"

export BASE_USER=1654
export BASE_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
APP_UID=1654
ASPNETCORE_HTTP_PORTS=8080
DOTNET_RUNNING_IN_CONTAINER=true
DOTNET_VERSION=$runtime
ASPNET_VERSION=$runtime"
rm -rf "$out"
mkdir -p "$out"
python3 "$here/oci-registry.py" layout "$rootfs" "$out"
echo "$runtime"
