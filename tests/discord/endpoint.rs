//! `briefbot serve` over loopback with real requests signed by a test key: PING, commands,
//! autocomplete, buttons, every way a request can be refused, and the bounds on slow, idle
//! and too many clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::signing::{now, public_key_hex, sign, test_key};
use crate::common::{assert_within_discord_limits, eventually, payload, shipped};
use briefbot::transport::http::{self, Endpoint, PublicKey, ServeSettings};
use briefbot::transport::interaction::{Interaction, Kind};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// A server on a free loopback port, answering from the shipped briefs.
async fn start() -> SocketAddr {
    start_with(crate::common::shipped_live()).await
}

/// A server answering from whatever `reloader` serves, with the settings `serve` runs with.
async fn start_with(reloader: Arc<briefbot::live::Reloader>) -> SocketAddr {
    serving(reloader, ServeSettings::default(), CancellationToken::new())
        .await
        .0
}

/// A server with `settings` on a free loopback port until `stop` is cancelled; the handle
/// ends once it has stopped.
async fn serving(
    reloader: Arc<briefbot::live::Reloader>,
    settings: ServeSettings,
    stop: CancellationToken,
) -> (SocketAddr, JoinHandle<()>) {
    let key = PublicKey::parse(&public_key_hex(&test_key()), "test").expect("test key");
    let endpoint = Arc::new(Endpoint::new(key, crate::common::handler(reloader)));
    // tokio listens with a backlog of 128, which a test's own openers, sharing the runtime
    // and a busy machine with the server, can outrun: connections would then wait a second
    // for a SYN retry. A backlog for every connection a test opens keeps time out of it.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind");
    let listener = socket.listen(4096).expect("listen");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(http::serve_on(listener, endpoint, settings, stop));
    (addr, server)
}

struct Sent {
    status: StatusCode,
    body: String,
}

