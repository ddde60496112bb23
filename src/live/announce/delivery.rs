//! One announcement delivered in one channel: found where an earlier attempt may have made
//! it, or posted, then its thread started and its crosspost sent as the channel calls for,
//! and recorded once all is done. A post whose answer is not a clean yes is looked for before
//! it is made again.

use std::time::Duration;

use serenity::all::Nonce;
use tracing::{error, info};

use super::lookup::{find_own_forum_post, find_own_post};
use super::modes::{Way, create_forum_post, crosspost, start_thread};
use super::policy::{AfterPost, after_post};
use super::posting::posting;
use super::shared::{DeliveryError, Shared, named};
use super::state::{Announced, Pending};
use crate::config::AnnounceMode;
use crate::library::{Library, fingerprint};
use crate::live::clock::unix_ms;
use crate::rest::ChannelInfo;

/// One attempt to deliver `pending`: found in the channel, or posted; then its thread
/// started and its crosspost sent, as the channel calls for, each checked first when a
/// crash may have come after it; recorded once all is done. Everything about the round
/// (its headline, its card) comes from `library`, one snapshot, whatever reloads happen
/// meanwhile.
pub(super) async fn deliver(
    shared: &Shared,
    pending: &Pending,
    library: &Library,
) -> Result<(), DeliveryError> {
    let info = shared.channel_info(pending.channel).await?;
    let configured = shared.mode(pending.channel);
    let way = Way::of(pending.channel, configured, &info);
    let headline = library
        .track(&pending.track)
        .and_then(|t| t.round(pending.round))
        .map_or_else(
            || format!("Round {} of {}", pending.round, pending.track),
            |r| r.title.clone(),
        );
    let (message, card, resumed) = match (pending.message, &pending.card) {
        (Some(message), card) => (message, card.clone().unwrap_or_default(), true),
        (None, _) => match post_or_find(shared, pending, way, &info, &headline, library).await? {
            Some(posted) => posted,
            None => return Ok(()),
        },
    };
    if pending.message.is_none() && way.has_follow_ups() {
        // The post is on record before what follows it: a restart resumes, never reposts.
        shared
            .update(|state| state.posted(pending, message, card.clone()))
            .await?;
    }
    let thread = match way.mode {
        AnnounceMode::Message => None,
        AnnounceMode::Thread => {
            match start_thread(shared, pending.channel, message, &headline, resumed).await {
                Err(error) if given_up(&error, pending, "its thread") => None,
                other => other?,
            }
        }
        AnnounceMode::Forum => Some(message),
    };
    let crossposted = way.crosspost
        && match crosspost(shared, pending.channel, message, resumed).await {
            Err(error) if given_up(&error, pending, "its crosspost") => false,
            other => other?,
        };
    if way.crosspost && !crossposted && shared.stop.is_cancelled() {
        // Stopped while waiting for the crosspost's turn: the next start resumes here.
        return Ok(());
    }
    let announced = Announced {
        message,
        card,
        mode: way.mode,
        thread,
        crossposted,
    };
    shared
        .update(|state| state.deliver_as(pending, announced))
        .await?;
    info!(
        channel = pending.channel,
        round = %named(&pending.track, pending.round),
        message_id = message,
        mode = way.mode.name(),
        crossposted,
        "new round announced"
    );
    shared.counted(pending.channel, "posted");
    Ok(())
}

