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

/// A login role that does not inherit the owner's rights but may `SET ROLE`
/// to it (or to a BYPASSRLS role) is one statement away from leaving RLS.
#[tokio::test]
async fn serve_refuses_a_role_that_can_set_role_to_the_owner_or_a_bypassrls_role() {
    use sqlx::Connection;
    let db = testenv::fresh_database(migrate).await;
    let redis = testenv::redis_url().await;
    let mut admin = sqlx::PgConnection::connect(&db.admin_url).await.unwrap();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (via_owner, via_bypass, bypass) = (
        format!("setrole_owner_{suffix}"),
        format!("setrole_bypass_{suffix}"),
        format!("bypass_target_{suffix}"),
    );
    for statement in [
        format!("CREATE ROLE {via_owner} LOGIN NOINHERIT IN ROLE backend_app, backend_owner"),
        format!("CREATE ROLE {bypass} NOLOGIN BYPASSRLS"),
        format!("CREATE ROLE {via_bypass} LOGIN NOINHERIT IN ROLE backend_app, {bypass}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let admin_url: url::Url = db.admin_url.parse().unwrap();
    let mut errors = Vec::new();
    for role in [&via_owner, &via_bypass] {
        let url = testenv::url_for(&admin_url, role, &db.name);
        errors.push(
            build(settings(&db, &redis, &[("DATABASE_URL", &url)]))
                .await
                .err()
                .map(|e| e.to_string()),
        );
    }
    for role in [&via_owner, &via_bypass, &bypass] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE {role}")))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let owner = errors[0].as_deref().expect("the owner's member is refused");
    assert!(owner.contains("SET ROLE to backend_owner"), "{owner}");
    let bypassing = errors[1]
        .as_deref()
        .expect("a BYPASSRLS role's member is refused");
    assert!(bypassing.contains("BYPASSRLS"), "{bypassing}");
}
