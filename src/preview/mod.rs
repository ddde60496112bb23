//! `briefbot preview`: a local web page of every card as Discord renders it, refreshed on
//! every save through the bot's own folder watcher, with the folder's mistakes shown in place
//! of the cards while it does not load; or, with `--out`, the same pages written as a folder
//! of static files (`export`). Uses `live`, `commands`, `reply`, `library` and `cli`;
//! no transport and nothing of Discord's network.

mod access;
pub mod export;
mod markdown;
mod message;
pub mod pages;
pub mod site;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::middleware;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::library::{Folder, Library, LoadOptions};
use crate::live::{self, Reloader, Trigger, WatchError};
use pages::Snapshot;

/// The address the preview listens on unless told otherwise: this machine only.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:4000";

/// The stylesheet and the page's script, compiled in: the page needs nothing from the network.
const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("preview.js");
/// Only this server's own stylesheet and script, and its event stream: were a brief ever to
/// get markup past the escaping, the browser would still run no script of it and fetch
/// nothing from elsewhere. Inline styles stay allowed for the embeds' colour bars and columns.
const POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
                      style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; \
                      base-uri 'none'";

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(
        "{0} is reachable from other machines, and the preview asks no one who they are \
         before showing them the folder's briefs; listen on a loopback address such as \
         {DEFAULT_LISTEN}, or pass --allow-remote to do it anyway"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error("the preview server stopped: {0}")]
    Serve(std::io::Error),
}

/// Refuses an address other machines can reach, unless `allow_remote`.
pub(crate) fn check_listen(addr: SocketAddr, allow_remote: bool) -> Result<(), PreviewError> {
    if addr.ip().is_loopback() || allow_remote {
        Ok(())
    } else {
        Err(PreviewError::NotLoopback(addr))
    }
}

/// The briefs in `dir` behind a reloader. A folder with mistakes still opens: the preview
/// serves an empty library and shows the mistakes until they are fixed.
pub async fn open(dir: &Path, options: LoadOptions) -> Arc<Reloader> {
    let mut folder = Folder::new(dir, options.clone());
    // Once, before anything is served: a reload later reads only what changed.
    match folder.load() {
        Ok(library) => Reloader::with_folder(library, folder),
        Err(_) => {
            let empty =
                Library::from_parts(Vec::new(), Vec::new(), Vec::new(), options.default_track);
            let reloader = Reloader::with_folder(empty, folder);
            // Loaded again through the reloader, so its status carries the mistakes.
            reloader.reload(Trigger::Files).await;
            reloader
        }
    }
}

/// Binds `addr` (the command line's `--listen`).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, PreviewError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| PreviewError::Listen { addr, source })
}

/// Whom the preview answers besides requests for `localhost`, `127.0.0.1`, `[::1]` and the
/// address it is bound to: the rest of what the command line says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    /// `--listen` as given; the address as bound is answered anyway (they differ for port 0).
    pub listen: Option<SocketAddr>,
    /// `--allow-remote`: requests for any host, as another machine or a proxy sends them.
    pub allow_remote: bool,
}

/// Serves the preview on `listener`, for this machine only, and watches the reloader's
/// folder until `stop`; then the open pages' event streams end and the server drains.
pub async fn serve(
    listener: TcpListener,
    reloader: Arc<Reloader>,
    stop: CancellationToken,
) -> Result<(), PreviewError> {
    serve_with(listener, reloader, stop, Access::default()).await
}

/// [`serve`], answering whom `access` says.
pub async fn serve_with(
    listener: TcpListener,
    reloader: Arc<Reloader>,
    stop: CancellationToken,
    access: Access,
) -> Result<(), PreviewError> {
    // A listener whose address cannot be read still answers this machine's loopback names.
    let bound = listener.local_addr().ok();
    let hosts = access::Hosts::new(bound.into_iter().chain(access.listen), access.allow_remote);
    let tasks = TaskTracker::new();
    let watch = live::watch(reloader.clone(), &tasks)?;
    // An embargo lifts in the preview at its moment, as in the bot, without a save.
    tasks.spawn(reloader.clone().publish_on_time(stop.clone()));
    let served = axum::serve(listener, router(reloader, stop.clone(), hosts))
        .with_graceful_shutdown(stop.cancelled_owned())
        .await;
    drop(watch);
    tasks.close();
    tasks.wait().await;
    served.map_err(PreviewError::Serve)
}

#[derive(Clone)]
struct Shared {
    reloader: Arc<Reloader>,
    stop: CancellationToken,
}