/// The message (for a forum, the post) of `pending`: found where an earlier attempt may
/// have made it, or made now. With it, the fingerprint of what it shows and whether it was
/// found. None when the round is no longer served and was not posted.
async fn post_or_find(
    shared: &Shared,
    pending: &Pending,
    way: Way,
    info: &ChannelInfo,
    headline: &str,
    library: &Library,
) -> Result<Option<(u64, String, bool)>, DeliveryError> {
    let posting = posting(
        shared,
        library,
        &pending.track,
        pending.round,
        pending.channel,
    )
    .await?;
    if let Some(since) = pending.first_attempt_ms {
        // After a takeover, the previous holder may have posted it a moment ago.
        let settled = since.saturating_add(shared.takeover_grace.as_millis() as u64);
        let wait = Duration::from_millis(settled.saturating_sub(unix_ms()));
        if !wait.is_zero() && !shared.pause(wait, None).await {
            return Ok(None);
        }
        let found = find_existing(shared, way, info, pending, since).await?;
        if let Some(message) = found {
            info!(
                channel = pending.channel,
                round = %named(&pending.track, pending.round),
                message_id = message,
                "the announcement was posted before a restart; recorded, not posted again"
            );
            // What the post shows is not known; when the round is there it is taken to be
            // the card of now, and when not, the next snapshot marks the post withdrawn.
            let card = posting.map(|p| p.card).unwrap_or_default();
            return Ok(Some((message, card, true)));
        }
    }
    let Some(posting) = posting else {
        // Removed since it was queued; `next_pending` skips it until it is back.
        return Ok(None);
    };
    let attempted = unix_ms();
    shared
        .update(|state| state.attempt(pending, attempted))
        .await?;
    let posted = if way.mode == AnnounceMode::Forum {
        create_forum_post(
            shared,
            pending.channel,
            info,
            pending,
            headline,
            &posting.message,
        )
        .await
    } else {
        // Discord also drops a repeat of the same nonce within a few minutes: a second
        // guard, beside the history check, for a post whose answer was lost.
        let nonce = fingerprint(&format!(
            "{}/{}/{}",
            pending.track, pending.round, pending.channel
        ));
        let message = posting
            .message
            .clone()
            .nonce(Nonce::String(nonce))
            .enforce_nonce(true);
        shared
            .rest
            .post_message(pending.channel, &message)
            .await
            .map_err(DeliveryError::from)
    };
    let failure = match posted {
        Ok(message) => return Ok(Some((message, posting.card, false))),
        Err(DeliveryError::Discord(failure)) => failure,
        Err(error) => return Err(error),
    };
    let found = match after_post(&failure) {
        AfterPost::Made(message) => Some(message),
        AfterPost::LookFor => {
            let since = pending.first_attempt_ms.unwrap_or(attempted);
            find_existing(shared, way, info, pending, since).await?
        }
        // The worker waits, drops or retries, from the same verdict.
        _ => return Err(failure.into()),
    };
    match found {
        Some(message) => {
            info!(
                channel = pending.channel,
                round = %named(&pending.track, pending.round),
                message_id = message,
                %failure,
                "the announcement was made although Discord's answer was not clear; recorded, not posted again"
            );
            Ok(Some((message, posting.card, false)))
        }
        None => {
            info!(
                channel = pending.channel,
                round = %named(&pending.track, pending.round),
                %failure,
                "the announcement is not in the channel (yet); it is looked for again before the next attempt"
            );
            Err(failure.into())
        }
    }
}

/// briefbot's post of `pending` made since a little before `since_ms`, in the channel's
/// history or, for a forum, among its posts.
async fn find_existing(
    shared: &Shared,
    way: Way,
    info: &ChannelInfo,
    pending: &Pending,
    since_ms: u64,
) -> Result<Option<u64>, DeliveryError> {
    Ok(match way.mode {
        AnnounceMode::Forum => {
            find_own_forum_post(shared, pending.channel, info, pending, since_ms).await?
        }
        _ => find_own_post(shared, pending.channel, pending, since_ms).await?,
    })
}

/// Whether what follows a posted message (`what`) is given up: Discord refused it as
/// malformed, so asking again cannot help, and the message, which exists, must still be
/// recorded. Logged when so.
fn given_up(error: &DeliveryError, pending: &Pending, what: &str) -> bool {
    if !error.is_invalid() {
        return false;
    }
    error!(
        channel = pending.channel,
        round = %named(&pending.track, pending.round),
        %error,
        "{what} is given up; the announcement is recorded without it"
    );
    true
}
