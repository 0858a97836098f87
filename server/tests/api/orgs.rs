use crate::helpers::{create_org, spawn_app};
use backend_client::types::{ErrorCode, OrgInput, Role};

fn create(name: &str, slug: Option<&str>) -> OrgInput {
    OrgInput {
        name: name.parse().unwrap(),
        slug: slug.map(|s| s.parse().unwrap()),
    }
}

#[tokio::test]
async fn creating_an_org_makes_the_caller_owner_and_answers_201_with_location() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let resp = client
        .org_create(None, &create("  Acme Corp  ", None))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let org = resp.into_inner();
    assert_eq!(location, format!("/api/v1/orgs/{}", org.id));
    assert_eq!(org.name, "Acme Corp");
    assert_eq!(org.slug, "acme-corp");
    assert_eq!(org.role, Role::Owner);
}

#[tokio::test]
async fn orgs_are_found_by_id_and_by_slug_and_listed_newest_first() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let mut ids = vec![];
    for i in 0..3 {
        ids.push(
            client
                .org_create(None, &create(&format!("Org {i}"), None))
                .await
                .unwrap()
                .into_inner()
                .id,
        );
    }
    let by_slug = client.org_get("org-1", None).await.unwrap().into_inner();
    assert_eq!(by_slug.id, ids[1]);
    assert_eq!(
        client
            .org_get(&ids[2].to_string(), None)
            .await
            .unwrap()
            .into_inner()
            .slug,
        "org-2"
    );
    let page = client
        .org_list(Some(std::num::NonZeroU32::new(2).unwrap()), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.pagination.total, 3);
    assert_eq!((page.pagination.limit, page.pagination.offset), (2, 0));
    assert_eq!(
        page.data.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    let rest = client
        .org_list(Some(std::num::NonZeroU32::new(2).unwrap()), Some(2))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        rest.data.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
}

#[tokio::test]
async fn slug_and_name_rules_are_enforced() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    // The typed client cannot even build these; raw requests reach the server.
    let post = |body: serde_json::Value| {
        app.http
            .post(app.url("/api/v1/orgs"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    for bad in ["ab", "Upper", "two--hyphens", "-lead", "trail-", "sp ace"] {
        assert!(
            bad.parse::<backend_client::types::OrgInputSlug>().is_err(),
            "{bad}"
        );
        let body: serde_json::Value = post(serde_json::json!({"name": "Fine", "slug": bad}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["error"], "INVALID_ORG_SLUG", "{bad}");
        assert!(
            body["details"]["rule"]
                .as_str()
                .unwrap()
                .contains("lowercase")
        );
    }
    for bad in ["", "   ", "tab\there", "nul\u{0}", &"x".repeat(101)] {
        let body: serde_json::Value = post(serde_json::json!({"name": bad}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["error"], "VALIDATION_ERROR", "{bad:?}");
        assert_eq!(body["details"]["field"], "name");
    }
    let resp = app
        .http
        .get(app.url("/api/v1/orgs/a%00b"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        404,
        "a NUL in the path is just an unknown org"
    );
}

#[tokio::test]
async fn a_taken_slug_is_409_even_when_two_creates_race() {
    let app = spawn_app().await;
    let (_, _, a) = app.guest().await;
    let (_, _, b) = app.guest().await;
    let body = create("Same", Some("same-slug"));
    let (ra, rb) = tokio::join!(a.org_create(None, &body), b.org_create(None, &body));
    let mut statuses = vec![
        ra.map(|r| r.status().as_u16())
            .unwrap_or_else(|e| e.status().unwrap().as_u16()),
        rb.map(|r| r.status().as_u16())
            .unwrap_or_else(|e| e.status().unwrap().as_u16()),
    ];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409]);
    let err = a.org_create(None, &body).await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::OrgSlugConflict)
    );
}

#[tokio::test]
async fn owners_update_and_delete_members_may_not() {
    let app = spawn_app().await;
    let (_, _, owner) = app.guest().await;
    let (_, member_user, member) = app.guest().await;
    let org = owner
        .org_create(None, &create("Acme", None))
        .await
        .unwrap()
        .into_inner();
    owner
        .member_set(
            &org.slug,
            &member_user.id,
            None,
            &backend_client::types::SetMemberRole { role: Role::Member },
        )
        .await
        .unwrap();
    let update = OrgInput {
        name: "Acme 2".parse().unwrap(),
        slug: Some("acme-two".parse().unwrap()),
    };
    let err = member
        .org_update(&org.slug, None, &update)
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    let updated = owner
        .org_update(&org.slug, None, &update)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (updated.name.as_str(), updated.slug.as_str()),
        ("Acme 2", "acme-two")
    );
    assert!(updated.updated_at >= org.updated_at);
    let err = member.org_delete("acme-two", None).await.unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    assert_eq!(
        owner.org_delete("acme-two", None).await.unwrap().status(),
        204
    );
    let err = owner.org_get("acme-two", None).await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::OrgNotFound)
    );
}

#[tokio::test]
async fn names_with_bidirectional_or_zero_width_characters_are_refused() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    for name in [
        "Acme\u{202E}gpj.exe",
        "Acme\u{200B}",
        "\u{2066}Acme\u{2069}",
        "\u{FEFF}Acme",
    ] {
        let resp = app
            .http
            .post(app.url("/api/v1/orgs"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{name:?}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "VALIDATION_ERROR", "{name:?}");
    }
}

#[tokio::test]
async fn a_slug_shaped_like_a_uuid_is_refused_and_a_uuid_name_still_gets_a_slug() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    for slug in [
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567e89b12d3a456426614174000",
    ] {
        let resp = app
            .http
            .post(app.url("/api/v1/orgs"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "name": "Uuid", "slug": slug }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{slug}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "INVALID_ORG_SLUG");
    }
    let org = create_org(&client, "123e4567-e89b-12d3-a456-426614174000").await;
    assert!(uuid::Uuid::parse_str(&org.slug).is_err(), "{}", org.slug);
    assert_eq!(
        client
            .org_get(&org.slug, None)
            .await
            .unwrap()
            .into_inner()
            .id,
        org.id
    );
}
