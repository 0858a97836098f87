//! The cross-tenant attack suite: guest B probes everything guest A owns.
//! Every probe must answer 404 (never 403, never 200), and A's data must be
//! unchanged afterwards.

use backend_client::types::{ErrorCode, OrgInput, ProjectInput, Role, SetMemberRole};
use backend_client::{Client, Error};
use backend_e2e::spawn::Backend;

fn code<T: std::fmt::Debug>(
    r: Result<T, Error<backend_client::types::ApiError>>,
) -> (u16, Option<ErrorCode>) {
    match r {
        Ok(v) => panic!("cross-tenant request succeeded: {v:?}"),
        Err(Error::ErrorResponse(body)) => (body.status().as_u16(), Some(body.error)),
        Err(other) => (other.status().map_or(0, |s| s.as_u16()), None),
    }
}

fn named(name: &str) -> OrgInput {
    OrgInput {
        name: name.parse().unwrap(),
        slug: None,
    }
}

fn project_named(name: &str) -> ProjectInput {
    ProjectInput {
        name: name.parse().unwrap(),
        slug: None,
    }
}

async fn guest(backend: &Backend) -> (backend_client::types::User, Client) {
    let s = backend.client().auth_guest().await.unwrap().into_inner();
    (s.user, backend.client_with_token(&s.access_token))
}

