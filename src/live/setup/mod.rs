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

pub use model::{Part, ServerSetting, ServerSettings};
pub(crate) use store::SettingsFile;
pub use store::SetupError;
use store::{Change, SettingsStore, SettingsTable};

use crate::config::{Config, SetupConfig, Shards};
use crate::live::clock::unix_ms;

/// How often an instance reads the database for other instances' changes: a change made on
/// one instance reaches the others within this long.
pub const POLL: Duration = Duration::from_secs(2);

/// What the settings are as this process knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Every server's settings, as stored (what `/setup` shows its admins).
    pub settings: ServerSettings,
    /// What is in force under `[setup]`: the servers allowed, each within the cap (what is
    /// announced, and which follow roles are given).
    pub in_force: ServerSettings,
    /// The store was read at least once: until then, nothing is known of any server, and
    /// nothing is dropped for a server's channel that is not (yet) there.
    pub loaded: bool,
}

/// The settings of every server, with the one place to change them.
pub struct Setup {
    config: SetupConfig,
    store: Arc<dyn SettingsStore>,
    current: watch::Sender<Arc<Snapshot>>,
    /// One change at a time in this process, published before the next is made, so what is
    /// published never goes back to an older state.
    writing: tokio::sync::Mutex<()>,
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
            writing: tokio::sync::Mutex::new(()),
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

    /// The settings as stored, read and nothing changed (no migration applied, no lock
    /// taken): for `briefbot doctor`, and tools that only look.
    pub async fn read(config: &Config) -> Result<ServerSettings, SetupError> {
        match &config.database {
            Some(url) => SettingsTable::reading(url).load().await,
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
                in_force: settings.in_force(&self.config),
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
        self.change_with(change).await.map(|(_, settings)| settings)
    }

    /// Makes `change` on the settings as stored now (what it decides from them is its
    /// answer); its answer and the settings after it, published.
    pub async fn change_with<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut ServerSettings) -> T + Send + 'static,
    ) -> Result<(T, ServerSettings), SetupError> {
        let _turn = self.writing.lock().await;
        let (answer_tx, answer_rx) = std::sync::mpsc::channel();
        let change: Change = Box::new(move |settings| {
            let _ = answer_tx.send(change(settings));
        });
        let settings = self.store.change(change).await?;
        self.publish(settings.clone());
        let answer = answer_rx.try_recv().map_err(|_| SetupError::Database {
            place: self.store.place(),
            message: "the change was not made".to_string(),
        })?;
        Ok((answer, settings))
    }

    /// Switches off, once, `what` (the channel, or the role) in the rows `gone` picks, with
    /// `why`, which the server's admins see in `/setup`; each logged.
    pub async fn switch_off(
        &self,
        what: Part,
        gone: impl Fn(&ServerSetting) -> bool + Send + Sync + 'static,
        why: &str,
    ) -> Result<Vec<ServerSetting>, SetupError> {
        if !self
            .current()
            .settings
            .rows
            .iter()
            .any(|r| r.is_live(what) && gone(r))
        {
            return Ok(Vec::new());
        }
        let why = why.to_string();
        let (off, _) = self
            .change_with(move |settings| settings.switch_off(what, gone, &why, unix_ms()))
            .await?;
        for row in &off {
            match what {
                Part::Channel => warn!(
                    server = row.server,
                    track = %row.track,
                    channel = row.channel,
                    why = row.channel_off.as_deref().unwrap_or_default(),
                    "a server's announcement channel is switched off; its admins see why in /setup"
                ),
                Part::Role => warn!(
                    server = row.server,
                    track = %row.track,
                    role = row.role,
                    why = row.role_off.as_deref().unwrap_or_default(),
                    "a server's follow role is switched off; its admins see why in /setup"
                ),
            }
        }
        Ok(off)
    }

    /// A channel Discord says is gone (deleted, or not found): switched off wherever a
    /// server chose it.
    pub async fn channel_gone(&self, channel: u64) -> Result<Vec<ServerSetting>, SetupError> {
        self.switch_off(
            Part::Channel,
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
            .switch_off(Part::Channel, move |r| r.server == server, why)
            .await?;
        off.extend(
            self.switch_off(Part::Role, move |r| r.server == server, why)
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
        self.switch_off(
            Part::Role,
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
