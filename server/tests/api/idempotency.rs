//! `Idempotency-Key` on creates: a retried create makes one row and gets the
//! same answer; the key with another request is refused; a retry while the
//! first still runs gets 409 with `Retry-After`; keys are per caller.

use crate::helpers::{TestApp, create_org, spawn_app};
use backend_client::types::{ErrorCode, OrgInput, ProjectInput};

fn project(name: &str) -> ProjectInput {
    ProjectInput {
        name: name.parse().unwrap(),
        slug: None,
    }
}

async fn project_rows(app: &TestApp, org: uuid::Uuid) -> i64 {
    let mut admin = app.admin().await;
    sqlx::query_scalar("SELECT count(*) FROM projects WHERE org_id = $1")
        .bind(org)
        .fetch_one(&mut admin)
        .await
        .unwrap()
}

/// Status, Location, replay header and body of a create's answer.
fn answer(
    r: &backend_client::ResponseValue<impl serde::Serialize>,
) -> (u16, String, Option<String>, serde_json::Value) {
    let h = r.headers();
    (
        r.status().as_u16(),
        h["location"].to_str().unwrap().to_owned(),
        h.get("idempotent-replayed")
            .map(|v| v.to_str().unwrap().to_owned()),
        serde_json::to_value(&**r).unwrap(),
    )
}

#[tokio::test]
async fn a_create_retried_five_times_with_one_key_makes_one_row_and_five_identical_answers() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let key = uuid::Uuid::new_v4().to_string();
    let mut answers = Vec::new();
    for _ in 0..5 {
        let r = client
            .project_create(&org.slug, Some(&key), &project("Website"))
            .await
            .expect("every try answers 201");
        answers.push(answer(&r));
    }
    assert_eq!(project_rows(&app, org.id).await, 1, "one row");
    let (status, location, replayed, body) = &answers[0];
    assert_eq!(
        (*status, replayed.as_deref()),
        (201, None),
        "the first is new"
    );
    for (i, (s, l, r, b)) in answers.iter().enumerate().skip(1) {
        assert_eq!((s, l, b), (status, location, body), "answer {i}");
        assert_eq!(r.as_deref(), Some("true"), "answer {i} says it is a replay");
    }
    // The org by id is the same request as by slug.
    let by_id = client
        .project_create(&org.id.to_string(), Some(&key), &project("Website"))
        .await
        .unwrap();
    assert_eq!(answer(&by_id).3, *body);

    // Organizations too.
    let org_key = uuid::Uuid::new_v4().to_string();
    let input = OrgInput {
        name: "Retried Inc".parse().unwrap(),
        slug: None,
    };
    let first = client.org_create(Some(&org_key), &input).await.unwrap();
    let again = client.org_create(Some(&org_key), &input).await.unwrap();
    assert_eq!(answer(&first).3, answer(&again).3);
    let listed = client.org_list(None, None).await.unwrap().into_inner();
    let named: Vec<_> = listed
        .data
        .iter()
        .filter(|o| o.name.as_str() == "Retried Inc")
        .collect();
    assert_eq!(named.len(), 1, "one organization");
}

#[tokio::test]
async fn the_same_key_with_another_request_is_refused_and_creates_nothing() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let other_org = create_org(&client, "Other").await;
    let key = "order-42";
    client
        .project_create(&org.slug, Some(key), &project("Website"))
        .await
        .unwrap();
    for (org_slug, input) in [
        (&org.slug, project("Another name")),
        (&other_org.slug, project("Website")),
    ] {
        let err = client
            .project_create(org_slug, Some(key), &input)
            .await
            .unwrap_err();
        assert_eq!(
            backend_client::error_code(&err),
            Some(ErrorCode::IdempotencyKeyReused)
        );
    }
    // Another operation with the key is another request too.
    let err = client
        .org_create(
            Some(key),
            &OrgInput {
                name: "Website".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::IdempotencyKeyReused)
    );
    assert_eq!(project_rows(&app, org.id).await, 1);
    assert_eq!(project_rows(&app, other_org.id).await, 0);
}

#[tokio::test]
async fn two_concurrent_first_requests_with_one_key_make_one_row() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    // Hold the organization's row so that the first request, once it has the
    // key, waits at its INSERT (the foreign key check): both are in flight.
    let holder = app.hold_row("organizations", org.id).await;
    let send = || {
        app.http
            .post(app.url(&format!("/api/v1/orgs/{}/projects", org.id)))
            .bearer_auth(&token)
            .header("idempotency-key", "concurrent-1")
            .json(&serde_json::json!({"name": "Website"}))
            .send()
    };
    let first = tokio::spawn(send());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let second = send().await.unwrap();
    assert_eq!(second.status(), 409, "the first still runs");
    assert_eq!(second.headers()["retry-after"], "1");
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"], "IDEMPOTENCY_IN_PROGRESS");

    holder.release().await;
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.status(), 201);
    let first_body: serde_json::Value = first.json().await.unwrap();
    // The retry after Retry-After gets the first answer.
    let retry = send().await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<serde_json::Value>().await.unwrap(), first_body);
    assert_eq!(project_rows(&app, org.id).await, 1, "one row");
}

#[tokio::test]
async fn keys_are_per_caller_expire_and_are_pruned() {
    let app = spawn_app().await;
    let (_, _, a) = app.guest().await;
    let (_, _, b) = app.guest().await;
    let a_org = create_org(&a, "A").await;
    let b_org = create_org(&b, "B").await;
    let key = "shared-key";
    let a_made = a
        .project_create(&a_org.slug, Some(key), &project("Website"))
        .await
        .unwrap()
        .into_inner();
    // B's key of the same name is B's own: a new project of B, nothing of A.
    let b_made = b
        .project_create(&b_org.slug, Some(key), &project("Website"))
        .await
        .unwrap();
    assert_eq!(b_made.headers().get("idempotent-replayed"), None);
    let b_made = b_made.into_inner();
    assert_ne!(b_made.id, a_made.id);
    assert_eq!(b_made.org_id, b_org.id);

    // Expired (as if 24 h had passed): the key is free again, and the pruner
    // removes what is left of expired keys.
    let mut admin = app.admin().await;
    sqlx::query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
        .execute(&mut admin)
        .await
        .unwrap();
    let fresh = a
        .project_create(&a_org.slug, Some(key), &project("Website 2"))
        .await
        .unwrap();
    assert_eq!(
        fresh.headers().get("idempotent-replayed"),
        None,
        "a new request"
    );
    let pruned: i32 = sqlx::query_scalar("SELECT app_prune_idempotency_keys(100)")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        pruned, 1,
        "B's expired key; A's was replaced by the new one"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_keys")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(left, 1);
}
