//! Memberships. An organization always keeps at least one owner; changes to
//! one organization's memberships are serialised by an advisory lock so that
//! concurrent demotions cannot both pass that check.

use super::cursor;
use super::precondition::{self, tagged};
use super::{db_error, page, session};
use crate::context::AppState;
use crate::repo;
use crate::tenant::{self, AccessError, TenantTx, orgs::visible};
use backend_api::types::*;
use backend_api::{ApiError, ErrorCode, Tagged};
use dropshot::{HttpResponseDeleted, HttpResponseOk, RequestContext, ResultsPage};

fn user_not_found(user: uuid::Uuid) -> ApiError {
    ApiError::new(ErrorCode::UserNotFound, format!("User {user} not found"))
}

fn last_owner() -> ApiError {
    ApiError::new(
        ErrorCode::LastOwner,
        "an organization must keep at least one owner",
    )
}

pub async fn list(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    params: PageParams,
) -> Result<HttpResponseOk<Page<Member>>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let (limit, offset) = page::params(params)?;
    let org = visible(&mut tx, &path.org).await?;
    let (data, total) = repo::members::list(&mut tx, org.id, limit, offset)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseOk(page::page(data, limit, offset, total)))
}

/// `GET /api/v2/orgs/{org}/members`: a keyset page of one organization's
/// members, in one statement on the read lane (`app_member_page_after`). As
/// with the project page, the cursor names the organization by id, which
/// the read resolves, so the cursor is confirmed after it.
pub async fn list_v2(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    params: Result<CursorParams, ApiError>,
) -> Result<HttpResponseOk<ResultsPage<Member>>, ApiError> {
    cursor::org_page(
        rqctx,
        &path.org,
        params,
        "members",
        |state, user, key, after, fetch| async move {
            repo::members::page_after_as(&state.reads, user, &key, after, fetch).await
        },
        |m| (m.created_at, m.user_id),
    )
    .await
    .map(HttpResponseOk)
}

/// Takes the organization's membership lock, then reads the caller's role
/// again: the role seen before the lock may have been taken away while this
/// request waited for it.
async fn lock_and_recheck(tx: &mut TenantTx, org: &Org) -> Result<Role, ApiError> {
    repo::members::lock_org(tx, org.id)
        .await
        .map_err(db_error)?;
    repo::members::caller_role(tx, org.id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| AccessError::OrgNotFound(org.slug.clone()).into())
}

fn no_longer_allowed() -> ApiError {
    ApiError::forbidden("your role does not allow this change (any more)")
}

pub async fn set(
    rqctx: &RequestContext<AppState>,
    path: MemberPath,
    condition: IfMatchETag,
    input: SetMemberRole,
) -> Result<Tagged<HttpResponseOk<Member>>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let org = visible(&mut tx, &path.org).await?;
    tenant::require_manager(org.role)?;
    let caller = lock_and_recheck(&mut tx, &org).await?;
    if !caller.can_manage() {
        return Err(no_longer_allowed());
    }
    let current = repo::members::get(&mut tx, org.id, path.user_id)
        .await
        .map_err(db_error)?;
    // Under the membership lock, so the version cannot move after this check.
    // A condition on a membership that does not exist fails as not found.
    match &current {
        Some(m) => {
            precondition::guard(condition.if_match.as_deref(), m.version)?;
        }
        None if condition.if_match.is_some() => return Err(user_not_found(path.user_id)),
        None => {}
    }
    let touches_owner =
        input.role == Role::Owner || current.as_ref().is_some_and(|m| m.role == Role::Owner);
    if touches_owner && caller != Role::Owner {
        return Err(ApiError::forbidden(
            "only an owner may grant or take away the owner role",
        ));
    }
    match current {
        Some(m) => {
            if m.role == Role::Owner
                && input.role != Role::Owner
                && repo::members::count_owners(&mut tx, org.id)
                    .await
                    .map_err(db_error)?
                    <= 1
            {
                return Err(last_owner());
            }
            if !repo::members::set_role(&mut tx, org.id, path.user_id, input.role)
                .await
                .map_err(db_error)?
            {
                return Err(no_longer_allowed());
            }
        }
        None => repo::members::insert(&mut tx, org.id, path.user_id, input.role)
            .await
            .map_err(db_error)?,
    }
    let member = repo::members::get(&mut tx, org.id, path.user_id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::internal("membership vanished inside its transaction"))?;
    tx.commit().await.map_err(db_error)?;
    Ok(tagged(member.version, member))
}

pub async fn remove(
    rqctx: &RequestContext<AppState>,
    path: MemberPath,
    condition: IfMatchETag,
) -> Result<HttpResponseDeleted, ApiError> {
    let (identity, mut tx) = session::begin(rqctx).await?;
    let org = visible(&mut tx, &path.org).await?;
    let caller = lock_and_recheck(&mut tx, &org).await?;
    let target = repo::members::get(&mut tx, org.id, path.user_id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| user_not_found(path.user_id))?;
    let is_self = path.user_id == identity.user_id;
    let allowed =
        is_self || caller == Role::Owner || (caller == Role::Admin && target.role != Role::Owner);
    if !allowed {
        return Err(ApiError::forbidden(
            "your role does not allow removing this member",
        ));
    }
    precondition::guard(condition.if_match.as_deref(), target.version)?;
    if target.role == Role::Owner
        && repo::members::count_owners(&mut tx, org.id)
            .await
            .map_err(db_error)?
            <= 1
    {
        return Err(last_owner());
    }
    if !repo::members::delete(&mut tx, org.id, path.user_id)
        .await
        .map_err(db_error)?
    {
        return Err(no_longer_allowed());
    }
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseDeleted())
}
