#!/usr/bin/env bash
# Negative tests of scripts/validate-deploy.sh: each case copies the deployment inputs to a
# temporary directory, breaks one thing on purpose, validates the copy and expects a non-zero
# exit with a `FAIL [<check>` line naming the check that guards it; for `checkov ID` also a
# `Check: ID:` finding, the checkov check that caught it. A pristine copy must pass.
#
#   scripts/validate_deploy/test_negative.sh [CASE-NAME...]   (default: every case)
#
# Ends with `N passed, M failed`; exits 1 if any case failed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
VALIDATE="$REPO/scripts/validate-deploy.sh"
CHART="helm-charts/application/backend"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

JOBS="${NEGATIVE_JOBS:-2}"
CASES=()

# The inputs validate-deploy.sh reads (docs/: the runbooks and metrics table of docs/observability.md).
copy_inputs() {
  local dest="$1" path
  mkdir -p "$dest"
  for path in Dockerfile .dockerignore .yamllint helm-charts apps deploy scripts .ci docs; do
    if [ -e "$REPO/$path" ]; then
      cp -R "$REPO/$path" "$dest/"
    fi
  done
}

# shellcheck source=../lib/negative.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/../lib/negative.sh"

# run_case NAME EXPECTED-CHECK MUTATION...: EXPECTED-CHECK "" means the copy must pass.
# Cases run NEGATIVE_JOBS (default 2) at a time; their reports print in order at the end.
run_case() {
  local name="$1"
  if [ "${#SELECTED[@]}" -gt 0 ] && [[ " ${SELECTED[*]} " != *" $name "* ]]; then
    return 0
  fi
  CASES+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
    wait -n || true
  done
  case_body "$@" >"$WORK/$name.report" 2>&1 &
}

case_body() {
  local name="$1" expect="$2" dir out status=0 finding=""
  shift 2
  if [[ "$expect" == "checkov "* ]]; then
    finding="Check: ${expect#checkov }:"
    expect=checkov
  fi
  dir="$WORK/$name"
  copy_inputs "$dir"
  if ! (cd "$dir" && "$@"); then
    report FAIL "$name" "the mutation itself failed" ""
    return
  fi
  out="$(bash "$VALIDATE" "$dir" 2>&1)" || status=$?
  if [ -z "$expect" ]; then
    if [ "$status" -eq 0 ]; then
      report ok "$name" "pristine copy validates" ""
    else
      report FAIL "$name" "pristine copy fails validation" "$out"
    fi
  elif [ "$status" -eq 0 ]; then
    report FAIL "$name" "validation passed; expected FAIL [$expect" "$out"
  elif ! grep -qF "FAIL [$expect" <<<"$out"; then
    report FAIL "$name" "validation failed (exit $status) but not with FAIL [$expect" "$out"
  elif [ -n "$finding" ] && ! grep -qF "$finding" <<<"$out"; then
    report FAIL "$name" "FAIL [$expect] but no '$finding' finding" "$out"
  else
    report ok "$name" "FAIL [$expect]${finding:+ $finding}"
  fi
  rm -rf "$dir"
}

# report ok|FAIL NAME WHAT OUTPUT
report() {
  printf '%-4s %-28s %s\n' "$1" "$2" "$3"
  if [ "$1" = FAIL ] && [ -n "$4" ]; then
    printf '%s\n' "$4" | grep -E '^(FAIL|    |validate-deploy: error)' | head -n 20 | sed 's/^/     | /'
  fi
}

noop() { :; }

# A cert-manager Certificate: a kind the Kubernetes schemas do not cover.
add_custom_resource() {
  cat >apps/infrastructure/certificate.yaml <<'YAML'
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: api
  namespace: backend-dev
spec:
  secretName: api-tls
  dnsNames:
    - api-dev.localhost
  issuerRef:
    name: selfsigned
    kind: ClusterIssuer
YAML
  edit apps/infrastructure/kustomization.yaml "  - redis.yaml" $'  - redis.yaml\n  - certificate.yaml'
}

SELECTED=("$@")
bash "$VALIDATE" --tools-only

run_case pristine "" noop
# yamllint: a duplicate key, which helm would silently accept (the last one wins).
run_case yaml-duplicate-key yamllint \
  edit "$CHART/values-dev.yaml" "replicaCount: 1" $'replicaCount: 1\nreplicaCount: 2'
run_case shellcheck-error shellcheck \
  edit scripts/kind-bootstrap.sh 'main "$@"' $'rm -rf $ROOT/tmp\nmain "$@"'
run_case bootstrap-default-privileges bootstrap-grants \
  edit scripts/kind-bootstrap.sh 'GRANT USAGE ON SCHEMA public TO backend_app;' \
  $'GRANT USAGE ON SCHEMA public TO backend_app;\nALTER DEFAULT PRIVILEGES FOR ROLE backend_owner IN SCHEMA public\n  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO backend_app;'
