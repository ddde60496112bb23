//! The editors' channel: each distinct failed reload posted once, "fixed" once the briefs
//! load again, and new rounds held back because too many came at once.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serenity::all::ChannelId;
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

use super::shared::Shared;
use crate::commands::notices;
use crate::live::reloader::Status;
use crate::reply::Message;

/// Posts each distinct failed reload to the errors channel, and "fixed" once the briefs load
/// again.
pub(super) async fn errors_worker(
    shared: Arc<Shared>,
    channel: u64,
    mut status: watch::Receiver<Status>,
) {
    let mut failures = 0;
    loop {
        let current = status.borrow_and_update().clone();
        let reported = shared.state(|s| s.reported_failure.clone());
        let post = match (&current.failure, &reported) {
            (Some(failure), reported) if reported.as_deref() != Some(&failure.fingerprint) => {
                Some((
                    notices::failure_report(failure, &current.serving),
                    Some(failure.fingerprint.clone()),
                ))
            }
            (None, Some(_)) => Some((notices::recovered(&current.serving), None)),
            _ => None,
        };
        let Some((message, now_reported)) = post else {
            shared
                .errors_handled
                .store(current.generation, Ordering::SeqCst);
            if !shared.next_status(&mut status).await {
                return;
            }
            continue;
        };
        match ChannelId::new(channel)
            .send_message(&shared.http, message.fit().to_create_message())
            .await
        {
            Ok(_) => {
                failures = 0;
                info!(channel, failure = ?now_reported, "reload status posted to the errors channel");
                let recorded = shared
                    .update(|s| s.reported_failure = now_reported.clone())
                    .await;
                if let Err(error) = recorded {
                    // Remembered in memory at least, so it is not posted again before a restart.
                    error!(%error, "cannot record the posted reload status");
                    shared.store().state.reported_failure = now_reported;
                }
            }
            Err(error) => {
                failures += 1;
                let wait = shared.backoff.after(failures);
                warn!(channel, %error, retry_in_ms = wait.as_millis() as u64, "could not post to the errors channel; will retry");
                // The whole wait, whatever reloads happen meanwhile; then the latest outcome.
                if !shared.pause(wait, None).await {
                    return;
                }
            }
        }
    }
}

/// Posts each note (new rounds held back) to the errors channel, in order, retrying a failed
/// post with backoff. Notes live in memory: one not yet posted when briefbot stops is lost,
/// and the warning logged with it stays.
pub(super) async fn notes_worker(
    shared: Arc<Shared>,
    channel: u64,
    mut notes: mpsc::UnboundedReceiver<Message>,
) {
    loop {
        let note = tokio::select! {
            note = notes.recv() => match note {
                Some(note) => note,
                None => return,
            },
            _ = shared.stopped() => return,
        };
        let mut failures = 0;
        loop {
            match ChannelId::new(channel)
                .send_message(&shared.http, note.fit().to_create_message())
                .await
            {
                Ok(_) => {
                    info!(channel, "held-back rounds told to the errors channel");
                    break;
                }
                Err(error) => {
                    failures += 1;
                    let wait = shared.backoff.after(failures);
                    warn!(channel, %error, retry_in_ms = wait.as_millis() as u64, "could not post to the errors channel; will retry");
                    if !shared.pause(wait, None).await {
                        return;
                    }
                }
            }
        }
    }
}
