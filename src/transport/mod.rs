//! The transports: thin adapters that turn what Discord sends into one `Interaction` and
//! send back what the one `Handler` answers. The gateway (`briefbot run`) and the HTTP
//! interactions endpoint (`briefbot serve`), plus command registration. Depends on `live`,
//! `commands`, `reply`, `library`, `rest` and `config`; nothing depends on it but the binary.

pub mod gateway;
pub(crate) mod handler;
pub mod health;
pub mod http;
pub mod interaction;
pub mod registration;
pub(crate) mod scrape;
mod served;
pub mod setup;
pub mod wire;

pub use handler::Handler;
pub use interaction::{Interaction, Kind};

use tokio_util::sync::CancellationToken;
use tracing::error;

/// A token cancelled on SIGINT (Ctrl-C) or SIGTERM (systemd, containers): the one stop
/// signal of `run` and `serve`. Listening starts now, so a stop during start-up is not lost.
/// Must be called inside a tokio runtime.
pub(crate) fn stop_on_signals() -> CancellationToken {
    let stop = CancellationToken::new();
    let cancel = stop.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        cancel.cancel();
    });
    stop
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(error) => {
                    error!(%error, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
