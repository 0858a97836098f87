#!/usr/bin/env bash
# Runs the smoke flow (tests/postman/backend-smoke.postman_collection.json) with the pinned
# newman against a running backend: health, ready, guest sign-in, create an organization and
# a project, list them, read and update the configuration with an admin token, clean up,
# log out, and the revoked token rejected. Exit status 1 when any pm.test fails.
#
#   BACKEND_ADMIN_TOKEN=... bash scripts/postman/run.sh [--env local|kind] [--insecure] [-- NEWMAN_ARGS...]
#
# The smoke of a deployment (docs/deploy.md, kind quickstart):
#   BACKEND_URL=https://api-dev.localhost \
#   BACKEND_ADMIN_TOKEN=$(kubectl -n backend-dev exec deploy/backend -- backend token --admin --ttl 15m --subject smoke) \
#     bash scripts/postman/run.sh --env kind
#
#   --env NAME         tests/postman/NAME.postman_environment.json (default local: http://localhost:8000;
#                      kind: https://api-dev.localhost)
#   --insecure         accept self-signed TLS certificates (the default with --env kind)
# Environment:
#   BACKEND_URL          overrides the environment's baseUrl
#   BACKEND_ADMIN_TOKEN  required: an admin token minted with the server's JWT_SECRET
#                        (`backend token --admin --ttl 1h`); it is passed to newman in a
#                        temporary environment file, never on a command line
#   BACKEND_INSECURE     1 or 0 forces certificate checking off or on
#   POSTMAN_COLLECTION   another collection to run (default: the smoke flow)
#   POSTMAN_REPORT_DIR   also write newman's JUnit report there
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.sh source-path=SCRIPTDIR
source scripts/postman/lib.sh

env_name=local
insecure=""
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --env) [ $# -ge 2 ] || { echo "run.sh: --env needs a name" >&2; exit 2; }; env_name="$2"; shift ;;
        --env=*) env_name="${1#--env=}" ;;
        --insecure) insecure=1 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
env_file="tests/postman/$env_name.postman_environment.json"
[ -f "$env_file" ] || { echo "run.sh: no environment $env_file" >&2; exit 2; }
collection="${POSTMAN_COLLECTION:-tests/postman/backend-smoke.postman_collection.json}"
[ -f "$collection" ] || { echo "run.sh: no collection $collection" >&2; exit 2; }
if [ -z "${BACKEND_ADMIN_TOKEN:-}" ]; then
    echo "run.sh: set BACKEND_ADMIN_TOKEN to an admin token minted with the server's JWT_SECRET," >&2
    echo "  locally:  BACKEND_ADMIN_TOKEN=\$(JWT_SECRET=... backend token --admin --ttl 1h)" >&2
    echo "  on kind:  BACKEND_ADMIN_TOKEN=\$(kubectl -n backend-dev exec deploy/backend -- backend token --admin --ttl 15m)" >&2
    exit 2
fi
if [ -z "$insecure" ] && [ "$env_name" = kind ]; then insecure=1; fi
case "${BACKEND_INSECURE:-}" in
    1) insecure=1 ;;
    0) insecure="" ;;
esac

ensure_postman_tools
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077
# The chosen environment with baseUrl (BACKEND_URL) and adminToken filled in.
BACKEND_URL="${BACKEND_URL:-}" node -e '
const fs = require("fs");
const [from, to] = process.argv.slice(1);
const env = JSON.parse(fs.readFileSync(from, "utf8"));
const set = (key, value) => {
  const entry = env.values.find((v) => v.key === key);
  if (entry) entry.value = value; else env.values.push({ key, value, type: "secret", enabled: true });
};
if (process.env.BACKEND_URL) set("baseUrl", process.env.BACKEND_URL.replace(/\/+$/, ""));
set("adminToken", process.env.BACKEND_ADMIN_TOKEN);
fs.writeFileSync(to, JSON.stringify(env));
console.log(env.values.find((v) => v.key === "baseUrl").value);
' "$env_file" "$work/environment.json" >"$work/base-url"
base_url="$(cat "$work/base-url")"

reporters=cli,json
report=()
if [ -n "${POSTMAN_REPORT_DIR:-}" ]; then
    mkdir -p "$POSTMAN_REPORT_DIR"
    reporters=cli,json,junit
    report=(--reporter-junit-export "$POSTMAN_REPORT_DIR/newman-$env_name.xml")
fi
args=(run "$collection" --environment "$work/environment.json" --timeout-request 15000
      --reporters "$reporters" --reporter-json-export "$work/run.json" "${report[@]}")
if [ -n "$insecure" ]; then args+=(--insecure); fi
if [ ! -t 1 ]; then args+=(--color off); fi
echo "postman: $(basename "$collection") against $base_url (environment $env_name${insecure:+, certificates not checked})" >&2
status=0
"$NEWMAN" "${args[@]}" "${extra[@]}" || status=$?
if [ -f "$work/run.json" ]; then
    # shellcheck disable=SC2016 # JavaScript template literals, not shell
    node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).run.stats;
const failed = s.assertions.failed + s.testScripts.failed + s.prerequestScripts.failed + s.requests.failed;
console.log(`postman: ${s.requests.total} requests, ${s.assertions.total - s.assertions.failed} assertions passed, ${failed} failed`);
' "$work/run.json"
fi
exit "$status"
