//! briefbot's logs as an operator collects them: the real binary at `RUST_LOG=trace`, in text
//! and JSON, answering a command, a button and a reply Discord refuses, over the gateway (to
//! the loopback stand-in) and over HTTP. No token, the bot's or an interaction's, appears in
//! any line, and logs written to a pipe carry no colour codes. An empty `RUST_LOG` logs as
//! none does, and a request cannot forge a line. Each interaction is one info line with the
//! same fields over either transport, after a line naming the mode, the version and the
//! briefs folder; forged requests are summarised, not logged one by one.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN, DiscordStub};
use crate::common::signing::{now, public_key_hex, sign, test_key};
use crate::common::{Running, eventually, payload, payload_json, repo};

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
        line(&|l| l.contains("interaction handled") && l.contains(&format!("{{id={id} ")))
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

/// The one line an interaction gets, found by its id among `logs` (text or JSON): exactly one.
fn interaction_line<'a>(logs: &'a str, id: &str, format: &str) -> &'a str {
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("interaction handled"))
        .filter(|l| match format {
            "text" => l.contains(&format!("{{id={id} ")),
            _ => serde_json::from_str::<serde_json::Value>(l)
                .is_ok_and(|json| json["span"]["id"].as_u64() == id.parse().ok()),
        })
        .collect();
    assert_eq!(lines.len(), 1, "{format}: one line for {id}:\n{logs}");
    lines[0]
}

/// What the line of interaction `id` says, whichever the format: its span's id, kind,
/// command and server (`None` in a DM), then its outcome, origin and microseconds.
#[derive(Debug, PartialEq)]
struct Said {
    kind: String,
    command: String,
    guild: Option<String>,
    outcome: String,
    origin: String,
}

fn said(logs: &str, id: &str, format: &str) -> Said {
    let line = interaction_line(logs, id, format);
    if format == "json" {
        let json: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(json["level"], "INFO", "{line}");
        assert!(json["fields"]["elapsed_us"].is_u64(), "{line}");
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
        return Said {
            kind: text(&json["span"]["kind"]).unwrap_or_default(),
            command: text(&json["span"]["command"]).unwrap_or_default(),
            guild: json["span"].get("guild").map(|g| g.to_string()),
            outcome: text(&json["fields"]["outcome"]).unwrap_or_default(),
            origin: text(&json["fields"]["origin"]).unwrap_or_default(),
        };
    }
    assert!(line.contains(" INFO "), "{line}");
    let field = |name: &str| {
        let start = line.find(&format!("{name}="))? + name.len() + 1;
        let value = &line[start..];
        let end = value.find([' ', '}']).unwrap_or(value.len());
        Some(value[..end].to_string())
    };
    let elapsed = field("elapsed_us").expect("elapsed_us");
    assert!(elapsed.parse::<u64>().is_ok(), "microseconds: {line}");
    Said {
        kind: field("kind").unwrap_or_default(),
        command: field("command").unwrap_or_default(),
        guild: field("guild"),
        outcome: field("outcome").unwrap_or_default(),
        origin: field("origin").unwrap_or_default(),
    }
}

fn expected(kind: &str, command: &str, guild: Option<&str>, outcome: &str) -> Said {
    Said {
        kind: kind.to_string(),
        command: command.to_string(),
        guild: guild.map(str::to_string),
        outcome: outcome.to_string(),
        origin: if guild.is_some() { "server" } else { "dm" }.to_string(),
    }
}

/// The first line names how briefbot hears from Discord, its version and commit, and the
/// briefs folder as an absolute path.
fn assert_mode_line(logs: &str, format: &str, mode: &str) {
    let line = logs
        .lines()
        .find(|l| l.contains("briefbot") && !l.contains("TRACE") && !l.contains("DEBUG"))
        .unwrap_or_else(|| panic!("{format}: no line of briefbot's in {logs}"));
    let folder = repo("briefs").display().to_string();
    let starting = format!("briefbot {} starting", briefbot::app::VERSION);
    assert!(line.contains(&starting), "{starting} in {line}");
    if format == "json" {
        let json: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(json["fields"]["mode"], mode, "{line}");
        assert_eq!(
            json["fields"]["version"],
            env!("CARGO_PKG_VERSION"),
            "{line}"
        );
        assert_eq!(json["fields"]["briefs"], folder.as_str(), "{line}");
    } else {
        for part in [format!("mode={mode}"), format!("briefs={folder}")] {
            assert!(line.contains(&part), "{part} in {line}");
        }
    }
}

/// Over the gateway, each interaction is one info line with the same fields as over HTTP: in
/// a server and in a DM, a command and a button, and a reply Discord refuses (answered with
/// the apology instead).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_interaction_is_one_line_over_the_gateway() {
    for format in ["text", "json"] {
        let stub = DiscordStub::start().await;
        let [command, dm, button, refused] = [
            "slash-latest.json",
            "dm-slash-latest.json",
            "button-positions.json",
            "slash-round-5.json",
        ]
        .map(payload_json);
        let id = |raw: &serde_json::Value| raw["id"].as_str().expect("id").to_string();
        let guild = command["guild_id"].as_str().expect("guild").to_string();
        let ids = [&command, &dm, &button, &refused].map(id);
        stub.state
            .refuse_first_callback
            .lock()
            .expect("lock")
            .insert(ids[3].clone());
        stub.state.interactions.lock().expect("lock").extend([
            command,
            dm,
            button.clone(),
            refused,
        ]);
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), &format!("http://{}", stub.addr));
        let child = briefbot_logging(&config, &["run"], format, "info");
        eventually("five callbacks", Duration::from_secs(20), || {
            std::future::ready(stub.callbacks().len() == 5)
        })
        .await;
        let logs = child.stop();
        assert_mode_line(&logs, format, "gateway");
        let custom_id = button["data"]["custom_id"].as_str().expect("custom_id");
        let server = Some(guild.as_str());
        assert_eq!(
            said(&logs, &ids[0], format),
            expected("command", "latest", server, "answered")
        );
        assert_eq!(
            said(&logs, &ids[1], format),
            expected("command", "latest", None, "answered")
        );
        assert_eq!(
            said(&logs, &ids[2], format),
            expected("button", custom_id, server, "answered")
        );
        assert_eq!(
            said(&logs, &ids[3], format),
            expected("command", "round", server, "apology")
        );
    }
}

