//! What a config key, service name and value may be.

use crate::settings::LOG_LEVELS;
use backend_api::{ApiError, ErrorCode};

/// The service whose entries this binary itself reacts to.
pub const OWN_SERVICE: &str = "backend";
/// Values longer than this are rejected.
pub const MAX_VALUE_BYTES: usize = 4096;
pub const MAX_REASON_CHARS: usize = 500;

/// Keys: 1–64 characters, letters, digits, `_`, `.`, `-`, starting with a letter.
pub fn key(key: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidConfigKey,
            format!("config key {key:?} is invalid: 1-64 letters, digits, '_', '.' or '-', starting with a letter"),
        )
        .with_detail("field", "key"))
    }
}

/// Service names: 1–63 lowercase letters, digits or hyphens, starting with a letter.
pub fn service(service: Option<&str>) -> Result<String, ApiError> {
    let s = service.unwrap_or(OWN_SERVICE);
    let ok = (1..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(ApiError::validation(
            "service",
            "service must be 1-63 lowercase letters, digits or hyphens, starting with a letter",
        ))
    }
}

/// Checks a value; known keys of this service have their own rules.
pub fn value(service: &str, key: &str, value: &str) -> Result<(), ApiError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(ApiError::new(
            ErrorCode::InvalidConfigValue,
            format!(
                "value is {} bytes; at most {MAX_VALUE_BYTES} are allowed",
                value.len()
            ),
        ));
    }
    if service == OWN_SERVICE && key == "LOG_LEVEL" && !LOG_LEVELS.contains(&value) {
        return Err(ApiError::new(
            ErrorCode::InvalidConfigValue,
            format!("LOG_LEVEL must be one of {}", LOG_LEVELS.join(", ")),
        )
        .with_detail("allowed", serde_json::json!(LOG_LEVELS)));
    }
    Ok(())
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
        assert_eq!(
            value("backend", "LOG_LEVEL", "loud").unwrap_err().error,
            ErrorCode::InvalidConfigValue
        );
        assert!(
            value("other", "LOG_LEVEL", "loud").is_ok(),
            "only our own service's keys are known"
        );
        assert!(value("backend", "X", &"x".repeat(MAX_VALUE_BYTES + 1)).is_err());
    }
}
