//! What each published operation of [`crate::BackendApi`] needs and which
//! error codes it can answer: one entry per operation, in the trait's order,
//! each fact stated once. The OpenAPI document is rendered from these
//! entries (security, the 304 of conditional reads, every error status with
//! its codes); a test fails when an operation has no entry, or an entry no
//! operation. The catalog tests trigger each code on one of its operations,
//! and schemathesis checks that nothing undocumented comes back.

use crate::error::ErrorCode::{self, *};

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token.
    Public,
    /// Any valid token (a guest's or an admin's).
    Token,
    /// A guest token, acting inside the database: each request takes one of
    /// the caller's `PER_USER_CONCURRENCY` slots.
    Tenant,
}

/// Which conditional header an operation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    None,
    /// An optional `If-Match` on a change or deletion.
    IfMatch,
    /// An optional `If-None-Match` on a read, which may answer 304.
    IfNoneMatch,
}

pub struct Operation {
    pub id: &'static str,
    pub access: Access,
    /// Takes a JSON body (and so can answer the body errors).
    pub body: bool,
    pub condition: Condition,
    /// The codes of this operation's own rules, beyond those its access,
    /// body and condition imply (see [`Operation::error_codes`]).
    pub codes: &'static [ErrorCode],
}

/// The codes every operation with a JSON body can answer.
const BODY: &[ErrorCode] = &[
    MalformedJson,
    ValidationError,
    PayloadTooLarge,
    UnsupportedMediaType,
];

/// The codes of a bad, expired or revoked token (503 while the denylist
/// cannot be checked).
const TOKEN: &[ErrorCode] = &[Unauthorized, TokenExpired, TokenRevoked, ServiceUnavailable];

impl Operation {
    /// Every code this operation can answer, `INTERNAL_ERROR` last (any
    /// operation can).
    pub fn error_codes(&self) -> Vec<ErrorCode> {
        let mut codes = Vec::new();
        if self.body {
            codes.extend_from_slice(BODY);
        }
        codes.extend_from_slice(self.codes);
        if self.condition == Condition::IfMatch {
            codes.push(PreconditionFailed);
        }
        // A header that is not text (non-ASCII bytes) is refused by the
        // extractor as a validation error.
        if self.condition != Condition::None && !codes.contains(&ValidationError) {
            codes.push(ValidationError);
        }
        if self.access == Access::Tenant {
            codes.push(RateLimitExceeded);
        }
        if self.access != Access::Public {
            codes.extend_from_slice(TOKEN);
        }
        codes.push(InternalError);
        codes
    }
}

macro_rules! operations {
    ($($id:ident: $access:ident, body $body:literal, $condition:ident, [$($code:ident),* $(,)?];)*) => {
        /// Every published operation, in the trait's order.
        pub const OPERATIONS: &[Operation] = &[$(Operation {
            id: stringify!($id),
            access: Access::$access,
            body: $body,
            condition: Condition::$condition,
            codes: &[$($code),*],
        }),*];
    };
}

operations! {
    health: Public, body false, None, [];
    ready: Public, body false, None, [ServiceUnavailable];
    auth_guest: Public, body false, None, [RateLimitExceeded, ServiceUnavailable];
    auth_refresh: Token, body false, None, [Forbidden, RateLimitExceeded];
    auth_logout: Token, body false, None, [];
    auth_me: Token, body false, None, [Forbidden, RateLimitExceeded];
    org_create: Tenant, body true, None,
        [InvalidOrgSlug, Forbidden, OrgSlugConflict, IdempotencyKeyReused, IdempotencyInProgress];
    org_list: Tenant, body false, None, [ValidationError, Forbidden, OrgNotFound];
    org_list_v2: Tenant, body false, None, [ValidationError, Forbidden, OrgNotFound];
    org_get: Tenant, body false, IfNoneMatch, [Forbidden, OrgNotFound];
    org_update: Tenant, body true, IfMatch,
        [InvalidOrgSlug, Forbidden, OrgNotFound, OrgSlugConflict, ResourceBusy];
    org_delete: Tenant, body false, IfMatch, [Forbidden, OrgNotFound, ResourceBusy];
    member_list: Tenant, body false, None, [ValidationError, Forbidden, OrgNotFound];
    member_list_v2: Tenant, body false, None, [ValidationError, Forbidden, OrgNotFound];
    member_set: Tenant, body true, IfMatch,
        [Forbidden, OrgNotFound, UserNotFound, LastOwner, ResourceBusy];
    member_remove: Tenant, body false, IfMatch,
        [ValidationError, Forbidden, OrgNotFound, UserNotFound, LastOwner, ResourceBusy];
    project_create: Tenant, body true, None,
        [InvalidProjectSlug, Forbidden, OrgNotFound, ProjectSlugConflict, IdempotencyKeyReused,
         IdempotencyInProgress];
    project_list: Tenant, body false, None, [ValidationError, Forbidden, OrgNotFound];
    project_list_v2: Tenant, body false, None, [ValidationError, Forbidden, OrgNotFound];
    project_get: Tenant, body false, IfNoneMatch, [ValidationError, Forbidden, ProjectNotFound];
    project_update: Tenant, body true, IfMatch,
        [InvalidProjectSlug, Forbidden, ProjectNotFound, ProjectSlugConflict, ResourceBusy];
    project_delete: Tenant, body false, IfMatch,
        [ValidationError, Forbidden, ProjectNotFound, ResourceBusy];
    config_list: Token, body false, None, [ValidationError, Forbidden];
    config_get: Token, body false, None,
        [ValidationError, InvalidConfigKey, Forbidden, ConfigNotFound];
    config_put: Token, body true, None,
        [InvalidConfigKey, InvalidConfigValue, Forbidden, VersionConflict, ResourceBusy];
    config_history: Token, body false, None,
        [ValidationError, InvalidConfigKey, Forbidden, ConfigNotFound];
    config_list_v2: Token, body false, None, [ValidationError, Forbidden];
    config_history_v2: Token, body false, None,
        [ValidationError, InvalidConfigKey, Forbidden, ConfigNotFound];
    runtime_config: Token, body false, None, [Forbidden];
}

/// The entry of operation `id`.
pub fn operation(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The trait's published operations in declaration order.
    fn published() -> Vec<String> {
        let description = crate::backend_api_mod::stub_api_description().unwrap();
        let doc = description
            .openapi("t", semver::Version::new(0, 0, 0))
            .json()
            .unwrap();
        let mut ids: Vec<String> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn every_published_operation_has_exactly_one_entry() {
        let mut declared: Vec<String> = OPERATIONS.iter().map(|op| op.id.to_owned()).collect();
        declared.sort();
        let count = declared.len();
        declared.dedup();
        assert_eq!(declared.len(), count, "an operation declared twice");
        assert_eq!(declared, published());
    }

    #[test]
    fn the_codes_an_operation_answers_follow_its_entry() {
        let get = operation("org_get").unwrap().error_codes();
        assert!(get.contains(&ValidationError), "If-None-Match");
        assert!(get.contains(&RateLimitExceeded), "a tenant operation");
        assert!(!get.contains(&PreconditionFailed), "a read");
        let health = operation("health").unwrap().error_codes();
        assert_eq!(health, vec![InternalError], "public, no input");
        let put = operation("config_put").unwrap().error_codes();
        assert!(put.starts_with(BODY) && put.contains(&Unauthorized));
        assert!(!put.contains(&RateLimitExceeded), "admin only");
    }
}
