#!/usr/bin/env bash
# Runs the whole Rust test suite (unit, in-process API, end-to-end against the
# spawned binary) under cargo-tarpaulin's LLVM engine and reports line
# coverage per file and per crate; fails when server/src or server/api/src is
# below COVERAGE_MIN_PERCENT (default 60) or when a test fails.
#
#   scripts/coverage.sh            test run + report (scripts/test.sh calls this)
#   COVERAGE_MIN_PERCENT=75 ...    another floor
#
# Output in target/coverage/: tarpaulin-report.html, lcov.info, summary.json,
# summary.md (the per-crate table) and tests.txt (the test counts).
#
# Why tarpaulin's LLVM engine: cargo-llvm-cov needs the llvm-tools rustup
# component matching rustc's LLVM (22), which cannot be fetched here, and
# Debian's LLVM is 19. Tarpaulin reads the profiles itself (llvm_profparser),
# runs at near-native speed (its ptrace engine is several times slower), and the
# servers the end-to-end tests spawn write their own profiles through
# LLVM_PROFILE_FILE (tests/src/spawn.rs passes it on), read via --objects.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
# shellcheck source=lib/coverage.sh source-path=SCRIPTDIR
source scripts/lib/coverage.sh
ensure_tarpaulin

out=target/coverage
rm -rf "$out" && mkdir -p "$out"
min="${COVERAGE_MIN_PERCENT:-60}"
log="$out/tarpaulin.log"

# The end-to-end suite runs the client example from the same tree.
rm -rf "$COVERAGE_TARGET_DIR/build-profiles"
coverage_cargo build --workspace --locked --examples --quiet

status=0
cargo tarpaulin "${TARPAULIN_ARGS[@]}" \
    --out Lcov --out Html --output-dir "$out" \
    2>&1 | tee "$log" || status=$?

# libtest prints one result line per test binary.
grep -E '^test result: ' "$log" | awk '{p+=$4; f+=$6; i+=$8} END {printf "passed=%d failed=%d ignored=%d\n", p, f, i}' \
    > "$out/tests.txt"
echo "tests: $(cat "$out/tests.txt")"
if [ "$status" -ne 0 ]; then
    echo "coverage: the test run failed (status $status); see $log" >&2
    exit "$status"
fi

python3 scripts/coverage/report.py "$out/lcov.info" --min "$min" \
    --summary-json "$out/summary.json" --summary-md "$out/summary.md"
echo "coverage report: $out/tarpaulin-report.html and $out/lcov.info"

# The floor must be able to fail: just above the lowest measured figure it does.
above=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(round(min(c["percent"] for c in d["crates"].values()) + 0.01, 2))' "$out/summary.json")
if python3 scripts/coverage/report.py "$out/lcov.info" --min "$above" >/dev/null; then
    echo "coverage: the floor did not fail at $above %, above the measured figure" >&2
    exit 1
fi
echo "coverage: a floor of $above % (just above the measured figure) fails, as it should"
