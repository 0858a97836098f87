//! Display names of organizations and projects.

use backend_api::ApiError;

/// Trims `name` and checks it is 1–100 characters.
pub fn display_name(name: &str) -> Result<String, ApiError> {
    let trimmed = name.trim();
    let len = trimmed.chars().count();
    if !(1..=100).contains(&len) {
        return Err(ApiError::validation(
            "name",
            format!("name must be 1-100 characters after trimming (got {len})"),
        ));
    }
    Ok(trimmed.to_owned())
}
