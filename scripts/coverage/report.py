#!/usr/bin/env python3
"""Line coverage per file and per crate from an LCOV file, with a threshold.

Usage: report.py LCOV --min PERCENT [--summary-json PATH] [--summary-md PATH]

The two server crates (server/src and server/api/src) must each reach PERCENT;
the exit status is 1 when one does not, 2 when the LCOV file names none of
their files (a coverage run that measured nothing must not pass).
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRATES = {"backend-server": "server/src/", "backend-api": "server/api/src/"}


def parse(lcov: Path) -> dict[str, tuple[int, int]]:
    """Maps each source file (relative to the repository) to (lines, covered)."""
    files: dict[str, dict[int, int]] = {}
    current = None
    for line in lcov.read_text().splitlines():
        if line.startswith("SF:"):
            path = Path(line[3:])
            try:
                current = str(path.resolve().relative_to(ROOT))
            except ValueError:
                current = str(path)
            files.setdefault(current, {})
        elif line.startswith("DA:") and current is not None:
            number, hits = line[3:].split(",")[:2]
            lines = files[current]
            lines[int(number)] = max(lines.get(int(number), 0), int(hits))
        elif line == "end_of_record":
            current = None
    return {f: (len(l), sum(1 for h in l.values() if h > 0)) for f, l in files.items()}


def percent(covered: int, lines: int) -> float:
    return 100.0 * covered / lines if lines else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lcov", type=Path)
    ap.add_argument("--min", type=float, required=True, help="per-crate line coverage floor, in percent")
    ap.add_argument("--summary-json", type=Path)
    ap.add_argument("--summary-md", type=Path)
    args = ap.parse_args()

    files = parse(args.lcov)
    crates = {}
    for crate, prefix in CRATES.items():
        mine = {f: v for f, v in files.items() if f.startswith(prefix)}
        lines = sum(v[0] for v in mine.values())
        covered = sum(v[1] for v in mine.values())
        crates[crate] = {"prefix": prefix, "files": len(mine), "lines": lines, "covered": covered,
                         "percent": round(percent(covered, lines), 2)}

    rows = sorted((f, v) for f, v in files.items() if any(f.startswith(p) for p in CRATES.values()))
    width = max((len(f) for f, _ in rows), default=10)
    print(f"{'file':<{width}}  {'lines':>6}  {'covered':>7}  {'%':>6}")
    for f, (lines, covered) in rows:
        print(f"{f:<{width}}  {lines:>6}  {covered:>7}  {percent(covered, lines):>6.1f}")
    print()
    failed = False
    for crate, c in crates.items():
        verdict = "ok" if c["percent"] >= args.min else f"BELOW the {args.min:g} % floor"
        failed |= c["percent"] < args.min
        print(f"coverage {crate} ({c['prefix']}): {c['covered']}/{c['lines']} lines = {c['percent']:.2f} % ({verdict})")

    if args.summary_json:
        args.summary_json.write_text(json.dumps({"min_percent": args.min, "crates": crates,
                                                 "files": {f: {"lines": l, "covered": c} for f, (l, c) in rows}},
                                                indent=2) + "\n")
    if args.summary_md:
        md = ["| crate | files | lines | covered | line coverage |", "|---|---:|---:|---:|---:|"]
        md += [f"| `{c['prefix']}` ({crate}) | {c['files']} | {c['lines']} | {c['covered']} | {c['percent']:.1f} % |"
               for crate, c in crates.items()]
        args.summary_md.write_text("\n".join(md) + "\n")

    if not rows:
        print(f"{args.lcov} covers no file of {', '.join(CRATES.values())}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
