//! Messages in a channel: posted, edited, read back, and a channel's history paged through.

use serde::Deserialize;
use serde_json::Value;
use serenity::all::{ChannelId, CreateMessage, EditMessage, MessageId};
use serenity::http::{LightMethod, Route};

use super::Rest;
use super::outcome::{Failure, code};

/// A message as Discord has it: only what briefbot reads.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Seen {
    #[serde(deserialize_with = "super::threads::snowflake")]
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) author: Author,
    #[serde(default)]
    pub(crate) content: String,
    #[serde(default)]
    pub(crate) embeds: Vec<Value>,
    #[serde(default)]
    pub(crate) flags: u64,
    /// The thread started from it, if any.
    #[serde(default)]
    pub(crate) thread: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Author {
    #[serde(default, deserialize_with = "super::threads::snowflake")]
    pub(crate) id: u64,
}

impl Seen {
    /// A message's flag once it has been crossposted.
    pub(crate) fn is_crossposted(&self) -> bool {
        const CROSSPOSTED: u64 = 1;
        self.flags & CROSSPOSTED != 0
    }
}

impl Rest {
    /// Posts `message` in `channel`; the new message's id. The answer is read as serenity's
    /// message type, so an answer it would not take is `Unreadable` (posted all the same).
    pub(crate) async fn post_message(
        &self,
        channel: u64,
        message: &CreateMessage,
    ) -> Result<u64, Failure> {
        self.post_json(channel, message).await
    }

    /// Posts a message whose JSON body is `body` (a note kept in the state as JSON).
    pub(crate) async fn post_json(
        &self,
        channel: u64,
        body: &(impl serde::Serialize + ?Sized),
    ) -> Result<u64, Failure> {
        let route = Route::ChannelMessages {
            channel_id: ChannelId::new(channel),
        };
        let posted: serenity::all::Message = self
            .send(route, LightMethod::Post, Some(body), None)
            .await?;
        Ok(posted.id.get())
    }

    /// Edits `message` of `channel` with `edit`.
    pub(crate) async fn edit_message(
        &self,
        channel: u64,
        message: u64,
        edit: &EditMessage,
    ) -> Result<(), Failure> {
        let route = Route::ChannelMessage {
            channel_id: ChannelId::new(channel),
            message_id: MessageId::new(message),
        };
        self.send::<serenity::all::Message>(route, LightMethod::Patch, Some(edit), None)
            .await
            .map(drop)
    }

    /// `message` of `channel` as Discord has it now; none if it is gone.
    pub(crate) async fn message(
        &self,
        channel: u64,
        message: u64,
    ) -> Result<Option<Seen>, Failure> {
        let route = Route::ChannelMessage {
            channel_id: ChannelId::new(channel),
            message_id: MessageId::new(message),
        };
        match self
            .send(route, LightMethod::Get, None::<&Value>, None)
            .await
        {
            Ok(seen) => Ok(Some(seen)),
            Err(failure) if failure.code() == Some(code::UNKNOWN_MESSAGE) => Ok(None),
            Err(failure) => Err(failure),
        }
    }

    /// Up to `limit` (at most 100) messages of `channel` posted after message id `after`.
    pub(crate) async fn messages_after(
        &self,
        channel: u64,
        after: u64,
        limit: u8,
    ) -> Result<Vec<Seen>, Failure> {
        let route = Route::ChannelMessages {
            channel_id: ChannelId::new(channel),
        };
        let params = vec![("after", after.to_string()), ("limit", limit.to_string())];
        self.send(route, LightMethod::Get, None::<&Value>, Some(params))
            .await
    }
}
