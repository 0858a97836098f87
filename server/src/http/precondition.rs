//! `If-Match` and `If-None-Match` against a resource's version (its `ETag`
//! is `"<version>"`, see `backend_api::types::precondition`).

use backend_api::types::{ETagHeader, etag};
use backend_api::{ApiError, Conditional, Tagged};
use dropshot::{HttpResponseHeaders, HttpResponseOk};

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version (the resource must exist).
    Any,
    /// `"<version>"`: exactly this version.
    Version(i64),
}

impl IfMatch {
    /// The version a guarded statement must find, if any.
    pub fn expected(this: Option<IfMatch>) -> Option<i64> {
        match this {
            Some(IfMatch::Version(v)) => Some(v),
            _ => None,
        }
    }
}

/// Parses `If-Match`: `*` or one strong entity tag `"<version>"`. Weak tags
/// never match for a change (RFC 9110, 13.1.1), so they are refused as
/// malformed rather than silently failing.
pub fn if_match(header: Option<&str>) -> Result<Option<IfMatch>, ApiError> {
    let Some(raw) = header.map(str::trim) else {
        return Ok(None);
    };
    if raw == "*" {
        return Ok(Some(IfMatch::Any));
    }
    let digits = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or("");
    if (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(IfMatch::Version(
            digits.parse().expect("at most 18 digits fit an i64"),
        )))
    } else {
        Err(ApiError::validation(
            "If-Match",
            "If-Match must be * or an ETag of this API such as \"3\"",
        ))
    }
}

/// 412 unless `condition` allows `current`.
pub fn check(condition: Option<IfMatch>, current: i64) -> Result<(), ApiError> {
    match condition {
        Some(IfMatch::Version(v)) if v != current => Err(ApiError::precondition_failed(current)),
        _ => Ok(()),
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
    fn if_match_takes_a_star_or_one_strong_etag() {
        assert_eq!(if_match(None).unwrap(), None);
        assert_eq!(if_match(Some("*")).unwrap(), Some(IfMatch::Any));
        assert_eq!(
            if_match(Some("\"12\"")).unwrap(),
            Some(IfMatch::Version(12))
        );
        for bad in [
            "",
            "3",
            "W/\"3\"",
            "\"\"",
            "\"x\"",
            "\"1\", \"2\"",
            "\"1234567890123456789\"",
        ] {
            assert!(if_match(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_stale_version_fails_and_the_current_one_or_a_star_passes() {
        assert!(check(Some(IfMatch::Version(3)), 3).is_ok());
        assert!(check(Some(IfMatch::Any), 9).is_ok());
        assert!(check(None, 9).is_ok());
        let e = check(Some(IfMatch::Version(2)), 3).unwrap_err();
        assert_eq!(e.error, backend_api::ErrorCode::PreconditionFailed);
        assert_eq!(e.etag.as_deref(), Some("\"3\""));
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
