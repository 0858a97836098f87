//! The configuration API in one process: validation, audit history,
//! optimistic concurrency, consecutive versions under concurrency.

use crate::helpers::{TestApp, spawn_app};
use backend_client::types::{ErrorCode, PutConfig};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

pub const SECRET: &str = "test-secret-0123456789abcdef0123456789abcdef";

/// What `backend token --admin` mints.
pub fn admin_token(subject: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({"sub": format!("admin:{subject}"), "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now, "nbf": now, "exp": now + 600, "iss": "agent-ready-k8s-backend", "aud": "backend-api", "adm": true});
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn put(value: &str, reason: &str) -> PutConfig {
    PutConfig {
        value: value.parse().unwrap(),
        reason: Some(reason.parse().unwrap()),
    }
}

fn admin(app: &TestApp) -> backend_client::Client {
    app.client_with(&admin_token("ops"))
}

#[tokio::test]
async fn admins_write_and_read_and_every_change_is_in_the_history() {
    let app = spawn_app().await;
    let admin = admin(&app);
    let (_, _, guest) = app.guest().await;

    let err = guest
        .config_put(&"FEATURE_X".parse().unwrap(), None, None, &put("on", "try"))
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));

    let v1 = admin
        .config_put(
            &"FEATURE_X".parse().unwrap(),
            None,
            None,
            &put("on", "launch"),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (v1.service.as_str(), v1.version, v1.value.as_str()),
        ("backend", 1, "on")
    );
    let v2 = admin
        .config_put(
            &"FEATURE_X".parse().unwrap(),
            None,
            None,
            &put("off", "rollback"),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v2.version, 2);

    let read = admin
        .config_get(&"FEATURE_X".parse().unwrap(), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((read.value.as_str(), read.version), ("off", 2));
    let list = admin
        .config_list(None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.pagination.total, 1);

    let history = admin
        .config_history(&"FEATURE_X".parse().unwrap(), None, None, None)
        .await
        .unwrap()
        .into_inner();
    let rows: Vec<_> = history
        .data
        .iter()
        .map(|c| {
            (
                c.version,
                c.old_value.clone(),
                c.new_value.clone(),
                c.changed_by.clone(),
                c.reason.clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                2,
                Some("on".into()),
                "off".into(),
                "admin:ops".into(),
                Some("rollback".into())
            ),
            (
                1,
                None,
                "on".into(),
                "admin:ops".into(),
                Some("launch".into())
            ),
        ]
    );
    let err = admin
        .config_get(&"MISSING".parse().unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::ConfigNotFound)
    );
}

#[tokio::test]
async fn guests_read_no_configuration_value_nor_its_history() {
    let app = spawn_app().await;
    admin(&app)
        .config_put(&"API_KEY".parse().unwrap(), None, None, &put("s3cret", "x"))
        .await
        .unwrap();
    let (_, _, guest) = app.guest().await;
    let key = "API_KEY".parse().unwrap();
    let refused = [
        guest
            .config_list(None, None, None)
            .await
            .map(drop)
            .unwrap_err(),
        guest.config_get(&key, None).await.map(drop).unwrap_err(),
        guest
            .config_history(&"API_KEY".parse().unwrap(), None, None, None)
            .await
            .map(drop)
            .unwrap_err(),
        // Another service's configuration alike.
        guest
            .config_list(None, None, Some(&"billing".parse().unwrap()))
            .await
            .map(drop)
            .unwrap_err(),
    ];
    for err in refused {
        assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
        assert!(!format!("{err:?}").contains("s3cret"));
    }
}

#[tokio::test]
async fn keys_and_known_values_are_validated() {
    let app = spawn_app().await;
    let admin = admin(&app);
    let err = admin
        .config_put(&"LOG_LEVEL".parse().unwrap(), None, None, &put("loud", "x"))
        .await
        .unwrap_err();
    let backend_client::Error::ErrorResponse(body) = err else {
        panic!("typed error")
    };
    assert_eq!(body.error, ErrorCode::InvalidConfigValue);
    assert_eq!(
        body.details.as_ref().unwrap()["allowed"],
        serde_json::json!(["trace", "debug", "info", "warn", "error"])
    );
    // Out-of-contract input: the typed client refuses to build it, and the
    // server refuses it when it arrives anyway.
    assert!(
        "9lives"
            .parse::<backend_client::types::ConfigPutKey>()
            .is_err()
    );
    assert!(
        "x".repeat(4097)
            .parse::<backend_client::types::PutConfigValue>()
            .is_err()
    );
    let token = admin_token("ops");
    let raw = |path: &str, body: serde_json::Value| {
        app.http
            .put(app.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let body: serde_json::Value = raw("/api/v1/configs/9lives", serde_json::json!({"value": "x"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "INVALID_CONFIG_KEY");
    let body: serde_json::Value = raw(
        "/api/v1/configs/BIG",
        serde_json::json!({"value": "x".repeat(4097)}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(body["error"], "INVALID_CONFIG_VALUE");
    let body: serde_json::Value = raw(
        "/api/v1/configs/OK?service=Bad%20Service",
        serde_json::json!({"value": "x"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        (body["error"].as_str(), body["details"]["field"].as_str()),
        (Some("VALIDATION_ERROR"), Some("service"))
    );
    let body: serde_json::Value = raw(
        "/api/v1/configs/OK",
        serde_json::json!({"value": "a\u{0}b"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        body["error"], "INVALID_CONFIG_VALUE",
        "NUL never reaches PostgreSQL"
    );
}

#[tokio::test]
async fn if_match_protects_against_lost_updates() {
    let app = spawn_app().await;
    let admin = admin(&app);
    let err = admin
        .config_put(
            &"K".parse().unwrap(),
            None,
            Some(&"1".parse().unwrap()),
            &put("a", "x"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::VersionConflict),
        "key does not exist yet"
    );
    admin
        .config_put(&"K".parse().unwrap(), None, None, &put("a", "x"))
        .await
        .unwrap();
    let ok = admin
        .config_put(
            &"K".parse().unwrap(),
            None,
            Some(&"\"1\"".parse().unwrap()),
            &put("b", "x"),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.version, 2);
    let err = admin
        .config_put(
            &"K".parse().unwrap(),
            None,
            Some(&"1".parse().unwrap()),
            &put("c", "x"),
        )
        .await
        .unwrap_err();
    let backend_client::Error::ErrorResponse(body) = err else {
        panic!("typed error")
    };
    assert_eq!(body.status(), 412);
    assert_eq!(body.error, ErrorCode::VersionConflict);
    assert_eq!(body.details.as_ref().unwrap()["current_version"], 2);
    let resp = app
        .http
        .put(app.url("/api/v1/configs/K"))
        .bearer_auth(admin_token("ops"))
        .header("if-match", "abc")
        .json(&serde_json::json!({"value": "c"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        (body["error"].as_str(), body["details"]["field"].as_str()),
        (Some("VALIDATION_ERROR"), Some("If-Match"))
    );
}

#[tokio::test]
async fn concurrent_writes_get_consecutive_versions_and_none_is_lost() {
    let app = spawn_app().await;
    let admin = admin(&app);
    let writes = (0..20).map(|i| {
        let admin = admin.clone();
        async move {
            admin
                .config_put(
                    &"COUNTER".parse().unwrap(),
                    None,
                    None,
                    &put(&i.to_string(), "race"),
                )
                .await
                .unwrap()
                .into_inner()
                .version
        }
    });
    let mut versions = futures::future::join_all(writes).await;
    versions.sort();
    assert_eq!(versions, (1..=20).collect::<Vec<_>>());
    let history = admin
        .config_history(
            &"COUNTER".parse().unwrap(),
            Some(std::num::NonZeroU32::new(100).unwrap()),
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.pagination.total, 20);
    let mut values: Vec<String> = history.data.iter().map(|c| c.new_value.clone()).collect();
    values.sort_by_key(|v| v.parse::<u32>().unwrap());
    assert_eq!(
        values,
        (0..20).map(|i| i.to_string()).collect::<Vec<_>>(),
        "every write is recorded once"
    );
    // Each change's old value is the previous change's new value.
    let mut by_version = history.data.clone();
    by_version.sort_by_key(|c| c.version);
    for pair in by_version.windows(2) {
        assert_eq!(
            pair[1].old_value.as_deref(),
            Some(pair[0].new_value.as_str())
        );
    }
}

#[tokio::test]
async fn the_runtime_view_and_metrics_show_the_replica_state() {
    let app = spawn_app().await;
    let admin = admin(&app);
    admin
        .config_put(
            &"LOG_LEVEL".parse().unwrap(),
            None,
            None,
            &put("warn", "quiet"),
        )
        .await
        .unwrap();
    let view = admin.runtime_config().await.unwrap().into_inner();
    let entry = view
        .entries
        .iter()
        .find(|e| e.key == "LOG_LEVEL")
        .expect("entry in the snapshot");
    assert_eq!((entry.value.as_str(), entry.version), ("warn", 1));
    assert!(view.warm_loaded_at.is_some());
    let (_, _, guest) = app.guest().await;
    let err = guest.runtime_config().await.unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    let metrics = app.metrics().await;
    for name in [
        "config_reloads_total",
        "http_requests_total",
        "http_request_duration_seconds",
        "config_version_drift",
        "config_publish_failures_total",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    assert!(
        metrics.contains(r#"http_requests_total{route="config_put",status="200"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn admin_tokens_cannot_touch_tenant_data() {
    let app = spawn_app().await;
    let admin = admin(&app);
    let err = admin.org_list(None, None).await.unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
}

#[tokio::test]
async fn the_value_limit_counts_characters_as_the_document_says() {
    let app = spawn_app().await;
    let admin = admin(&app);
    let key = "WIDE".parse().unwrap();
    let at_limit = "é".repeat(4096); // 8,192 bytes
    let written = admin
        .config_put(&key, None, None, &put(&at_limit, "limit"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(written.value.chars().count(), 4096);
    let resp = app
        .http
        .put(app.url("/api/v1/configs/WIDE"))
        .bearer_auth(admin_token("ops"))
        .json(&serde_json::json!({ "value": "é".repeat(4097) }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "INVALID_CONFIG_VALUE");
}
