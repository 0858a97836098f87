//! ETags and preconditions on organizations, projects and memberships: a
//! concurrent edit fails with 412 instead of overwriting, and a client that
//! has the current version gets 304 without a body.

use crate::helpers::{TestApp, create_org, spawn_app};
use backend_client::types::{ErrorCode, OrgInput, ProjectInput, Role, SetMemberRole};

fn project_input(name: &str) -> ProjectInput {
    ProjectInput {
        name: name.parse().unwrap(),
        slug: None,
    }
}

fn org_input(name: &str) -> OrgInput {
    OrgInput {
        name: name.parse().unwrap(),
        slug: None,
    }
}

/// The ETag header of a typed client answer or error.
fn etag_of<T>(headers: &reqwest::header::HeaderMap, what: T) -> String
where
    T: std::fmt::Debug,
{
    headers
        .get("etag")
        .unwrap_or_else(|| panic!("no ETag on {what:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn failed_with_etag<T: std::fmt::Debug>(
    err: &backend_client::Error<backend_client::types::ApiError>,
    what: T,
) -> String {
    assert_eq!(
        backend_client::error_code(err),
        Some(ErrorCode::PreconditionFailed),
        "{what:?}: {err}"
    );
    match err {
        backend_client::Error::ErrorResponse(rv) => {
            assert_eq!(rv.status(), 412);
            etag_of(rv.headers(), what)
        }
        other => panic!("{what:?}: not an error response: {other}"),
    }
}

/// An owner and an admin of one organization, each with a client.
async fn two_managers(
    app: &TestApp,
) -> (
    backend_client::Client,
    backend_client::Client,
    backend_client::types::Org,
) {
    let (_, _, owner) = app.guest().await;
    let (_, admin_user, admin) = app.guest().await;
    let org = create_org(&owner, "Acme").await;
    owner
        .member_set(
            &org.slug,
            &admin_user.id,
            None,
            &SetMemberRole { role: Role::Admin },
        )
        .await
        .unwrap();
    (owner, admin, org)
}

#[tokio::test]
async fn of_two_concurrent_edits_with_if_match_exactly_one_wins() {
    let app = spawn_app().await;
    let (owner, admin, org) = two_managers(&app).await;
    let project = owner
        .project_create(&org.slug, None, &project_input("Website"))
        .await
        .unwrap()
        .into_inner();

    // Both read the project and see the same version.
    let read_a = owner.project_get(&project.id, None).await.unwrap();
    let read_b = admin.project_get(&project.id, None).await.unwrap();
    let tag_a = etag_of(read_a.headers(), "read a");
    let tag_b = etag_of(read_b.headers(), "read b");
    assert_eq!((tag_a.as_str(), tag_b.as_str()), ("\"1\"", "\"1\""));
    assert_eq!(read_a.into_inner().version, 1);

    // Both write at once, each with the ETag it read. A row lock held here
    // makes both pass the handler's own version check and queue at the
    // UPDATE, so it is the statement's guard that must stop the second one.
    let holder = app.hold_row("projects", project.id).await;
    let a_input = project_input("Website by A");
    let b_input = project_input("Website by B");
    let writes = async {
        tokio::join!(
            owner.project_update(&project.id, Some(&tag_a), &a_input),
            admin.project_update(&project.id, Some(&tag_b), &b_input),
        )
    };
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        holder.release().await;
    };
    let ((a, b), ()) = tokio::join!(writes, release);
    let (winner, loser) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        (a, b) => panic!("exactly one must win: {a:?} / {b:?}"),
    };
    let new_tag = etag_of(winner.headers(), "winner");
    let won = winner.into_inner();
    assert_eq!((won.version, new_tag.as_str()), (2, "\"2\""));
    assert_eq!(
        failed_with_etag(&loser, "loser"),
        new_tag,
        "412 names the current ETag"
    );

    // The loser's change is nowhere: the stored project is the winner's.
    let stored = owner
        .project_get(&project.id, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (stored.name.as_str(), stored.version),
        (won.name.as_str(), 2)
    );

    // The loser re-reads and retries with the current ETag: now it applies.
    let retried = admin
        .project_update(
            &project.id,
            Some(&new_tag),
            &project_input("Website, merged"),
        )
        .await
        .unwrap();
    assert_eq!(etag_of(retried.headers(), "retry"), "\"3\"");
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_answers_304_without_a_body() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let project = client
        .project_create(&org.slug, None, &project_input("Website"))
        .await
        .unwrap()
        .into_inner();
    for (path, current) in [
        (format!("/api/v1/orgs/{}", org.slug), "\"1\""),
        (format!("/api/v1/projects/{}", project.id), "\"1\""),
    ] {
        for header in [current, "W/\"1\"", "\"9\", \"1\"", "*"] {
            let resp = app
                .http
                .get(app.url(&path))
                .bearer_auth(&token)
                .header("if-none-match", header)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 304, "{path} with {header}");
            assert_eq!(resp.headers()["etag"], current, "{path}");
            assert!(resp.bytes().await.unwrap().is_empty(), "{path}: no body");
        }
        // Another version, or none at all: the full answer with its ETag.
        for header in [Some("\"2\""), Some("garbage"), None] {
            let mut req = app.http.get(app.url(&path)).bearer_auth(&token);
            if let Some(h) = header {
                req = req.header("if-none-match", h);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 200, "{path} with {header:?}");
            assert_eq!(resp.headers()["etag"], current);
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["version"], 1);
        }
    }
    // A change moves the ETag: the old one no longer gives 304.
    client
        .org_update(&org.slug, Some("\"1\""), &org_input("Acme 2"))
        .await
        .unwrap();
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/orgs/{}", org.id)))
        .bearer_auth(&token)
        .header("if-none-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
}

