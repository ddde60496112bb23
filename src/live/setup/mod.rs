//! Servers' own announcement settings (`/setup`): per server and track, the channel new rounds
//! go to and the role they ping, as that server's admins chose them. Kept beside the
//! announcement state (`servers.json` for one process; a table of the state database for
//! several) and seen by every instance: each change is published at once in the process that
//! made it, and the database is read again every `POLL` for the others' changes.
//!
//! Settings that go stale (a channel deleted, briefbot removed from a server, a role deleted)
//! are switched off once, logged, and shown to the server's admins; never retried.
//!
//! The rooms: `model` (the values), `store` (their two homes), this file (the running whole).

mod model;
mod store;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

pub use model::{ServerSetting, ServerSettings};
pub(crate) use store::SettingsFile;
pub use store::SetupError;
use store::{Change, SettingsStore, SettingsTable};

use crate::config::{Config, SetupConfig, Shards};

/// How often an instance reads the database for other instances' changes: a change made on
/// one instance reaches the others within this long.
pub const POLL: Duration = Duration::from_secs(2);

/// What the settings are as this process knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub settings: ServerSettings,
    /// The store was read at least once: until then, nothing is known of any server, and
    /// nothing is dropped for a server's channel that is not (yet) there.
    pub loaded: bool,
}

/// The settings of every server, with the one place to change them.
pub struct Setup {
    config: SetupConfig,
    store: Arc<dyn SettingsStore>,
    current: watch::Sender<Arc<Snapshot>>,
    stop: CancellationToken,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("store", &self.store.place())
            .field("config", &self.config)
            .finish()
    }
}

/// Why `/setup` is off in this process, in an operator's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Off(pub String);

impl Setup {
    /// The settings for the bot `config` describes, or why this process cannot keep them:
    /// a file serves only one process, so a gateway split over several processes needs the
    /// database, and a second process on the same state folder is refused.
    pub async fn start(config: &Config) -> Result<Arc<Setup>, Off> {
        let store: Arc<dyn SettingsStore> = match &config.database {
            Some(url) => Arc::new(SettingsTable::new(url)),
            None => {
                if let Shards::Range { first, last, total } = config.discord.shards
                    && (first, last + 1) != (0, total)
                {
                    return Err(Off(format!(
                        "this process runs shards {first} to {last} of {total}, and processes cannot share a settings file: keep the state in PostgreSQL ([state] url) to let servers set themselves up"
                    )));
                }
                let file = SettingsFile::open(&config.state_dir).map_err(|e| Off(e.to_string()))?;
                Arc::new(file)
            }
        };
        let setup = Arc::new(Setup {
            config: config.setup.clone(),
            store,
            current: watch::Sender::new(Arc::new(Snapshot::default())),
            stop: CancellationToken::new(),
        });
        match setup.store.load().await {
            Ok(settings) => setup.publish(settings),
            Err(error) => {
                warn!(%error, "cannot read the servers' settings yet; /setup targets are announced once they are read")
            }
        }
        info!(
            store = %setup.store.place(),
            servers = setup.current().settings.rows.len(),
            "servers may set themselves up with /setup"
        );
        if config.database.is_some() {
            tokio::spawn(follow_the_table(setup.clone()));
        }
        Ok(setup)
    }

    /// The settings from `store`, for tests and tools that read them as they are.
    pub async fn read(config: &Config) -> Result<ServerSettings, SetupError> {
        match &config.database {
            Some(url) => SettingsTable::new(url).load().await,
            None => store::read_file(&config.state_dir.join(SettingsFile::NAME)),
        }
    }

    pub fn config(&self) -> &SetupConfig {
        &self.config
    }

