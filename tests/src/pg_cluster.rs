//! A PostgreSQL cluster of the test's own (initdb into a temporary directory,
//! a free port), which the test may restart or crash: the shared server on
//! 5432 is never touched. PostgreSQL refuses to run as root, so when the tests
//! run as root the cluster runs as the `postgres` OS user.

use crate::testenv::TestDatabase;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct PgCluster {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

/// The directory of PostgreSQL's server programs (`pg_config --bindir`, else
/// Debian's versioned path).
fn bindir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let debian = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(debian)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .filter(|d| d.join("initdb").exists())
        .expect("PostgreSQL server programs (initdb, pg_ctl) not found")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PgCluster {
    /// initdb (trust authentication) and start.
    pub fn start() -> PgCluster {
        let port = crate::spawn::free_port();
        let dir = std::env::temp_dir().join(format!(
            "backend-pg-{port}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let cluster = PgCluster {
            port,
            dir,
            bin: bindir(),
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "--auth=trust",
                "--username=postgres",
                "--no-sync",
            ],
        );
        cluster.pg_ctl(&["start", "-w"]);
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let out = cmd.args(args).output().expect("run a PostgreSQL program");
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl(&self, args: &[&str]) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=on",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log").display().to_string();
        let data = self.data();
        let mut all = vec!["-D", &data, "-l", &log, "-o", &options];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    /// Stops the server the way a crash does (`immediate`: no checkpoint, the
    /// WAL replays at the next start) and starts it again.
    pub fn crash_and_restart(&self) {
        self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
        self.pg_ctl(&["start", "-w"]);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "no restart");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The superuser URL of the cluster's `postgres` database.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The roles and one migrated database, as [`crate::testenv`] makes them.
    pub async fn migrated_database<F, Fut>(&self, migrate: F) -> TestDatabase
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
    {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&self.admin_url())
            .await
            .expect("connect to the test cluster");
        for statement in [
            "CREATE ROLE backend_owner LOGIN NOSUPERUSER NOBYPASSRLS",
            "CREATE ROLE backend_app LOGIN NOSUPERUSER NOBYPASSRLS",
            // Not in one batch: CREATE DATABASE refuses to run in a transaction.
            "CREATE DATABASE backend OWNER backend_owner",
        ] {
            admin.execute(statement).await.expect(statement);
        }
        let url = |user: &str| format!("postgres://{user}@127.0.0.1:{}/backend", self.port);
        migrate(url("backend_owner")).await.expect("migrate");
        TestDatabase {
            name: "backend".into(),
            admin_url: url("postgres"),
            owner_url: url("backend_owner"),
            app_url: url("backend_app"),
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "stop", "-m", "immediate"])
            .output();
        if is_root() {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", &self.data(), "stop", "-m", "immediate"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
