//! The binary as an operator meets it: settings errors, migrate, shutdown.

use backend_e2e::spawn::{Backend, backend_bin, migrate};
use backend_e2e::testenv;
use std::process::Command;

#[test]
fn a_missing_setting_exits_non_zero_naming_the_variable() {
    let out = Command::new(backend_bin())
        .arg("serve")
        .env_clear()
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
    let out = Command::new(backend_bin())
        .arg("serve")
        .env_clear()
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
        let out = Command::new(backend_bin())
            .arg(cmd)
            .env_clear()
            .output()
            .unwrap();
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
