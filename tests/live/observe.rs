//! What an operator sees of a running briefbot besides its logs: `/healthz` on `serve`'s
//! endpoint and on the metrics listener (`[metrics] listen`) of `run` and `serve`, after a
//! clean load and while the folder is broken; and `/metrics` scraped over loopback after a
//! known sequence of interactions, reloads and an announcement through the stand-in.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN, DiscordStub};
use crate::common::signing::{public_key_hex, test_key};
use crate::common::{Running, round_brief, shipped_copy};

/// A free loopback address (bound, then released for briefbot to take).
fn free_address() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    format!("127.0.0.1:{port}")
}

/// A config in `dir` serving `briefs`, with REST requests to `api`, the metrics on
/// `metrics`, and `extra` appended.
fn config(dir: &Path, briefs: &Path, api: &str, metrics: &str, extra: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = {:?}\n\n[discord]\napplication_id = {APPLICATION_ID}\nguild_ids = [290926798626357999]\napi_url = {api:?}\n\n[metrics]\nlisten = {metrics:?}\n{extra}",
        briefs.display().to_string(),
        dir.join("state").display().to_string(),
    );
    std::fs::write(&path, text).expect("config");
    path
}

/// briefbot started with `config` and `args`, as an operator's unit starts it, its logs read
/// as they come.
fn start(config: &Path, args: &[&str]) -> Running {
    Running::start(
        Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .args(["--config", &config.display().to_string()])
            .args(args)
            .env("RUST_LOG", "info")
            .env("DISCORD_TOKEN", BOT_TOKEN)
            .env("DISCORD_PUBLIC_KEY", public_key_hex(&test_key()))
            .env_remove("BRIEFBOT_BRIEFS_DIR")
            .env_remove("BRIEFBOT_METRICS_LISTEN")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )
}

/// `GET http://{addr}{path}`'s status and body; 0 and nothing when nothing answers.
async fn get(addr: &str, path: &str) -> (u16, String) {
    match reqwest::get(format!("http://{addr}{path}")).await {
        Ok(response) => (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        ),
        Err(_) => (0, String::new()),
    }
}

