//! The client is generated from `openapi/backend.yaml` by a proc macro, which
//! cargo does not know reads that file: tell it, so a regenerated document
//! always rebuilds the client.
fn main() {
    println!("cargo::rerun-if-changed=../openapi/backend.yaml");
}
