//! Guest sign-in and token validation (RFC 8725: pinned algorithm, checked
//! issuer and audience, bounded leeway), revocation and the rate limit.

use crate::helpers::{TestApp, create_org, spawn_app, spawn_app_with, within_one_rate_window};
use backend_client::types::ErrorCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const SECRET: &str = "test-secret-0123456789abcdef0123456789abcdef";

fn claims(sub: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub, "jti": uuid::Uuid::new_v4().to_string(), "iat": now, "nbf": now,
           "exp": now + 600, "iss": "agent-ready-k8s-backend", "aud": "backend-api"})
}

fn sign(alg: Algorithm, secret: &str, claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Calls `GET /api/v1/auth/me` with `token`; returns status, code, and the
/// WWW-Authenticate header.
async fn me(app: &TestApp, token: &str) -> (u16, String, Option<String>) {
    let resp = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let www = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
        www,
    )
}

#[tokio::test]
async fn a_guest_signs_in_without_personal_data_and_gets_a_bearer_token() {
    let app = spawn_app().await;
    let resp = app.client.auth_guest().await.unwrap();
    assert_eq!(resp.status(), 201);
    let body = resp.into_inner();
    assert_eq!(body.token_type, "Bearer");
    assert_eq!(body.expires_in, 86_400);
    assert!(
        body.user.username.starts_with("guest-"),
        "{}",
        body.user.username
    );
    let me = app
        .client_with(&body.access_token)
        .auth_me()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.id, body.user.id);
    assert_eq!(me.username, body.user.username);
    // The users table has no column that could hold personal data.
    let mut admin = app.admin().await;
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(columns, ["created_at", "guest_id", "id", "username"]);
}

#[tokio::test]
async fn a_valid_token_for_an_existing_user_is_accepted() {
    let app = spawn_app().await;
    let (_, user, _) = app.guest().await;
    let token = sign(Algorithm::HS256, SECRET, &claims(&user.id.to_string()));
    assert_eq!(me(&app, &token).await.0, 200);
}

#[tokio::test]
async fn every_kind_of_bad_token_is_rejected_with_its_code() {
    let app = spawn_app().await;
    let (good, user, _) = app.guest().await;
    let sub = user.id.to_string();
    let now = chrono::Utc::now().timestamp();
    let with = |patch: serde_json::Value| {
        let mut c = claims(&sub);
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let none_token = format!(
        "{}.{}.",
        B64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        B64.encode(claims(&sub).to_string())
    );
    let rs256_header = format!(
        "{}.{}.{}",
        B64.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        B64.encode(claims(&sub).to_string()),
        B64.encode(b"not-a-signature")
    );
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&B64.decode(&parts[1]).unwrap()).unwrap();
    payload["sub"] = json!(uuid::Uuid::new_v4().to_string());
    parts[1] = B64.encode(payload.to_string());
    let tampered = parts.join(".");

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            sign(
                Algorithm::HS256,
                SECRET,
                &with(json!({"exp": now - 120, "iat": now - 700, "nbf": now - 700})),
            ),
            "TOKEN_EXPIRED",
        ),
        (
            "not yet valid",
            sign(Algorithm::HS256, SECRET, &with(json!({"nbf": now + 600}))),
            "UNAUTHORIZED",
        ),
        (
            "issued in the future",
            sign(Algorithm::HS256, SECRET, &with(json!({"iat": now + 600}))),
            "UNAUTHORIZED",
        ),
        (
            "wrong signature",
            sign(
                Algorithm::HS256,
                "another-secret-0123456789abcdef0123456789",
                &claims(&sub),
            ),
            "UNAUTHORIZED",
        ),
        ("alg none", none_token, "UNAUTHORIZED"),
        (
            "HS512",
            sign(Algorithm::HS512, SECRET, &claims(&sub)),
            "UNAUTHORIZED",
        ),
        ("RS256 header", rs256_header, "UNAUTHORIZED"),
        (
            "wrong audience",
            sign(
                Algorithm::HS256,
                SECRET,
                &with(json!({"aud": "someone-else"})),
            ),
            "UNAUTHORIZED",
        ),
        (
            "wrong issuer",
            sign(Algorithm::HS256, SECRET, &with(json!({"iss": "evil"}))),
            "UNAUTHORIZED",
        ),
        (
            "missing jti",
            sign(Algorithm::HS256, SECRET, &with(json!({"jti": null}))),
            "UNAUTHORIZED",
        ),
        (
            "missing exp",
            sign(Algorithm::HS256, SECRET, &with(json!({"exp": null}))),
            "UNAUTHORIZED",
        ),
        ("tampered payload", tampered, "UNAUTHORIZED"),
        (
            "unknown user",
            sign(
                Algorithm::HS256,
                SECRET,
                &claims(&uuid::Uuid::new_v4().to_string()),
            ),
            "UNAUTHORIZED",
        ),
        ("garbage", "not.a.token".to_owned(), "UNAUTHORIZED"),
    ];
    for (name, token, code) in cases {
        let (status, got, www) = me(&app, &token).await;
        assert_eq!((status, got.as_str()), (401, code), "case {name}");
        assert!(
            www.unwrap_or_default().starts_with("Bearer"),
            "case {name}: WWW-Authenticate"
        );
    }
    let resp = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    let resp = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Mine").await;
    assert_eq!(client.auth_logout().await.unwrap().status(), 204);
    // The single-round-trip reads check the denylist too.
    let err = client.org_get(&org.id.to_string(), None).await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::TokenRevoked)
    );
    let err = client
        .project_list(&org.slug, None, None)
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::TokenRevoked)
    );
    let err = client.auth_me().await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::TokenRevoked)
    );
    assert_eq!(me(&app, &token).await.1, "TOKEN_REVOKED");
}

