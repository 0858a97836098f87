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
    let mut member_clients = vec![];
    for _ in 0..4 {
        let (_, user, client) = app.guest().await;
        member_clients.push(client);
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
    // A member sees the same list, but cannot continue the owner's walk.
    let owners_cursor = owner
        .member_list_v2(&org.slug, NonZeroU32::new(2), None)
        .await
        .unwrap()
        .into_inner()
        .next_page
        .expect("a second page");
    let err = member_clients[0]
        .member_list_v2(&org.slug, NonZeroU32::new(2), Some(&owners_cursor))
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::ValidationError),
        "{err}"
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
    // Nor is A's walk of her own organizations B's to continue.
    let orgs_cursor = a
        .org_list_v2(NonZeroU32::new(1), None)
        .await
        .unwrap()
        .into_inner()
        .next_page
        .expect("A has two organizations");
    refused(
        b.org_list_v2(NonZeroU32::new(1), Some(&orgs_cursor))
            .await
            .map(drop),
    );
    assert!(
        a.org_list_v2(NonZeroU32::new(1), Some(&orgs_cursor))
            .await
            .is_ok()
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

fn config_key(k: &str) -> backend_client::types::ConfigPutKey {
    k.parse().unwrap()
}

/// Sets `key` of `service` to `value`.
async fn put_config(admin: &backend_client::Client, service: &str, key: &str, value: &str) {
    admin
        .config_put(
            &config_key(key),
            Some(&service.parse().unwrap()),
            None,
            &backend_client::types::PutConfig {
                value: value.parse().unwrap(),
                reason: None,
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn config_lists_walk_by_cursor_keep_their_service_and_see_each_row_once() {
    let app = spawn_app().await;
    let admin = app.client_with(&crate::configs::admin_token("ops"));
    // Keys K00, K03, K06, ... stay; K01, K04, ... are added during the walk,
    // between keys already walked and keys still ahead.
    let stable: Vec<String> = (0..30).step_by(3).map(|i| format!("K{i:02}")).collect();
    for key in &stable {
        put_config(&admin, "payments", key, "v").await;
    }
    put_config(&admin, "backend", "OTHER_SERVICE", "v").await;
    let churn = {
        let admin = admin.clone();
        tokio::spawn(async move {
            for i in (1..30).step_by(3) {
                put_config(&admin, "payments", &format!("K{i:02}"), "new").await;
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        // The service only on the first page, as the generated stream does.
        let service = token.is_none().then(|| "payments".parse().unwrap());
        let page = admin
            .config_list_v2(NonZeroU32::new(3), token.as_deref(), service.as_ref())
            .await
            .unwrap()
            .into_inner();
        assert!(page.items.len() <= 3);
        assert!(page.items.iter().all(|e| e.service == "payments"));
        seen.extend(page.items.into_iter().map(|e| e.key));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        match page.next_page {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    churn.await.unwrap();
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "in key order, none twice");
    for key in &stable {
        assert!(seen.contains(key), "{key} walked");
    }

    // The stream is the whole list, the same as the offset page.
    let streamed: Vec<_> = admin
        .config_list_v2_stream(NonZeroU32::new(4), Some(&"payments".parse().unwrap()))
        .try_collect()
        .await
        .unwrap();
    let v1 = admin
        .config_list(
            NonZeroU32::new(100),
            None,
            Some(&"payments".parse().unwrap()),
        )
        .await
        .unwrap()
        .into_inner();
    let keys = |es: &[backend_client::types::ConfigEntry]| {
        es.iter().map(|e| e.key.clone()).collect::<Vec<_>>()
    };
    assert_eq!(keys(&streamed), keys(&v1.data));
    assert_eq!(streamed.len(), 20);
}

#[tokio::test]
async fn a_config_history_walk_sees_every_version_once_while_the_key_is_written() {
    let app = spawn_app().await;
    let admin = app.client_with(&crate::configs::admin_token("ops"));
    for v in 1..=12 {
        put_config(&admin, "payments", "RATE", &format!("{v}")).await;
    }
    let key = "RATE".parse().unwrap();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut written = 12;
    loop {
        let service = token.is_none().then(|| "payments".parse().unwrap());
        let page = admin
            .config_history_v2(&key, NonZeroU32::new(5), token.as_deref(), service.as_ref())
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.items.iter().map(|c| c.version));
        // A write between two pages: a newer version, not part of this walk.
        put_config(&admin, "payments", "RATE", "later").await;
        written += 1;
        match page.next_page {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, (1..=12).rev().collect::<Vec<i64>>());
    let streamed: Vec<_> = admin
        .config_history_v2_stream(&key, NonZeroU32::new(7), Some(&"payments".parse().unwrap()))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        streamed.iter().map(|c| c.version).collect::<Vec<_>>(),
        (1..=written).rev().collect::<Vec<i64>>()
    );
    let missing = admin
        .config_history_v2(
            &"NOPE".parse().unwrap(),
            None,
            None,
            Some(&"payments".parse().unwrap()),
        )
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&missing),
        Some(ErrorCode::ConfigNotFound)
    );
}

#[tokio::test]
async fn a_config_cursor_works_only_for_its_list_and_its_admin() {
    let app = spawn_app().await;
    let ops = app.client_with(&crate::configs::admin_token("ops"));
    let other = app.client_with(&crate::configs::admin_token("other"));
    for key in ["A", "B", "C"] {
        put_config(&ops, "backend", key, "1").await;
        put_config(&ops, "backend", key, "2").await;
    }
    let list = ops
        .config_list_v2(NonZeroU32::new(1), None, None)
        .await
        .unwrap()
        .into_inner();
    let list_cursor = list.next_page.expect("a next page");
    let history = ops
        .config_history_v2(&"A".parse().unwrap(), NonZeroU32::new(1), None, None)
        .await
        .unwrap()
        .into_inner();
    let history_cursor = history.next_page.expect("a next page");

    let refused = |r: Result<(), backend_client::Error<backend_client::types::ApiError>>| {
        let err = r.expect_err("must be refused");
        assert_eq!(
            backend_client::error_code(&err),
            Some(ErrorCode::ValidationError),
            "{err}"
        );
    };
    // Another admin; another key's history; one list's cursor on the other.
    refused(
        other
            .config_list_v2(NonZeroU32::new(1), Some(&list_cursor), None)
            .await
            .map(drop),
    );
    refused(
        ops.config_history_v2(
            &"B".parse().unwrap(),
            NonZeroU32::new(1),
            Some(&history_cursor),
            None,
        )
        .await
        .map(drop),
    );
    refused(
        ops.config_list_v2(NonZeroU32::new(1), Some(&history_cursor), None)
            .await
            .map(drop),
    );
    refused(
        ops.config_history_v2(
            &"A".parse().unwrap(),
            NonZeroU32::new(1),
            Some(&list_cursor),
            None,
        )
        .await
        .map(drop),
    );
    // A guest gets 403 before its token is looked at.
    let (_, _, guest) = app.guest().await;
    let err = guest
        .config_list_v2(NonZeroU32::new(1), Some("garbage"), None)
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
}
