//! Tests that need a system package the machine may lack: headless Chromium and chromedriver
//! for the preview's browser tests, PostgreSQL's server for the database tests, and Debian's
//! packaging tools (dpkg-dev, systemd's `systemd-analyze`, lintian) for the package's tests.
//!
//! Such a test asks [`needs`] first and returns at once when it answers false. On a machine
//! without the package the test is then *not run*: it says so on stderr (shown with
//! `--nocapture`), passes, and leaves a marker under `target/tmp/not-run/`; the
//! `system_packages` test target, which `cargo test` runs last, reads the markers and ends the
//! run with one line naming what was not run and the packages that would run it.
//!
//! Where leaving tests out is wrong, as in CI, `BRIEFBOT_TEST_REQUIRE` makes a missing package
//! fail them instead: `all`, or a comma-separated list of Debian package names
//! (`chromium,postgresql`). `.ci/run` sets it to `all`, after installing the packages.
//!
//! `BRIEFBOT_TEST_WITHOUT`, the same kind of list, makes the tests act as though those packages
//! were missing: to see what a fresh machine reports without uninstalling anything.
//!
//! This file uses nothing but the standard library, so the `system_packages` target includes it
//! alone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// `all`, or the packages whose absence fails the tests that need them instead of leaving
/// them out.
pub const REQUIRE_VARIABLE: &str = "BRIEFBOT_TEST_REQUIRE";
/// `all`, or the packages the tests treat as missing even where they are installed.
pub const WITHOUT_VARIABLE: &str = "BRIEFBOT_TEST_WITHOUT";

/// Where Debian's `chromium` package puts the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian's `chromium-driver` package puts the WebDriver server.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What a test may need from the system, with the Debian packages that provide it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Package {
    /// Headless Chromium driven through chromedriver: the preview's browser tests.
    Chromium,
    /// PostgreSQL's server binaries (`initdb`, `pg_ctl`), run as the `postgres` user under
    /// root: the database tests, each on a throwaway server of its own.
    Postgresql,
    /// dpkg-deb and dpkg-shlibdeps (and binutils' `strip` with them): building the Debian
    /// package.
    DpkgDev,
    /// `systemd-analyze`: checking the package's units.
    Systemd,
    /// lintian: checking the package as Debian does.
    Lintian,
}

impl Package {
    pub const ALL: [Package; 5] = [
        Package::Chromium,
        Package::Postgresql,
        Package::DpkgDev,
        Package::Systemd,
        Package::Lintian,
    ];

