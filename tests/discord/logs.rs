//! briefbot's logs as an operator collects them: the real binary at `RUST_LOG=trace`, in text
//! and JSON, answering a command, a button and a reply Discord refuses, over the gateway (to
//! the loopback stand-in) and over HTTP. No token, the bot's or an interaction's, appears in
//! any line, and logs written to a pipe carry no colour codes. An empty `RUST_LOG` logs as
//! none does, and a request cannot forge a line.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN, DiscordStub};
use crate::common::signing::{now, public_key_hex, sign, test_key};
use crate::common::{Lines, eventually, payload, payload_json, repo};

/// Every fixture's interaction token starts with this.
const INTERACTION_TOKEN: &str = "FIXTURE_INTERACTION_TOKEN";

/// A config for a bot whose REST requests go to `api`, in `dir`.
fn config(dir: &Path, api: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = {:?}\n\n[discord]\napplication_id = {APPLICATION_ID}\nguild_ids = [290926798626357999]\napi_url = {api:?}\n",
        repo("briefs").display().to_string(),
        dir.join("state").display().to_string(),
    );
    std::fs::write(&path, text).expect("config");
    path
}

/// A running briefbot, with its stderr read as it comes (a full pipe would stop it); killed
/// if the test fails before it is stopped.
struct Running {
    child: Child,
    logs: Option<Lines>,
}

impl Running {
    fn start(command: &mut Command) -> Running {
        let mut child = command.spawn().expect("start briefbot");
        let logs = Lines::collect(child.stderr.take().expect("stderr"));
        Running {
            child,
            logs: Some(logs),
        }
    }

