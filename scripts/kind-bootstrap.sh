#!/usr/bin/env bash
# Bring up the dev environment on a local kind cluster through Argo CD, then run the
# end-to-end suite against it. The steps are the ones docs/deploy.md walks through.
#
#   scripts/kind-bootstrap.sh            # everything
#   SKIP_E2E=1 scripts/kind-bootstrap.sh # stop once backend-dev is Synced/Healthy
#   scripts/kind-bootstrap.sh --delete   # remove the cluster
#
# Needs: docker, kind (>= 0.27), kubectl, git; cargo + cargo-nextest for the e2e step.
# Argo CD syncs from the Git repository at the pinned revision (apps/root-app.yaml), so the
# tag must exist upstream: the checks below fail early if it does not.
set -euo pipefail

CLUSTER_NAME="${CLUSTER_NAME:-backend}"
ARGOCD_VERSION="${ARGOCD_VERSION:-v3.1.9}"
IMAGE="${IMAGE:-ghcr.io/adask-b/backend:0.1.0-dev}"
REPO_URL="https://github.com/adask-b/agent-ready-k8s.git"
LOCAL_PORT="${LOCAL_PORT:-8000}"
WAIT_TIMEOUT="${WAIT_TIMEOUT:-900}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIND_CONFIG="$ROOT/deploy/kind/kind-config.yaml"
ROOT_APP="$ROOT/apps/root-app.yaml"

LOG_PREFIX="==> " DIE_PREFIX="" DIE_STATUS=1 NEED_HINT="(see docs/deploy.md, Prerequisites)"
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$ROOT/scripts/lib/common.sh"

# A random alphanumeric password of the given length.
random_password() {
  local length="$1" out=""
  while [ "${#out}" -lt "$length" ]; do
    out+="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  done
  printf '%s' "${out:0:$length}"
}

# Reads one key of an existing Secret, empty when the Secret or key is missing.
secret_value() {
  local namespace="$1" name="$2" key="$3" encoded
  encoded="$(kubectl -n "$namespace" get secret "$name" -o "jsonpath={.data.$key}" 2>/dev/null || true)"
  if [ -n "$encoded" ]; then
    printf '%s' "$encoded" | base64 -d
  fi
}

ensure_namespace() {
  kubectl create namespace "$1" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

create_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
    log "kind cluster '$CLUSTER_NAME' exists"
  else
    log "creating kind cluster '$CLUSTER_NAME' ($KIND_CONFIG)"
    kind create cluster --name "$CLUSTER_NAME" --config "$KIND_CONFIG" --wait 120s
  fi
  kubectl config use-context "kind-$CLUSTER_NAME" >/dev/null
}

load_image() {
  if [ "${SKIP_IMAGE_BUILD:-0}" != "1" ]; then
    log "building $IMAGE for this machine's platform"
    docker build -t "$IMAGE" "$ROOT"
  fi
  log "loading $IMAGE into the cluster"
  kind load docker-image "$IMAGE" --name "$CLUSTER_NAME"
}

install_argocd() {
  log "installing Argo CD $ARGOCD_VERSION"
  ensure_namespace argocd
  kubectl apply -n argocd --server-side --force-conflicts \
    -f "https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml" >/dev/null
  # Application health, so the sync waves of the app of apps wait for each child.
  kubectl -n argocd patch configmap argocd-cm --type merge -p '{"data":{"resource.customizations.health.argoproj.io_Application":"hs = {}\nhs.status = \"Progressing\"\nhs.message = \"\"\nif obj.status ~= nil and obj.status.health ~= nil then\n  hs.status = obj.status.health.status\n  if obj.status.health.message ~= nil then\n    hs.message = obj.status.health.message\n  end\nend\nreturn hs\n"}}' >/dev/null
  kubectl -n argocd rollout status deployment/argocd-repo-server --timeout=300s
  kubectl -n argocd rollout status statefulset/argocd-application-controller --timeout=300s
}

