//! The checked-in contract files must be exactly what the code emits.

fn repo_file(rel: &str) -> std::path::PathBuf {
    backend_e2e::repo_root().join(rel)
}

/// Compares a committed file with freshly generated content.
fn check(rel: &str, generated: &str, regenerate: &str) -> Result<(), String> {
    let committed = std::fs::read_to_string(repo_file(rel)).unwrap_or_default();
    compare(rel, &committed, generated, regenerate)
}

/// The committed text of the file `rel` against the generated one: where
/// they first differ, and the command that regenerates it.
pub fn compare(
    rel: &str,
    committed: &str,
    generated: &str,
    regenerate: &str,
) -> Result<(), String> {
    if committed == generated {
        return Ok(());
    }
    let line = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .map_or_else(
            || committed.lines().count().min(generated.lines().count()) + 1,
            |i| i + 1,
        );
    Err(format!(
        "{rel} differs from what the code emits (first difference at line {line}). Regenerate it with:\n    {regenerate}"
    ))
}

const REGEN_OPENAPI: &str =
    "cargo run -q -p backend-server --bin backend -- openapi > openapi/backend.yaml";
const REGEN_CATALOG: &str =
    "cargo run -q -p backend-server --bin backend -- error-catalog > docs/api/error-catalog.md";

#[test]
fn the_committed_openapi_document_matches_the_api_trait() {
    if let Err(e) = check(
        "openapi/backend.yaml",
        &backend_api::openapi_yaml(),
        REGEN_OPENAPI,
    ) {
        panic!("{e}");
    }
}

#[test]
fn the_committed_error_catalog_matches_the_error_enum() {
    let generated = backend_api::catalog::error_catalog_markdown();
    if let Err(e) = check("docs/api/error-catalog.md", &generated, REGEN_CATALOG) {
        panic!("{e}");
    }
}

#[test]
fn the_drift_check_fails_on_an_edited_file_and_names_the_command() {
    let generated = backend_api::openapi_yaml();
    let dir = std::env::temp_dir().join(format!("drift-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    let edited = generated.replacen("Liveness probe", "Liveness probe (edited by hand)", 1);
    assert_ne!(edited, generated);
    let rel = dir.join("openapi/backend.yaml");
    std::fs::write(&rel, edited).unwrap();
    let err = check(rel.to_str().unwrap(), &generated, REGEN_OPENAPI).unwrap_err();
    assert!(err.contains(REGEN_OPENAPI), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_error_code_is_in_the_catalog_and_the_spec() {
    let catalog = backend_api::catalog::error_catalog_markdown();
    let spec = backend_api::openapi_yaml();
    for code in backend_api::ErrorCode::ALL {
        assert!(
            catalog.contains(&format!("## {code}")),
            "{code} missing from the catalog"
        );
        assert!(
            spec.contains(&format!("- {code}")),
            "{code} missing from the spec's ErrorCode enum"
        );
    }
}
