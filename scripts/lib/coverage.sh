# shellcheck shell=bash
# The pinned cargo-tarpaulin and the one way this project calls it. Sourced by
# scripts/coverage.sh and scripts/test.sh.

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TARPAULIN_VERSION=0.37.5
TARPAULIN_ROOT="$TOOLS_DIR/tarpaulin-$TARPAULIN_VERSION"

# Installs cargo-tarpaulin from crates.io once (about 3 minutes on 2 cores),
# without its Coveralls upload (git2 and OpenSSL are not needed here).
ensure_tarpaulin() {
    if [ ! -x "$TARPAULIN_ROOT/bin/cargo-tarpaulin" ]; then
        echo "installing cargo-tarpaulin $TARPAULIN_VERSION into $TARPAULIN_ROOT" >&2
        cargo install --locked --quiet --no-default-features --version "$TARPAULIN_VERSION" \
            --root "$TARPAULIN_ROOT" cargo-tarpaulin
    fi
    export PATH="$TARPAULIN_ROOT/bin:$PATH"
}

# Instrumented builds have flags of their own; their own target directory keeps
# them from evicting the plain debug build that clippy and scripts/dev.sh use.
COVERAGE_TARGET_DIR="$CARGO_TARGET_DIR/coverage"

# Counted: the two server crates. Not counted: the generated client, the test
# harness, the tests themselves and the build script. (Read by scripts/coverage.sh.)
# shellcheck disable=SC2034
TARPAULIN_ARGS=(
    --engine llvm --workspace --locked --skip-clean
    --target-dir "$COVERAGE_TARGET_DIR"
    --objects "$COVERAGE_TARGET_DIR/debug/backend"
    --include-files 'server/src/*' 'server/api/src/*'
    --exclude-files 'server/tests/*' 'server/build.rs'
    --no-fail-fast --timeout 600
)

# The flags tarpaulin builds with, read from tarpaulin itself so that other
# builds of the instrumented tree (the client example, the doc tests) reuse its
# artifacts instead of rebuilding every dependency.
tarpaulin_rustflags() {
    cargo tarpaulin --engine llvm --print-rust-flags --color never 2>/dev/null |
        sed -n 's/^RUSTFLAGS="\(.*\)"$/\1/p'
}

# cargo on the instrumented tree. Doc tests are compiled by rustdoc, which takes
# the instrumentation flag alone (tarpaulin's own doctest flags need nightly).
coverage_cargo() {
    local flags
    flags="$(tarpaulin_rustflags)"
    [ -n "$flags" ] || { echo "coverage: could not read tarpaulin's RUSTFLAGS" >&2; return 1; }
    # Instrumented build scripts and proc macros write profiles too; not here.
    LLVM_PROFILE_FILE="${LLVM_PROFILE_FILE:-$COVERAGE_TARGET_DIR/build-profiles/%p-%m.profraw}" \
        RUSTFLAGS="$flags" RUSTDOCFLAGS="-Cinstrument-coverage" CARGO_TARGET_DIR="$COVERAGE_TARGET_DIR" cargo "$@"
}
