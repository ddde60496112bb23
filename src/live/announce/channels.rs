//! New rounds to channels: the reloads followed and recorded, and one worker per channel that
//! posts its pending announcements in order, finding its own post after a crash instead of
//! posting twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serenity::all::{CreateMessage, EditMessage, Nonce};
use tokio::sync::{Notify, watch};
use tracing::{error, info, warn};

use super::edits::Reviewed;
use super::modes::Way;
use super::shared::{Shared, listed, named};
use super::state::{Announced, Pending};
use crate::commands::notices;
use crate::config::AnnounceMode;
use crate::library::{Library, RoundId, fingerprint};
use crate::live::reloader::Status;
use crate::rest::{ChannelInfo, Failure, Seen};

/// An announcement ready to post in one channel, and the fingerprint of what it shows.
pub(super) struct Posting {
    pub message: CreateMessage,
    /// The same, as an edit of a message already posted.
    pub edit: EditMessage,
    pub card: String,
}

/// Why one delivery attempt failed; the worker decides from its kind what comes next.
#[derive(Debug, thiserror::Error)]
pub(super) enum DeliveryError {
    #[error("{0}")]
    Discord(Failure),
    #[error("{0}")]
    State(#[from] super::state::StateError),
}

impl From<Failure> for DeliveryError {
    fn from(failure: Failure) -> DeliveryError {
        DeliveryError::Discord(failure)
    }
}

impl DeliveryError {
    /// Discord's 429: waited out, not counted as a failure.
    pub fn rate_limited(&self) -> Option<Duration> {
        match self {
            DeliveryError::Discord(Failure::RateLimited { retry_after }) => Some(*retry_after),
            _ => None,
        }
    }

