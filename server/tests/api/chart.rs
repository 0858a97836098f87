//! One contract between the Helm chart and this binary: every variable the
//! chart sets is one the server reads, every variable the server needs is
//! set, ports and probe paths are the server's, the Job's command exists.

use backend_e2e::chart::{self, container, env_names, find, strings};
use backend_server::settings::{MIGRATION_VARIABLES, REQUIRED_VARIABLES, VARIABLES};

const ENVIRONMENTS: &[(&str, &[&str])] = &[
    ("values-dev.yaml", &[]),
    (
        "values-staging.yaml",
        &["secret.existingSecret=backend-staging"],
    ),
    ("values-prod.yaml", &["secret.existingSecret=backend-prod"]),
];

fn backend_accepts(args: &[String]) -> bool {
    std::process::Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(args)
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_chart_sets_exactly_what_the_server_reads_in_every_environment() {
    for (values, set) in ENVIRONMENTS {
        let objs = chart::render(&[values], set);
        let deployment = find(&objs, "Deployment", "backend");
        let server = container(deployment, "backend");
        let names = env_names(server);
        for name in &names {
            assert!(
                VARIABLES.contains(&name.as_str()),
                "{values}: the chart sets {name}, which the server never reads"
            );
        }
        for required in REQUIRED_VARIABLES
            .iter()
            .chain(["JWT_SECRET", "ENVIRONMENT"].iter())
        {
            assert!(
                names.iter().any(|n| n == required),
                "{values}: the chart does not set {required}"
            );
        }
        assert_eq!(strings(&server["command"]), ["backend"], "{values}");
        let args = strings(&server["args"]);
        assert_eq!(args, ["serve"], "{values}");
        assert!(backend_accepts(&args));

        let port = &server["ports"][0];
        assert_eq!(
            (port["name"].as_str(), port["containerPort"].as_u64()),
            (Some("http"), Some(8000))
        );
        assert_eq!(
            server["livenessProbe"]["httpGet"]["path"].as_str(),
            Some("/health"),
            "{values}"
        );
        assert_eq!(
            server["readinessProbe"]["httpGet"]["path"].as_str(),
            Some("/ready"),
            "{values}"
        );
        let service = find(&objs, "Service", "backend");
        assert_eq!(
            service["spec"]["ports"][0]["targetPort"].as_str(),
            Some("http")
        );

        let job = find(&objs, "Job", "backend-migrate");
        let migrate = &job["spec"]["template"]["spec"]["containers"][0];
        let job_args = strings(&migrate["args"]);
        assert_eq!(job_args, ["migrate"], "{values}");
        assert!(backend_accepts(&job_args), "the Job's command exists");
        let job_env = env_names(migrate);
        for name in &job_env {
            assert!(
                MIGRATION_VARIABLES.contains(&name.as_str()),
                "{values}: the Job sets {name}, which migrate never reads"
            );
        }
        assert!(
            job_env.iter().any(|n| n == "MIGRATION_DATABASE_URL"),
            "{values}: the Job needs MIGRATION_DATABASE_URL"
        );
    }
}

#[test]
fn the_default_bind_address_matches_the_container_port() {
    let settings =
        backend_server::settings::Settings::from_source(&backend_server::settings::Source(|k| {
            match k {
                "DATABASE_URL" => Some("postgres://backend_app@x/db".into()),
                "REDIS_URL" => Some("redis://x".into()),
                _ => None,
            }
        }))
        .unwrap();
    assert_eq!(settings.bind_address.port(), 8000);
}
