"""Validation of the rendered deployment, run by scripts/validate-deploy.sh with the pinned tools.

Renders the chart per environment and every kustomization under apps/, then validates each
rendered object: strict Kubernetes schemas (k8s.py), checkov's Kubernetes checks (checkov_scan.py),
Prometheus Operator objects against the vendored CRD schemas and the monitoring promises
(monitoring.py), Argo CD objects (argocd.py), the chart and binary contract (chart.py) and the
project policies checkov cannot express (k8s.py). Prints one PASS/FAIL line per check and scope;
exits 1 on any finding.
"""

import argparse
import json
import sys
from pathlib import Path

import yaml

import argocd
import bootstrap
import chart
import checkov_scan
import k8s
import monitoring
from report import Report


def kustomize_dirs(root):
    apps = root / "apps"
    return sorted(p.parent for p in apps.rglob("kustomization.yaml")) if apps.is_dir() else []


def standalone_objects(root):
    """(file, object) from YAML files under apps/ that are not kustomizations or patches."""
    found = []
    for path in sorted((root / "apps").rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind"):
                found.append((str(path.relative_to(root)), doc))
    return found


def render_kustomizations(report, kubectl, root):
    objects = []
    dirs = kustomize_dirs(root)
    for directory, proc in zip(dirs, chart.run_all([[kubectl, "kustomize", str(d)] for d in dirs])):
        rel = directory.relative_to(root)
        if proc.returncode != 0:
            report.fail(f"kustomize:{rel}", f"kubectl kustomize {rel}", proc.stderr.strip().splitlines())
            continue
        docs = chart.load_all(proc.stdout)
        report.ok(f"kustomize:{rel}", f"kubectl kustomize {rel}: {len(docs)} objects")
        objects += [(str(rel), doc) for doc in docs]
    return objects


def unique(pairs):
    """Drops repeated objects (a base seen alone and through a parent), keeping the first origin."""
    seen, out = set(), []
    for origin, obj in pairs:
        key = json.dumps(obj, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append((origin, obj))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--helm", required=True)
    parser.add_argument("--kubectl", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--npm-dir", type=Path, required=True)
    parser.add_argument("--k8s-version", default="1.32")
    args = parser.parse_args()
    root = args.root.resolve()
    kube_version = f"{args.k8s_version}.0"
    report = Report()

    bootstrap.run_checks(report, root)
    chart_renders = chart.run_chart_checks(report, args.helm, root, kube_version)
    monitoring.run_checks(report, {name: objs for name, (objs, _ext) in chart_renders.items()}, root)
    renders = [(f"chart:{name}", objs, ext) for name, (objs, ext) in chart_renders.items()]

    gitops = unique(render_kustomizations(report, args.kubectl, root) + standalone_objects(root))
    argo = [(origin, o) for origin, o in gitops if str(o.get("apiVersion", "")).startswith("argoproj.io/")]
    plain = [o for _origin, o in gitops if not str(o.get("apiVersion", "")).startswith("argoproj.io/")]
    if argo:
        app_renders = argocd.run_argocd_checks(report, argo, root, args.node, args.npm_dir, args.helm, kube_version)
        for scope, objs, ext in app_renders:
            report.result("contract", scope, chart.check_contract(objs))
            report.result("policy-migration-hook", scope, chart.check_migration_hook(objs))
            report.result("policy-termination-grace", scope, chart.check_termination_grace(objs))
        renders += app_renders
    else:
        report.fail("argocd-schema", "no Argo CD Application found under apps/")
    if plain:
        renders.append(("apps", plain, set()))

    scan = checkov_scan.start([(scope, objs) for scope, objs, _ext in renders])
    for scope, objs, ext in renders:
        operator = [o for o in objs if monitoring.is_operator_object(o)]
        plain_objs = [o for o in objs if not monitoring.is_operator_object(o)]
        what = f"{len(plain_objs)} objects, strict, Kubernetes {args.k8s_version}"
        if operator:
            what += f"; {len(operator)} against the prometheus-operator v0.57.0 CRD schemas"
        report.result(f"schema:{scope}", what, k8s.schema_findings(plain_objs, args.k8s_version)
                      + monitoring.crd_findings(operator, args.k8s_version))
        k8s.run_policies(report, scope, objs, ext)
    checkov_scan.finish(report, scan)

    print(f"validate-deploy: {report.passed} checks passed, {report.failed} with findings", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
