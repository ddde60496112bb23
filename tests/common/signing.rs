//! Signing requests the way Discord does, with a test key: Ed25519 over timestamp + body.

use ed25519_dalek::{Signer, SigningKey};

/// A fixed test key: reproducible, and never a real application's.
pub fn test_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// The public key as Discord's developer portal shows it: 64 hex digits.
pub fn public_key_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

/// `X-Signature-Ed25519` for `timestamp` + `body`.
pub fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    hex::encode(key.sign(&message).to_bytes())
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `briefbot serve` on a free loopback port, answering with `handler`, checking signatures
/// against the test key.
#[allow(dead_code)]
pub async fn serving(
    handler: std::sync::Arc<briefbot::transport::Handler>,
) -> std::net::SocketAddr {
    use briefbot::transport::http::{self, Endpoint, PublicKey, ServeSettings};
    let key = PublicKey::parse(&public_key_hex(&test_key()), "test").expect("test key");
    let endpoint = std::sync::Arc::new(Endpoint::new(key, handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(http::serve_on(
        listener,
        endpoint,
        ServeSettings::default(),
        tokio_util::sync::CancellationToken::new(),
    ));
    addr
}

/// POSTs `raw` to the endpoint at `addr`, signed as Discord signs it; the response body, after
/// checking it is a 200 with JSON.
#[allow(dead_code)]
pub async fn over_http(addr: std::net::SocketAddr, raw: &serde_json::Value) -> serde_json::Value {
    let body = raw.to_string();
    let timestamp = now().to_string();
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/interactions"))
        .header(
            "X-Signature-Ed25519",
            sign(&test_key(), &timestamp, body.as_bytes()),
        )
        .header("X-Signature-Timestamp", timestamp)
        .body(body)
        .send()
        .await
        .expect("the endpoint answers");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let text = response.text().await.expect("a body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
