//! Where announcements go and how a failing channel is retried.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{AnnounceTarget, Config, DatabaseUrl, FollowRole};
use crate::live::setup::Setup;
use crate::rest::{ANSWER_TIMEOUT, Backoff};

/// How many crossposts one announcement channel takes in a rolling window: Discord allows
/// about ten per channel per hour, and refuses more with a 429 that would only be retried.
#[derive(Debug, Clone, Copy)]
pub struct CrosspostLimit {
    pub per_window: usize,
    pub window: Duration,
}

impl Default for CrosspostLimit {
    fn default() -> CrosspostLimit {
        CrosspostLimit {
            per_window: 10,
            window: Duration::from_secs(60 * 60),
        }
    }
}

/// Where to post, and where to remember what was posted.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Each channel that gets new rounds, with how (a message, a thread, a forum post).
    pub targets: Vec<AnnounceTarget>,
    pub errors_channel: Option<u64>,
    pub state_dir: PathBuf,
    pub backoff: Backoff,
    /// More new rounds than this in one reload are recorded and none is announced.
    pub max_new_per_reload: usize,
    /// Per server and track, the role an announcement pings; none pings no one.
    pub follow_roles: Vec<FollowRole>,
    /// The crossposts an announcement channel takes before the next waits for its slot.
    pub crossposts: CrosspostLimit,
    /// The database that holds the state instead of the file in `state_dir`: every instance
    /// with `[announce]` competes for its lock, and the holder announces.
    pub database: Option<DatabaseUrl>,
    /// With a database: how long a new holder leaves an announcement that the previous one
    /// attempted moments before, so a post still in flight lands before it is looked for.
    pub takeover_grace: Duration,
    /// With a database: how often a standby instance asks for the lock, and the holder makes
    /// sure it still has it.
    pub lock_check: Duration,
    /// How long a request to Discord may take to be answered; past it, what became of the
    /// request is unknown, and a post is looked for before it is made again.
    pub answer_timeout: Duration,
    /// The servers' own targets and roles (`/setup`), announced to as well.
    pub setup: Option<Arc<Setup>>,
}

impl Settings {
    pub(crate) fn from_config(config: &Config) -> Settings {
        Settings {
            targets: config.announce.all_targets(),
            errors_channel: config.announce.errors_channel,
            state_dir: config.state_dir.clone(),
            backoff: Backoff::default(),
            max_new_per_reload: config.announce.max_new_per_reload,
            follow_roles: config.follow.clone(),
            crossposts: CrosspostLimit::default(),
            takeover_grace: if config.database.is_some() {
                TAKEOVER_GRACE
            } else {
                Duration::ZERO
            },
            database: config.database.clone(),
            lock_check: LOCK_CHECK,
            answer_timeout: ANSWER_TIMEOUT,
            setup: None,
        }
    }
}

/// Longer than a post to Discord takes when Discord is well, so the old holder's last post
/// has landed (or failed) before the new holder looks for it.
pub(crate) const TAKEOVER_GRACE: Duration = Duration::from_secs(5);

/// A standby takes over within about this long of the holder's death; the holder notices a
/// lost connection within about this long too.
pub(crate) const LOCK_CHECK: Duration = Duration::from_secs(1);
