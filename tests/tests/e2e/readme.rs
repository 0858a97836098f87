//! The README's curl walkthrough, run exactly as written.

use backend_e2e::spawn::Backend;

fn walkthrough() -> String {
    let readme = std::fs::read_to_string(backend_e2e::repo_root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- walkthrough:start -->")
        .expect("walkthrough start marker");
    let end = readme
        .find("<!-- walkthrough:end -->")
        .expect("walkthrough end marker");
    let block = &readme[start..end];
    let body = block.split("```bash\n").nth(1).expect("a bash block");
    body.split("```").next().unwrap().to_owned()
}

#[tokio::test]
async fn the_readme_walkthrough_runs_as_written() {
    let backend = Backend::start(&[]).await;
    let script = walkthrough();
    let out = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("BASE", &backend.base_url)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "walkthrough failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"Website v2\""), "{stdout}");
    assert!(stdout.trim_end().ends_with("\"ORG_NOT_FOUND\""), "{stdout}");
}
