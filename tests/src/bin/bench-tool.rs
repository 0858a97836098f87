//! Helpers for `scripts/bench.sh` (not a test):
//!
//! - `bench-tool seed URL N PROJECTS OUT`: signs in N guests, each creating one
//!   organization with PROJECTS projects, concurrently; writes one line per
//!   guest to OUT: `token org_id org_slug user_id`.
//! - `bench-tool propagation ADMIN_TOKEN N WRITER_URL REPLICA_URL...`: sends N
//!   config PUTs through the writer, one at a time, waiting after each until
//!   every replica's runtime view has it; prints the replicas' own
//!   commit→applied and publish→applied percentiles and the client-observed
//!   PUT-returned→visible-everywhere percentiles.
//! - `bench-tool revocations ADMIN_TOKEN N WRITER_URL REPLICA_URL...`: signs in
//!   N guests and logs them out through the writer, one at a time; prints
//!   each replica's own commit→denied and publish→denied percentiles.

use backend_client::types::{OrgInput, ProjectInput, PutConfig};
use futures::StreamExt;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seed") => {
            seed(
                &args[1],
                args[2].parse().unwrap(),
                args[3].parse().unwrap(),
                &args[4],
            )
            .await
        }
        Some("propagation") => {
            propagation(&args[1], args[2].parse().unwrap(), &args[3], &args[4..]).await
        }
        Some("revocations") => {
            revocations(&args[1], args[2].parse().unwrap(), &args[3], &args[4..]).await
        }
        _ => {
            eprintln!(
                "usage: bench-tool seed URL N PROJECTS OUT | propagation|revocations ADMIN_TOKEN N WRITER REPLICA..."
            );
            std::process::exit(2);
        }
    }
}

async fn seed(url: &str, n: usize, projects: usize, out: &str) {
    let lines: Vec<String> = futures::stream::iter(0..n)
        .map(|i| async move {
            let signin = backend_client::Client::new(url)
                .auth_guest()
                .await
                .expect("sign in")
                .into_inner();
            let api = backend_client::with_token(url, &signin.access_token).unwrap();
            let slug = format!("bench-org-{i}");
            let org = api
                .org_create(
                    None,
                    &OrgInput {
                        name: format!("Bench org {i}").parse().unwrap(),
                        slug: Some(slug.parse().unwrap()),
                    },
                )
                .await
                .expect("create org")
                .into_inner();
            for p in 0..projects {
                let input = ProjectInput {
                    name: format!("Project {p}").parse().unwrap(),
                    slug: Some(format!("project-{p}").parse().unwrap()),
                };
                api.project_create(&org.slug, None, &input)
                    .await
                    .expect("create project");
            }
            format!(
                "{} {} {} {}",
                signin.access_token, org.id, org.slug, signin.user.id
            )
        })
        .buffer_unordered(16)
        .collect()
        .await;
    std::fs::write(out, lines.join("\n") + "\n").expect("write seed file");
}

fn percentile(sorted: &[u64], q: f64) -> u64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

async fn propagation(admin: &str, n: usize, writer: &str, replicas: &[String]) {
    let writer_api = backend_client::with_token(writer, admin).unwrap();
    let replica_apis: Vec<_> = replicas
        .iter()
        .map(|r| backend_client::with_token(r, admin).unwrap())
        .collect();
    let key = format!("BENCH_{}", uuid::Uuid::new_v4().simple()).to_uppercase();
    let mut visible_us = Vec::with_capacity(n);
    for i in 0..n {
        let body = PutConfig {
            value: i.to_string().parse().unwrap(),
            reason: None,
        };
        let version = writer_api
            .config_put(&key.parse().unwrap(), None, None, &body)
            .await
            .expect("put")
            .into_inner()
            .version;
        let returned = Instant::now();
        for api in &replica_apis {
            loop {
                let view = api
                    .runtime_config()
                    .await
                    .expect("runtime view")
                    .into_inner();
                if view
                    .entries
                    .iter()
                    .any(|e| e.key == key && e.version >= version)
                {
                    break;
                }
                assert!(
                    returned.elapsed() < Duration::from_secs(5),
                    "update {i} never arrived"
                );
            }
        }
        visible_us.push(returned.elapsed().as_micros() as u64);
    }
    visible_us.sort_unstable();
    println!(
        "client put-returned->visible-on-all: n={} p50_us={} p99_us={} max_us={}",
        n,
        percentile(&visible_us, 0.5),
        percentile(&visible_us, 0.99),
        visible_us.last().unwrap()
    );
    for (url, api) in replicas.iter().zip(&replica_apis) {
        let view = api.runtime_config().await.unwrap().into_inner();
        let (c, p) = (view.commit_to_applied, view.publish_to_applied);
        println!(
            "replica {url}: commit->applied n={} p50_us={} p99_us={} max_us={} | publish->applied p50_us={} p99_us={} max_us={}",
            c.count, c.p50_us, c.p99_us, c.max_us, p.p50_us, p.p99_us, p.max_us
        );
    }
}

async fn revocations(admin: &str, n: usize, writer: &str, replicas: &[String]) {
    let anonymous = backend_client::Client::new(writer);
    let mut tokens = Vec::with_capacity(n);
    for _ in 0..n {
        tokens.push(
            anonymous
                .auth_guest()
                .await
                .expect("sign in")
                .into_inner()
                .access_token,
        );
    }
    let before: Vec<u64> = {
        let mut counts = Vec::new();
        for r in replicas {
            let api = backend_client::with_token(r, admin).unwrap();
            let view = api
                .runtime_config()
                .await
                .expect("runtime view")
                .into_inner();
            counts.push(view.revocations.commit_to_denied.count);
        }
        counts
    };
    for token in &tokens {
        let api = backend_client::with_token(writer, token).unwrap();
        api.auth_logout().await.expect("logout");
    }
    for (url, before) in replicas.iter().zip(before) {
        let api = backend_client::with_token(url, admin).unwrap();
        let started = Instant::now();
        let view = loop {
            let view = api.runtime_config().await.unwrap().into_inner();
            if view.revocations.commit_to_denied.count >= before + n as u64
                || view.revocations.commit_to_denied.count >= 4096
            {
                break view;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "revocations never arrived at {url}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let (c, p) = (
            view.revocations.commit_to_denied,
            view.revocations.publish_to_denied,
        );
        println!(
            "replica {url}: revocation commit->denied n={} p50_us={} p99_us={} max_us={} | publish->denied p50_us={} p99_us={} max_us={}",
            c.count, c.p50_us, c.p99_us, c.max_us, p.p50_us, p.p99_us, p.max_us
        );
    }
}
