#!/usr/bin/env bash
# Generates openapi/backend.postman_collection.json from openapi/backend.yaml with the pinned
# openapi-to-postmanv2 (scripts/postman/generate.mjs says how the output is kept stable).
# Rerun it after every change of the spec and commit both files.
#
#   bash scripts/postman/generate.sh           write the collection
#   bash scripts/postman/generate.sh --check   exit 1 if the committed collection is stale
#
# SPEC and COLLECTION override the two paths (the negative check points them at copies).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.sh source-path=SCRIPTDIR
source scripts/postman/lib.sh

spec="${SPEC:-openapi/backend.yaml}"
collection="${COLLECTION:-openapi/backend.postman_collection.json}"
mode=()
case "${1:-}" in
    "") ;;
    --check) mode=(--check) ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "generate.sh: unknown argument $1 (use --check or nothing)" >&2; exit 2 ;;
esac

ensure_postman_tools
if ! node "$POSTMAN_HELPERS/generate.mjs" --modules "$POSTMAN_TOOLS" --spec "$spec" --out "$collection" "${mode[@]}"; then
    echo "regenerate it with: bash scripts/postman/generate.sh" >&2
    exit 1
fi
if [ "${#mode[@]}" -eq 0 ]; then
    echo "wrote $collection from $spec"
else
    echo "$collection is up to date with $spec"
fi
