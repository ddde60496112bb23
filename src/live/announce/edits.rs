//! Announcements kept true to the briefs. When a served snapshot changes a round that was
//! already announced (a fix, a correction, a new source), each of its announcements is
//! edited to the new card, without pinging anyone again; when a round's brief is removed, its
//! announcements get a line saying it was withdrawn and are not deleted. The state records
//! what each message shows, so a restart edits nothing twice.
//!
//! More changed rounds in one snapshot than `max_new_per_reload` (every brief reformatted, a
//! new version of briefbot's cards) are recorded as shown and left as they are: edits count
//! against the same hourly limits as posts, and hundreds of them would hold up new rounds.

use std::collections::BTreeSet;

use serenity::all::{CreateAllowedMentions, EditMessage};
use tracing::{error, info, warn};

use super::lookup::message_now;
use super::policy::{AfterEdit, after_edit};
use super::posting::{posting, thread_name};
use super::shared::{DeliveryError, Shared, Stale, body_of, named, note_key, shows_text};
use super::state::{Delivered, Shows, StateError};
use crate::commands::notices;
use crate::config::AnnounceMode;
use crate::library::{Library, RoundId};
use crate::rest::Failure;

/// What one snapshot's review found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reviewed {
    /// These rounds' announcements are queued for an edit (none, when nothing changed).
    Queued(Vec<RoundId>),
    /// More changed rounds than `max_new_per_reload`: recorded as shown, none edited.
    HeldBack(Vec<RoundId>),
}

