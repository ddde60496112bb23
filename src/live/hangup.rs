//! SIGHUP reloads the briefs folder (`systemctl reload briefbot`).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::error;

use super::reloader::{Reloader, Trigger};

/// SIGHUP, listened for from the moment this is made: made first thing at start, so a
/// `systemctl reload` that arrives while briefbot is still starting does not end it (SIGHUP's
/// default action). Must be made inside a tokio runtime.
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    pub fn listen() -> Hangups {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::hangup()) {
                Ok(signal) => Hangups {
                    signal: Some(signal),
                },
                Err(error) => {
                    error!(%error, "cannot listen for SIGHUP; reloads come from the watcher and /reload only");
                    Hangups { signal: None }
                }
            }
        }
        #[cfg(not(unix))]
        {
            Hangups {}
        }
    }

    /// Reloads on every SIGHUP, until `stop` is cancelled.
    pub async fn reload_on_each(self, reloader: Arc<Reloader>, stop: CancellationToken) {
        #[cfg(unix)]
        if let Some(mut signal) = self.signal {
            while let Some(Some(())) = stop.run_until_cancelled(signal.recv()).await {
                reloader.reload(Trigger::Signal).await;
            }
        }
        #[cfg(not(unix))]
        let _ = (reloader, stop);
    }
}
