use crate::helpers::{create_org, spawn_app};
use backend_client::types::{ErrorCode, ProjectInput, Role, SetMemberRole};

fn input(name: &str, slug: Option<&str>) -> ProjectInput {
    ProjectInput {
        name: name.parse().unwrap(),
        slug: slug.map(|s| s.parse().unwrap()),
    }
}

#[tokio::test]
async fn projects_live_inside_their_org_with_unique_slugs() {
    let app = spawn_app().await;
    let (owner_token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let resp = client
        .project_create(&org.slug, None, &input("Web App", None))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let project = resp.into_inner();
    assert_eq!(location, format!("/api/v1/projects/{}", project.id));
    assert_eq!((project.slug.as_str(), project.org_id), ("web-app", org.id));

    let err = client
        .project_create(&org.slug, None, &input("Other", Some("web-app")))
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::ProjectSlugConflict)
    );
    // Out of contract, so sent raw: the typed client cannot build it.
    let resp = app
        .http
        .post(app.url(&format!("/api/v1/orgs/{}/projects", org.id)))
        .bearer_auth(&owner_token)
        .json(&serde_json::json!({"name": "Other", "slug": "Bad Slug"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "INVALID_PROJECT_SLUG");

    // The same slug is fine in another org.
    let other = create_org(&client, "Other").await;
    client
        .project_create(&other.slug, None, &input("Web App", None))
        .await
        .unwrap();

    let updated = client
        .project_update(&project.id, None, &input("Web App 2", Some("web-2")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (updated.name.as_str(), updated.slug.as_str()),
        ("Web App 2", "web-2")
    );
    let list = client
        .project_list(&org.slug, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.pagination.total, 1);
    assert_eq!(
        client
            .project_delete(&project.id, None)
            .await
            .unwrap()
            .status(),
        204
    );
    let err = client.project_get(&project.id, None).await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::ProjectNotFound)
    );
}

#[tokio::test]
async fn plain_members_read_projects_but_cannot_change_them() {
    let app = spawn_app().await;
    let (_, _, owner) = app.guest().await;
    let (_, member_user, member) = app.guest().await;
    let org = create_org(&owner, "Acme").await;
    owner
        .member_set(
            &org.slug,
            &member_user.id,
            None,
            &SetMemberRole { role: Role::Member },
        )
        .await
        .unwrap();
    let project = owner
        .project_create(&org.slug, None, &input("P1", None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        member
            .project_get(&project.id, None)
            .await
            .unwrap()
            .into_inner()
            .id,
        project.id
    );
    for err in [
        member
            .project_create(&org.slug, None, &input("P2", None))
            .await
            .unwrap_err(),
        member
            .project_update(&project.id, None, &input("X", None))
            .await
            .unwrap_err(),
        member.project_delete(&project.id, None).await.unwrap_err(),
    ] {
        assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    }
}

#[tokio::test]
async fn the_project_list_pages_newest_first_by_id_or_slug() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let created = client
            .project_create(&org.slug, None, &input(&format!("Project {i}"), None))
            .await
            .unwrap()
            .into_inner();
        ids.push(created.id);
    }
    let two = std::num::NonZeroU32::new(2);
    let first = client
        .project_list(&org.id.to_string(), two, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            first.pagination.total,
            first.pagination.limit,
            first.pagination.offset
        ),
        (3, 2, 0)
    );
    assert_eq!(
        first.data.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    assert!(first.data.iter().all(|p| p.org_id == org.id));
    assert_eq!(
        (first.data[0].name.as_str(), first.data[0].slug.as_str()),
        ("Project 2", "project-2")
    );
    let rest = client
        .project_list(&org.slug, two, Some(2))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        rest.data.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let past_the_end = client
        .project_list(&org.slug, None, Some(10))
        .await
        .unwrap()
        .into_inner();
    assert!(past_the_end.data.is_empty());
    assert_eq!(past_the_end.pagination.total, 3);

    // An empty organization is an empty page, not a 404.
    let empty = create_org(&client, "Empty").await;
    let page = client
        .project_list(&empty.slug, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.data.len(), page.pagination.total), (0, 0));

    // Out-of-range and impossible inputs, sent raw: the typed client cannot
    // build them.
    let get = |path: String| app.http.get(app.url(&path)).bearer_auth(&token).send();
    let resp = get(format!("/api/v1/orgs/{}/projects?limit=0", org.slug))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "VALIDATION_ERROR");
    for missing in ["Not A Slug".to_owned(), uuid::Uuid::new_v4().to_string()] {
        let resp = get(format!("/api/v1/orgs/{missing}/projects"))
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "ORG_NOT_FOUND");
    }
}
