//! Slugs: the URL-friendly names of organizations and projects.

/// Checks the rule stated in [`backend_api::types::SLUG_RULE`]. A slug shaped
/// like a UUID is refused: `{org}` in a path is read as an id when it parses
/// as one, so such a slug could never be looked up.
pub fn is_valid(slug: &str) -> bool {
    (3..=63).contains(&slug.len())
        && uuid::Uuid::parse_str(slug).is_err()
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A slug given by the caller that breaks the rule.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("slug {0:?} is invalid")]
pub struct InvalidSlug(pub String);

/// The slug the caller gave, checked, or one derived from `name`.
pub fn given_or_derived(given: Option<&str>, name: &str) -> Result<String, InvalidSlug> {
    match given {
        None => Ok(derive(name)),
        Some(s) if is_valid(s) => Ok(s.to_owned()),
        Some(s) => Err(InvalidSlug(s.to_owned())),
    }
}

/// Derives a slug from a display name: lowercase ASCII letters and digits,
/// everything else collapsed into single hyphens. Names with too few usable
/// characters get a short random suffix so the result satisfies the rule.
pub fn derive(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(63);
    let mut slug = slug.trim_end_matches('-').to_owned();
    if uuid::Uuid::parse_str(&slug).is_ok() {
        // A name that is itself a UUID: keep it readable, make it a slug.
        slug.truncate(59);
        slug.push_str("-org");
    }
    if slug.len() < 3 {
        let suffix: String = uuid::Uuid::new_v4().simple().to_string()[..6].to_owned();
        slug = if slug.is_empty() {
            suffix
        } else {
            format!("{slug}-{suffix}")
        };
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_slugs_follow_the_rule() {
        for ok in ["abc", "acme-corp", "a1-b2-c3", &"a".repeat(63)] {
            assert!(is_valid(ok), "{ok} should be valid");
        }
        for bad in [
            "ab",
            "Acme",
            "acme--corp",
            "-acme",
            "acme-",
            "acme corp",
            "ümlaut",
            &"a".repeat(64),
            "123e4567-e89b-12d3-a456-426614174000",
            "123e4567e89b12d3a456426614174000",
        ] {
            assert!(!is_valid(bad), "{bad} should be invalid");
        }
    }

    #[test]
    fn derived_slugs_are_always_valid() {
        assert_eq!(derive("Acme Corp!"), "acme-corp");
        assert_eq!(derive("  Hello,   World  "), "hello-world");
        for name in [
            "A",
            "!!!",
            "Ünïcödé only",
            &"Long name ".repeat(20),
            "123E4567-E89B-12D3-A456-426614174000",
        ] {
            let slug = derive(name);
            assert!(is_valid(&slug), "derive({name:?}) = {slug:?} is invalid");
        }
    }
}