/// Over HTTP, each interaction is one info line with the same fields as over the gateway.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_interaction_is_one_line_over_http() {
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), "http://127.0.0.1:9");
        let (child, addr) = serve(&config, format, "info").await;
        let [command, dm, button, ping] = [
            "slash-latest.json",
            "dm-slash-latest.json",
            "button-positions.json",
            "ping.json",
        ]
        .map(payload_json);
        for raw in [&command, &dm, &button, &ping] {
            assert_eq!(send(&addr, raw.to_string(), None).await, 200);
        }
        let logs = child.stop();
        assert_mode_line(&logs, format, "http");
        let id = |raw: &serde_json::Value| raw["id"].as_str().expect("id").to_string();
        let guild = command["guild_id"].as_str().expect("guild").to_string();
        let server = Some(guild.as_str());
        let custom_id = button["data"]["custom_id"].as_str().expect("custom_id");
        assert_eq!(
            said(&logs, &id(&command), format),
            expected("command", "latest", server, "answered")
        );
        assert_eq!(
            said(&logs, &id(&dm), format),
            expected("command", "latest", None, "answered")
        );
        assert_eq!(
            said(&logs, &id(&button), format),
            expected("button", custom_id, server, "answered")
        );
        let pong = Said {
            origin: "none".to_string(),
            ..expected("ping", "", None, "answered")
        };
        assert_eq!(said(&logs, &id(&ping), format), pong);
    }
}

/// POSTs `count` requests to `serve` at `addr`, at most 50 at a time, each made by `request`
/// from its number; every status.
async fn flood(
    addr: &str,
    count: usize,
    request: impl Fn(usize, reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Vec<u16> {
    use futures_util::StreamExt;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/interactions");
    futures_util::stream::iter(0..count)
        .map(|n| {
            let sent = request(n, client.post(&url)).send();
            async move { sent.await.map_or(0, |r| r.status().as_u16()) }
        })
        .buffer_unordered(50)
        .collect()
        .await
}

/// 1,000 forged requests are not 1,000 lines: one summary, with how many of each, at warning
/// level since nothing genuine came meanwhile (a flood, or a wrong public key). A few among
/// genuine interactions, as Discord's own checks of the endpoint are, are information.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_requests_are_summarised_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), "http://127.0.0.1:9");
    let (child, addr) = serve(&config, "text", "info").await;
    let body = payload("slash-latest.json");
    let statuses = flood(&addr, 1000, |n, post| {
        let stale = (now() - 3600).to_string();
        match n {
            // 990 signed by nobody.
            0..990 => post
                .header("X-Signature-Ed25519", "0".repeat(128))
                .header("X-Signature-Timestamp", now().to_string())
                .body(body.clone()),
            // 5 signed an hour ago: replays.
            990..995 => post
                .header(
                    "X-Signature-Ed25519",
                    sign(&test_key(), &stale, body.as_bytes()),
                )
                .header("X-Signature-Timestamp", stale)
                .body(body.clone()),
            // 3 too large to read.
            995..998 => post.body(vec![b' '; 65 * 1024]),
            // 2 without a signature.
            _ => post.body(body.clone()),
        }
    })
    .await;
    let refused = |status: u16| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((refused(401), refused(413)), (997, 3), "{statuses:?}");
    let logs = child.stop();
    let summaries: Vec<&str> = logs.lines().filter(|l| l.contains("refused")).collect();
    assert_eq!(summaries.len(), 1, "{logs}");
    let line = summaries[0];
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains(
            "refused 1000 requests in the last minute: 990 bad signatures, 5 stale timestamps, 3 oversized bodies, 2 unsigned; more than the 0 interactions answered"
        ),
        "{line}"
    );
    assert!(logs.lines().count() < 20, "a line per request?\n{logs}");

    // Discord's checks among genuine interactions: information.
    let (child, addr) = serve(&config, "text", "info").await;
    for _ in 0..20 {
        assert_eq!(send(&addr, body.clone(), None).await, 200);
    }
    for _ in 0..3 {
        assert_eq!(send(&addr, body.clone(), Some("0".repeat(128))).await, 401);
    }
    let logs = child.stop();
    let line = logs
        .lines()
        .find(|l| l.contains("refused"))
        .unwrap_or_else(|| panic!("a summary:\n{logs}"));
    assert!(line.contains(" INFO "), "{line}");
    assert!(
        line.ends_with("refused 3 requests in the last minute: 3 bad signatures refused=3 answered=20 bad_signature=3 stale_timestamp=0 oversized=0 unsigned=0"),
        "{line}"
    );
}
