//! The live schema in one file: `migrations/schema.sql` is what `pg_dump
//! --schema-only` prints for a database migrated from empty, so a reader sees
//! every table, function and policy as it is now instead of replaying
//! thirteen migrations in their head. It is checked like the OpenAPI document:
//! a migration added without regenerating it fails here, naming the command.
//!
//! Needs `pg_dump` of PostgreSQL 15 on the PATH (what CI runs; another major
//! prints other text and fails the comparison).

use backend_e2e::testenv;
use backend_server::db::migrate;
use sqlx::Connection;

const COMMITTED: &str = "migrations/schema.sql";
const REGENERATE: &str = "bash scripts/schema.sh";

/// `pg_dump --schema-only` of `url`, without what differs between two dumps
/// of the same schema: the versions of the server and of pg_dump, and the
/// random key of the `\restrict` guard that pg_dump 15.14 and later print.
async fn live_schema(url: &str) -> String {
    let out = tokio::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-password", url])
        .output()
        .await
        .expect("pg_dump runs (the PostgreSQL client tools are on the PATH)");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("pg_dump prints UTF-8");
    let mut schema = String::from(
        "-- The live schema: what the migrations in this directory build, as\n\
         -- `pg_dump --schema-only` prints it. Generated, never edited: see\n\
         -- server/tests/api/schema.rs.\n",
    );
    for line in text.lines() {
        let varies = line.starts_with("\\restrict ")
            || line.starts_with("\\unrestrict ")
            || line.starts_with("-- Dumped from database version")
            || line.starts_with("-- Dumped by pg_dump version");
        if !varies {
            schema.push_str(line);
            schema.push('\n');
        }
    }
    schema
}

/// A database migrated from empty by this binary's migrations.
async fn migrated() -> testenv::TestDatabase {
    let db = testenv::empty_database().await;
    let url = secrecy::SecretString::from(db.owner_url.clone());
    migrate::run(&url, None).await.expect("migrations apply");
    db
}

fn compare(committed: &str, live: &str) -> Result<(), String> {
    crate::contract::compare(COMMITTED, committed, live, REGENERATE)
}

#[tokio::test]
async fn the_committed_schema_is_what_the_migrations_build() {
    let db = migrated().await;
    let live = live_schema(&db.admin_url).await;
    let path = backend_e2e::repo_root().join(COMMITTED);
    // `scripts/schema.sh` sets this to write the file instead of comparing.
    if std::env::var_os("SCHEMA_SQL_WRITE").is_some() {
        std::fs::write(&path, &live).expect("write migrations/schema.sql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if let Err(e) = compare(&committed, &live) {
        panic!("{e}");
    }
}

#[tokio::test]
async fn a_migration_without_a_regenerated_schema_fails_the_check() {
    let db = migrated().await;
    let before = live_schema(&db.admin_url).await;
    // What a new migration would do.
    let mut owner = sqlx::PgConnection::connect(&db.owner_url).await.unwrap();
    sqlx::raw_sql("CREATE TABLE drift_probe (id bigint PRIMARY KEY)")
        .execute(&mut owner)
        .await
        .unwrap();
    let after = live_schema(&db.admin_url).await;
    let err = compare(&before, &after).expect_err("the new table is a difference");
    assert!(err.contains(REGENERATE), "{err}");
    // And the same database dumped twice is no difference.
    assert_eq!(compare(&after, &live_schema(&db.admin_url).await), Ok(()));
}

/// The functions that set the caller's identity, and the one line each must
/// contain. `app_begin` is what tenant transactions call; the five
/// statement-sized reads set it inline (V006 measured why) and must set
/// exactly the same, and nothing else (no organization scope since V013).
#[tokio::test]
async fn every_function_that_sets_the_identity_sets_it_the_same_way() {
    const IDENTITY: &str =
        "ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);";
    let db = migrated().await;
    let mut admin = sqlx::PgConnection::connect(&db.admin_url).await.unwrap();
    let bodies: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.oid::regprocedure::text, p.prosrc FROM pg_proc p \
         JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = 'public' AND p.prosrc LIKE '%set_config%' ORDER BY 1",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    let names: Vec<&str> = bodies.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "app_begin(uuid)",
            "app_member_page_after(uuid,uuid,text,timestamp with time zone,uuid,bigint)",
            "app_org_page_after(uuid,timestamp with time zone,uuid,bigint)",
            "app_org_read(uuid,uuid,text)",
            "app_project_page(uuid,uuid,text,bigint,bigint)",
            "app_project_page_after(uuid,uuid,text,timestamp with time zone,uuid,bigint)",
        ],
        "the functions that call set_config"
    );
    for (name, body) in &bodies {
        let sets: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| l.contains("set_config"))
            .collect();
        assert_eq!(
            sets,
            [IDENTITY],
            "{name} sets the identity and nothing else"
        );
    }
    // Nothing reads an organization scope any more.
    let scoped: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_policies WHERE qual LIKE '%app_org_id%' OR with_check LIKE '%app_org_id%'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(scoped, 0);
}
