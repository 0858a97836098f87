//! The API reference UI, opened in headless Chromium (Debian's `chromium`;
//! `scripts/test.sh` installs it when missing), lists every operation of the
//! live OpenAPI document.

use backend_e2e::spawn::Backend;

fn chromium() -> String {
    for candidate in ["chromium", "chromium-browser", "google-chrome"] {
        if std::process::Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate.to_owned();
        }
    }
    panic!("no headless Chromium found: install Debian's `chromium` (scripts/test.sh does)");
}

#[tokio::test]
async fn the_docs_page_lists_every_operation_of_the_document() {
    let backend = Backend::start(&[]).await;
    let doc: serde_json::Value = reqwest::get(format!("{}/openapi.json", backend.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = redirect
        .get(format!("{}/docs", backend.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 308);
    assert_eq!(resp.headers()["location"], "/docs/");

    let profile = std::env::temp_dir().join(format!("chromium-{}", uuid::Uuid::new_v4().simple()));
    let out = tokio::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            &format!("--user-data-dir={}", profile.display()),
            "--virtual-time-budget=20000",
            "--dump-dom",
            &format!("{}/docs/", backend.base_url),
        ])
        .output()
        .await
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&out.stdout);
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            let tag = op["tags"][0].as_str().unwrap();
            assert!(
                dom.contains(&format!("id=\"operations-{tag}-{id}\"")),
                "{id} ({path}) is not on the page"
            );
            assert!(
                dom.contains(&format!("data-path=\"{path}\"")),
                "{path} is not on the page"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations in the document?");
}