run_case bootstrap-table-grant bootstrap-grants \
  edit scripts/kind-bootstrap.sh 'GRANT USAGE ON SCHEMA public TO backend_app;' \
  $'GRANT USAGE ON SCHEMA public TO backend_app;\nGRANT UPDATE, DELETE ON config_history TO backend_app;'
run_case hadolint-warning hadolint \
  edit Dockerfile "WORKDIR /src" $'RUN apt-get update && apt-get install -y --no-install-recommends curl\nWORKDIR /src'
run_case unknown-values-key helm-lint:dev \
  edit "$CHART/values-dev.yaml" "replicaCount: 1" $'replicaCount: 1\nreplicas: 1'
run_case wrong-values-type helm-lint:prod \
  edit "$CHART/values-prod.yaml" "replicaCount: 3" 'replicaCount: "three"'
run_case prod-default-secret prod-secrets \
  edit "$CHART/values-prod.yaml" "replicaCount: 3" \
  $'replicaCount: 3\nsecret:\n  create: true\n  values:\n    jwtSecret: 0123456789abcdef0123456789abcdef0123'
# shellcheck disable=SC2016 # the template text is literal
run_case prod-without-secret-renders prod-secrets \
  edit "$CHART/templates/_helpers.tpl" '{{- if not (or $s.existingSecret $s.create) }}' '{{- if false }}'
run_case unknown-field-in-template schema:chart:dev \
  edit "$CHART/templates/service.yaml" "  type: {{ .Values.service.type }}" \
  $'  type: {{ .Values.service.type }}\n  sessionAffinityy: None'
run_case kind-without-schema schema:apps add_custom_resource
# Generic pod policy: checkov's own checks (checkov_scan.py), each case naming the one that fails.
run_case missing-readiness-probe "checkov CKV_K8S_9" \
  delete_block "$CHART/templates/deployment.yaml" "readinessProbe:"
run_case privileged-container "checkov CKV_K8S_16" \
  edit "$CHART/templates/_helpers.tpl" "privileged: false" "privileged: true"
run_case writable-root-filesystem "checkov CKV_K8S_22" \
  edit "$CHART/templates/_helpers.tpl" "readOnlyRootFilesystem: true" "readOnlyRootFilesystem: false"
run_case root-container "checkov CKV_K8S_23" \
  edit "$CHART/templates/_helpers.tpl" $'readOnlyRootFilesystem: true\nrunAsNonRoot: true' \
  $'readOnlyRootFilesystem: true\nrunAsNonRoot: false\nrunAsUser: 0'
run_case privilege-escalation "checkov CKV_K8S_20" \
  edit "$CHART/templates/_helpers.tpl" "allowPrivilegeEscalation: false" "allowPrivilegeEscalation: true"
run_case host-network "checkov CKV_K8S_19" \
  edit "$CHART/templates/deployment.yaml" "      automountServiceAccountToken: false" \
  $'      automountServiceAccountToken: false\n      hostNetwork: true'
run_case missing-limits "checkov CKV_K8S_11" \
  delete_block "$CHART/templates/tests/test-ready.yaml" "limits:"
run_case latest-image-tag "checkov CKV_K8S_14" \
  edit "$CHART/values-dev.yaml" "tag: 0.1.0-dev" "tag: latest"
# What checkov cannot express stays in k8s.py.
run_case host-path-volume policy-security \
  edit "$CHART/templates/deployment.yaml" $'      volumes:\n' \
  $'      volumes:\n        - name: host\n          hostPath:\n            path: /var/run\n'
run_case container-seccomp-unconfined policy-security \
  edit "$CHART/templates/_helpers.tpl" $'    - ALL\nseccompProfile:\n  type: RuntimeDefault' \
  $'    - ALL\nseccompProfile:\n  type: Unconfined'
run_case no-network-policy policy-networkpolicy \
  edit "$CHART/values-dev.yaml" "replicaCount: 1" $'replicaCount: 1\nnetworkPolicy:\n  enabled: false'
run_case ingress-only-network-policy policy-networkpolicy \
  edit "$CHART/templates/networkpolicy.yaml" $'    - Ingress\n    - Egress\n' $'    - Ingress\n'
run_case env-ref-missing-key policy-env-refs \
  edit "$CHART/templates/deployment.yaml" "key: JWT_SECRET" "key: JWT_SIGNING_SECRET"
run_case env-var-not-in-contract contract \
  edit "$CHART/templates/_helpers.tpl" "JWT_ISSUER:" "JWT_ISSUER_URL:"
run_case migration-not-a-pre-hook policy-migration-hook \
  edit "$CHART/templates/migration-job.yaml" "helm.sh/hook: pre-install,pre-upgrade" "helm.sh/hook: post-install"
