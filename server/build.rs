//! `refinery::embed_migrations!` reads `migrations/` at compile time, but
//! Cargo only watches this package's own sources: without this line a new
//! `V00N__*.sql` file is silently left out of the binary until something else
//! in the crate changes.
//!
//! The commit a build comes from is passed in by the release pipeline
//! (`BACKEND_BUILD_COMMIT`, a Docker build argument), not read from git here:
//! reading HEAD would rebuild the crate after every commit.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-env-changed=BACKEND_BUILD_COMMIT");
    let commit = std::env::var("BACKEND_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=BACKEND_BUILD_COMMIT={commit}");
}
