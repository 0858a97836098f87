"""Turns the raw numbers of scripts/bench.sh into the results section of
docs/performance.md (between the `results:start` and `results:end` markers)."""

import csv
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys

(results, pg_results, propagation, cpu_shares, startup_ms, idle_rss_kb, peak_rss_kb,
 pinned_rps, pinned_p99, secs, reps, conns, doc) = sys.argv[1:14]


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def median(values):
    return statistics.median(float(v) for v in values)


http = rows(results)
pg = rows(pg_results)
naive = median(r["tps"] for r in pg if r["scenario"] == "naive_rls_read")
select_only = median(r["tps"] for r in pg if r["scenario"] == "pgbench_S")
statement = median(r["tps"] for r in pg if r["scenario"] == "org_read_statement")
with open(cpu_shares) as f:
    shares = dict((name, float(cores)) for name, cores in (line.split() for line in f if line.strip()))

names = {
    "org_get": "`GET /api/v1/orgs/{id}` (authenticated, RLS)",
    "projects_list": "`GET /api/v1/orgs/{org}/projects` (first 20)",
    "project_create_delete": "`POST` project then `DELETE` it",
    "health": "`GET /health`",
    "guest_signin": "`POST /api/v1/auth/guest`",
    "org_get_defaults": "`GET /api/v1/orgs/{id}`, default connection settings (10, lane 3; 1 run)",
    "org_get_256conns": "`GET /api/v1/orgs/{id}` at 256 connections (1 run)",
}
cpu_model = "unknown"
try:
    with open("/proc/cpuinfo") as f:
        cpu_model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except (OSError, StopIteration):
    pass
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

out = []
out.append(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`, "
           f"{os.cpu_count()} vCPU ({cpu_model}), {platform.system()} {platform.release()}. "
           f"wrk `-t2 -c{conns} -d{secs}s`, median of {reps} runs; load generator, server, PostgreSQL "
           f"and Redis share the same {os.cpu_count()} cores.\n")
out.append("| Scenario | req/s | p50 ms | p99 ms | non-2xx | server CPU s/run | req/s ÷ naive pgbench |")
out.append("|---|---:|---:|---:|---:|---:|---:|")
for key, label in names.items():
    rs = [r for r in http if r["scenario"] == key]
    if not rs:
        continue
    rps = median(r["req_s"] for r in rs)
    ratio = f"{rps / naive:.2f}×" if key == "org_get" else ""
    out.append(f"| {label} | {rps:,.0f} | {median(r['p50_ms'] for r in rs):.2f} | "
               f"{median(r['p99_ms'] for r in rs):.2f} | {sum(int(r['non2xx']) for r in rs)} | "
               f"{median(r['cpu_s'] for r in rs):.1f} | {ratio} |")
org = median(r["req_s"] for r in http if r["scenario"] == "org_get")
out.append("")
out.append("| Reference (same run) | value |")
out.append("|---|---:|")
out.append(f"| pgbench naive RLS read (BEGIN; set_config; SELECT; COMMIT), 16 clients, TPS | {naive:,.0f} |")
out.append(f"| pgbench `-S`, 16 clients, TPS | {select_only:,.0f} |")
out.append(f"| pgbench `app_org_read` alone (the org read's one statement), 16 clients, TPS | {statement:,.0f} |")
out.append(f"| org read ÷ naive transaction | {org / naive:.2f}× |")
out.append(f"| org read ÷ its statement alone | {org / statement:.2f}× |")
out.append(f"| org read ÷ pgbench `-S` | {org / select_only:.2f}× |")
out.append(f"| org read, server pinned to 1 core (`taskset -c 0`, wrk on core 1), req/s | {float(pinned_rps):,.0f} (p99 {float(pinned_p99):.2f} ms) |")
org_rep1 = next(float(r["req_s"]) for r in http if r["scenario"] == "org_get" and r["rep"] == "1")
labels = [("postgres", "PostgreSQL"), ("backend", "server"), ("wrk", "wrk"), ("redis-server", "Redis")]
spent = ", ".join(f"{label} {shares.get(name, 0):.2f} ({shares.get(name, 0) / org_rep1 * 1e6:.0f} µs)"
                  for name, label in labels)
out.append(f"| cores used during the first org read run (µs per request at {org_rep1:,.0f} req/s) | {spent} |")
out.append(f"| CPU per request at 1.0× the naive transaction ({os.cpu_count()} cores ÷ its TPS) | {os.cpu_count() / naive * 1e6:.0f} µs |")
out.append(f"| start to ready on a freshly migrated database | {startup_ms} ms |")
out.append(f"| idle RSS after start | {int(idle_rss_kb) / 1024:.1f} MiB |")
out.append(f"| peak RSS during the run | {int(peak_rss_kb) / 1024:.1f} MiB |")
out.append("")
out.append("Propagation (3 replicas; config updates, then logouts, sent one at a time through replica 1; "
           "measured by the receiving replicas):\n")
out.append("```text")
with open(propagation) as f:
    out.append(f.read().strip())
out.append("```")

text = open(doc).read()
block = "\n".join(out)
new = re.sub(r"(<!-- results:start -->\n).*?(\n<!-- results:end -->)",
             lambda m: m.group(1) + block + m.group(2), text, flags=re.S)
open(doc, "w").write(new)
