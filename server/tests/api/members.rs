use crate::helpers::{create_org, spawn_app};
use backend_client::types::{ErrorCode, Role, SetMemberRole};

#[tokio::test]
async fn owners_manage_members_and_an_org_always_keeps_an_owner() {
    let app = spawn_app().await;
    let (_, owner_user, owner) = app.guest().await;
    let (_, admin_user, admin) = app.guest().await;
    let (_, member_user, member) = app.guest().await;
    let org = create_org(&owner, "Team").await;
    let set = |role| SetMemberRole { role };

    owner
        .member_set(&org.slug, &admin_user.id, None, &set(Role::Admin))
        .await
        .unwrap();
    let added = admin
        .member_set(&org.slug, &member_user.id, None, &set(Role::Member))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((added.user_id, added.role), (member_user.id, Role::Member));
    assert_eq!(added.username, member_user.username);

    let list = member
        .member_list(&org.slug, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.pagination.total, 3);

    // Only an owner grants owner; members manage nobody.
    let err = admin
        .member_set(&org.slug, &member_user.id, None, &set(Role::Owner))
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    let err = member
        .member_set(&org.slug, &admin_user.id, None, &set(Role::Member))
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));

    // The last owner can neither be demoted nor removed.
    let err = owner
        .member_set(&org.slug, &owner_user.id, None, &set(Role::Admin))
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::LastOwner));
    let err = owner
        .member_remove(&org.slug, &owner_user.id, None)
        .await
        .unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::LastOwner));

    // With a second owner the first may step down.
    owner
        .member_set(&org.slug, &admin_user.id, None, &set(Role::Owner))
        .await
        .unwrap();
    owner
        .member_set(&org.slug, &owner_user.id, None, &set(Role::Member))
        .await
        .unwrap();

    // Unknown users are 404.
    let err = admin
        .member_set(&org.slug, &uuid::Uuid::new_v4(), None, &set(Role::Member))
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::UserNotFound)
    );

    // Anyone may leave.
    assert_eq!(
        member
            .member_remove(&org.slug, &member_user.id, None)
            .await
            .unwrap()
            .status(),
        204
    );
    let err = member.org_get(&org.slug, None).await.unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::OrgNotFound)
    );
}

#[tokio::test]
async fn an_admin_demoted_while_its_change_waits_for_the_lock_gets_403_and_changes_nothing() {
    let app = crate::helpers::spawn_app_with(&[("DATABASE_LOCK_TIMEOUT_MS", "10000")]).await;
    let (_, _, owner) = app.guest().await;
    let (_, admin_user, admin) = app.guest().await;
    let (_, target, _) = app.guest().await;
    let org = create_org(&owner, "Race").await;
    let set = |role| SetMemberRole { role };
    owner
        .member_set(&org.slug, &admin_user.id, None, &set(Role::Admin))
        .await
        .unwrap();
    // Hold the organization's membership lock, as a concurrent change would.
    let mut holder = app.admin().await;
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind(org.id)
        .execute(&mut holder)
        .await
        .unwrap();
    let slug = org.slug.clone();
    let waiting = tokio::spawn(async move {
        admin
            .member_set(
                &slug,
                &target.id,
                None,
                &SetMemberRole { role: Role::Member },
            )
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The admin is demoted before the lock is free.
    sqlx::query("UPDATE memberships SET role = 'member' WHERE org_id = $1 AND user_id = $2")
        .bind(org.id)
        .bind(admin_user.id)
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    let err = waiting.await.unwrap().unwrap_err();
    assert_eq!(backend_client::error_code(&err), Some(ErrorCode::Forbidden));
    let members = owner
        .member_list(&org.slug, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(members.pagination.total, 2, "the target was not added");
}
