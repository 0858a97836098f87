//! One tenant cannot starve the others, and a database that stops answering
//! costs bounded time: lock waits give up, one user holds at most
//! PER_USER_CONCURRENCY connections, every request is bounded by
//! REQUEST_TIMEOUT_MS, and the server recovers by itself.

use crate::helpers::{create_org, spawn_app_behind_db_proxy_with, spawn_app_with};
use backend_client::types::{ErrorCode, Role, SetMemberRole};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_tenant_queueing_on_its_own_lock_slows_no_other_tenant() {
    let app = spawn_app_with(&[]).await;
    let (_, _, owner_a) = app.guest().await;
    let (_, target, _) = app.guest().await;
    let (_, _, owner_b) = app.guest().await;
    let org_a = create_org(&owner_a, "Tenant A").await;
    let org_b = create_org(&owner_b, "Tenant B").await;
    // Something holds tenant A's membership lock for 3 s.
    let mut holder = app.admin().await;
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind(org_a.id)
        .execute(&mut holder)
        .await
        .unwrap();
    let changes: Vec<_> = (0..20)
        .map(|_| {
            let client = owner_a.clone();
            let (slug, user) = (org_a.slug.clone(), target.id);
            tokio::spawn(async move {
                client
                    .member_set(&slug, &user, None, &SetMemberRole { role: Role::Member })
                    .await
            })
        })
        .collect();
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    while started.elapsed() < Duration::from_secs(3) {
        let t = Instant::now();
        assert_eq!(
            owner_b.org_get(&org_b.slug, None).await.unwrap().status(),
            200
        );
        assert_eq!(owner_b.org_list(None, None).await.unwrap().status(), 200);
        assert_eq!(app.client.ready().await.unwrap().status(), 200);
        slowest = slowest.max(t.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        slowest < Duration::from_secs(1),
        "tenant B waited {slowest:?}"
    );
    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    let (mut busy, mut limited) = (0, 0);
    for change in changes {
        match change.await.unwrap() {
            Err(e) => match backend_client::error_code(&e) {
                Some(ErrorCode::ResourceBusy) => busy += 1,
                Some(ErrorCode::RateLimitExceeded) => limited += 1,
                other => panic!("a queued change answered {other:?}: {e}"),
            },
            Ok(r) => panic!(
                "a change went through while the lock was held: {}",
                r.status()
            ),
        }
    }
    assert_eq!(busy + limited, 20);
    assert!(
        limited >= 16,
        "at most 4 of one user's requests wait in the database ({limited} refused)"
    );
}

#[tokio::test]
async fn a_blackholed_database_fails_requests_within_the_timeout_and_recovers_by_itself() {
    let (app, proxy) = spawn_app_behind_db_proxy_with(&[
        ("REQUEST_TIMEOUT_MS", "2000"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "1000"),
    ])
    .await;
    let (_, _, client) = app.guest().await;
    let org = create_org(&client, "Blackhole").await;
    proxy.blackhole();
    for _ in 0..3 {
        let t = Instant::now();
        let err = client.org_get(&org.slug, None).await.unwrap_err();
        assert_eq!(
            backend_client::error_code(&err),
            Some(ErrorCode::ServiceUnavailable)
        );
        assert!(
            t.elapsed() < Duration::from_millis(2_700),
            "took {:?}",
            t.elapsed()
        );
        let t = Instant::now();
        let ready = app.http.get(app.url("/ready")).send().await.unwrap();
        assert_eq!(ready.status(), 503);
        assert!(
            t.elapsed() < Duration::from_millis(1_700),
            "/ready took {:?}",
            t.elapsed()
        );
    }
    proxy.heal();
    let started = Instant::now();
    loop {
        let read = client.org_get(&org.slug, None).await;
        let ready = app
            .http
            .get(app.url("/ready"))
            .send()
            .await
            .unwrap()
            .status();
        if read.is_ok() && ready == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "not recovered: read {:?}, ready {ready}",
            read.err()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
