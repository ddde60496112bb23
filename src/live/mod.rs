//! Live updates: everything that keeps a running briefbot current, for `run` and `serve`
//! alike. The reloader swaps in a new snapshot only when it loads cleanly; the folder
//! watcher, SIGHUP and `/reload` (through the transports' handler) trigger it; the announcer
//! posts new rounds and failed reloads. Depends on `library`, `commands`, `reply`, `rest`
//! and `config`; never on a transport.

pub mod announce;
pub(crate) mod clock;
mod hangup;
mod reloader;
pub mod setup;
pub mod tracks;
pub(crate) mod watcher;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, warn};

use crate::config::Config;
use crate::rest::Rest;
use announce::state::StateError;
use announce::{Announcer, AnnouncerRole, Contender};
pub use clock::{Clock, ManualClock};
pub use hangup::Hangups;
pub use reloader::{Outcome, Reloader, SharedLibrary, Status, Trigger};
pub use watcher::{Watch, WatchError, watch};

/// Live updates while they run; `stop` ends them.
pub(crate) struct Live {
    stop: CancellationToken,
    tasks: TaskTracker,
    watch: Option<Watch>,
    announcer: Option<Announcing>,
}

/// How this instance announces: on its own from the state file, or competing with the other
/// instances for a shared database's lock.
enum Announcing {
    Alone(Announcer),
    Shared(Contender),
}

impl Live {
    /// Starts watching the briefs folder and listening for SIGHUP, and, when `rest` is given
    /// and `[announce]` names channels or servers set themselves up (`servers`), announcing. Must be called inside a tokio runtime.
    /// Fails only when the announcement state cannot be used: the state folder, or a state
    /// database that cannot be reached or migrated now.
    pub(crate) async fn start(
        config: &Config,
        reloader: &Arc<Reloader>,
        hangups: Hangups,
        rest: Option<Rest>,
        servers: Option<Arc<setup::Setup>>,
    ) -> Result<Live, StateError> {
        let announcer = match rest {
            Some(rest) if config.announce.is_enabled() || servers.is_some() => {
                let mut settings = announce::Settings::from_config(config);
                settings.setup = servers;
                info!(
                    channels = settings.targets.len(),
                    errors_channel = settings.errors_channel.is_some(),
                    state = %config.database.as_ref().map_or_else(|| settings.state_dir.display().to_string(), |url| url.shown()),
                    "announcing new rounds"
                );
                Some(match &config.database {
                    Some(url) => Announcing::Shared(
                        Contender::start(rest, reloader.clone(), settings, url).await?,
                    ),
                    None => Announcing::Alone(Announcer::start(rest, reloader.clone(), settings)?),
                })
            }
            _ => None,
        };
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        // Without a watcher (inotify's limit reached, say) the bot still serves, and SIGHUP
        // and /reload still reload: worth running, not worth refusing to start.
        let watch = match watch(reloader.clone(), &tasks) {
            Ok(watch) => Some(watch),
            Err(error) => {
                error!(%error, "changes to the briefs need SIGHUP or /reload to be loaded");
                None
            }
        };
        tasks.spawn(hangups.reload_on_each(reloader.clone(), stop.clone()));
        tasks.spawn(reloader.clone().publish_on_time(stop.clone()));
        tasks.spawn(tracks::watch(config, reloader, &stop));
        Ok(Live {
            stop,
            tasks,
            watch,
            announcer,
        })
    }

    /// Whether this instance announces (`active`), stands by for another (`standby`), or
    /// does not announce at all: what `/healthz` says.
    pub(crate) fn announcer_role(&self) -> AnnouncerRole {
        match &self.announcer {
            Some(Announcing::Alone(_)) => AnnouncerRole::active(),
            Some(Announcing::Shared(contender)) => contender.role(),
            None => AnnouncerRole::default(),
        }
    }

    /// Stops watching and announcing; a reload or a post in flight gets up to three seconds.
    pub(crate) async fn stop(self) {
        drop(self.watch);
        self.stop.cancel();
        match self.announcer {
            Some(Announcing::Alone(announcer)) => announcer.stop().await,
            Some(Announcing::Shared(contender)) => contender.stop().await,
            None => {}
        }
        self.tasks.close();
        if tokio::time::timeout(Duration::from_secs(3), self.tasks.wait())
            .await
            .is_err()
        {
            warn!("a reload was still running at shutdown");
        }
    }
}
