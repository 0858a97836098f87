//! Row-level security at the database layer, with no server in between: the
//! application role sees nothing without an identity, only its own tenant's
//! rows with one, and cannot write into another tenant.

use crate::helpers::migrate;
use backend_e2e::testenv;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

struct World {
    db: testenv::TestDatabase,
    a: Uuid,
    b: Uuid,
    org_a: Uuid,
    org_b: Uuid,
}

/// Two tenants, seeded as the superuser (which RLS does not bind).
async fn world() -> World {
    let db = testenv::fresh_database(migrate).await;
    let mut admin = PgConnection::connect(&db.admin_url).await.unwrap();
    let (a, b, org_a, org_b) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    for (user, name, org, slug) in [
        (a, "guest-1001", org_a, "org-a"),
        (b, "guest-2002", org_b, "org-b"),
    ] {
        sqlx::query(
            "INSERT INTO users (id, username, guest_id) VALUES ($1, $2, gen_random_uuid())",
        )
        .bind(user)
        .bind(name)
        .execute(&mut admin)
        .await
        .unwrap();
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
            .bind(org).execute(&mut admin).await.unwrap();
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, operation, request_hash, status, response, expires_at) \
             VALUES ($1, 'same-key', 'org_create', sha256('x'::bytea), 201, '{}', now() + interval '1 day')",
        )
        .bind(user)
        .execute(&mut admin)
        .await
        .unwrap();
    }
    World {
        db,
        a,
        b,
        org_a,
        org_b,
    }
}

async fn count(conn: &mut PgConnection, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(conn)
        .await
        .unwrap()
}

const TABLES: [&str; 5] = [
    "users",
    "organizations",
    "memberships",
    "projects",
    "idempotency_keys",
];

#[tokio::test]
async fn the_application_role_with_no_identity_sees_no_rows() {
    let w = world().await;
    let mut admin = PgConnection::connect(&w.db.admin_url).await.unwrap();
    let mut app = PgConnection::connect(&w.db.app_url).await.unwrap();
    for table in TABLES {
        assert!(count(&mut admin, table).await >= 2, "{table} is populated");
        assert_eq!(
            count(&mut app, table).await,
            0,
            "{table} must be invisible without an identity"
        );
    }
}

#[tokio::test]
async fn with_user_a_set_only_a_rows_are_visible_even_without_a_where_clause() {
    let w = world().await;
    let mut app = PgConnection::connect(&w.db.app_url).await.unwrap();
    let mut tx = app.begin().await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT app_begin($1)")
        .bind(w.a)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(exists);
    let orgs: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM organizations")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(orgs, vec![w.org_a]);
    let project_orgs: Vec<Uuid> = sqlx::query_scalar("SELECT org_id FROM projects")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(project_orgs, vec![w.org_a]);
    let users: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM users")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(users, vec![w.a]);
    let members: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM memberships")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(members, vec![w.a]);
    let key_owners: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM idempotency_keys")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        key_owners,
        vec![w.a],
        "a key of the same name, but only A's"
    );
    // A live key cannot be deleted (only expired ones), nor one stored for B.
    let deleted = sqlx::query("DELETE FROM idempotency_keys")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    let forged = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, operation, request_hash, status, response, expires_at) \
         VALUES ($1, 'forged', 'org_create', sha256('x'::bytea), 201, '{}', now() + interval '1 day')",
    )
    .bind(w.b)
    .execute(&mut *tx)
    .await;
    assert!(forged.is_err(), "no key can be stored for another user");
    let mut tx = {
        tx.rollback().await.unwrap();
        let mut tx = app.begin().await.unwrap();
        sqlx::query("SELECT app_begin($1)")
            .bind(w.a)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx
    };
    // Unfiltered writes touch only A's rows.
    let renamed = sqlx::query("UPDATE projects SET name = 'renamed'")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 1);
    tx.commit().await.unwrap();
    let mut admin = PgConnection::connect(&w.db.admin_url).await.unwrap();
    let b_name: String = sqlx::query_scalar("SELECT name FROM projects WHERE org_id = $1")
        .bind(w.org_b)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(b_name, "P", "B's project is untouched");
}

#[tokio::test]
async fn user_a_cannot_insert_into_b_org() {
    let w = world().await;
    let mut app = PgConnection::connect(&w.db.app_url).await.unwrap();
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT app_begin($1)")
        .bind(w.a)
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query(
        "INSERT INTO projects (id, org_id, name, slug) VALUES (gen_random_uuid(), $1, 'x', 'evil')",
    )
    .bind(w.org_b)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    let code = err
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(
        code.as_deref(),
        Some("42501"),
        "row-level security rejects the row: {err}"
    );
    drop(tx);
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT app_begin($1)")
        .bind(w.a)
        .execute(&mut *tx)
        .await
        .unwrap();
    let joined =
        sqlx::query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'member')")
            .bind(w.org_b)
            .bind(w.a)
            .execute(&mut *tx)
            .await;
    assert!(joined.is_err(), "A cannot make itself a member of B's org");
}

#[tokio::test]
async fn the_identity_does_not_outlive_its_transaction_on_a_reused_connection() {
    let w = world().await;
    let mut app = PgConnection::connect(&w.db.app_url).await.unwrap();
    let mut tx = app.begin().await.unwrap();
    // The two-argument form, which the previous release calls (V013).
    sqlx::query("SELECT app_begin($1, $2)")
        .bind(w.b)
        .bind(w.org_b)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(count(&mut tx, "organizations").await, 1);
    tx.commit().await.unwrap();
    for table in TABLES {
        assert_eq!(
            count(&mut app, table).await,
            0,
            "{table} visible after the transaction ended"
        );
    }
}

#[tokio::test]
async fn the_single_round_trip_org_read_applies_the_same_policies() {
    let w = world().await;
    let mut app = PgConnection::connect(&w.db.app_url).await.unwrap();
    let read = |user: Uuid, org: Uuid| {
        sqlx::query_as::<_, (bool, Option<Uuid>)>(
            "SELECT user_exists, id FROM app_org_read($1, $2, NULL)",
        )
        .bind(user)
        .bind(org)
    };
    assert_eq!(
        read(w.a, w.org_a).fetch_one(&mut app).await.unwrap(),
        (true, Some(w.org_a))
    );
    assert_eq!(
        read(w.b, w.org_a).fetch_one(&mut app).await.unwrap(),
        (true, None),
        "B cannot read A's org"
    );
    assert_eq!(
        read(Uuid::new_v4(), w.org_a)
            .fetch_one(&mut app)
            .await
            .unwrap(),
        (false, None)
    );
    for table in TABLES {
        assert_eq!(
            count(&mut app, table).await,
            0,
            "{table}: the identity ended with the statement"
        );
    }
}
