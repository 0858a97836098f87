//! Pod-equivalent smoke test: the chart rendered with the dev values, the
//! container's command, args and environment taken exactly as rendered, the
//! real binary run with them. Only what cannot exist here is changed:
//! cluster hostnames point at the local services, the database is a fresh
//! one, Redis is its database 15 (so the chart's real rate limit is not shared
//! with the other tests' sign-ins), and the listen port is a free one (8000
//! may be taken).

use backend_client::types::{OrgInput, ProjectInput};
use backend_e2e::chart::{self, container, find, strings};
use backend_e2e::spawn::{Backend, backend_command, free_port};
use backend_e2e::testenv;
use std::collections::BTreeMap;

/// Points a cluster URL at this machine's service and the test database.
fn localize(value: &str, database: &str) -> String {
    let Ok(mut url) = url::Url::parse(value) else {
        return value.to_owned();
    };
    if !url
        .host_str()
        .is_some_and(|h| h.ends_with(".svc.cluster.local"))
    {
        return value.to_owned();
    }
    url.set_host(Some("127.0.0.1")).expect("host");
    if url.scheme().starts_with("postgres") {
        url.set_path(&format!("/{database}"));
    } else if url.scheme().starts_with("redis") {
        url.set_path("/15");
    }
    url.to_string()
}

fn localized(env: BTreeMap<String, String>, database: &str) -> Vec<(String, String)> {
    env.into_iter()
        .map(|(k, v)| {
            let v = localize(&v, database);
            (k, v)
        })
        .collect()
}

#[tokio::test]
async fn the_rendered_dev_pod_migrates_serves_and_round_trips() {
    if std::env::var("BACKEND_URL").is_ok() {
        return; // this test runs the binary itself
    }
    let objs = chart::render(&["values-dev.yaml"], &[]);
    let db = testenv::empty_database().await;

    // The migration Job, as rendered.
    let job = find(&objs, "Job", "backend-migrate");
    let job_container = &job["spec"]["template"]["spec"]["containers"][0];
    let job_env = localized(chart::resolve_env(&objs, job_container), &db.name);
    let out = backend_command()
        .args(strings(&job_container["args"]))
        .envs(job_env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert_eq!(strings(&job_container["command"]), ["backend"]);
    assert!(
        out.status.success(),
        "migration Job failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The Deployment's container, as rendered.
    let deployment = find(&objs, "Deployment", "backend");
    let server = container(deployment, "backend");
    assert_eq!(strings(&server["command"]), ["backend"]);
    let port = free_port();
    let mut env = localized(chart::resolve_env(&objs, server), &db.name);
    for (k, v) in env.iter_mut() {
        if k == "BIND_ADDRESS" {
            *v = format!("127.0.0.1:{port}");
        }
    }
    let backend = Backend::launch(&strings(&server["args"]), &env, port, Some(db)).await;

    // The probes the kubelet would call.
    let http = reqwest::Client::new();
    for probe in ["livenessProbe", "readinessProbe"] {
        let path = server[probe]["httpGet"]["path"]
            .as_str()
            .expect("probe path");
        let resp = http
            .get(format!("{}{path}", backend.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            200,
            "{probe} {path}; log:\n{}",
            backend.log()
        );
    }

    // The dev values turn the front on: the ingress's request id is the
    // request's, and an unknown path answers in the envelope.
    assert!(
        env.iter().any(|(k, v)| k == "HTTP_FRONT" && v == "on"),
        "values-dev.yaml sets config.httpFront"
    );
    let resp = http
        .get(format!("{}/api/v1/no-such-route", backend.base_url))
        .header("x-request-id", "ingress-4f2a")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["x-request-id"], "ingress-4f2a");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "NOT_FOUND", "{body}");
    assert_eq!(body["request_id"], "ingress-4f2a", "{body}");

    // A guest -> org -> project round trip.
    let signin = backend
        .client()
        .auth_guest()
        .await
        .expect("guest sign-in")
        .into_inner();
    let api = backend.client_with_token(&signin.access_token);
    let org = api
        .org_create(
            None,
            &OrgInput {
                name: "Smoke".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap()
        .into_inner();
    let project = api
        .project_create(
            &org.slug,
            None,
            &ProjectInput {
                name: "Pod".parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        api.project_get(&project.id, None)
            .await
            .unwrap()
            .into_inner()
            .org_id,
        org.id
    );
}
