"""Prometheus Operator objects and the chart's monitoring promises (docs/observability.md).

  schema:<scope>             ServiceMonitor and PrometheusRule against the vendored prometheus-operator
                             CRD schemas (schemas/README.md), strict on unknown fields; metadata as
                             Kubernetes ObjectMeta. Reported with the Kubernetes schema check of the scope.
  monitoring-off-by-default  the chart's defaults render no ServiceMonitor, PrometheusRule or dashboard
  monitoring-on              the monitoring set renders all three; the ServiceMonitor selects the
                             server Service and its `http` port; the NetworkPolicy admits the scrapers
  monitoring-alerts          every alert has `for`, a severity, summary, description and a runbook_url
                             whose #anchor is a heading of docs/observability.md
  monitoring-dashboard       the dashboard ConfigMap holds Grafana JSON: unique panel ids, every panel
                             queries through the datasource variable, no undefined $variable (panels and variables)
  monitoring-metrics         every metric an alert or a panel queries is in the metrics table of
                             docs/observability.md (or comes from Prometheus / kube-state-metrics)
"""

import copy
import functools
import json
import re
from pathlib import Path

import jsonschema
import kubernetes_validate

import k8s

GROUP = "monitoring.coreos.com/"
SCHEMA_DIR = Path(__file__).with_name("schemas")
SCHEMA_FILES = {"ServiceMonitor": "monitoring.coreos.com_v1_servicemonitor.json",
                "PrometheusRule": "monitoring.coreos.com_v1_prometheusrule.json"}
DOC = "docs/observability.md"
# Where the monitoring value set's Prometheus runs (networkPolicy.metricsNamespaceSelector default).
SCRAPER_NAMESPACE = "monitoring"
# Grafana's own variables, substituted by Grafana (and by scripts/monitoring/live_queries.py).
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms"}
# Metrics that come from elsewhere than the backend's /metrics.
EXTERNAL_METRICS = {"up"}
EXTERNAL_PREFIXES = ("kube_",)


def is_operator_object(obj):
    return str(obj.get("apiVersion", "")).startswith(GROUP)


