"""Runs Renovate's extraction offline (`--platform=local --dry-run=extract`) on a copy of the repository
and checks that renovate.json reaches what it promises: the Cargo workspace, the Dockerfile's base
images, every action of every workflow (with its digest pin), the service containers, the chart's
images, the chart version of every infrastructure Application, CI's Rust toolchain and the
coverage run's cargo-tarpaulin.

The config validator only checks that renovate.json is well formed; a regex manager that matches
nothing, or a file pattern that misses its file, is valid config and updates nothing. Renovate reads
the files Git tracks, so the copy is a fresh Git repository holding the working tree as it is.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

SKIP = {".git", "target", "node_modules", ".tools"}


def copy_tree(root, dest):
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, text=True)
    if listed.returncode == 0:
        for rel in filter(None, listed.stdout.split("\0")):
            src = root / rel
            if src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
    else:
        shutil.copytree(root, dest, dirs_exist_ok=True, ignore=lambda _d, names: [n for n in names if n in SKIP])
    git = ["git", "-C", str(dest), "-c", "user.name=validate", "-c", "user.email=validate@example.invalid"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "extract", "--no-verify"]):
        subprocess.run(git + cmd, check=True, capture_output=True)


def extract(root, node, renovate_dir):
    """{manager: [package file, ...]} as Renovate logs it, or an error string."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "repo"
        work.mkdir()
        copy_tree(root, work)
        env = {**os.environ, "LOG_LEVEL": "debug", "LOG_FORMAT": "json",
               "RENOVATE_BASE_DIR": str(Path(tmp) / "base")}
        proc = subprocess.run([node, str(renovate_dir / "node_modules/renovate/dist/renovate.js"),
                               "--platform=local", "--dry-run=extract", "--onboarding=false"],
                              cwd=work, env=env, capture_output=True, text=True, timeout=300)
    packages, errors = None, []
    for line in proc.stdout.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("level", 0) >= 50:
            errors.append(entry.get("msg", line))
        if isinstance(entry.get("packageFiles"), dict):
            packages = entry["packageFiles"]
    if proc.returncode != 0 or packages is None:
        return f"renovate exited {proc.returncode}: {'; '.join(errors) or proc.stderr.strip()[-500:]}"
    return packages


def deps(packages, manager, file_prefix=""):
    return [(f["packageFile"], d) for f in packages.get(manager, []) if f["packageFile"].startswith(file_prefix)
            for d in f.get("deps", [])]


def findings(root, node, renovate_dir):
    packages = extract(root, node, renovate_dir)
    if isinstance(packages, str):
        return [packages]
    out = []
    if not any(f == "Cargo.toml" for f, _ in deps(packages, "cargo")):
        out.append("cargo: the workspace Cargo.toml is not extracted")
    docker_images = {d.get("depName") for _f, d in deps(packages, "dockerfile")}
    for line in (root / "Dockerfile").read_text().splitlines():
        if line.startswith("ARG ") and "_IMAGE=" in line:
            image = line.split("=", 1)[1].split(":")[0]
            if image not in docker_images:
                out.append(f"dockerfile: base image {image} is not extracted")
    actions = deps(packages, "github-actions")
    found = {(f, d.get("depName"), d.get("currentDigest")) for f, d in actions}
    for path in sorted((root / ".github/workflows").glob("*.y*ml")):
        rel = str(path.relative_to(root))
        wf = yaml.safe_load(path.read_text()) or {}
        for job in (wf.get("jobs") or {}).values():
            for step in (job or {}).get("steps") or []:
                ref = str(step.get("uses", ""))
                if "@" in ref and not ref.startswith(("./", "docker://")):
                    name, sha = ref.split("@", 1)
                    if (rel, name, sha) not in found:
                        out.append(f"github-actions: {rel} {ref} is not extracted with its digest")
            for svc in ((job or {}).get("services") or {}).values():
                image = str(svc.get("image", "")).split("@")[0].split(":")[0]
                if not any(f == rel and d.get("depName") == image for f, d in actions):
                    out.append(f"github-actions: service image {image} of {rel} is not extracted")
    chart_images = {d.get("depName") for _f, d in deps(packages, "helm-values", "helm-charts/")}
    if not any(str(i).endswith("/backend") for i in chart_images):
        out.append(f"helm-values: the chart's image (values.yaml image.repository) is not extracted: {chart_images}")
    regex = deps(packages, "regex")
    for path in sorted((root / "apps/infrastructure").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            src = ((doc or {}).get("spec") or {}).get("source") or {}
            if not src.get("chart"):
                continue
            rel = str(path.relative_to(root))
            if not any(f == rel and str(d.get("depName")).endswith(src["chart"])
                       and d.get("currentValue") == str(src.get("targetRevision")) for f, d in regex):
                out.append(f"regex: chart {src['chart']} {src.get('targetRevision')} of {rel} is not extracted")
    for name, rel in (("rust", ".github/workflows/ci.yml"), ("cargo-tarpaulin", "scripts/lib/coverage.sh")):
        if not any(f == rel and d.get("depName") == name for f, d in regex):
            out.append(f"regex: {name} of {rel} is not extracted")
    return out
