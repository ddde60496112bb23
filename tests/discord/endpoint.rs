//! `briefbot serve` over loopback with real requests signed by a test key: PING, commands,
//! autocomplete, buttons, and every way a request can be refused.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::common::signing::{now, public_key_hex, sign, test_key};
use crate::common::{assert_within_discord_limits, payload, shipped};
use briefbot::transport::http::{self, Endpoint, PublicKey};
use briefbot::transport::interaction::{Interaction, Kind};
use reqwest::StatusCode;
use serde_json::Value;

/// A server on a free loopback port, answering from the shipped briefs.
async fn start() -> SocketAddr {
    start_with(crate::common::shipped_live()).await
}

/// A server answering from whatever `reloader` serves.
async fn start_with(reloader: Arc<briefbot::live::Reloader>) -> SocketAddr {
    let key = PublicKey::parse(&public_key_hex(&test_key()), "test").expect("test key");
    let endpoint = Arc::new(Endpoint::new(key, crate::common::handler(reloader)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, http::router(endpoint)).await;
    });
    addr
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
        "Reloaded: 2 rounds in 1 track, 1 author. New: round 6 of `syria-israel`.\n`syria-israel`: rounds 5, 6"
    );
    let after = signed(addr, latest.as_bytes()).await;
    assert_eq!(after.json()["data"]["embeds"][0]["title"], "Geneva round");
}
