"""Argo CD Applications and AppProjects: no Kubernetes schema covers them, and no checkov check
reads them (its secrets scan flags the existingSecret references and misses an inline parameter).

  argocd-schema       @kubernetes-models/argo-cd (types, required fields; via node)
  argocd-fields       no unknown fields in the parts of the spec we write (the models allow any)
  argocd-source       this repo's path exists; every helm valueFile exists in it
  argocd-revision     targetRevision pinned: a release tag or commit, an exact chart version
  argocd-destination  destination server/name and namespace set
  argocd-sync         automated sync that prunes
  argocd-project      the AppProject exists and admits the source repo and destination
  argocd-secrets      no secret values in Application parameters or values
  argocd-render:<app> the chart renders with the Application's value files and parameters
"""

import json
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

import k8s
from chart import helm_template, load_all

REPO_URL = "https://github.com/adask-b/agent-ready-k8s.git"
GIT_PINNED = re.compile(r"^(v\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?|[0-9a-f]{40})$")
CHART_PINNED = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
SECRET_KEY = re.compile(r"(password|secret|token|jwt)", re.I)
# Keys that name a Secret or a key in one rather than hold a secret.
REFERENCE_KEY = re.compile(r"^(existing\w*|\w*Key|\w*KeyRef|secretName|\w*SecretName|scriptsSecret)$")

# Fields of the Argo CD v1alpha1 types that the models do not close (a curated subset).
ALLOWED = {
    "Application": {"apiVersion", "kind", "metadata", "spec", "operation", "status"},
    "Application.spec": {"project", "source", "sources", "destination", "syncPolicy", "ignoreDifferences",
                         "info", "revisionHistoryLimit", "sourceHydrator"},
    "source": {"repoURL", "path", "targetRevision", "chart", "helm", "kustomize", "directory", "plugin",
               "ref", "name"},
    "helm": {"valueFiles", "values", "valuesObject", "parameters", "fileParameters", "releaseName",
             "passCredentials", "ignoreMissingValueFiles", "skipCrds", "skipSchemaValidation", "version",
             "kubeVersion", "apiVersions", "namespace", "skipTests"},
    "destination": {"server", "namespace", "name"},
    "syncPolicy": {"automated", "syncOptions", "retry", "managedNamespaceMetadata"},
    "automated": {"prune", "selfHeal", "allowEmpty", "enabled"},
    "retry": {"limit", "backoff", "refresh"},
    "backoff": {"duration", "factor", "maxDuration"},
    "AppProject": {"apiVersion", "kind", "metadata", "spec", "status"},
    "AppProject.spec": {"sourceRepos", "destinations", "description", "roles", "clusterResourceWhitelist",
                        "clusterResourceBlacklist", "namespaceResourceBlacklist", "namespaceResourceWhitelist",
                        "orphanedResources", "syncWindows", "signatureKeys", "sourceNamespaces",
                        "permitOnlyProjectScopedClusters", "destinationServiceAccounts"},
}


def same_repo(url):
    return url.rstrip("/").removesuffix(".git") == REPO_URL.removesuffix(".git")


def unknown(obj, allowed_key, where):
    extra = set(obj or {}) - ALLOWED[allowed_key]
    return [f"{where}: unknown field(s) {sorted(extra)}"] if extra else []


def sources(app):
    spec = app.get("spec") or {}
    return ([spec["source"]] if spec.get("source") else []) + list(spec.get("sources") or [])


def field_findings(obj):
    kind, name = obj.get("kind"), k8s.ident(obj)
    out = unknown(obj, kind, name) + unknown(obj.get("spec"), f"{kind}.spec", f"{name} spec")
    if kind != "Application":
        return out
    spec = obj.get("spec") or {}
    for src in sources(obj):
        out += unknown(src, "source", f"{name} source")
        out += unknown(src.get("helm"), "helm", f"{name} source.helm")
    out += unknown(spec.get("destination"), "destination", f"{name} destination")
    sync = spec.get("syncPolicy") or {}
    out += unknown(sync, "syncPolicy", f"{name} syncPolicy")
    out += unknown(sync.get("automated"), "automated", f"{name} syncPolicy.automated")
    out += unknown(sync.get("retry"), "retry", f"{name} syncPolicy.retry")
    out += unknown((sync.get("retry") or {}).get("backoff"), "backoff", f"{name} syncPolicy.retry.backoff")
    return out


