//! Display names of organizations and projects.

/// Why a display name was refused; `http/` answers each as a
/// `VALIDATION_ERROR` on the field `name`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name must be at most 100 characters (got {0})")]
    TooLong(usize),
    #[error("name must not contain control characters")]
    Control,
    #[error("name must not contain bidirectional controls or zero-width characters")]
    Invisible,
    #[error("name must not be empty or only whitespace")]
    Blank,
}

/// Characters that change how a name is displayed without being visible:
/// bidirectional embeddings, overrides, isolates and marks (a name could show
/// as another, "Trojan Source"), and zero-width characters and the BOM (two
/// names that look the same but differ).
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Checks `name` (at most 100 characters, no control, bidirectional or
/// zero-width characters, not only whitespace; the same rule the OpenAPI
/// document states) and trims it.
pub fn display_name(name: &str) -> Result<String, NameError> {
    let len = name.chars().count();
    if len > 100 {
        return Err(NameError::TooLong(len));
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    if name.chars().any(is_invisible_or_bidi) {
        return Err(NameError::Invisible);
    }
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(NameError::Blank);
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
            "evil\u{202E}gpj.exe",
            "admin\u{200B}",
            "\u{2066}iso\u{2069}",
            "\u{FEFF}bom",
            &"x".repeat(101),
        ] {
            assert!(display_name(bad).is_err(), "{bad:?}");
        }
        assert!(display_name(&"x".repeat(100)).is_ok());
    }
}
