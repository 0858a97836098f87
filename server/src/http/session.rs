//! Authenticated access to tenant data: verify the token, then open the tenant
//! transaction as that user.

use super::db_error;
use crate::auth::{self, Identity};
use crate::context::AppState;
use crate::db::tenant::{self, TenantTx};
use backend_api::ApiError;
use dropshot::RequestContext;

/// The answer to an admin token on a tenant route.
pub fn admin_refused() -> ApiError {
    ApiError::forbidden("admin tokens are for configuration; sign in as a guest to use tenant data")
}

/// The caller's identity and a transaction acting as it. A token whose user no
/// longer exists is rejected like any other bad token.
pub async fn begin(rqctx: &RequestContext<AppState>) -> Result<(Identity, TenantTx), ApiError> {
    let identity = auth::authenticate(rqctx).await?;
    let tx = begin_as(rqctx, &identity).await?;
    Ok((identity, tx))
}

/// [`begin`] for an identity that is already authenticated.
pub async fn begin_as(
    rqctx: &RequestContext<AppState>,
    identity: &Identity,
) -> Result<TenantTx, ApiError> {
    if identity.admin {
        return Err(admin_refused());
    }
    let tx = tenant::begin(&rqctx.context().pool, identity.user_id, None)
        .await
        .map_err(db_error)?;
    if !tx.user_exists {
        return Err(ApiError::unauthorized("the token's user does not exist"));
    }
    Ok(tx)
}
