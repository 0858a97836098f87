//! Runs the real `backend` binary for end-to-end tests.

use crate::testenv::{self, TestDatabase};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the `backend` binary is: `BACKEND_BIN`, or next to the test binary
/// (cargo builds the workspace's binaries before running its tests).
pub fn backend_bin() -> PathBuf {
    if let Ok(p) = std::env::var("BACKEND_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current test executable");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target profile directory");
    let bin = dir.join(format!("backend{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: build it with `cargo build -p backend-server` or set BACKEND_BIN",
        bin.display()
    );
    bin
}

/// `backend` with an empty environment, so that a test states every setting
/// the process sees. The one exception is `LLVM_PROFILE_FILE`: under the
/// coverage run (`scripts/coverage.sh`) it tells the instrumented binary where
/// to write its profile, so the end-to-end suite's coverage counts.
pub fn backend_command() -> Command {
    let mut cmd = Command::new(backend_bin());
    cmd.env_clear();
    if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
        cmd.env("LLVM_PROFILE_FILE", profile);
    }
    cmd
}

/// Whether this run collects coverage: the processes it spawns must then
/// exit, not be killed, or their profiles are never written.
fn collecting_coverage() -> bool {
    std::env::var_os("LLVM_PROFILE_FILE").is_some()
}

/// The JWT secret every test server is started with.
pub const TEST_JWT_SECRET: &str = "e2e-test-secret-0123456789abcdef0123456789";

/// An admin token: `BACKEND_ADMIN_TOKEN` when targeting a deployment,
/// otherwise minted by `backend token --admin` with the test secret.
pub fn admin_token() -> String {
    if let Ok(token) = std::env::var("BACKEND_ADMIN_TOKEN") {
        return token;
    }
    let out = backend_command()
        .args(["token", "--admin", "--ttl", "15m", "--subject", "e2e"])
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .output()
        .expect("run backend token");
    assert!(
        out.status.success(),
        "backend token failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("token is text")
        .trim()
        .to_owned()
}

/// Runs `backend migrate` against `owner_url`.
pub async fn migrate(owner_url: String) -> Result<(), String> {
    let out = tokio::process::Command::from(backend_command())
        .arg("migrate")
        .env("ENVIRONMENT", "dev")
        .env("DATABASE_URL", &owner_url)
        .env("MIGRATION_DATABASE_URL", &owner_url)
        .env("REDIS_URL", "redis://127.0.0.1:6379")
        .env("LOG_LEVEL", "warn")
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// A `backend serve` process (or a deployment named by `BACKEND_URL`).
pub struct Backend {
    pub base_url: String,
    child: Option<Child>,
    pub log_path: Option<PathBuf>,
    pub db: Option<TestDatabase>,
}

impl Backend {
    /// Starts `backend serve` on a fresh database with `env` added to the
    /// default test settings; with `BACKEND_URL` set, targets that instead.
    pub async fn start(env: &[(&str, &str)]) -> Backend {
        if let Ok(url) = std::env::var("BACKEND_URL") {
            return Backend {
                base_url: url.trim_end_matches('/').to_owned(),
                child: None,
                log_path: None,
                db: None,
            };
        }
        let db = testenv::fresh_database(migrate).await;
        let redis = testenv::redis_url().await;
        Backend::start_on(db, &redis, env).await
    }

    /// Starts one more replica on an existing database.
    pub async fn start_on(db: TestDatabase, redis_url: &str, env: &[(&str, &str)]) -> Backend {
        let port = free_port();
        let mut vars: Vec<(String, String)> = [
            ("ENVIRONMENT", "dev".to_owned()),
            ("BIND_ADDRESS", format!("127.0.0.1:{port}")),
            ("DATABASE_URL", db.app_url.clone()),
            ("MIGRATION_DATABASE_URL", db.owner_url.clone()),
            ("REDIS_URL", redis_url.to_owned()),
            ("JWT_SECRET", TEST_JWT_SECRET.to_owned()),
            ("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", "100000".to_owned()),
            ("LOG_LEVEL", "info".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Backend::launch(&["serve".to_owned()], &vars, port, Some(db)).await
    }

    /// Runs `backend <args>` with exactly `env` (nothing inherited) and waits
    /// until it answers `/health` on `port`.
    pub async fn launch(
        args: &[String],
        env: &[(String, String)],
        port: u16,
        db: Option<TestDatabase>,
    ) -> Backend {
        let log_path = std::env::temp_dir().join(format!(
            "backend-e2e-{port}-{}.log",
            uuid::Uuid::new_v4().simple()
        ));
        let log = std::fs::File::create(&log_path).expect("create log file");
        let mut cmd = backend_command();
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdout(Stdio::from(log.try_clone().expect("clone log handle")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn backend");
        let mut backend = Backend {
            base_url: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            log_path: Some(log_path),
            db,
        };
        backend.wait_healthy(Duration::from_secs(30)).await;
        backend
    }

    async fn wait_healthy(&mut self, limit: Duration) {
        let started = Instant::now();
        let http = reqwest::Client::new();
        while started.elapsed() < limit {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "backend exited with {status} before it was healthy; log:\n{}",
                    self.log()
                );
            }
            if let Ok(r) = http.get(format!("{}/health", self.base_url)).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "backend did not become healthy within {limit:?}; log:\n{}",
            self.log()
        );
    }

    /// The process id of the spawned server; `None` for a `BACKEND_URL` target.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Everything the process wrote so far.
    pub fn log(&self) -> String {
        self.log_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    }

    pub fn client(&self) -> backend_client::Client {
        backend_client::Client::new(&self.base_url)
    }

    pub fn client_with_token(&self, token: &str) -> backend_client::Client {
        backend_client::with_token(&self.base_url, token).expect("token is a valid header value")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if collecting_coverage() {
            self.terminate();
        } else if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(p) = &self.log_path
            && !std::thread::panicking()
        {
            let _ = std::fs::remove_file(p);
        }
    }
}
