"""Contracts of the delivery workflows that no linter knows, run by scripts/validate-workflows.sh.

  ci-contract       ci.yml runs .ci/run (or the README's test command) on pull requests and pushes to
                    main; .ci/run runs the README's test command; the service containers, DATABASE_URL,
                    REDIS_URL, client packages and caches match what scripts/test.sh and
                    scripts/lib/services.sh use
  permissions       every workflow starts from `permissions: {}` (or contents: read) and every job
                    says what it needs (jactionlint's missing-permissions accepts either alone)
  release-contract  release.yml on v* tags: two-platform image with SBOM and max provenance, cosign
                    signature by digest, chart pushed to an OCI registry with the tag's version, a
                    GitHub release with the OpenAPI document, the error catalog and the client
  promote-contract  promote.yml: workflow_dispatch with environment dev/staging/prod and version,
                    the edit done by scripts/promote.sh, the result opened as a pull request
  renovate-extract  Renovate, run offline on a copy, finds every ecosystem renovate.json promises
                    (renovate_extract.py)

Pinning by SHA and least-privilege tokens are jactionlint's (unpinned-uses, excessive-permissions).
"""

import argparse
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "validate_deploy"))
from report import Report  # noqa: E402  (the same PASS/FAIL lines as validate-deploy)

import renovate_extract  # noqa: E402

WORKFLOWS = ".github/workflows"


def load_workflow(root, name):
    path = root / WORKFLOWS / name
    if not path.is_file():
        return None
    doc = yaml.safe_load(path.read_text()) or {}
    # YAML 1.1 reads the key `on` as True.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def steps(job):
    return [s for s in (job or {}).get("steps") or [] if isinstance(s, dict)]


def runs(job):
    return "\n".join(str(s.get("run", "")) for s in steps(job))


def uses(step):
    return str(step.get("uses", "")).split("@")[0]


def command_lines(script):
    """Non-comment lines of a shell script, each as its words."""
    out = []
    for line in script.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line.split())
    return out


def invokes(script, path):
    """True when a line of `script` runs `path` (as ./path, path or bash path)."""
    want = path.removeprefix("./")
    for words in command_lines(script):
        while words and words[0] in ("bash", "exec", "sh") or (words and "=" in words[0]):
            words = words[1:]
        if words and words[0].removeprefix("./") == want:
            return True
    return False


def readme_test_command(root):
    """The README's second command (the first bash block: dev.sh, then the test command)."""
    text = (root / "README.md").read_text() if (root / "README.md").is_file() else ""
    match = re.search(r"```bash\n(.*?)```", text, re.S)
    commands = command_lines(match.group(1)) if match else []
    return commands[1][0] if len(commands) > 1 else None


def shell_default(root, rel, var):
    """The default of ${VAR:-default} in a script, with $HOME as ~."""
    path = root / rel
    match = re.search(r"\$\{" + var + r":-([^}]+)\}", path.read_text()) if path.is_file() else None
    return match.group(1).replace("$HOME", "~").strip('"') if match else None


def ci_findings(root):
    out = []
    test_cmd = readme_test_command(root)
    if not test_cmd:
        return ["README.md: no second command in its first ```bash block (the test command)"]
    ci_run = (root / ".ci/run").read_text() if (root / ".ci/run").is_file() else ""
    if not invokes(ci_run, test_cmd):
        out.append(f".ci/run does not run the README's test command {test_cmd}")
    wf = load_workflow(root, "ci.yml")
    if wf is None:
        return out + [f"{WORKFLOWS}/ci.yml is missing"]
    on = wf.get("on") or {}
    if "pull_request" not in on:
        out.append("ci.yml does not run on pull_request")
    if "main" not in ((on.get("push") or {}).get("branches") or []):
        out.append("ci.yml does not run on pushes to main")
    jobs = [job for job in (wf.get("jobs") or {}).values() if isinstance(job, dict)]
    job = next((j for j in jobs if invokes(runs(j), ".ci/run") or invokes(runs(j), test_cmd)), None)
    if job is None:
        return out + [f"no job of ci.yml runs .ci/run or the README's test command {test_cmd}"]
    services = {str(s.get("image", "")).split("@")[0]: s for s in (job.get("services") or {}).values()}
    for image, port in (("postgres:15", "5432:5432"), ("redis:7", "6379:6379")):
        svc = services.get(image)
        if svc is None:
            out.append(f"ci.yml: no {image} service container (services: {sorted(services)})")
        elif port not in [str(p) for p in svc.get("ports") or []]:
            out.append(f"ci.yml: the {image} service does not publish {port} (scripts/test.sh uses 127.0.0.1)")
    pg = services.get("postgres:15") or {}
    if (pg.get("env") or {}).get("POSTGRES_HOST_AUTH_METHOD") != "trust":
        out.append("ci.yml: postgres service without POSTGRES_HOST_AUTH_METHOD: trust (scripts/test.sh sends no password)")
    env = {**(wf.get("env") or {}), **(job.get("env") or {})}
    for var in ("DATABASE_URL", "REDIS_URL"):
        want = shell_default(root, "scripts/test.sh", var)
        if env.get(var) != want:
            out.append(f"ci.yml: {var} is {env.get(var)!r}, scripts/test.sh defaults to {want!r}")
    script = runs(job)
    for package in ("postgresql-client", "redis-tools"):
        if package not in script:
            out.append(f"ci.yml: {package} is not installed (psql, pg_isready, redis-cli)")
    cached = "\n".join(str((s.get("with") or {}).get("path", "")) for s in steps(job) if uses(s) == "actions/cache")
    target = shell_default(root, "scripts/lib/services.sh", "CARGO_TARGET_DIR")
    tools = shell_default(root, "scripts/lib/common.sh", "BACKEND_TOOLS_DIR")
    for path, what in (("~/.cargo/registry", "the cargo registry"), (target, "CARGO_TARGET_DIR"),
                       (tools, "BACKEND_TOOLS_DIR")):
        if not path or path not in cached:
            out.append(f"ci.yml: {what} ({path}) is not cached")
    return out


