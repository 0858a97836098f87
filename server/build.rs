//! `refinery::embed_migrations!` reads `migrations/` at compile time, but
//! Cargo only watches this package's own sources: without this line a new
//! `V00N__*.sql` file is silently left out of the binary until something else
//! in the crate changes.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