#[tokio::test]
async fn a_stale_if_match_deletes_nothing_and_the_current_one_deletes() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let project = client
        .project_create(&org.slug, None, &project_input("Website"))
        .await
        .unwrap()
        .into_inner();
    let renamed = client
        .project_update(&project.id, None, &project_input("Website 2"))
        .await
        .unwrap();
    assert_eq!(
        etag_of(renamed.headers(), "rename"),
        "\"2\"",
        "without If-Match too"
    );

    let err = client
        .project_delete(&project.id, Some("\"1\""))
        .await
        .unwrap_err();
    assert_eq!(failed_with_etag(&err, "stale project delete"), "\"2\"");
    assert!(
        client.project_get(&project.id, None).await.is_ok(),
        "still there"
    );
    assert_eq!(
        client
            .project_delete(&project.id, Some("\"2\""))
            .await
            .unwrap()
            .status(),
        204
    );

    let renamed = client
        .org_update(&org.slug, None, &org_input("Acme 2"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(renamed.version, 2);
    let err = client
        .org_delete(&org.slug, Some("\"1\""))
        .await
        .unwrap_err();
    assert_eq!(failed_with_etag(&err, "stale org delete"), "\"2\"");
    assert!(client.org_get(&org.slug, None).await.is_ok(), "still there");
    assert_eq!(
        client
            .org_delete(&org.slug, Some("*"))
            .await
            .unwrap()
            .status(),
        204,
        "* matches whatever exists"
    );
}

#[tokio::test]
async fn memberships_carry_versions_and_honour_if_match() {
    let app = spawn_app().await;
    let (_, _, owner) = app.guest().await;
    let (_, user, _) = app.guest().await;
    let org = create_org(&owner, "Acme").await;
    let set = |role| SetMemberRole { role };

    let added = owner
        .member_set(&org.slug, &user.id, None, &set(Role::Member))
        .await
        .unwrap();
    assert_eq!(etag_of(added.headers(), "add"), "\"1\"");
    let promoted = owner
        .member_set(&org.slug, &user.id, Some("\"1\""), &set(Role::Admin))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((promoted.role, promoted.version), (Role::Admin, 2));

    let err = owner
        .member_set(&org.slug, &user.id, Some("\"1\""), &set(Role::Member))
        .await
        .unwrap_err();
    assert_eq!(failed_with_etag(&err, "stale role change"), "\"2\"");
    let err = owner
        .member_remove(&org.slug, &user.id, Some("\"1\""))
        .await
        .unwrap_err();
    assert_eq!(failed_with_etag(&err, "stale removal"), "\"2\"");

    // A condition on a membership that does not exist: not found, not created.
    let (_, stranger, _) = app.guest().await;
    let err = owner
        .member_set(&org.slug, &stranger.id, Some("*"), &set(Role::Member))
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::UserNotFound)
    );
    assert_eq!(
        owner
            .member_remove(&org.slug, &user.id, Some("\"2\""))
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn an_if_match_that_names_no_current_etag_fails_and_changes_nothing() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    // Weak tags never match a change; the others were never issued.
    for stale in ["W/\"1\"", "1", "\"one\"", "\"2\", \"3\"", ""] {
        let resp = app
            .http
            .put(app.url(&format!("/api/v1/orgs/{}", org.id)))
            .bearer_auth(&token)
            .header("if-match", stale)
            .json(&serde_json::json!({"name": "Renamed"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 412, "{stale:?}");
        assert_eq!(resp.headers()["etag"], "\"1\"", "{stale:?}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "PRECONDITION_FAILED", "{stale:?}");
        assert_eq!(body["details"]["current_etag"], "\"1\"", "{stale:?}");
    }
    let stored = client.org_get(&org.slug, None).await.unwrap().into_inner();
    assert_eq!((stored.name.as_str(), stored.version), ("Acme", 1));
    // A list with the current tag in it passes.
    let renamed = app
        .http
        .put(app.url(&format!("/api/v1/orgs/{}", org.id)))
        .bearer_auth(&token)
        .header("if-match", "\"7\", \"1\"")
        .json(&serde_json::json!({"name": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    assert_eq!(renamed.headers()["etag"], "\"2\"");
}

#[tokio::test]
async fn configuration_entries_send_their_version_as_the_etag() {
    let app = spawn_app().await;
    let admin = crate::configs::admin_token("ops");
    let put = |if_match: Option<&'static str>, value: &'static str| {
        let mut req = app
            .http
            .put(app.url("/api/v1/configs/FEATURE_X"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"value": value}));
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        req.send()
    };
    let first = put(None, "on").await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["etag"], "\"1\"");
    let second = put(Some("\"1\""), "off").await.unwrap();
    assert_eq!(second.headers()["etag"], "\"2\"");
    let stale = put(Some("\"1\""), "on again").await.unwrap();
    assert_eq!(stale.status(), 412);
    assert_eq!(
        stale.headers()["etag"],
        "\"2\"",
        "the stored version's ETag"
    );
    let read = app
        .http
        .get(app.url("/api/v1/configs/FEATURE_X"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(read.headers()["etag"], "\"2\"");
    let body: serde_json::Value = read.json().await.unwrap();
    assert_eq!(
        (body["value"].as_str(), body["version"].as_i64()),
        (Some("off"), Some(2))
    );
}
