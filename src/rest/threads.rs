//! Threads: started from a message, posted in a forum, listed, renamed; and crossposts from
//! an announcement channel.

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use serenity::all::{ChannelId, GuildId, MessageId};
use serenity::http::{LightMethod, Route};

use super::Rest;
use super::outcome::{Failure, code};

/// A thread (or forum post) as Discord lists it: only what briefbot reads.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Thread {
    #[serde(deserialize_with = "snowflake")]
    pub(crate) id: u64,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub(crate) parent_id: Option<u64>,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub(crate) owner_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Threads {
    #[serde(default)]
    threads: Vec<Thread>,
}

/// Discord writes ids as strings (numbers also read).
pub(super) fn snowflake<'de, D: Deserializer<'de>>(from: D) -> Result<u64, D::Error> {
    match Value::deserialize(from)? {
        Value::String(text) => text.parse().map_err(serde::de::Error::custom),
        Value::Number(number) => number
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom("an id out of range")),
        other => Err(serde::de::Error::custom(format!("an id, not {other}"))),
    }
}

fn optional_snowflake<'de, D: Deserializer<'de>>(from: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(from)? {
        Value::Null => Ok(None),
        Value::String(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
        Value::Number(number) => Ok(number.as_u64()),
        other => Err(serde::de::Error::custom(format!("an id, not {other}"))),
    }
}

impl Rest {
    /// Starts a public thread named `name` from `message` of `channel`, archived after
    /// `archive_minutes` without activity; the thread's id, which is the message's. A thread
    /// started before (the answer lost in a crash), or now with an answer that cannot be
    /// read, is there all the same: both are `Ok`.
    pub(crate) async fn start_thread(
        &self,
        channel: u64,
        message: u64,
        name: &str,
        archive_minutes: u32,
    ) -> Result<u64, Failure> {
        let body = json!({"name": name, "auto_archive_duration": archive_minutes});
        let route = Route::ChannelMessageThreads {
            channel_id: ChannelId::new(channel),
            message_id: MessageId::new(message),
        };
        match self
            .send::<Thread>(route, LightMethod::Post, Some(&body), None)
            .await
        {
            Ok(thread) => Ok(thread.id),
            Err(failure)
                if failure.code() == Some(code::THREAD_ALREADY_STARTED)
                    || matches!(failure, Failure::Unreadable { .. }) =>
            {
                Ok(message)
            }
            Err(failure) => Err(failure),
        }
    }

    /// Crossposts `message` of announcement channel `channel` to the servers that follow it.
    /// One crossposted before, or now with an answer that cannot be read, is `Ok`.
    pub(crate) async fn crosspost(&self, channel: u64, message: u64) -> Result<(), Failure> {
        let route = Route::ChannelMessageCrosspost {
            channel_id: ChannelId::new(channel),
            message_id: MessageId::new(message),
        };
        match self
            .send::<Value>(route, LightMethod::Post, None::<&Value>, None)
            .await
        {
            Ok(_) => Ok(()),
            Err(failure)
                if failure.code() == Some(code::ALREADY_CROSSPOSTED)
                    || matches!(failure, Failure::Unreadable { .. }) =>
            {
                Ok(())
            }
            Err(failure) => Err(failure),
        }
    }

    /// Creates a post in `forum` whose JSON body is `body` (name, starter message, tags); the
    /// post's id, which is also its starter message's. An answer that cannot be read, or none,
    /// is the caller's to look into: the post may exist.
    pub(crate) async fn create_forum_post(&self, forum: u64, body: &Value) -> Result<u64, Failure> {
        let route = Route::ChannelThreads {
            channel_id: ChannelId::new(forum),
        };
        let post: Thread = self
            .send(route, LightMethod::Post, Some(body), None)
            .await?;
        Ok(post.id)
    }

    /// The active threads of server `guild`.
    pub(crate) async fn active_threads(&self, guild: u64) -> Result<Vec<Thread>, Failure> {
        let route = Route::GuildThreadsActive {
            guild_id: GuildId::new(guild),
        };
        let listed: Threads = self
            .send(route, LightMethod::Get, None::<&Value>, None)
            .await?;
        Ok(listed.threads)
    }

    /// The `limit` most recently archived public threads (posts) of `channel`, newest first.
    pub(crate) async fn archived_threads(
        &self,
        channel: u64,
        limit: u64,
    ) -> Result<Vec<Thread>, Failure> {
        let route = Route::ChannelArchivedPublicThreads {
            channel_id: ChannelId::new(channel),
        };
        let params = vec![("limit", limit.to_string())];
        let listed: Threads = self
            .send(route, LightMethod::Get, None::<&Value>, Some(params))
            .await?;
        Ok(listed.threads)
    }

    /// Renames `thread` (a forum post's title).
    pub(crate) async fn rename_thread(&self, thread: u64, name: &str) -> Result<(), Failure> {
        let route = Route::Channel {
            channel_id: ChannelId::new(thread),
        };
        self.send::<Value>(
            route,
            LightMethod::Patch,
            Some(&json!({"name": name})),
            None,
        )
        .await
        .map(drop)
    }
}
