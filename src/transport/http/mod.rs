//! `briefbot serve`: Discord's interactions delivered as signed HTTP POSTs. Stateless, so any
//! number of instances can run behind a load balancer. Checks run cheapest-first and nothing
//! is parsed before the signature is verified: size bound (413), headers and timestamp
//! freshness (401, so a replayed request is refused), Ed25519 signature (401), then JSON (400).
//! How many connections are held, for how long a slow client may hold one, and which one is
//! closed to make room for a newcomer when all are taken, is `connections`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ed25519_dalek::VerifyingKey;
use tracing::{Instrument, warn};

use tokio_util::sync::CancellationToken;

use super::handler::Handler;
use super::health::Health;
use super::served::served;
use super::wire::{self, NotAnInteraction};
use refusals::{Reason, Refusals};
use signatures::SignatureChecker;

mod connections;
mod refusals;
mod signatures;

pub use connections::{MAX_HEAD, ServeSettings, serve_on};

/// Bodies larger than this are refused (413) before anything else is read.
pub(crate) const MAX_BODY: usize = 64 * 1024;
/// A request signed longer ago than this is a replay (or a very late delivery): refused.
pub(crate) const MAX_AGE_SECS: i64 = 5 * 60;
/// A request from further in the future than this means a wrong clock somewhere: refused.
pub(crate) const MAX_FUTURE_SECS: i64 = 60;

/// The application's public key, from the developer portal (General Information).
#[derive(Clone)]
pub struct PublicKey(VerifyingKey);

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
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex.trim(), &mut bytes)
            .map_err(|_| PublicKeyError::NotHex { from })?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| PublicKeyError::Invalid { from })
    }

    /// `DISCORD_PUBLIC_KEY` if set, else the configured key.
    pub(crate) fn from_env_or(configured: Option<&str>) -> Result<PublicKey, PublicKeyError> {
        match std::env::var("DISCORD_PUBLIC_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
        {
            Some(key) => PublicKey::parse(&key, "DISCORD_PUBLIC_KEY"),
            None => PublicKey::parse(configured.ok_or(PublicKeyError::Missing)?, "config.toml"),
        }
    }
}

/// What every request shares: the signature checker, the one interaction handler, and what
/// `/healthz` looks at.
pub struct Endpoint {
    signatures: SignatureChecker,
    handler: Arc<Handler>,
    health: Health,
    /// Requests refused before they were read, summarised once a minute.
    refusals: Refusals,
}

impl Endpoint {
    /// Starts the signature-checking thread too.
    pub fn new(key: PublicKey, handler: Arc<Handler>) -> Endpoint {
        let health = Health::new(handler.reloader().clone());
        let refusals = Refusals::new(handler.reloader().metrics().clone());
        Endpoint {
            signatures: SignatureChecker::start(key.0),
            handler,
            health,
            refusals,
        }
    }

    /// `/healthz` answers from `health` (which says whether this instance announces).
    pub(crate) fn with_health(mut self, health: Health) -> Endpoint {
        self.health = health;
        self
    }
}

/// The HTTP routes: `POST /interactions` and `GET /healthz`.
pub(crate) fn router(endpoint: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/interactions", post(interactions))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(endpoint)
}

/// How long a stop waits for deferred answers still to be edited (a slow role change).
const FINISH_EDITS: std::time::Duration = std::time::Duration::from_secs(3);

/// Serves on `listen` within `settings` until `stop` is cancelled, then finishes the requests
/// in flight and the deferred answers still to be edited.
pub(crate) async fn serve(
    listen: SocketAddr,
    endpoint: Arc<Endpoint>,
    settings: ServeSettings,
    stop: CancellationToken,
) -> std::io::Result<()> {
    let listener = listen_on(listen)?;
    tracing::info!(
        address = %listener.local_addr()?,
        max_connections = settings.max_connections,
        "serving interactions on POST /interactions"
    );
    let handler = endpoint.handler.clone();
    serve_on(listener, endpoint, settings, stop).await;
    handler.finish(FINISH_EDITS).await;
    Ok(())
}

