//! Renders the Helm chart with the real helm (fetched by
//! `scripts/validate-deploy.sh`) and reads what a pod would be given.

use base64::Engine;
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::repo_root;

pub const CHART: &str = "helm-charts/application/backend";

/// The helm binary the deployment validation uses (installed on first use).
pub fn helm() -> PathBuf {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/validate-deploy.sh"))
        .arg("--print-helm")
        .output()
        .expect("run scripts/validate-deploy.sh --print-helm");
    assert!(
        out.status.success(),
        "cannot get helm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).expect("path").trim())
}

/// Every object `helm template` renders for `values` files (relative to
/// the chart) plus `--set` pairs.
pub fn render(values: &[&str], set: &[&str]) -> Vec<Value> {
    let root = repo_root();
    let mut cmd = Command::new(helm());
    cmd.current_dir(&root).args(["template", "backend", CHART]);
    for v in values {
        cmd.arg("-f").arg(format!("{CHART}/{v}"));
    }
    for s in set {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run helm template");
    assert!(
        out.status.success(),
        "helm template failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("YAML is text");
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).expect("rendered YAML parses"))
        .filter(|v| !v.is_null())
        .collect()
}

pub fn kind(obj: &Value) -> &str {
    obj["kind"].as_str().unwrap_or_default()
}

pub fn name(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or_default()
}

pub fn find<'a>(objs: &'a [Value], kind_: &str, name_: &str) -> &'a Value {
    objs.iter()
        .find(|o| kind(o) == kind_ && name(o) == name_)
        .unwrap_or_else(|| panic!("{kind_}/{name_} not rendered"))
}

/// The pod template's container of a Deployment or Job.
pub fn container<'a>(workload: &'a Value, container_name: &str) -> &'a Value {
    workload["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .expect("containers")
        .iter()
        .find(|c| c["name"].as_str() == Some(container_name))
        .unwrap_or_else(|| panic!("container {container_name} not found"))
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .map(|x| x.as_str().expect("string").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Env var names a container sets.
pub fn env_names(container: &Value) -> Vec<String> {
    container["env"]
        .as_sequence()
        .map(|s| {
            s.iter()
                .map(|e| e["name"].as_str().expect("env name").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The environment a container would see: literal values, and keys of the
/// rendered ConfigMaps and Secrets it references (optional refs to missing
/// keys are left out, as Kubernetes does).
pub fn resolve_env(objs: &[Value], container: &Value) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for e in container["env"].as_sequence().into_iter().flatten() {
        let var = e["name"].as_str().expect("env name").to_owned();
        if let Some(v) = e["value"].as_str() {
            env.insert(var, v.to_owned());
            continue;
        }
        let from = &e["valueFrom"];
        let (kind_, r) = if !from["configMapKeyRef"].is_null() {
            ("ConfigMap", &from["configMapKeyRef"])
        } else if !from["secretKeyRef"].is_null() {
            ("Secret", &from["secretKeyRef"])
        } else {
            panic!("{var}: unsupported env source {from:?}");
        };
        let (source_name, key) = (
            r["name"].as_str().expect("ref name"),
            r["key"].as_str().expect("ref key"),
        );
        let optional = r["optional"].as_bool().unwrap_or(false);
        let source = objs
            .iter()
            .find(|o| kind(o) == kind_ && name(o) == source_name);
        let value = source.and_then(|s| {
            if let Some(v) = s["stringData"][key].as_str() {
                return Some(v.to_owned());
            }
            let raw = s["data"][key].as_str()?;
            Some(if kind_ == "Secret" {
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(raw)
                        .expect("base64"),
                )
                .expect("utf-8")
            } else {
                raw.to_owned()
            })
        });
        match value {
            Some(v) => {
                env.insert(var, v);
            }
            None if optional => {}
            None => panic!("{var}: {kind_}/{source_name} has no key {key}"),
        }
    }
    env
}
