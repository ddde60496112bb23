//! What Discord says of a server, a member and a channel's overwrites, as the permission rules
//! (`crate::permissions`) take them; and the few changes `/setup` makes: a follow role made and
//! placed, a test post taken away again. Also the application itself, for `briefbot doctor`.

use serde::Deserialize;
use serde_json::{Value, json};
use serenity::http::{LightMethod, Route};

use super::outcome::Failure;
use super::threads::snowflake;
use super::{Rest, id};
use crate::permissions::{Member, Overwrite, OverwriteFor, Server};

/// A channel as far as announcing there goes: its server, kind, name and overwrites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDetails {
    pub id: u64,
    pub guild: Option<u64>,
    /// Discord's channel type: 0 text, 5 announcement, 15 forum, 16 media, 11 a thread.
    pub kind: u8,
    pub name: String,
    pub overwrites: Vec<Overwrite>,
}

/// The application as its owner set it up, for `briefbot doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: u64,
    /// The hex public key interactions are signed with.
    pub verify_key: String,
    pub interactions_endpoint_url: Option<String>,
}

#[derive(Deserialize)]
struct RawChannel {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
    #[serde(default)]
    guild_id: Option<String>,
    #[serde(rename = "type", default)]
    kind: u8,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    permission_overwrites: Vec<RawOverwrite>,
}

#[derive(Deserialize)]
struct RawOverwrite {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
    #[serde(rename = "type")]
    kind: Value,
    #[serde(default)]
    allow: Value,
    #[serde(default)]
    deny: Value,
}

#[derive(Deserialize)]
struct RawMember {
    user: RawUser,
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct RawUser {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
}

#[derive(Deserialize)]
struct RawApplication {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
    #[serde(default)]
    verify_key: String,
    #[serde(default)]
    interactions_endpoint_url: Option<String>,
}

/// Bits written as a string (Discord's way) or a number.
fn bits_of(value: &Value) -> u64 {
    match value {
        Value::String(text) => text.parse().unwrap_or(0),
        Value::Number(number) => number.as_u64().unwrap_or(0),
        _ => 0,
    }
}

/// A channel as Discord writes it, read for what briefbot checks.
fn details_of(raw: RawChannel) -> ChannelDetails {
    ChannelDetails {
        id: raw.id,
        guild: raw.guild_id.and_then(|g| g.parse().ok()),
        kind: raw.kind,
        name: raw.name.unwrap_or_default(),
        overwrites: raw
            .permission_overwrites
            .iter()
            .map(|o| Overwrite {
                id: o.id,
                kind: if bits_of(&o.kind) == 1 {
                    OverwriteFor::Member
                } else {
                    OverwriteFor::Role
                },
                allow: bits_of(&o.allow),
                deny: bits_of(&o.deny),
            })
            .collect(),
    }
}

impl Rest {
    /// `GET /guilds/{id}`: the server's owner and roles.
    pub async fn server(&self, guild: u64) -> Result<Server, Failure> {
        let route = Route::Guild {
            guild_id: id(guild)?,
        };
        self.send(route, LightMethod::Get, None::<&Value>, None)
            .await
    }

    /// `GET /guilds/{id}/members/{user}`: which roles the member has.
    pub async fn member(&self, guild: u64, user: u64) -> Result<Member, Failure> {
        let route = Route::GuildMember {
            guild_id: id(guild)?,
            user_id: id(user)?,
        };
        let raw: RawMember = self
            .send(route, LightMethod::Get, None::<&Value>, None)
            .await?;
        Ok(Member {
            id: raw.user.id,
            roles: raw.roles.iter().filter_map(|r| r.parse().ok()).collect(),
        })
    }

    /// `GET /channels/{id}`, read for its server, kind, name and overwrites.
    pub async fn channel_details(&self, channel: u64) -> Result<ChannelDetails, Failure> {
        let route = Route::Channel {
            channel_id: id(channel)?,
        };
        let raw: RawChannel = self
            .send(route, LightMethod::Get, None::<&Value>, None)
            .await?;
        Ok(details_of(raw))
    }

    /// `GET /guilds/{id}/channels`: every channel of the server, with its overwrites.
    pub async fn server_channels(&self, guild: u64) -> Result<Vec<ChannelDetails>, Failure> {
        let route = Route::GuildChannels {
            guild_id: id(guild)?,
        };
        let raw: Vec<RawChannel> = self
            .send(route, LightMethod::Get, None::<&Value>, None)
            .await?;
        Ok(raw.into_iter().map(details_of).collect())
    }

    /// `POST /guilds/{id}/roles`: a role named `name` with no permissions, mentionable, so
    /// that briefbot's announcements notify its members without briefbot needing to mention
    /// every role (docs/announcements.md, "Following a track"); its id.
    pub async fn create_role(&self, guild: u64, name: &str) -> Result<u64, Failure> {
        let route = Route::GuildRoles {
            guild_id: id(guild)?,
        };
        let body = json!({"name": name, "permissions": "0", "mentionable": true, "hoist": false});
        let created: Value = self
            .send(route, LightMethod::Post, Some(&body), None)
            .await?;
        created
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| Failure::Unreadable {
                reason: "the new role's answer has no id".to_string(),
                body: Some(created.clone()),
            })
    }

    /// `PATCH /guilds/{id}/roles`: `role` moved to `position`. Moving it there twice is the
    /// same as once.
    pub async fn move_role(&self, guild: u64, role: u64, position: i64) -> Result<(), Failure> {
        let route = Route::GuildRoles {
            guild_id: id(guild)?,
        };
        let body = json!([{"id": role.to_string(), "position": position}]);
        self.send::<Value>(route, LightMethod::Patch, Some(&body), None)
            .await
            .map(drop)
    }

    /// `DELETE /channels/{c}/messages/{m}`: one of briefbot's own messages taken away.
    pub async fn delete_message(&self, channel: u64, message: u64) -> Result<(), Failure> {
        let route = Route::ChannelMessage {
            channel_id: id(channel)?,
            message_id: id(message)?,
        };
        self.send::<Value>(route, LightMethod::Delete, None::<&Value>, None)
            .await
            .map(drop)
    }

    /// `DELETE /channels/{id}`: a thread or forum post briefbot made, taken away.
    pub async fn delete_thread(&self, thread: u64) -> Result<(), Failure> {
        let route = Route::Channel {
            channel_id: id(thread)?,
        };
        self.send::<Value>(route, LightMethod::Delete, None::<&Value>, None)
            .await
            .map(drop)
    }

    /// `GET /oauth2/applications/@me`: the application the token belongs to.
    pub async fn application(&self) -> Result<Application, Failure> {
        let raw: RawApplication = self
            .send(
                Route::Oauth2ApplicationCurrent,
                LightMethod::Get,
                None::<&Value>,
                None,
            )
            .await?;
        Ok(Application {
            id: raw.id,
            verify_key: raw.verify_key,
            interactions_endpoint_url: raw.interactions_endpoint_url.filter(|u| !u.is_empty()),
        })
    }
}