    /// Discord refused the request as malformed: asking again cannot help.
    pub fn is_invalid(&self) -> bool {
        matches!(self, DeliveryError::Discord(failure) if failure.is_invalid())
    }
}

/// Records each snapshot's rounds and wakes the channel workers when there are new ones.
/// Rounds held back (too many new at once) are logged, and noted for the errors channel in
/// the same write that records them.
pub(super) async fn follow_reloads(
    shared: Arc<Shared>,
    channels: Vec<u64>,
    wakes: HashMap<u64, Arc<Notify>>,
    mut status: watch::Receiver<Status>,
) {
    loop {
        let (serving, generation) = {
            let current = status.borrow_and_update();
            (current.serving.clone(), current.generation)
        };
        let mut failures = 0;
        loop {
            match shared.observe(&serving, &channels).await {
                Ok(observed) => {
                    if !observed.queued.is_empty() {
                        info!(
                            rounds = %listed(&observed.queued),
                            channels = channels.len(),
                            "new rounds to announce"
                        );
                    }
                    for batch in &observed.held_back {
                        held_back_loudly(&shared, batch);
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
                        info!(rounds = %listed(&rounds), "announced rounds changed; their announcements are edited");
                    }
                    break;
                }
                Ok(Reviewed::HeldBack(rounds)) => {
                    let limit = shared.max_new_per_reload;
                    warn!(
                        rounds = rounds.len(),
                        limit,
                        left = %listed(&rounds),
                        "{} announced rounds changed at once, more than [announce] max_new_per_reload = {limit}: their announcements are left as they are",
                        rounds.len()
                    );
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
        shared.notes_wake.notify_one();
        if !shared.next_status(&mut status).await {
            return;
        }
    }
}

/// Says, at warning level, that `batch` came at once, more than the flood limit allows, so
/// none of it is announced; with the command that announces each by hand.
fn held_back_loudly(shared: &Shared, batch: &[RoundId]) {
    let limit = shared.max_new_per_reload;
    warn!(
        rounds = batch.len(),
        limit,
        held_back = %listed(batch),
        "{} new rounds at once, more than [announce] max_new_per_reload = {limit}: recorded, none announced",
        batch.len()
    );
    for round in batch {
        info!(
            round = %named(&round.track, round.number),
            "to announce it by hand: briefbot announce --track {} --round {}",
            round.track,
            round.number
        );
    }
}

/// Posts one channel's pending announcements in order, then makes the edits waiting there;
/// on a failure waits (longer each time) and tries again, while the other channels' workers
/// go on. New posts and edits keep separate failure counts: a stuck edit never delays a new
/// round.
pub(super) async fn channel_worker(shared: Arc<Shared>, channel: u64, wake: Arc<Notify>) {
    let mut failures = 0;
    let mut edit_failures = 0;
    loop {
        if shared.stop.is_cancelled() {
            return;
        }
        let library = shared.reloader.current();
        let Some(pending) = shared.state(|s| s.next_pending(channel, &library)) else {
            // New rounds first; then the announcements that wait for an edit.
            if let Some(stale) = shared.next_edit(channel) {
                match shared.edit(&stale).await {
                    Ok(()) => edit_failures = 0,
                    Err(error) => {
                        if let Some(wait) = error.rate_limited() {
                            if !shared.pause(wait, None).await {
                                return;
                            }
                            continue;
                        }
                        edit_failures += 1;
                        let wait = shared.backoff.after(edit_failures);
                        warn!(
                            channel,
                            round = %named(&stale.round.track, stale.round.number),
                            %error,
                            attempt = edit_failures,
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
            Err(DeliveryError::Discord(Failure::RateLimited { retry_after: wait })) => {
                info!(
                    channel,
                    round = %named(&pending.track, pending.round),
                    wait_ms = wait.as_millis() as u64,
                    "Discord asks to wait before the next request; waiting"
                );
                if !shared.pause(wait, None).await {
                    return;
                }
            }
            Err(error) if error.is_invalid() => {
                // The message itself is wrong (a bug: replies are fitted to Discord's limits):
                // sending it again cannot help, and it must not hold up the rounds after it.
                error!(
                    channel,
                    round = %named(&pending.track, pending.round),
                    %error,
                    "the announcement is dropped, not retried"
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
                    round = %named(&pending.track, pending.round),
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
            round = %named(&pending.track, pending.round),
            message_id = message,
            mode = way.mode.name(),
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
            let found = self.find_existing(way, info, pending, since).await?;
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
        self.update(|state| state.attempt(pending, attempted))
            .await?;
        let posted = if way.mode == AnnounceMode::Forum {
            self.create_forum_post(pending.channel, info, pending, headline, &posting.message)
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
            self.rest
                .post_message(pending.channel, &message)
                .await
                .map_err(DeliveryError::from)
        };
        match posted {
            Ok(message) => Ok(Some((message, posting.card, false))),
            Err(DeliveryError::Discord(failure)) if failure.may_have_happened() => {
                let since = pending.first_attempt_ms.unwrap_or(attempted);
                match self
                    .made_anyway(&failure, way, info, pending, since)
                    .await?
                {
                    Some(message) => Ok(Some((message, posting.card, false))),
                    None => Err(failure.into()),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// The post a request without a clean answer (`failure`) may have made: its id read from
    /// an answer serenity could not take, or else the post looked for in the channel now. None
    /// when it is not there (yet): the next attempt looks again before it posts.
    async fn made_anyway(
        &self,
        failure: &Failure,
        way: Way,
        info: &ChannelInfo,
        pending: &Pending,
        since_ms: u64,
    ) -> Result<Option<u64>, DeliveryError> {
        let found = match failure.created_id() {
            Some(message) => Some(message),
            None => self.find_existing(way, info, pending, since_ms).await?,
        };
        match found {
            Some(message) => info!(
                channel = pending.channel,
                round = %named(&pending.track, pending.round),
                message_id = message,
                %failure,
                "the announcement was made although Discord's answer was not clear; recorded, not posted again"
            ),
            None => info!(
                channel = pending.channel,
                round = %named(&pending.track, pending.round),
                %failure,
                "the announcement is not in the channel (yet); it is looked for again before the next attempt"
            ),
        }
        Ok(found)
    }

    /// briefbot's post of `pending` made since a little before `since_ms`, in the channel's
    /// history or, for a forum, among its posts.
    async fn find_existing(
        &self,
        way: Way,
        info: &ChannelInfo,
        pending: &Pending,
        since_ms: u64,
    ) -> Result<Option<u64>, DeliveryError> {
        Ok(match way.mode {
            AnnounceMode::Forum => {
                self.find_own_forum_post(pending.channel, info, pending, since_ms)
                    .await?
            }
            _ => {
                self.find_own_post(pending.channel, pending, since_ms)
                    .await?
            }
        })
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
    ) -> Result<Option<Posting>, Failure> {
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
        channel: u64,
        pending: &Pending,
        since_ms: u64,
    ) -> Result<Option<u64>, Failure> {
        let marker = notices::announcement_marker(&pending.track, pending.round);
        self.find_own(channel, since_ms, |m| m.content.starts_with(&marker))
            .await
    }

    /// The first of briefbot's own messages in `channel` since a little before `since_ms`
    /// that `is_it`, if there is one among the next 2000.
    pub(super) async fn find_own(
        &self,
        channel: u64,
        since_ms: u64,
        is_it: impl Fn(&Seen) -> bool,
    ) -> Result<Option<u64>, Failure> {
        const PAGE: u8 = 100;
        const PAGES: usize = 20;
        let me = self.me().await?;
        let mut after = snowflake_at(since_ms.saturating_sub(SLACK_MS));
        for _ in 0..PAGES {
            let page = self.rest.messages_after(channel, after, PAGE).await?;
            if let Some(found) = page.iter().find(|m| m.author.id == me && is_it(m)) {
                return Ok(Some(found.id));
            }
            match page.iter().map(|m| m.id).max() {
                Some(last) if page.len() == usize::from(PAGE) => after = last,
                _ => return Ok(None),
            }
        }
        warn!(
            channel,
            "more than 2000 messages since the last attempt; posting without finding the earlier one"
        );
        Ok(None)
    }
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

/// How far before the first attempt a post is looked for: this machine's clock and
/// Discord's may differ.
pub(super) const SLACK_MS: u64 = 15 * 60 * 1000;

/// The first snowflake Discord could have given a message at `ms` (Unix milliseconds).
pub(super) fn snowflake_at(ms: u64) -> u64 {
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    (ms.saturating_sub(DISCORD_EPOCH_MS) << 22).max(1)
}

pub(super) fn unix_ms() -> u64 {
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
