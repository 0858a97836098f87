//! `serve` refuses to run as a role that RLS would not bind.

use crate::helpers::{build, migrate, settings};
use backend_e2e::testenv;

#[tokio::test]
async fn serve_refuses_a_superuser_role() {
    let db = testenv::fresh_database(migrate).await;
    let redis = testenv::redis_url().await;
    let err = build(settings(&db, &redis, &[("DATABASE_URL", &db.admin_url)]))
        .await
        .err()
        .expect("a superuser must be refused");
    assert!(err.to_string().contains("superuser"), "{err}");
}

#[tokio::test]
async fn serve_refuses_the_table_owner() {
    let db = testenv::fresh_database(migrate).await;
    let redis = testenv::redis_url().await;
    let err = build(settings(&db, &redis, &[("DATABASE_URL", &db.owner_url)]))
        .await
        .err()
        .expect("the owner must be refused");
    assert!(err.to_string().contains("owns"), "{err}");
}

#[tokio::test]
async fn serve_refuses_a_bypassrls_role() {
    let db = testenv::fresh_database(migrate).await;
    let redis = testenv::redis_url().await;
    let role = format!("bypass_{}", uuid::Uuid::new_v4().simple());
    let mut admin = {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&db.admin_url).await.unwrap()
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {role} LOGIN BYPASSRLS IN ROLE backend_app"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let admin_url: url::Url = db.admin_url.parse().unwrap();
    let url = testenv::url_for(&admin_url, &role, &db.name);
    let result = build(settings(&db, &redis, &[("DATABASE_URL", &url)])).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE {role}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let err = result.err().expect("a BYPASSRLS role must be refused");
    assert!(err.to_string().contains("BYPASSRLS"), "{err}");
}

#[tokio::test]
async fn serve_accepts_the_application_role() {
    let db = testenv::fresh_database(migrate).await;
    let redis = testenv::redis_url().await;
    assert!(build(settings(&db, &redis, &[])).await.is_ok());
}
