"""Queries a running Prometheus for every dashboard panel and every alert (scripts/monitoring/live.sh).

  live_queries.py --prometheus URL --dashboard dashboard.json --rules rules.yaml \
                  [--var NAME=VALUE ...] [--rate-interval 30s]

Panels: each target's expression, with Grafana's `$__rate_interval`/`$__interval`/`$__range` and
the dashboard variables substituted (--var values; a variable with includeAll gets its allValue),
goes to /api/v1/query. A panel target that returns no series fails, except those reading
kube-state-metrics (`kube_*`), which does not run here: they must only evaluate.
Alerts: each expression must parse and evaluate (data or not), and Prometheus, which loaded the
same rules file, must report every rule's health as ok.
Prints one line per query and its expression below it; exits 1 on any failure.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

EXTERNAL = re.compile(r"\bkube_\w+")


def query(base, expr):
    """(status, series count or error text) of an instant query."""
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = json.load(resp)
    except urllib.error.HTTPError as err:
        body = json.load(err)
    if body.get("status") != "success":
        return "error", f"{body.get('errorType')}: {body.get('error')}"
    result = body["data"]["result"]
    return "ok", len(result) if isinstance(result, list) else 1


def substitute(expr, values, rate_interval):
    for name, value in (("__rate_interval", rate_interval), ("__interval", "1s"), ("__range", "5m")):
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", values[name]).replace("$" + name, values[name])
    left = re.findall(r"\$\{?\w+", expr)
    if left:
        raise ValueError(f"no value for {sorted(set(left))} (pass --var NAME=VALUE)")
    return expr


def variable_values(dashboard, given):
    values = {}
    for var in (dashboard.get("templating") or {}).get("list") or []:
        name = var.get("name")
        if name in given:
            values[name] = given[name]
        elif var.get("includeAll"):
            values[name] = var.get("allValue") or ".*"
    values.update(given)
    return values


def panels(dashboard):
    row = ""
    for panel in dashboard.get("panels") or []:
        if panel.get("type") == "row":
            row = panel.get("title") or ""
            for inner in panel.get("panels") or []:
                yield row, inner
            continue
        yield row, panel


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--var", action="append", default=[])
    parser.add_argument("--rate-interval", default="30s")
    args = parser.parse_args()
    base = args.prometheus.rstrip("/")
    dashboard = json.load(open(args.dashboard))
    values = variable_values(dashboard, dict(v.split("=", 1) for v in args.var))
    failed, counts, empty_metrics = [], {"data": 0, "empty": 0, "external": 0, "error": 0}, set()

    print("== Dashboard panels (instant queries; variables: "
          + ", ".join(f"${k}={v}" for k, v in sorted(values.items())) + f", $__rate_interval={args.rate_interval})")
    for row, panel in panels(dashboard):
        for target in panel.get("targets") or []:
            name = f"[{row}] {panel.get('title')} / {target.get('refId')}"
            try:
                expr = substitute(target.get("expr") or "", values, args.rate_interval)
                status, detail = query(base, expr)
            except ValueError as err:
                expr, status, detail = target.get("expr") or "", "error", str(err)
            if status == "error":
                verdict = "ERROR"
                counts["error"] += 1
                failed.append(name)
            elif detail:
                verdict = "DATA"
                counts["data"] += 1
            elif EXTERNAL.search(expr):
                verdict = "EXTERNAL"  # kube-state-metrics: evaluated, no data expected here
                counts["external"] += 1
            else:
                verdict = "EMPTY"
                counts["empty"] += 1
                failed.append(name)
                empty_metrics.update(re.findall(r"\b([a-z_:]+)\{", expr))
            what = f"{detail} series" if status == "ok" else detail
            print(f"{verdict:<8} {name}: {what}")
            print(f"         {' '.join(expr.split())}")

    rules = yaml.safe_load(open(args.rules)) or {}
    alerts = [r for g in rules.get("groups") or [] for r in g.get("rules") or [] if "alert" in r]
    print(f"== Alert expressions ({len(alerts)}): each must parse and evaluate, data or not")
    for rule in alerts:
        status, detail = query(base, rule["expr"])
        if status == "error":
            failed.append(f"alert {rule['alert']}")
            print(f"ERROR    {rule['alert']}: {detail}")
        else:
            print(f"OK       {rule['alert']}: evaluates ({detail} series now)")
        print(f"         {' '.join(rule['expr'].split())}")

    with urllib.request.urlopen(f"{base}/api/v1/rules", timeout=10) as resp:
        loaded = [r for g in json.load(resp)["data"]["groups"] for r in g["rules"]]
    bad = [r for r in loaded if r.get("health") != "ok"]
    print(f"== Prometheus loaded {len(loaded)} rules from the same file; health not ok: {len(bad)}")
    for r in bad:
        failed.append(f"rule health {r['name']}")
        print(f"ERROR    {r['name']}: health {r.get('health')} {r.get('lastError', '')}")
    if len(loaded) != len(alerts):
        failed.append("rules loaded")
        print(f"ERROR    Prometheus loaded {len(loaded)} rules, the file has {len(alerts)}")

    print(f"live: panels {counts['data']} with data, {counts['empty']} empty, {counts['error']} errors, "
          f"{counts['external']} kube-state-metrics only; alerts {len(alerts)} evaluated")
    if failed:
        print("live: FAILED:")
        for name in failed:
            print(f"    {name}")
        if empty_metrics:
            print("live: metrics the empty panels read (is the binary older than the metrics contract of "
                  "docs/observability.md? set BACKEND_BIN): " + " ".join(sorted(empty_metrics)))
        return 1
    print("live: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
