use backend_client::types::{OrgInput, ProjectInput, Role};
use backend_e2e::spawn::Backend;

#[tokio::test]
async fn a_guest_runs_the_whole_org_and_project_lifecycle() {
    let backend = Backend::start(&[]).await;
    let signin = backend.client().auth_guest().await.expect("sign in");
    assert_eq!(signin.status(), 201);
    let signin = signin.into_inner();
    let api = backend.client_with_token(&signin.access_token);
    let slug = format!("e2e-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    let created = api
        .org_create(
            None,
            &OrgInput {
                name: "E2E Org".parse().unwrap(),
                slug: Some(slug.parse().unwrap()),
            },
        )
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let org = created.into_inner();
    assert_eq!(
        (org.name.as_str(), org.slug.as_str(), org.role),
        ("E2E Org", slug.as_str(), Role::Owner)
    );

    let list = api.org_list(None, None).await.unwrap();
    assert_eq!(list.status(), 200);
    let list = list.into_inner();
    assert!(list.data.iter().any(|o| o.id == org.id));
    assert_eq!(list.pagination.limit, 20);

    let by_id = api.org_get(&org.id.to_string(), None).await.unwrap();
    assert_eq!(by_id.status(), 200);
    assert_eq!(by_id.into_inner().slug, slug);
    assert_eq!(
        api.org_get(&slug, None).await.unwrap().into_inner().id,
        org.id
    );

    let renamed = api
        .org_update(
            &slug,
            None,
            &OrgInput {
                name: "E2E Org renamed".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    assert_eq!(renamed.into_inner().name, "E2E Org renamed");

    let project = api
        .project_create(
            &slug,
            None,
            &ProjectInput {
                name: "Site".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(project.status(), 201);
    let project = project.into_inner();
    assert_eq!((project.org_id, project.slug.as_str()), (org.id, "site"));

    let projects = api
        .project_list(&slug, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(projects.pagination.total, 1);
    assert_eq!(projects.data[0].id, project.id);
    assert_eq!(
        api.project_get(&project.id, None)
            .await
            .unwrap()
            .into_inner()
            .name,
        "Site"
    );
    let updated = api
        .project_update(
            &project.id,
            None,
            &ProjectInput {
                name: "Site v2".parse().unwrap(),
                slug: Some("site-v2".parse().unwrap()),
            },
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (updated.name.as_str(), updated.slug.as_str()),
        ("Site v2", "site-v2")
    );

    assert_eq!(
        api.project_delete(&project.id, None)
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        api.project_get(&project.id, None)
            .await
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(404)
    );
    assert_eq!(api.org_delete(&slug, None).await.unwrap().status(), 204);
    let gone = api.org_get(&slug, None).await.unwrap_err();
    let backend_client::Error::ErrorResponse(body) = gone else {
        panic!("typed 404 expected")
    };
    assert_eq!(body.status(), 404);
    assert_eq!(body.message, format!("Organization {slug} not found"));
}
