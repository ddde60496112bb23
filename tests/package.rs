//! The Debian package, built by `packaging/deb/build` from the binary this test suite already
//! has (no second, release build), and checked as an operator would meet it: what it installs,
//! its control files, its units (`systemd-analyze verify`), `lintian`, and what its maintainer
//! scripts keep or delete.
//!
//! Building needs `dpkg-dev` (dpkg-shlibdeps, and binutils' strip through it); the units'
//! check needs `systemd`; the lint needs `lintian`. Where one is missing, the tests that need
//! it say so and are not run, unless `BRIEFBOT_TEST_REQUIRE` asks for them (`common/needs.rs`).

#[path = "common/needs.rs"]
#[allow(dead_code)] // this binary uses part of it
mod needs;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use clap::{CommandFactory, Parser};

use briefbot::app::Cli;

use needs::{Package, needs};

/// The package, built once for this test binary, and unpacked beside it.
struct Built {
    _dir: tempfile::TempDir,
    deb: PathBuf,
    root: PathBuf,
}

/// The package built from the test suite's own binary, or `None` where `dpkg-dev` is missing.
fn package() -> Option<&'static Built> {
    static BUILT: OnceLock<Built> = OnceLock::new();
    if !needs(Package::DpkgDev) {
        return None;
    }
    Some(BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let output = run(Command::new(repo("packaging/deb/build"))
            .arg("--binary")
            .arg(env!("CARGO_BIN_EXE_briefbot"))
            .arg("--fast")
            .arg("--out")
            .arg(dir.path()));
        assert!(
            output.status.success(),
            "the build failed:\n{}",
            text(&output)
        );
        let deb = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        assert_eq!(
            deb.file_name().and_then(|name| name.to_str()),
            Some(format!("briefbot_{}_{}.deb", env!("CARGO_PKG_VERSION"), arch()).as_str()),
            "the build prints the package's path, named after its version and architecture"
        );
        let root = dir.path().join("root");
        let unpacked = run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
        assert!(unpacked.status.success(), "{}", text(&unpacked));
        Built {
            _dir: dir,
            deb,
            root,
        }
    }))
}