/// Compares every delivered announcement with what `library` would announce, and queues
/// an edit for each that differs, unless too many rounds changed at once. An announcement
/// recorded before edits existed is taken to show the announcement of now.
pub(super) async fn review(shared: &Shared, library: &Library) -> Result<Reviewed, StateError> {
    // A channel a server chose that Discord says is gone has nothing left to edit.
    let gone = shared.targets().gone.clone();
    let delivered: Vec<_> = shared.state(|s| {
        s.delivered
            .iter()
            .filter(|d| !gone.contains(&d.channel))
            .cloned()
            .collect()
    });
    let mut adopted = Vec::new();
    let mut stale = Vec::new();
    let mut unknown = Vec::new();
    for announced in &delivered {
        let round = RoundId {
            track: announced.track.clone(),
            number: announced.round,
        };
        // A channel Discord cannot describe now (its follow role is looked up) is compared
        // at the next review; it must not hold up the others, nor new rounds.
        let wanted = match shows(shared, library, &round, announced.channel).await {
            Ok((wanted, _)) => wanted,
            Err(error) => {
                unknown.push((announced.channel, error));
                continue;
            }
        };
        match announced.shows() {
            None => adopted.push((round, announced.channel, wanted)),
            Some(shown) if shown != wanted => stale.push((round, announced.channel, wanted)),
            Some(_) => {}
        }
    }
    if let Some((channel, error)) = unknown.first() {
        warn!(
            announcements = unknown.len(),
            channel,
            %error,
            "cannot tell whether some announcements need an edit; they are compared again at the next reload"
        );
    }
    let rounds: Vec<RoundId> = stale
        .iter()
        .map(|(round, ..)| round.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let held_back = rounds.len() > shared.max_new_per_reload;
    shared
        .update(|state| {
            let left = if held_back { &stale[..] } else { &[] };
            for (round, channel, shows) in adopted.iter().chain(left) {
                state.shown(round, *channel, shows);
            }
            if held_back && shared.errors_channel.is_some() {
                let note = notices::edits_held_back(&rounds, shared.max_new_per_reload);
                state.note(note_key("edits-held-back", &rounds), body_of(&note));
            }
        })
        .await?;
    let mut queue = edits(shared);
    if held_back {
        queue.clear();
        return Ok(Reviewed::HeldBack(rounds));
    }
    *queue = stale
        .into_iter()
        .map(|(round, channel, _)| Stale { round, channel })
        .collect();
    Ok(Reviewed::Queued(rounds))
}

/// The next announcement in `channel` waiting for an edit.
pub(super) fn next_edit(shared: &Shared, channel: u64) -> Option<Stale> {
    edits(shared).iter().find(|s| s.channel == channel).cloned()
}

/// Edits one stale announcement to what the served library announces now (or to the
/// withdrawn line), and records it. A message deleted in Discord, or an edit Discord
/// refuses as invalid, is recorded as it is and logged, not retried.
pub(super) async fn edit(shared: &Shared, stale: &Stale) -> Result<(), DeliveryError> {
    let announced = shared.state(|s| {
        s.delivered
            .iter()
            .find(|d| d.is(&stale.round, stale.channel))
            .cloned()
    });
    let Some(announced) = announced else {
        edited(shared, stale);
        return Ok(());
    };
    let library = shared.reloader.current();
    let (shows, edit) = shows(shared, &library, &stale.round, stale.channel).await?;
    if announced.shows() == Some(shows.clone()) {
        edited(shared, stale);
        return Ok(());
    }
    let (channel, message) = announced.card_at();
    let outcome = send_edit(shared, channel, message, &edit).await?;
    let what = match shows {
        Shows::Card(_) => "the announcement shows the round as served now",
        Shows::Withdrawn => "the announcement says the round was withdrawn",
    };
    if outcome.is_ok() && matches!(shows, Shows::Card(_)) {
        retitle(shared, &announced, &library, &stale.round).await;
    }
    // A failure retried is counted by the worker that retries it.
    let result = match &outcome {
        Ok(()) => Some("edited"),
        Err(failure) if failure.is_gone() => Some("gone"),
        Err(failure) if failure.is_invalid() => Some("refused"),
        Err(_) => None,
    };
    if let Some(result) = result {
        shared.reloader.metrics().edit(result);
    }
    match outcome {
        Ok(()) => info!(
            channel = stale.channel,
            round = %named(&stale.round.track, stale.round.number),
            message_id = message,
            "announcement edited: {what}"
        ),
        Err(failure) if failure.is_gone() => warn!(
            channel = stale.channel,
            round = %named(&stale.round.track, stale.round.number),
            message_id = message,
            %failure,
            "the announcement's message is gone from Discord (deleted by a moderator?); it is not edited"
        ),
        Err(failure) if failure.is_invalid() => error!(
            channel = stale.channel,
            round = %named(&stale.round.track, stale.round.number),
            message_id = message,
            %failure,
            "the edit is refused as invalid; the announcement is left as it is"
        ),
        Err(failure) => return Err(failure.into()),
    }
    shared
        .update(|state| state.shown(&stale.round, stale.channel, &shows))
        .await?;
    edited(shared, stale);
    Ok(())
}

/// Makes `edit` of `message` in `channel`. An answer serenity cannot read means Discord made
/// it; with no answer at all, the message is read back: the edit is done when it shows what
/// was sent, and made again (it changes nothing a reader sees) when not. `Err` is a failure
/// the worker retries; `Ok(Err)` a refusal the caller records.
async fn send_edit(
    shared: &Shared,
    channel: u64,
    message: u64,
    edit: &EditMessage,
) -> Result<Result<(), Failure>, DeliveryError> {
    let failure = match shared.rest.edit_message(channel, message, edit).await {
        Ok(()) => return Ok(Ok(())),
        Err(failure) => failure,
    };
    match after_edit(&failure) {
        AfterEdit::Done => {
            info!(channel, message_id = message, %failure, "Discord made the edit; its answer could not be read, which changes nothing");
            Ok(Ok(()))
        }
        AfterEdit::ReadBack => {
            let body = serde_json::to_value(edit).unwrap_or_default();
            match message_now(shared, channel, message).await? {
                Some(now) if shows_text(&body, &now.content, &now.embeds) => {
                    info!(channel, message_id = message, %failure, "the edit had landed: the message shows it");
                    Ok(Ok(()))
                }
                _ => Err(failure.into()),
            }
        }
        AfterEdit::Leave => Ok(Err(failure)),
        AfterEdit::WaitThenRetry(_) | AfterEdit::Retry => Err(failure.into()),
    }
}

/// What the announcement of `round` in `channel` is to show from `library`, and the edit
/// that makes a message show it.
async fn shows(
    shared: &Shared,
    library: &Library,
    round: &RoundId,
    channel: u64,
) -> Result<(Shows, EditMessage), Failure> {
    Ok(
        match posting(shared, library, &round.track, round.number, channel).await? {
            Some(posting) => (Shows::Card(posting.card), posting.edit),
            None => (
                Shows::Withdrawn,
                EditMessage::new()
                    .content(notices::withdrawn(
                        &round.track,
                        library.track_name(&round.track),
                        round.number,
                    ))
                    .allowed_mentions(CreateAllowedMentions::new()),
            ),
        },
    )
}

/// A forum post's title is its round's headline: an edited headline renames the post. A
/// failure is logged and left: the card, which readers open, is already up to date.
async fn retitle(shared: &Shared, announced: &Delivered, library: &Library, round: &RoundId) {
    let (AnnounceMode::Forum, Some(thread)) = (announced.mode, announced.thread) else {
        return;
    };
    let Some(headline) = library
        .track(&round.track)
        .and_then(|t| t.round(round.number))
        .map(|r| thread_name(&r.title))
    else {
        return;
    };
    if let Err(error) = shared.rest.rename_thread(thread, &headline).await {
        warn!(
            thread,
            round = %named(&round.track, round.number),
            %error,
            "cannot rename the forum post after its headline; its card is edited"
        );
    }
}

fn edited(shared: &Shared, stale: &Stale) {
    edits(shared).retain(|s| s != stale);
}

fn edits(shared: &Shared) -> std::sync::MutexGuard<'_, Vec<Stale>> {
    shared.edits.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_message_shows_an_edit_when_its_text_is_what_was_sent() {
        let sent = json!({"content": "New", "embeds": [{"title": "T", "description": "D"}]});
        let stored = [json!({"type": "rich", "title": "T", "description": "D", "color": 1})];
        assert!(shows_text(&sent, "New", &stored));
        assert!(!shows_text(&sent, "Old", &stored));
        assert!(!shows_text(&sent, "New", &[]));
        let other = [json!({"title": "T", "description": "Older"})];
        assert!(!shows_text(&sent, "New", &other));
        assert!(shows_text(
            &json!({"content": "Withdrawn"}),
            "Withdrawn",
            &stored
        ));
    }
}