def permission_findings(root):
    out = []
    for path in sorted((root / WORKFLOWS).glob("*.y*ml")):
        wf = load_workflow(root, path.name) or {}
        top = wf.get("permissions", "missing")
        if top not in ({}, {"contents": "read"}):
            out.append(f"{path.name}: top-level permissions is {top!r}, not {{}} or contents: read")
        for name, job in (wf.get("jobs") or {}).items():
            if isinstance(job, dict) and "permissions" not in job:
                out.append(f"{path.name}: job {name} does not declare its permissions")
    return out


def find_step(jobs, predicate):
    for job in jobs.values():
        for step in steps(job):
            if predicate(step):
                return job, step
    return None, None


def release_findings(root):
    wf = load_workflow(root, "release.yml")
    if wf is None:
        return [f"{WORKFLOWS}/release.yml is missing"]
    out, jobs = [], wf.get("jobs") or {}
    if "v*" not in (((wf.get("on") or {}).get("push") or {}).get("tags") or []):
        out.append("release.yml does not run on v* tags")
    _, build = find_step(jobs, lambda s: uses(s) == "docker/build-push-action")
    w = (build or {}).get("with") or {}
    if not build:
        out.append("release.yml: no docker/build-push-action step")
    else:
        if not {"linux/amd64", "linux/arm64"} <= set(str(w.get("platforms", "")).split(",")):
            out.append("release.yml: the image is not built for linux/amd64 and linux/arm64")
        if w.get("push") is not True or w.get("sbom") is not True or "mode=max" not in str(w.get("provenance")):
            out.append("release.yml: the image build needs push: true, sbom: true, provenance: mode=max")
    text = (root / WORKFLOWS / "release.yml").read_text()
    if "repository_owner" not in text or "ghcr.io/" not in text:
        out.append("release.yml: images and charts are not pushed to ghcr.io/<repository owner>")
    job, _ = find_step(jobs, lambda s: re.search(r"cosign sign --yes \S+@", str(s.get("run", ""))))
    if job is None:
        out.append("release.yml: no `cosign sign --yes IMAGE@DIGEST` step")
    elif (job.get("permissions") or {}).get("id-token") != "write":
        out.append("release.yml: the cosign job lacks id-token: write (keyless signing)")
    if not find_step(jobs, lambda s: re.search(r"helm package .*--version .*--app-version", str(s.get("run", ""))))[0]:
        out.append("release.yml: no `helm package --version X --app-version X` step")
    if not find_step(jobs, lambda s: re.search(r"helm push \S+ \S+", str(s.get("run", ""))))[0] or "oci://" not in text:
        out.append("release.yml: the chart is not pushed to an oci:// registry")
    _, release = find_step(jobs, lambda s: "gh release create" in str(s.get("run", "")))
    for asset in ("openapi/backend.yaml", "docs/api/error-catalog.md", "client"):
        if release is None or asset not in str(release.get("run")):
            out.append(f"release.yml: the GitHub release does not attach {asset}")
    return out


def promote_findings(root):
    wf = load_workflow(root, "promote.yml")
    if wf is None:
        return [f"{WORKFLOWS}/promote.yml is missing"]
    out, jobs = [], wf.get("jobs") or {}
    inputs = ((wf.get("on") or {}).get("workflow_dispatch") or {}).get("inputs") or {}
    if (inputs.get("environment") or {}).get("options") != ["dev", "staging", "prod"]:
        out.append("promote.yml: input environment is not a choice of dev, staging, prod")
    if "version" not in inputs:
        out.append("promote.yml: no input version")
    if not find_step(jobs, lambda s: invokes(str(s.get("run", "")), "scripts/promote.sh"))[0]:
        out.append("promote.yml: no step runs scripts/promote.sh")
    if not find_step(jobs, lambda s: uses(s) == "peter-evans/create-pull-request"
                     or "gh pr create" in str(s.get("run", "")))[0]:
        out.append("promote.yml: the change is not opened as a pull request")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--renovate-dir", type=Path, required=True)
    parser.add_argument("--skip-extract", action="store_true")
    args = parser.parse_args()
    root = args.root.resolve()
    report = Report()
    report.result("ci-contract", "ci.yml runs .ci/run, which runs the README's test command; services, env, caches",
                  ci_findings(root))
    report.result("permissions", "permissions: {} on top, per job what it needs", permission_findings(root))
    report.result("release-contract", "release.yml: image, SBOM, provenance, signature, chart, release assets",
                  release_findings(root))
    report.result("promote-contract", "promote.yml: inputs, scripts/promote.sh, pull request", promote_findings(root))
    if args.skip_extract:
        report.info("renovate-extract skipped (VALIDATE_WORKFLOWS_EXTRACT=0)")
    else:
        report.result("renovate-extract", "Renovate finds every dependency renovate.json covers (offline)",
                      renovate_extract.findings(root, args.node, args.renovate_dir))
    return report


if __name__ == "__main__":
    r = main()
    sys.exit(1 if r.failed else 0)