    /// The Debian packages that provide it; the first names it in markers.
    pub fn debian(self) -> &'static [&'static str] {
        match self {
            Package::Chromium => &["chromium", "chromium-driver"],
            Package::Postgresql => &["postgresql"],
            Package::DpkgDev => &["dpkg-dev"],
            Package::Systemd => &["systemd"],
            Package::Lintian => &["lintian"],
        }
    }

    /// The kind of test that needs it, as the summary counts them.
    pub fn kind(self) -> &'static str {
        match self {
            Package::Chromium => "browser",
            Package::Postgresql => "database",
            Package::DpkgDev => "packaging",
            Package::Systemd => "unit",
            Package::Lintian => "lint",
        }
    }

    fn name(self) -> &'static str {
        self.debian()[0]
    }

    fn from_name(name: &str) -> Option<Package> {
        Package::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether `list` (a value of [`REQUIRE_VARIABLE`] or [`WITHOUT_VARIABLE`]) names it: `all`,
    /// or any of its packages.
    fn named_in(self, list: &str) -> bool {
        names(list).any(|name| name == "all" || self.debian().contains(&name))
    }

    /// Why it is missing on this machine, or `None` when it is there. Looked at once per
    /// process.
    pub fn missing(self) -> Option<&'static str> {
        static MISSING: [OnceLock<Option<String>>; 5] = [const { OnceLock::new() }; 5];
        let index = Package::ALL
            .iter()
            .position(|package| *package == self)
            .unwrap_or_default();
        MISSING[index].get_or_init(|| self.probe()).as_deref()
    }

    fn probe(self) -> Option<String> {
        let without = std::env::var(WITHOUT_VARIABLE).unwrap_or_default();
        check_names(WITHOUT_VARIABLE, &without);
        if self.named_in(&without) {
            return Some(format!("{WITHOUT_VARIABLE}={without} hides it"));
        }
        match self {
            Package::Chromium => {
                let absent: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
                    .into_iter()
                    .filter(|path| !Path::new(path).is_file())
                    .collect();
                (!absent.is_empty()).then(|| format!("no {}", absent.join(" and no ")))
            }
            Package::Postgresql => {
                if postgres_server_bindir().is_none() {
                    Some(
                        "no initdb and pg_ctl in `pg_config --bindir` or /usr/lib/postgresql/*/bin"
                            .to_string(),
                    )
                } else if id(&["-u"]) == Some(0) && id(&["-u", "postgres"]).is_none() {
                    Some(
                        "running as root, which PostgreSQL refuses, and no `postgres` user to run \
                         it as"
                            .to_string(),
                    )
                } else {
                    None
                }
            }
            Package::DpkgDev => missing_commands(&["dpkg-deb", "dpkg-shlibdeps", "strip"]),
            Package::Systemd => missing_commands(&["systemd-analyze"]),
            Package::Lintian => missing_commands(&["lintian"]),
        }
    }
}

/// Which of `commands` are not on the PATH, said as a reason; `None` when all are.
fn missing_commands(commands: &[&str]) -> Option<String> {
    let absent: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|command| which(command).is_none())
        .collect();
    (!absent.is_empty()).then(|| format!("no {} on the PATH", absent.join(" and no ")))
}

/// Where `command` is on the PATH.
pub fn which(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(command))
        .find(|candidate| candidate.is_file())
}

/// Whether the test calling it may run: true when `package` is on this machine. When it is
/// not, panics if [`REQUIRE_VARIABLE`] names it; otherwise reports the test as not run and
/// answers false, and the test returns at once.
///
/// The test is named after the thread libtest runs it on, so call it from the test's own
/// thread (in a `#[tokio::test]`, before spawning anything).
pub fn needs(package: Package) -> bool {
    let require = std::env::var(REQUIRE_VARIABLE).unwrap_or_default();
    check_names(REQUIRE_VARIABLE, &require);
    let test = test_name();
    let marker = markers().join(env!("CARGO_CRATE_NAME")).join(&test);
    let Some(why) = package.missing() else {
        // Run now: a marker from an earlier run no longer holds.
        let _ = std::fs::remove_file(&marker);
        return true;
    };
    let packages = package.debian().join(", ");
    if package.named_in(&require) {
        panic!(
            "{test} needs {packages}, which this machine lacks ({why}); {REQUIRE_VARIABLE}={require} \
             fails the test rather than leaving it out. Install: {}",
            install_line(package.debian())
        );
    }
    eprintln!("not run: {test}: needs {packages} ({why})");
    if let Some(folder) = marker.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    if let Err(error) = std::fs::write(&marker, format!("{}\n", package.name())) {
        eprintln!("could not record it in {}: {error}", marker.display());
    }
    false
}

/// The folder of the markers: one folder per test binary, one file per test not run, holding
/// the package it needs.
pub fn markers() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("not-run")
}

