//! `Idempotency-Key` on creates (draft-ietf-httpapi-idempotency-key-header).
//!
//! The first successful answer is stored per (caller, key) in the transaction
//! that created the row, so it exists exactly when the row does. A retry with
//! the same key and the same request gets it again (`Idempotent-Replayed:
//! true`); another request with the key is 422; a retry while the first still
//! runs finds the key's lock taken and gets 409 with `Retry-After`. Errors are
//! not stored: nothing was created, so retrying with the same key is safe.
//! Keys live 24 hours and are pruned in batches.

use super::db_error;
use crate::repo::idempotency::{self as repo, NewEntry};
use crate::tenant::TenantTx;
use backend_api::types::LocationHeader;
use backend_api::{ApiError, Created, ErrorCode};
use dropshot::{HttpResponseCreated, HttpResponseHeaders};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

/// How long a key is remembered.
pub const KEY_TTL_SECONDS: i64 = 24 * 60 * 60;

/// A validated key and the fingerprint of the request it came with.
pub struct Idempotency {
    key: String,
    operation: &'static str,
    request_hash: [u8; 32],
}

impl Idempotency {
    /// Reads the header: `None` without one. `scope` is what, beside the body,
    /// makes two requests different (the path's organization). Any text is a
    /// key; a quoted string (the draft's structured-field form) is read without
    /// its quotes. Only its SHA-256 is stored: the database never holds what a
    /// client chose to put in it, and every key has the same size.
    pub fn parse<B: Serialize>(
        header: Option<&str>,
        operation: &'static str,
        scope: &str,
        body: &B,
    ) -> Result<Option<Idempotency>, ApiError> {
        let Some(raw) = header.map(str::trim) else {
            return Ok(None);
        };
        let key = raw
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .unwrap_or(raw);
        let key: String = Sha256::digest(key.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
        let mut hash = Sha256::new();
        for part in [operation.as_bytes(), scope.as_bytes(), &body] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        Ok(Some(Idempotency {
            key,
            operation,
            request_hash: hash.finalize().into(),
        }))
    }

    /// The stored answer to replay, if this key was used before; 422 if it was
    /// used for another request, 409 if a request with it is running now.
    pub async fn replay<
        T: DeserializeOwned + Serialize + schemars::JsonSchema + Send + Sync + 'static,
    >(
        &self,
        tx: &mut TenantTx,
    ) -> Result<Option<Created<T>>, ApiError> {
        if !repo::try_lock(tx, &self.key).await.map_err(db_error)? {
            return Err(ApiError::new(
                ErrorCode::IdempotencyInProgress,
                "a request with this Idempotency-Key is still being processed",
            )
            .with_retry_after(1));
        }
        let Some(stored) = repo::find(tx, &self.key).await.map_err(db_error)? else {
            return Ok(None);
        };
        if stored.operation != self.operation || stored.request_hash != self.request_hash {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request",
            ));
        }
        if stored.status != 201 {
            return Err(ApiError::internal(format!(
                "stored idempotent answer has status {}",
                stored.status
            )));
        }
        let body: T = serde_json::from_value(stored.response).map_err(ApiError::internal)?;
        let mut headers = LocationHeader::new(stored.location.unwrap_or_default());
        headers.idempotent_replayed = Some("true".to_owned());
        Ok(Some(HttpResponseHeaders::new(
            HttpResponseCreated(body),
            headers,
        )))
    }

    /// Stores the 201 just made, in the same transaction.
    pub async fn remember<T: Serialize>(
        &self,
        tx: &mut TenantTx,
        body: &T,
        location: &str,
    ) -> Result<(), ApiError> {
        let response = serde_json::to_value(body).map_err(ApiError::internal)?;
        repo::insert(
            tx,
            NewEntry {
                key: &self.key,
                operation: self.operation,
                request_hash: &self.request_hash,
                status: 201,
                response,
                location: Some(location),
                ttl_seconds: KEY_TTL_SECONDS,
            },
        )
        .await
        .map_err(db_error)
    }
}
