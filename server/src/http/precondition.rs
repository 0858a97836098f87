//! `If-Match` and `If-None-Match` against a resource's version (its `ETag`
//! is `"<version>"`, see `backend_api::types::precondition`).

use backend_api::types::{ETagHeader, etag};
use backend_api::{ApiError, Conditional, Tagged};
use dropshot::{HttpResponseHeaders, HttpResponseOk};

/// Evaluates `If-Match` against the current version (RFC 9110, 13.1.1) and
/// returns the version the changing statement must still find: `None` when
/// there is no condition or it is `*`, the current version when one of the
/// listed strong entity tags names it. Anything else (another version, a weak
/// tag, a tag this API never issued) does not match: 412 with the current
/// `ETag`, and nothing changes.
pub fn guard(if_match: Option<&str>, current: i64) -> Result<Option<i64>, ApiError> {
    let Some(raw) = if_match else { return Ok(None) };
    let tags: Vec<&str> = raw.split(',').map(str::trim).collect();
    if tags.contains(&"*") {
        return Ok(None);
    }
    let current_tag = etag(current);
    if tags.iter().any(|t| *t == current_tag) {
        Ok(Some(current))
    } else {
        Err(ApiError::precondition_failed(current))
    }
}

/// The answer when a statement guarded by `expected` changed nothing: 412 if
/// the resource's version (read by `current`, awaited only when there was a
/// condition) has moved, else `otherwise` (the caller may not change it, or it
/// is gone).
pub async fn moved_or(
    expected: Option<i64>,
    current: impl std::future::Future<Output = Result<Option<i64>, sqlx::Error>>,
    otherwise: ApiError,
) -> ApiError {
    if expected.is_none() {
        return otherwise;
    }
    match current.await {
        Ok(Some(now)) if Some(now) != expected => ApiError::precondition_failed(now),
        Ok(_) => otherwise,
        Err(e) => super::db_error(e),
    }
}

/// Does `If-None-Match` name the current version? Weak comparison (RFC 9110,
/// 13.1.2): `W/"3"` matches `"3"`; `*` matches anything that exists. Entries
/// this API never issues simply do not match.
pub fn not_modified(header: Option<&str>, current: i64) -> bool {
    let Some(raw) = header else { return false };
    let current = etag(current);
    raw.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
}

/// 304 when `If-None-Match` names `version`, else the body with its `ETag`.
pub fn conditional<T: serde::Serialize + schemars::JsonSchema + Send + Sync + 'static>(
    if_none_match: Option<&str>,
    version: i64,
    body: T,
) -> Conditional<Tagged<HttpResponseOk<T>>> {
    if not_modified(if_none_match, version) {
        Conditional::NotModified(ETagHeader::for_version(version))
    } else {
        Conditional::Full(tagged(version, body))
    }
}

/// A 200 with the `ETag` of `version`.
pub fn tagged<T: serde::Serialize + schemars::JsonSchema + Send + Sync + 'static>(
    version: i64,
    body: T,
) -> Tagged<HttpResponseOk<T>> {
    HttpResponseHeaders::new(HttpResponseOk(body), ETagHeader::for_version(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_passes_the_current_strong_etag_or_a_star_and_fails_anything_else() {
        assert_eq!(guard(None, 3).unwrap(), None);
        assert_eq!(guard(Some("*"), 3).unwrap(), None);
        assert_eq!(guard(Some("\"3\""), 3).unwrap(), Some(3));
        assert_eq!(guard(Some("\"1\", \"3\""), 3).unwrap(), Some(3));
        for stale in ["\"2\"", "W/\"3\"", "3", "", "garbage", "\"\""] {
            let e = guard(Some(stale), 3).unwrap_err();
            assert_eq!(
                e.error,
                backend_api::ErrorCode::PreconditionFailed,
                "{stale}"
            );
            assert_eq!(e.etag.as_deref(), Some("\"3\""), "{stale}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly_and_over_a_list() {
        assert!(not_modified(Some("\"3\""), 3));
        assert!(not_modified(Some("W/\"3\""), 3));
        assert!(not_modified(Some("\"1\", \"3\""), 3));
        assert!(not_modified(Some("*"), 3));
        assert!(!not_modified(Some("\"2\""), 3));
        assert!(!not_modified(Some("3"), 3));
        assert!(!not_modified(None, 3));
    }
}