/// Connections a burst may queue before briefbot accepts them. tokio's default of 128 lets a
/// flood of slow clients overflow it, and the kernel then drops new connections, genuine ones
/// included, until they retry a second later; the kernel caps this at `net.core.somaxconn`.
const BACKLOG: u32 = 4096;

/// A listener on `listen` with a backlog of `BACKLOG`; the address may be reused at once after
/// a restart, as `TcpListener::bind` allows on Unix.
fn listen_on(listen: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match listen {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(listen)?;
    socket.listen(BACKLOG)
}

async fn healthz(State(endpoint): State<Arc<Endpoint>>) -> Response {
    (StatusCode::OK, endpoint.health.answer()).into_response()
}

/// Why a request was refused, as the status Discord (or an attacker) gets: unauthorized
/// requests are counted by `reason`, not logged one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Unauthorized(Reason, &'static str),
    BadRequest(&'static str),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized(_, why) => (StatusCode::UNAUTHORIZED, why).into_response(),
            Refusal::BadRequest(why) => (StatusCode::BAD_REQUEST, why).into_response(),
        }
    }
}

async fn interactions(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                endpoint.refusals.refused(Reason::Oversized);
            }
            return rejection.into_response();
        }
    };
    match answer(&endpoint, &headers, &body, unix_now(), Instant::now()).await {
        Ok(json) => {
            endpoint.refusals.answered();
            ([(header::CONTENT_TYPE, "application/json")], json).into_response()
        }
        Err(refusal) => {
            if let Refusal::Unauthorized(reason, _) = refusal {
                endpoint.refusals.refused(reason);
            }
            refusal.into_response()
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The response body for one verified request, or why it is refused. `now` is the current
/// Unix time in seconds; the request arrived at `started`.
async fn answer(
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
    started: Instant,
) -> Result<Bytes, Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header("x-signature-ed25519").ok_or(Refusal::Unauthorized(
        Reason::Unsigned,
        "missing X-Signature-Ed25519",
    ))?;
    let timestamp = header("x-signature-timestamp").ok_or(Refusal::Unauthorized(
        Reason::Unsigned,
        "missing X-Signature-Timestamp",
    ))?;
    let signed_at: i64 = timestamp
        .parse()
        .map_err(|_| Refusal::Unauthorized(Reason::Unsigned, "malformed X-Signature-Timestamp"))?;
    // Freshness first: it is cheap, and a replay is refused without spending a verification.
    if signed_at < now - MAX_AGE_SECS {
        return Err(Refusal::Unauthorized(
            Reason::StaleTimestamp,
            "stale timestamp",
        ));
    }
    if signed_at > now + MAX_FUTURE_SECS {
        return Err(Refusal::Unauthorized(
            Reason::StaleTimestamp,
            "timestamp in the future",
        ));
    }
    if !endpoint.signatures.verify(signature, timestamp, body).await {
        return Err(Refusal::Unauthorized(Reason::BadSignature, "bad signature"));
    }

    // Only a request Discord signed is parsed, and only the fields a request needs.
    match wire::read(body) {
        Ok(interaction) => {
            let handler = &endpoint.handler;
            let answered = async {
                let (json, outcome) = handler.answer(&interaction).await;
                let metrics = handler.reloader().metrics();
                served(metrics, &interaction, outcome, started.elapsed());
                json
            };
            Ok(answered.instrument(interaction.span()).await)
        }
        Err(refused) => {
            warn!(error = %refused, "a signed request that is not an interaction briefbot can read");
            Err(Refusal::BadRequest(match refused {
                NotAnInteraction::NotJson(_) => "the body is not JSON",
                NotAnInteraction::Other(_) => "not an interaction briefbot handles",
            }))
        }
    }
}