def models_findings(objects, node, npm_dir):
    payload = [{"id": str(i), "object": o} for i, o in enumerate(objects)]
    proc = subprocess.run([node, str(Path(__file__).with_name("argocd_validate.mjs")), str(npm_dir)],
                          input=json.dumps(payload), capture_output=True, text=True)
    if proc.returncode != 0:
        return [f"node argocd_validate.mjs failed: {proc.stderr.strip()}"]
    out = []
    for result in json.loads(proc.stdout):
        for err in result["errors"]:
            out.append(f"{k8s.ident(objects[int(result['id'])])}: {err}")
    return out


def source_findings(app, root):
    out, name = [], k8s.ident(app)
    for src in sources(app):
        repo = src.get("repoURL") or ""
        if src.get("chart"):
            continue
        if not same_repo(repo):
            out.append(f"{name}: git source {repo} is not this repository")
            continue
        path = root / (src.get("path") or "")
        if not src.get("path") or not path.is_dir():
            out.append(f"{name}: source path {src.get('path')!r} does not exist in the repository")
            continue
        for vf in (src.get("helm") or {}).get("valueFiles") or []:
            if not (path / vf).is_file():
                out.append(f"{name}: valueFile {vf} does not exist in {src.get('path')}")
    return out


def revision_findings(app):
    out = []
    for src in sources(app):
        rev = str(src.get("targetRevision") or "")
        pattern = CHART_PINNED if src.get("chart") else GIT_PINNED
        if not pattern.match(rev):
            what = "an exact chart version" if src.get("chart") else "a release tag (vX.Y.Z) or a commit SHA"
            out.append(f"{k8s.ident(app)}: targetRevision {rev!r} is not pinned to {what}")
    return out


def destination_findings(app):
    dest = (app.get("spec") or {}).get("destination") or {}
    out = []
    if not (dest.get("server") or dest.get("name")):
        out.append(f"{k8s.ident(app)}: destination has no server or name")
    if not dest.get("namespace"):
        out.append(f"{k8s.ident(app)}: destination namespace is not set")
    return out


def sync_findings(app):
    auto = ((app.get("spec") or {}).get("syncPolicy") or {}).get("automated")
    if not isinstance(auto, dict) or auto.get("prune") is not True or auto.get("enabled") is False:
        return [f"{k8s.ident(app)}: syncPolicy.automated.prune is not true"]
    return []


def project_findings(app, projects):
    spec = app.get("spec") or {}
    name = spec.get("project")
    if name == "default":
        return []
    proj = projects.get(name)
    if proj is None:
        return [f"{k8s.ident(app)}: AppProject {name!r} is not defined under apps/"]
    pspec = proj.get("spec") or {}
    out = []
    for src in sources(app):
        if src.get("repoURL") not in (pspec.get("sourceRepos") or []) and "*" not in (pspec.get("sourceRepos") or []):
            out.append(f"{k8s.ident(app)}: AppProject {name} does not admit {src.get('repoURL')}")
    ns = (spec.get("destination") or {}).get("namespace")
    if not any(d.get("namespace") in (ns, "*") for d in pspec.get("destinations") or []):
        out.append(f"{k8s.ident(app)}: AppProject {name} does not admit namespace {ns}")
    return out


def is_inline_secret(path, value):
    leaf = path.rsplit(".", 1)[-1]
    if not isinstance(value, str) or not value:
        return False
    if path.startswith("secret.values."):
        return True
    return bool(SECRET_KEY.search(leaf)) and not REFERENCE_KEY.match(leaf)


