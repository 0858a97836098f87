#!/usr/bin/env python3
"""Keeps docs/roadmap/Phase-2.md true.

  phase2.py --check    run every command of the success-criteria table that
                       scripts/test.sh does not already run as a step of its
                       own; exit 1 if one fails or the figures block is empty
  phase2.py --update   rewrite the figures block from target/coverage/ (written
                       by scripts/coverage.sh) and the results section of
                       docs/performance.md (written by scripts/bench.sh)
"""

import argparse
import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/roadmap/Phase-2.md"
TEST_SH = ROOT / "scripts/test.sh"
COVERAGE = ROOT / "target/coverage"
PERF = ROOT / "docs/performance.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def criteria(doc: str) -> list[tuple[str, str]]:
    """(criterion, command) for every row of the success-criteria table."""
    section = doc.split("## Success criteria", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.match(r"^\|\s*([^|]+?)\s*\|\s*`([^`]+)`\s*\|", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


def test_sh_steps() -> set[str]:
    return {line.strip() for line in TEST_SH.read_text().splitlines()}


def check() -> int:
    doc = DOC.read_text()
    rows = criteria(doc)
    if len(rows) < 10:
        print(f"phase2: only {len(rows)} criteria rows found in {DOC.name}", file=sys.stderr)
        return 1
    steps, seen, failed = test_sh_steps(), set(), 0
    for criterion, command in rows:
        if command in seen:
            continue
        seen.add(command)
        if command in steps:
            print(f"PASS [{criterion}] {command}  (a step of scripts/test.sh, which got here)")
            continue
        started = time.monotonic()
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        took = time.monotonic() - started
        if run.returncode == 0:
            print(f"PASS [{criterion}] {command}  ({took:.0f} s)")
        else:
            failed += 1
            print(f"FAIL [{criterion}] {command}  (exit {run.returncode})\n{run.stdout[-4000:]}")
    figures = doc.split(START, 1)[1].split(END, 1)[0].strip() if START in doc and END in doc else ""
    if not figures:
        failed += 1
        print(f"FAIL [figures] the block between {START} and {END} is empty: run --update")
    return 1 if failed else 0


def bench_figures() -> list[str]:
    block = PERF.read_text().split("<!-- results:start -->", 1)[1].split("<!-- results:end -->", 1)[0]
    lines = [l for l in block.splitlines() if l.strip()]
    out = [f"Benchmark (`bash scripts/bench.sh`, [docs/performance.md](../performance.md)): {lines[0]}", ""]
    out += ["| Figure | value |", "|---|---:|"]
    for l in lines:
        if l.startswith("| org read ÷") or l.startswith("| `GET /api/v1/orgs/{id}`, default"):
            cells = [c.strip() for c in l.strip("|").split("|")]
            if l.startswith("| org read"):
                out.append(f"| {cells[0]} | {cells[1]} |")
            else:
                out.append(f"| org read p99 with the default settings | {cells[3]} ms |")
    return out


def update() -> int:
    summary, tests = COVERAGE / "summary.md", COVERAGE / "tests.txt"
    for f in (summary, tests):
        if not f.is_file():
            print(f"phase2: {f} is missing: run bash scripts/coverage.sh first", file=sys.stderr)
            return 1
    counts = dict(kv.split("=") for kv in tests.read_text().split())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [
        f"Generated {when} on commit `{commit}`{' (with local changes)' if dirty else ''} "
        "by `python3 scripts/roadmap/phase2.py --update`.",
        "",
        f"Tests (`bash scripts/coverage.sh`, the whole Rust suite): {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['ignored']} ignored.",
        "",
        "Line coverage (floor 60 % per crate; per-file figures in `target/coverage/`):",
        "",
        summary.read_text().strip(),
        "",
        *bench_figures(),
    ]
    doc = DOC.read_text()
    head, rest = doc.split(START, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(head + START + "\n" + "\n".join(block) + "\n" + END + tail)
    print(f"phase2: figures of {DOC.relative_to(ROOT)} regenerated")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    args = ap.parse_args()
    os.chdir(ROOT)
    return check() if args.check else update()


if __name__ == "__main__":
    sys.exit(main())
