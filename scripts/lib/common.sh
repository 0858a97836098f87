# shellcheck shell=bash
# Helpers every script under scripts/ shares; each is defined here once. Sourced, not run:
#
#   # shellcheck source=lib/common.sh source-path=SCRIPTDIR
#   source "$SCRIPT_DIR/lib/common.sh"     (or scripts/lib/common.sh from the repository root)
#
# Messages go to stderr. What a script says before them is its own, read when a helper runs:
#   LOG_PREFIX   put before every log() and die() line, e.g. "conformance: " (default: nothing)
#   DIE_PREFIX   put before die()'s "error: " instead of LOG_PREFIX (may be empty)
#   DIE_STATUS   die()'s exit status (default 2)
#   NEED_HINT    added after need()'s "'TOOL' is required", e.g. "(see docs/deploy.md)"

# TOOLS_DIR: where the scripts fetch their pinned tools once, outside the repository and shared by
# every clone (CI caches it). BACKEND_TOOLS_DIR overrides it.
# shellcheck disable=SC2034 # read by the scripts that source this file
TOOLS_DIR="${BACKEND_TOOLS_DIR:-$HOME/.cache/backend-tools}"

# log MESSAGE...: one line on stderr.
log() { printf '%s%s\n' "${LOG_PREFIX:-}" "$*" >&2; }

# die MESSAGE...: "error: MESSAGE" on stderr, then exit DIE_STATUS.
die() {
    printf '%serror: %s\n' "${DIE_PREFIX-${LOG_PREFIX:-}}" "$*" >&2
    exit "${DIE_STATUS:-2}"
}

# need TOOL...: dies unless every TOOL is on PATH.
need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required${NEED_HINT:+ $NEED_HINT}"
    done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on (the kernel's pick for port 0).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# url_for URL USER DATABASE [QUERY]: URL (a DATABASE_URL, REDIS_URL, ...) as USER (empty: URL's
# own user) on the path /DATABASE, without a password; its query is kept unless QUERY is given
# ("" drops it). Like url_for in tests/src/testenv.rs.
url_for() {
    python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
user = sys.argv[2] or p.username
host = p.hostname + (f":{p.port}" if p.port else "")
query = sys.argv[4] if len(sys.argv) > 4 else p.query
print(u.urlunsplit((p.scheme, f"{user}@{host}" if user else host, "/" + sys.argv[3], query, "")))' "$@"
}

# wait_ready BASE_URL TIMEOUT [PID [INTERVAL]]: asks GET BASE_URL/ready every INTERVAL seconds
# (default 0.2) until it answers 2xx (status 0). Status 1 as soon as process PID (when given) is
# gone, 2 once TIMEOUT seconds of waiting pass without an answer (TIMEOUT 0: no limit). Prints
# nothing: the caller says what failed.
wait_ready() {
    local url="$1/ready" timeout="$2" pid="${3:-}" interval="${4:-0.2}" tries=0 max=0
    [ "$timeout" = 0 ] || max=$(awk -v t="$timeout" -v i="$interval" 'BEGIN { n = t / i; print (n > int(n)) ? int(n) + 1 : int(n) }')
    until curl -sf "$url" >/dev/null; do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        if [ "$timeout" != 0 ] && [ "$tries" -ge "$max" ]; then return 2; fi
        tries=$((tries + 1))
        sleep "$interval"
    done
}

# random_secret: 48 random bytes in base64 on one line (a JWT_SECRET).
random_secret() { head -c 48 /dev/urandom | base64 | tr -d '\n'; }

# sha_of FILE...: a short hash of the files' contents, not their paths (tool-cache stamps: every
# clone shares one cache).
sha_of() { cat "$@" | sha256sum | cut -c1-16; }

# record CHECK SCOPE OUTPUT STATUS: prints `PASS [CHECK] SCOPE`, or `FAIL [CHECK] SCOPE` with
# OUTPUT indented under it, and counts it in PASSED or FAILED.
PASSED=0
FAILED=0
record() {
    if [ "$4" -eq 0 ]; then
        PASSED=$((PASSED + 1))
        printf 'PASS [%s] %s\n' "$1" "$2"
    else
        FAILED=$((FAILED + 1))
        printf 'FAIL [%s] %s\n' "$1" "$2"
        printf '%s\n' "$3" | sed 's/^/    /'
    fi
}
