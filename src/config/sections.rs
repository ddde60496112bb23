//! The tables of `config.toml`: `[discord]`, `[serve]`, `[announce]` and `[[follow]]`, with their defaults
//! and the shapes `shards` may take.

use std::num::NonZeroUsize;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer};

use super::numbers::{self, Whole};
use super::snowflake::{Id, Ids};

/// Where new rounds are announced, and where editors see a reload's errors.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnounceConfig {
    /// Channels that get a new round's card, once each.
    #[serde(default, deserialize_with = "announce_channels")]
    pub(crate) channels: Vec<u64>,
    /// A channel that gets the errors of a reload that failed, once per distinct failure.
    #[serde(default, deserialize_with = "errors_channel")]
    pub(crate) errors_channel: Option<u64>,
    /// The most new rounds one reload announces: when more appear at once (an archive
    /// imported, a track renamed), they are recorded and none is announced.
    #[serde(
        default = "default_max_new_per_reload",
        deserialize_with = "max_new_per_reload"
    )]
    pub(crate) max_new_per_reload: usize,
    /// Channels with a way of their own to announce: a message with a discussion thread, or
    /// a post in a forum (`[[announce.target]]`).
    #[serde(default, rename = "target")]
    pub(crate) targets: Vec<AnnounceTarget>,
}

/// One `[[announce.target]]` entry: a channel and how a new round is announced there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnounceTarget {
    #[serde(deserialize_with = "target_channel_snowflake")]
    pub channel: u64,
    #[serde(default)]
    pub mode: AnnounceMode,
}

/// How a new round is announced in a channel. Whether the channel is an announcement channel
/// (posts are crossposted) is what Discord says of it, not a setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnounceMode {
    /// The round's card as a message (what `[announce] channels` do).
    #[default]
    Message,
    /// The card as a message, with a discussion thread started from it.
    Thread,
    /// A post in a forum channel, titled with the round's headline.
    Forum,
}

impl AnnounceMode {
    /// The mode as the config, the state and the logs write it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            AnnounceMode::Message => "message",
            AnnounceMode::Thread => "thread",
            AnnounceMode::Forum => "forum",
        }
    }
}

/// One `[[follow]]` entry: in server `server`, the opt-in role for rounds of `track`. The
/// Follow button and `/follow` give and take it; announcements of the track in that server's
/// channels mention (and ping) it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowRole {
    #[serde(deserialize_with = "server_snowflake")]
    pub server: u64,
    #[serde(deserialize_with = "track_slug")]
    pub track: String,
    #[serde(deserialize_with = "role_snowflake")]
    pub role: u64,
}

fn server_snowflake<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Id("`follow` server").deserialize(deserializer)
}

fn role_snowflake<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Id("`follow` role").deserialize(deserializer)
}

fn target_channel_snowflake<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Id("`announce.target` channel").deserialize(deserializer)
}

fn announce_channels<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    Ids("`announce.channels`").deserialize(deserializer)
}

fn errors_channel<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Id("`announce.errors_channel`")
        .deserialize(deserializer)
        .map(Some)
}

fn application_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Id("`discord.application_id`")
        .deserialize(deserializer)
        .map(Some)
}

fn guild_ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    Ids("`discord.guild_ids`").deserialize(deserializer)
}

fn track_slug<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let track = String::deserialize(deserializer)?;
    if crate::library::is_track_id(&track) {
        Ok(track)
    } else {
        Err(serde::de::Error::custom(format!(
            "`follow` track must be a track id ({}), found \"{track}\"",
            crate::library::track_id_rule()
        )))
    }
}

/// Three: a few rounds saved together are announced; an import of dozens is not.
pub const DEFAULT_MAX_NEW_PER_RELOAD: usize = 3;

fn default_max_new_per_reload() -> usize {
    DEFAULT_MAX_NEW_PER_RELOAD
}

impl Default for AnnounceConfig {
    fn default() -> Self {
        AnnounceConfig {
            channels: Vec::new(),
            errors_channel: None,
            max_new_per_reload: DEFAULT_MAX_NEW_PER_RELOAD,
            targets: Vec::new(),
        }
    }
}

