//! Tenant invariants held by PostgreSQL itself (V010), tested as the
//! application role with an owner's identity and no server in between:
//! whatever a handler does, an organization keeps an owner, and projects and
//! memberships stay in their organization.

use crate::helpers::migrate;
use backend_e2e::testenv;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// A user owning two organizations (so moving rows between them would pass
/// every policy), each with a project; returns (db, user, org1, org2).
async fn owner_of_two() -> (testenv::TestDatabase, Uuid, Uuid, Uuid) {
    let db = testenv::fresh_database(migrate).await;
    let mut admin = PgConnection::connect(&db.admin_url).await.unwrap();
    let (user, org1, org2) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    sqlx::query(
        "INSERT INTO users (id, username, guest_id) VALUES ($1, 'guest-3003', gen_random_uuid())",
    )
    .bind(user)
    .execute(&mut admin)
    .await
    .unwrap();
    for (org, slug) in [(org1, "first-org"), (org2, "second-org")] {
        sqlx::query(
            "INSERT INTO organizations (id, name, slug, created_by) VALUES ($1, $2, $2, $3)",
        )
        .bind(org)
        .bind(slug)
        .bind(user)
        .execute(&mut admin)
        .await
        .unwrap();
        sqlx::query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner')")
            .bind(org)
            .bind(user)
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query("INSERT INTO projects (id, org_id, name, slug) VALUES (gen_random_uuid(), $1, 'P', 'proj')")
            .bind(org)
            .execute(&mut admin)
            .await
            .unwrap();
    }
    (db, user, org1, org2)
}

/// Runs `statement` as the application role acting as `user`, then COMMIT;
/// returns the SQLSTATE of the first failure.
async fn as_user(db: &testenv::TestDatabase, user: Uuid, statement: &str) -> Option<String> {
    let mut app = PgConnection::connect(&db.app_url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut app).await.unwrap();
    sqlx::query("SELECT app_begin($1)")
        .bind(user)
        .execute(&mut app)
        .await
        .unwrap();
    let run = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut app)
        .await;
    let result = match run {
        Ok(_) => sqlx::query("COMMIT").execute(&mut app).await.map(drop),
        Err(e) => Err(e),
    };
    result.err().and_then(|e| {
        e.as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned())
    })
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_or_demoted_even_by_sql() {
    let (db, user, org1, _) = owner_of_two().await;
    for statement in [
        format!("DELETE FROM memberships WHERE org_id = '{org1}' AND user_id = '{user}'"),
        format!("UPDATE memberships SET role = 'admin' WHERE org_id = '{org1}'"),
    ] {
        assert_eq!(
            as_user(&db, user, &statement).await.as_deref(),
            Some("23514"),
            "{statement}"
        );
    }
    // Deleting the organization itself takes its memberships with it.
    assert_eq!(
        as_user(
            &db,
            user,
            &format!("DELETE FROM organizations WHERE id = '{org1}'")
        )
        .await,
        None
    );
}

#[tokio::test]
async fn projects_and_memberships_never_move_between_organizations() {
    let (db, user, org1, org2) = owner_of_two().await;
    for statement in [
        format!("UPDATE projects SET org_id = '{org2}' WHERE org_id = '{org1}'"),
        format!("UPDATE memberships SET org_id = '{org2}' WHERE org_id = '{org1}'"),
        format!("UPDATE memberships SET user_id = gen_random_uuid() WHERE org_id = '{org1}'"),
        format!("UPDATE organizations SET created_by = gen_random_uuid() WHERE id = '{org1}'"),
    ] {
        assert_eq!(
            as_user(&db, user, &statement).await.as_deref(),
            Some("42501"),
            "{statement}"
        );
    }
    // What the API does change still works.
    assert_eq!(
        as_user(
            &db,
            user,
            &format!("UPDATE projects SET name = 'Q' WHERE org_id = '{org1}'")
        )
        .await,
        None
    );
}
