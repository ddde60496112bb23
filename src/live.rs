//! Everything that keeps a running briefbot current, for `run` and `serve` alike: the
//! briefs folder watcher, SIGHUP, and (when configured) the announcer.

use std::sync::Arc;

use serenity::all::Http;
use tokio::task::JoinHandle;
use tracing::{error, info};

use crate::announce::state::StateError;
use crate::announce::{self, Announcer};
use crate::config::Config;
use crate::reload::{self, Hangups, Reloader, Watch};

/// Live updates while they run; `stop` ends them.
pub struct Live {
    _watch: Option<Watch>,
    hangup: JoinHandle<()>,
    announcer: Option<Announcer>,
}

impl Live {
    /// Starts watching the briefs folder and listening for SIGHUP, and, when `http` is given
    /// and `[announce]` names channels, announcing. Must be called inside a tokio runtime.
    /// Fails only when the announcements' state folder cannot be used.
    pub fn start(
        config: &Config,
        reloader: &Arc<Reloader>,
        hangups: Hangups,
        http: Option<Arc<Http>>,
    ) -> Result<Live, StateError> {
        // Without a watcher (inotify's limit reached, say) the bot still serves, and SIGHUP
        // and /reload still reload: worth running, not worth refusing to start.
        let watch = match reload::watch(reloader.clone()) {
            Ok(watch) => Some(watch),
            Err(error) => {
                error!(%error, "changes to the briefs need SIGHUP or /reload to be loaded");
                None
            }
        };
        let hangup = tokio::spawn(hangups.reload_on_each(reloader.clone()));
        let announcer = match http {
            Some(http) if config.announce.is_enabled() => {
                let settings = announce::Settings::from_config(config);
                info!(
                    channels = settings.channels.len(),
                    errors_channel = settings.errors_channel.is_some(),
                    state = %settings.state_dir.display(),
                    "announcing new rounds"
                );
                Some(Announcer::start(http, reloader.clone(), settings)?)
            }
            _ => None,
        };
        Ok(Live {
            _watch: watch,
            hangup,
            announcer,
        })
    }

    /// Stops watching and announcing; a post in flight gets up to three seconds.
    pub async fn stop(self) {
        self.hangup.abort();
        if let Some(announcer) = self.announcer {
            announcer.stop().await;
        }
    }
}
