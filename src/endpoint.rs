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
use ed25519_dalek::VerifyingKey;
use tracing::warn;

use crate::commands::Command;
use crate::commands::request::Incoming;
use crate::commands::{self, Request};
use crate::dispatch;
use crate::library::Library;
use crate::reload::{self, Reloader};
use crate::signatures::SignatureChecker;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

/// Bodies larger than this are refused (413) before anything else is read.
pub const MAX_BODY: usize = 64 * 1024;
/// A request signed longer ago than this is a replay (or a very late delivery): refused.
pub const MAX_AGE_SECS: i64 = 5 * 60;
/// A request from further in the future than this means a wrong clock somewhere: refused.
pub const MAX_FUTURE_SECS: i64 = 60;

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
        let hex = hex.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PublicKeyError::NotHex { from });
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| PublicKeyError::NotHex { from })?;
        }
        VerifyingKey::from_bytes(&bytes)
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
    pub signatures: SignatureChecker,
    /// Holds the snapshot served now, and reloads it for `/reload`.
    pub reloader: Arc<Reloader>,
    pub cache: ReplyCache,
}

impl Endpoint {
    /// Starts the signature-checking thread too.
    pub fn new(key: PublicKey, reloader: Arc<Reloader>) -> Endpoint {
        Endpoint {
            signatures: SignatureChecker::start(key.0),
            reloader,
            cache: ReplyCache::default(),
        }
    }
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
    let rounds = endpoint.reloader.library().load().rounds().count();
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
    match answer(&endpoint, &headers, &body, unix_now()).await {
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
async fn answer(
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Bytes, Refusal> {
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
    if !endpoint.signatures.verify(signature, timestamp, body).await {
        return Err(Refusal::Unauthorized("bad signature"));
    }

    // Only a request Discord signed is parsed, and only the fields a request needs.
    let incoming = match Incoming::from_json(body) {
        Ok(incoming) => incoming,
        Err(error) => return answer_unparsed(body, &error.to_string()),
    };
    let request = match incoming {
        Incoming::Ping => return Ok(Bytes::from_static(br#"{"type":1}"#)),
        Incoming::Request(request) => request,
        Incoming::Bad {
            autocomplete,
            error,
        } => {
            warn!(%error, "a request briefbot does not understand; are the registered commands out of date?");
            let reply = if autocomplete {
                commands::no_choices()
            } else {
                commands::bad_request(&error)
            };
            return serialise(&reply);
        }
        Incoming::Unsupported => return serialise(&commands::unsupported()),
    };
    // `/reload` is an action, not a view of the snapshot: never cached.
    if let Request::Command(Command::Reload { may_manage }) = request {
        return serialise(&reload::answer(&endpoint.reloader, may_manage).await);
    }
    let library = endpoint.reloader.current();
    if let Some(cached) = endpoint.cache.get(&library, &request) {
        return Ok(cached);
    }
    let autocomplete = matches!(request, Request::Autocomplete { .. });
    // A bug in the core is answered with the apology, never a dropped connection.
    let reply = catch_unwind(AssertUnwindSafe(|| commands::respond(&library, &request)))
        .unwrap_or_else(|_| {
            tracing::error!("the command core panicked; answered with an apology");
            dispatch::fallback(autocomplete)
        });
    let json = serialise(&reply)?;
    endpoint.cache.put(&library, request, json.clone());
    Ok(json)
}

fn serialise(reply: &crate::reply::Reply) -> Result<Bytes, Refusal> {
    serde_json::to_vec(&reply.to_response())
        .map(Bytes::from)
        .map_err(|_| Refusal::BadRequest("unserialisable reply"))
}

/// Replies already rendered from the current snapshot. The core is a pure function of the
/// snapshot and the request, so the same request gets the same bytes until a reload swaps
/// the snapshot, which empties the cache. Bounded: it is emptied when full.
#[derive(Default)]
pub struct ReplyCache {
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    /// The snapshot the replies were rendered from, kept alive so its address is not reused.
    snapshot: Option<Arc<Library>>,
    replies: HashMap<Request, Bytes>,
}

const CACHE_ENTRIES: usize = 4096;

impl ReplyCache {
    fn get(&self, library: &Arc<Library>, request: &Request) -> Option<Bytes> {
        let inner = self.inner.lock().ok()?;
        let current = inner
            .snapshot
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, library));
        if current {
            inner.replies.get(request).cloned()
        } else {
            None
        }
    }

    fn put(&self, library: &Arc<Library>, request: Request, reply: Bytes) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if !inner
            .snapshot
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, library))
            || inner.replies.len() >= CACHE_ENTRIES
        {
            inner.replies.clear();
            inner.snapshot = Some(library.clone());
        }
        inner.replies.insert(request, reply);
    }
}

/// A signed body that is not an interaction briefbot can read. Valid JSON that looks like an interaction briefbot
/// answers (a command, a button, autocomplete) gets the apology, so the user is not left
/// waiting when Discord adds a field; anything else is a 400.
fn answer_unparsed(body: &[u8], error: &str) -> Result<Bytes, Refusal> {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(body) else {
        warn!(%error, "a signed request that is not JSON");
        return Err(Refusal::BadRequest("the body is not JSON"));
    };
    let kind = raw["type"].as_u64();
    let looks_like_interaction = raw["id"].is_string() && raw["token"].is_string();
    warn!(id = raw["id"].as_str().unwrap_or("-"), ?kind, %error, "a signed request that is not a readable interaction");
    match kind {
        Some(2..=4) if looks_like_interaction => serialise(&dispatch::fallback(kind == Some(4))),
        _ => Err(Refusal::BadRequest("not an interaction briefbot handles")),
    }
}
