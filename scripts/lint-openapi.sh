#!/usr/bin/env bash
# Validates the committed OpenAPI document with openapi-spec-validator (PyPI),
# installed once into a pinned venv outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source scripts/lib/common.sh
version="0.9.0"
venv="$TOOLS_DIR/openapi-venv-$version"
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "openapi-spec-validator==$version"
fi
"$venv/bin/openapi-spec-validator" openapi/backend.yaml