#[test]
fn the_package_holds_the_program_units_settings_briefs_completions_and_man_pages() {
    let Some(built) = package() else { return };
    let files = contents(&built.deb);
    let mut expected: BTreeSet<String> = [
        "/usr/bin/briefbot",
        "/usr/sbin/briefbot-admin",
        "/usr/lib/systemd/system/briefbot.service",
        "/usr/lib/systemd/system/briefbot-serve.service",
        "/usr/lib/systemd/system/briefbot.service.d/state-file.conf",
        "/usr/lib/systemd/system/briefbot-serve.service.d/state-file.conf",
        "/etc/briefbot/config.toml",
        "/usr/share/briefbot/briefs/syria-israel/05-paris.md",
        "/usr/share/briefbot/briefs/authors/omar-safadi.toml",
        "/usr/share/briefbot/briefs/parties.toml",
        "/usr/share/bash-completion/completions/briefbot",
        "/usr/share/zsh/vendor-completions/_briefbot",
        "/usr/share/fish/vendor_completions.d/briefbot.fish",
        "/usr/share/man/man8/briefbot-admin.8.gz",
        "/usr/share/doc/briefbot/copyright",
        "/usr/share/doc/briefbot/changelog.gz",
        "/usr/share/doc/briefbot/CHANGELOG.md.gz",
        "/usr/share/doc/briefbot/README.md",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    // A man page for briefbot and for each subcommand, as the command line defines them.
    expected.extend(
        man_pages(&Cli::command(), "briefbot")
            .into_iter()
            .map(|page| format!("/usr/share/man/man1/{page}.1.gz")),
    );
    let missing: Vec<_> = expected.difference(&files).collect();
    assert!(missing.is_empty(), "missing from the package: {missing:?}");

    let mode = |path: &str| {
        std::fs::metadata(built.root.join(path.trim_start_matches('/')))
            .map(|meta| std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777)
            .expect("unpacked file")
    };
    assert_eq!(mode("/usr/bin/briefbot"), 0o755);
    assert_eq!(mode("/usr/sbin/briefbot-admin"), 0o755);
    assert_eq!(mode("/etc/briefbot/config.toml"), 0o644);
    let admin = built.root.join("usr/sbin/briefbot-admin");
    let syntax = run(Command::new("sh").arg("-n").arg(&admin));
    assert!(syntax.status.success(), "briefbot-admin: {}", text(&syntax));

    // The packaged program is this build's, stripped, and says its version.
    let version = run(Command::new(built.root.join("usr/bin/briefbot")).arg("--version"));
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version.starts_with(&format!("briefbot {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let completions = read(
        &built.root,
        "/usr/share/bash-completion/completions/briefbot",
    );
    assert!(
        completions.contains("briefbot__subcmd__state__subcmd__import"),
        "bash completes `state import`"
    );
}

#[test]
fn the_control_files_name_the_version_the_dependencies_and_the_one_conffile() {
    let Some(built) = package() else { return };
    let field = |name: &str| {
        let output = run(Command::new("dpkg-deb").arg("-f").arg(&built.deb).arg(name));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    assert_eq!(field("Package"), "briefbot");
    assert_eq!(field("Version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(field("Architecture"), arch());
    let depends = field("Depends");
    for needed in ["adduser", "libc6 (>= "] {
        assert!(depends.contains(needed), "Depends: {depends}");
    }

    let control = tempfile::tempdir().expect("temporary folder");
    let unpacked = run(Command::new("dpkg-deb")
        .arg("-e")
        .arg(&built.deb)
        .arg(control.path()));
    assert!(unpacked.status.success(), "{}", text(&unpacked));
    assert_eq!(
        read(control.path(), "conffiles").trim(),
        "/etc/briefbot/config.toml",
        "the configuration is a conffile: dpkg never overwrites an operator's changes"
    );
    for script in ["postinst", "prerm", "postrm"] {
        let path = control.path().join(script);
        let syntax = run(Command::new("sh").arg("-n").arg(&path));
        assert!(syntax.status.success(), "{script}: {}", text(&syntax));
    }
    let postinst = read(control.path(), "postinst");
    assert!(postinst.contains("adduser --system --group"), "{postinst}");
    assert!(
        !postinst.contains("systemctl enable") && !postinst.contains("deb-systemd-helper enable"),
        "nothing is enabled before the operator writes the token"
    );
}

#[test]
fn the_settings_and_example_briefs_it_installs_are_valid() {
    let Some(built) = package() else { return };
    let config = built.root.join("etc/briefbot/config.toml");
    let briefs = built.root.join("usr/share/briefbot/briefs");
    let checked = run(Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .arg("--config")
        .arg(&config)
        .arg("check")
        .arg(&briefs));
    assert!(
        checked.status.success(),
        "the packaged config.toml and briefs pass `check`:\n{}",
        text(&checked)
    );
    let settings = read(&built.root, "/etc/briefbot/config.toml");
    for line in [
        "briefs_dir = \"/var/lib/briefbot/briefs\"",
        "state_dir = \"/var/lib/briefbot\"",
    ] {
        assert!(settings.contains(line), "config.toml has {line}");
    }
}

#[test]
fn both_units_run_briefbot_hardened_with_the_token_as_a_credential() {
    let Some(built) = package() else { return };
    let units = [
        ("briefbot", "run", "briefbot-serve"),
        ("briefbot-serve", "serve", "briefbot"),
    ];
    for (unit, command, other) in units {
        let text = read(
            &built.root,
            &format!("/usr/lib/systemd/system/{unit}.service"),
        );
        let exec = setting(&text, "ExecStart");
        assert_eq!(
            exec,
            [format!("/usr/bin/briefbot {command} --log-format json")]
        );
        let arguments = exec[0].split_whitespace().skip(1).collect::<Vec<_>>();
        Cli::try_parse_from(std::iter::once("briefbot").chain(arguments))
            .unwrap_or_else(|error| panic!("{unit}: {error}"));
        for (key, value) in [
            ("User", "briefbot"),
            ("StateDirectory", "briefbot"),
            (
                "LoadCredential",
                "discord-token:/etc/briefbot/discord-token",
            ),
            ("EnvironmentFile", "-/etc/briefbot/environment"),
            ("NoNewPrivileges", "true"),
            ("ProtectSystem", "strict"),
            ("ExecReload", "/bin/kill -HUP $MAINPID"),
        ] {
            assert_eq!(setting(&text, key), [value], "{unit}: {key}");
        }
        let environment = setting(&text, "Environment");
        for variable in [
            "DISCORD_TOKEN_FILE=%d/discord-token",
            "BRIEFBOT_CONFIG=/etc/briefbot/config.toml",
        ] {
            assert!(
                environment.iter().any(|set| set == variable),
                "{unit}: {variable} in {environment:?}"
            );
        }
        let drop_in = read(
            &built.root,
            &format!("/usr/lib/systemd/system/{unit}.service.d/state-file.conf"),
        );
        assert_eq!(
            setting(&drop_in, "Conflicts"),
            [format!("{other}.service")],
            "{unit}: while the state is a file, one of the two runs"
        );
    }
}

#[test]
fn systemd_finds_nothing_wrong_in_the_units() {
    let Some(built) = package() else { return };
    if !needs(Package::Systemd) {
        return;
    }
    // A root of the package's files, with what the units name from elsewhere: systemd's
    // targets and /bin/kill.
    let root = tempfile::tempdir().expect("temporary folder");
    let copied = run(Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", built.root.display()))
        .arg(root.path()));
    assert!(copied.status.success(), "{}", text(&copied));
    let units = root.path().join("usr/lib/systemd/system");
    for entry in std::fs::read_dir("/usr/lib/systemd/system").expect("systemd's units") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if name.ends_with(".target") || name.ends_with(".slice") {
            std::fs::copy(&path, units.join(name)).expect("copy a target");
        }
    }
    // systemd-analyze only asks that ExecReload's /bin/kill be an executable file.
    std::fs::create_dir_all(root.path().join("bin")).expect("bin");
    std::fs::write(root.path().join("bin/kill"), "#!/bin/sh\n").expect("write kill");
    std::fs::set_permissions(
        root.path().join("bin/kill"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("make kill executable");

    let verified = run(Command::new("systemd-analyze")
        .arg("verify")
        .arg("--man=no")
        .arg(format!("--root={}", root.path().display()))
        .arg(units.join("briefbot.service"))
        .arg(units.join("briefbot-serve.service")));
    // systemd-analyze exits 0 on unknown keys and bad values, and only says so: both fail here.
    assert!(
        verified.status.success() && text(&verified).trim().is_empty(),
        "systemd-analyze verify:\n{}",
        text(&verified)
    );
}

#[test]
fn lintian_finds_no_errors() {
    let Some(built) = package() else { return };
    if !needs(Package::Lintian) {
        return;
    }
    let output = run(Command::new("lintian")
        .arg("--fail-on")
        .arg("error")
        .arg("--tag-display-limit")
        .arg("0")
        .arg(&built.deb));
    let report = text(&output);
    let errors: Vec<_> = report
        .lines()
        .filter(|line| line.starts_with("E:"))
        .collect();
    assert!(
        output.status.success() && errors.is_empty(),
        "lintian:\n{report}"
    );
}

#[test]
fn removing_keeps_the_settings_and_state_and_purging_deletes_them() {
    let Some(built) = package() else { return };
    let control = tempfile::tempdir().expect("temporary folder");
    run(Command::new("dpkg-deb")
        .arg("-e")
        .arg(&built.deb)
        .arg(control.path()));
    let postrm = control.path().join("postrm");
    for (action, kept) in [("remove", true), ("purge", false)] {
        // A root as an operator's server has it, with what the package did not install.
        let root = tempfile::tempdir().expect("temporary folder");
        for (file, text) in [
            ("etc/briefbot/config.toml", "briefs_dir = \"briefs\"\n"),
            ("etc/briefbot/discord-token", "token\n"),
            ("var/lib/briefbot/announcements.json", "{}\n"),
            ("var/lib/briefbot/briefs/parties.toml", "\n"),
        ] {
            let path = root.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
            std::fs::write(&path, text).expect("write");
        }
        let output = run(Command::new("sh")
            .arg(&postrm)
            .arg(action)
            .env("DPKG_ROOT", root.path()));
        assert!(
            output.status.success(),
            "postrm {action}: {}",
            text(&output)
        );
        for folder in ["etc/briefbot", "var/lib/briefbot"] {
            assert_eq!(
                root.path().join(folder).exists(),
                kept,
                "postrm {action}: /{folder}"
            );
        }
        assert!(
            root.path().join("etc").exists(),
            "only briefbot's own folders go"
        );
    }
}

/// `briefbot` and every subcommand's man page name: `briefbot`, `briefbot-run`,
/// `briefbot-state-import`, … (hidden subcommands and `help` have none).
fn man_pages(command: &clap::Command, name: &str) -> Vec<String> {
    let mut pages = vec![name.to_owned()];
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        if sub.get_name() != "help" {
            pages.extend(man_pages(sub, &format!("{name}-{}", sub.get_name())));
        }
    }
    pages
}

/// The values of `key` in a unit file, in order.
fn setting(unit: &str, key: &str) -> Vec<String> {
    unit.lines()
        .filter_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_owned)
        .collect()
}

/// The absolute paths the package installs (files and links, not folders).
fn contents(deb: &Path) -> BTreeSet<String> {
    let listing = run(Command::new("dpkg-deb").arg("-c").arg(deb));
    assert!(listing.status.success(), "{}", text(&listing));
    String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter(|line| !line.starts_with('d'))
        .filter_map(|line| line.split_whitespace().nth(5))
        .map(|path| path.trim_start_matches('.').to_owned())
        .collect()
}

fn arch() -> String {
    let output = run(Command::new("dpkg").arg("--print-architecture"));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(root: &Path, path: &str) -> String {
    let path = root.join(path.trim_start_matches('/'));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