    /// Stops it with SIGTERM and returns everything it logged.
    fn stop(mut self) -> String {
        crate::common::send_signal(self.child.id(), libc::SIGTERM);
        let _ = self.child.wait();
        self.logs.take().map(Lines::all).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn briefbot(config: &Path, args: &[&str], format: &str) -> Running {
    briefbot_logging(config, args, format, "trace")
}

/// briefbot with `RUST_LOG` set to `rust_log`.
fn briefbot_logging(config: &Path, args: &[&str], format: &str, rust_log: &str) -> Running {
    Running::start(
        Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .args([
                "--config",
                &config.display().to_string(),
                "--log-format",
                format,
            ])
            .args(args)
            .env("RUST_LOG", rust_log)
            .env("DISCORD_TOKEN", BOT_TOKEN)
            .env_remove("BRIEFBOT_BRIEFS_DIR")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )
}

/// `briefbot serve` on a free loopback port with `RUST_LOG` set to `rust_log`, answering
/// once it answers `/healthz`; with its address.
async fn serve(config: &Path, format: &str, rust_log: &str) -> (Running, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let addr = format!("127.0.0.1:{port}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .args([
            "--config",
            &config.display().to_string(),
            "--log-format",
            format,
        ])
        .args(["serve", "--listen", &addr])
        .env("RUST_LOG", rust_log)
        .env("DISCORD_PUBLIC_KEY", public_key_hex(&test_key()))
        .env_remove("DISCORD_TOKEN")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = Running::start(&mut command);
    let health = format!("http://{addr}/healthz");
    eventually("serve to answer", Duration::from_secs(10), || {
        let health = health.clone();
        async move {
            reqwest::get(health)
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
    (child, addr)
}

/// POSTs `body` to `serve` at `addr`, signed with the test key unless `signature` is given;
/// the status, or 0 when nothing answered.
async fn send(addr: &str, body: String, signature: Option<String>) -> u16 {
    let timestamp = now().to_string();
    let signature = signature.unwrap_or_else(|| sign(&test_key(), &timestamp, body.as_bytes()));
    reqwest::Client::new()
        .post(format!("http://{addr}/interactions"))
        .header("X-Signature-Ed25519", signature)
        .header("X-Signature-Timestamp", timestamp)
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn assert_no_secrets(logs: &str, what: &str) {
    // The filter really was at trace: the libraries' own trace lines are there.
    assert!(logs.contains("TRACE"), "{what}: no trace lines:\n{logs}");
    for (secret, name) in [
        (BOT_TOKEN, "the bot token"),
        ("fake-signature-for-tests", "part of the bot token"),
        (INTERACTION_TOKEN, "an interaction token"),
    ] {
        if let Some(line) = logs.lines().find(|l| l.contains(secret)) {
            panic!("{what}: {name} in the logs: {line}");
        }
    }
    assert!(
        !logs.contains('\u{1b}'),
        "{what}: colour codes in piped logs"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_logs_no_token_at_trace() {
    for format in ["text", "json"] {
        let stub = DiscordStub::start().await;
        let refused: serde_json::Value =
            serde_json::from_str(&payload("slash-round-5.json")).expect("json");
        stub.state
            .refuse_first_callback
            .lock()
            .expect("lock")
            .insert(refused["id"].as_str().expect("id").to_string());
        stub.state.interactions.lock().expect("lock").extend([
            serde_json::from_str(&payload("slash-latest.json")).expect("json"),
            serde_json::from_str(&payload("button-positions.json")).expect("json"),
            refused,
        ]);
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), &format!("http://{}", stub.addr));
        let child = briefbot(&config, &["run"], format);
        // The command, the button, the refused reply and its apology.
        eventually("four callbacks", Duration::from_secs(20), || {
            std::future::ready(stub.callbacks().len() == 4)
        })
        .await;
        let logs = child.stop();
        assert!(
            logs.contains("Discord refused the reply"),
            "{format}: {logs}"
        );
        assert_no_secrets(&logs, &format!("run, {format}"));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_endpoint_logs_no_token_at_trace() {
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), "http://127.0.0.1:9");
        let (child, addr) = serve(&config, format, "trace").await;
        assert_eq!(send(&addr, payload("slash-latest.json"), None).await, 200);
        assert_eq!(
            send(&addr, payload("button-positions.json"), None).await,
            200
        );
        // Refused: signed by another key.
        let forged = "0".repeat(128);
        assert_eq!(
            send(&addr, payload("slash-round-5.json"), Some(forged)).await,
            401
        );
        let logs = child.stop();
        assert_no_secrets(&logs, &format!("serve, {format}"));
    }
}

/// systemd's `Environment=RUST_LOG=` sets the variable, empty: briefbot logs as it does
/// without it, its information and its errors, rather than nothing at all.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_rust_log_logs_as_none_does() {
    for rust_log in ["", "  "] {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), "http://127.0.0.1:9");
        let (child, addr) = serve(&config, "text", rust_log).await;
        // A command whose data cannot be read: answered with the apology, and logged as an
        // error.
        let unreadable = format!(r#"{{"type":2,"id":"1","token":"{INTERACTION_TOKEN}","data":5}}"#);
        assert_eq!(send(&addr, unreadable, None).await, 200);
        let logs = child.stop();
        let has = |level: &str, text: &str| {
            logs.lines()
                .any(|l| l.contains(&format!(" {level} ")) && l.contains(text))
        };
        assert!(has("INFO", "serving interactions"), "{rust_log:?}: {logs}");
        assert!(has("ERROR", "could not read"), "{rust_log:?}: {logs}");
        // The default filter, not everything.
        assert!(!logs.contains("DEBUG"), "{rust_log:?}: {logs}");
    }
}

/// What a malformed request may carry in a command name or an integer option: a line break,
/// then what looks like a line of briefbot's own, and an escape sequence that would clear
/// the screen of whoever reads the log.
const FORGED: &str = "\n2026-12-07T10:00:00Z  INFO briefbot: forged line\u{1b}[2J";
/// `FORGED` as text logs write it.
const FORGED_ESCAPED: &str = r"\n2026-12-07T10:00:00Z  INFO briefbot: forged line\u{1b}[2J";

/// In text logs, a request's control characters are escaped wherever they land: in the
/// interaction's span, in the error that names the command or the option, in what serenity
/// said about it. Each request's lines stay its lines.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_cannot_forge_a_log_line() {
    let stub = DiscordStub::start().await;
    // serenity reads this one; briefbot knows no such command.
    let mut name = payload_json("slash-latest.json");
    name["data"]["name"] = format!("latest{FORGED}").into();
    // serenity refuses a string for an integer option; briefbot's own reader reads it.
    let mut option = payload_json("slash-round-5.json");
    option["data"]["options"][0]["value"] = FORGED.into();
    let option_id = option["id"].as_str().expect("id").to_string();
    stub.state
        .interactions
        .lock()
        .expect("lock")
        .extend([name, option]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), &format!("http://{}", stub.addr));
    let child = briefbot_logging(&config, &["run"], "text", "info");
    eventually("two callbacks", Duration::from_secs(20), || {
        std::future::ready(stub.callbacks().len() == 2)
    })
    .await;
    let logs = child.stop();

    let forged_start = FORGED.trim_start_matches('\n');
    let forged_start = &forged_start[..forged_start.find('\u{1b}').unwrap_or(0)];
    if let Some(line) = logs.lines().find(|l| l.starts_with(forged_start)) {
        panic!("a forged line: {line}\n{logs}");
    }
    assert!(!logs.contains('\u{1b}'), "an escape sequence: {logs}");
    let line = |what: &str, matches: &dyn Fn(&str) -> bool| {
        logs.lines()
            .find(|l| matches(l))
            .unwrap_or_else(|| panic!("no line {what}:\n{logs}"))
            .to_string()
    };
    // The command name: in the interaction's span and in the warning that names it.
    line("with the name in the span and the warning", &|l| {
        l.contains(" WARN ")
            && l.contains(&format!("command=latest{FORGED_ESCAPED}"))
            && l.contains(&format!("unknown command `/latest{FORGED_ESCAPED}`"))
    });
    // The option: serenity's refusal, and the warning that names the value.
    line("saying what serenity refused", &|l| {
        l.contains(" INFO ")
            && l.contains(&format!("interaction={option_id}"))
            && l.contains("serenity could not parse")
    });
    line("with the option's value", &|l| {
        l.contains(" WARN ") && l.contains(&format!("found \"{FORGED_ESCAPED}\""))
    });
}