def secret_findings(app):
    out = []
    for src in sources(app):
        helm = src.get("helm") or {}
        for param in helm.get("parameters") or []:
            if is_inline_secret(param.get("name", ""), str(param.get("value", ""))):
                out.append(f"{k8s.ident(app)}: parameter {param.get('name')} carries a secret value")
        values = helm.get("valuesObject") or (yaml.safe_load(helm["values"]) if helm.get("values") else {}) or {}
        for path, value in walk(values):
            if is_inline_secret(path, value):
                out.append(f"{k8s.ident(app)}: value {path} looks like an inline secret")
            if path.rsplit(".", 1)[-1] == "tag" and value == "latest":
                out.append(f"{k8s.ident(app)}: value {path} uses the latest tag")
    return out


def walk(value, prefix=""):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from walk(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from walk(sub, f"{prefix}[{i}]")
    else:
        yield prefix, value


def render_app(helm, root, app, kube_version):
    """helm template the way Argo CD would for a chart in this repository: (objects, external secrets, error).

    Runs in a thread pool: it owns its temporary file."""
    src = sources(app)[0]
    helm_cfg = src.get("helm") or {}
    chart_dir = root / src["path"]
    args = []
    for vf in helm_cfg.get("valueFiles") or []:
        args += ["-f", str(chart_dir / vf)]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as tmp:
        tmp.write(json.dumps(helm_cfg.get("valuesObject") or {}))
    args += ["-f", tmp.name]
    external = set()
    for param in helm_cfg.get("parameters") or []:
        flag = "--set-string" if param.get("forceString") else "--set"
        args += [flag, f"{param['name']}={param.get('value', '')}"]
        if param["name"] == "secret.existingSecret" and param.get("value"):
            external.add(param["value"])
    release = helm_cfg.get("releaseName") or app["metadata"]["name"]
    namespace = (app["spec"].get("destination") or {}).get("namespace") or "default"
    out = helm_template(helm, chart_dir, release, namespace, args, kube_version)
    Path(tmp.name).unlink()
    if out.returncode != 0:
        return None, external, out.stderr.strip()
    return load_all(out.stdout), external, None


def run_argocd_checks(report, pairs, root, node, npm_dir, helm, kube_version):
    """Checks every (origin, Argo CD object); returns [(scope, objects, external secrets)] of chart renders."""
    objects = [obj for _origin, obj in pairs]
    origin_of = {id(obj): origin for origin, obj in pairs}
    apps = [o for o in objects if o.get("kind") == "Application"]
    projects = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "AppProject"}
    names = ", ".join(sorted(k8s.ident(o) for o in objects))
    report.result("argocd-schema", f"@kubernetes-models/argo-cd: {names}", models_findings(objects, node, npm_dir))
    report.result("argocd-fields", "known fields only", [f for o in objects for f in field_findings(o)])
    for check, fn in (("argocd-source", lambda a: source_findings(a, root)),
                      ("argocd-revision", revision_findings),
                      ("argocd-destination", destination_findings),
                      ("argocd-sync", sync_findings),
                      ("argocd-project", lambda a: project_findings(a, projects)),
                      ("argocd-secrets", secret_findings)):
        report.result(check, f"{len(apps)} Applications", [f for a in apps for f in fn(a)])
    renders = []
    chart_apps = []
    for app in apps:
        srcs = sources(app)
        if len(srcs) != 1 or srcs[0].get("chart") or not same_repo(srcs[0].get("repoURL", "")):
            continue
        if not (root / (srcs[0].get("path") or "") / "Chart.yaml").is_file():
            continue
        chart_apps.append(app)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda a: render_app(helm, root, a, kube_version), chart_apps))
    for app, (rendered, external, error) in zip(chart_apps, results):
        name = f"{app['metadata']['name']}@{origin_of[id(app)]}"
        if error:
            report.fail(f"argocd-render:{name}", "helm template as Argo CD would", error.splitlines())
            continue
        report.ok(f"argocd-render:{name}", f"helm template as Argo CD would: {len(rendered)} objects")
        renders.append((f"argocd:{name}", rendered, external))
    return renders
