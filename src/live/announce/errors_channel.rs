//! The editors' channel. Each event the editors must hear of (a distinct failed reload, the
//! briefs fixed after a reported failure, new rounds or edits held back because too many came
//! at once) is recorded in the state as a note when it happens, in the same write that
//! records the event, and posted from there once: a post whose answer is lost or cannot be
//! read is looked for in the channel before it is made again, and a note is forgotten only
//! once Discord confirms it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::Value;
use tokio::sync::watch;
use tracing::{error, info, warn};

use super::lookup::find_own;
use super::policy::{AfterPost, after_post};
use super::shared::{DeliveryError, Shared, body_of, shows_text};
use super::state::{Note, State};
use crate::commands::notices;
use crate::library::fingerprint;
use crate::live::clock::unix_ms;
use crate::live::reloader::Status;
use crate::rest::Failure;

/// Records a note for each distinct failed reload, and one "fixed" note once the briefs load
/// again after a failure was noted.
pub(super) async fn errors_worker(shared: Arc<Shared>, mut status: watch::Receiver<Status>) {
    loop {
        let current = status.borrow_and_update().clone();
        let noted = shared
            .backoff
            .until_ok(
                &shared.stop,
                || shared.update(|state| note_reload(state, &current)),
                |error, _, wait| error!(%error, retry_in_ms = wait.as_millis() as u64, "cannot record the reload's note for the errors channel"),
            )
            .await;
        match noted {
            None => return,
            Some(true) => shared.notes_wake.notify_one(),
            Some(false) => {}
        }
        shared
            .errors_handled
            .store(current.generation, Ordering::SeqCst);
        if !shared.next_status(&mut status).await {
            return;
        }
    }
}

/// Records in `state` the note the reload `current` calls for, if any: a failure not noted
/// yet, or "fixed" after a noted failure. True when one was recorded.
fn note_reload(state: &mut State, current: &Status) -> bool {
    let noted = match (&current.failure, state.reported_failure.clone()) {
        (Some(failure), reported) if reported.as_deref() != Some(&failure.fingerprint) => {
            let note = notices::failure_report(failure, &current.serving);
            state.note(format!("failure:{}", failure.fingerprint), body_of(&note));
            Some(failure.fingerprint.clone())
        }
        (None, Some(reported)) => {
            let note = notices::recovered(&current.serving);
            state.note(format!("fixed:{reported}"), body_of(&note));
            None
        }
        _ => return false,
    };
    state.reported_failure = noted;
    true
}

/// Posts the recorded notes to the errors channel, oldest first, each once: a failure is
/// retried with backoff (a reload wakes it early: permissions may have been fixed), a 429 is
/// waited out, and a note Discord refuses as malformed is dropped.
pub(super) async fn notes_worker(shared: Arc<Shared>, channel: u64) {
    let mut failures = shared.backoff.counter();
    loop {
        if shared.stop.is_cancelled() {
            return;
        }
        let Some(note) = shared.state(|s| s.notes.first().cloned()) else {
            tokio::select! {
                _ = shared.notes_wake.notified() => continue,
                _ = shared.stopped() => return,
            }
        };
        let failure = match post_note(&shared, channel, &note).await {
            Ok(()) => {
                failures.succeeded();
                continue;
            }
            Err(DeliveryError::State(error)) => {
                let wait = failures.failed();
                error!(%error, retry_in_ms = wait.as_millis() as u64, "cannot record the note for the errors channel");
                if !shared.pause(wait, None).await {
                    return;
                }
                continue;
            }
            Err(DeliveryError::Discord(failure)) => failure,
        };
        let verdict = after_post(&failure);
        if let AfterPost::WaitThenRetry(retry_after) = verdict {
            if !shared.pause(retry_after, None).await {
                return;
            }
            continue;
        }
        if verdict == AfterPost::Drop {
            error!(channel, note = %note.key, %failure, "the note for the errors channel is dropped, not retried");
            if let Err(error) = shared.update(|state| state.noted(&note.key)).await {
                error!(%error, "cannot record the dropped note");
            }
            continue;
        }
        let wait = failures.failed();
        warn!(channel, note = %note.key, %failure, attempt = failures.failures(), retry_in_ms = wait.as_millis() as u64, "could not post to the errors channel; will retry");
        if !shared.pause(wait, Some(&shared.notes_wake)).await {
            return;
        }
    }
}

/// One attempt to post `note` in `channel`: found there when an earlier attempt may have
/// made it, or posted now; forgotten once it is there.
async fn post_note(shared: &Shared, channel: u64, note: &Note) -> Result<(), DeliveryError> {
    let body: Value = serde_json::from_str(&note.message).unwrap_or_default();
    if let Some(since) = note.first_attempt_ms
        && let Some(message) = find_note(shared, channel, &body, since).await?
    {
        info!(channel, note = %note.key, message_id = message, "the note was posted before; recorded, not posted again");
        return noted(shared, note).await;
    }
    let attempted = unix_ms();
    shared
        .update(|state| state.note_attempt(&note.key, attempted))
        .await?;
    let mut sent = body.clone();
    if let Some(fields) = sent.as_object_mut() {
        // Discord drops a repeat of the same nonce within a few minutes: a second guard,
        // beside the history look-up, for a post whose answer was lost.
        let nonce = fingerprint(&note.key);
        fields.insert("nonce".to_string(), Value::String(nonce));
        fields.insert("enforce_nonce".to_string(), Value::Bool(true));
    }
    let posted = shared.rest.post_json(channel, &sent).await;
    let failure = match posted {
        Ok(message) => {
            info!(channel, note = %note.key, message_id = message, "note posted to the errors channel");
            return noted(shared, note).await;
        }
        Err(failure) => failure,
    };
    let found = match after_post(&failure) {
        AfterPost::Made(message) => Some(message),
        AfterPost::LookFor => find_note(shared, channel, &body, attempted).await?,
        _ => None,
    };
    match found {
        Some(message) => {
            info!(channel, note = %note.key, message_id = message, %failure, "the note was posted although Discord's answer was not clear; recorded, not posted again");
            noted(shared, note).await
        }
        None => Err(failure.into()),
    }
}

async fn noted(shared: &Shared, note: &Note) -> Result<(), DeliveryError> {
    shared.update(|state| state.noted(&note.key)).await?;
    Ok(())
}

/// briefbot's post of a note whose body is `body` in `channel`, since a little before
/// `since_ms`: the same text, from briefbot. (Two notes of the same text within the
/// look-up's reach, a failure reported, fixed and made again in minutes, are one post.)
async fn find_note(
    shared: &Shared,
    channel: u64,
    body: &Value,
    since_ms: u64,
) -> Result<Option<u64>, Failure> {
    find_own(shared, channel, since_ms, |m| {
        shows_text(body, &m.content, &m.embeds)
    })
    .await
}
