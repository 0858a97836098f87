//! The binary as an operator meets it: settings errors, migrate, shutdown.

use backend_e2e::spawn::{Backend, backend_command, migrate};
use backend_e2e::testenv;

#[test]
fn a_missing_setting_exits_non_zero_naming_the_variable() {
    let out = backend_command()
        .arg("serve")
        .env("REDIS_URL", "redis://127.0.0.1:6379")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn a_short_jwt_secret_is_fatal_in_prod() {
    let out = backend_command()
        .arg("serve")
        .env("ENVIRONMENT", "prod")
        .env("DATABASE_URL", "postgres://backend_app@127.0.0.1/x")
        .env("REDIS_URL", "redis://127.0.0.1:6379")
        .env("JWT_SECRET", "too-short")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("JWT_SECRET") && !stderr.contains("too-short"),
        "{stderr}"
    );
}

#[test]
fn openapi_and_error_catalog_need_no_database() {
    for cmd in ["openapi", "error-catalog"] {
        let out = backend_command().arg(cmd).output().unwrap();
        assert!(out.status.success(), "{cmd}");
        assert!(!out.stdout.is_empty());
    }
}

#[tokio::test]
async fn migrate_applies_the_schema_and_exits_zero() {
    let db = testenv::empty_database().await;
    migrate(db.owner_url.clone()).await.expect("first migrate");
    migrate(db.owner_url.clone())
        .await
        .expect("second migrate is a no-op");
}

#[tokio::test]
async fn sigterm_drains_and_exits_zero() {
    if std::env::var("BACKEND_URL").is_ok() {
        return; // a deployment is not ours to stop
    }
    let mut backend = Backend::start(&[("SHUTDOWN_GRACE_SECONDS", "5")]).await;
    let status = backend.terminate().expect("the process was running");
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        backend.log()
    );
    let log = backend.log();
    assert!(
        log.contains("shutdown signal received") && log.contains("\"msg\":\"stopped\""),
        "{log}"
    );
}

/// Issue 6 budgets 30 MB of resident memory per idle replica. Most of it is
/// decided by the allocator's configuration rather than by our code:
/// mimalloc's default eager arena commit alone holds about 30 MiB more (see
/// `.cargo/config.toml`), so this guards the build as much as the server.
///
/// Tests run the debug binary, whose mapped code is twice the release one's,
/// so only the process's own (anonymous) memory is compared, against the
/// budget less an allowance for the release binary's mapped file pages
/// (about 11 MiB measured; the benchmark reports the release binary's
/// whole RSS).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_idle_replica_stays_within_its_memory_budget() {
    if std::env::var("BACKEND_URL").is_ok() {
        return; // a deployment's memory is its orchestrator's to report
    }
    const BUDGET_KIB: u64 = 30_000_000 / 1024;
    const RELEASE_FILE_PAGES_ALLOWANCE_KIB: u64 = 15 * 1024;
    let backend = Backend::start(&[]).await;
    // Settle after start-up (warm-load, pool and Redis connections).
    for _ in 0..20 {
        let ready = reqwest::get(format!("{}/ready", backend.base_url)).await;
        assert!(ready.is_ok_and(|r| r.status().is_success()));
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let pid = backend.pid().expect("a spawned process");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let anon_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("RssAnon in /proc/<pid>/status");
    let limit = BUDGET_KIB - RELEASE_FILE_PAGES_ALLOWANCE_KIB;
    assert!(
        anon_kib <= limit,
        "idle anonymous memory {anon_kib} KiB is over {limit} KiB (the 30 MB budget less the \
         release binary's mapped pages)"
    );
}
