#!/usr/bin/env bash
# Checks an image archive written by build-images.sh without a container runtime: the archive lists an OCI index
# (or a Docker manifest.json), every blob the manifest names is inside, and the config runs the expected assembly as
# a non-root numeric user with the expected ports exposed.
#
#   check-image.sh ARCHIVE.tar.gz ASSEMBLY.dll PORT...
set -euo pipefail

archive="${1:?usage: check-image.sh ARCHIVE.tar.gz ASSEMBLY.dll PORT...}"
dll="${2:?assembly}"
shift 2

listing="$(tar -tzf "$archive")"
grep -qxE 'index.json|manifest.json' <<<"$listing" || { echo "check-image: $archive has neither index.json nor manifest.json" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work" --wildcards 'index.json' 'manifest.json' 'blobs/sha256/*' 2>/dev/null \
    || tar -xzf "$archive" -C "$work"

python3 - "$work" "$dll" "$@" <<'PY'
import json, os, sys
root, dll, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
def blob(digest):
    path = os.path.join(root, "blobs", "sha256", digest.split(":", 1)[1])
    if not os.path.isfile(path):
        sys.exit(f"check-image: blob {digest} missing from the archive")
    return path
if os.path.isfile(os.path.join(root, "index.json")):
    index = json.load(open(os.path.join(root, "index.json")))
    manifest = json.load(open(blob(index["manifests"][0]["digest"])))
    config = json.load(open(blob(manifest["config"]["digest"])))
    for layer in manifest["layers"]:
        blob(layer["digest"])
    name = index["manifests"][0].get("annotations", {}).get("io.containerd.image.name", "?")
else:
    entry = json.load(open(os.path.join(root, "manifest.json")))[0]
    config = json.load(open(os.path.join(root, entry["Config"])))
    name = entry.get("RepoTags", ["?"])[0]
c = config["config"]
command = (c.get("Entrypoint") or []) + (c.get("Cmd") or [])
problems = []
if not any(part.endswith("/" + dll) or part == dll for part in command):
    problems.append(f"entrypoint {command} does not run {dll}")
user = c.get("User", "")
if not user.isdigit() or user == "0":
    problems.append(f"user {user!r} is not a non-root numeric UID")
exposed = set(c.get("ExposedPorts", {}))
missing = [p for p in ports if f"{p}/tcp" not in exposed]
if missing:
    problems.append(f"ports {missing} not exposed (exposed: {sorted(exposed)})")
if problems:
    sys.exit("check-image: " + "; ".join(problems))
print(f"check-image: {name} runs {' '.join(command)} as {user}, exposes {' '.join(sorted(exposed))}")
PY
