#!/usr/bin/env bash
# Negative tests of scripts/validate-workflows.sh and scripts/promote.sh.
#
# Workflow cases copy the repository to a temporary directory, break one thing on purpose, validate
# the copy and expect a non-zero exit with a `FAIL [<check>` line naming the check that guards it;
# a pristine copy must pass. Promotion cases run scripts/promote.sh on a copy that is a Git
# repository with release tags: dev -> staging -> prod must change exactly the two pinned lines of
# each environment and still pass scripts/validate-deploy.sh; a refused promotion changes nothing.
#
#   scripts/validate_workflows/test_negative.sh [CASE-NAME...]   (default: every case)
#
# Ends with `N passed, M failed`; exits 1 if any case failed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
VALIDATE="$REPO/scripts/validate-workflows.sh"
CI=.github/workflows/ci.yml
RELEASE=.github/workflows/release.yml
PROMOTE=.github/workflows/promote.yml
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

JOBS="${NEGATIVE_JOBS:-2}"
CASES=()
SELECTED=("$@")

# The repository as Git sees it (tracked and untracked, not ignored): small, no build output.
copy_repo() {
  local dest="$1"
  mkdir -p "$dest"
  (cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest" 2>/dev/null) || true
}

# shellcheck source=../lib/negative.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/../lib/negative.sh"

selected() { [ "${#SELECTED[@]}" -eq 0 ] || [[ " ${SELECTED[*]} " == *" $1 "* ]]; }

# report ok|FAIL NAME WHAT OUTPUT
report() {
  printf '%-4s %-30s %s\n' "$1" "$2" "$3"
  if [ "$1" = FAIL ] && [ -n "${4:-}" ]; then
    printf '%s\n' "$4" | grep -E '^(FAIL|    |validate-workflows: error|promote:)' | head -n 20 | sed 's/^/     | /'
  fi
}

# run_case NAME EXPECTED-CHECK MUTATION...: EXPECTED-CHECK "" means the copy must pass. Only the
# pristine copy and the renovate-extract cases run Renovate's extraction (about 10 s each).
run_case() {
  local name="$1"
  selected "$name" || return 0
  CASES+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
    wait -n || true
  done
  case_body "$@" >"$WORK/$name.report" 2>&1 &
}

case_body() {
  local name="$1" expect="$2" dir out status=0 extract=0
  shift 2
  dir="$WORK/$name"
  copy_repo "$dir"
  if ! (cd "$dir" && "$@"); then
    report FAIL "$name" "the mutation itself failed" ""
    return
  fi
  if [ -z "$expect" ] || [ "$expect" = renovate-extract ]; then
    extract=1
  fi
  out="$(VALIDATE_WORKFLOWS_EXTRACT=$extract bash "$VALIDATE" "$dir" 2>&1)" || status=$?
  if [ -z "$expect" ]; then
    if [ "$status" -eq 0 ]; then
      report ok "$name" "pristine copy validates"
    else
      report FAIL "$name" "pristine copy fails validation" "$out"
    fi
  elif [ "$status" -eq 0 ]; then
    report FAIL "$name" "validation passed; expected FAIL [$expect" "$out"
  elif ! grep -qF "FAIL [$expect" <<<"$out"; then
    report FAIL "$name" "validation failed (exit $status) but not with FAIL [$expect" "$out"
  else
    report ok "$name" "FAIL [$expect]"
  fi
  rm -rf "$dir"
}

noop() { :; }

# drop_permissions WORKFLOW: neither the workflow nor its (first) job sets permissions.
drop_permissions() {
  edit "$1" $'permissions: {}\n' ''
  delete_block "$1" "permissions:"
}

# --- Promotion cases: a Git copy with the release tags v0.1.0 and v0.2.0 (Chart.yaml bumped), v0.4.0
# on a commit whose chart is not 0.4.0 (not a release).
GIT=(git -c user.name=test -c user.email=test@example.invalid -c commit.gpgsign=false -c tag.gpgsign=false)

release_repo() {
  local dir="$1" chart=helm-charts/application/backend/Chart.yaml
  copy_repo "$dir"
  (
    cd "$dir"
    "${GIT[@]}" init -q
    "${GIT[@]}" add -A && "${GIT[@]}" commit -qm base && "${GIT[@]}" tag v0.1.0
    sed -i 's/^version: 0.1.0$/version: 0.2.0/; s/^appVersion: "0.1.0"$/appVersion: "0.2.0"/' "$chart"
    grep -q '^version: 0.2.0$' "$chart" && grep -q '^appVersion: "0.2.0"$' "$chart"
    "${GIT[@]}" commit -qam "release 0.2.0" && "${GIT[@]}" tag v0.2.0
    "${GIT[@]}" commit -q --allow-empty -m "not a release" && "${GIT[@]}" tag v0.4.0
  )
}

# expect_diff DIR ENV...: exactly the two pinned lines of each ENV changed, to v0.2.0 / "0.2.0".
expect_diff() {
  local dir="$1" env got want=""
  shift
  got="$(cd "$dir" && git diff --numstat | sort)"
  for env in "$@"; do want+="2	2	apps/overlays/$env/revision.yaml"$'\n'; done
  [ "$got" = "$(printf '%s' "$want" | sort)" ] || { echo "changed files: $got"; return 1; }
  for env in "$@"; do
    got="$(cd "$dir" && git diff -U0 -- "apps/overlays/$env/revision.yaml" | grep '^[-+] ' | sed 's/^\([-+]\) */\1/')"
    want="$(bash "$dir/scripts/promote.sh" --current "$env" "$dir")"
    [ "$want" = "v0.2.0 0.2.0" ] || { echo "$env runs $want"; return 1; }
    if ! grep -qx '+value: v0.2.0' <<<"$got" || ! grep -qx '+value: "0.2.0"' <<<"$got"; then
      echo "$env diff: $got"
      return 1
    fi
  done
}

promote_case() {
  local name="$1" dir
  selected "$name" || return 0
  CASES+=("$name")
  dir="$WORK/$name"
  release_repo "$dir" >/dev/null
  shift
  "$@" "$dir" >"$WORK/$name.report" 2>&1 || true
  rm -rf "$dir"
}

# The whole path on one copy, then the deployment validation of the result.
promote_all() {
  local dir="$1" env out="" status=0
  for env in dev staging prod; do
    out+="$(bash "$dir/scripts/promote.sh" "$env" 0.2.0 "$dir" 2>&1)"$'\n' || status=$?
  done
  [ "$status" -eq 0 ] || { report FAIL promote-dev-staging-prod "promote.sh failed" "$out"; return; }
  out+="$(bash "$dir/scripts/promote.sh" staging v0.2.0 "$dir" 2>&1)"$'\n'
  grep -q "already runs v0.2.0" <<<"$out" || { report FAIL promote-dev-staging-prod "second run was not a no-op" "$out"; return; }
  if ! out="$(expect_diff "$dir" dev staging prod 2>&1)"; then
    report FAIL promote-dev-staging-prod "unexpected change" "promote: $out"
    return
  fi
  if ! out="$(bash "$REPO/scripts/validate-deploy.sh" "$dir" 2>&1)"; then
    report FAIL promote-dev-staging-prod "validate-deploy fails on the promoted tree" "$out"
    return
  fi
  report ok promote-dev-staging-prod "2 lines per environment; validate-deploy OK"
}

# expect_refusal NAME EXIT MESSAGE ENV VERSION DIR: promote.sh exits EXIT naming MESSAGE, changes nothing.
expect_refusal() {
  local name="$1" code="$2" message="$3" env="$4" version="$5" dir="$6" out status=0
  out="$(bash "$dir/scripts/promote.sh" "$env" "$version" "$dir" 2>&1)" || status=$?
  if [ "$status" -ne "$code" ] || ! grep -qF "$message" <<<"$out"; then
    report FAIL "$name" "expected exit $code with '$message', got exit $status" "promote: $out"
  elif [ -n "$(cd "$dir" && git status --porcelain)" ]; then
    report FAIL "$name" "refused but changed files" "promote: $(cd "$dir" && git status --porcelain)"
  else
    report ok "$name" "exit $code: $message"
  fi
}

bash "$VALIDATE" --tools-only
bash "$REPO/scripts/validate-deploy.sh" --tools-only

run_case pristine "" noop
run_case unpinned-action jactionlint \
  edit "$CI" "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0" "actions/checkout@v4"
run_case action-without-version-comment jactionlint \
  edit "$CI" "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3" \
  "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684"
run_case missing-permissions jactionlint drop_permissions "$PROMOTE"
# The first job's permissions; `permissions: {}` stays on top, so only the house rule catches it.
run_case job-without-permissions permissions delete_block "$RELEASE" "permissions:"
run_case shellcheck-in-run-step jactionlint \
  edit "$CI" "        run: .ci/run" $'        run: |\n          rm -rf $RUNNER_TEMP/x\n          .ci/run'
run_case yaml-duplicate-key yamllint \
  edit "$CI" "    timeout-minutes: 90" $'    timeout-minutes: 90\n    timeout-minutes: 60'
run_case workflow-skips-test-command ci-contract \
  edit "$CI" "        run: .ci/run" "        run: cargo test --workspace --locked"
run_case ci-run-skips-test-sh ci-contract \
  edit .ci/run "bash scripts/test.sh" "cargo nextest run --workspace --locked"
run_case readme-test-command-changes ci-contract \
  edit README.md "./scripts/test.sh   # run the whole test suite" "./scripts/check.sh  # run the whole test suite"
run_case no-redis-service ci-contract delete_block "$CI" "redis:"
run_case target-dir-not-cached ci-contract \
  edit "$CI" "path: ~/.cache/backend-target" "path: target"
run_case renovate-unknown-option renovate-config \
  edit renovate.json '"labels": [' '"packageRulez": [],
  "labels": ['
run_case renovate-broken-regex renovate-config \
  edit renovate.json "RUST_TOOLCHAIN: (?<currentValue>" "RUST_TOOLCHAIN: (?<currentValue"
run_case renovate-regex-misses-charts renovate-extract \
  edit renovate.json '\\n\\s+chart: (?<chart>' '\\n\\s+charts: (?<chart>'
run_case release-single-arch release-contract \
  edit "$RELEASE" "platforms: linux/amd64,linux/arm64" "platforms: linux/amd64"
# shellcheck disable=SC2016 # the workflow text is literal
run_case release-unsigned release-contract \
  edit "$RELEASE" 'run: cosign sign --yes "$IMAGE@$DIGEST"' 'run: echo "$IMAGE@$DIGEST"'
run_case revision-file-hand-edited promote-files \
  edit apps/overlays/staging/revision.yaml "forceString: true" "forceString: false"

wait

promote_case promote-dev-staging-prod promote_all
promote_case prod-not-in-staging expect_refusal prod-not-in-staging 1 "prod takes only the version staging runs" prod 0.2.0
promote_case unreleased-version expect_refusal unreleased-version 1 "has no tag v0.9.9" staging 0.9.9
promote_case tag-not-a-release expect_refusal tag-not-a-release 1 "is not a release" staging 0.4.0
promote_case unknown-environment expect_refusal unknown-environment 2 "unknown environment" qa 0.2.0
promote_case malformed-version expect_refusal malformed-version 2 "is not X.Y.Z" staging 0.2

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