#[tokio::test]
async fn a_refreshed_token_replaces_the_old_one() {
    let app = spawn_app().await;
    let (old, user, client) = app.guest().await;
    let fresh = client.auth_refresh().await.unwrap().into_inner();
    assert_ne!(fresh.access_token, old);
    assert_eq!(fresh.user.id, user.id);
    assert_eq!(me(&app, &old).await.1, "TOKEN_REVOKED");
    assert_eq!(me(&app, &fresh.access_token).await.0, 200);
}

#[tokio::test]
async fn an_unreachable_redis_slows_nothing_down_and_revocations_still_hold() {
    let app = spawn_app_with(&[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let started = std::time::Instant::now();
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "No Redis").await;
    assert_eq!(client.org_get(&org.slug, None).await.unwrap().status(), 200);
    assert_eq!(client.auth_logout().await.unwrap().status(), 204);
    assert_eq!(me(&app, &token).await.1, "TOKEN_REVOKED");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "nothing waited on Redis: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_revocation_is_in_postgresql_before_the_logout_answers() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    assert_eq!(client.auth_logout().await.unwrap().status(), 204);
    let claims: serde_json::Value =
        serde_json::from_slice(&B64.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let jti: uuid::Uuid = claims["jti"].as_str().unwrap().parse().unwrap();
    let mut admin = app.admin().await;
    let (reason, expires_at): (String, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT reason, expires_at FROM token_revocations WHERE jti = $1")
            .bind(jti)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!(reason, "logout");
    assert!(expires_at.timestamp() >= claims["exp"].as_i64().unwrap());
}

#[tokio::test]
async fn the_application_role_cannot_undo_or_rewrite_a_revocation() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    assert_eq!(client.auth_logout().await.unwrap().status(), 204);
    use sqlx::Connection;
    let mut as_app = sqlx::PgConnection::connect(&app.db.app_url).await.unwrap();
    for statement in [
        "DELETE FROM token_revocations",
        "UPDATE token_revocations SET expires_at = now()",
        "INSERT INTO token_revocations (jti, expires_at, reason) VALUES (gen_random_uuid(), now(), 'admin')",
        "TRUNCATE token_revocations",
    ] {
        let err = sqlx::query(statement)
            .execute(&mut as_app)
            .await
            .expect_err(statement);
        assert_eq!(
            err.as_database_error().and_then(|e| e.code()).as_deref(),
            Some("42501"),
            "{statement}: {err}"
        );
    }
    // Pruning through its function removes only rows whose token expired.
    let pruned: i32 = sqlx::query_scalar("SELECT app_prune_token_revocations(1000)")
        .fetch_one(&mut as_app)
        .await
        .unwrap();
    assert_eq!(pruned, 0);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM token_revocations")
        .fetch_one(&mut as_app)
        .await
        .unwrap();
    assert_eq!(left, 1);
}

#[tokio::test]
async fn admin_tokens_can_be_revoked_by_logout() {
    let app = spawn_app().await;
    let admin = crate::configs::admin_token("ops");
    let client = app.client_with(&admin);
    assert_eq!(client.runtime_config().await.unwrap().status(), 200);
    assert_eq!(client.auth_logout().await.unwrap().status(), 204);
    let err = client.runtime_config().await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::TokenRevoked)
    );
}

