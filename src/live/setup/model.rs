//! What a server's admins chose with `/setup`, per track: the channel new rounds go to (and
//! how), the role they ping, and whether either was switched off because Discord no longer
//! has it. Plain values: the stores keep them, the announcer and the handler read them.

use serde::{Deserialize, Serialize};

use crate::config::{AnnounceMode, AnnounceTarget, FollowRole, SetupConfig};

/// One server's settings for one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSetting {
    pub server: u64,
    pub track: String,
    /// Where new rounds of the track go in this server; none: not announced here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<u64>,
    /// How: a message, a message with a thread under it, or a forum post (which the
    /// channel's kind decides).
    #[serde(default)]
    pub mode: AnnounceMode,
    /// The follow role announcements ping and `/follow` gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u64>,
    /// Why the channel was switched off (deleted, briefbot removed from the server); it is
    /// then not announced in until an admin chooses a channel again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_off: Option<String>,
    /// Why the role was switched off (deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_off: Option<String>,
    /// Who last changed it (a Discord user id; 0 when briefbot switched something off).
    #[serde(default)]
    pub changed_by: u64,
    /// When (Unix milliseconds).
    #[serde(default)]
    pub changed_at_ms: u64,
}

impl ServerSetting {
    /// A server's settings for a track before anything is chosen.
    pub fn new(server: u64, track: &str) -> ServerSetting {
        ServerSetting {
            server,
            track: track.to_string(),
            channel: None,
            mode: AnnounceMode::Message,
            role: None,
            channel_off: None,
            role_off: None,
            changed_by: 0,
            changed_at_ms: 0,
        }
    }

    /// The channel new rounds go to, unless switched off.
    pub fn live_channel(&self) -> Option<u64> {
        self.channel.filter(|_| self.channel_off.is_none())
    }

    /// The follow role, unless switched off.
    pub fn live_role(&self) -> Option<u64> {
        self.role.filter(|_| self.role_off.is_none())
    }

    /// Nothing chosen, nothing to remember.
    pub(crate) fn is_empty(&self) -> bool {
        self.channel.is_none() && self.role.is_none()
    }
}

/// Every server's settings, sorted by server then track: one snapshot, swapped whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSettings {
    pub rows: Vec<ServerSetting>,
}

impl ServerSettings {
    pub fn get(&self, server: u64, track: &str) -> Option<&ServerSetting> {
        self.rows
            .iter()
            .find(|r| r.server == server && r.track == track)
    }

    /// The row of `server` and `track`, made when there is none.
    pub fn entry(&mut self, server: u64, track: &str) -> &mut ServerSetting {
        let at = match self
            .rows
            .iter()
            .position(|r| r.server == server && r.track == track)
        {
            Some(at) => at,
            None => {
                self.rows.push(ServerSetting::new(server, track));
                self.sort();
                self.rows
                    .iter()
                    .position(|r| r.server == server && r.track == track)
                    .unwrap_or_default()
            }
        };
        &mut self.rows[at]
    }

    /// Rows with nothing chosen are forgotten; the rest kept in order.
    pub(crate) fn tidy(&mut self) {
        self.rows.retain(|r| !r.is_empty());
        self.sort();
    }

    fn sort(&mut self) {
        self.rows
            .sort_by(|a, b| (a.server, &a.track).cmp(&(b.server, &b.track)));
    }

    /// What is in force under `config`: only the servers it allows, and in each at most
    /// `max_targets_per_server` channels, the earliest chosen kept (an operator who lowers the
    /// cap, or takes a server off the list, is obeyed at once; the rows stay stored).
    pub fn in_force(&self, config: &SetupConfig) -> ServerSettings {
        let mut rows: Vec<ServerSetting> = self
            .rows
            .iter()
            .filter(|r| config.allows(r.server))
            .cloned()
            .collect();
        let mut by_age: Vec<usize> = (0..rows.len()).collect();
        by_age.sort_by_key(|&i| (rows[i].server, rows[i].changed_at_ms, rows[i].track.clone()));
        let mut counted: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for i in by_age {
            if rows[i].live_channel().is_none() {
                continue;
            }
            let count = counted.entry(rows[i].server).or_default();
            *count += 1;
            if *count > config.max_targets_per_server {
                rows[i].channel = None;
            }
        }
        ServerSettings { rows }
    }

