//! The settings are declared once (`server/src/settings/vars.rs`); the list
//! the chart checks read and the README's table are generated from that
//! declaration and must be exactly what it emits.

use super::contract::compare;
use backend_server::settings::vars;

const REGENERATE: &str =
    "ENV_VARS_WRITE=1 cargo test -q -p backend-server --test api settings_docs";
const LIST: &str = "scripts/validate_deploy/env-vars.json";
const BEGIN: &str = "<!-- env-vars:begin";
const END: &str = "<!-- env-vars:end -->";

/// `readme` with the text between the markers replaced by `table`, or
/// `None` when the markers are missing.
fn with_table(readme: &str, table: &str) -> Option<String> {
    let begin = readme.find(BEGIN)?;
    let start = begin + readme[begin..].find('\n')? + 1;
    let end = start + readme[start..].find(END)?;
    Some(format!("{}{table}{}", &readme[..start], &readme[end..]))
}

fn check(rel: &str, generated: &str) {
    let path = backend_e2e::repo_root().join(rel);
    if std::env::var_os("ENV_VARS_WRITE").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if let Err(e) = compare(rel, &committed, generated, REGENERATE) {
        panic!("{e}");
    }
}

/// The variable a minimal server environment plus `name=value` is refused
/// for, if any.
fn refused(name: &str, value: &str) -> Option<&'static str> {
    backend_server::settings::Settings::from_source(&backend_server::settings::Source(
        |k| match k {
            "DATABASE_URL" => Some("postgres://backend_app@x/db".into()),
            "REDIS_URL" => Some("redis://x".into()),
            k if k == name => Some(value.to_owned()),
            _ => None,
        },
    ))
    .err()
    .map(|e| e.var)
}

#[test]
fn the_committed_variable_list_is_what_the_declaration_emits() {
    check(LIST, &vars::json());
}

#[test]
fn the_readme_settings_table_is_what_the_declaration_emits() {
    let readme = std::fs::read_to_string(backend_e2e::repo_root().join("README.md")).unwrap();
    let generated =
        with_table(&readme, &vars::markdown()).expect("README has the env-vars markers");
    check("README.md", &generated);
}

#[test]
fn the_declaration_covers_what_the_parser_reads_and_the_table_fails_on_drift() {
    let names: Vec<&str> = vars::ALL.iter().map(|v| v.name).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a variable declared twice");
    let readme = std::fs::read_to_string(backend_e2e::repo_root().join("README.md")).unwrap();
    let dropped = vars::markdown().replacen("| `REDIS_URL` |", "| `REDIS_URI` |", 1);
    let stale = with_table(&readme, &dropped).unwrap();
    let fresh = with_table(&readme, &vars::markdown()).unwrap();
    assert!(compare("README.md", &stale, &fresh, REGENERATE).is_err());
    // Every declared range is enforced, at both ends.
    for var in vars::ALL.iter().filter(|v| v.serve.is_some()) {
        let Some((lo, hi)) = var.within else { continue };
        let outside = [lo.checked_sub(1), hi.checked_add(1)];
        for value in outside.into_iter().flatten() {
            assert_eq!(
                refused(var.name, &value.to_string()),
                Some(var.name),
                "{} = {value}",
                var.name
            );
        }
    }
    // The server reads every variable the declaration says it reads: a
    // malformed value of each one it parses is refused by name.
    for var in vars::ALL.iter().filter(|v| v.serve.is_some()) {
        // Free text: any issuer or audience is valid.
        let free_text = matches!(var.name, "JWT_ISSUER" | "JWT_AUDIENCE");
        if matches!(var.unset, vars::Unset::Value(_)) && !free_text {
            assert_eq!(
                refused(var.name, "\u{1}not-a-value"),
                Some(var.name),
                "{} is declared but a bad value passes",
                var.name
            );
        }
    }
}