/// The preview's routes: `/` (index), `/view?cmd=…` (a command line's reply),
/// `/press?id=…&carried=…` (a button press), the same two under `/held/` with the drafts and
/// embargoed rounds served too, `/events` (server-sent events, one per reload),
/// `/style.css` and `/preview.js`. Each answers only a request for one of `hosts`, and every
/// answer, a refusal or a 404 too, carries the headers that keep other sites out.
fn router(reloader: Arc<Reloader>, stop: CancellationToken, hosts: access::Hosts) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/view", get(view))
        .route("/press", get(press))
        .route("/held/view", get(held_view))
        .route("/held/press", get(held_press))
        .route("/events", get(events))
        .route("/style.css", get(style))
        .route("/preview.js", get(script))
        .with_state(Shared { reloader, stop })
        // The later layer runs first: the headers go on refusals too.
        .layer(middleware::from_fn_with_state(
            Arc::new(hosts),
            access::only_this_machine,
        ))
        .layer(middleware::map_response(access::protect))
}

/// The page of whatever the reloader last saw: the snapshot it serves, or its mistakes.
fn render(reloader: &Reloader, page: impl FnOnce(&Snapshot) -> String) -> Response {
    render_as(reloader, false, page)
}

/// The same, with `held` the snapshot's drafts and embargoed rounds served as well: how
/// they will look once published.
fn render_as(reloader: &Reloader, held: bool, page: impl FnOnce(&Snapshot) -> String) -> Response {
    let status = reloader.subscribe().borrow().clone();
    let with_held = held.then(|| status.serving.with_held_served());
    let snapshot = Snapshot {
        library: with_held.as_ref().unwrap_or(&status.serving),
        failure: status.failure.as_deref(),
        generation: status.generation,
        held,
        site: &site::Live,
    };
    (
        [(header::CONTENT_SECURITY_POLICY, POLICY)],
        Html(page(&snapshot)),
    )
        .into_response()
}

async fn index(State(shared): State<Shared>) -> Response {
    render(&shared.reloader, pages::index)
}

#[derive(Deserialize)]
struct ViewQuery {
    cmd: Option<String>,
}

async fn view(State(shared): State<Shared>, Query(query): Query<ViewQuery>) -> impl IntoResponse {
    let line = query.cmd.unwrap_or_else(|| "/latest".to_string());
    render(&shared.reloader, |s| pages::view(s, &line))
}

#[derive(Deserialize)]
struct PressQuery {
    id: String,
    carried: Option<String>,
}

async fn press(State(shared): State<Shared>, Query(query): Query<PressQuery>) -> Response {
    render(&shared.reloader, |s| {
        pages::press(s, &query.id, query.carried.as_deref())
    })
}

async fn held_view(
    State(shared): State<Shared>,
    Query(query): Query<ViewQuery>,
) -> impl IntoResponse {
    let line = query.cmd.unwrap_or_else(|| "/latest".to_string());
    render_as(&shared.reloader, true, |s| pages::view(s, &line))
}

async fn held_press(State(shared): State<Shared>, Query(query): Query<PressQuery>) -> Response {
    render_as(&shared.reloader, true, |s| {
        pages::press(s, &query.id, query.carried.as_deref())
    })
}

/// One event with the generation now, then one per reload: an open page whose generation
/// differs reloads itself.
async fn events(
    State(shared): State<Shared>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let status = shared.reloader.subscribe();
    let stream = futures_util::stream::unfold((status, true), |(mut status, first)| async move {
        if !first {
            status.changed().await.ok()?;
        }
        let generation = status.borrow_and_update().generation;
        Some((
            Ok(Event::default().data(generation.to_string())),
            (status, false),
        ))
    })
    .take_until(shared.stop.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_listened_on_unless_asked() {
        let loopback: SocketAddr = ([127, 0, 0, 1], 4000).into();
        let everywhere: SocketAddr = ([0, 0, 0, 0], 4000).into();
        assert!(check_listen(loopback, false).is_ok());
        assert!(check_listen("[::1]:4000".parse().expect("an address"), false).is_ok());
        assert!(matches!(
            check_listen(everywhere, false),
            Err(PreviewError::NotLoopback(_))
        ));
        assert!(check_listen(everywhere, true).is_ok());
    }

    #[test]
    fn the_stylesheet_loads_nothing_from_the_network() {
        assert!(!STYLE.contains("url("), "no fonts or images fetched");
        assert!(!STYLE.contains("@import"));
    }
}
