//! A throwaway PostgreSQL for the integration tests, so the announcement state is tested
//! against the real server it runs on in production rather than a stand-in.
//!
//! [`database`] gives each test a fresh, empty database. When `BRIEFBOT_TEST_DATABASE_URL`
//! names a server (whose user may `CREATE DATABASE`), the database is created there; otherwise
//! the test gets a server of its own, a [`PgServer`]: `initdb` into a temporary folder under
//! `/tmp`, started with `pg_ctl` on a free loopback port, stopped and removed on drop.
//!
//! The server binaries come from the distribution's package (Debian: `postgresql`), found
//! through `pg_config --bindir` or under `/usr/lib/postgresql/<version>/bin`, since Debian keeps
//! them off PATH. On a machine without them [`database`] and [`PgServer::start`] answer `None`
//! and the test returns: it is reported as not run, naming the package, and fails instead
//! where `BRIEFBOT_TEST_REQUIRE` asks for it, as in CI (see `needs`), so the PostgreSQL backend
//! never goes untested there.
//!
//! PostgreSQL refuses to run as root, and CI runs as root, so under root the server is
//! initialised and run as the `postgres` system user (which the package creates), in a folder
//! given to that user.
//!
//! Everything here blocks (it runs `initdb`, `pg_ctl` and `psql` as child processes and waits
//! for them; a server takes a second or two to start). That is fine inside a `#[tokio::test]`
//! as well: call it before the test starts the tasks that depend on the database.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use super::needs::{self, Package};

/// The variable naming an existing server to create the tests' databases in, instead of
/// starting one per test.
pub const DATABASE_URL_VARIABLE: &str = "BRIEFBOT_TEST_DATABASE_URL";

/// A fresh, empty database for one test, and the server it lives on when the test started
/// its own. Dropping it drops the database on a shared server (kept when the test panicked,
/// to look at), or stops and removes the test's own server.
pub struct TestDatabase {
    url: String,
    /// The server started for this test; `None` when the database lives on the server of
    /// `BRIEFBOT_TEST_DATABASE_URL`.
    server: Option<PgServer>,
    /// On a shared server: the URL to connect to for dropping the database again, and its name.
    shared: Option<(String, String)>,
}

impl TestDatabase {
    /// The database's URL, with user and password: `postgres://user:password@host:port/name`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server started for this test, to stop and start again; `None` when the database is
    /// on the server named by `BRIEFBOT_TEST_DATABASE_URL`, which the tests must not stop.
    pub fn server(&self) -> Option<&PgServer> {
        self.server.as_ref()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = &self.shared else {
            return; // the server's own drop removes everything
        };
        if std::thread::panicking() {
            eprintln!("kept database {name} on {DATABASE_URL_VARIABLE} to look at");
            return;
        }
        let _ = psql(
            admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name)),
        );
    }
}

/// A fresh, empty database for one test, on the server `BRIEFBOT_TEST_DATABASE_URL` names
/// or, when it is unset, on a server started for this test. Blocks while it is made.
///
/// `None` when the test needs a server of its own and PostgreSQL's server binaries are
/// missing: the test is reported as not run and returns (see [`needs::needs`]).
pub fn database() -> Option<TestDatabase> {
    match std::env::var(DATABASE_URL_VARIABLE) {
        Ok(admin_url) if !admin_url.trim().is_empty() => {
            let admin_url = admin_url.trim().to_string();
            let name = unique_name();
            if let Err(error) = psql(
                &admin_url,
                &format!("CREATE DATABASE {}", quote_ident(&name)),
            ) {
                panic!(
                    "could not create database {name} on {DATABASE_URL_VARIABLE} (its user must be \
                     allowed to CREATE DATABASE):\n{error}"
                );
            }
            Some(TestDatabase {
                url: with_database(&admin_url, &name),
                server: None,
                shared: Some((admin_url, name)),
            })
        }
        _ => {
            let server = PgServer::start()?;
            let url = server.create_database(&unique_name());
            Some(TestDatabase {
                url,
                server: Some(server),
                shared: None,
            })
        }
    }
}

