//! What a config key, service name and value may be.

use crate::settings::LOG_LEVELS;

/// Why a configuration request was refused; `http/` turns each into its
/// catalog code (`INVALID_CONFIG_KEY`, `INVALID_CONFIG_VALUE` or a
/// `VALIDATION_ERROR` naming the field).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "config key {0:?} is invalid: 1-64 letters, digits, '_', '.' or '-', starting with a letter"
    )]
    Key(String),
    #[error("service must be 1-63 lowercase letters, digits or hyphens, starting with a letter")]
    Service,
    #[error("value must be at most {max} characters without NUL (got {0})", max = MAX_VALUE_CHARS)]
    ValueTooLong(usize),
    /// A `LOG_LEVEL` that is not one of [`LOG_LEVELS`].
    #[error("LOG_LEVEL must be one of {}", LOG_LEVELS.join(", "))]
    LogLevel,
    #[error("reason must be at most {max} characters without NUL", max = MAX_REASON_CHARS)]
    Reason,
    #[error("If-Match must be a version number such as 3 or \"3\"")]
    IfMatch,
}

/// The service whose entries this binary itself reacts to.
pub const OWN_SERVICE: &str = "backend";
/// Values longer than this (in characters) are rejected.
pub const MAX_VALUE_CHARS: usize = 4096;
pub const MAX_REASON_CHARS: usize = 500;

/// Keys: 1–64 characters, letters, digits, `_`, `.`, `-`, starting with a letter.
pub fn key(key: &str) -> Result<(), RuleError> {
    let ok = (1..=64).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(RuleError::Key(key.to_owned()))
    }
}

/// Service names: 1–63 lowercase letters, digits or hyphens, starting with a letter.
pub fn service(service: Option<&str>) -> Result<String, RuleError> {
    let s = service.unwrap_or(OWN_SERVICE);
    let ok = (1..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(RuleError::Service)
    }
}

/// Checks a value; known keys of this service have their own rules.
pub fn value(service: &str, key: &str, value: &str) -> Result<(), RuleError> {
    let len = value.chars().count();
    if len > MAX_VALUE_CHARS || value.contains('\0') {
        return Err(RuleError::ValueTooLong(len));
    }
    if service == OWN_SERVICE && key == "LOG_LEVEL" && !LOG_LEVELS.contains(&value) {
        return Err(RuleError::LogLevel);
    }
    Ok(())
}

/// Checks the optional reason of a write (raw length, no NUL); returns it
/// trimmed, `None` when blank.
pub fn reason(reason: Option<&str>) -> Result<Option<&str>, RuleError> {
    let Some(raw) = reason else { return Ok(None) };
    if raw.chars().count() > MAX_REASON_CHARS || raw.contains('\0') {
        return Err(RuleError::Reason);
    }
    Ok(Some(raw.trim()).filter(|r| !r.is_empty()))
}

/// `If-Match: 3`, `"3"` or `W/"3"` (1–18 digits), as the document states.
pub fn if_match(header: Option<&str>) -> Result<Option<i64>, RuleError> {
    let Some(raw) = header else { return Ok(None) };
    let digits = raw.strip_prefix("W/").unwrap_or(raw);
    let digits = digits.strip_prefix('"').unwrap_or(digits);
    let digits = digits.strip_suffix('"').unwrap_or(digits);
    if (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(digits.parse().expect("at most 18 digits fit an i64")))
    } else {
        Err(RuleError::IfMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_syntax() {
        for ok in ["LOG_LEVEL", "feature.flag-1", "a"] {
            assert!(key(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "_x", "has space", "ü", &"k".repeat(65)] {
            assert!(key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn log_level_values_are_checked() {
        assert!(value("backend", "LOG_LEVEL", "debug").is_ok());
        // Answered as INVALID_CONFIG_VALUE (http/rule_errors.rs).
        assert_eq!(
            value("backend", "LOG_LEVEL", "loud").unwrap_err(),
            RuleError::LogLevel
        );
        assert!(
            value("other", "LOG_LEVEL", "loud").is_ok(),
            "only our own service's keys are known"
        );
        assert!(value("backend", "X", &"x".repeat(MAX_VALUE_CHARS + 1)).is_err());
        assert!(value("backend", "X", "a\0b").is_err());
        assert!(
            value("backend", "X", &"é".repeat(MAX_VALUE_CHARS)).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn if_match_accepts_exactly_the_documented_forms() {
        assert_eq!(if_match(Some("3")).unwrap(), Some(3));
        assert_eq!(if_match(Some("\"12\"")).unwrap(), Some(12));
        assert_eq!(if_match(Some("W/\"7\"")).unwrap(), Some(7));
        for bad in ["", "+3", "-3", "x", "1234567890123456789", "\"\""] {
            assert!(if_match(Some(bad)).is_err(), "{bad}");
        }
    }
}