#[tokio::test]
async fn refreshes_are_rate_limited_per_user() {
    let app = spawn_app_with(&[("REFRESH_RATE_LIMIT_PER_MINUTE", "2")]).await;
    within_one_rate_window(55).await;
    let (mut token, _, _) = app.guest().await;
    for _ in 0..2 {
        token = app
            .client_with(&token)
            .auth_refresh()
            .await
            .unwrap()
            .into_inner()
            .access_token;
    }
    let err = app.client_with(&token).auth_refresh().await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::RateLimitExceeded)
    );
    // Another user has a budget of its own.
    let (other, _, _) = app.guest().await;
    assert_eq!(
        app.client_with(&other)
            .auth_refresh()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn sign_in_keeps_a_rate_limit_while_redis_is_down() {
    let app = spawn_app_with(&[
        ("REDIS_URL", "redis://127.0.0.1:1"),
        ("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", "3"),
    ])
    .await;
    for i in 1..=3 {
        assert_eq!(app.client.auth_guest().await.unwrap().status(), 201, "{i}");
    }
    let resp = app
        .http
        .post(app.url("/api/v1/auth/guest"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429, "never \"no limit\"");
    assert!(resp.headers().contains_key("retry-after"));
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("rate_limit_local_fallback_total{bucket=\"guest-signin\"} 4"),
        "{metrics}"
    );
}

fn client_from(app: &TestApp, ip: &str) -> backend_client::Client {
    let http = reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    backend_client::Client::new_with_client(&app.address, http)
}

#[tokio::test]
async fn the_eleventh_sign_in_in_a_minute_is_429_and_other_addresses_are_unaffected() {
    let app = spawn_app_with(&[("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", "10")]).await;
    let first = client_from(&app, "127.0.0.1");
    // Stay inside one fixed window: wait if the minute is about to roll over.
    within_one_rate_window(50).await;
    for i in 1..=10 {
        assert_eq!(
            first.auth_guest().await.unwrap().status(),
            201,
            "sign-in {i}"
        );
    }
    let resp = app
        .http
        .post(app.url("/api/v1/auth/guest"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "RATE_LIMIT_EXCEEDED");
    let other = client_from(&app, "127.0.0.2");
    assert_eq!(other.auth_guest().await.unwrap().status(), 201);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_rate_limit_follows_x_forwarded_for() {
    let app = spawn_app_with(&[
        ("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", "2"),
        ("TRUSTED_PROXY_HOPS", "1"),
    ])
    .await;
    within_one_rate_window(55).await;
    let sign_in = |xff: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/guest"))
            .header("x-forwarded-for", xff)
            .send()
    };
    assert_eq!(sign_in("198.51.100.1").await.unwrap().status(), 201);
    assert_eq!(sign_in("198.51.100.1").await.unwrap().status(), 201);
    assert_eq!(sign_in("198.51.100.1").await.unwrap().status(), 429);
    // A forged entry on the left does not buy a fresh bucket.
    assert_eq!(
        sign_in("203.0.113.9, 198.51.100.1").await.unwrap().status(),
        429
    );
    // Another client behind the same proxy has its own.
    assert_eq!(sign_in("198.51.100.2").await.unwrap().status(), 201);
}

#[tokio::test]
async fn responses_that_carry_a_token_are_never_cached() {
    let app = spawn_app().await;
    let signed_in = app.client.auth_guest().await.unwrap();
    assert_eq!(signed_in.headers()["cache-control"], "no-store");
    let token = signed_in.into_inner().access_token;
    let refreshed = app.client_with(&token).auth_refresh().await.unwrap();
    assert_eq!(refreshed.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn an_admin_token_living_longer_than_24_hours_is_refused() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let long = json!({"sub": "admin:ops", "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now, "nbf": now, "exp": now + 2 * 86_400, "iss": "agent-ready-k8s-backend",
        "aud": "backend-api", "adm": true});
    let resp = app
        .http
        .get(app.url("/api/v1/runtime/config"))
        .bearer_auth(sign(Algorithm::HS256, SECRET, &long))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "UNAUTHORIZED");
    let mut day = long.clone();
    day["exp"] = json!(now + 86_400);
    let resp = app
        .http
        .get(app.url("/api/v1/runtime/config"))
        .bearer_auth(sign(Algorithm::HS256, SECRET, &day))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "24 h is the limit, not over it");
}
