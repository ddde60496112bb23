//! The metrics listener (`[metrics] listen`), for `run` and `serve` alike: `GET /metrics`, the
//! process's metrics as Prometheus scrapes them, and `GET /healthz`, the same answer as
//! `serve`'s endpoint gives. A listener of its own, so the metrics stay off the endpoint that
//! Discord (and anyone else) reaches, and so that `run`, which has no HTTP endpoint, has them.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::health::Health;

/// A listener on `listen`, made before anything else starts so that a taken port stops the
/// start.
pub(crate) async fn bind(listen: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(listen).await
}

/// Serves `/metrics` and `/healthz` from `health` on `listener`, in the background, until
/// `stop` is cancelled.
pub(crate) fn spawn(
    listener: TcpListener,
    health: Health,
    stop: CancellationToken,
) -> JoinHandle<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(
            %address,
            "serving metrics on GET /metrics and health on GET /healthz"
        );
    }
    let routes = router(health);
    tokio::spawn(async move {
        let served = axum::serve(listener, routes)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the metrics listener stopped");
        }
    })
}

/// `GET /metrics` and `GET /healthz`.
pub(crate) fn router(health: Health) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(health)
}

async fn healthz(State(health): State<Health>) -> Response {
    (StatusCode::OK, health.answer()).into_response()
}

/// The metrics in OpenMetrics' text format when the scraper asks for it (Prometheus does),
/// else in Prometheus's classic text format (what `curl` gets).
async fn metrics(State(health): State<Health>, headers: HeaderMap) -> Response {
    health.observe();
    let openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| accept.contains("application/openmetrics-text"));
    let (body, content_type) = health.metrics().encode(openmetrics);
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
