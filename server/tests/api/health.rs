use crate::helpers::{spawn_app, spawn_app_behind_db_proxy, spawn_app_with};

#[tokio::test]
async fn health_answers_ok_without_touching_dependencies() {
    let app = spawn_app_with(&[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let health = app.client.health().await.expect("health").into_inner();
    assert_eq!(health.status, "ok");
}

#[tokio::test]
async fn ready_reports_every_check_when_all_dependencies_answer() {
    let app = spawn_app().await;
    let body: serde_json::Value = app
        .http
        .get(app.url("/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "ready", "checks": {"database": "ok", "redis": "ok"}})
    );
}

#[tokio::test]
async fn ready_stays_200_and_reports_redis_degraded_when_redis_is_unreachable() {
    let app = spawn_app_with(&[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let started = std::time::Instant::now();
    let resp = app.http.get(app.url("/ready")).send().await.unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "checks are bounded by a timeout"
    );
    assert_eq!(
        resp.status(),
        200,
        "Redis never takes a replica out of the Service"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["database"], "ok");
    assert_ne!(body["checks"]["redis"], "ok");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("redis_connected{client=\"commands\"} 0"),
        "{metrics}"
    );
}

#[tokio::test]
async fn ready_names_the_failing_check_with_503_and_retry_after() {
    let (app, proxy) = spawn_app_behind_db_proxy().await;
    assert_eq!(app.client.ready().await.unwrap().status(), 200);
    proxy.cut();
    let started = std::time::Instant::now();
    let resp = app.http.get(app.url("/ready")).send().await.unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "checks are bounded by a timeout"
    );
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "SERVICE_UNAVAILABLE");
    assert_ne!(body["details"]["checks"]["database"], "ok");
    assert!(body["message"].as_str().unwrap().contains("database"));
}

#[tokio::test]
async fn ready_is_503_when_the_schema_is_behind_the_binary() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    sqlx::query("DELETE FROM refinery_schema_history WHERE version = (SELECT max(version) FROM refinery_schema_history)")
        .execute(&mut admin)
        .await
        .unwrap();
    let resp = app.http.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["details"]["checks"]["database"]
            .as_str()
            .unwrap()
            .starts_with("schema at version")
    );
}

#[tokio::test]
async fn the_live_openapi_document_is_the_committed_one() {
    let app = spawn_app().await;
    let live: serde_json::Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(live, backend_api::openapi_document());
}
