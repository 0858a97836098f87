//! Sessions that survive Redis: real `backend serve` replicas, a Redis of the
//! test's own (stopped, restarted, flushed), PostgreSQL as the source of truth
//! for revocations (docs/architecture/sessions.md).

use backend_client::types::{ErrorCode, OrgInput, ProjectInput, PutConfig, RuntimeConfig};
use backend_e2e::pg_cluster::PgCluster;
use backend_e2e::redis_server::RedisServer;
use backend_e2e::spawn::{Backend, TEST_JWT_SECRET, admin_token, migrate};
use backend_e2e::testenv;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn is_deployment() -> bool {
    std::env::var("BACKEND_URL").is_ok()
}

async fn view(backend: &Backend, admin: &str) -> RuntimeConfig {
    backend
        .client_with_token(admin)
        .runtime_config()
        .await
        .expect("runtime view")
        .into_inner()
}

/// Waits until every replica has subscribed (events flow) and its command
/// client is connected; returns how long that took.
async fn wait_all_connected(replicas: &[&Backend], admin: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    for r in replicas {
        loop {
            let v = view(r, admin).await;
            if v.subscriber_connected && v.redis_connected {
                break;
            }
            assert!(
                started.elapsed() < limit,
                "{} not connected to Redis within {limit:?}: subscriber {}, commands {}",
                r.base_url,
                v.subscriber_connected,
                v.redis_connected
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    started.elapsed()
}

/// `Some(code)` of a failed `/auth/me` with `token` on `backend`.
async fn me_error(backend: &Backend, token: &str) -> Option<ErrorCode> {
    match backend.client_with_token(token).auth_me().await {
        Ok(_) => None,
        Err(e) => Some(backend_client::error_code(&e).expect("an error envelope")),
    }
}

/// Polls until `token` is refused as revoked on `backend`; returns how long it took.
async fn wait_revoked(backend: &Backend, token: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if me_error(backend, token).await == Some(ErrorCode::TokenRevoked) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{}: the revoked token still works after {limit:?}",
            backend.base_url
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn guest(backend: &Backend) -> String {
    backend
        .client()
        .auth_guest()
        .await
        .expect("guest sign-in")
        .into_inner()
        .access_token
}

fn put(value: &str) -> PutConfig {
    PutConfig {
        value: value.parse().unwrap(),
        reason: Some("sessions e2e".parse().unwrap()),
    }
}

/// Waits until `key` has at least `version` on every replica.
async fn wait_config(replicas: &[&Backend], admin: &str, key: &str, version: i64, limit: Duration) {
    let started = Instant::now();
    for r in replicas {
        while !view(r, admin)
            .await
            .entries
            .iter()
            .any(|e| e.key == key && e.version >= version)
        {
            assert!(
                started.elapsed() < limit,
                "{key} v{version} did not reach {} within {limit:?}",
                r.base_url
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[tokio::test]
async fn a_logout_survives_a_redis_restart_and_a_flush_on_every_replica() {
    if is_deployment() {
        return; // needs a Redis of its own
    }
    let mut redis = RedisServer::start();
    let db = testenv::fresh_database(migrate).await;
    let r1 = Backend::start_on(db.clone(), &redis.url(), &[]).await;
    let r2 = Backend::start_on(db.clone(), &redis.url(), &[]).await;
    let r3 = Backend::start_on(db.clone(), &redis.url(), &[]).await;
    let logged_out = guest(&r1).await;
    let refreshed = guest(&r2).await;
    assert_eq!(
        r1.client_with_token(&logged_out)
            .auth_logout()
            .await
            .unwrap()
            .status(),
        204
    );
    let fresh = r2
        .client_with_token(&refreshed)
        .auth_refresh()
        .await
        .unwrap()
        .into_inner()
        .access_token;
    redis.stop();
    redis.restart();
    assert_eq!(redis.cli(&["FLUSHALL"]).as_deref(), Some("OK"));
    // Restarted with nothing in it, yet nothing comes back to life. The
    // other replicas may need their reconcile interval (1 s) to hear of the
    // revocations made while they were connected: allow 2 s.
    for r in [&r1, &r2, &r3] {
        wait_revoked(r, &logged_out, Duration::from_secs(2)).await;
        wait_revoked(r, &refreshed, Duration::from_secs(2)).await;
        assert_eq!(me_error(r, &fresh).await, None, "the new token works");
    }
    // A replica started now learns them from PostgreSQL before it serves.
    let r4 = Backend::start_on(db, &redis.url(), &[]).await;
    assert_eq!(
        me_error(&r4, &logged_out).await,
        Some(ErrorCode::TokenRevoked)
    );
    assert_eq!(
        me_error(&r4, &refreshed).await,
        Some(ErrorCode::TokenRevoked)
    );
}

/// What one load client did.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    unexpected: std::sync::Mutex<Vec<String>>,
}

/// One client reading and writing in a loop through the replicas in turn,
/// until `stop`: every answer must be the one the request earns.
async fn load(urls: Vec<String>, stop: Arc<AtomicBool>, tally: Arc<Tally>, n: usize) {
    let mut turn = n;
    let next = |turn: &mut usize| {
        *turn += 1;
        urls[*turn % urls.len()].clone()
    };
    let anonymous = backend_client::Client::new(&next(&mut turn));
    let token = anonymous
        .auth_guest()
        .await
        .expect("sign-in before the outage")
        .into_inner()
        .access_token;
    let me = backend_client::with_token(&next(&mut turn), &token).unwrap();
    let org = me
        .org_create(
            None,
            &OrgInput {
                name: format!("Load {n}").parse().unwrap(),
                slug: None,
            },
        )
        .await
        .expect("org")
        .into_inner();
    let record = |what: &str, result: Result<u16, String>| match result {
        Ok(_) => {
            tally.ok.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => tally
            .unexpected
            .lock()
            .unwrap()
            .push(format!("{what}: {e}")),
    };
    let status = |r: Result<u16, backend_client::Error<backend_client::types::ApiError>>| {
        r.map_err(|e| e.to_string())
    };
    while !stop.load(Ordering::Relaxed) {
        let c = backend_client::with_token(&next(&mut turn), &token).unwrap();
        record(
            "org read",
            status(
                c.org_get(&org.slug, None)
                    .await
                    .map(|r| r.status().as_u16()),
            ),
        );
        record(
            "project list",
            status(
                c.project_list(&org.slug, None, None)
                    .await
                    .map(|r| r.status().as_u16()),
            ),
        );
        let created = c
            .project_create(
                &org.slug,
                None,
                &ProjectInput {
                    name: format!("P {}", uuid::Uuid::new_v4().simple())
                        .parse()
                        .unwrap(),
                    slug: None,
                },
            )
            .await;
        match created {
            Ok(p) => {
                record("project create", Ok(201));
                let c = backend_client::with_token(&next(&mut turn), &token).unwrap();
                record(
                    "project delete",
                    status(
                        c.project_delete(&p.into_inner().id, None)
                            .await
                            .map(|r| r.status().as_u16()),
                    ),
                );
            }
            Err(e) => record("project create", Err(e.to_string())),
        }
        let signin = backend_client::Client::new(&next(&mut turn));
        record(
            "sign-in",
            status(signin.auth_guest().await.map(|r| r.status().as_u16())),
        );
    }
}

#[tokio::test]
async fn a_redis_outage_under_load_costs_no_request_and_revocations_and_configs_still_spread() {
    if is_deployment() {
        return;
    }
    let mut redis = RedisServer::start();
    let db = testenv::fresh_database(migrate).await;
    let r1 = Backend::start_on(db.clone(), &redis.url(), &[]).await;
    let r2 = Backend::start_on(db.clone(), &redis.url(), &[]).await;
    let r3 = Backend::start_on(db, &redis.url(), &[]).await;
    let replicas = [&r1, &r2, &r3];
    let admin = admin_token();
    wait_all_connected(&replicas, &admin, Duration::from_secs(10)).await;

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let urls: Vec<String> = replicas.iter().map(|r| r.base_url.clone()).collect();
    let clients: Vec<_> = (0..8)
        .map(|n| tokio::spawn(load(urls.clone(), stop.clone(), tally.clone(), n)))
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let doomed = guest(&r1).await;

    redis.stop();
    let outage = Instant::now();
    // A logout during the outage: honoured at once by the replica that
    // answered, and by the others within 2 s (they poll PostgreSQL).
    assert_eq!(
        r1.client_with_token(&doomed)
            .auth_logout()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(me_error(&r1, &doomed).await, Some(ErrorCode::TokenRevoked));
    for r in [&r2, &r3] {
        let took = wait_revoked(r, &doomed, Duration::from_secs(2)).await;
        eprintln!("outage: revocation reached {} after {took:?}", r.base_url);
    }
    // A config write during the outage reaches every replica by reconcile.
    let written = r2
        .client_with_token(&admin)
        .config_put(&"OUTAGE_FLAG".parse().unwrap(), None, None, &put("during"))
        .await
        .expect("config writes work without Redis")
        .into_inner();
    wait_config(
        &replicas,
        &admin,
        "OUTAGE_FLAG",
        written.version,
        Duration::from_secs(3),
    )
    .await;
    let ready = reqwest::get(format!("{}/ready", r3.base_url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "Redis never makes a replica unready");
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    let remaining = Duration::from_secs(10).saturating_sub(outage.elapsed());
    tokio::time::sleep(remaining).await;

    redis.restart();
    let took = wait_all_connected(&replicas, &admin, Duration::from_secs(5)).await;
    assert!(
        took <= Duration::from_secs(1),
        "events flowed again only {took:?} after Redis returned"
    );
    let before: Vec<_> = {
        let mut v = Vec::new();
        for r in [&r2, &r3] {
            v.push(view(r, &admin).await.last_event_at);
        }
        v
    };
    let after_outage = r1
        .client_with_token(&admin)
        .config_put(&"OUTAGE_FLAG".parse().unwrap(), None, None, &put("after"))
        .await
        .unwrap()
        .into_inner();
    wait_config(
        &replicas,
        &admin,
        "OUTAGE_FLAG",
        after_outage.version,
        Duration::from_secs(1),
    )
    .await;
    for (r, before) in [&r2, &r3].into_iter().zip(before) {
        assert_ne!(
            view(r, &admin).await.last_event_at,
            before,
            "{} got the change as an event",
            r.base_url
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("load client");
    }
    let unexpected = tally.unexpected.lock().unwrap();
    let ok = tally.ok.load(Ordering::Relaxed);
    eprintln!(
        "outage: {ok} requests answered as earned, {} not",
        unexpected.len()
    );
    assert!(ok > 100, "the load ran ({ok} requests)");
    assert!(
        unexpected.is_empty(),
        "{} of {} responses were not the ones the requests earned: {:?}",
        unexpected.len(),
        ok as usize + unexpected.len(),
        &unexpected[..unexpected.len().min(10)]
    );
}

#[tokio::test]
async fn the_org_read_and_the_project_list_send_no_command_to_redis() {
    if is_deployment() {
        return;
    }
    let redis = RedisServer::start();
    let db = testenv::fresh_database(migrate).await;
    let backend = Backend::start_on(db, &redis.url(), &[]).await;
    let token = guest(&backend).await;
    let client = backend.client_with_token(&token);
    let org = client
        .org_create(
            None,
            &OrgInput {
                name: "Quiet".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap()
        .into_inner();
    client
        .project_create(
            &org.slug,
            None,
            &ProjectInput {
                name: "Quiet project".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap();
    let before = redis.command_calls();
    for i in 0..1000 {
        if i % 2 == 0 {
            assert_eq!(client.org_get(&org.slug, None).await.unwrap().status(), 200);
        } else {
            let page = client.project_list(&org.slug, None, None).await.unwrap();
            assert_eq!(page.into_inner().data.len(), 1);
        }
    }
    let after = redis.command_calls();
    let sent: Vec<String> = after
        .iter()
        .filter(|(name, calls)| before.get(*name) != Some(calls))
        .map(|(name, calls)| format!("{name}: {}", calls - before.get(name).unwrap_or(&0)))
        .collect();
    assert!(sent.is_empty(), "1,000 reads sent Redis commands: {sent:?}");
}

const KEY_A: &str = TEST_JWT_SECRET;
const KEY_B: &str = "rotation-key-b-0123456789abcdef0123456789";

/// Replaces `replicas[i]` by a new process with `keys`, one at a time, like a
/// rolling update, checking after each step that every token in `valid`
/// works on every replica.
async fn roll(
    replicas: &mut [Backend],
    db: &testenv::TestDatabase,
    redis: &str,
    keys: &[(&str, &str)],
    valid: &[String],
) {
    for i in 0..replicas.len() {
        replicas[i].terminate();
        replicas[i] = Backend::start_on(db.clone(), redis, keys).await;
        for r in replicas.iter() {
            for token in valid {
                assert_eq!(
                    me_error(r, token).await,
                    None,
                    "during the roll ({keys:?}, step {i}) a valid token was refused by {}",
                    r.base_url
                );
            }
        }
    }
}

#[tokio::test]
async fn keys_rotate_across_rolling_updates_without_logging_anyone_out() {
    if is_deployment() {
        return;
    }
    let redis = testenv::redis_url().await;
    let db = testenv::fresh_database(migrate).await;
    let mut replicas = vec![
        Backend::start_on(db.clone(), &redis, &[]).await,
        Backend::start_on(db.clone(), &redis, &[]).await,
        Backend::start_on(db.clone(), &redis, &[]).await,
    ];
    let mut a_tokens = Vec::new();
    for r in &replicas {
        a_tokens.push(guest(r).await);
    }
    // 1. Announce B: still signing with A, B accepted everywhere.
    roll(
        &mut replicas,
        &db,
        &redis,
        &[("JWT_SECRET", KEY_A), ("JWT_PREVIOUS_SECRETS", KEY_B)],
        &a_tokens,
    )
    .await;
    // 2. Switch: sign with B, keep accepting A. Replicas not yet switched
    //    accept the B tokens that switched ones hand out, and vice versa.
    let switched = [("JWT_SECRET", KEY_B), ("JWT_PREVIOUS_SECRETS", KEY_A)];
    let mut valid = a_tokens.clone();
    for i in 0..replicas.len() {
        replicas[i].terminate();
        replicas[i] = Backend::start_on(db.clone(), &redis, &switched).await;
        valid.push(guest(&replicas[i]).await);
        for r in &replicas {
            for token in &valid {
                assert_eq!(
                    me_error(r, token).await,
                    None,
                    "switch step {i}: {}",
                    r.base_url
                );
            }
        }
    }
    let b_tokens = valid.split_off(a_tokens.len());
    let header = |t: &str| t.split('.').next().unwrap().to_owned();
    assert_ne!(
        header(&a_tokens[0]),
        header(&b_tokens[0]),
        "new tokens name key B"
    );
    // 3. Drop A once its tokens could have expired: B tokens keep working,
    //    A tokens are refused as any unknown key.
    roll(
        &mut replicas,
        &db,
        &redis,
        &[("JWT_SECRET", KEY_B)],
        &b_tokens,
    )
    .await;
    for r in &replicas {
        for token in &a_tokens {
            assert_eq!(me_error(r, token).await, Some(ErrorCode::Unauthorized));
        }
    }
}

#[tokio::test]
async fn an_acknowledged_logout_survives_terminated_sessions_and_a_postgresql_crash() {
    if is_deployment() {
        return;
    }
    let cluster = PgCluster::start();
    let db = cluster.migrated_database(migrate).await;
    let redis = testenv::redis_url().await;
    let backend = Backend::start_on(db.clone(), &redis, &[]).await;
    let terminated = guest(&backend).await;
    let crashed = guest(&backend).await;
    use sqlx::Connection;

    // The 204 is answered, then every session of the server is ended.
    assert_eq!(
        backend
            .client_with_token(&terminated)
            .auth_logout()
            .await
            .unwrap()
            .status(),
        204
    );
    let mut admin = sqlx::PgConnection::connect(&db.admin_url).await.unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE usename = 'backend_app' AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    drop(admin);

    // The 204 is answered, then PostgreSQL crashes (no checkpoint) and restarts.
    assert_eq!(
        backend
            .client_with_token(&crashed)
            .auth_logout()
            .await
            .unwrap()
            .status(),
        204
    );
    cluster.crash_and_restart();

    let mut admin = sqlx::PgConnection::connect(&db.admin_url).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM token_revocations")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(rows, 2, "both acknowledged revocations are in PostgreSQL");
    // A replica that starts now loads them before it serves; the old one
    // still refuses both.
    let fresh = Backend::start_on(db, &redis, &[]).await;
    for r in [&backend, &fresh] {
        for token in [&terminated, &crashed] {
            assert_eq!(me_error(r, token).await, Some(ErrorCode::TokenRevoked));
        }
    }
}

/// The stated bound is p99 ≤ 5 ms for the shipped (release) binary, which
/// `scripts/bench.sh` measures (about 3 ms on the 2-core VM, unpaced). The
/// unoptimised test build is about twice as slow end to end and shares two
/// cores with two more replicas, PostgreSQL, Redis and the test itself, so
/// here the bound is wider; the test still fails on anything structural (an
/// event path that waits on a database round trip or a reconcile tick).
const P99_BOUND_US: u64 = if cfg!(debug_assertions) {
    20_000
} else {
    5_000
};

#[tokio::test]
async fn revocations_reach_the_other_replicas_within_milliseconds_while_redis_is_up() {
    if is_deployment() {
        return;
    }
    let redis = RedisServer::start();
    let db = testenv::fresh_database(migrate).await;
    // A reconcile interval longer than the test, so only events can deliver.
    let slow = [("REVOCATION_RECONCILE_INTERVAL", "60")];
    let r1 = Backend::start_on(db.clone(), &redis.url(), &slow).await;
    let r2 = Backend::start_on(db.clone(), &redis.url(), &slow).await;
    let r3 = Backend::start_on(db, &redis.url(), &slow).await;
    let admin = admin_token();
    wait_all_connected(&[&r1, &r2, &r3], &admin, Duration::from_secs(10)).await;
    const N: u64 = 200;
    let mut tokens = Vec::new();
    for _ in 0..N {
        tokens.push(guest(&r1).await);
    }
    // Paced at 100 logouts a second, so that what is measured is the
    // propagation, not the run queue of two cores saturated by the test's own
    // burst (scripts/bench.sh reports the unpaced figure of a release build).
    let mut pace = tokio::time::interval(Duration::from_millis(10));
    for token in &tokens {
        pace.tick().await;
        let resp = r1.client_with_token(token).auth_logout().await.unwrap();
        assert_eq!(resp.status(), 204);
    }
    for r in [&r2, &r3] {
        let started = Instant::now();
        let lag = loop {
            let lag = view(r, &admin).await.revocations.commit_to_denied;
            if lag.count >= N {
                break lag;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{}: {} of {N} revocations arrived as events",
                r.base_url,
                lag.count
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let publish = view(r, &admin).await.revocations.publish_to_denied;
        eprintln!(
            "revocation events at {}: commit->denied n={} p50={}us p99={}us max={}us | publish->denied p50={}us p99={}us",
            r.base_url,
            lag.count,
            lag.p50_us,
            lag.p99_us,
            lag.max_us,
            publish.p50_us,
            publish.p99_us
        );
        assert!(
            lag.p99_us <= P99_BOUND_US,
            "{}: commit→denied p99 {} µs is over {} µs",
            r.base_url,
            lag.p99_us,
            P99_BOUND_US
        );
        for token in tokens.iter().step_by(20) {
            assert_eq!(me_error(r, token).await, Some(ErrorCode::TokenRevoked));
        }
    }
}

#[tokio::test]
async fn an_operator_revokes_an_admin_token_with_the_cli() {
    if is_deployment() {
        return;
    }
    let redis = testenv::redis_url().await;
    let db = testenv::fresh_database(migrate).await;
    let backend = Backend::start_on(db.clone(), &redis, &[]).await;
    let mint = backend_e2e::spawn::backend_command()
        .args(["token", "--admin", "--ttl", "10m", "--subject", "leaked"])
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .output()
        .unwrap();
    assert!(mint.status.success());
    let token = String::from_utf8(mint.stdout).unwrap().trim().to_owned();
    let stderr = String::from_utf8_lossy(&mint.stderr);
    let jti = stderr
        .split_whitespace()
        .find_map(|w| w.strip_prefix("jti="))
        .expect("the token id is printed on stderr")
        .to_owned();
    assert!(
        !stderr.contains(&token),
        "the token itself is only on stdout"
    );
    let admin = backend.client_with_token(&token);
    assert_eq!(admin.runtime_config().await.unwrap().status(), 200);

    // By id (no secret needed), and again by the whole token (idempotent).
    for target in [jti.as_str(), token.as_str()] {
        let out = backend_e2e::spawn::backend_command()
            .args(["token", "--revoke", target])
            .env("DATABASE_URL", &db.app_url)
            .env("REDIS_URL", &redis)
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let started = Instant::now();
    loop {
        match admin.runtime_config().await {
            Err(e) if backend_client::error_code(&e) == Some(ErrorCode::TokenRevoked) => break,
            _ => assert!(
                started.elapsed() < Duration::from_secs(2),
                "the revoked admin token still works"
            ),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let bad = backend_e2e::spawn::backend_command()
        .args(["token", "--revoke", "not-a-token"])
        .env("DATABASE_URL", &db.app_url)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "a bad argument is refused");
}