/// A PostgreSQL server of its own for a test: a fresh data folder in a temporary folder,
/// listening on a free port of 127.0.0.1 (and a Unix socket in that folder, never the
/// system's), as the `postgres` superuser with a random password. Dropping it stops the
/// server at once and removes the folder.
pub struct PgServer {
    /// Holds the folder (data, log, socket); removed when dropped, after the server stops.
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    password: String,
    runner: Runner,
}

impl PgServer {
    /// Initialises a data folder and starts a server on it. Blocks until the server accepts
    /// connections (about a second). Panics with the server's log when it does not start.
    ///
    /// `None` when PostgreSQL's server binaries are missing: the test is reported as not run
    /// and returns (see [`needs::needs`]).
    pub fn start() -> Option<PgServer> {
        if !needs::needs(Package::Postgresql) {
            return None;
        }
        let bin = server_bindir().clone();
        let runner = Runner::get().clone();
        let dir = tempfile::Builder::new()
            .prefix("briefbot-pg-")
            // Under /tmp, not TMPDIR: the `postgres` user must reach it, and the socket's
            // path must fit in a Unix socket address (107 bytes).
            .tempdir_in("/tmp")
            .expect("create a temporary folder for PostgreSQL under /tmp");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .expect("make PostgreSQL's folder private");
        runner.give(dir.path());

        // A random password, so that URLs carry one as a real deployment's do and password
        // authentication over TCP is what the tests exercise.
        let password = hex::encode(random_bytes::<16>());
        let pwfile = dir.path().join("password");
        std::fs::write(&pwfile, format!("{password}\n")).expect("write the password file");
        std::fs::set_permissions(&pwfile, std::fs::Permissions::from_mode(0o600))
            .expect("make the password file private");
        runner.give(&pwfile);

        let data = dir.path().join("data");
        let initdb = runner.run(
            &bin.join("initdb"),
            [
                OsStr::new("-D"),
                data.as_os_str(),
                OsStr::new("-U"),
                OsStr::new("postgres"),
                OsStr::new("--auth-local=trust"),
                OsStr::new("--auth-host=scram-sha-256"),
                &concat_os("--pwfile=", pwfile.as_os_str()),
                OsStr::new("-E"),
                OsStr::new("UTF8"),
                OsStr::new("--no-locale"),
                // Nothing survives the test, so nothing needs to reach the disk.
                OsStr::new("--no-sync"),
            ],
            dir.path(),
        );
        assert!(
            initdb.status.success(),
            "initdb failed ({}):\n{}",
            initdb.status,
            output_text(&initdb)
        );
        let _ = std::fs::remove_file(&pwfile);

        let mut server = PgServer {
            dir,
            bin,
            port: 0,
            password,
            runner,
        };
        // The port is free when picked but another process may take it before the server
        // binds it (tests run in parallel); a few tries with fresh ports make that harmless.
        for attempt in 1..=3 {
            server.port = free_port();
            match server.try_start() {
                Ok(()) => return Some(server),
                Err(log) if attempt < 3 && port_was_taken(&log) => continue,
                Err(log) => server.fail_to_start(&log),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// The URL of `database` on this server, as the `postgres` superuser with its password
    /// over TCP.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{}",
            self.password,
            self.port,
            percent_encode(database)
        )
    }

    /// The `postgres` superuser's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates an empty database `name` and returns its URL. Blocks.
    pub fn create_database(&self, name: &str) -> String {
        if let Err(error) = psql(
            &self.url("postgres"),
            &format!("CREATE DATABASE {}", quote_ident(name)),
        ) {
            panic!("could not create database {name}:\n{error}");
        }
        self.url(name)
    }

    /// Stops the server cleanly (`pg_ctl stop -m fast`), as a deployment's restart would;
    /// blocks until it has exited. Its data stays for [`PgServer::start_again`].
    pub fn stop(&self) {
        let output = self.pg_ctl_stop("fast");
        assert!(
            output.status.success(),
            "pg_ctl stop failed ({}):\n{}\nserver log:\n{}",
            output.status,
            output_text(&output),
            self.log()
        );
    }

    /// Starts the stopped server again on the same data and port. Blocks until it accepts
    /// connections; panics with its log when it does not.
    pub fn start_again(&self) {
        if let Err(log) = self.try_start() {
            self.fail_to_start(&log);
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// `pg_ctl start`, waiting for the server to accept connections; the log on failure.
    fn try_start(&self) -> Result<(), String> {
        let dir = self.dir.path();
        // pg_ctl hands these to the server through `sh -c`, hence the quoted folder. The
        // durability settings are off because nothing outlives the test.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k '{}' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            self.port,
            dir.display()
        );
        let output = self.runner.run(
            &self.bin.join("pg_ctl"),
            [
                OsStr::new("-D"),
                self.data().as_os_str(),
                OsStr::new("-l"),
                dir.join("log").as_os_str(),
                OsStr::new("-w"),
                OsStr::new("-t"),
                OsStr::new("30"),
                OsStr::new("-o"),
                OsStr::new(&options),
                OsStr::new("start"),
            ],
            dir,
        );
        if output.status.success() {
            Ok(())
        } else {
            // A half-started server would hold the data folder: make sure it is gone.
            let _ = self.pg_ctl_stop("immediate");
            Err(format!(
                "pg_ctl start ({}):\n{}\nserver log:\n{}",
                output.status,
                output_text(&output),
                self.log()
            ))
        }
    }

    fn fail_to_start(&self, log: &str) -> ! {
        panic!(
            "PostgreSQL did not start on 127.0.0.1:{} in {}: {log}",
            self.port,
            self.dir.path().display()
        )
    }

    fn pg_ctl_stop(&self, mode: &str) -> Output {
        self.runner.run(
            &self.bin.join("pg_ctl"),
            [
                OsStr::new("-D"),
                self.data().as_os_str(),
                OsStr::new("-m"),
                OsStr::new(mode),
                OsStr::new("-w"),
                OsStr::new("stop"),
            ],
            self.dir.path(),
        )
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        // At once: nothing in it is worth a clean shutdown. Fails harmlessly when stopped.
        let _ = self.pg_ctl_stop("immediate");
        // The folder itself goes when `dir` is dropped, right after this.
    }
}

/// Runs `sql` with `psql` against `url` over TCP, with the password the URL carries (never a
/// `~/.pgpass` or `PG*` variable of the machine's), stopping at the first error. Returns what
/// it printed (unaligned, tuples only: `SELECT 1` gives `"1"`), or its error output. Blocks.
pub fn psql(url: &str, sql: &str) -> Result<String, String> {
    let mut command = Command::new(psql_binary());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PG") {
            command.env_remove(name);
        }
    }
    let output = command
        .env("PGPASSFILE", "/dev/null")
        .env("PGCONNECT_TIMEOUT", "10")
        .args(["-X", "-q", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .arg("-d")
        .arg(url)
        .arg("-c")
        .arg(sql)
        .stdin(Stdio::null())
        .output()
        .expect("run psql");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "psql ({}):\n{}",
            output.status,
            output_text(&output)
        ))
    }
}

