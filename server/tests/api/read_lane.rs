//! The read lane (`db::read_lane`): the connections the org read uses, which
//! are taken back without a ping.

use crate::helpers::{create_org, spawn_app};

/// PostgreSQL ending the server's sessions (a restart, a failover, an
/// operator's `pg_terminate_backend`) costs no org read an error: the lane
/// drops the dead connections and runs the read again on a new one.
#[tokio::test]
async fn org_reads_survive_the_database_ending_their_connections() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let id = org.id.to_string();
    // Concurrent reads, so that the lane holds more than one connection.
    let reads = futures::future::join_all((0..4).map(|_| client.org_get(&id, None))).await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");

    let mut admin = app.admin().await;
    let ended: i64 = sqlx::query_scalar(
        // OFFSET 0 keeps the filter from being merged with the call, so
        // only the server's sessions are ended, never this one.
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM ( \
           SELECT pid FROM pg_stat_activity \
           WHERE datname = current_database() AND usename = 'backend_app' \
             AND pid <> pg_backend_pid() OFFSET 0) server_sessions",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(ended >= 1, "the server had sessions to end");

    for _ in 0..3 {
        let got = client
            .org_get(&id, None)
            .await
            .expect("the read is served on a new connection")
            .into_inner();
        assert_eq!(got.id, org.id);
    }
}
