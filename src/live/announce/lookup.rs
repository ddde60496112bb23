//! Finding what briefbot posted before: its own message in a channel's history (an
//! announcement by its marker, a note by its text), its post among a forum's threads, a
//! message as Discord has it now. Each is how a post whose answer was lost, or a crash
//! between a post and its record, is recorded instead of made again.

use tracing::warn;

use super::shared::{DeliveryError, Shared};
use super::state::Pending;
use crate::commands::notices;
use crate::rest::{ChannelInfo, Failure, Seen};

/// How far before the first attempt a post is looked for: this machine's clock and
/// Discord's may differ.
pub(super) const SLACK_MS: u64 = 15 * 60 * 1000;

/// The first snowflake Discord could have given a message at `ms` (Unix milliseconds).
pub(super) fn snowflake_at(ms: u64) -> u64 {
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    (ms.saturating_sub(DISCORD_EPOCH_MS) << 22).max(1)
}

/// briefbot's announcement of `pending` among the channel's messages since a little
/// before `since_ms`, if it is there.
pub(super) async fn find_own_post(
    shared: &Shared,
    channel: u64,
    pending: &Pending,
    since_ms: u64,
) -> Result<Option<u64>, Failure> {
    find_own(shared, channel, since_ms, |m| {
        notices::is_announcement_of(&m.content, &pending.track, pending.round)
    })
    .await
}

/// The first of briefbot's own messages in `channel` since a little before `since_ms`
/// that `is_it`, if there is one among the next 2000.
pub(super) async fn find_own(
    shared: &Shared,
    channel: u64,
    since_ms: u64,
    is_it: impl Fn(&Seen) -> bool,
) -> Result<Option<u64>, Failure> {
    const PAGE: u8 = 100;
    const PAGES: usize = 20;
    let me = shared.me().await?;
    let mut after = snowflake_at(since_ms.saturating_sub(SLACK_MS));
    for _ in 0..PAGES {
        let page = shared.rest.messages_after(channel, after, PAGE).await?;
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

/// briefbot's post of `pending` in forum `forum`, created since a little before
/// `since_ms`, if it is there: among the server's active threads and the forum's recently
/// archived ones, a thread of briefbot's whose starter message begins with the round's
/// announcement marker.
pub(super) async fn find_own_forum_post(
    shared: &Shared,
    forum: u64,
    info: &ChannelInfo,
    pending: &Pending,
    since_ms: u64,
) -> Result<Option<u64>, DeliveryError> {
    const ARCHIVED_PAGE: u64 = 50;
    let me = shared.me().await?;
    let earliest = snowflake_at(since_ms.saturating_sub(SLACK_MS));
    let mut candidates = Vec::new();
    if let Some(guild) = info.guild {
        candidates.extend(shared.rest.active_threads(guild).await?);
    }
    // Newest first: a post made since the attempt is on the first page unless more than a
    // page of posts were archived since, which a briefing forum never sees.
    candidates.extend(shared.rest.archived_threads(forum, ARCHIVED_PAGE).await?);
    let mut seen = Vec::new();
    for thread in candidates {
        let id = thread.id;
        if thread.parent_id != Some(forum)
            || thread.owner_id != Some(me)
            || id < earliest
            || seen.contains(&id)
        {
            continue;
        }
        seen.push(id);
        if message_now(shared, id, id).await?.is_some_and(|starter| {
            notices::is_announcement_of(&starter.content, &pending.track, pending.round)
        }) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// `message` of `channel` as Discord has it now; none if it is gone.
pub(super) async fn message_now(
    shared: &Shared,
    channel: u64,
    message: u64,
) -> Result<Option<Seen>, DeliveryError> {
    Ok(shared.rest.message(channel, message).await?)
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