/// The folder holding `initdb`, `pg_ctl`, `postgres` and `psql` ([`needs::postgres_server_bindir`]),
/// looked for once. Panics when there is none: call it after [`needs::needs`].
pub fn server_bindir() -> &'static PathBuf {
    static BINDIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    BINDIR
        .get_or_init(needs::postgres_server_bindir)
        .as_ref()
        .expect("PostgreSQL's server binaries (initdb, pg_ctl): install the `postgresql` package")
}

/// `psql` beside the server binaries when there are some, else the one on PATH (enough for
/// `BRIEFBOT_TEST_DATABASE_URL`, where no server is started).
fn psql_binary() -> PathBuf {
    static PSQL: OnceLock<PathBuf> = OnceLock::new();
    PSQL.get_or_init(|| {
        needs::postgres_server_bindir()
            .map(|bin| bin.join("psql"))
            .filter(|psql| psql.is_file())
            .or_else(|| find_program("psql"))
            .unwrap_or_else(|| {
                panic!(
                    "psql was not found beside PostgreSQL's server binaries or on PATH: install \
                     the `postgresql` package (apt-get install postgresql), or \
                     `postgresql-client` when using {DATABASE_URL_VARIABLE}"
                )
            })
    })
    .clone()
}

/// How the server binaries are run: directly, or as the `postgres` user when this process
/// is root (PostgreSQL refuses to run as root).
#[derive(Clone)]
enum Runner {
    Direct,
    /// Under root: `runuser`, or `su` where there is no `runuser`; with the user's ids, to give
    /// it the folder.
    AsPostgres {
        runuser: Option<PathBuf>,
        uid: u32,
        gid: u32,
    },
}