    /// Sets `mode` for `channel` wherever `server` announces a track in it: a channel
    /// announces one way, whichever track.
    pub fn set_mode(&mut self, server: u64, channel: u64, mode: AnnounceMode) {
        for row in self
            .rows
            .iter_mut()
            .filter(|r| r.server == server && r.channel == Some(channel))
        {
            row.mode = mode;
        }
    }

    /// One server's rows.
    pub fn of_server(&self, server: u64) -> impl Iterator<Item = &ServerSetting> {
        self.rows.iter().filter(move |r| r.server == server)
    }

    /// How many tracks `server` has announced in its own channels.
    pub fn targets_in(&self, server: u64) -> usize {
        self.of_server(server)
            .filter(|r| r.live_channel().is_some())
            .count()
    }

    /// Every channel a server chose, with its mode and the tracks it gets, in channel order.
    pub fn targets(&self) -> Vec<(AnnounceTarget, Vec<String>)> {
        let mut targets: Vec<(AnnounceTarget, Vec<String>)> = Vec::new();
        for row in &self.rows {
            let Some(channel) = row.live_channel() else {
                continue;
            };
            match targets.iter_mut().find(|(t, _)| t.channel == channel) {
                Some((_, tracks)) => tracks.push(row.track.clone()),
                None => targets.push((
                    AnnounceTarget {
                        channel,
                        mode: row.mode,
                    },
                    vec![row.track.clone()],
                )),
            }
        }
        targets.sort_by_key(|(t, _)| t.channel);
        targets
    }

    /// Every follow role a server chose, as `[[follow]]` entries.
    pub fn follow_roles(&self) -> Vec<FollowRole> {
        self.rows
            .iter()
            .filter_map(|r| {
                Some(FollowRole {
                    server: r.server,
                    track: r.track.clone(),
                    role: r.live_role()?,
                })
            })
            .collect()
    }

    /// The follow roles chosen here that stand beside the operator's (`operator`, from
    /// `[[follow]]`): for the same server and track, the operator's entry is the one used.
    pub fn follow_roles_beside(&self, operator: &[FollowRole]) -> Vec<FollowRole> {
        self.follow_roles()
            .into_iter()
            .filter(|chosen| {
                !operator
                    .iter()
                    .any(|o| o.server == chosen.server && o.track == chosen.track)
            })
            .collect()
    }

    /// Switches off `what` (the channel, or the role) in every row `gone` picks where it is
    /// live, with `why`; the rows switched off.
    pub(crate) fn switch_off(
        &mut self,
        what: Part,
        gone: impl Fn(&ServerSetting) -> bool,
        why: &str,
        at_ms: u64,
    ) -> Vec<ServerSetting> {
        let mut off = Vec::new();
        for row in self.rows.iter_mut() {
            if row.is_live(what) && gone(row) {
                match what {
                    Part::Channel => row.channel_off = Some(why.to_string()),
                    Part::Role => row.role_off = Some(why.to_string()),
                }
                row.changed_by = 0;
                row.changed_at_ms = at_ms;
                off.push(row.clone());
            }
        }
        off
    }
}

/// What of a server's settings can go stale on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Channel,
    Role,
}

impl ServerSetting {
    /// Whether `what` is chosen and not switched off.
    pub fn is_live(&self, what: Part) -> bool {
        match what {
            Part::Channel => self.live_channel().is_some(),
            Part::Role => self.live_role().is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_group_the_tracks_of_one_channel_and_skip_what_is_switched_off() {
        let mut settings = ServerSettings::default();
        settings.entry(1, "b").channel = Some(50);
        settings.entry(1, "a").channel = Some(50);
        settings.entry(2, "a").channel = Some(40);
        settings.entry(2, "a").role = Some(7);
        settings.entry(3, "a").role = Some(8);
        let off = settings.switch_off(Part::Channel, |r| r.server == 2, "deleted", 1);
        assert_eq!(off.len(), 1);
        assert_eq!(
            settings.switch_off(Part::Channel, |r| r.server == 2, "deleted", 1),
            []
        );
        let targets = settings.targets();
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].0.channel, 50);
        assert_eq!(targets[0].1, ["a", "b"]);
        assert_eq!(settings.follow_roles().len(), 2);
        settings.entry(4, "a");
        settings.tidy();
        assert_eq!(settings.rows.len(), 4);
    }
}