/// The line that ends the run, from the markers under `folder`: the tests not run, counted by
/// binary and kind, and the packages that would run them; `None` when no test was left out.
/// Only markers of packages that `missing` still names count (one installed since, or one
/// [`REQUIRE_VARIABLE`] names, leaves no test out).
pub fn summary(folder: &Path, missing: impl Fn(Package) -> bool) -> Option<String> {
    // (binary, package, tests), in the order of the binaries' names, then of Package::ALL.
    let mut groups: Vec<(String, Package, usize)> = Vec::new();
    for (binary, package) in read_markers(folder) {
        if !missing(package) {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(b, p, _)| *b == binary && *p == package)
        {
            Some((_, _, count)) => *count += 1,
            None => groups.push((binary, package, 1)),
        }
    }
    if groups.is_empty() {
        return None;
    }
    let order = |p: &Package| Package::ALL.iter().position(|q| q == p);
    groups.sort_by(|a, b| (&a.0, order(&a.1)).cmp(&(&b.0, order(&b.1))));
    let mut line = String::from("not run: ");
    for (i, (binary, package, count)) in groups.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        let (tests, need) = if *count == 1 {
            ("test", "needs")
        } else {
            ("tests", "need")
        };
        let _ = write!(
            line,
            "{count} {binary} {} {tests} ({need} {})",
            package.kind(),
            package.debian().join(", ")
        );
    }
    let packages: Vec<&str> = Package::ALL
        .into_iter()
        .filter(|p| groups.iter().any(|(_, q, _)| q == p))
        .flat_map(|p| p.debian().iter().copied())
        .collect();
    let _ = write!(
        line,
        ": {}; {REQUIRE_VARIABLE}=all makes them fail instead",
        install_line(&packages)
    );
    Some(line)
}

/// Whether the summary counts tests that need `package`: it is missing now, and not required
/// (a required package fails its tests, so a marker of it is from an earlier run).
pub fn left_out_now(package: Package) -> bool {
    let require = std::env::var(REQUIRE_VARIABLE).unwrap_or_default();
    package.missing().is_some() && !package.named_in(&require)
}

/// Every marker under `folder`: the binary it is from and the package its test needs. Markers
/// of an unknown package are passed over.
fn read_markers(folder: &Path) -> Vec<(String, Package)> {
    let mut found = Vec::new();
    for binary in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let name = binary.file_name().to_string_lossy().into_owned();
        for marker in std::fs::read_dir(binary.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(marker.path()).unwrap_or_default();
            if let Some(package) = Package::from_name(text.trim()) {
                found.push((name.clone(), package));
            }
        }
    }
    found
}

/// `apt-get install` with the packages, under `sudo` unless this is root.
fn install_line(packages: &[&str]) -> String {
    let sudo = if id(&["-u"]) == Some(0) { "" } else { "sudo " };
    format!("{sudo}apt-get install {}", packages.join(" "))
}

/// The names in a comma-separated list, trimmed, empty ones left out.
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}

/// Panics on a name in `list` that is neither `all` nor a package some test needs: a typo in
/// `BRIEFBOT_TEST_REQUIRE` must not quietly require nothing.
fn check_names(variable: &str, list: &str) {
    for name in names(list) {
        let known = name == "all" || Package::ALL.iter().any(|p| p.debian().contains(&name));
        assert!(
            known,
            "{variable} names `{name}`; it takes `all` or a comma-separated list of {}",
            Package::ALL
                .iter()
                .flat_map(|p| p.debian())
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// The libtest name of the running test (`module::test`), which is its thread's name.
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "a test off libtest's threads".to_string(),
    }
}

/// The folder holding `initdb`, `pg_ctl`, `postgres` and `psql`: `pg_config --bindir` when
/// `initdb` is really there (on Debian it may name /usr/bin, which has only the client tools),
/// else the newest `/usr/lib/postgresql/<version>/bin` with `initdb`; `None` when there is none.
pub fn postgres_server_bindir() -> Option<PathBuf> {
    let has_server = |bin: &Path| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file();
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(bin) = from_pg_config.filter(|bin| has_server(bin)) {
        return Some(bin);
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // "15", "9.6": compared as numbers, so 10 is newer than 9.6.
            let version: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
            Some((version?, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_server(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `id ARGS`, read as a number: the effective uid (`-u`), or a user's uid or gid.
pub fn id(args: &[&str]) -> Option<u32> {
    let output = Command::new("id")
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}