run_case short-termination-grace policy-termination-grace \
  edit "$CHART/templates/deployment.yaml" \
  'terminationGracePeriodSeconds: {{ include "backend.terminationGracePeriodSeconds" . }}' \
  'terminationGracePeriodSeconds: 10'
run_case readme-missing-value chart-readme \
  edit "$CHART/README.md" "| \`tests.image\` |" "| tests image |"
run_case broken-kustomization kustomize:apps/overlays/staging \
  edit apps/overlays/staging/kustomization.yaml "path: name.yaml" "path: rename.yaml"
run_case app-missing-value-file argocd-source \
  edit apps/overlays/staging/value-files.yaml "values-staging.yaml" "values-stage.yaml"
run_case app-unpinned-revision argocd-revision \
  edit apps/base/backend-app.yaml "targetRevision: v0.1.0" "targetRevision: HEAD"
run_case app-chart-version-range argocd-revision \
  edit apps/infrastructure/redis.yaml "targetRevision: 22.0.3" "targetRevision: 22.x"
run_case app-no-prune argocd-sync \
  edit apps/base/backend-app.yaml "prune: true" "prune: false"
run_case app-no-destination-namespace argocd-destination \
  edit apps/infrastructure/redis.yaml $'    server: https://kubernetes.default.svc\n    namespace: infra\n' \
  $'    server: https://kubernetes.default.svc\n'
run_case app-wrong-type argocd-schema \
  edit apps/base/backend-app.yaml "revisionHistoryLimit: 5" "revisionHistoryLimit: five"
run_case app-unknown-field argocd-fields \
  edit apps/base/backend-app.yaml "      selfHeal: true" $'      selfHeal: true\n      selfheal: true'
run_case app-project-denies-namespace argocd-project \
  edit apps/projects/backend.yaml $'    - server: https://kubernetes.default.svc\n      namespace: backend-staging\n' ''
run_case app-inline-secret argocd-secrets \
  edit apps/base/backend-app.yaml "          value: backend-secrets" \
  $'          value: backend-secrets\n        - name: secret.values.jwtSecret\n          value: not-a-secret-to-commit-0123456789'
run_case app-values-break-chart argocd-render:backend-staging \
  edit apps/overlays/staging/value-files.yaml "- values-staging.yaml" $'- values-staging.yaml\n    - values.schema.json'
# Ingress: only /api, /docs and /openapi.json may be public.
# shellcheck disable=SC2016 # the template text is literal
run_case ingress-routes-root policy-ingress-paths \
  edit "$CHART/templates/ingress.yaml" '{{- range .Values.ingress.paths }}' '{{- range (append .Values.ingress.paths "/") }}'
run_case ingress-metrics-path-value helm-lint:dev \
  edit "$CHART/values-dev.yaml" "  host: api-dev.localhost" $'  host: api-dev.localhost\n  paths: [/api, /metrics]'
# Monitoring: the Prometheus Operator objects against the vendored CRD schemas, and the promises around them.
run_case servicemonitor-unknown-field schema:chart:monitoring \
  edit "$CHART/templates/servicemonitor.yaml" "      honorLabels: false" $'      honorLabels: false\n      metricsPath: /metrics'
run_case prometheusrule-malformed schema:chart:monitoring \
  edit "$CHART/templates/prometheusrule.yaml" "          for: 5m" "          for: [5m]"
run_case monitoring-on-by-default monitoring-off-by-default \
  edit "$CHART/values.yaml" $'    # -- Render a PrometheusRule with the alerts of docs/observability.md.\n    enabled: false' \
  $'    # -- Render a PrometheusRule with the alerts of docs/observability.md.\n    enabled: true'
# shellcheck disable=SC2016 # the template text is literal
run_case scrape-not-admitted monitoring-on \
  edit "$CHART/templates/networkpolicy.yaml" '{{- if .Values.metrics.serviceMonitor.enabled }}' '{{- if false }}'
run_case runbook-anchor-missing monitoring-alerts \
  edit docs/observability.md "### BackendRedisSubscriptionDown" "### Redis subscription down"
# shellcheck disable=SC2016 # the dashboard text is literal
run_case dashboard-undefined-variable monitoring-dashboard \
  edit "$CHART/files/grafana-dashboard.json" 'job=\"$job\"' 'job=\"$service\"'
run_case metric-not-in-contract monitoring-metrics \
  edit "$CHART/templates/prometheusrule.yaml" "(config_version_drift{" "(config_versions_drift{"

wait
passed=0
failed=0
failed_names=()
for name in "${CASES[@]}"; do
  cat "$WORK/$name.report"
  if head -n 1 "$WORK/$name.report" | grep -q '^ok '; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
  fi
done
printf '\n'
if [ "$failed" -ne 0 ]; then
  printf 'failed cases: %s\n' "${failed_names[*]}"
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