# The Secrets the Applications expect to exist. Existing ones are kept: PostgreSQL keeps
# the passwords it was initialised with in its volume.
create_secrets() {
  local owner_pw app_pw admin_pw redis_pw jwt
  ensure_namespace infra
  ensure_namespace backend-dev
  kubectl label namespace backend-dev --overwrite \
    pod-security.kubernetes.io/enforce=restricted >/dev/null

  admin_pw="$(secret_value infra postgresql-credentials postgres-password)"
  owner_pw="$(secret_value infra postgresql-credentials password)"
  app_pw="$(secret_value backend-dev backend-secrets DATABASE_PASSWORD)"
  redis_pw="$(secret_value infra redis-credentials redis-password)"
  jwt="$(secret_value backend-dev backend-secrets JWT_SECRET)"
  [ -n "$admin_pw" ] || admin_pw="$(random_password 32)"
  [ -n "$owner_pw" ] || owner_pw="$(random_password 32)"
  [ -n "$app_pw" ] || app_pw="$(random_password 32)"
  [ -n "$redis_pw" ] || redis_pw="$(random_password 32)"
  [ -n "$jwt" ] || jwt="$(random_password 48)"

  log "creating Secrets in infra and backend-dev"
  kubectl -n infra create secret generic postgresql-credentials \
    --from-literal=postgres-password="$admin_pw" \
    --from-literal=password="$owner_pw" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # Runs once, as the superuser, when PostgreSQL initialises its data directory:
  # backend_owner (made by the chart) owns the database; backend_app may connect and use the
  # schema, nothing more: every table privilege it has comes from a migration's explicit GRANT
  # (no default privileges, which would hand it UPDATE/DELETE on the append-only history and
  # on refinery's own table), and row-level security applies to it.
  # scripts/validate_deploy/bootstrap.py checks these grants offline.
  kubectl -n infra create secret generic postgresql-initdb \
    --from-literal=10-backend-app-role.sql="$(cat <<SQL
CREATE ROLE backend_app LOGIN PASSWORD '${app_pw}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
\\connect backend
ALTER DATABASE backend OWNER TO backend_owner;
ALTER SCHEMA public OWNER TO backend_owner;
GRANT CONNECT ON DATABASE backend TO backend_app;
GRANT USAGE ON SCHEMA public TO backend_app;
SQL
)" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl -n infra create secret generic redis-credentials \
    --from-literal=redis-password="$redis_pw" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl -n backend-dev create secret generic backend-secrets \
    --from-literal=DATABASE_PASSWORD="$app_pw" \
    --from-literal=MIGRATION_DATABASE_PASSWORD="$owner_pw" \
    --from-literal=REDIS_PASSWORD="$redis_pw" \
    --from-literal=JWT_SECRET="$jwt" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

check_revision() {
  local revision
  revision="$(sed -n 's/^ *targetRevision: *//p' "$ROOT_APP" | head -n 1)"
  log "checking that $REPO_URL has $revision"
  git ls-remote --exit-code "$REPO_URL" "refs/tags/$revision" "refs/heads/$revision" >/dev/null \
    || die "revision '$revision' of apps/root-app.yaml is not in $REPO_URL; push the tag first (docs/deploy.md, Promotion)"
}

wait_healthy() {
  local app="$1" deadline status
  deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
  log "waiting for Application $app to be Synced and Healthy"
  while :; do
    status="$(kubectl -n argocd get application "$app" \
      -o 'jsonpath={.status.sync.status}/{.status.health.status}' 2>/dev/null || true)"
    if [ "$status" = "Synced/Healthy" ]; then
      log "$app: $status"
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      kubectl -n argocd get applications || true
      die "$app is '$status' after ${WAIT_TIMEOUT}s"
    fi
    sleep 10
  done
}

run_e2e() {
  local pf_pid
  log "port-forwarding svc/backend in backend-dev to 127.0.0.1:$LOCAL_PORT"
  kubectl -n backend-dev port-forward svc/backend "$LOCAL_PORT:8000" >/dev/null 2>&1 &
  pf_pid=$!
  # shellcheck disable=SC2064 # expand the pid now
  trap "kill $pf_pid 2>/dev/null || true" EXIT
  local tries=0
  until curl -fsS "http://127.0.0.1:$LOCAL_PORT/ready" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || die "GET /ready through the port-forward never answered"
    sleep 2
  done
  if [ "${SKIP_E2E:-0}" = "1" ]; then
    log "SKIP_E2E=1: the API answers at http://127.0.0.1:$LOCAL_PORT while this script runs"
    return 0
  fi
  log "running the e2e suite against the cluster"
  (cd "$ROOT" && BACKEND_URL="http://127.0.0.1:$LOCAL_PORT" cargo nextest run -p backend-e2e)
}

main() {
  if [ "${1:-}" = "--delete" ]; then
    need kind
    kind delete cluster --name "$CLUSTER_NAME"
    return 0
  fi
  need docker kind kubectl git curl base64
  check_revision
  create_cluster
  load_image
  install_argocd
  create_secrets
  log "applying the root Application (apps/root-app.yaml)"
  kubectl apply -n argocd -f "$ROOT_APP"
  wait_healthy root
  local app
  for app in ingress-nginx postgresql redis backend-dev; do
    wait_healthy "$app"
  done
  run_e2e
}

main "$@"
