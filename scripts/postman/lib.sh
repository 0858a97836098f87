# shellcheck shell=bash
# The pinned npm tools of scripts/postman/*.sh: openapi-to-postmanv2 (generates the
# collection from the spec) and newman (runs collections), from package.json and
# package-lock.json beside this file. They are installed with `npm ci` into
# ${BACKEND_TOOLS_DIR:-$HOME/.cache/backend-tools}/postman, outside the repository, and reused
# while the lock's hash matches the stamp there. Sourced; sets POSTMAN_HELPERS, POSTMAN_TOOLS
# and, after ensure_postman_tools, NEWMAN.

POSTMAN_HELPERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh source-path=SCRIPTDIR
source "$POSTMAN_HELPERS/../lib/common.sh"
POSTMAN_TOOLS="$TOOLS_DIR/postman"

ensure_postman_tools() {
    local stamp
    command -v node >/dev/null 2>&1 || { echo "postman: node (20 or later) is required" >&2; exit 2; }
    command -v npm >/dev/null 2>&1 || { echo "postman: npm is required" >&2; exit 2; }
    stamp="$(sha_of "$POSTMAN_HELPERS/package.json" "$POSTMAN_HELPERS/package-lock.json")"
    mkdir -p "$(dirname "$POSTMAN_TOOLS")"
    if command -v flock >/dev/null 2>&1; then
        exec 8>"$POSTMAN_TOOLS.lock"
        flock 8
    fi
    if [ ! -f "$POSTMAN_TOOLS/.stamp" ] || [ "$(cat "$POSTMAN_TOOLS/.stamp")" != "$stamp" ]; then
        echo "postman: installing openapi-to-postmanv2 and newman into $POSTMAN_TOOLS" >&2
        rm -rf "$POSTMAN_TOOLS"
        mkdir -p "$POSTMAN_TOOLS"
        cp "$POSTMAN_HELPERS/package.json" "$POSTMAN_HELPERS/package-lock.json" "$POSTMAN_TOOLS/"
        (cd "$POSTMAN_TOOLS" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
        printf '%s' "$stamp" >"$POSTMAN_TOOLS/.stamp"
    fi
    if command -v flock >/dev/null 2>&1; then
        flock -u 8
        exec 8>&-
    fi
    # shellcheck disable=SC2034 # used by the scripts that source this file
    NEWMAN="$POSTMAN_TOOLS/node_modules/.bin/newman"
}