    /// The settings as this process knows them now.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.borrow().clone()
    }

    /// Told of every change, wherever it was made.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.current.subscribe()
    }

    /// Stops reading the database for other instances' changes.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    fn publish(&self, settings: ServerSettings) {
        self.current.send_if_modified(|current| {
            let next = Snapshot {
                settings,
                loaded: true,
            };
            let changed = **current != next;
            if changed {
                *current = Arc::new(next);
            }
            changed
        });
    }

    /// Makes `change` on the settings as stored now; the settings after it, published.
    pub async fn change(
        &self,
        change: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> Result<ServerSettings, SetupError> {
        let change: Change = Box::new(change);
        let settings = self.store.change(change).await?;
        self.publish(settings.clone());
        Ok(settings)
    }

    /// Switches off, once, the channels `gone` picks (with `why`, which the server's admins
    /// see in `/setup`), logging each.
    pub async fn switch_off_channels(
        &self,
        gone: impl Fn(&ServerSetting) -> bool + Send + Sync + 'static,
        why: &str,
    ) -> Result<Vec<ServerSetting>, SetupError> {
        if !self
            .current()
            .settings
            .rows
            .iter()
            .any(|r| r.live_channel().is_some() && gone(r))
        {
            return Ok(Vec::new());
        }
        let why = why.to_string();
        let (off_tx, off_rx) = std::sync::mpsc::channel();
        self.change(move |settings| {
            let _ = off_tx.send(settings.switch_off_channels(gone, &why, unix_ms()));
        })
        .await?;
        let off = off_rx.try_recv().unwrap_or_default();
        for row in &off {
            warn!(
                server = row.server,
                track = %row.track,
                channel = row.channel,
                why = row.channel_off.as_deref().unwrap_or_default(),
                "a server's announcement channel is switched off; its admins see why in /setup"
            );
        }
        Ok(off)
    }

    /// Switches off, once, the follow roles `gone` picks, logging each.
    pub async fn switch_off_roles(
        &self,
        gone: impl Fn(&ServerSetting) -> bool + Send + Sync + 'static,
        why: &str,
    ) -> Result<Vec<ServerSetting>, SetupError> {
        if !self
            .current()
            .settings
            .rows
            .iter()
            .any(|r| r.live_role().is_some() && gone(r))
        {
            return Ok(Vec::new());
        }
        let why = why.to_string();
        let (off_tx, off_rx) = std::sync::mpsc::channel();
        self.change(move |settings| {
            let _ = off_tx.send(settings.switch_off_roles(gone, &why, unix_ms()));
        })
        .await?;
        let off = off_rx.try_recv().unwrap_or_default();
        for row in &off {
            warn!(
                server = row.server,
                track = %row.track,
                role = row.role,
                why = row.role_off.as_deref().unwrap_or_default(),
                "a server's follow role is switched off; its admins see why in /setup"
            );
        }
        Ok(off)
    }

    /// A channel Discord says is gone (deleted, or not found): switched off wherever a
    /// server chose it.
    pub async fn channel_gone(&self, channel: u64) -> Result<Vec<ServerSetting>, SetupError> {
        self.switch_off_channels(
            move |r| r.channel == Some(channel),
            "the channel was deleted, or briefbot can no longer see it",
        )
        .await
    }

    /// briefbot was removed from `server` (or Discord no longer knows it): everything the
    /// server chose is switched off.
    pub async fn server_gone(&self, server: u64) -> Result<Vec<ServerSetting>, SetupError> {
        let why = "briefbot was removed from the server";
        let mut off = self
            .switch_off_channels(move |r| r.server == server, why)
            .await?;
        off.extend(
            self.switch_off_roles(move |r| r.server == server, why)
                .await?,
        );
        Ok(off)
    }

    /// A role deleted in `server`: switched off where the server chose it to follow a track.
    pub async fn role_gone(
        &self,
        server: u64,
        role: u64,
    ) -> Result<Vec<ServerSetting>, SetupError> {
        self.switch_off_roles(
            move |r| r.server == server && r.role == Some(role),
            "the role was deleted",
        )
        .await
    }
}

/// Reads the table every `POLL` and publishes what other instances changed, until stopped.
async fn follow_the_table(setup: Arc<Setup>) {
    let mut failing = false;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = setup.stop.cancelled() => return,
        }
        match setup.store.load().await {
            Ok(settings) => {
                if failing {
                    info!("the servers' settings can be read again");
                    failing = false;
                }
                setup.publish(settings);
            }
            Err(error) => {
                if !failing {
                    warn!(%error, "cannot read the servers' settings; the last ones read stay in use");
                    failing = true;
                }
            }
        }
    }
}

/// Now, in Unix milliseconds.
fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