/// An interaction serenity cannot parse is answered from briefbot's own reader, and one
/// line says so: which interaction, and what serenity refused, in text and in JSON.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_what_serenity_refused_is_logged_once() {
    for format in ["text", "json"] {
        let stub = DiscordStub::start().await;
        // A Discord-compatible server that leaves `locale` out.
        let mut raw = payload_json("slash-round-5.json");
        raw.as_object_mut().map(|i| i.remove("locale"));
        let id = raw["id"].as_str().expect("id").to_string();
        stub.state.interactions.lock().expect("lock").push(raw);
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), &format!("http://{}", stub.addr));
        let child = briefbot_logging(&config, &["run"], format, "info");
        eventually("the callback", Duration::from_secs(20), || {
            std::future::ready(stub.callbacks().len() == 1)
        })
        .await;
        let logs = child.stop();
        let lines: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains("serenity could not parse"))
            .collect();
        assert_eq!(lines.len(), 1, "{format}: {logs}");
        let line = lines[0];
        if format == "text" {
            assert!(line.contains(" INFO "), "{line}");
            assert!(line.contains(&format!("interaction={id}")), "{line}");
            assert!(line.contains("missing field `locale`"), "{line}");
        } else {
            let json: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            assert_eq!(json["level"], "INFO", "{line}");
            assert_eq!(json["fields"]["interaction"].to_string(), id, "{line}");
            let refused = json["fields"]["serenity_error"]
                .as_str()
                .unwrap_or_default();
            assert!(refused.contains("missing field `locale`"), "{line}");
        }
    }
}

/// briefbot's own lines name values as people read them, not as Rust's debug output does,
/// and every id under a key: the server commands were registered in, each interaction's id
/// and server (none in a DM).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_are_readable_and_ids_under_a_key() {
    let stub = DiscordStub::start().await;
    let in_server = payload_json("slash-latest.json");
    let in_dm = payload_json("dm-slash-latest.json");
    let ids = [&in_server, &in_dm].map(|raw| raw["id"].as_str().expect("id").to_string());
    let guild = in_server["guild_id"].as_str().expect("guild").to_string();
    stub.state
        .interactions
        .lock()
        .expect("lock")
        .extend([in_server, in_dm]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), &format!("http://{}", stub.addr));
    let child = briefbot_logging(&config, &["run"], "text", "info");
    eventually("two callbacks", Duration::from_secs(20), || {
        std::future::ready(stub.callbacks().len() == 2)
    })
    .await;
    let logs = child.stop();
    let ours: Vec<&str> = logs.lines().filter(|l| l.contains(" briefbot")).collect();
    let line = |matches: &dyn Fn(&str) -> bool| ours.iter().find(|l| matches(l)).copied();
    let registered = line(&|l| l.contains("commands registered")).expect("registered");
    assert!(
        registered.contains("scope=server server=290926798626357999 commands="),
        "{registered}"
    );
    let answered = |id: &str| {
        line(&|l| l.contains("answered") && l.contains(&format!("{{id={id} ")))
            .unwrap_or_else(|| panic!("{id} answered:\n{logs}"))
    };
    assert!(
        answered(&ids[0]).contains(&format!(" guild={guild}}}")),
        "{}",
        answered(&ids[0])
    );
    assert!(
        !answered(&ids[1]).contains("guild="),
        "{}",
        answered(&ids[1])
    );
    for debug in [" { ", "Some(", "None"] {
        if let Some(l) = line(&|l| l.contains(debug)) {
            panic!("debug output ({debug}): {l}");
        }
    }
}

/// A failure is reported once: the briefs' mistakes under their own `error:` headings, not
/// a second one before them; an error that names its cause in its text, without the cause
/// again after it.
#[test]
fn a_failure_is_reported_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), "http://127.0.0.1:9");
    let missing = dir.path().join("missing");
    let output = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["--config", &config.display().to_string()])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("BRIEFBOT_BRIEFS_DIR", &missing)
        .env("DISCORD_PUBLIC_KEY", public_key_hex(&test_key()))
        .env_remove("DISCORD_TOKEN")
        .env_remove("RUST_LOG")
        .output()
        .expect("run briefbot");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(
        errors,
        [format!(
            "error: {}: the briefs folder does not exist",
            missing.display()
        )],
        "{stderr}"
    );

    // A folder where the config file should be: the system's reason, once.
    let output = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["--config", &dir.path().display().to_string(), "check"])
        .output()
        .expect("run briefbot");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason = std::fs::read_to_string(dir.path())
        .err()
        .map(|e| e.to_string())
        .expect("a folder cannot be read as a file");
    assert_eq!(
        stderr,
        format!(
            "error: cannot read config file {}: {reason}\n",
            dir.path().display()
        )
    );
}