impl Runner {
    /// How this process runs them, worked out once.
    fn get() -> &'static Runner {
        static RUNNER: OnceLock<Runner> = OnceLock::new();
        RUNNER.get_or_init(Runner::detect)
    }

    fn detect() -> Runner {
        if needs::id(&["-u"]) != Some(0) {
            return Runner::Direct;
        }
        let (Some(uid), Some(gid)) = (
            needs::id(&["-u", "postgres"]),
            needs::id(&["-g", "postgres"]),
        ) else {
            panic!(
                "running as root, and PostgreSQL refuses to: the tests run it as the `postgres` \
                 user, but there is none. Install the `postgresql` package (apt-get install \
                 postgresql), which creates it"
            )
        };
        Runner::AsPostgres {
            runuser: find_program("runuser"),
            uid,
            gid,
        }
    }

    /// Gives `path` to the user the server runs as.
    fn give(&self, path: &Path) {
        if let Runner::AsPostgres { uid, gid, .. } = self {
            std::os::unix::fs::chown(path, Some(*uid), Some(*gid))
                .unwrap_or_else(|e| panic!("give {} to postgres: {e}", path.display()));
        }
    }

    /// Runs `program` with `args` in `dir` and waits for it, capturing its output. Stdin is
    /// closed, so nothing can wait for input; the server pg_ctl starts writes to its log file,
    /// so it never holds these pipes open.
    fn run<'a>(
        &self,
        program: &Path,
        args: impl IntoIterator<Item = &'a OsStr>,
        dir: &Path,
    ) -> Output {
        let mut command = match self {
            Runner::Direct => {
                let mut command = Command::new(program);
                command.args(args);
                command
            }
            Runner::AsPostgres {
                runuser: Some(runuser),
                ..
            } => {
                let mut command = Command::new(runuser);
                command
                    .args(["-u", "postgres", "--"])
                    .arg(program)
                    .args(args);
                command
            }
            Runner::AsPostgres { runuser: None, .. } => {
                let mut line = shell_quote(program.as_os_str());
                for arg in args {
                    line.push(' ');
                    line.push_str(&shell_quote(arg));
                }
                let mut command = Command::new("su");
                command.args(["postgres", "-s", "/bin/sh", "-c"]).arg(line);
                command
            }
        };
        command
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", program.display()))
    }
}

/// `name` on PATH, or in the sbin folders that a non-login root's PATH may lack.
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A free port on 127.0.0.1 as the system hands it out. Free when returned; see
/// [`port_was_taken`] for when it no longer is.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("bind a free port on 127.0.0.1")
        .port()
}

fn port_was_taken(log: &str) -> bool {
    log.contains("Address already in use") || log.contains("could not bind")
}

/// A database name no other test (in this or another test process) will pick.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "briefbot_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        hex::encode(random_bytes::<4>())
    )
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes
}

/// `url` with its database (the path) replaced by `name`, its query (`?sslmode=...`) kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    let mut out = format!("{server}/{}", percent_encode(name));
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Percent-encodes everything but unreserved characters, for a database name in a URL.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// An SQL identifier in double quotes, so any name is taken literally.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A word for `sh -c`, in single quotes.
fn shell_quote(word: &OsStr) -> String {
    format!("'{}'", word.to_string_lossy().replace('\'', r"'\''"))
}

fn concat_os(prefix: &str, rest: &OsStr) -> OsString {
    let mut joined = OsString::from(prefix);
    joined.push(rest);
    joined
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