impl AnnounceConfig {
    /// Whether anything is to be posted at all (and so a token and a state folder are needed).
    pub fn is_enabled(&self) -> bool {
        !self.channels.is_empty() || !self.targets.is_empty() || self.errors_channel.is_some()
    }

    /// Every channel that gets new rounds, with its mode: `channels` (a message in each),
    /// then the `[[announce.target]]` entries.
    pub(crate) fn all_targets(&self) -> Vec<AnnounceTarget> {
        self.channels
            .iter()
            .map(|&channel| AnnounceTarget {
                channel,
                mode: AnnounceMode::Message,
            })
            .chain(self.targets.iter().copied())
            .collect()
    }
}

/// The role of `follow` that follows `track` in server `server`.
pub(crate) fn follow_role(follow: &[FollowRole], server: u64, track: &str) -> Option<u64> {
    follow
        .iter()
        .find(|f| f.server == server && f.track == track)
        .map(|f| f.role)
}

/// The Discord application briefbot answers for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// The application's id (a snowflake), from the developer portal.
    #[serde(default, deserialize_with = "application_id")]
    pub application_id: Option<u64>,
    /// Servers to register commands in; empty means global registration.
    #[serde(default, deserialize_with = "guild_ids")]
    pub guild_ids: Vec<u64>,
    /// Which gateway shards this process runs.
    #[serde(default)]
    pub shards: Shards,
    /// The application's public key (hex), for `briefbot serve` to verify Discord's signatures.
    /// Public, not a secret; `DISCORD_PUBLIC_KEY` overrides it.
    #[serde(default)]
    pub public_key: Option<String>,
    /// Where REST requests go instead of Discord's API: a shared rate-limiting proxy (such
    /// as twilight's http-proxy) or a Discord-compatible server; `http://` or `https://`.
    #[serde(default)]
    pub api_url: Option<String>,
}

/// `briefbot serve`'s HTTP listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Address and port to listen on (a host name is looked up when the settings are read);
    /// put a TLS-terminating reverse proxy in front.
    pub listen: std::net::SocketAddr,
    /// At most this many connections are open at once; when all are taken, a new one gets
    /// the slot of the connection that has waited longest for a request. Nonzero, so a typo
    /// cannot make a server that never answers.
    pub max_connections: NonZeroUsize,
}

/// `[serve]` as written, with where `max_connections` is (it is checked against the
/// open-files limit when `serve` starts).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServe {
    #[serde(
        default = "default_listen",
        deserialize_with = "super::listen::serve_listen"
    )]
    listen: std::net::SocketAddr,
    #[serde(default)]
    max_connections: Option<toml::Spanned<Connections>>,
}

impl Default for FileServe {
    fn default() -> Self {
        FileServe {
            listen: default_listen(),
            max_connections: None,
        }
    }
}

impl FileServe {
    /// The settings, and where `max_connections` is written (a byte range of the file).
    pub(super) fn into_parts(self) -> (ServeConfig, Option<std::ops::Range<usize>>) {
        let span = self.max_connections.as_ref().map(toml::Spanned::span);
        let serve = ServeConfig {
            listen: self.listen,
            max_connections: self
                .max_connections
                .map_or_else(default_max_connections, |n| n.into_inner().0),
        };
        (serve, span)
    }
}

/// `max_connections` as read.
#[derive(Debug)]
pub(super) struct Connections(NonZeroUsize);

impl<'de> Deserialize<'de> for Connections {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        at_least_one_connection(deserializer).map(Connections)
    }
}

fn at_least_one_connection<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<NonZeroUsize, D::Error> {
    let n = Whole {
        key: "`serve.max_connections`",
        range: numbers::MAX_CONNECTIONS,
    }
    .deserialize(deserializer)?;
    // In range: 1 or more, and far below what a usize holds.
    Ok(usize::try_from(n)
        .ok()
        .and_then(NonZeroUsize::new)
        .unwrap_or(NonZeroUsize::MIN))
}

fn max_new_per_reload<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let n = Whole {
        key: "`announce.max_new_per_reload`",
        range: numbers::MAX_NEW_PER_RELOAD,
    }
    .deserialize(deserializer)?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