def dashboard_maps(objects):
    return [o for o in objects if o.get("kind") == "ConfigMap"
            and ((o.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/component") == "monitoring"]


def close_objects(node):
    """Closes every object schema that lists properties and says nothing of extra ones."""
    if isinstance(node, dict):
        if ("properties" in node and node["properties"] and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
        for value in node.values():
            close_objects(value)
    elif isinstance(node, list):
        for value in node:
            close_objects(value)
    return node


@functools.lru_cache(maxsize=None)
def crd_validator(kind):
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[kind]).read_text())
    schema = close_objects(copy.deepcopy(schema))
    schema["properties"]["metadata"] = {"type": "object"}  # validated as ObjectMeta below
    return jsonschema.Draft4Validator(schema)


def crd_findings(objects, version):
    out = []
    for obj in objects:
        who = k8s.ident(obj)
        kind = obj.get("kind")
        if obj.get("apiVersion") != GROUP + "v1" or kind not in SCHEMA_FILES:
            out.append(f"{who}: no vendored schema for {obj.get('apiVersion')} {kind} (scripts/validate_deploy/schemas)")
            continue
        for err in sorted(crd_validator(kind).iter_errors(obj), key=lambda e: list(e.path)):
            path = ".".join(str(p) for p in err.path) or "(root)"
            out.append(f"{who}: {path}: {err.message}")
        # ObjectMeta is the same for every kind: validate it as a ConfigMap's.
        probe = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": obj.get("metadata") or {}}
        try:
            kubernetes_validate.validate(probe, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path) or "(root)"
            out.append(f"{who}: {path}: {err.message}")
    return out


def check_off_by_default(objects):
    out = [f"{k8s.ident(o)} is rendered by the defaults" for o in objects if is_operator_object(o)]
    out += [f"{k8s.ident(o)} (dashboard) is rendered by the defaults" for o in dashboard_maps(objects)]
    return out


def check_on(objects):
    out = []
    kinds = {o.get("kind") for o in objects if is_operator_object(o)}
    for kind in ("ServiceMonitor", "PrometheusRule"):
        if kind not in kinds:
            out.append(f"no {kind} rendered")
    if not dashboard_maps(objects):
        out.append("no dashboard ConfigMap rendered")
    services = [o for o in objects if o.get("kind") == "Service"]
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    for sm in (o for o in objects if o.get("kind") == "ServiceMonitor"):
        spec = sm.get("spec") or {}
        selected = [s for s in services if k8s.selects(spec.get("selector") or {}, s["metadata"].get("labels") or {})]
        if len(selected) != 1:
            out.append(f"{k8s.ident(sm)} selects {len(selected)} Services, not the server's one")
            continue
        svc = selected[0]
        ports = {p.get("name") for p in (svc.get("spec") or {}).get("ports") or []}
        for ep in spec.get("endpoints") or []:
            if ep.get("port") not in ports:
                out.append(f"{k8s.ident(sm)}: endpoint port {ep.get('port')!r} is not a port of {k8s.ident(svc)}")
            if ep.get("path") != "/metrics":
                out.append(f"{k8s.ident(sm)}: endpoint path {ep.get('path')!r}, not /metrics")
        out += scrape_admitted(svc, policies)
    return out


def scrape_admitted(svc, policies):
    """With NetworkPolicies rendered, an ingress rule of the server's admits the `monitoring` namespace."""
    server = (svc.get("spec") or {}).get("selector") or {}
    mine = [p for p in policies if k8s.selects((p.get("spec") or {}).get("podSelector") or {}, server)]
    if not mine:
        return []
    for pol in mine:
        for rule in (pol.get("spec") or {}).get("ingress") or []:
            if not any(str(p.get("port")) == "http" for p in rule.get("ports") or []):
                continue
            for peer in rule.get("from") or []:
                ns = peer.get("namespaceSelector")
                if ns is not None and k8s.selects(ns, {"kubernetes.io/metadata.name": SCRAPER_NAMESPACE}):
                    return []
    return [f"no NetworkPolicy ingress rule admits namespace {SCRAPER_NAMESPACE} to {k8s.ident(svc)} port http"]


def doc_text(root):
    path = root / DOC
    return path.read_text() if path.is_file() else None


def anchors(markdown):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            text = re.sub(r"[^\w\- ]", "", m.group(1).replace("`", "").lower())
            out.add(text.replace(" ", "-"))
    return out


def alert_rules(objects):
    for obj in objects:
        if obj.get("kind") == "PrometheusRule":
            for group in (obj.get("spec") or {}).get("groups") or []:
                for rule in group.get("rules") or []:
                    yield obj, rule


def check_alerts(objects, root):
    out = []
    doc = doc_text(root)
    if doc is None:
        return [f"{DOC} is missing: it holds the runbooks the alerts link to"]
    known = anchors(doc)
    names = []
    for obj, rule in alert_rules(objects):
        if "alert" not in rule:
            continue
        name = rule["alert"]
        names.append(name)
        who = f"{k8s.ident(obj)} alert {name}"
        ann = rule.get("annotations") or {}
        for key in ("summary", "description", "runbook_url"):
            if not str(ann.get(key) or "").strip():
                out.append(f"{who}: no {key} annotation")
        url = str(ann.get("runbook_url") or "")
        anchor = url.partition("#")[2]
        if url and not url.split("#")[0].endswith(DOC):
            out.append(f"{who}: runbook_url {url} does not point at {DOC}")
        elif url and anchor not in known:
            out.append(f"{who}: runbook_url anchor #{anchor} is not a heading of {DOC}")
        if not (rule.get("labels") or {}).get("severity"):
            out.append(f"{who}: no severity label")
        if not rule.get("for"):
            out.append(f"{who}: no `for` (fires on a single evaluation)")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        out.append(f"alerts defined more than once: {dupes}")
    if not names and any(o.get("kind") == "PrometheusRule" for o in objects):
        out.append("the PrometheusRule holds no alert")
    return out


def dashboards(objects):
    """(ConfigMap, key, parsed JSON or the error) for every dashboard ConfigMap."""
    for cm in dashboard_maps(objects):
        for key, text in (cm.get("data") or {}).items():
            try:
                yield cm, key, json.loads(text)
            except json.JSONDecodeError as err:
                yield cm, key, err


def panels(dashboard):
    for panel in dashboard.get("panels") or []:
        yield panel
        yield from panel.get("panels") or []


def check_dashboard(objects):
    out = []
    for cm, key, dash in dashboards(objects):
        who = f"{k8s.ident(cm)} {key}"
        if isinstance(dash, Exception):
            out.append(f"{who}: not JSON: {dash}")
            continue
        for field in ("uid", "title"):
            if not dash.get(field):
                out.append(f"{who}: no {field}")
        variables = {v.get("name") for v in (dash.get("templating") or {}).get("list") or []}
        if "datasource" not in variables:
            out.append(f"{who}: no `datasource` variable (the panels must not pin a data source)")
        for v in (dash.get("templating") or {}).get("list") or []:
            query = v.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            for var in re.findall(r"\$\{?(\w+)", str(query or "")):
                if var not in variables and var not in GRAFANA_BUILTINS:
                    out.append(f"{who}: variable {v.get('name')} uses undefined ${var}")
        ids = []
        for panel in panels(dash):
            ids.append(panel.get("id"))
            if panel.get("type") == "row":
                continue
            title = f"{who} panel {panel.get('title')!r}"
            targets = panel.get("targets") or []
            if not targets or not all(str(t.get("expr") or "").strip() for t in targets):
                out.append(f"{title}: a panel without a query in every target")
            for t in targets:
                if ((t.get("datasource") or panel.get("datasource") or {}).get("uid")) != "${datasource}":
                    out.append(f"{title}: target {t.get('refId')} does not use the ${{datasource}} variable")
                for var in re.findall(r"\$\{?(\w+)", str(t.get("expr") or "")):
                    if var not in variables and var not in GRAFANA_BUILTINS:
                        out.append(f"{title}: target {t.get('refId')} uses undefined ${var}")
        dupes = sorted({i for i in ids if ids.count(i) > 1}, key=str)
        if dupes:
            out.append(f"{who}: panel ids used more than once: {dupes}")
    return out


PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
                "unless", "offset", "inf", "nan"}


def metric_names(expr):
    """Metric names a PromQL expression selects (without a parser: labels, strings and groupings dropped)."""
    text = re.sub(r'"(\\.|[^"\\])*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = m.group(0)
        after = text[m.end():].lstrip()
        if after.startswith("(") or word.lower() in PROMQL_WORDS or text[m.start() - 1:m.start()] == "$":
            continue
        names.add(word)
    return names


def documented_metrics(doc):
    """Names in the first column of the metrics table (rows starting with | `name` |)."""
    return set(re.findall(r"^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*(?:counter|gauge|histogram)", doc, re.M))


def base_name(name, documented):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name[: -len(suffix)] in documented:
            return name[: -len(suffix)]
    return name


def check_metrics(objects, root):
    doc = doc_text(root)
    if doc is None:
        return [f"{DOC} is missing: its metrics table is the contract the alerts and panels query"]
    documented = documented_metrics(doc)
    if not documented:
        return [f"{DOC} has no metrics table (rows | `name` | counter|gauge|histogram | ...)"]
    exprs = [(f"{k8s.ident(o)} alert {r.get('alert') or r.get('record')}", str(r.get("expr") or ""))
             for o, r in alert_rules(objects)]
    for cm, key, dash in dashboards(objects):
        if isinstance(dash, Exception):
            continue
        for panel in panels(dash):
            for t in panel.get("targets") or []:
                exprs.append((f"{k8s.ident(cm)} {key} panel {panel.get('title')!r}", str(t.get("expr") or "")))
    out = []
    for who, expr in exprs:
        for name in sorted(metric_names(expr)):
            if name in EXTERNAL_METRICS or name.startswith(EXTERNAL_PREFIXES):
                continue
            if base_name(name, documented) not in documented:
                out.append(f"{who}: queries {name}, which is not in the metrics table of {DOC}")
    return out


def run_checks(report, renders, root):
    """renders: {set name: objects} of the chart's value sets."""
    if "default" in renders:
        report.result("monitoring-off-by-default", "chart:default renders no monitoring object",
                      check_off_by_default(renders["default"]))
    if "monitoring" not in renders:
        report.fail("monitoring-on", "the monitoring value set did not render")
        return
    objects = renders["monitoring"]
    report.result("monitoring-on", "chart:monitoring: ServiceMonitor, PrometheusRule, dashboard; scrape admitted",
                  check_on(objects))
    report.result("monitoring-alerts", f"chart:monitoring alerts: for, severity, annotations, runbooks in {DOC}",
                  check_alerts(objects, root))
    report.result("monitoring-dashboard", "chart:monitoring Grafana dashboard JSON", check_dashboard(objects))
    report.result("monitoring-metrics", f"chart:monitoring queries only metrics of {DOC}", check_metrics(objects, root))
