//! A throwaway PostgreSQL cluster for tests that kill the server: `initdb` into a temporary
//! directory and a `postgres` on a free loopback port, with `fsync=on` and
//! `synchronous_commit=on`, run as the `postgres` user through `runuser` (the server refuses
//! to run as root). The binaries come from `pg_config --bindir`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A cluster in a temporary directory, stopped and removed when dropped.
#[derive(Debug)]
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    server: Option<Child>,
}

fn bindir() -> PathBuf {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .expect("pg_config runs: install PostgreSQL's server (Debian: postgresql)");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn as_postgres(bin: &Path, program: &str) -> Command {
    let mut command = Command::new("runuser");
    command
        .args(["-u", "postgres", "--"])
        .arg(bin.join(program));
    command
}

impl Cluster {
    /// A new cluster, started.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("the data directory");
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .expect("chown runs");
        assert!(status.success(), "chown of the cluster's directory");
        let bin = bindir();
        let initdb = as_postgres(&bin, "initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .output()
            .expect("runuser runs initdb (the tests run as root)");
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut cluster = Self {
            dir,
            bin,
            port,
            server: None,
        };
        cluster.restart();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) and waits until it accepts connections; a server killed a
    /// moment ago may still hold its shared memory through dying backends, so starting is
    /// retried.
    pub fn restart(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut server = as_postgres(&self.bin, "postgres")
                .arg("-D")
                .arg(self.data())
                .args(["-p", &self.port.to_string()])
                .args(["-c", "listen_addresses=127.0.0.1"])
                .arg("-c")
                .arg(format!(
                    "unix_socket_directories={}",
                    self.dir.path().display()
                ))
                .args(["-c", "fsync=on", "-c", "synchronous_commit=on"])
                .args(["-c", "max_connections=50"])
                // After a crash the server syncs its data directory before recovery: one
                // syncfs instead of an fsync of every file keeps a restart short.
                .args(["-c", "recovery_init_sync_method=syncfs"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("runuser starts postgres");
            let ready = Instant::now() + Duration::from_secs(10);
            while Instant::now() < ready {
                if let Ok(Some(_)) = server.try_wait() {
                    break;
                }
                let accepting = Command::new(self.bin.join("pg_isready"))
                    .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                    .status()
                    .is_ok_and(|s| s.success());
                if accepting {
                    self.server = Some(server);
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = server.kill();
            let _ = server.wait();
            assert!(
                Instant::now() < deadline,
                "the throwaway PostgreSQL did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The postmaster's process id, from `postmaster.pid`.
    fn postmaster(&self) -> Option<String> {
        let pid = std::fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        pid.lines().next().map(str::to_owned)
    }

    /// SIGKILLs the postmaster, as a crash would, and waits for its `runuser` to end.
    pub fn kill(&mut self) {
        if let Some(pid) = self.postmaster() {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        if let Some(mut server) = self.server.take() {
            let _ = server.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A fast shutdown; the directory goes with the TempDir.
        if let Some(pid) = self.postmaster() {
            let _ = Command::new("kill").args(["-INT", &pid]).status();
        }
        if let Some(mut server) = self.server.take() {
            let _ = server.wait();
        }
    }
}
