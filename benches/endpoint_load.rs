//! Load benchmark of `briefbot serve`: starts the release binary on loopback, pre-signs N
//! Discord-shaped command requests with a test key, replays them over 32 keep-alive
//! connections for 10 s, and prints req/s, p50, p99 and the server's CPU time per request.
//!
//! Run with `cargo bench --bench endpoint_load`. `LOAD_SECONDS` and `LOAD_CONNECTIONS`
//! change the duration and concurrency. Linux only (server CPU time is read from /proc).

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;

const FIXTURES: [&str; 6] = [
    "slash-latest.json",
    "slash-round-5.json",
    "slash-positions-party.json",
    "slash-author.json",
    "slash-about.json",
    "slash-round-9.json",
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` expect nothing here
    }
    let seconds: u64 = env_or("LOAD_SECONDS", 10);
    let connections: usize = env_or("LOAD_CONNECTIONS", 32);
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = free_port();
    let mut server = start_server(dir.path(), &key, addr);
    let requests = Arc::new(presign(&key, 4096));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(wait_healthy(addr));
    // Warm up, then measure.
    runtime.block_on(load(
        addr,
        requests.clone(),
        connections,
        Duration::from_secs(1),
    ));
    let cpu_before = cpu_micros(server.id());
    let started = Instant::now();
    let (mut latencies, failures) = runtime.block_on(load(
        addr,
        requests,
        connections,
        Duration::from_secs(seconds),
    ));
    let elapsed = started.elapsed();
    let cpu = cpu_micros(server.id()) - cpu_before;
    stop(&mut server);

    latencies.sort_unstable();
    let count = latencies.len();
    let percentile = |p: f64| {
        latencies
            .get(((count as f64 * p) as usize).min(count.saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "briefbot serve, {connections} connections, {:.1} s, {} pre-signed command requests",
        elapsed.as_secs_f64(),
        4096
    );
    println!("requests:   {count} ok, {failures} failed");
    println!(
        "throughput: {:.0} req/s",
        count as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency:    p50 {:.2} ms, p99 {:.2} ms",
        percentile(0.50) as f64 / 1000.0,
        percentile(0.99) as f64 / 1000.0
    );
    println!(
        "server CPU: {:.1} µs per request",
        cpu as f64 / count.max(1) as f64
    );
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

/// The release binary with a config that points at the shipped briefs and the test key.
fn start_server(dir: &Path, key: &SigningKey, addr: SocketAddr) -> Child {
    let briefs = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
    let public_key: String = key
        .verifying_key()
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let config = dir.join("config.toml");
    let text = format!(
        "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\n[discord]\npublic_key = \"{public_key}\"\n[serve]\nlisten = \"{addr}\"\n",
        briefs.display().to_string()
    );
    std::fs::write(&config, text).expect("write config");
    Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn")
        .env_remove("DISCORD_PUBLIC_KEY")
        .stdout(Stdio::null())
        .spawn()
        .expect("start briefbot serve")
}

fn stop(server: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
}

/// Command requests with distinct ids, each signed now (they stay fresh for 5 minutes).
fn presign(key: &SigningKey, n: usize) -> Vec<(String, String, Bytes)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord");
    let templates: Vec<Value> = FIXTURES
        .iter()
        .map(|name| {
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("fixture"))
                .expect("json")
        })
        .collect();
    // LOAD_STALE=1 signs an hour ago: every request is refused before the signature check,
    // which measures the HTTP floor the rest is added to.
    let age = if std::env::var_os("LOAD_STALE").is_some() {
        3600
    } else {
        0
    };
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() - age)
        .to_string();
    (0..n)
        .map(|i| {
            let mut body = templates[i % templates.len()].clone();
            body["id"] = Value::String((1_300_000_000_000_000_000u64 + i as u64).to_string());
            let body = body.to_string();
            let mut message = timestamp.clone().into_bytes();
            message.extend_from_slice(body.as_bytes());
            let signature: String = key
                .sign(&message)
                .to_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (signature, timestamp.clone(), Bytes::from(body))
        })
        .collect()
}

async fn wait_healthy(addr: SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("briefbot serve did not start on {addr}");
}

/// `connections` keep-alive connections, each sending requests back to back until `duration`
/// has passed. Returns each request's latency in µs and the number of failures.
async fn load(
    addr: SocketAddr,
    requests: Arc<Vec<(String, String, Bytes)>>,
    connections: usize,
    duration: Duration,
) -> (Vec<u32>, usize) {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let requests = requests.clone();
            tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let (mut sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .expect("handshake");
                tokio::spawn(connection);
                let mut latencies = Vec::new();
                let mut failures = 0;
                let mut i = c;
                let stale = std::env::var_os("LOAD_STALE").is_some();
                while Instant::now() < deadline {
                    let (signature, timestamp, body) = &requests[i % requests.len()];
                    i += connections;
                    let request = hyper::Request::post("/interactions")
                        .header("host", addr.to_string())
                        .header("content-type", "application/json")
                        .header("x-signature-ed25519", signature)
                        .header("x-signature-timestamp", timestamp)
                        .body(Full::new(body.clone()))
                        .expect("request");
                    let sent = Instant::now();
                    match sender.send_request(request).await {
                        Ok(response) if response.status().is_success() || stale => {
                            let _ = response.into_body().collect().await;
                            latencies.push(sent.elapsed().as_micros() as u32);
                        }
                        _ => failures += 1,
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failures = 0;
    for task in tasks {
        if let Ok((latencies, failed)) = task.await {
            all.extend(latencies);
            failures += failed;
        }
    }
    (all, failures)
}

/// User plus system CPU time of a process, in µs, from /proc/<pid>/stat.
fn cpu_micros(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    let total_ticks = ticks(11) + ticks(12);
    let hz = 100; // USER_HZ on Linux
    total_ticks * 1_000_000 / hz
}
