#!/usr/bin/env bash
# Promotes a released version to one environment: rewrites apps/overlays/ENV/revision.yaml, the
# one file that says which release an environment runs (the chart at the Git tag vX.Y.Z and the
# image ghcr.io/<owner>/backend:X.Y.Z). The Promote workflow (.github/workflows/promote.yml) runs
# it and opens the change as a pull request; Argo CD syncs the environment once it is merged.
#
#   scripts/promote.sh ENV VERSION [ROOT]   ENV: dev, staging or prod; VERSION: X.Y.Z or vX.Y.Z
#   scripts/promote.sh --current ENV [ROOT] print what ENV runs: "vX.Y.Z X.Y.Z" (revision, image tag)
#   scripts/promote.sh --check [ROOT]       exit 1 unless every revision.yaml is as this script writes it
#
# Refuses (exit 1) a version whose tag vX.Y.Z is not in ROOT's Git history or whose chart at that
# tag is not version X.Y.Z (the Release workflow tags nothing else), and prod unless staging already
# runs that version. Exit 2: usage. ROOT defaults to this repository.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHART_YAML="helm-charts/application/backend/Chart.yaml"
ENVIRONMENTS="dev staging prod"

LOG_PREFIX="promote: "
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib/common.sh"
usage() { log "$*"; sed -n '7,9p' "${BASH_SOURCE[0]}" >&2; exit 2; }
refuse() { log "refused: $*"; exit 1; }

revision_file() { printf '%s/apps/overlays/%s/revision.yaml' "$ROOT" "$1"; }

# render REVISION IMAGE_TAG: the whole revision.yaml. Promotion changes its two `value:` lines only.
render() {
  cat <<YAML
# The release this environment runs: the chart and its values at the Git tag, and the image of the
# same version (a Helm parameter, so it wins over values-<env>.yaml). Written by scripts/promote.sh,
# which the Promote workflow runs to open the change as a pull request (docs/deploy.md, Promotion).
- op: replace
  path: /spec/source/targetRevision
  value: $1
- op: add
  path: /spec/source/helm/parameters/-
  value:
    name: image.tag
    value: "$2"
    forceString: true
YAML
}

# current ENV: prints "REVISION IMAGE_TAG" as the environment's revision.yaml has them.
current() {
  local file rev tag
  file="$(revision_file "$1")"
  [ -f "$file" ] || refuse "$file does not exist"
  rev="$(sed -n 's/^  value: \(v[^ ]*\)$/\1/p' "$file")"
  tag="$(sed -n 's/^    value: "\([^"]*\)"$/\1/p' "$file")"
  [ -n "$rev" ] && [ -n "$tag" ] || refuse "$file is not as scripts/promote.sh writes it (run --check)"
  printf '%s %s\n' "$rev" "$tag"
}

check_all() {
  local env file rev tag status=0
  for env in $ENVIRONMENTS; do
    file="$(revision_file "$env")"
    if ! read -r rev tag < <(current "$env" 2>/dev/null); then
      log "$file: no revision and image tag found"
      status=1
      continue
    fi
    if ! diff -u <(render "$rev" "$tag") "$file" >&2; then
      log "$file differs from what scripts/promote.sh writes for $rev / $tag"
      status=1
    fi
  done
  return "$status"
}

set_root() {
  [ -d "${1:-$SCRIPT_DIR/..}" ] || usage "no such directory: $1"
  ROOT="$(cd "${1:-$SCRIPT_DIR/..}" && pwd)"
}

valid_env() { [[ " $ENVIRONMENTS " == *" $1 "* ]] || usage "unknown environment '$1' (dev, staging or prod)"; }

main() {
  case "${1:-}" in
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; return 0 ;;
    --current)
      [ $# -ge 2 ] && [ $# -le 3 ] || usage "--current takes ENV [ROOT]"
      valid_env "$2"; set_root "${3:-}"; current "$2"; return ;;
    --check)
      [ $# -le 2 ] || usage "--check takes [ROOT]"
      set_root "${2:-}"; check_all; return ;;
  esac
  [ $# -ge 2 ] && [ $# -le 3 ] || usage "expected ENV VERSION [ROOT]"
  local env="$1" version="${2#v}" file rev tag chart_version staging now
  valid_env "$env"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || usage "version '$2' is not X.Y.Z"
  set_root "${3:-}"
  rev="v$version"
  tag="$version"

  git -C "$ROOT" rev-parse --verify --quiet "refs/tags/$rev^{commit}" >/dev/null \
    || refuse "$ROOT has no tag $rev: release it first (push the tag; the Release workflow builds it)"
  chart_version="$(git -C "$ROOT" show "$rev:$CHART_YAML" | sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p')"
  [ "$chart_version" = "$version" ] \
    || refuse "the chart at $rev is version '$chart_version', not $version: $rev is not a release"
  if [ "$env" = prod ]; then
    staging="$(current staging)"
    [ "$staging" = "$rev $tag" ] \
      || refuse "prod takes only the version staging runs; staging runs '$staging', not '$rev $tag'"
  fi

  file="$(revision_file "$env")"
  now="$(current "$env")"
  if [ "$now" = "$rev $tag" ]; then
    log "$env already runs $rev; nothing to change"
    return 0
  fi
  render "$rev" "$tag" >"$file"
  log "$env: ${now% *} (image ${now#* }) -> $rev (image $tag) in ${file#"$ROOT"/}"
}

main "$@"