#[tokio::test]
async fn guest_b_cannot_see_or_touch_anything_of_guest_a() {
    let backend = Backend::start(&[]).await;
    let (a_user, a) = guest(&backend).await;
    let (b_user, b) = guest(&backend).await;
    let slug = format!("a-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let org = a
        .org_create(
            None,
            &OrgInput {
                name: "A's".parse().unwrap(),
                slug: Some(slug.parse().unwrap()),
            },
        )
        .await
        .unwrap()
        .into_inner();
    let project = a
        .project_create(
            &slug,
            None,
            &ProjectInput {
                name: "Secret".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap()
        .into_inner();
    let org_not_found = (404, Some(ErrorCode::OrgNotFound));
    let project_not_found = (404, Some(ErrorCode::ProjectNotFound));
    let id = org.id.to_string();

    for key in [id.as_str(), slug.as_str()] {
        assert_eq!(
            code(b.org_get(key, None).await),
            org_not_found,
            "read {key}"
        );
        assert_eq!(
            code(
                b.org_update(
                    key,
                    None,
                    &OrgInput {
                        name: "pwned".parse().unwrap(),
                        slug: None
                    }
                )
                .await
            ),
            org_not_found
        );
        assert_eq!(code(b.org_delete(key, None).await), org_not_found);
        assert_eq!(code(b.member_list(key, None, None).await), org_not_found);
        assert_eq!(
            code(
                b.member_set(key, &b_user.id, None, &SetMemberRole { role: Role::Owner })
                    .await
            ),
            org_not_found,
            "join {key}"
        );
        assert_eq!(
            code(b.member_remove(key, &a_user.id, None).await),
            org_not_found
        );
        assert_eq!(code(b.project_list(key, None, None).await), org_not_found);
        assert_eq!(
            code(
                b.project_create(
                    key,
                    None,
                    &ProjectInput {
                        name: "Evil".parse().unwrap(),
                        slug: None
                    }
                )
                .await
            ),
            org_not_found,
            "create in {key}"
        );
    }
    assert_eq!(
        code(b.project_get(&project.id, None).await),
        project_not_found
    );
    assert_eq!(
        code(
            b.project_update(
                &project.id,
                None,
                &ProjectInput {
                    name: "pwned".parse().unwrap(),
                    slug: None
                }
            )
            .await
        ),
        project_not_found
    );
    assert_eq!(
        code(b.project_delete(&project.id, None).await),
        project_not_found
    );
    assert!(
        b.org_list(None, None)
            .await
            .unwrap()
            .into_inner()
            .data
            .iter()
            .all(|o| o.id != org.id)
    );

    // A's data is intact.
    let still = a.org_get(&slug, None).await.unwrap().into_inner();
    assert_eq!(still.name, "A's");
    let members = a.member_list(&slug, None, None).await.unwrap().into_inner();
    assert_eq!(
        members.data.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        vec![a_user.id]
    );
    assert_eq!(
        a.project_get(&project.id, None)
            .await
            .unwrap()
            .into_inner()
            .name,
        "Secret"
    );
    assert_eq!(
        a.project_list(&slug, None, None)
            .await
            .unwrap()
            .into_inner()
            .pagination
            .total,
        1
    );
}

/// Organization slugs are public names, unique across all tenants (like
/// user names on a code host): a taken slug answers 409 to anyone, and that
/// is all it reveals. Membership, the organization's id, name or anything in
/// it stays hidden: reads still answer 404 (docs/architecture/tenancy.md).
#[tokio::test]
async fn a_taken_slug_reveals_only_that_it_is_taken() {
    let backend = Backend::start(&[]).await;
    let (_, a) = guest(&backend).await;
    let (_, b) = guest(&backend).await;
    let slug = format!("taken-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let org = a
        .org_create(
            None,
            &OrgInput {
                name: "A's secret name".parse().unwrap(),
                slug: Some(slug.parse().unwrap()),
            },
        )
        .await
        .unwrap()
        .into_inner();
    let own = b
        .org_create(
            None,
            &OrgInput {
                name: "B's".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap()
        .into_inner();
    let attempts = [
        b.org_create(
            None,
            &OrgInput {
                name: "Squatter".parse().unwrap(),
                slug: Some(slug.parse().unwrap()),
            },
        )
        .await
        .map(drop),
        b.org_update(
            &own.slug,
            None,
            &OrgInput {
                name: "B's".parse().unwrap(),
                slug: Some(slug.parse().unwrap()),
            },
        )
        .await
        .map(drop),
    ];
    for attempt in attempts {
        let Err(Error::ErrorResponse(body)) = attempt else {
            panic!("a taken slug was accepted: {attempt:?}");
        };
        assert_eq!(
            (body.status().as_u16(), body.error),
            (409, ErrorCode::OrgSlugConflict)
        );
        let shown = serde_json::to_string(&*body).unwrap();
        assert!(
            !shown.contains(&org.id.to_string()) && !shown.contains("secret"),
            "the conflict shows more than the slug being taken: {shown}"
        );
    }
    assert_eq!(
        code(b.org_get(&slug, None).await),
        (404, Some(ErrorCode::OrgNotFound))
    );
    let still = a.org_get(&slug, None).await.unwrap().into_inner();
    assert_eq!((still.id, still.name.as_str()), (org.id, "A's secret name"));
}

/// ETags, preconditions and idempotency keys are no side channel: whatever
/// tag or key guest B sends for guest A's organization, project or membership,
/// the answer is the same 404 as for something that does not exist (never 304,
/// never 412 with A's current ETag, never a replay), and nothing of A changes.
#[tokio::test]
async fn etags_and_idempotency_keys_of_tenant_a_reveal_nothing_to_tenant_b() {
    let backend = Backend::start(&[]).await;
    let a_signin = backend.client().auth_guest().await.unwrap().into_inner();
    let (a_user, a_token) = (a_signin.user, a_signin.access_token);
    let a = backend.client_with_token(&a_token);
    let b_token = backend
        .client()
        .auth_guest()
        .await
        .unwrap()
        .into_inner()
        .access_token;
    let org = a.org_create(None, &named("A")).await.unwrap().into_inner();
    let project = a
        .project_create(&org.slug, None, &project_named("A's project"))
        .await
        .unwrap()
        .into_inner();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", backend.base_url);
    let org_path = format!("/api/v1/orgs/{}", org.id);
    let project_path = format!("/api/v1/projects/{}", project.id);
    let member_path = format!("/api/v1/orgs/{}/members/{}", org.id, a_user.id);
    for tag in ["\"1\"", "\"2\"", "*"] {
        for (path, code) in [
            (&org_path, "ORG_NOT_FOUND"),
            (&project_path, "PROJECT_NOT_FOUND"),
        ] {
            let read = http
                .get(url(path))
                .bearer_auth(&b_token)
                .header("if-none-match", tag)
                .send()
                .await
                .unwrap();
            assert_eq!(read.status(), 404, "GET {path} If-None-Match {tag}");
            assert!(read.headers().get("etag").is_none(), "no ETag leaks");
            let put = http
                .put(url(path))
                .bearer_auth(&b_token)
                .header("if-match", tag)
                .json(&serde_json::json!({"name": "B was here"}))
                .send()
                .await
                .unwrap();
            assert_eq!(put.status(), 404, "PUT {path} If-Match {tag}");
            assert!(put.headers().get("etag").is_none(), "no ETag leaks");
            let body: serde_json::Value = put.json().await.unwrap();
            assert_eq!(body["error"], code);
            let delete = http
                .delete(url(path))
                .bearer_auth(&b_token)
                .header("if-match", tag)
                .send()
                .await
                .unwrap();
            assert_eq!(delete.status(), 404, "DELETE {path} If-Match {tag}");
        }
        let member = http
            .put(url(&member_path))
            .bearer_auth(&b_token)
            .header("if-match", tag)
            .json(&serde_json::json!({"role": "member"}))
            .send()
            .await
            .unwrap();
        assert_eq!(member.status(), 404, "member change with If-Match {tag}");
    }
    // A's idempotency key replays nothing for B: in A's organization B gets
    // the 404 of any stranger, in B's own the key is B's and makes B's project.
    let key = "a-key-1";
    let made = http
        .post(url(&format!("/api/v1/orgs/{}/projects", org.id)))
        .bearer_auth(&a_token)
        .header("idempotency-key", key)
        .json(&serde_json::json!({"name": "Keyed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let replay_attempt = http
        .post(url(&format!("/api/v1/orgs/{}/projects", org.id)))
        .bearer_auth(&b_token)
        .header("idempotency-key", key)
        .json(&serde_json::json!({"name": "Keyed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(replay_attempt.status(), 404);
    assert!(
        replay_attempt
            .headers()
            .get("idempotent-replayed")
            .is_none()
    );
    let b_org: serde_json::Value = http
        .post(url("/api/v1/orgs"))
        .bearer_auth(&b_token)
        .json(&serde_json::json!({"name": "B"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own = http
        .post(url(&format!(
            "/api/v1/orgs/{}/projects",
            b_org["id"].as_str().unwrap()
        )))
        .bearer_auth(&b_token)
        .header("idempotency-key", key)
        .json(&serde_json::json!({"name": "Keyed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 201);
    assert!(
        own.headers().get("idempotent-replayed").is_none(),
        "B's own key"
    );
    let own: serde_json::Value = own.json().await.unwrap();
    assert_eq!(own["org_id"], b_org["id"]);

    // A's resources are untouched: same versions, same names.
    let org_now = a.org_get(&org.slug, None).await.unwrap().into_inner();
    let project_now = a.project_get(&project.id, None).await.unwrap().into_inner();
    assert_eq!((org_now.version, org_now.name.as_str()), (1, "A"));
    assert_eq!(
        (project_now.version, project_now.name.as_str()),
        (1, "A's project")
    );
}
