//! Cursor pages (`/api/v2/`): a walk is stable under concurrent inserts and
//! deletes, the generated client streams it, and a cursor works only for its
//! list and its caller.

use crate::helpers::{create_org, spawn_app};
use backend_client::types::{ErrorCode, ProjectInput, Role, SetMemberRole};
use futures::TryStreamExt;
use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use uuid::Uuid;

fn project(name: &str) -> ProjectInput {
    ProjectInput {
        name: name.parse().unwrap(),
        slug: None,
    }
}

#[tokio::test]
async fn a_walk_returns_every_row_that_existed_throughout_exactly_once_while_others_change() {
    let app = spawn_app().await;
    let (_, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    // 24 projects that stay, 12 that another task deletes during the walk,
    // interleaved in creation order.
    let (mut stable, mut doomed) = (HashSet::new(), Vec::new());
    for i in 0..36 {
        let p = client
            .project_create(&org.slug, None, &project(&format!("p{i}")))
            .await
            .unwrap()
            .into_inner();
        if i % 3 == 2 {
            doomed.push(p.id);
        } else {
            stable.insert(p.id);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let changes = Arc::new(AtomicUsize::new(0));
    let churn = {
        let (client, slug, stop, changes) = (
            client.clone(),
            org.slug.clone(),
            stop.clone(),
            changes.clone(),
        );
        tokio::spawn(async move {
            let mut doomed = doomed.into_iter();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                client
                    .project_create(&slug, None, &project(&format!("new{n}")))
                    .await
                    .unwrap();
                if let Some(id) = doomed.next() {
                    client.project_delete(&id, None).await.unwrap();
                }
                n += 1;
                changes.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .project_list_v2(&org.slug, NonZeroU32::new(5), token.as_deref())
            .await
            .unwrap()
            .into_inner();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.iter().map(|p| p.id));
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        match page.next_page {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    stop.store(true, Ordering::Relaxed);
    churn.await.unwrap();
    assert!(
        changes.load(Ordering::Relaxed) >= 5,
        "rows changed during the walk"
    );

    let mut times: HashMap<Uuid, usize> = HashMap::new();
    for id in &seen {
        *times.entry(*id).or_default() += 1;
    }
    assert!(times.values().all(|&n| n == 1), "no row twice: {times:?}");
    for id in &stable {
        assert_eq!(times.get(id), Some(&1), "stable project {id} exactly once");
    }
}

#[tokio::test]
async fn the_client_streams_every_list_page_by_page() {
    let app = spawn_app().await;
    let (_, _, owner) = app.guest().await;
    let org = create_org(&owner, "Acme").await;
    for i in 0..7 {
        owner
            .project_create(&org.slug, None, &project(&format!("p{i}")))
            .await
            .unwrap();
    }
    let mut members = vec![];
    for _ in 0..4 {
        let (_, user, _) = app.guest().await;
        owner
            .member_set(
                &org.slug,
                &user.id,
                None,
                &SetMemberRole { role: Role::Member },
            )
            .await
            .unwrap();
        members.push(user.id);
    }
    for name in ["More", "Even more"] {
        create_org(&owner, name).await;
    }

    let projects: Vec<_> = owner
        .project_list_v2_stream(&org.slug, NonZeroU32::new(3))
        .try_collect()
        .await
        .unwrap();
    let v1 = owner
        .project_list(&org.slug, NonZeroU32::new(100), None)
        .await
        .unwrap()
        .into_inner();
    let ids = |ps: &[backend_client::types::Project]| ps.iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&projects),
        ids(&v1.data),
        "the same projects, newest first"
    );

    let listed: Vec<_> = owner
        .member_list_v2_stream(&org.slug, NonZeroU32::new(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 5, "the owner and four members, oldest first");
    assert_eq!(
        listed.iter().skip(1).map(|m| m.user_id).collect::<Vec<_>>(),
        members
    );

    let orgs: Vec<_> = owner
        .org_list_v2_stream(NonZeroU32::new(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(orgs.len(), 3);
}

#[tokio::test]
async fn a_cursor_works_only_for_its_list_and_its_caller() {
    let app = spawn_app().await;
    let (a_token, _, a) = app.guest().await;
    let (b_token, _, b) = app.guest().await;
    let a_org = create_org(&a, "A").await;
    let a_other = create_org(&a, "A2").await;
    let b_org = create_org(&b, "B").await;
    for org in [&a_org, &a_other, &b_org] {
        let client = if org.id == b_org.id { &b } else { &a };
        for i in 0..3 {
            client
                .project_create(&org.slug, None, &project(&format!("p{i}")))
                .await
                .unwrap();
        }
    }
    let first = a
        .project_list_v2(&a_org.slug, NonZeroU32::new(1), None)
        .await
        .unwrap()
        .into_inner();
    let cursor = first.next_page.expect("a next page");
    // Its own list by id instead of slug: the same list.
    let by_id = a
        .project_list_v2(&a_org.id.to_string(), NonZeroU32::new(1), Some(&cursor))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(by_id.items[0].id, first.items[0].id);

    let refused = |r: Result<_, backend_client::Error<backend_client::types::ApiError>>| {
        let err = r.expect_err("must be refused");
        assert_eq!(
            backend_client::error_code(&err),
            Some(ErrorCode::ValidationError),
            "{err}"
        );
    };
    // Another organization's list, another list, another caller.
    refused(
        a.project_list_v2(&a_other.slug, NonZeroU32::new(1), Some(&cursor))
            .await
            .map(drop),
    );
    refused(
        a.org_list_v2(NonZeroU32::new(1), Some(&cursor))
            .await
            .map(drop),
    );
    refused(
        b.project_list_v2(&b_org.slug, NonZeroU32::new(1), Some(&cursor))
            .await
            .map(drop),
    );
    // B cannot walk A's organization at all.
    let err = b
        .project_list_v2(&a_org.slug, NonZeroU32::new(1), Some(&cursor))
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::OrgNotFound)
    );

    // A token changed anywhere, or made up, is refused in the envelope.
    let mut forged = cursor.clone().into_bytes();
    let middle = forged.len() / 2;
    forged[middle] = if forged[middle] == b'A' { b'B' } else { b'A' };
    for bad in [String::from_utf8(forged).unwrap(), "garbage".to_owned()] {
        for token in [&a_token, &b_token] {
            let resp = app
                .http
                .get(app.url(&format!("/api/v2/orgs/{}/projects", a_org.id)))
                .bearer_auth(token)
                .query(&[("page_token", bad.as_str())])
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.unwrap();
            assert!(matches!(status, 400 | 404), "{status} {body}");
            assert!(body["error"].is_string(), "{body}");
        }
    }
}
