#!/usr/bin/env python3
"""A read-only OCI registry for one base image, for machines that cannot reach mcr.microsoft.com.

  oci-registry.py layout ROOTFS_TAR_DIR LAYOUT   write an OCI image (one layer) from a root file system directory
  oci-registry.py serve LAYOUT PORT              serve it at http://127.0.0.1:PORT/v2/<any name>/manifests/<any tag>

The .NET SDK's container build pulls a base image over the registry HTTP API (plain HTTP is allowed for localhost);
this serves exactly the manifest, config and layer that `layout` wrote, and nothing else. Environment for `layout`:
BASE_ENV (lines KEY=VALUE) and BASE_USER, put into the image config like the official aspnet image's.
"""
import gzip
import hashlib
import http.server
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def blob(layout, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "wb") as f:
        f.write(data)
    return digest, len(data)


def owned_by_root(info):
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = 0
    return info


def layout(rootfs, out):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in sorted(os.listdir(rootfs)):
            tar.add(os.path.join(rootfs, entry), arcname=entry, filter=owned_by_root)
    uncompressed = raw.getvalue()
    layer_digest, layer_size = blob(out, gzip.compress(uncompressed, compresslevel=1, mtime=0))
    env = [line for line in os.environ.get("BASE_ENV", "").splitlines() if "=" in line]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": env, "User": os.environ.get("BASE_USER", ""), "WorkingDir": "/app"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
        "history": [{"created_by": "deploy/containers/base-image.sh"}],
    }
    config_digest, config_size = blob(out, json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer_size}],
    }
    manifest_digest, manifest_size = blob(out, json.dumps(manifest, sort_keys=True).encode())
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": manifest_digest, "size": manifest_size}]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(f"base image {manifest_digest}, layer {layer_size // (1024 * 1024)} MiB compressed")


def serve(out, port):
    with open(os.path.join(out, "index.json")) as f:
        manifest_digest = json.load(f)["manifests"][0]["digest"]

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self, body):
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts == ["v2"]:
                return self.reply(200, b"{}", "application/json", None, body)
            if len(parts) >= 4 and parts[0] == "v2" and parts[-2] in ("manifests", "blobs"):
                digest = manifest_digest if parts[-2] == "manifests" and not parts[-1].startswith("sha256:") else parts[-1]
                path = os.path.join(out, "blobs", "sha256", digest.removeprefix("sha256:"))
                if digest.startswith("sha256:") and os.path.isfile(path):
                    with open(path, "rb") as f:
                        data = f.read()
                    kind = OCI_MANIFEST if digest == manifest_digest else "application/octet-stream"
                    return self.reply(200, data, kind, digest, body)
            self.reply(404, b'{"errors":[{"code":"NOT_FOUND"}]}', "application/json", None, body)

        def reply(self, code, data, kind, digest, body=True):
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            if digest:
                self.send_header("Docker-Content-Digest", digest)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_GET(self):
            self.answer(True)

        def do_HEAD(self):
            self.answer(False)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "layout":
        layout(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
