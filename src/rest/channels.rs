//! What Discord says of a channel, as far as announcing goes.

use serenity::all::{Channel, ChannelId};

use super::Rest;
use super::outcome::Failure;

/// What kind of channel Discord says a channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelKind {
    /// A text channel (or anything else that takes messages).
    Text,
    /// An announcement channel: posts are crossposted to the servers that follow it.
    News,
    /// A forum (or media) channel: it takes posts, each a thread, not messages.
    Forum,
}

/// What Discord says of a channel: its server, its kind and, for a forum, its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChannelInfo {
    pub(crate) guild: Option<u64>,
    pub(crate) kind: ChannelKind,
    /// A forum's tags, as (id, name).
    pub(crate) tags: Vec<(u64, String)>,
}

impl ChannelInfo {
    fn of(channel: &Channel) -> ChannelInfo {
        const NEWS: u8 = 5;
        const FORUM: u8 = 15;
        const MEDIA: u8 = 16;
        match channel {
            Channel::Guild(found) => ChannelInfo {
                guild: Some(found.guild_id.get()),
                kind: match u8::from(found.kind) {
                    NEWS => ChannelKind::News,
                    FORUM | MEDIA => ChannelKind::Forum,
                    _ => ChannelKind::Text,
                },
                tags: found
                    .available_tags
                    .iter()
                    .map(|t| (t.id.get(), t.name.clone()))
                    .collect(),
            },
            _ => ChannelInfo {
                guild: None,
                kind: ChannelKind::Text,
                tags: Vec::new(),
            },
        }
    }
}

impl Rest {
    /// `GET /channels/{id}`, which the View Channel permission a channel needs anyway covers.
    pub(crate) async fn channel(&self, channel: u64) -> Result<ChannelInfo, Failure> {
        self.http
            .get_channel(ChannelId::new(channel))
            .await
            .map(|found| ChannelInfo::of(&found))
            .map_err(|error| Failure::of(&error))
    }
}
