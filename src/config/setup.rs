//! `[setup]`: whether servers' admins may choose, with `/setup`, where new rounds go in their
//! own server and which role they ping. Off unless the operator turns it on; the operator may
//! name the servers allowed and caps how many tracks each server sets up.

use std::ops::RangeInclusive;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer};

use super::numbers::Whole;
use super::snowflake::Ids;

/// `[setup] max_targets_per_server`: at least one (zero is `enabled = false`), at most a
/// hundred, far beyond the tracks an institute keeps.
pub(crate) const MAX_TARGETS: RangeInclusive<u64> = 1..=100;

/// Five tracks announced in five channels of one server is generous; a server that wants
/// more asks the operator.
pub const DEFAULT_MAX_TARGETS: usize = 5;

/// The `[setup]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupConfig {
    /// `/setup` is registered and answered.
    #[serde(default)]
    pub enabled: bool,
    /// The servers whose admins may use it; empty: every server briefbot is in.
    #[serde(default, deserialize_with = "servers")]
    pub servers: Vec<u64>,
    /// How many tracks one server may have announced in its own channels.
    #[serde(default = "default_max_targets", deserialize_with = "max_targets")]
    pub max_targets_per_server: usize,
}

impl Default for SetupConfig {
    fn default() -> SetupConfig {
        SetupConfig {
            enabled: false,
            servers: Vec::new(),
            max_targets_per_server: DEFAULT_MAX_TARGETS,
        }
    }
}

impl SetupConfig {
    /// Whether `/setup` may be used in `server`.
    pub fn allows(&self, server: u64) -> bool {
        self.enabled && (self.servers.is_empty() || self.servers.contains(&server))
    }
}

fn default_max_targets() -> usize {
    DEFAULT_MAX_TARGETS
}

fn servers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    Ids("`setup.servers`").deserialize(deserializer)
}

fn max_targets<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    Whole {
        key: "`setup.max_targets_per_server`",
        range: MAX_TARGETS,
    }
    .deserialize(deserializer)
    .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}
