//! New rounds to channels: the reloads followed and recorded, and one worker per channel that
//! posts its pending announcements in order, finding its own post after a crash instead of
//! posting twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serenity::all::{
    ChannelId, CreateMessage, EditMessage, HttpError, MessageId, MessagePagination, Nonce,
};
use tokio::sync::{Notify, mpsc, watch};
use tracing::{error, info, warn};

use super::edits::Reviewed;
use super::modes::Way;
use super::shared::{ChannelInfo, Observed, Shared};
use super::state::{Announced, Pending};
use crate::commands::notices;
use crate::config::AnnounceMode;
use crate::library::{Library, fingerprint};
use crate::live::reloader::Status;
use crate::reply::Message;

/// An announcement ready to post in one channel, and the fingerprint of what it shows.
pub(super) struct Posting {
    pub message: CreateMessage,
    /// The same, as an edit of a message already posted.
    pub edit: EditMessage,
    pub card: String,
}

/// Why one delivery attempt failed; the worker logs it and retries later.
#[derive(Debug, thiserror::Error)]
pub(super) enum DeliveryError {
    #[error("Discord: {0}")]
    Discord(#[from] serenity::Error),
    #[error("{0}")]
    State(#[from] super::state::StateError),
    /// Discord's 429, with the wait it asks for: waited out, not counted as a failure.
    #[error("Discord is rate limiting; it asks to wait {} ms", retry_after.as_millis())]
    RateLimited { retry_after: Duration },
}

/// Records each snapshot's rounds and wakes the channel workers when there are new ones.
/// Rounds held back (too many new at once) are logged once and, when there is an errors
/// channel, told to the editors through `notes`.
pub(super) async fn follow_reloads(
    shared: Arc<Shared>,
    channels: Vec<u64>,
    wakes: HashMap<u64, Arc<Notify>>,
    mut status: watch::Receiver<Status>,
    notes: Option<mpsc::UnboundedSender<Message>>,
) {
    loop {
        let (serving, generation) = {
            let current = status.borrow_and_update();
            (current.serving.clone(), current.generation)
        };
        let mut failures = 0;
        loop {
            match shared.observe(&serving, &channels).await {
                Ok(Observed::Queued(added)) => {
                    if !added.is_empty() {
                        info!(rounds = ?added, channels = channels.len(), "new rounds to announce");
                    }
                    break;
                }
                Ok(Observed::HeldBack(added)) => {
                    let limit = shared.max_new_per_reload;
                    warn!(
                        rounds = added.len(),
                        limit,
                        "{} new rounds at once, more than [announce] max_new_per_reload = {limit}: recorded, none announced; `briefbot announce --track TRACK --round N` announces one",
                        added.len()
                    );
                    if let Some(notes) = &notes {
                        // The receiver is gone only when the announcer stops.
                        let _ = notes.send(notices::held_back(&added, limit));
                    }
                    break;
                }
                Err(error) => {
                    failures += 1;
                    let wait = shared.backoff.after(failures);
                    error!(%error, retry_in_ms = wait.as_millis() as u64, "cannot record the new rounds");
                    if !shared.pause(wait, None).await {
                        return;
                    }
                }
            }
        }
        let mut failures = 0;
        loop {
            match shared.review(&serving).await {
                Ok(Reviewed::Queued(rounds)) => {
                    if !rounds.is_empty() {
                        info!(rounds = ?rounds, "announced rounds changed; their announcements are edited");
                    }
                    break;
                }
                Ok(Reviewed::HeldBack(rounds)) => {
                    let limit = shared.max_new_per_reload;
                    warn!(
                        rounds = rounds.len(),
                        limit,
                        "{} announced rounds changed at once, more than [announce] max_new_per_reload = {limit}: their announcements are left as they are",
                        rounds.len()
                    );
                    if let Some(notes) = &notes {
                        let _ = notes.send(notices::edits_held_back(&rounds, limit));
                    }
                    break;
                }
                Err(error) => {
                    failures += 1;
                    let wait = shared.backoff.after(failures);
                    error!(%error, retry_in_ms = wait.as_millis() as u64, "cannot record what the announcements show");
                    if !shared.pause(wait, None).await {
                        return;
                    }
                }
            }
        }
        shared.rounds_recorded.store(generation, Ordering::SeqCst);
        // Woken after every snapshot: a round whose brief came back may be postable again.
        for wake in wakes.values() {
            wake.notify_one();
        }
        if !shared.next_status(&mut status).await {
            return;
        }
    }
}

/// Posts one channel's pending announcements in order; on a failure waits (longer each time)
/// and tries again, while the other channels' workers go on.
pub(super) async fn channel_worker(shared: Arc<Shared>, channel: u64, wake: Arc<Notify>) {
    let mut failures = 0;
    loop {
        if shared.stop.is_cancelled() {
            return;
        }
        let library = shared.reloader.current();
        let Some(pending) = shared.state(|s| s.next_pending(channel, &library)) else {
            // New rounds first; then the announcements that wait for an edit.
            if let Some(stale) = shared.next_edit(channel) {
                match shared.edit(&stale).await {
                    Ok(()) => failures = 0,
                    Err(error) => {
                        failures += 1;
                        let wait = shared.backoff.after(failures);
                        warn!(
                            channel,
                            track = %stale.round.track,
                            round = stale.round.number,
                            %error,
                            attempt = failures,
                            retry_in_ms = wait.as_millis() as u64,
                            "could not edit the announcement; will retry"
                        );
                        if !shared.pause(wait, Some(&wake)).await {
                            return;
                        }
                    }
                }
                continue;
            }
            tokio::select! {
                _ = wake.notified() => continue,
                _ = shared.stopped() => return,
            }
        };
        match shared.deliver(&pending).await {
            Ok(()) => failures = 0,
            Err(DeliveryError::RateLimited { retry_after }) => {
                info!(
                    channel,
                    track = %pending.track,
                    round = pending.round,
                    wait_ms = retry_after.as_millis() as u64,
                    "Discord asks to wait before the next request; waiting"
                );
                if !shared.pause(retry_after, None).await {
                    return;
                }
            }
            Err(DeliveryError::Discord(error)) if is_refused_as_invalid(&error) => {
                // The message itself is wrong (a bug: replies are fitted to Discord's limits):
                // sending it again cannot help, and it must not hold up the rounds after it.
                error!(
                    channel,
                    track = %pending.track,
                    round = pending.round,
                    %error,
                    "Discord refused the announcement as invalid; it is dropped, not retried"
                );
                if let Err(error) = shared.update(|state| state.drop_pending(&pending)).await {
                    error!(%error, "cannot record the dropped announcement");
                }
            }
            Err(error) => {
                failures += 1;
                let wait = shared.backoff.after(failures);
                warn!(
                    channel,
                    track = %pending.track,
                    round = pending.round,
                    %error,
                    attempt = failures,
                    retry_in_ms = wait.as_millis() as u64,
                    "could not announce the round; will retry"
                );
                if !shared.pause(wait, Some(&wake)).await {
                    return;
                }
            }
        }
    }
}

impl Shared {
    /// One attempt to deliver `pending`: found in the channel, or posted; then its thread
    /// started and its crosspost sent, as the channel calls for, each checked first when a
    /// crash may have come after it; recorded once all is done.
    pub(super) async fn deliver(&self, pending: &Pending) -> Result<(), DeliveryError> {
        let info = self.channel_info(pending.channel).await?;
        let configured = self
            .modes
            .get(&pending.channel)
            .copied()
            .unwrap_or_default();
        let way = Way::of(pending.channel, configured, &info);
        let library = self.reloader.current();
        let headline = library
            .track(&pending.track)
            .and_then(|t| t.round(pending.round))
            .map_or_else(
                || format!("Round {} of {}", pending.round, pending.track),
                |r| r.title.clone(),
            );
        let (message, card, resumed) = match (pending.message, &pending.card) {
            (Some(message), card) => (message, card.clone().unwrap_or_default(), true),
            (None, _) => match self.post_or_find(pending, way, &info, &headline).await? {
                Some(posted) => posted,
                None => return Ok(()),
            },
        };
        if pending.message.is_none() && way.has_follow_ups() {
            // The post is on record before what follows it: a restart resumes, never reposts.
            self.update(|state| state.posted(pending, message, card.clone()))
                .await?;
        }
        let thread = match way.mode {
            AnnounceMode::Message => None,
            AnnounceMode::Thread => {
                match self
                    .start_thread(pending.channel, message, &headline, resumed)
                    .await
                {
                    Err(error) if given_up(&error, pending, "its thread") => None,
                    other => other?,
                }
            }
            AnnounceMode::Forum => Some(message),
        };
        let crossposted = way.crosspost
            && match self.crosspost(pending.channel, message, resumed).await {
                Err(error) if given_up(&error, pending, "its crosspost") => false,
                other => other?,
            };
        if way.crosspost && !crossposted && self.stop.is_cancelled() {
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
        self.update(|state| state.deliver_as(pending, announced))
            .await?;
        info!(
            channel = pending.channel,
            track = %pending.track,
            round = pending.round,
            message,
            mode = ?way.mode,
            crossposted,
            "new round announced"
        );
        Ok(())
    }

    /// The message (for a forum, the post) of `pending`: found where an earlier attempt may
    /// have made it, or made now. With it, the fingerprint of what it shows and whether it was
    /// found. None when the round is no longer served and was not posted.
    async fn post_or_find(
        &self,
        pending: &Pending,
        way: Way,
        info: &ChannelInfo,
        headline: &str,
    ) -> Result<Option<(u64, String, bool)>, DeliveryError> {
        let channel = ChannelId::new(pending.channel);
        let library = self.reloader.current();
        let posting = self
            .posting(&library, &pending.track, pending.round, pending.channel)
            .await?;
        if let Some(since) = pending.first_attempt_ms {
            // After a takeover, the previous holder may have posted it a moment ago.
            let settled = since.saturating_add(self.takeover_grace.as_millis() as u64);
            let wait = Duration::from_millis(settled.saturating_sub(unix_ms()));
            if !wait.is_zero() && !self.pause(wait, None).await {
                return Ok(None);
            }
            let found = match way.mode {
                AnnounceMode::Forum => {
                    self.find_own_forum_post(pending.channel, info, pending, since)
                        .await?
                }
                _ => self
                    .find_own_post(channel, pending, since)
                    .await?
                    .map(MessageId::get),
            };
            if let Some(message) = found {
                info!(
                    channel = pending.channel,
                    track = %pending.track,
                    round = pending.round,
                    message,
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
        self.update(|state| state.attempt(pending, unix_ms()))
            .await?;
        if way.mode == AnnounceMode::Forum {
            let post = self
                .create_forum_post(pending.channel, info, pending, headline, &posting.message)
                .await?;
            return Ok(Some((post, posting.card, false)));
        }
        // Discord also drops a repeat of the same nonce within a few minutes: a second guard,
        // beside the history check, for a post whose answer was lost.
        let nonce = fingerprint(&format!(
            "{}/{}/{}",
            pending.track, pending.round, pending.channel
        ));
        let posted = channel
            .send_message(
                &self.http,
                posting
                    .message
                    .nonce(Nonce::String(nonce))
                    .enforce_nonce(true),
            )
            .await?;
        Ok(Some((posted.id.get(), posting.card, false)))
    }

    /// The announcement of round `round` of `track` as it is posted in `channel` from
    /// `library` (with the channel's follow role), and its fingerprint; none when `library`
    /// does not have the round.
    pub(super) async fn posting(
        &self,
        library: &Library,
        track: &str,
        round: u32,
        channel: u64,
    ) -> Result<Option<Posting>, serenity::Error> {
        let Some(mut message) = library
            .track(track)
            .and_then(|t| notices::announcement(library, t, round))
        else {
            return Ok(None);
        };
        let ping = self.follow_role_for(channel, track).await?;
        if let Some(role) = ping {
            notices::ping_followers(&mut message, track, role);
        }
        let fitted = message.fit();
        let message = fitted.to_create_message_pinging(ping);
        let card = fingerprint(&serde_json::to_string(&message).unwrap_or_default());
        Ok(Some(Posting {
            message,
            edit: fitted.to_edit_message(),
            card,
        }))
    }

    /// briefbot's announcement of `pending` among the channel's messages since a little
    /// before `since_ms`, if it is there.
    async fn find_own_post(
        &self,
        channel: ChannelId,
        pending: &Pending,
        since_ms: u64,
    ) -> Result<Option<MessageId>, serenity::Error> {
        const PAGE: u8 = 100;
        const PAGES: usize = 20;
        let me = self.me().await?;
        let marker = notices::announcement_marker(&pending.track, pending.round);
        let mut after = MessageId::new(snowflake_at(since_ms.saturating_sub(SLACK_MS)));
        for _ in 0..PAGES {
            let page = self
                .http
                .get_messages(channel, Some(MessagePagination::After(after)), Some(PAGE))
                .await?;
            if let Some(found) = page
                .iter()
                .find(|m| m.author.id == me && m.content.starts_with(&marker))
            {
                return Ok(Some(found.id));
            }
            match page.iter().map(|m| m.id).max() {
                Some(last) if page.len() == usize::from(PAGE) => after = last,
                _ => return Ok(None),
            }
        }
        warn!(
            channel = channel.get(),
            "more than 2000 messages since the last attempt; posting without finding the earlier one"
        );
        Ok(None)
    }
}

/// Whether what follows a posted message (`what`) is given up: Discord refused it as
/// malformed, so asking again cannot help, and the message, which exists, must still be
/// recorded. Logged when so.
fn given_up(error: &DeliveryError, pending: &Pending, what: &str) -> bool {
    let DeliveryError::Discord(error) = error else {
        return false;
    };
    if !is_refused_as_invalid(error) {
        return false;
    }
    error!(
        channel = pending.channel,
        track = %pending.track,
        round = pending.round,
        %error,
        "Discord refused {what} as invalid; the announcement is recorded without it"
    );
    true
}

/// Whether Discord refused a request as malformed (HTTP 400): the same request would be
/// refused again. Permissions (403), a missing channel (404), rate limits (429) and outages
/// (5xx, network) may pass later.
pub(super) fn is_refused_as_invalid(error: &serenity::Error) -> bool {
    matches!(
        error,
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response))
            if response.status_code.as_u16() == 400
    )
}

/// How far before the first attempt a post is looked for: this machine's clock and
/// Discord's may differ.
pub(super) const SLACK_MS: u64 = 15 * 60 * 1000;

/// The first snowflake Discord could have given a message at `ms` (Unix milliseconds).
pub(super) fn snowflake_at(ms: u64) -> u64 {
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    (ms.saturating_sub(DISCORD_EPOCH_MS) << 22).max(1)
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_start_at_discords_epoch() {
        // 2015-01-01T00:00:01Z is one second after Discord's epoch.
        assert_eq!(snowflake_at(1_420_070_401_000), 1000 << 22);
        assert_eq!(snowflake_at(0), 1);
    }
}
