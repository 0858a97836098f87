use backend_e2e::testenv;
use backend_server::db::migrate;
use sqlx::Connection;

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_are_idempotent() {
    let db = testenv::empty_database().await;
    let url = secrecy::SecretString::from(db.owner_url.clone());
    let first = migrate::run(&url, None).await.expect("first run");
    assert_eq!(
        first,
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    );
    assert_eq!(migrate::latest_version(), 16);
    let second = migrate::run(&url, None).await.expect("second run");
    assert!(
        second.is_empty(),
        "nothing to apply the second time: {second:?}"
    );

    let mut admin = sqlx::PgConnection::connect(&db.admin_url).await.unwrap();
    let forced: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT relname::text, relrowsecurity, relforcerowsecurity FROM pg_class \
         WHERE relname IN ('users', 'organizations', 'memberships', 'projects') ORDER BY relname",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(forced.len(), 4);
    for (table, enabled, forced) in forced {
        assert!(
            enabled && forced,
            "{table} must ENABLE and FORCE row level security"
        );
    }
    let owner: String =
        sqlx::query_scalar("SELECT tableowner::text FROM pg_tables WHERE tablename = 'projects'")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!(
        owner, "backend_owner",
        "tables belong to the owner role, not the app role"
    );
}

#[tokio::test]
async fn two_concurrent_migrations_apply_each_version_once() {
    let db = testenv::empty_database().await;
    let url = secrecy::SecretString::from(db.owner_url.clone());
    let (first, second) = tokio::join!(migrate::run(&url, None), migrate::run(&url, None));
    let (mut first, second) = (first.expect("first run"), second.expect("second run"));
    first.extend(second);
    first.sort_unstable();
    assert_eq!(
        first,
        (1..=migrate::latest_version()).collect::<Vec<_>>(),
        "every version applied exactly once between the two"
    );
}