/// Waits until `/healthz` at `addr` answers 200 with a body `expected` accepts; the body.
async fn health_becomes(addr: &str, what: &str, expected: impl Fn(&str) -> bool) -> String {
    let started = tokio::time::Instant::now();
    loop {
        let (status, body) = get(addr, "/healthz").await;
        if status == 200 && expected(&body) {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what} at {addr}; the last answer: {status} {body:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A brief the loader refuses: one mistake, a round number that is not a number.
fn break_folder(briefs: &Path) -> PathBuf {
    let broken = briefs.join("syria-israel/06-geneva.md");
    let text = round_brief(6, "Geneva round").replacen("round = 6\n", "round = \"six\"\n", 1);
    std::fs::write(&broken, text).expect("write a broken brief");
    broken
}

/// The time `/healthz` names in `body` (`serving the load of 2026-05-01 09:13:04 UTC`).
fn load_time(body: &str) -> &str {
    let start = body.find("serving the load of ").expect("a load time") + 20;
    &body[start..start + 23]
}

/// `at` as `/healthz` writes a time, in UTC, with `date` to check it.
fn utc(at: SystemTime) -> String {
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let output = Command::new("date")
        .args(["-u", "-d", &format!("@{seconds}"), "+%Y-%m-%d %H:%M:%S UTC"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Checks the answers of a bot whose `/healthz` is at each of `addrs`: clean, then broken
/// with the time of the load it still serves, then clean again once the folder is fixed.
async fn health_tells_the_truth(addrs: &[&str], briefs: &Path, started: SystemTime) {
    for addr in addrs {
        health_becomes(addr, "a clean answer", |body| body == "ok: 1 round\n").await;
    }
    let loaded = SystemTime::now();
    let broken = break_folder(briefs);
    for addr in addrs {
        let body = health_becomes(addr, "the folder broken", |body| {
            body.starts_with("ok: 1 round\nbriefs folder broken: serving the load of ")
        })
        .await;
        assert!(body.ends_with("; 1 mistake since\n"), "{body}");
        let at = load_time(&body);
        assert!(
            utc(started - Duration::from_secs(1)).as_str() <= at && at <= utc(loaded).as_str(),
            "loaded at {at}, between {} and {}",
            utc(started),
            utc(loaded)
        );
    }
    std::fs::write(&broken, round_brief(6, "Geneva round")).expect("fix the brief");
    for addr in addrs {
        health_becomes(addr, "a clean answer again", |body| {
            body == "ok: 2 rounds\n"
        })
        .await;
    }
}

/// `serve`: `/healthz` on the endpoint and on the metrics listener says the same: clean,
/// broken with the load still served, clean again.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_health_says_when_the_folder_is_broken() {
    let (dir, briefs) = shipped_copy();
    let (endpoint, metrics) = (free_address(), free_address());
    let config = config(dir.path(), &briefs, "http://127.0.0.1:9", &metrics, "");
    let started = SystemTime::now();
    let bot = start(&config, &["serve", "--listen", &endpoint]);
    health_tells_the_truth(&[&endpoint, &metrics], &briefs, started).await;
    let logs = bot.stop();
    assert!(
        logs.contains("serving metrics on GET /metrics and health on GET /healthz"),
        "{logs}"
    );
}

/// `run`, which has no HTTP endpoint, answers `/healthz` on its metrics listener; with
/// `[announce]`, it says this instance announces.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_answers_health_on_its_metrics_listener() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let metrics = free_address();
    let api = format!("http://{}", stub.addr);
    let config = config(dir.path(), &briefs, &api, &metrics, "");
    let started = SystemTime::now();
    let bot = start(&config, &["run"]);
    health_tells_the_truth(&[&metrics], &briefs, started).await;
    drop(bot);

    let announcing = "\n[announce]\nchannels = [1111111111111111]\n";
    let config = self::config(dir.path(), &briefs, &api, &metrics, announcing);
    let bot = start(&config, &["run"]);
    health_becomes(&metrics, "the announcer's role", |body| {
        body == "ok: 2 rounds\nannouncer: active\n"
    })
    .await;
    assert!(bot.logs().any(|l| l.contains("this instance announces")));
}

/// The value of the series `series` (`name{labels}`, labels as briefbot writes them) in a
/// scrape.
fn value(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in:\n{scrape}"))
        .parse()
        .expect("a number")
}

/// `GET /metrics` at `addr`, as Prometheus's classic text.
async fn scrape(addr: &str) -> String {
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("the metrics listener answers");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.text().await.expect("a body")
}

/// `run` over the stand-in, scraped over loopback after a known sequence: four interactions
/// (one of whose replies Discord refuses), a reload that fails, one that loads a new round,
/// and its announcement, rate limited once. Every count moves by what happened, no more.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_happened() {
    use crate::common::discord_stub::quirks::{Misbehaviour, Quirk};
    use crate::common::payload_json;
    const NEWS: u64 = 1_111_111_111_111_111;

    let stub = DiscordStub::start().await;
    let [command, dm, button, refused] = [
        "slash-latest.json",
        "dm-slash-latest.json",
        "button-positions.json",
        "slash-round-5.json",
    ]
    .map(payload_json);
    stub.state
        .refuse_first_callback
        .lock()
        .expect("lock")
        .insert(refused["id"].as_str().expect("id").to_string());
    stub.state
        .interactions
        .lock()
        .expect("lock")
        .extend([command, dm, button, refused]);
    let (dir, briefs) = shipped_copy();
    let metrics = free_address();
    let api = format!("http://{}", stub.addr);
    let announcing = format!("\n[announce]\nchannels = [{NEWS}]\n");
    let config = config(dir.path(), &briefs, &api, &metrics, &announcing);
    let bot = start(&config, &["run"]);

    // Four interactions: five callbacks, the refused reply's apology among them.
    crate::common::eventually("five callbacks", Duration::from_secs(20), || {
        std::future::ready(stub.callbacks().len() == 5)
    })
    .await;
    health_becomes(&metrics, "the announcer", |body| {
        body == "ok: 1 round\nannouncer: active\n"
    })
    .await;
    let first = scrape(&metrics).await;
    let interactions = |scrape: &str, kind: &str, outcome: &str| {
        value(
            scrape,
            &format!(r#"briefbot_interactions_total{{kind="{kind}",outcome="{outcome}"}}"#),
        )
    };
    assert_eq!(interactions(&first, "command", "answered"), 2.0);
    assert_eq!(interactions(&first, "button", "answered"), 1.0);
    assert_eq!(interactions(&first, "command", "apology"), 1.0);
    assert_eq!(interactions(&first, "command", "unanswered"), 0.0);
    assert_eq!(
        value(&first, r#"briefbot_answer_seconds_count{kind="command"}"#),
        3.0
    );
    let rest = |scrape: &str, outcome: &str| {
        value(
            scrape,
            &format!(r#"briefbot_discord_requests_total{{outcome="{outcome}"}}"#),
        )
    };
    // The refused reply; every other request the stand-in took.
    assert_eq!(rest(&first, "refused"), 1.0);
    assert!(rest(&first, "ok") >= 4.0, "{first}");
    assert_eq!(value(&first, "briefbot_rounds"), 1.0);
    assert_eq!(value(&first, "briefbot_tracks"), 1.0);
    assert_eq!(value(&first, "briefbot_briefs_mistakes"), 0.0);
    assert_eq!(value(&first, r#"briefbot_announcer{role="active"}"#), 1.0);
    assert_eq!(value(&first, r#"briefbot_announcer{role="none"}"#), 0.0);
    let reloads = |scrape: &str, result: &str| {
        value(
            scrape,
            &format!(r#"briefbot_reloads_total{{result="{result}"}}"#),
        )
    };
    assert_eq!(reloads(&first, "loaded") + reloads(&first, "failed"), 0.0);

    // A broken reload.
    let broken = break_folder(&briefs);
    health_becomes(&metrics, "the folder broken", |body| {
        body.contains("broken")
    })
    .await;
    let second = scrape(&metrics).await;
    assert_eq!(reloads(&second, "failed"), 1.0);
    assert_eq!(reloads(&second, "loaded"), 0.0);
    assert_eq!(value(&second, "briefbot_briefs_mistakes"), 1.0);
    assert_eq!(value(&second, "briefbot_rounds"), 1.0);

    // Fixed: round 6 is served and announced, after one 429.
    stub.quirk(Quirk::new(
        "POST",
        &format!("/channels/{NEWS}/messages"),
        Misbehaviour::RateLimited(Duration::from_millis(100)),
        1,
    ));
    std::fs::write(&broken, round_brief(6, "Geneva round")).expect("fix the brief");
    crate::common::eventually("round 6 announced", Duration::from_secs(20), || {
        std::future::ready(stub.posts(NEWS).len() == 1)
    })
    .await;
    let announced = r#"briefbot_announcements_total{mode="message",result="posted"}"#;
    let mut third = scrape(&metrics).await;
    // The post is counted once it is recorded, a moment after Discord has it.
    for _ in 0..100 {
        if value(&third, announced) == 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        third = scrape(&metrics).await;
    }
    assert_eq!(value(&third, announced), 1.0);
    assert_eq!(
        value(
            &third,
            r#"briefbot_announcements_total{mode="message",result="failed"}"#
        ),
        0.0,
        "a 429 is waited out, not a failure"
    );
    assert_eq!(
        value(&third, r#"briefbot_announcements_pending{mode="message"}"#),
        0.0
    );
    assert_eq!(reloads(&third, "loaded"), 1.0);
    assert_eq!(reloads(&third, "failed"), 1.0);
    assert_eq!(value(&third, "briefbot_briefs_mistakes"), 0.0);
    assert_eq!(value(&third, "briefbot_rounds"), 2.0);
    assert_eq!(value(&third, "briefbot_discord_rate_limited_total"), 1.0);
    assert_eq!(rest(&third, "rate_limited"), 1.0);
    assert!(rest(&third, "ok") > rest(&first, "ok"), "{third}");
    // Nothing answered since the first scrape.
    assert_eq!(interactions(&third, "command", "answered"), 2.0);
    let logs = bot.stop();
    assert!(logs.contains("new round announced"), "{logs}");
}
