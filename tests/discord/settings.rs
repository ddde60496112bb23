//! The binary's settings as an operator gives them: each value that cannot work refused
//! with its place (the file and line, or the variable) before anything is changed, and each
//! that should work accepted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common::{Lines, eventually};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `briefbot` in `dir`, with none of the caller's briefbot variables, and `vars`.
fn command(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command.args(args).current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("BRIEFBOT_")
            || name.starts_with("DISCORD_")
            || name == "DATABASE_URL"
            || name == "RUST_LOG"
        {
            command.env_remove(name);
        }
    }
    // Nothing reaches out: a test that would talk to Discord fails at once.
    command
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9");
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

fn run(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    command(dir, args, vars)
        .stdin(Stdio::null())
        .output()
        .expect("run briefbot")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A folder with the shipped briefs and `config` as its config.toml.
fn workspace(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config.toml"), config).expect("config");
    crate::common::copy_tree(&repo().join("briefs"), &dir.path().join("briefs"));
    dir
}

/// The config the tests start from: the shipped briefs and their default track.
const BASE: &str = "briefs_dir = \"briefs\"\ndefault_track = \"syria-israel\"\n";

fn public_key() -> String {
    crate::common::signing::public_key_hex(&crate::common::signing::test_key())
}

/// A free loopback port (bound, then released for briefbot to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `briefbot serve` in `dir` with `args` and `vars` until `/healthz` on `port` answers;
/// then stopped. Returns its logs.
async fn serves_health(dir: &Path, args: &[&str], vars: &[(&str, &str)], port: u16) -> String {
    let key = public_key();
    let mut vars = vars.to_vec();
    vars.push(("DISCORD_PUBLIC_KEY", &key));
    let mut child = command(dir, args, &vars)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start briefbot serve");
    let logs = Lines::collect(child.stderr.take().expect("stderr"));
    let health = || async move {
        match reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
            Ok(response) => response.status().is_success(),
            Err(_) => false,
        }
    };
    eventually("serve to answer /healthz", Duration::from_secs(10), || {
        health()
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    logs.all()
}

#[tokio::test]
async fn serve_listens_on_a_host_name_from_the_file_the_variable_or_the_flag() {
    let port = free_port();
    let dir = workspace(&format!("{BASE}\n[serve]\nlisten = \"localhost:{port}\"\n"));
    serves_health(dir.path(), &["serve"], &[], port).await;

    let port = free_port();
    let dir = workspace(BASE);
    let listen = format!("localhost:{port}");
    serves_health(
        dir.path(),
        &["serve"],
        &[("BRIEFBOT_LISTEN", &listen)],
        port,
    )
    .await;

    let port = free_port();
    let listen = format!("localhost:{port}");
    serves_health(dir.path(), &["serve", "--listen", &listen], &[], port).await;
}

#[test]
fn a_listen_address_that_names_nothing_is_refused_naming_the_setting() {
    let dir = workspace(&format!("{BASE}\n[serve]\nlisten = \"localhost\"\n"));
    let output = run(
        dir.path(),
        &["serve"],
        &[("DISCORD_PUBLIC_KEY", &public_key())],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: config.toml:5:10: `serve.listen` must be an address or host name and a port, such as 127.0.0.1:8080 or localhost:8080, found \"localhost\"\n"
    );

    let dir = workspace(BASE);
    let output = run(
        dir.path(),
        &["serve"],
        &[
            ("DISCORD_PUBLIC_KEY", &public_key()),
            ("BRIEFBOT_LISTEN", "nowhere.invalid:8080"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: environment variable BRIEFBOT_LISTEN: names a host that cannot be looked up, found \"nowhere.invalid:8080\""
        ),
        "{}",
        stderr(&output)
    );

    let output = run(dir.path(), &["serve", "--listen", "localhost"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: invalid value 'localhost' for '--listen <ADDR>': must be an address or host name and a port"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_variable_set_but_empty_counts_as_unset_with_a_warning_naming_it() {
    let dir = workspace(BASE);
    // What systemd's `Environment=DATABASE_URL=` gives: not a database, with a word.
    let output = run(
        dir.path(),
        &["state", "export", "--to", "-"],
        &[("DATABASE_URL", "")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "warning: DATABASE_URL is set but empty, which counts as unset: the config's `[state] url` is used, or else the state file in `state_dir`\n\
         error: no state database is configured: set `[state] url` in the config or the DATABASE_URL environment variable to a postgres:// URL\n"
    );

    // BRIEFBOT_CONFIG, which clap reads, follows the same rule.
    let output = run(
        dir.path(),
        &["check"],
        &[("BRIEFBOT_CONFIG", ""), ("BRIEFBOT_DEFAULT_TRACK", " ")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "warning: BRIEFBOT_CONFIG is set but empty, which counts as unset: config.toml in the current folder is read\n\
         warning: BRIEFBOT_DEFAULT_TRACK is set but empty, which counts as unset: the config's `default_track` is used\n"
    );
}

#[tokio::test]
async fn the_bot_logs_an_empty_variable_as_a_warning() {
    let port = free_port();
    let dir = workspace(BASE);
    let listen = format!("127.0.0.1:{port}");
    let logs = serves_health(
        dir.path(),
        &["serve", "--log-format", "json"],
        &[
            ("BRIEFBOT_LISTEN", &listen),
            ("DATABASE_URL", ""),
            ("DISCORD_TOKEN", ""),
        ],
        port,
    )
    .await;
    let warnings: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .filter(|line: &serde_json::Value| line["level"] == "WARN")
        .collect();
    let messages: Vec<&str> = warnings
        .iter()
        .filter_map(|line| line["fields"]["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "DATABASE_URL is set but empty, which counts as unset: the config's `[state] url` is used, or else the state file in `state_dir`",
            "DISCORD_TOKEN is set but empty, which counts as unset: the token is read from DISCORD_TOKEN_FILE, if set",
        ],
        "{logs}"
    );
}

/// `command` run with an open-files limit of `limit` (soft and hard), as a unit's
/// `LimitNOFILE=` or `ulimit -n` would give it.
#[cfg(unix)]
fn open_files(command: &mut Command, limit: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec, setrlimit only; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        })
    }
}

#[cfg(unix)]
#[test]
fn max_connections_beyond_the_open_files_limit_is_refused_naming_the_line_and_the_limit() {
    let dir = workspace(&format!("{BASE}\n[serve]\nmax_connections = 100\n"));
    let output = open_files(
        &mut command(
            dir.path(),
            &["serve"],
            &[("DISCORD_PUBLIC_KEY", &public_key())],
        ),
        64,
    )
    .output()
    .expect("run briefbot");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: config.toml:5: `serve.max_connections` is 100, more than this process may open: its open-files limit (RLIMIT_NOFILE) is 64, and serve keeps 24 files open besides its connections, so at most 40; raise it (LimitNOFILE= in the systemd unit, `ulimit -n` in a shell), or lower max_connections\n"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn under_a_low_open_files_limit_the_default_max_connections_is_lowered_with_a_warning() {
    let dir = workspace(BASE);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let key = public_key();
    let mut child = open_files(
        &mut command(
            dir.path(),
            &["serve"],
            &[("DISCORD_PUBLIC_KEY", &key), ("BRIEFBOT_LISTEN", &listen)],
        ),
        64,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("start briefbot serve");
    let logs = Lines::collect(child.stderr.take().expect("stderr"));
    eventually("serve to start", Duration::from_secs(10), || {
        std::future::ready(logs.any(|l| l.contains("serving interactions")))
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    let logs = logs.all();
    assert!(
        logs.contains("WARN briefbot: the open-files limit (RLIMIT_NOFILE) is 64, too low for the default `serve.max_connections` (1000) and the 24 files serve keeps open besides: it holds at most 40 connections; raise it (LimitNOFILE= in the systemd unit, `ulimit -n` in a shell), or set max_connections"),
        "{logs}"
    );
    assert!(logs.contains("max_connections=40"), "{logs}");
}

#[tokio::test]
async fn serve_warns_of_a_follow_track_the_briefs_do_not_have_naming_its_line() {
    let dir = workspace(&format!(
        "{BASE}\n[serve]\nlisten = \"127.0.0.1:{}\"\n\n[[follow]]\nserver = \"123456789012345678\"\ntrack = \"gulf\"\nrole = \"234567890123456789\"\n",
        free_port()
    ));
    let key = public_key();
    let mut child = command(dir.path(), &["serve"], &[("DISCORD_PUBLIC_KEY", &key)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start briefbot serve");
    let logs = Lines::collect(child.stderr.take().expect("stderr"));
    let expected = "WARN briefbot::live::tracks: config.toml:9: the [[follow]] track \"gulf\" has no rounds in the briefs, so its role is pinged by no announcement until one is served; the tracks are syria-israel";
    let warned = eventually("the warning", Duration::from_secs(10), || {
        std::future::ready(logs.any(|l| l.contains(expected) || l.contains("ERROR")))
    });
    warned.await;
    let _ = child.kill();
    let _ = child.wait();
    let logs = logs.all();
    assert!(logs.contains(expected), "{logs}");
}

/// The error at the end of `output`'s stderr (the bot logs before it): one `error:` line
/// and its help line.
fn the_error(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
    let text = stderr(output);
    let errors = text.lines().filter(|l| l.contains("error")).count();
    assert_eq!(errors, 1, "the cause once: {text}");
    let at = text.find("error: ").expect("an error");
    text[at..].to_string()
}

#[test]
fn a_missing_briefs_folder_is_named_by_where_it_was_set_with_advice_fitting_the_command() {
    let dir = workspace(BASE);
    let key = public_key();
    for args in [
        &["serve"][..],
        &["run"],
        &["ask", "/latest"],
        &["announce", "--round", "5"],
    ] {
        let output = run(
            dir.path(),
            args,
            &[
                ("BRIEFBOT_BRIEFS_DIR", "nope"),
                ("DISCORD_PUBLIC_KEY", &key),
                ("DISCORD_TOKEN", "MTE.abc.def"),
            ],
        );
        assert_eq!(
            the_error(&output),
            "error: nope: the briefs folder does not exist\n = help: BRIEFBOT_BRIEFS_DIR names it; set BRIEFBOT_BRIEFS_DIR to the folder that holds the briefs\n",
            "{args:?}"
        );
    }

    let dir = workspace("default_track = \"syria-israel\"\nbriefs_dir = \"nope\"\n");
    let output = run(dir.path(), &["serve"], &[("DISCORD_PUBLIC_KEY", &key)]);
    assert_eq!(
        the_error(&output),
        "error: nope: the briefs folder does not exist\n = help: `briefs_dir` names it, at config.toml:2; correct it (a relative folder is relative to the config file's)\n"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let output = run(empty.path(), &["serve"], &[("DISCORD_PUBLIC_KEY", &key)]);
    assert_eq!(
        the_error(&output),
        "error: briefs: the briefs folder does not exist\n = help: without a config.toml here, `briefs` in the current folder is the default; run briefbot from the folder that holds config.toml, pass --config PATH, or set BRIEFBOT_BRIEFS_DIR\n"
    );
}

#[test]
fn ids_and_numbers_in_the_file_are_refused_with_their_line_and_nothing_is_changed() {
    let key = public_key();
    let vars = [
        ("DISCORD_PUBLIC_KEY", key.as_str()),
        ("DISCORD_TOKEN", "MTE.abc.def"),
    ];
    let refused = |config: &str, args: &[&str]| {
        let dir = workspace(&format!("{BASE}state_dir = \"state\"\n\n{config}"));
        let output = run(dir.path(), args, &vars);
        assert!(
            !dir.path().join("state").exists(),
            "nothing is made before the settings are accepted"
        );
        the_error(&output)
    };
    for args in [&["serve"][..], &["announce", "--round", "5"], &["check"]] {
        assert_eq!(
            refused("[announce]\nchannels = [12]\n", args),
            "error: config.toml:6:13: `announce.channels` must be a Discord id (digits, such as \"123456789012345678\"), found 12, too small for one: Discord ids are 4194304 or more; copy it from Discord with Developer Mode on (right-click, Copy ID)\n",
            "{args:?}"
        );
    }
    assert_eq!(
        refused("[serve]\nmax_connections = 4294967296000\n", &["serve"]),
        "error: config.toml:6:19: `serve.max_connections` must be a whole number from 1 to 65536, found 4294967296000\n"
    );
    assert_eq!(
        refused(
            "[[follow]]\nserver = \"123456789012345678\"\ntrack = \"gulf\"\nrole = 12\n",
            &["serve"]
        ),
        "error: config.toml:8:8: `follow` role must be a Discord id (digits, such as \"123456789012345678\"), found 12, too small for one: Discord ids are 4194304 or more; copy it from Discord with Developer Mode on (right-click, Copy ID)\n"
    );
    let output = run(
        workspace(BASE).path(),
        &["serve"],
        &[
            ("DISCORD_PUBLIC_KEY", &key),
            ("BRIEFBOT_ERRORS_CHANNEL", "12"),
        ],
    );
    assert!(
        the_error(&output).starts_with(
            "error: environment variable BRIEFBOT_ERRORS_CHANNEL: must be a Discord id"
        ),
        "{}",
        stderr(&output)
    );

    // The docs' own form: quoted ids, in every list and table.
    let dir = workspace(&format!(
        "{BASE}\n[discord]\napplication_id = \"775799577604522054\"\nguild_ids = [\"290926798626357999\"]\n\n[announce]\nchannels = [\"111111111111111111\"]\nerrors_channel = \"333333333333333333\"\n"
    ));
    let output = run(dir.path(), &["check"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}
