//! Where an announcement goes beyond a plain message: a thread started from it, a post in a
//! forum, a crosspost from an announcement channel, each found again after a crash before it
//! is made again, and the per-channel queue that keeps crossposts within Discord's hourly limit.

use serde_json::{Value, json};
use tokio::time::Instant;
use tracing::{info, warn};

use super::lookup::message_now;
use super::posting::thread_name;
use super::shared::{DeliveryError, Shared};
use super::state::Pending;
use crate::config::AnnounceMode;
use crate::rest::{ChannelInfo, ChannelKind};

/// How an announcement is made in one channel: the configured mode, as far as the channel's
/// kind allows, and whether its message is crossposted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Way {
    pub(crate) mode: AnnounceMode,
    pub(crate) crosspost: bool,
}

impl Way {
    /// A forum takes posts only, whatever is configured; anything else takes messages.
    pub(crate) fn of(channel: u64, configured: AnnounceMode, info: &ChannelInfo) -> Way {
        let mode = match (info.kind, configured) {
            (ChannelKind::Forum, _) => AnnounceMode::Forum,
            (_, AnnounceMode::Forum) => {
                warn!(
                    channel,
                    "configured as a forum, but Discord says the channel is not one; announced with a message"
                );
                AnnounceMode::Message
            }
            (_, mode) => mode,
        };
        Way {
            mode,
            crosspost: info.kind == ChannelKind::News,
        }
    }

    /// Whether something follows the message: a thread started from it, or its crosspost.
    pub(crate) fn has_follow_ups(&self) -> bool {
        self.mode == AnnounceMode::Thread || self.crosspost
    }
}

/// Threads started from announcements stay open a week without activity: a round is
/// discussed for days.
const AUTO_ARCHIVE_MINUTES: u32 = 10_080;

/// Starts the discussion thread of `message` in `channel`, unless it has one already
/// (`resumed`: a crash may have come after Discord started it). Returns the thread's id,
/// which is the message's; none if the message is gone.
pub(super) async fn start_thread(
    shared: &Shared,
    channel: u64,
    message: u64,
    name: &str,
    resumed: bool,
) -> Result<Option<u64>, DeliveryError> {
    if resumed {
        match message_now(shared, channel, message).await? {
            None => return Ok(None),
            Some(now) if now.thread.is_some() => return Ok(Some(message)),
            Some(_) => {}
        }
    }
    Ok(Some(
        shared
            .rest
            .start_thread(channel, message, &thread_name(name), AUTO_ARCHIVE_MINUTES)
            .await?,
    ))
}

/// Crossposts `message` of announcement channel `channel` once its turn in the channel's
/// queue comes, unless it was crossposted already (`resumed`). False when the announcer
/// was stopped while it waited, or the message is gone.
pub(super) async fn crosspost(
    shared: &Shared,
    channel: u64,
    message: u64,
    resumed: bool,
) -> Result<bool, DeliveryError> {
    if resumed {
        match message_now(shared, channel, message).await? {
            None => return Ok(false),
            Some(now) if now.is_crossposted() => return Ok(true),
            Some(_) => {}
        }
    }
    if !crosspost_turn(shared, channel).await {
        return Ok(false);
    }
    shared.rest.crosspost(channel, message).await?;
    Ok(true)
}

/// Waits until `channel` may take another crosspost (at most `per_window` in any rolling
/// `window`), then takes the slot. False if the announcer was stopped meanwhile.
async fn crosspost_turn(shared: &Shared, channel: u64) -> bool {
    let limit = shared.crosspost_limit;
    loop {
        let wait = {
            let mut all = shared.crossposts.lock().unwrap_or_else(|p| p.into_inner());
            let sent = all.entry(channel).or_default();
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|at| now.duration_since(*at) >= limit.window)
            {
                sent.pop_front();
            }
            match sent.front() {
                Some(oldest) if sent.len() >= limit.per_window.max(1) => {
                    (*oldest + limit.window).duration_since(now)
                }
                _ => {
                    sent.push_back(now);
                    return true;
                }
            }
        };
        info!(
            channel,
            wait_ms = wait.as_millis() as u64,
            "{} crossposts in this channel within {}s, Discord's limit: the next waits for its turn",
            limit.per_window,
            limit.window.as_secs()
        );
        if !shared.pause(wait, None).await {
            return false;
        }
    }
}

/// Creates the post of `pending` in forum `forum`: titled `name`, its starter message
/// `message` (the announcement as a channel would get it), tagged with the track's tag
/// when the forum has one. Returns the post's id, which is also its starter message's; an
/// answer that cannot be read, or none, is the caller's to look into (the post may exist).
pub(super) async fn create_forum_post(
    shared: &Shared,
    forum: u64,
    info: &ChannelInfo,
    pending: &Pending,
    name: &str,
    message: &serenity::all::CreateMessage,
) -> Result<u64, DeliveryError> {
    // A forum's starter message takes these; a nonce, say, it does not.
    const STARTER_FIELDS: [&str; 5] = [
        "content",
        "embeds",
        "allowed_mentions",
        "components",
        "flags",
    ];
    let whole = serde_json::to_value(message).unwrap_or_default();
    let starter: serde_json::Map<String, Value> = STARTER_FIELDS
        .iter()
        .filter_map(|key| Some((key.to_string(), whole.get(*key)?.clone())))
        .collect();
    let tags: Vec<String> = info
        .tags
        .iter()
        .filter(|(_, tag)| tag.eq_ignore_ascii_case(&pending.track))
        .map(|(id, _)| id.to_string())
        .take(1)
        .collect();
    let body = json!({
        "name": thread_name(name),
        "auto_archive_duration": AUTO_ARCHIVE_MINUTES,
        "message": starter,
        "applied_tags": tags,
    });
    Ok(shared.rest.create_forum_post(forum, &body).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forum_takes_posts_and_an_announcement_channel_crossposts() {
        let info = |kind| ChannelInfo {
            guild: Some(1),
            kind,
            tags: Vec::new(),
        };
        let way = |mode, kind| Way::of(1, mode, &info(kind));
        assert_eq!(
            way(AnnounceMode::Message, ChannelKind::Forum).mode,
            AnnounceMode::Forum
        );
        assert_eq!(
            way(AnnounceMode::Forum, ChannelKind::Text).mode,
            AnnounceMode::Message
        );
        let news = way(AnnounceMode::Thread, ChannelKind::News);
        assert_eq!(news.mode, AnnounceMode::Thread);
        assert!(news.crosspost && news.has_follow_ups());
        assert!(!way(AnnounceMode::Message, ChannelKind::Text).has_follow_ups());
        assert!(!way(AnnounceMode::Forum, ChannelKind::Forum).crosspost);
    }
}
