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
        .org_create(&OrgInput {
            name: "A's".parse().unwrap(),
            slug: Some(slug.parse().unwrap()),
        })
        .await
        .unwrap()
        .into_inner();
    let project = a
        .project_create(
            &slug,
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
        assert_eq!(code(b.org_get(key).await), org_not_found, "read {key}");
        assert_eq!(
            code(
                b.org_update(
                    key,
                    &OrgInput {
                        name: "pwned".parse().unwrap(),
                        slug: None
                    }
                )
                .await
            ),
            org_not_found
        );
        assert_eq!(code(b.org_delete(key).await), org_not_found);
        assert_eq!(code(b.member_list(key, None, None).await), org_not_found);
        assert_eq!(
            code(
                b.member_set(key, &b_user.id, &SetMemberRole { role: Role::Owner })
                    .await
            ),
            org_not_found,
            "join {key}"
        );
        assert_eq!(code(b.member_remove(key, &a_user.id).await), org_not_found);
        assert_eq!(code(b.project_list(key, None, None).await), org_not_found);
        assert_eq!(
            code(
                b.project_create(
                    key,
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
    assert_eq!(code(b.project_get(&project.id).await), project_not_found);
    assert_eq!(
        code(
            b.project_update(
                &project.id,
                &ProjectInput {
                    name: "pwned".parse().unwrap(),
                    slug: None
                }
            )
            .await
        ),
        project_not_found
    );
    assert_eq!(code(b.project_delete(&project.id).await), project_not_found);
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
    let still = a.org_get(&slug).await.unwrap().into_inner();
    assert_eq!(still.name, "A's");
    let members = a.member_list(&slug, None, None).await.unwrap().into_inner();
    assert_eq!(
        members.data.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        vec![a_user.id]
    );
    assert_eq!(
        a.project_get(&project.id).await.unwrap().into_inner().name,
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
        .org_create(&OrgInput {
            name: "A's secret name".parse().unwrap(),
            slug: Some(slug.parse().unwrap()),
        })
        .await
        .unwrap()
        .into_inner();
    let own = b
        .org_create(&OrgInput {
            name: "B's".parse().unwrap(),
            slug: None,
        })
        .await
        .unwrap()
        .into_inner();
    let attempts = [
        b.org_create(&OrgInput {
            name: "Squatter".parse().unwrap(),
            slug: Some(slug.parse().unwrap()),
        })
        .await
        .map(drop),
        b.org_update(
            &own.slug,
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
        code(b.org_get(&slug).await),
        (404, Some(ErrorCode::OrgNotFound))
    );
    let still = a.org_get(&slug).await.unwrap().into_inner();
    assert_eq!((still.id, still.name.as_str()), (org.id, "A's secret name"));
}
