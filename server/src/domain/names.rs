//! Display names of organizations and projects.

use backend_api::ApiError;

/// Checks `name` (at most 100 characters, no control characters, not only
/// whitespace; the same rule the OpenAPI document states) and trims it.
pub fn display_name(name: &str) -> Result<String, ApiError> {
    let len = name.chars().count();
    if len > 100 {
        return Err(ApiError::validation(
            "name",
            format!("name must be at most 100 characters (got {len})"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "name",
            "name must not contain control characters",
        ));
    }
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ApiError::validation(
            "name",
            "name must not be empty or only whitespace",
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(display_name("  Acme  ").unwrap(), "Acme");
        for bad in [
            "",
            "   ",
            "a\u{0}b",
            "tab\there",
            "c1\u{85}",
            &"x".repeat(101),
        ] {
            assert!(display_name(bad).is_err(), "{bad:?}");
        }
        assert!(display_name(&"x".repeat(100)).is_ok());
    }
}
