"""Checks that need the chart itself: lint, renders, secrets in prod, the binary contract, README.

  helm-lint:<set>          `helm lint --strict` with the set's values files
  helm-template:<set>      `helm template` renders (values.schema.json applies); the sets are the
                           defaults, dev, staging, prod and `monitoring` (defaults + ci/monitoring-values.yaml)
  prod-secrets             prod renders only with a secret source; no secret defaults in
                           values.yaml/staging/prod; no Secret data in the prod render
  contract                 server and migration containers match contract.json and env-vars.json
  policy-migration-hook    the migration Job is a bounded, cleaned-up pre-install/pre-upgrade hook
  policy-termination-grace terminationGracePeriodSeconds > preStop sleep + SHUTDOWN_GRACE_SECONDS
  chart-readme             README.md documents every key of values.yaml
"""

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

import k8s

# Name of the stand-in for a pre-created Secret when rendering staging and prod.
DUMMY_SECRET = "validate-deploy-existing-secret"
CONTRACT = json.loads((Path(__file__).with_name("contract.json")).read_text())
# Every variable the binary reads, generated from its one declaration
# (`backend env-vars`; a Rust test fails when this copy is stale).
ENV_VARS = json.loads((Path(__file__).with_name("env-vars.json")).read_text())


def env_contract(command):
    """The variables a deployment must and may set for `command` (serve or migrate)."""
    required = [v["name"] for v in ENV_VARS if v[command] == "required"]
    optional = [v["name"] for v in ENV_VARS if v[command] == "optional"]
    return {"requiredEnv": required, "optionalEnv": optional}
CHART_REL = "helm-charts/application/backend"
MONITORING_VALUES = "ci/monitoring-values.yaml"


def value_sets(chart_dir):
    """(name, values files, extra --set args) per environment, plus the bare defaults."""
    dummy = ["--set", f"secret.existingSecret={DUMMY_SECRET}"]
    sets = [("default", [], dummy)]
    for env in ("dev", "staging", "prod"):
        files = [f"values-{env}.yaml"] if (chart_dir / f"values-{env}.yaml").is_file() else []
        sets.append((env, files, [] if env == "dev" else dummy))
    # The defaults with every monitoring piece on (monitoring.py validates what it adds).
    sets.append(("monitoring", [MONITORING_VALUES], dummy))
    return sets


