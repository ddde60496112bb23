//! `briefbot serve`: Discord's interactions delivered as signed HTTP POSTs. Stateless, so any
//! number of instances can run behind a load balancer. Checks run cheapest-first and nothing
//! is parsed before the signature is verified: size bound (413), headers and timestamp
//! freshness (401, so a replayed request is refused), Ed25519 signature (401), then JSON (400).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serenity::all::Interaction;
use serenity::interactions_endpoint::Verifier;
use tracing::{debug, warn};

use crate::dispatch;
use crate::gateway::SharedLibrary;

/// Bodies larger than this are refused (413) before anything else is read.
pub const MAX_BODY: usize = 64 * 1024;
/// A request signed longer ago than this is a replay (or a very late delivery): refused.
pub const MAX_AGE_SECS: i64 = 5 * 60;
/// A request from further in the future than this means a wrong clock somewhere: refused.
pub const MAX_FUTURE_SECS: i64 = 60;

/// The application's public key, from the developer portal (General Information).
#[derive(Clone)]
pub struct PublicKey(Verifier);

#[derive(Debug, thiserror::Error)]
pub enum PublicKeyError {
    #[error(
        "no public key: set [discord] public_key in config.toml or DISCORD_PUBLIC_KEY (General Information in the developer portal)"
    )]
    Missing,
    #[error(
        "the public key from {from} must be 64 hexadecimal digits; copy it again from the developer portal"
    )]
    NotHex { from: &'static str },
    #[error("the public key from {from} is not a valid Ed25519 key")]
    Invalid { from: &'static str },
}

impl PublicKey {
    /// Parses a hex key; `from` names where it came from, for the error.
    pub fn parse(hex: &str, from: &'static str) -> Result<PublicKey, PublicKeyError> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PublicKeyError::NotHex { from });
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| PublicKeyError::NotHex { from })?;
        }
        Verifier::try_new(bytes)
            .map(PublicKey)
            .map_err(|_| PublicKeyError::Invalid { from })
    }

    /// `DISCORD_PUBLIC_KEY` if set, else the configured key.
    pub fn from_env_or(configured: Option<&str>) -> Result<PublicKey, PublicKeyError> {
        match std::env::var("DISCORD_PUBLIC_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
        {
            Some(key) => PublicKey::parse(&key, "DISCORD_PUBLIC_KEY"),
            None => PublicKey::parse(configured.ok_or(PublicKeyError::Missing)?, "config.toml"),
        }
    }
}

/// What every request handler shares.
pub struct Endpoint {
    pub key: PublicKey,
    pub library: SharedLibrary,
}

/// The HTTP routes: `POST /interactions` and `GET /healthz`.
pub fn router(endpoint: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/interactions", post(interactions))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(endpoint)
}

/// Serves on `listen` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listen: SocketAddr,
    endpoint: Arc<Endpoint>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, "serving interactions on POST /interactions");
    axum::serve(listener, router(endpoint))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz(State(endpoint): State<Arc<Endpoint>>) -> Response {
    let rounds = endpoint.library.load().rounds().count();
    (
        StatusCode::OK,
        format!("ok: {}\n", crate::library::plural(rounds, "round")),
    )
        .into_response()
}

/// Why a request was refused, as the status Discord (or an attacker) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Unauthorized(&'static str),
    BadRequest(&'static str),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized(why) => (StatusCode::UNAUTHORIZED, why).into_response(),
            Refusal::BadRequest(why) => (StatusCode::BAD_REQUEST, why).into_response(),
        }
    }
}

async fn interactions(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match answer(&endpoint, &headers, &body, unix_now()) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The response body for one verified request, or why it is refused. `now` is the current
/// Unix time in seconds.
fn answer(
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Vec<u8>, Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header("x-signature-ed25519")
        .ok_or(Refusal::Unauthorized("missing X-Signature-Ed25519"))?;
    let timestamp = header("x-signature-timestamp")
        .ok_or(Refusal::Unauthorized("missing X-Signature-Timestamp"))?;
    let signed_at: i64 = timestamp
        .parse()
        .map_err(|_| Refusal::Unauthorized("malformed X-Signature-Timestamp"))?;
    // Freshness first: it is cheap, and a replay is refused without spending a verification.
    if signed_at < now - MAX_AGE_SECS {
        return Err(Refusal::Unauthorized("stale timestamp"));
    }
    if signed_at > now + MAX_FUTURE_SECS {
        return Err(Refusal::Unauthorized("timestamp in the future"));
    }
    endpoint
        .key
        .0
        .verify(signature, timestamp, body)
        .map_err(|()| Refusal::Unauthorized("bad signature"))?;

    // Only a request Discord signed is parsed.
    let interaction = match serde_json::from_slice::<Interaction>(body) {
        Ok(interaction) => interaction,
        Err(error) => return answer_unparsed(body, &error.to_string()),
    };
    if matches!(interaction, Interaction::Ping(_)) {
        return Ok(br#"{"type":1}"#.to_vec());
    }
    let library = endpoint.library.load();
    let reply = dispatch::reply_to(&library, &interaction)
        .ok_or(Refusal::BadRequest("unexpected interaction"))?;
    debug!(id = %interaction.id(), "answered");
    serde_json::to_vec(&reply.to_response())
        .map_err(|_| Refusal::BadRequest("unserialisable reply"))
}

/// A signed body serenity cannot parse. Valid JSON that looks like an interaction briefbot
/// answers (a command, a button, autocomplete) gets the apology, so the user is not left
/// waiting when Discord adds a field; anything else is a 400.
fn answer_unparsed(body: &[u8], error: &str) -> Result<Vec<u8>, Refusal> {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(body) else {
        warn!(%error, "a signed request that is not JSON");
        return Err(Refusal::BadRequest("the body is not JSON"));
    };
    let kind = raw["type"].as_u64();
    let looks_like_interaction = raw["id"].is_string() && raw["token"].is_string();
    warn!(id = raw["id"].as_str().unwrap_or("-"), ?kind, %error, "a signed interaction serenity could not parse");
    match kind {
        Some(2..=4) if looks_like_interaction => {
            let apology = dispatch::fallback(kind == Some(4)).to_response();
            serde_json::to_vec(&apology).map_err(|_| Refusal::BadRequest("unserialisable reply"))
        }
        _ => Err(Refusal::BadRequest("not an interaction briefbot handles")),
    }
}
