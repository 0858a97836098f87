"""Strict schema validation and the project's own policy over rendered Kubernetes objects.

Schema: kubernetes_validate's strict schemas for one Kubernetes version; a kind without a
schema is a failure, not a warning (Argo CD objects never reach here: argocd.py owns them).

Generic pod and container policy (Pod Security, resources, probes, image tags) is checkov's:
checkov_scan.py runs it over the same renders. Here stays what checkov cannot express, for every
pod the render would create (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod):
  policy-security     no hostPath volume; no container seccompProfile but RuntimeDefault or
                      Localhost (checkov's CKV_K8S_31 ignores the containers' when the pod sets one)
  policy-networkpolicy  NetworkPolicies of the pod's namespace that select it restrict both Ingress
                      and Egress (checkov's CKV2_K8S_6 asks only that one selects it, and its graph
                      joins the renders of one run: see checkov_scan.SKIPS)
  policy-env-refs     every ConfigMap/Secret key an env var names exists in the render
  policy-ingress-paths  an Ingress routes only the public API: paths within INGRESS_PATHS, pathType
                      Prefix or Exact, no default backend (/metrics, /health, /ready stay in-cluster)
"""

import functools

import kubernetes_validate
import kubernetes_validate.utils

# kubernetes_validate re-reads and re-parses the schema files (the definitions are megabytes)
# for every object; the files do not change during a run, so parse each once.
kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(
    kubernetes_validate.utils.schema_contents)

POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
# What the Internet may reach: the API, its reference UI and the document the UI loads.
INGRESS_PATHS = {"/api", "/docs", "/openapi.json"}


def ident(obj):
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')}/{meta.get('name')}"


def schema_findings(objects, version):
    findings = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            findings.append(f"{ident(obj)}: no schema for {obj.get('apiVersion')} {obj.get('kind')} in Kubernetes {version}")
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path) or "(root)"
            findings.append(f"{ident(obj)}: {path}: {err.message}")
        except Exception as err:  # an unusable document: report it rather than crash
            findings.append(f"{ident(obj)}: {type(err).__name__}: {err}")
    return findings


def pod_template(obj):
    """(pod metadata, pod spec) of a pod-bearing object, else (None, None)."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Pod":
        return obj.get("metadata") or {}, spec
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    if kind in POD_KINDS:
        tpl = spec.get("template") or {}
        return tpl.get("metadata") or {}, tpl.get("spec") or {}
    return None, None


def workloads(objects):
    for obj in objects:
        meta, spec = pod_template(obj)
        if spec is not None:
            yield obj, meta, spec


def containers(spec):
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            yield key, c


def check_security(objects):
    """What checkov's pod-security checks do not see (checkov_scan.py runs the rest)."""
    out = []
    for obj, _meta, spec in workloads(objects):
        who = ident(obj)
        for vol in spec.get("volumes") or []:
            if "hostPath" in vol:
                out.append(f"{who}: volume {vol.get('name')} is a hostPath")
        # CKV_K8S_31 reads the containers' profiles only when the pod sets none.
        for _key, c in containers(spec):
            seccomp = ((c.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
            if seccomp not in (None, "RuntimeDefault", "Localhost"):
                out.append(f"{who} container {c.get('name')}: seccompProfile is {seccomp!r}, not RuntimeDefault")
    return out


def selects(selector, labels):
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def check_network_policies(objects):
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    out = []
    for obj, meta, _spec in workloads(objects):
        labels = meta.get("labels") or {}
        namespace = (obj.get("metadata") or {}).get("namespace")
        types = set()
        for pol in policies:
            if (pol.get("metadata") or {}).get("namespace") != namespace:
                continue
            pspec = pol.get("spec") or {}
            if selects(pspec.get("podSelector") or {}, labels):
                types.update(pspec.get("policyTypes") or ["Ingress"])
        missing = {"Ingress", "Egress"} - types
        if missing:
            out.append(f"{ident(obj)}: no NetworkPolicy restricting {' and '.join(sorted(missing))} selects its pods")
    return out


def check_env_refs(objects, external_secrets):
    """Every configMapKeyRef/secretKeyRef names a rendered object holding that key.

    Secrets in `external_secrets` (secret.existingSecret) are made outside the chart."""
    maps = {o["metadata"]["name"]: o.get("data") or {} for o in objects if o.get("kind") == "ConfigMap"}
    secrets = {}
    for o in objects:
        if o.get("kind") == "Secret":
            secrets[o["metadata"]["name"]] = set(o.get("data") or {}) | set(o.get("stringData") or {})
    out = []
    for obj, _meta, spec in workloads(objects):
        for _key, c in containers(spec):
            where = f"{ident(obj)} container {c.get('name')}"
            for env in c.get("env") or []:
                source = env.get("valueFrom") or {}
                for ref_kind, store in (("configMapKeyRef", maps), ("secretKeyRef", secrets)):
                    ref = source.get(ref_kind)
                    if not ref:
                        continue
                    name, key = ref.get("name"), ref.get("key")
                    if ref_kind == "secretKeyRef" and name in external_secrets:
                        continue
                    if name not in store:
                        out.append(f"{where}: env {env.get('name')} names {ref_kind} {name}, which is not rendered")
                    elif key not in store[name] and not ref.get("optional"):
                        out.append(f"{where}: env {env.get('name')} names key {key} missing from {name}")
            for src in c.get("envFrom") or []:
                for ref_kind, store in (("configMapRef", maps), ("secretRef", secrets)):
                    ref = src.get(ref_kind)
                    if ref and ref.get("name") not in store and ref.get("name") not in external_secrets \
                            and not ref.get("optional"):
                        out.append(f"{where}: envFrom names {ref_kind} {ref.get('name')}, which is not rendered")
    return out


def check_ingress_paths(objects):
    out = []
    for obj in objects:
        if obj.get("kind") != "Ingress":
            continue
        spec = obj.get("spec") or {}
        if spec.get("defaultBackend"):
            out.append(f"{ident(obj)}: a defaultBackend routes every path")
        for rule in spec.get("rules") or []:
            paths = ((rule.get("http") or {}).get("paths")) or []
            if not paths:
                out.append(f"{ident(obj)}: host {rule.get('host')} routes every path (no http.paths)")
            for p in paths:
                path, kind = p.get("path"), p.get("pathType")
                if path not in INGRESS_PATHS:
                    out.append(f"{ident(obj)}: routes {path!r}; only {sorted(INGRESS_PATHS)} may be public")
                if kind not in ("Prefix", "Exact"):
                    out.append(f"{ident(obj)}: path {path!r} has pathType {kind!r}, not Prefix or Exact")
    return out


POLICIES = (
    ("policy-security", check_security),
    ("policy-networkpolicy", check_network_policies),
    ("policy-ingress-paths", check_ingress_paths),
)


def run_policies(report, scope, objects, external_secrets):
    for name, fn in POLICIES:
        report.result(name, scope, fn(objects))
    report.result("policy-env-refs", scope, check_env_refs(objects, external_secrets))
