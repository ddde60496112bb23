//! Where new rounds go right now: the operator's channels (every track, as `config.toml`
//! sets them) and the channels servers chose with `/setup` (one track each), with the role
//! each announcement pings there. The operator's entry wins where both name a channel, or a
//! follow role for the same server and track.

use std::collections::{BTreeMap, BTreeSet};

use super::settings::Settings;
use crate::config::{AnnounceMode, FollowRole};
use crate::live::setup::Snapshot;

/// One channel that gets new rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub(crate) mode: AnnounceMode,
    /// The tracks it gets: `None` for the operator's channels (every track).
    pub(crate) tracks: Option<BTreeSet<String>>,
}

/// Every channel that gets new rounds, and the roles they ping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Targets {
    pub(crate) channels: BTreeMap<u64, Target>,
    pub(crate) follow_roles: Vec<FollowRole>,
    /// The servers' own settings were read: until then a channel only they name is unknown,
    /// not gone.
    pub(crate) servers_known: bool,
    /// Channels briefbot switched off because Discord says they are gone: their past
    /// announcements are not looked at again (nor edited).
    pub(crate) gone: BTreeSet<u64>,
}

impl Targets {
    /// The operator's targets, then the servers' (`servers`, when set-up is on).
    pub(super) fn of(settings: &Settings, servers: Option<&Snapshot>) -> Targets {
        let mut channels: BTreeMap<u64, Target> = settings
            .targets
            .iter()
            .map(|t| {
                (
                    t.channel,
                    Target {
                        mode: t.mode,
                        tracks: None,
                    },
                )
            })
            .collect();
        let mut follow_roles = settings.follow_roles.clone();
        let mut gone = BTreeSet::new();
        if let Some(snapshot) = servers {
            gone.extend(
                snapshot
                    .settings
                    .rows
                    .iter()
                    .filter(|r| r.channel_off.is_some())
                    .filter_map(|r| r.channel),
            );
            for (target, tracks) in snapshot.in_force.targets() {
                channels.entry(target.channel).or_insert(Target {
                    mode: target.mode,
                    tracks: Some(tracks.into_iter().collect()),
                });
            }
            follow_roles.extend(
                snapshot
                    .in_force
                    .follow_roles_beside(&settings.follow_roles),
            );
        }
        gone.retain(|channel| !channels.contains_key(channel));
        Targets {
            channels,
            follow_roles,
            servers_known: servers.is_none_or(|s| s.loaded),
            gone,
        }
    }

    /// The channels, in order.
    pub(super) fn channel_ids(&self) -> Vec<u64> {
        self.channels.keys().copied().collect()
    }

    /// The channels that get rounds of `track`.
    pub(super) fn channels_for(&self, track: &str) -> Vec<u64> {
        self.channels
            .iter()
            .filter(|(_, t)| {
                t.tracks
                    .as_ref()
                    .is_none_or(|tracks| tracks.contains(track))
            })
            .map(|(channel, _)| *channel)
            .collect()
    }

    /// Whether an announcement of `track` in `channel` is still wanted. While the servers'
    /// settings are not known, any channel may still be one of theirs.
    pub(super) fn wants(&self, channel: u64, track: &str) -> bool {
        match self.channels.get(&channel) {
            Some(target) => target
                .tracks
                .as_ref()
                .is_none_or(|tracks| tracks.contains(track)),
            None => !self.servers_known,
        }
    }

    /// Whether `channel` is one a server chose (and not the operator too).
    pub(super) fn is_servers(&self, channel: u64) -> bool {
        self.channels
            .get(&channel)
            .is_some_and(|t| t.tracks.is_some())
    }

    pub(super) fn mode_of(&self, channel: u64) -> AnnounceMode {
        self.channels
            .get(&channel)
            .map(|t| t.mode)
            .unwrap_or_default()
    }
}