fn default_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 8080))
}

pub(crate) fn default_max_connections() -> NonZeroUsize {
    // Far more than Discord's traffic needs (a proxy reuses a few connections), and below
    // the 1024 open files a process is often allowed by default, leaving room for the
    // listener, the briefs being read and the REST client's connections.
    const { NonZeroUsize::new(1000).expect("1000 is not zero") }
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: default_listen(),
            max_connections: default_max_connections(),
        }
    }
}

/// Gateway shards: one connection (the default), as many as Discord recommends (`"auto"`),
/// or shards `first..=last` of `total`, so several processes can split a very large bot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Shards {
    #[default]
    One,
    Auto,
    Range {
        first: u32,
        last: u32,
        total: u32,
    },
}

impl Shards {
    /// Whether this process runs shard 0, which registers the commands and posts the
    /// announcements for the whole bot.
    pub fn includes_first(&self) -> bool {
        match self {
            Shards::One | Shards::Auto => true,
            Shards::Range { first, .. } => *first == 0,
        }
    }
}

impl<'de> Deserialize<'de> for Shards {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShardsVisitor)
    }
}

/// What `shards` may be, said whenever it is something else.
const SHARDS_ARE: &str = "`discord.shards` must be \"auto\", a number of shards from 1 to 65536, or { first = 0, last = 3, total = 8 }";

struct ShardsVisitor;

impl ShardsVisitor {
    fn refuse<E: serde::de::Error>(written: &str) -> E {
        E::custom(format!("{SHARDS_ARE}, found {written}"))
    }
}

impl<'de> serde::de::Visitor<'de> for ShardsVisitor {
    type Value = Shards;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("\"auto\", a number of shards, or { first, last, total }")
    }

    fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<Shards, E> {
        match word {
            "auto" => Ok(Shards::Auto),
            _ => Err(Self::refuse(&format!("\"{word}\""))),
        }
    }

    fn visit_i64<E: serde::de::Error>(self, total: i64) -> Result<Shards, E> {
        match u32::try_from(total) {
            Ok(1) => Ok(Shards::One),
            Ok(total) if numbers::SHARDS.contains(&u64::from(total)) => Ok(Shards::Range {
                first: 0,
                last: total - 1,
                total,
            }),
            _ => Err(Self::refuse(&total.to_string())),
        }
    }

    fn visit_u64<E: serde::de::Error>(self, total: u64) -> Result<Shards, E> {
        self.visit_i64(i64::try_from(total).unwrap_or(i64::MAX))
    }

    fn visit_i128<E: serde::de::Error>(self, total: i128) -> Result<Shards, E> {
        Err(Self::refuse(&total.to_string()))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Shards, E> {
        Err(Self::refuse(&value.to_string()))
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Shards, E> {
        Err(Self::refuse(&value.to_string()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Shards, A::Error> {
        Err(Self::refuse("a list"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Shards, A::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Range {
            #[serde(deserialize_with = "shard_first")]
            first: u32,
            #[serde(deserialize_with = "shard_last")]
            last: u32,
            #[serde(deserialize_with = "shard_total")]
            total: u32,
        }
        let Range { first, last, total } =
            Range::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        if first <= last && last < total && total > 0 {
            Ok(Shards::Range { first, last, total })
        } else {
            Err(serde::de::Error::custom(format!(
                "shards = {{ first, last, total }} needs first <= last < total, e.g. {{ first = 0, last = 3, total = 8 }}, found {{ first = {first}, last = {last}, total = {total} }}"
            )))
        }
    }
}

/// A shard's number, or their count, in a `shards` range: `key` names which.
fn shard_number<'de, D: Deserializer<'de>>(
    deserializer: D,
    key: &'static str,
) -> Result<u32, D::Error> {
    let n = Whole {
        key,
        range: 0..=*numbers::SHARDS.end(),
    }
    .deserialize(deserializer)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn shard_first<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    shard_number(deserializer, "`discord.shards` first")
}

fn shard_last<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    shard_number(deserializer, "`discord.shards` last")
}

fn shard_total<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    shard_number(deserializer, "`discord.shards` total")
}
