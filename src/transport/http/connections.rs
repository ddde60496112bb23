//! The connections of `briefbot serve`: accepting them up to a cap, the deadlines that drop
//! a client too slow to send its request (or idle too long between requests), making room at
//! the cap by closing the connection that has waited longest for a request, and the graceful
//! stop that lets requests in flight finish.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, Response, StatusCode};
use axum::serve::Listener;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tower_http::timeout::TimeoutLayer;

use super::{Endpoint, router};

/// A request head (request line and headers) larger than this is refused (431) and the
/// connection closed. Discord's heads, with a proxy's forwarding headers, are well under 2 KiB;
/// without a bound hyper would buffer about 400 KiB of headers for each held connection.
pub const MAX_HEAD: usize = 16 * 1024;

/// While every slot stays taken, each warning that says so is repeated at most this often.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(60);

/// Whether a warning last given at `last` may be given again now; if so, now is noted.
fn warning_due(last: &mut Option<Instant>) -> bool {
    let due = last.is_none_or(|at| at.elapsed() >= FULL_WARNING_EVERY);
    if due {
        *last = Some(Instant::now());
    }
    due
}

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
    /// At most this many connections are open at once. A connection that arrives when all
    /// are taken gets the slot of the one that has waited longest for a request, which is
    /// closed; if every one is answering a request, it waits for the first to finish.
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
    // Refused requests are summarised once a minute while it serves, and once more at the
    // stop.
    let summaries = {
        let (endpoint, stop) = (endpoint.clone(), stop.clone());
        tokio::spawn(async move { endpoint.refusals.summarise_every_minute(stop).await })
    };
    // A request whose body does not arrive in time gets 408 from here, and hyper then closes
    // the connection rather than read the rest of a body nobody waits for.
    let routes = TowerToHyperService::new(router(endpoint).layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        settings.request_timeout,
    )));
    // HTTP/1 only: it is what reverse proxies speak to their upstream, and hyper's HTTP/2
    // server has no timeout for a request's head, so h2c would be a way around the bounds.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .max_header_size(MAX_HEAD);
    let slots = Arc::new(Semaphore::new(
        settings.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let waiting = Arc::new(Waiting::default());
    let mut full = FullWarnings::new(settings.max_connections);
    let graceful = GracefulShutdown::new();

    loop {
        // axum's accept retries at once after a connection's own error and, after any other
        // (out of file descriptors, say), logs it and waits a second.
        let (stream, _peer) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = Listener::accept(&mut listener) => accepted,
        };
        // The slot is found after accepting, so that a connection is closed to make room
        // only when a newcomer needs it. While the newcomer waits for one (it is the only
        // connection open beyond the cap), the next ones wait in the kernel's listen
        // backlog, which costs briefbot nothing.
        let Some(slot) = slot_for_newcomer(&slots, &waiting, &mut full, &stop).await else {
            break;
        };
        // The connection joins the queue of waiting connections here, before the next one
        // is accepted, so that the next choice of whom to close already counts it.
        let tracked = Tracked::new(waiting.clone());
        let shed = tracked.shed.clone();
        let service = Tracking {
            routes: routes.clone(),
            connection: tracked,
        };
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            tokio::select! {
                closed = connection => {
                    // A timed-out, reset or malformed connection is the client's affair; at
                    // any other level an attack would flood the logs.
                    if let Err(error) = closed {
                        tracing::debug!(%error, "connection closed");
                    }
                }
                // Dropping the connection closes its socket: the client sees the connection
                // end without an answer, as at the header timeout.
                () = shed.cancelled() => tracing::debug!("connection closed to make room"),
            }
            // The connection, its service and with them its place in the queue are gone by
            // now, so the slot is free for whoever waits for it.
            drop(slot);
        });
    }
    // New connections are refused from here on instead of waiting in the backlog.
    drop(listener);
    graceful.shutdown().await;
    let _ = summaries.await;
}

/// A slot for a connection just accepted: a free one; else, when every slot is taken, the
/// slot of the connection that has waited longest for a request, which is closed for it;
/// else (every open connection is answering a request) the first slot to free, or the first
/// connection to finish its request, closed as it starts to wait for the next. `None` once
/// `stop` is cancelled.
///
/// Closing the oldest waiting connection is what keeps a flood of slow or idle clients from
/// keeping a genuine one out: a genuine client sends its whole request within milliseconds
/// of connecting (Discord, or the proxy forwarding for it, has it ready), so the connection
/// that has waited longest is the likeliest to be abusive or dead. A connection whose request is being
/// answered is never closed, so no answer is cut off.
async fn slot_for_newcomer(
    slots: &Arc<Semaphore>,
    waiting: &Waiting,
    full: &mut FullWarnings,
    stop: &CancellationToken,
) -> Option<OwnedSemaphorePermit> {
    loop {
        if let Ok(slot) = slots.clone().try_acquire_owned() {
            return Some(slot);
        }
        if waiting.shed_oldest() {
            full.shed_one();
            // Its task gives the slot back as soon as it has dropped the connection.
            return tokio::select! {
                () = stop.cancelled() => None,
                // The semaphore is never closed; were it, nothing more could be accepted.
                slot = slots.clone().acquire_owned() => slot.ok(),
            };
        }
        full.all_answering();
        tokio::select! {
            () = stop.cancelled() => return None,
            slot = slots.clone().acquire_owned() => return slot.ok(),
            // A connection has finished a request and waits for the next: look again.
            () = waiting.joined.notified() => {}
        }
    }
}

/// Operators should know that slots run out and what is done about it, but a flood must not
/// flood the logs too: each warning is logged at most once a minute.
struct FullWarnings {
    max_connections: usize,
    shed_warned: Option<Instant>,
    /// Connections closed to make room since the last warning that said how many. (The
    /// last ones of a flood are told by the next warning, not at once: a timer only for them
    /// is not worth its keep.)
    shed_unreported: u64,
    answering_warned: Option<Instant>,
}

