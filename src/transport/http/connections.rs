//! The connections of `briefbot serve`: accepting them up to a cap, the deadlines that drop
//! a client too slow to send its request (or idle too long between requests), and the
//! graceful stop that lets requests in flight finish.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::serve::Listener;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower_http::timeout::TimeoutLayer;

use super::{Endpoint, router};

/// A request head (request line and headers) larger than this is refused (431) and the
/// connection closed. Discord's heads, with a proxy's forwarding headers, are well under 2 KiB;
/// without a bound hyper would buffer about 400 KiB of headers for each held connection.
pub const MAX_HEAD: usize = 16 * 1024;

/// While every slot stays taken, the warning that says so is repeated at most this often.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(60);

/// How `serve` bounds what each client may hold, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeSettings {
    /// How long a connection may take to deliver a complete request head, counted from
    /// when it is accepted and again from the end of each response. hyper starts this timer
    /// as soon as a connection waits for a request head, which on a keep-alive connection is
    /// right after the previous response: so this is also how long an idle keep-alive
    /// connection is kept before it is closed.
    pub header_timeout: Duration,
    /// How long a request may take from its complete head to its answer: the body must
    /// arrive within it, or the client gets 408 and the connection is closed. It covers the
    /// answer too, which takes milliseconds; Discord gives up on an answer after 3 seconds.
    pub request_timeout: Duration,
    /// At most this many connections are open at once; more wait in the listen backlog.
    /// `[serve] max_connections`.
    pub max_connections: usize,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            header_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
            max_connections: crate::config::ServeConfig::default().max_connections.get(),
        }
    }
}

/// Serves `endpoint` on `listener` until `stop` is cancelled; then accepts no more, closes
/// idle connections, lets the requests in flight finish, and returns.
pub async fn serve_on(
    mut listener: TcpListener,
    endpoint: Arc<Endpoint>,
    settings: ServeSettings,
    stop: CancellationToken,
) {
    // A request whose body does not arrive in time gets 408 from here, and hyper then closes
    // the connection rather than read the rest of a body nobody waits for.
    let routes = router(endpoint).layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        settings.request_timeout,
    ));
    let service = TowerToHyperService::new(routes);
    // HTTP/1 only: it is what reverse proxies speak to their upstream, and hyper's HTTP/2
    // server has no timeout for a request's head, so h2c would be a way around the bounds.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .max_header_size(MAX_HEAD);
    let slots = Arc::new(Semaphore::new(
        settings.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let graceful = GracefulShutdown::new();
    let mut warned_full: Option<Instant> = None;

    loop {
        // A slot is taken before accepting, so beyond the cap connections wait in the
        // kernel's listen backlog: that costs briefbot nothing, and each slot frees within
        // the deadlines above, so a waiting client (Discord behind the proxy, say) is served
        // in turn. Accepting and closing at once would cost an accept and a close for every
        // attempt, and would refuse a genuine client just as readily as a slow one.
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                // Operators should know that clients are kept waiting, but a flood must not
                // flood the logs too.
                if warned_full.is_none_or(|at| at.elapsed() >= FULL_WARNING_EVERY) {
                    warned_full = Some(Instant::now());
                    tracing::warn!(
                        max_connections = settings.max_connections,
                        "every connection slot is taken; new connections wait to be accepted"
                    );
                }
                tokio::select! {
                    () = stop.cancelled() => break,
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        // The semaphore is never closed; were it, nothing more could be
                        // accepted.
                        Err(_) => break,
                    },
                }
            }
        };
        // axum's accept retries at once after a connection's own error and, after any other
        // (out of file descriptors, say), logs it and waits a second.
        let (stream, _peer) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = Listener::accept(&mut listener) => accepted,
        };
        let connection =
            graceful.watch(http.serve_connection(TokioIo::new(stream), service.clone()));
        tokio::spawn(async move {
            // A timed-out, reset or malformed connection is the client's affair; at any
            // other level an attack would flood the logs.
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
            drop(slot);
        });
    }
    // New connections are refused from here on instead of waiting in the backlog.
    drop(listener);
    graceful.shutdown().await;
}
