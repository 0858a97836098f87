//! Authenticated access to tenant data: verify the token, then open the tenant
//! transaction as that user.

use super::db_error;
use crate::auth::{self, Identity};
use crate::context::AppState;
use crate::db::tenant::{self, TenantTx};
use backend_api::ApiError;
use dropshot::RequestContext;

/// The caller's identity and a transaction acting as it. A token whose user no
/// longer exists is rejected like any other bad token.
pub async fn begin(rqctx: &RequestContext<AppState>) -> Result<(Identity, TenantTx), ApiError> {
    let identity = auth::authenticate(rqctx).await?;
    if identity.admin {
        return Err(ApiError::forbidden(
            "admin tokens are for configuration; sign in as a guest to use tenant data",
        ));
    }
    let tx = tenant::begin(&rqctx.context().pool, identity.user_id, None)
        .await
        .map_err(db_error)?;
    if !tx.user_exists {
        return Err(ApiError::unauthorized("the token's user does not exist"));
    }
    Ok((identity, tx))
}