def run(cmd, cwd=None):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def run_all(cmds):
    """Runs independent tool invocations side by side; results in the order given."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(run, cmds))


# libyaml's loader when the wheel has it: parsing the renders is most of the run time otherwise.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_all(text):
    return [d for d in yaml.load_all(text, Loader=LOADER) if isinstance(d, dict)]


def template_cmd(helm, chart_dir, release, namespace, args, kube_version):
    return [helm, "template", release, str(chart_dir), "--namespace", namespace,
            "--kube-version", kube_version, *args]


def helm_template(helm, chart_dir, release, namespace, args, kube_version):
    return run(template_cmd(helm, chart_dir, release, namespace, args, kube_version))


def lint_and_render(report, helm, chart_dir, kube_version):
    """Returns {set name: (objects, external secret names)} for the sets that render."""
    sets, cmds = [], []
    for name, files, extra in value_sets(chart_dir):
        fargs = [a for f in files for a in ("-f", str(chart_dir / f))]
        shown = " ".join(["-f " + f for f in files] + extra) or "(values.yaml)"
        sets.append((name, shown, extra))
        cmds.append([helm, "lint", "--strict", str(chart_dir), "--kube-version", kube_version, *fargs, *extra])
        cmds.append(template_cmd(helm, chart_dir, "backend", f"backend-{name}", [*fargs, *extra], kube_version))
    results = run_all(cmds)
    renders = {}
    for i, (name, shown, extra) in enumerate(sets):
        lint, out = results[2 * i], results[2 * i + 1]
        report.result(f"helm-lint:{name}", f"helm lint --strict {shown}",
                      [] if lint.returncode == 0 else (lint.stdout + lint.stderr).strip().splitlines())
        if out.returncode != 0:
            report.fail(f"helm-template:{name}", f"helm template {shown}", out.stderr.strip().splitlines())
            continue
        objects = load_all(out.stdout)
        report.ok(f"helm-template:{name}", f"helm template {shown}: {len(objects)} objects")
        renders[name] = (objects, {DUMMY_SECRET} if extra else set())
    return renders


def check_prod_secrets(report, helm, chart_dir, renders, kube_version):
    findings = []
    prod = chart_dir / "values-prod.yaml"
    if not prod.is_file():
        findings.append("values-prod.yaml is missing")
    else:
        attempts = (([], "without a secret source"),
                    (["--set", "secret.create=true"], "with secret.create=true and no values"))
        results = run_all([template_cmd(helm, chart_dir, "backend", "backend-prod", ["-f", str(prod), *extra],
                                        kube_version) for extra, _why in attempts])
        for (_extra, why), out in zip(attempts, results):
            if out.returncode == 0:
                findings.append(f"values-prod.yaml renders {why}; it must fail")
            elif "backend:" not in out.stderr:
                findings.append(f"values-prod.yaml {why} fails without the chart's message: {out.stderr.strip()}")
    for name in ("values.yaml", "values-staging.yaml", "values-prod.yaml"):
        path = chart_dir / name
        if not path.is_file():
            continue
        secret = (yaml.safe_load(path.read_text()) or {}).get("secret") or {}
        if secret.get("create") is True:
            findings.append(f"{name}: secret.create is true (a shipped Secret)")
        for key, value in (secret.get("values") or {}).items():
            if value not in ("", None):
                findings.append(f"{name}: secret.values.{key} has a default value")
    for obj in (renders.get("prod") or ([], None))[0]:
        if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
            findings.append(f"prod render: {k8s.ident(obj)} carries data")
    report.result("prod-secrets", "prod needs secret.existingSecret or provided values; no defaults shipped", findings)


def env_names(container):
    return [e.get("name") for e in container.get("env") or []]


def check_contract(objects):
    findings = []
    server = [o for o in objects if o.get("kind") == "Deployment"]
    if len(server) != 1:
        return [f"expected one Deployment, found {len(server)}"]
    _meta, spec = k8s.pod_template(server[0])
    cs = spec.get("containers") or []
    c = next((x for x in cs if x.get("command") == CONTRACT["server"]["command"]), cs[0] if cs else {})
    want = CONTRACT["server"]
    if c.get("command") != want["command"] or c.get("args") != want["args"]:
        findings.append(f"server runs {c.get('command')} {c.get('args')}, not {want['command']} {want['args']}")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    if ports.get("http") != want["containerPort"]:
        findings.append(f"server port http is {ports.get('http')}, not {want['containerPort']}")
    for probe, path in (("livenessProbe", want["livenessPath"]), ("readinessProbe", want["readinessPath"])):
        got = ((c.get(probe) or {}).get("httpGet") or {}).get("path")
        if got != path:
            findings.append(f"server {probe} GETs {got}, not {path}")
    findings += env_findings("server", env_names(c), env_contract("serve"))
    jobs = [o for o in objects if o.get("kind") == "Job"]
    for job in jobs:
        _m, jspec = k8s.pod_template(job)
        for jc in jspec.get("containers") or []:
            mig = CONTRACT["migrate"]
            if jc.get("command") != mig["command"] or jc.get("args") != mig["args"]:
                findings.append(f"{k8s.ident(job)} runs {jc.get('command')} {jc.get('args')}, not backend migrate")
            findings += env_findings(k8s.ident(job), env_names(jc), env_contract("migrate"))
    return findings


def env_findings(who, names, want):
    out = []
    known = set(want["requiredEnv"]) | set(want["optionalEnv"])
    for name in names:
        if name not in known:
            out.append(f"{who}: sets {name}, which the binary does not read there (env-vars.json)")
    for name in want["requiredEnv"]:
        if name not in names:
            out.append(f"{who}: does not set required {name}")
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        out.append(f"{who}: sets {sorted(dupes)} more than once")
    return out


def check_migration_hook(objects, migrations_expected=True):
    jobs = [o for o in objects if o.get("kind") == "Job"
            and ((o.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/component") == "migration"]
    if not jobs:
        return ["no migration Job rendered"] if migrations_expected else []
    out = []
    for job in jobs:
        who = k8s.ident(job)
        ann = (job.get("metadata") or {}).get("annotations") or {}
        hooks = set((ann.get("helm.sh/hook") or "").split(","))
        if not {"pre-install", "pre-upgrade"} <= hooks:
            out.append(f"{who}: helm.sh/hook is {ann.get('helm.sh/hook')!r}, not pre-install,pre-upgrade")
        policy = set((ann.get("helm.sh/hook-delete-policy") or "").split(","))
        if not {"before-hook-creation", "hook-succeeded"} <= policy:
            out.append(f"{who}: hook-delete-policy lacks before-hook-creation,hook-succeeded")
        spec = job.get("spec") or {}
        limit = spec.get("backoffLimit")
        if not isinstance(limit, int) or limit > CONTRACT["migrate"]["maxBackoffLimit"]:
            out.append(f"{who}: backoffLimit {limit!r} is not bounded by {CONTRACT['migrate']['maxBackoffLimit']}")
        if not spec.get("activeDeadlineSeconds"):
            out.append(f"{who}: no activeDeadlineSeconds")
        if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "Never":
            out.append(f"{who}: restartPolicy is not Never")
    return out


def env_value(container, name, config_maps):
    for env in container.get("env") or []:
        if env.get("name") != name:
            continue
        if "value" in env:
            return env["value"]
        ref = (env.get("valueFrom") or {}).get("configMapKeyRef") or {}
        return (config_maps.get(ref.get("name")) or {}).get(ref.get("key"))
    return None


def check_termination_grace(objects):
    maps = {o["metadata"]["name"]: o.get("data") or {} for o in objects if o.get("kind") == "ConfigMap"}
    out = []
    for obj in objects:
        if obj.get("kind") != "Deployment":
            continue
        _meta, spec = k8s.pod_template(obj)
        grace = spec.get("terminationGracePeriodSeconds", 30)
        for c in spec.get("containers") or []:
            drain = env_value(c, "SHUTDOWN_GRACE_SECONDS", maps)
            drain = int(drain) if drain not in (None, "") else CONTRACT["server"]["defaultShutdownGraceSeconds"]
            sleep = (((c.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds", 0)
            if grace <= drain + sleep:
                out.append(f"{k8s.ident(obj)}: terminationGracePeriodSeconds {grace} <= preStop {sleep}s"
                           f" + SHUTDOWN_GRACE_SECONDS {drain}s")
    return out


def leaf_paths(values, prefix=""):
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from leaf_paths(value, path + ".")
        else:
            yield path


def check_readme(chart_dir):
    readme = chart_dir / "README.md"
    if not readme.is_file():
        return ["README.md is missing"]
    text = readme.read_text()
    values = yaml.safe_load((chart_dir / "values.yaml").read_text()) or {}
    return [f"README.md does not document `{p}`" for p in leaf_paths(values) if f"`{p}`" not in text]


def run_chart_checks(report, helm, root, kube_version):
    chart_dir = root / CHART_REL
    renders = lint_and_render(report, helm, chart_dir, kube_version)
    check_prod_secrets(report, helm, chart_dir, renders, kube_version)
    for name, (objects, _ext) in renders.items():
        report.result("contract", f"chart:{name}", check_contract(objects))
        report.result("policy-migration-hook", f"chart:{name}", check_migration_hook(objects))
        report.result("policy-termination-grace", f"chart:{name}", check_termination_grace(objects))
    report.result("chart-readme", f"{CHART_REL}/README.md", check_readme(chart_dir))
    if "dev" in renders:
        for obj in renders["dev"][0]:
            _m, spec = k8s.pod_template(obj)
            for c in (spec or {}).get("containers") or []:
                if c.get("env"):
                    report.info(f"env of {k8s.ident(obj)} container {c.get('name')} (dev): {' '.join(env_names(c))}")
    return renders