impl Sent {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn post(addr: SocketAddr, headers: &[(&str, String)], body: Vec<u8>) -> Sent {
    let client = reqwest::Client::new();
    let mut request = client
        .post(format!("http://{addr}/interactions"))
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("the server answers");
    Sent {
        status: response.status(),
        body: response.text().await.unwrap_or_default(),
    }
}

/// POSTs `body` signed now with the test key.
async fn signed(addr: SocketAddr, body: &[u8]) -> Sent {
    signed_at(addr, body, now()).await
}

async fn signed_at(addr: SocketAddr, body: &[u8], timestamp: i64) -> Sent {
    let timestamp = timestamp.to_string();
    let signature = sign(&test_key(), &timestamp, body);
    with_signature(addr, signature, &timestamp, body).await
}

/// POSTs `body` with exactly these signature headers, whatever they sign.
async fn with_signature(addr: SocketAddr, signature: String, timestamp: &str, body: &[u8]) -> Sent {
    let headers = [
        ("X-Signature-Ed25519", signature),
        ("X-Signature-Timestamp", timestamp.to_string()),
    ];
    post(addr, &headers, body.to_vec()).await
}

#[tokio::test]
async fn ping_gets_pong() {
    let addr = start().await;
    let sent = signed(addr, payload("ping.json").as_bytes()).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert_eq!(sent.body, r#"{"type":1}"#);
}

#[tokio::test]
async fn every_command_autocomplete_and_button_is_answered_as_the_gateway_would() {
    let addr = start().await;
    let library = shipped();
    for (name, kind) in crate::common::ANSWERED {
        let body = payload(name);
        let sent = signed(addr, body.as_bytes()).await;
        assert_eq!(sent.status, StatusCode::OK, "{name}: {}", sent.body);
        let json = sent.json();
        assert_eq!(json["type"], kind, "{name}");
        assert_within_discord_limits(&json);
        let interaction: serenity::all::Interaction = serde_json::from_str(&body).expect("fixture");
        let Kind::Request(request) = Interaction::from_serenity(&interaction).kind else {
            panic!("{name}: not a request");
        };
        let gateway = briefbot::commands::respond(&library, &request)
            .fit()
            .to_json();
        assert_eq!(
            json, gateway,
            "{name}: the same JSON the gateway adapter sends"
        );
    }
}

#[tokio::test]
async fn a_bad_signature_or_the_wrong_key_is_refused() {
    let addr = start().await;
    let body = payload("slash-latest.json");
    let timestamp = now().to_string();

    let mut signature = sign(&test_key(), &timestamp, body.as_bytes());
    signature.replace_range(
        0..2,
        if signature.starts_with("00") {
            "11"
        } else {
            "00"
        },
    );
    let sent = with_signature(addr, signature, &timestamp, body.as_bytes()).await;
    assert_eq!(sent.status, StatusCode::UNAUTHORIZED);

    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let signature = sign(&other, &timestamp, body.as_bytes());
    let sent = with_signature(addr, signature, &timestamp, body.as_bytes()).await;
    assert_eq!(sent.status, StatusCode::UNAUTHORIZED);

    // A valid signature over another body does not cover this one.
    let signature = sign(&test_key(), &timestamp, b"{}");
    let sent = with_signature(addr, signature, &timestamp, body.as_bytes()).await;
    assert_eq!(sent.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused_so_replays_are_not_answered() {
    let addr = start().await;
    let body = payload("slash-latest.json");
    let stale = signed_at(addr, body.as_bytes(), now() - 5 * 60 - 5).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stale.body, "stale timestamp");
    let future = signed_at(addr, body.as_bytes(), now() + 65).await;
    assert_eq!(future.status, StatusCode::UNAUTHORIZED);
    assert_eq!(future.body, "timestamp in the future");
    // Within the window both ways, it is answered.
    assert_eq!(
        signed_at(addr, body.as_bytes(), now() - 4 * 60)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        signed_at(addr, body.as_bytes(), now() + 30).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn missing_or_malformed_headers_are_refused() {
    let addr = start().await;
    let body = payload("slash-latest.json").into_bytes();
    let timestamp = now().to_string();
    let signature = sign(&test_key(), &timestamp, &body);
    for headers in [
        vec![],
        vec![("X-Signature-Timestamp", timestamp.clone())],
        vec![("X-Signature-Ed25519", signature.clone())],
        vec![
            ("X-Signature-Ed25519", "not-hex".to_string()),
            ("X-Signature-Timestamp", timestamp.clone()),
        ],
        vec![
            ("X-Signature-Ed25519", signature.clone()),
            ("X-Signature-Timestamp", "yesterday".to_string()),
        ],
    ] {
        let sent = post(addr, &headers, body.clone()).await;
        assert_eq!(sent.status, StatusCode::UNAUTHORIZED, "{headers:?}");
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_before_anything_else() {
    let addr = start().await;
    let body = vec![b' '; 1024 * 1024];
    // Even unsigned: the size bound comes first.
    let sent = post(addr, &[], body.clone()).await;
    assert_eq!(sent.status, StatusCode::PAYLOAD_TOO_LARGE);
    let sent = signed(addr, &body).await;
    assert_eq!(sent.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn signed_invalid_json_or_the_wrong_shape_is_a_bad_request() {
    let addr = start().await;
    for body in [
        &b"{not json"[..],
        b"[1, 2, 3]",
        br#"{"hello": "world"}"#,
        br#"{"id": "1", "token": "t", "type": 99}"#,
    ] {
        let sent = signed(addr, body).await;
        assert_eq!(
            sent.status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[tokio::test]
async fn an_interaction_missing_fields_briefbot_does_not_need_is_answered() {
    // Discord's documented example lacks `member.flags`, which serenity 0.12.5 requires; the
    // endpoint reads only what a request needs, so it answers normally.
    let addr = start().await;
    let mut raw: Value = serde_json::from_str(&payload("slash-latest.json")).expect("json");
    raw["member"].as_object_mut().map(|m| m.remove("flags"));
    let sent = signed(addr, raw.to_string().as_bytes()).await;
    assert_eq!(sent.status, StatusCode::OK);
    let title = sent.json()["data"]["embeds"][0]["title"].clone();
    assert_eq!(
        title.as_str().map(|t| t.starts_with("Paris round")),
        Some(true)
    );
}

#[tokio::test]
async fn a_signed_interaction_with_unreadable_data_gets_the_apology() {
    let addr = start().await;
    let mut raw: Value = serde_json::from_str(&payload("slash-latest.json")).expect("json");
    raw["data"] = Value::String("not an object".into());
    let sent = signed(addr, raw.to_string().as_bytes()).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert_eq!(
        sent.json(),
        briefbot::commands::something_went_wrong().fit().to_json()
    );
}

#[tokio::test]
async fn the_same_request_twice_gets_the_same_bytes() {
    // The second answer comes from the reply cache; it must be the same bytes.
    let addr = start().await;
    let body = payload("slash-round-5.json");
    let first = signed(addr, body.as_bytes()).await;
    let second = signed(addr, body.as_bytes()).await;
    assert_eq!(first.body, second.body);
}

#[tokio::test]
async fn many_concurrent_requests_are_all_answered() {
    let addr = start().await;
    let names = [
        "slash-latest.json",
        "slash-round-5.json",
        "autocomplete-positions-party.json",
        "button-positions.json",
    ];
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let body = payload(names[i % names.len()]);
            tokio::spawn(async move { signed(addr, body.as_bytes()).await.status })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
}

#[tokio::test]
async fn healthz_reports_the_library() {
    let addr = start().await;
    let response = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap_or_default(), "ok: 1 round\n");
}

#[test]
fn a_malformed_public_key_is_a_clear_error() {
    let error = PublicKey::parse("abc", "DISCORD_PUBLIC_KEY")
        .err()
        .expect("refused");
    assert_eq!(
        error.to_string(),
        "the public key from DISCORD_PUBLIC_KEY must be 64 hexadecimal digits; copy it again from the developer portal"
    );
}

fn content(sent: &Sent) -> String {
    sent.json()["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `/reload` over HTTP: only for managers, answered privately with what was loaded or with
/// the mistakes; a reload that brings a new round is seen by the very next request, even
/// one whose answer was cached from the old snapshot.
#[tokio::test]
async fn reload_answers_managers_privately_and_the_next_request_sees_the_new_library() {
    let (_dir, briefs) = crate::common::shipped_copy();
    let addr = start_with(crate::common::live(&briefs)).await;
    let reload = payload("slash-reload.json");
    let latest = payload("slash-latest.json");

    let refused = signed(addr, payload("slash-reload-member.json").as_bytes()).await;
    assert_eq!(refused.json()["data"]["flags"], 64);
    assert!(content(&refused).starts_with("Only members who can manage this server"));

    let before = signed(addr, latest.as_bytes()).await;
    assert_eq!(
        before.json()["data"]["embeds"][0]["title"]
            .as_str()
            .map(|t| t.starts_with("Paris round")),
        Some(true)
    );

    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        crate::common::round_brief(6, "Geneva round").replacen("title = ", "titel = ", 1),
    )
    .expect("write");
    let failed = signed(addr, reload.as_bytes()).await;
    let json = failed.json();
    assert_eq!(json["type"], 4);
    assert_eq!(json["data"]["flags"], 64, "only the manager sees it");
    assert!(
        content(&failed).starts_with("The briefs have 1 error, so nothing changed"),
        "{}",
        content(&failed)
    );
    let description = json["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(description.contains("06-geneva.md:4:1"), "{description}");
    assert_within_discord_limits(&json);
    assert_eq!(
        signed(addr, latest.as_bytes()).await.body,
        before.body,
        "the old library is still served"
    );

    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        crate::common::round_brief(6, "Geneva round"),
    )
    .expect("fix");
    let loaded = signed(addr, reload.as_bytes()).await;
    assert_eq!(loaded.json()["data"]["flags"], 64);
    assert_eq!(
        content(&loaded),
        "Reloaded: 2 rounds in 1 track, 1 author. New: round 6 of Syria–Israel talks.\nSyria–Israel talks: rounds 5, 6"
    );
    let after = signed(addr, latest.as_bytes()).await;
    assert_eq!(after.json()["data"]["embeds"][0]["title"], "Geneva round");
}

// Slow, idle and too many clients. A connection's end is an event (the read that returns
// nothing), so these tests await it directly, bounded by a timeout, rather than poll.

/// Deadlines short enough for tests, long enough for a loaded machine to meet.
const SHORT: Duration = Duration::from_millis(500);

fn short_deadlines() -> ServeSettings {
    ServeSettings {
        header_timeout: SHORT,
        request_timeout: SHORT,
        ..ServeSettings::default()
    }
}

/// The start of a request's head, as a client that stops halfway sends it.
const HALF_A_HEAD: &[u8] = b"POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty";

/// The head of a signed POST of `body`, with `extra` header lines.
fn signed_head(body: &[u8], extra: &str) -> String {
    let timestamp = now().to_string();
    let signature = sign(&test_key(), &timestamp, body);
    format!(
        "POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nX-Signature-Ed25519: {signature}\r\n\
         X-Signature-Timestamp: {timestamp}\r\n{extra}\r\n",
        body.len()
    )
}

/// Everything the server sends until it closes the connection, and when it did; `None` if
/// the connection is still open after `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<(String, Instant)> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(limit, async {
        let mut buffer = [0u8; 4096];
        // The end of the stream, or a reset: closed either way.
        while let Ok(read @ 1..) = stream.read(&mut buffer).await {
            received.extend_from_slice(&buffer[..read]);
        }
    })
    .await;
    closed.ok().map(|()| {
        (
            String::from_utf8_lossy(&received).into_owned(),
            Instant::now(),
        )
    })
}

/// Everything the server sends until it closes the connection, and when it did; panics if
/// the connection is still open after `limit`.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Instant) {
    read_until_closed(stream, limit)
        .await
        .unwrap_or_else(|| panic!("still open after {limit:?}"))
}

/// `count` slow connections as plain sockets, held open by the test while it goes on.
async fn held_slow_connections(addr: SocketAddr, count: usize) -> Vec<std::net::TcpStream> {
    slow_connections(addr, count)
        .await
        .into_iter()
        .map(|(s, _)| s.into_std().expect("a plain socket"))
        .collect()
}

/// `count` connections that each sent half a request's head and nothing more, each with the
/// moment before it connected; opened 50 at a time: quick, and `serving`'s listen backlog
/// holds them all even when the server falls behind.
async fn slow_connections(addr: SocketAddr, count: usize) -> Vec<(TcpStream, Instant)> {
    let mut openers = tokio::task::JoinSet::new();
    for share in 0..50 {
        let mine = count / 50 + usize::from(share < count % 50);
        openers.spawn(async move {
            let mut streams = Vec::with_capacity(mine);
            for _ in 0..mine {
                let connecting = Instant::now();
                let mut stream = TcpStream::connect(addr).await.unwrap_or_else(|e| {
                    // Both ends of every connection are in this process.
                    panic!(
                        "connect: {e}; does `ulimit -n` allow {} sockets?",
                        2 * count
                    )
                });
                stream.write_all(HALF_A_HEAD).await.expect("write");
                streams.push((stream, connecting));
            }
            streams
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(streams) = openers.join_next().await {
        all.extend(streams.expect("opener"));
    }
    all
}

/// What the server sent on each of `streams` before closing it, and how long after its
/// moment it closed it, once it has closed them all; panics saying how many are still open
/// after `limit`.
async fn all_closed(
    streams: Vec<(TcpStream, Instant)>,
    limit: Duration,
) -> Vec<(String, Duration)> {
    let count = streams.len();
    let mut closing = tokio::task::JoinSet::new();
    for (mut stream, since) in streams {
        closing.spawn(async move {
            read_until_closed(&mut stream, limit)
                .await
                .map(|(received, closed)| (received, closed - since))
        });
    }
    let mut sent = Vec::new();
    while let Some(one) = closing.join_next().await {
        sent.extend(one.expect("closing"));
    }
    assert_eq!(
        sent.len(),
        count,
        "{} of {count} connections still open after {limit:?}",
        count - sent.len()
    );
    sent
}

type Empty = http_body_util::Empty<axum::body::Bytes>;

/// A client connection to `addr` that every request sent through it goes over, and the task
/// that drives it, which ends when the server closes the connection.
async fn one_connection(
    addr: SocketAddr,
) -> (
    hyper::client::conn::http1::SendRequest<Empty>,
    JoinHandle<hyper::Result<()>>,
) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    (sender, tokio::spawn(connection))
}

/// `GET /healthz`, for a connection of `one_connection`.
fn healthz(addr: SocketAddr) -> axum::http::Request<Empty> {
    axum::http::Request::get("/healthz")
        .header("host", addr.to_string())
        .body(Empty::new())
        .expect("request")
}

/// Whether the server has neither sent anything on `stream` nor closed it. Asks the kernel
/// (a peek that does not wait), not tokio's record of readiness, which may lag behind it.
fn still_waiting(stream: &std::net::TcpStream) -> bool {
    matches!(stream.peek(&mut [0u8; 1]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// 200 clients that each stop halfway through their request's head, as a slowloris attack
/// does: the server drops every one of them at the header timeout, and answers none.
#[tokio::test]
async fn clients_that_stop_halfway_through_their_headers_are_dropped_at_the_header_timeout() {
    const SLOW: usize = 200;
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        short_deadlines(),
        CancellationToken::new(),
    )
    .await;
    let slow = slow_connections(addr, SLOW).await;
    let closed = all_closed(slow, SHORT * 6).await;
    assert_eq!(closed.len(), SLOW);
    // Each timer starts when its connection is accepted, which is after it began connecting.
    let shortest = closed.iter().map(|(_, held)| *held).min();
    assert!(
        shortest >= Some(SHORT),
        "one was closed after {shortest:?}, before the deadline"
    );
    assert!(
        closed.iter().all(|(sent, _)| sent.is_empty()),
        "nothing is answered to a head that never came: {:?}",
        closed.iter().find(|(sent, _)| !sent.is_empty())
    );
}

#[tokio::test]
async fn a_request_whose_body_stops_coming_gets_408_and_is_closed_at_the_request_timeout() {
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        short_deadlines(),
        CancellationToken::new(),
    )
    .await;
    let body = payload("slash-latest.json").into_bytes();
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    let sending = Instant::now();
    slow.write_all(signed_head(&body, "").as_bytes())
        .await
        .expect("write the head");
    slow.write_all(&body[..body.len() / 2])
        .await
        .expect("write half the body");
    let (sent, closed) = until_closed(&mut slow, SHORT * 6).await;
    let held = closed - sending;
    assert!(
        held >= SHORT,
        "answered after {held:?}, before the deadline"
    );
    assert!(
        sent.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{sent}"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_at_the_header_timeout() {
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        short_deadlines(),
        CancellationToken::new(),
    )
    .await;
    let (mut sender, connection) = one_connection(addr).await;
    let mut asked = Instant::now();
    // Two requests one after the other on the one connection: it is kept alive between them.
    for _ in 0..2 {
        asked = Instant::now();
        let response = sender.send_request(healthz(addr)).await.expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(&body[..], b"ok: 1 round\n");
    }
    let closed = tokio::time::timeout(SHORT * 6, connection).await;
    assert!(
        matches!(closed, Ok(Ok(Ok(())))),
        "the server closes the idle connection: {closed:?}"
    );
    // The idle timer starts after the last response is written, which is after `asked`.
    let idle = asked.elapsed();
    assert!(
        idle >= SHORT,
        "closed after {idle:?} idle, before the deadline"
    );
}

/// Thousands of clients that each hold a connection with half a head, as a slowloris attack
/// does, and Discord's request is still answered at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genuine_request_is_answered_promptly_while_two_thousand_slow_clients_hold_connections() {
    const SLOW: usize = 2000;
    // Far longer than opening them takes even on a busy machine, so none is dropped before
    // the genuine request is answered (dropping them is the test above).
    let settings = ServeSettings {
        header_timeout: Duration::from_secs(20),
        max_connections: 4096,
        ..ServeSettings::default()
    };
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        settings,
        CancellationToken::new(),
    )
    .await;
    let opening = Instant::now();
    let slow = held_slow_connections(addr, SLOW).await;
    let opened = opening.elapsed();

    let asking = Instant::now();
    let sent = signed(addr, payload("slash-latest.json").as_bytes()).await;
    let took = asking.elapsed();
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        sent.json()["data"]["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Paris round")),
        "{}",
        sent.body
    );
    // The server accepts connections in the order they arrived, so it had accepted every
    // slow one before the genuine one; and none had been closed or answered.
    let waiting = slow.iter().filter(|s| still_waiting(s)).count();
    assert_eq!(
        waiting, SLOW,
        "slow connections still held after the answer"
    );
    eprintln!(
        "{SLOW} slow connections opened in {opened:?}; /latest answered in {took:?} while they were held"
    );
    assert!(
        took < Duration::from_secs(1),
        "answered in {took:?} beside {SLOW} slow connections"
    );
}

/// Deadlines so long that none can be what closes a connection in a test, which is over
/// well before them.
const LONG: Duration = Duration::from_secs(30);

/// A connection whose signed request for `body` is in progress: its head, with `extra`
/// header lines, has been read and the handler has asked for the body, which the server says
/// with `100 Continue`; the body is not sent.
async fn in_request(addr: SocketAddr, body: &[u8], extra: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = signed_head(body, &format!("Expect: 100-continue\r\n{extra}"));
    stream
        .write_all(head.as_bytes())
        .await
        .expect("write the head");
    let mut continued = [0u8; 25];
    tokio::time::timeout(SHORT * 6, stream.read_exact(&mut continued))
        .await
        .expect("100 Continue in time")
        .expect("read");
    assert_eq!(&continued, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream
}

/// At the cap, a newcomer gets the slot of the connection that has waited longest for its
/// request, which is closed; the others are kept, and the newcomer is answered at once.
#[tokio::test]
async fn beyond_max_connections_the_connection_that_has_waited_longest_is_closed_for_a_newcomer() {
    const CAP: usize = 4;
    let settings = ServeSettings {
        header_timeout: LONG,
        max_connections: CAP,
        ..ServeSettings::default()
    };
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        settings,
        CancellationToken::new(),
    )
    .await;
    // One after the other, so the server accepts them, and they begin to wait, in this order.
    let mut slow = Vec::new();
    for _ in 0..CAP {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(HALF_A_HEAD).await.expect("write");
        slow.push(stream);
    }
    let asking = Instant::now();
    let sent = tokio::time::timeout(
        SHORT * 6,
        signed(addr, payload("slash-latest.json").as_bytes()),
    )
    .await
    .expect("answered without waiting for a slot to free");
    let took = asking.elapsed();
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        took < Duration::from_secs(1),
        "answered in {took:?} while every slot was held"
    );

    let mut slow = slow.into_iter();
    let mut oldest = slow.next().expect("the first slow connection");
    let (sent, _) = until_closed(&mut oldest, SHORT * 6).await;
    assert!(sent.is_empty(), "nothing is answered to it: {sent}");
    // The newcomer's answer came after the server chose whom to close, and the genuine
    // client has nothing more to ask: no other connection can be closed from here on.
    let rest: Vec<std::net::TcpStream> = slow
        .map(|s| s.into_std().expect("a plain socket"))
        .collect();
    assert!(
        rest.iter().all(still_waiting),
        "only the oldest is closed, not {} of the younger ones",
        rest.iter().filter(|s| !still_waiting(s)).count()
    );
}

/// Thousands of slow clients against a small cap, with a header timeout far longer than the
/// test: each newcomer takes the slot of the connection that has waited longest, so the
/// server holds no more than the cap, and Discord's request, arriving after them all, is
/// answered at once instead of waiting behind them in the listen backlog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genuine_request_is_answered_promptly_after_thousands_of_slow_clients_overflow_the_cap() {
    const SLOW: usize = 2000;
    const CAP: usize = 50;
    let settings = ServeSettings {
        header_timeout: LONG,
        max_connections: CAP,
        ..ServeSettings::default()
    };
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        settings,
        CancellationToken::new(),
    )
    .await;
    let opening = Instant::now();
    let slow = held_slow_connections(addr, SLOW).await;
    let opened = opening.elapsed();

    let asking = Instant::now();
    let sent = tokio::time::timeout(
        LONG / 2,
        signed(addr, payload("slash-latest.json").as_bytes()),
    )
    .await
    .expect("answered before any deadline could free a slot");
    let took = asking.elapsed();
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        sent.json()["data"]["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Paris round")),
        "{}",
        sent.body
    );

    // 2,001 connections came, one at a time beyond the cap: each of the last 1,951 made room
    // by closing a slow one, so all but CAP - 1 slow ones are closed (the genuine one took
    // the last slot). The server closes them from its own tasks, so this is waited for.
    let closed = || slow.iter().filter(|s| !still_waiting(s)).count();
    eventually(
        "the server to close every slow connection beyond the cap",
        Duration::from_secs(5),
        || std::future::ready(closed() >= SLOW - (CAP - 1)),
    )
    .await;
    assert_eq!(
        SLOW - closed(),
        CAP - 1,
        "slow connections held after the answer"
    );
    eprintln!(
        "{SLOW} slow connections against a cap of {CAP} opened in {opened:?}; /latest answered in {took:?}"
    );
    assert!(
        took < Duration::from_secs(1),
        "answered in {took:?} after {SLOW} slow connections"
    );
}

/// A connection whose request is being answered is never closed to make room, however long
/// it has been open: a newcomer takes the slot of a younger connection that waits for its
/// request instead, or, when every open connection is answering, the slot of the first to
/// finish, as soon as it does.
#[tokio::test]
async fn a_connection_whose_request_is_being_answered_is_never_closed_to_make_room() {
    let settings = ServeSettings {
        header_timeout: LONG,
        request_timeout: LONG,
        max_connections: 2,
    };
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        settings,
        CancellationToken::new(),
    )
    .await;
    let ping = payload("ping.json").into_bytes();

    // The oldest connection, whose request is in progress until its body is sent.
    let mut answering = in_request(addr, &ping, "Connection: close\r\n").await;
    // A younger one, still waiting for the rest of its head.
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    slow.write_all(HALF_A_HEAD).await.expect("write");

    // A newcomer gets a slot, and so its `100 Continue`, only by the slow one's closing.
    let mut newcomer = in_request(addr, &ping, "").await;
    let (sent, _) = until_closed(&mut slow, SHORT * 6).await;
    assert!(sent.is_empty(), "nothing is answered to it: {sent}");

    // Both open connections are answering now, so the next newcomer must wait for a slot.
    let mut last = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "{}{}",
        signed_head(&ping, "Connection: close\r\n"),
        String::from_utf8_lossy(&ping)
    );
    last.write_all(request.as_bytes())
        .await
        .expect("write the request");
    // The first newcomer finishes its request: it is answered, then, waiting for its next
    // request on a keep-alive connection, closed at once for the one that waits (long before
    // its header timeout).
    newcomer.write_all(&ping).await.expect("write the body");
    let (sent, _) = until_closed(&mut newcomer, SHORT * 6).await;
    assert!(
        sent.starts_with("HTTP/1.1 200 OK\r\n") && sent.ends_with(r#"{"type":1}"#),
        "{sent}"
    );
    let (sent, _) = until_closed(&mut last, SHORT * 6).await;
    assert!(
        sent.starts_with("HTTP/1.1 200 OK\r\n") && sent.ends_with(r#"{"type":1}"#),
        "{sent}"
    );

    // The oldest was answering all along, through both newcomers; it is answered in full.
    answering.write_all(&ping).await.expect("write the body");
    let (sent, _) = until_closed(&mut answering, SHORT * 6).await;
    assert!(
        sent.starts_with("HTTP/1.1 200 OK\r\n") && sent.ends_with(r#"{"type":1}"#),
        "{sent}"
    );
}

#[tokio::test]
async fn an_oversized_head_is_refused_at_once_not_buffered() {
    let (addr, _server) = serving(
        crate::common::shipped_live(),
        ServeSettings::default(),
        CancellationToken::new(),
    )
    .await;
    let mut big = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(http::MAX_HEAD)
    );
    let sending = Instant::now();
    // The server may close before it has read it all; that is the point.
    let _ = big.write_all(head.as_bytes()).await;
    let (sent, closed) = until_closed(&mut big, ServeSettings::default().header_timeout).await;
    assert!(
        closed - sending < ServeSettings::default().header_timeout,
        "closed by the size bound, not the deadline"
    );
    // The refusal is sent before the close; a close with unread bytes still in the server's
    // buffer may be a reset that overtakes it.
    assert!(
        sent.is_empty() || sent.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{sent}"
    );
}

#[tokio::test]
async fn stopping_closes_idle_connections_and_finishes_the_request_in_flight() {
    let stop = CancellationToken::new();
    let (addr, server) = serving(
        crate::common::shipped_live(),
        ServeSettings::default(),
        stop.clone(),
    )
    .await;

    let (mut sender, idle) = one_connection(addr).await;
    let response = sender.send_request(healthz(addr)).await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);

    // A request in flight: its head is read and its body awaited.
    let body = payload("ping.json").into_bytes();
    let mut in_flight = in_request(addr, &body, "").await;

    stop.cancel();
    // Closed by the stop, well before the 5 s idle bound could.
    let closed = tokio::time::timeout(SHORT * 4, idle).await;
    assert!(
        matches!(closed, Ok(Ok(Ok(())))),
        "the idle connection is closed: {closed:?}"
    );
    assert!(
        !server.is_finished(),
        "serve_on waits for the request in flight"
    );
    in_flight.write_all(&body).await.expect("write the body");
    let (sent, _) = until_closed(&mut in_flight, SHORT * 6).await;
    assert!(sent.starts_with("HTTP/1.1 200 OK\r\n"), "{sent}");
    assert!(sent.ends_with(r#"{"type":1}"#), "{sent}");
    tokio::time::timeout(SHORT * 6, server)
        .await
        .expect("serve_on returns once the request in flight is answered")
        .expect("server task");
}

/// The same over HTTP: a DM or group DM interaction gets the server twin's answer.
#[tokio::test]
async fn interactions_in_dms_are_answered_as_in_a_server() {
    let addr = start().await;
    for name in crate::common::IN_DMS {
        let dm = signed(addr, payload(name).as_bytes()).await;
        let twin = signed(addr, payload(name.trim_start_matches("dm-")).as_bytes()).await;
        assert_eq!(dm.status, StatusCode::OK, "{name}: {}", dm.body);
        assert_eq!(dm.json(), twin.json(), "{name}");
        assert_within_discord_limits(&dm.json());
    }
}

/// The request serenity reads in a payload (the gateway's reading), answered by the core.
fn core_answer(body: &str) -> Value {
    let interaction: serenity::all::Interaction = serde_json::from_str(body).expect("fixture");
    let Kind::Request(request) = Interaction::from_serenity(&interaction).kind else {
        panic!("not a request: {body}");
    };
    briefbot::commands::respond(&shipped(), &request)
        .fit()
        .to_json()
}

/// `/search`, "Brief me" and a search page button, from a server and from DMs, over HTTP:
/// what the core answers to the request the gateway reads.
#[tokio::test]
async fn search_and_brief_me_are_answered_as_the_gateway_would() {
    let addr = start().await;
    for name in crate::common::SEARCHING {
        let body = payload(name);
        let sent = signed(addr, body.as_bytes()).await;
        assert_eq!(sent.status, StatusCode::OK, "{name}: {}", sent.body);
        let json = sent.json();
        assert!(json["type"] == 4 || json["type"] == 7, "{name}: {json}");
        assert_within_discord_limits(&json);
        assert_eq!(json, core_answer(&body), "{name}");
    }
}

/// Discord bounds a query's length in its box; a longer one sent some other way reaches the
/// search view like any other, and "Brief me" without its message gets a private answer that
/// says what went wrong.
#[tokio::test]
async fn an_overlong_query_reaches_the_search_and_brief_me_without_its_message_is_answered() {
    let addr = start().await;
    for query in ["zone ".repeat(300), "   ".to_string()] {
        let body = crate::common::search_for(&query).to_string();
        let sent = signed(addr, body.as_bytes()).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert_eq!(sent.json(), core_answer(&body));
        let expected = briefbot::commands::Command::Search {
            query: query.trim().to_string(),
            track: None,
        };
        let serenity: serenity::all::Interaction = serde_json::from_str(&body).expect("parses");
        assert_eq!(
            Interaction::from_serenity(&serenity).kind,
            Kind::Request(briefbot::commands::Request::Command(expected))
        );
    }
    let missing = crate::common::brief_me_without_its_message().to_string();
    let sent = signed(addr, missing.as_bytes()).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let json = sent.json();
    assert_eq!(json["type"], 4);
    assert_eq!(json["data"]["flags"], 64);
    assert!(
        content(&sent).starts_with("Discord did not send the message you used Brief me on"),
        "{}",
        sent.body
    );
}