impl FullWarnings {
    fn new(max_connections: usize) -> FullWarnings {
        FullWarnings {
            max_connections,
            shed_warned: None,
            shed_unreported: 0,
            answering_warned: None,
        }
    }

    /// A connection waiting for a request was closed to make room for a new one.
    fn shed_one(&mut self) {
        self.shed_unreported += 1;
        if warning_due(&mut self.shed_warned) {
            tracing::warn!(
                max_connections = self.max_connections,
                closed = self.shed_unreported,
                "every connection slot was taken; to make room for new ones, closed this many connections that had waited longest for a request, since the last such warning"
            );
            self.shed_unreported = 0;
        }
    }

    /// A new connection waits because every open one is answering a request.
    fn all_answering(&mut self) {
        if warning_due(&mut self.answering_warned) {
            tracing::warn!(
                max_connections = self.max_connections,
                "every connection slot is taken by a request being answered; new connections wait to be accepted"
            );
        }
    }
}

/// The open connections that are waiting for a request (new ones, and keep-alive ones
/// between requests), in the order they began to wait, so that the one that has waited
/// longest can be closed when a newcomer needs its slot. A connection leaves the queue while
/// one of its requests is answered and joins it again at the back once the answer is sent.
#[derive(Default)]
struct Waiting {
    queue: Mutex<Queue>,
    /// Told whenever a connection joins the queue, so that a newcomer held back because
    /// every open connection was answering a request can take the first to finish.
    joined: Notify,
}

#[derive(Default)]
struct Queue {
    /// The next place: places only grow, so the first entry of `by_place` is always the
    /// connection that has waited longest.
    next: u64,
    /// Each waiting connection's token, which closes it when cancelled.
    by_place: BTreeMap<u64, CancellationToken>,
}

impl Waiting {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Nothing panics while holding the lock, so a poisoned queue is still consistent.
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts `shed` at the back of the queue; returns its place.
    fn join(&self, shed: &CancellationToken) -> u64 {
        let place = {
            let mut queue = self.lock();
            let place = queue.next;
            queue.next += 1;
            queue.by_place.insert(place, shed.clone());
            place
        };
        self.joined.notify_one();
        place
    }

    /// Takes `place` out of the queue, if it is still there (it is not once shed).
    fn leave(&self, place: u64) {
        self.lock().by_place.remove(&place);
    }

    /// Closes the connection that has waited longest; false if none is waiting.
    fn shed_oldest(&self) -> bool {
        // Chosen and taken out under the lock that a connection starting a request takes to
        // leave the queue, so one that has left is never chosen; one whose request head
        // arrives just after it was chosen is closed all the same.
        let oldest = self.lock().by_place.pop_first();
        oldest.map(|(_, shed)| shed.cancel()).is_some()
    }
}

/// One open connection as the queue knows it. Dropped with the connection (its service holds
/// it), which takes it out of the queue.
struct Tracked {
    waiting: Arc<Waiting>,
    /// Cancelled to close the connection.
    shed: CancellationToken,
    state: Mutex<State>,
}

/// Whether a connection is answering requests or waiting in the queue.
struct State {
    /// Requests being answered. hyper's HTTP/1 server answers one at a time, but counting
    /// makes that no assumption of this code.
    requests: usize,
    /// Its place in the queue while no request is being answered.
    place: Option<u64>,
}

impl Tracked {
    /// A connection just accepted: it waits for its first request.
    fn new(waiting: Arc<Waiting>) -> Arc<Tracked> {
        let shed = CancellationToken::new();
        let place = waiting.join(&shed);
        Arc::new(Tracked {
            waiting,
            shed,
            state: Mutex::new(State {
                requests: 0,
                place: Some(place),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // As for the queue: nothing panics while holding it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A request's head has arrived: the connection leaves the queue until the request is
    /// answered, which is when the returned guard is dropped.
    fn request(self: &Arc<Tracked>) -> InRequest {
        let mut state = self.lock();
        state.requests += 1;
        if let Some(place) = state.place.take() {
            self.waiting.leave(place);
        }
        InRequest(self.clone())
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let place = self.lock().place.take();
        if let Some(place) = place {
            self.waiting.leave(place);
        }
    }
}

/// A request being answered on a connection; dropped when hyper is done with the answer.
struct InRequest(Arc<Tracked>);

impl Drop for InRequest {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.requests -= 1;
        if state.requests == 0 && !self.0.shed.is_cancelled() {
            state.place = Some(self.0.waiting.join(&self.0.shed));
        }
    }
}

/// The routes for one connection, telling its `Tracked` when each request starts and when
/// its answer has been sent.
#[derive(Clone)]
struct Tracking {
    routes: TowerToHyperService<Router>,
    connection: Arc<Tracked>,
}

impl Service<Request<Incoming>> for Tracking {
    type Response = Response<AnswerBody>;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<AnswerBody>, Self::Error>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        // hyper calls this once the head is complete, and the body may still be arriving:
        // the request is in progress from here.
        let in_request = self.connection.request();
        let answer = self.routes.call(request);
        Box::pin(async move {
            let response = answer.await?;
            Ok(response.map(|body| AnswerBody {
                body,
                _in_request: in_request,
            }))
        })
    }
}

/// A response's body, which keeps its request in progress until hyper drops it: once it has
/// written all of it, or when the connection ends. (The last bytes may still be in hyper's
/// buffer then, unsent only if the client does not read its answer.)
struct AnswerBody {
    body: Body,
    _in_request: InRequest,
}

impl HttpBody for AnswerBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
