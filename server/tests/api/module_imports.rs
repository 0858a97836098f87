//! No two modules of `server/src` import each other: each rule lives in one
//! room, and the rooms are layered (`http` → `tenant` → `repo`/`db`, never
//! back). A module's imports are every `crate::`, `super::` and `self::` path
//! in its file (in `use` lines, brace groups included, and in code), resolved
//! to the longest module it names. A parent and its own child are one room.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`http::orgs`) → source text, for every `.rs` file under `root`.
fn modules(root: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("source dir") {
            let path = entry.expect("dir entry").path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(name);
                walk(&path, &inner, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if !matches!(name.as_str(), "mod" | "lib" | "main") {
                    module.push(name);
                }
                let text = std::fs::read_to_string(&path).expect("source file");
                out.entry(module.join("::")).or_default().push_str(&text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, &[], &mut out);
    out
}

/// Every `crate::`/`super::`/`self::` path in `text`, with `a::{b, c::d}`
/// groups expanded one level (enough to name the module).
fn paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in text.match_indices(start) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let rest = &text[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path = rest[..end].trim_end_matches(':');
            if rest[end..].starts_with('{') && rest[..end].ends_with("::") {
                let group = &rest[end + 1..rest[end..].find('}').map_or(end, |e| end + e)];
                for item in group.split(',') {
                    let item = item.trim().split([' ', ':']).next().unwrap_or_default();
                    if !item.is_empty() && item != "self" {
                        found.push(format!("{path}::{item}"));
                    }
                }
            }
            found.push(path.to_owned());
        }
    }
    found
}

/// The module `path`, seen from `from`, names: the longest known prefix.
fn resolve(from: &str, path: &str, known: &BTreeMap<String, String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if from.is_empty() {
        vec![]
    } else {
        from.split("::").collect()
    };
    match parts.first() {
        Some(&"crate") => base.clear(),
        Some(&"self") => {}
        Some(&"super") => {
            base.pop();
        }
        _ => return None,
    }
    parts.remove(0);
    while parts.first() == Some(&"super") {
        base.pop();
        parts.remove(0);
    }
    base.extend(parts);
    (0..=base.len())
        .rev()
        .map(|n| base[..n].join("::"))
        .find(|m| known.contains_key(m))
}

/// Pairs of modules that import each other.
fn mutual_imports(root: &Path) -> Vec<(String, String)> {
    let known = modules(root);
    let mut edges = BTreeSet::new();
    for (module, text) in &known {
        for path in paths(text) {
            let Some(target) = resolve(module, &path, &known) else {
                continue;
            };
            let related = target == *module
                || target.is_empty()
                || module.starts_with(&format!("{target}::"))
                || target.starts_with(&format!("{module}::"));
            if !related {
                edges.insert((module.clone(), target));
            }
        }
    }
    edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .cloned()
        .collect()
}

/// Cuts every module path to its first `depth` parts and drops the pairs
/// that become one room, so `auth::jwt` ↔ `http::auth` counts as `auth` ↔
/// `http`.
fn at_depth(root: &Path, depth: usize) -> Vec<(String, String)> {
    let known = modules(root);
    let cut = |m: &str| m.split("::").take(depth).collect::<Vec<_>>().join("::");
    let mut edges = BTreeSet::new();
    for (module, text) in &known {
        for path in paths(text) {
            if let Some(target) = resolve(module, &path, &known) {
                let (a, b) = (cut(module), cut(&target));
                if a != b && !a.is_empty() && !b.is_empty() {
                    edges.insert((a, b));
                }
            }
        }
    }
    edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .cloned()
        .collect()
}

#[test]
fn no_two_modules_of_the_server_import_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert!(
        modules(&root).contains_key("tenant::orgs"),
        "walked the tree"
    );
    assert_eq!(mutual_imports(&root), vec![], "file modules");
    assert_eq!(at_depth(&root, 1), vec![], "top-level modules");
}

#[test]
fn the_check_finds_a_mutual_import() {
    let root = std::env::temp_dir().join(format!("module-imports-{}", std::process::id()));
    std::fs::create_dir_all(root.join("http")).unwrap();
    std::fs::write(root.join("lib.rs"), "pub mod http;\npub mod auth;\n").unwrap();
    std::fs::write(root.join("auth.rs"), "use crate::http::session::begin;\n").unwrap();
    std::fs::write(root.join("http/mod.rs"), "mod session;\n").unwrap();
    std::fs::write(
        root.join("http/session.rs"),
        "use crate::{auth, other};\nuse super::super::auth::x;\n",
    )
    .unwrap();
    let mutual = mutual_imports(&root);
    let top = at_depth(&root, 1);
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(mutual, vec![("auth".into(), "http::session".into())]);
    assert_eq!(top, vec![("auth".into(), "http".into())]);
}
