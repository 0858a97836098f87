//! The client crate's example program runs against a spawned server.

use backend_e2e::spawn::{Backend, backend_bin};

#[tokio::test]
async fn the_client_quickstart_example_runs_against_a_server() {
    let backend = Backend::start(&[]).await;
    let example = backend_bin()
        .parent()
        .unwrap()
        .join("examples")
        .join("quickstart");
    assert!(
        example.exists(),
        "{} not built: run `cargo build -p backend-client --examples` (scripts/test.sh does)",
        example.display()
    );
    let out = tokio::process::Command::new(&example)
        .env("BACKEND_URL", &backend.base_url)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("as expected, the slug is taken: ORG_SLUG_CONFLICT"),
        "{stdout}"
    );
    assert!(
        stdout.contains("walked 3 projects: Third project, Second project, First project"),
        "{stdout}"
    );
}
