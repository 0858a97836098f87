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
        .project_create(&org.slug, &input("Web App", None))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let project = resp.into_inner();
    assert_eq!(location, format!("/api/v1/projects/{}", project.id));
    assert_eq!((project.slug.as_str(), project.org_id), ("web-app", org.id));

    let err = client
        .project_create(&org.slug, &input("Other", Some("web-app")))
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
        .project_create(&other.slug, &input("Web App", None))
        .await
        .unwrap();

    let updated = client
        .project_update(&project.id, &input("Web App 2", Some("web-2")))
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
        client.project_delete(&project.id).await.unwrap().status(),
        204
    );
    let err = client.project_get(&project.id).await.unwrap_err();
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
            &SetMemberRole { role: Role::Member },
        )
        .await
        .unwrap();
    let project = owner
        .project_create(&org.slug, &input("P1", None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        member
            .project_get(&project.id)
            .await
            .unwrap()
            .into_inner()
            .id,
        project.id
    );
    for err in [
        member
            .project_create(&org.slug, &input("P2", None))
            .await
            .unwrap_err(),
        member
            .project_update(&project.id, &input("X", None))
            .await
            .unwrap_err(),
        member.project_delete(&project.id).await.unwrap_err(),
    ] {
        assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    }
}
