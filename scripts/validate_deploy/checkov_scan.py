"""checkov's own Kubernetes checks over every render that validate-deploy makes.

  checkov   `checkov --framework kubernetes` (the pinned checkov of requirements.txt) over the
            chart per value set, the chart as each Argo CD Application renders it, and the plain
            objects under apps/: one file per render in a scratch directory, named after its
            scope (chart-dev.yaml, argocd-backend-staging@apps-overlays-staging.yaml, ...), so
            that a finding's `File:` line says which render it is in

Every checkov Kubernetes check runs but the ids of SKIPS, each with its reason; a check that does
not apply to one object is suppressed on that object in the chart, with its reason, as a
`checkov.io/skipN: ID=reason` annotation (the helm test Pod's probes). The generic policy that
k8s.py used to hand-write maps to these ids (docs/deploy.md has the table):

  Pod Security ("restricted")  CKV_K8S_16 privileged, CKV_K8S_17/18/19 host PID/IPC/network,
                               CKV_K8S_20 allowPrivilegeEscalation false, CKV_K8S_23 runAsNonRoot,
                               CKV_K8S_40 a high UID (so never 0), CKV_K8S_31 seccomp RuntimeDefault,
                               CKV_K8S_37 capabilities drop ALL, CKV_K8S_25 none added,
                               CKV_K8S_26 no hostPort, CKV_K8S_22 read-only root filesystem
  resources                    CKV_K8S_10/11 cpu requests/limits, CKV_K8S_12/13 memory
  probes                       CKV_K8S_8 liveness, CKV_K8S_9 readiness (not on Jobs)
  image tag                    CKV_K8S_14 a tag or digest, never latest

A NetworkPolicy for every pod stays k8s.py's policy-networkpolicy (CKV2_K8S_6 is skipped, below).

The run is started early (start) and read at the end (finish), so it overlaps the Python checks.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

# id -> why this project does not follow it. Every other checkov Kubernetes check applies.
SKIPS = {
    "CKV_K8S_21": "the default namespace: renders carry no metadata.namespace; Argo CD's destination "
                  "(or helm --namespace) places every object, and argocd-destination requires one",
    "CKV_K8S_43": "image digests: releases are pinned by their immutable version tag, which "
                  "scripts/promote.sh writes and the Release workflow signs; CKV_K8S_14 still refuses latest",
    "CKV_K8S_15": "imagePullPolicy Always: tags are immutable, and kind runs an image loaded with "
                  "`kind load docker-image` that no registry serves (IfNotPresent)",
    "CKV_K8S_35": "secrets as files: the binary reads DATABASE_PASSWORD, JWT_SECRET, ... from its "
                  "environment (contract.json), by secretKeyRef, never as literal values",
    "CKV2_K8S_6": "a NetworkPolicy per pod: one run's graph joins pods to the NetworkPolicies of every "
                  "render (they share labels), so a render without one passes; k8s.py's "
                  "policy-networkpolicy checks each render alone, and Ingress and Egress both",
}


def checkov_bin():
    """The checkov of the venv that runs this script."""
    return str(Path(sys.executable).with_name("checkov"))


def file_name(scope):
    return re.sub(r"[^A-Za-z0-9@.-]+", "-", scope).strip("-") + ".yaml"


def start(renders):
    """Writes every (scope, objects) render to a scratch directory and starts checkov on it.

    Returns (process, directory, number of renders)."""
    work = tempfile.TemporaryDirectory(prefix="validate-deploy-checkov-")
    for scope, objects in renders:
        Path(work.name, file_name(scope)).write_text(yaml.safe_dump_all(objects, sort_keys=False))
    # Offline and quiet: no guidelines download, no update check, checkov's own log level.
    env = dict(os.environ, CKV_SKIP_PACKAGE_UPDATE_CHECK="true", LOG_LEVEL="WARNING")
    proc = subprocess.Popen(
        [checkov_bin(), "--directory", work.name, "--framework", "kubernetes", "--compact", "--quiet",
         "--skip-download", "--skip-check", ",".join(sorted(SKIPS))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return proc, work, len(renders)


def finish(report, started):
    proc, work, count = started
    out, _ = proc.communicate()
    work.cleanup()
    lines = [line for line in out.splitlines() if line.strip()]
    summary = next((line for line in lines if line.startswith("Passed checks:")), "")
    passed = re.match(r"Passed checks: (\d+)", summary)
    what = f"checkov --framework kubernetes, {count} renders, {len(SKIPS)} ids skipped"
    if proc.returncode == 0 and passed and int(passed.group(1)) > 0:
        report.ok("checkov", f"{what}: {summary}")
    elif proc.returncode == 0:
        report.fail("checkov", what, ["checkov ran no check (no summary line):", *lines])
    else:
        report.fail("checkov", what, [line for line in lines if line != "kubernetes scan results:"])
