//! Where announcements go and how a failing channel is retried.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Config, FollowRole};

/// How long to wait before retrying a channel that failed: doubling from `first` up to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_secs(5),
            max: Duration::from_secs(10 * 60),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failure in a row (1 for the first).
    pub fn after(&self, failures: u32) -> Duration {
        let doubled = self
            .first
            .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(30)));
        doubled.min(self.max)
    }
}

/// Where to post, and where to remember what was posted.
#[derive(Debug, Clone)]
pub struct Settings {
    pub channels: Vec<u64>,
    pub errors_channel: Option<u64>,
    pub state_dir: PathBuf,
    pub backoff: Backoff,
    /// More new rounds than this in one reload are recorded and none is announced.
    pub max_new_per_reload: usize,
    /// Per server and track, the role an announcement pings; none pings no one.
    pub follow_roles: Vec<FollowRole>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            channels: config
                .announce
                .all_targets()
                .iter()
                .map(|t| t.channel)
                .collect(),
            errors_channel: config.announce.errors_channel,
            state_dir: config.state_dir.clone(),
            backoff: Backoff::default(),
            max_new_per_reload: config.announce.max_new_per_reload,
            follow_roles: config.follow.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff {
            first: Duration::from_secs(5),
            max: Duration::from_secs(60),
        };
        let waits: Vec<u64> = (1..=6).map(|n| backoff.after(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff.after(1000), Duration::from_secs(60));
    }
}
