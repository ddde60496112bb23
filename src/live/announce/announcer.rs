//! The running announcer: the state it starts from (recorded on the very first start), and
//! its workers, one per channel, the errors channel's two and the one that follows the
//! reloads, until it is stopped.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

use super::errors_channel::{errors_worker, notes_worker};
use super::settings::Settings;
use super::shared::{Shared, Store, reached};
use super::state::{State, StateError, StateFile};
use super::store::StateStore;
use super::targets::Targets;
use super::workers::{follow_reloads, start_workers};
use crate::library::Library;
use crate::live::reloader::{Reloader, Status};
use crate::rest::Rest;

/// The running announcer: one worker per channel, one for the errors channel, and one that
/// follows the reloads.
pub struct Announcer {
    pub(super) shared: Arc<Shared>,
    tasks: TaskTracker,
    /// With a state file, held while the announcer runs: a second briefbot on the same state
    /// folder would announce everything again. (A database's lock is its connection's.)
    _lock: Option<std::fs::File>,
}

/// The state an announcer starts from, and what was changed to get it.
struct Prepared {
    state: State,
    /// No state was there: every round served now is recorded, none announced.
    first_start: bool,
    /// Pending announcements dropped because their channel is no longer configured.
    dropped: usize,
    /// Notes dropped because no errors channel is configured any more.
    dropped_notes: usize,
}

/// The state to start from, given what the store held (`None` on the very first start).
fn prepare(loaded: Option<State>, library: &Library, settings: &Settings) -> Prepared {
    let servers = settings.setup.as_ref().map(|s| s.current());
    let targets = Targets::of(settings, servers.as_deref());
    match loaded {
        Some(mut state) => {
            let before = state.pending.len();
            state.pending.retain(|p| targets.wants(p.channel, &p.track));
            let dropped_notes = if settings.errors_channel.is_some() {
                0
            } else {
                let notes: Vec<String> = state.notes.iter().map(|n| n.key.clone()).collect();
                notes.iter().for_each(|key| state.noted(key));
                notes.len()
            };
            Prepared {
                dropped: before - state.pending.len(),
                dropped_notes,
                state,
                first_start: false,
            }
        }
        None => Prepared {
            state: State::baseline(library),
            first_start: true,
            dropped: 0,
            dropped_notes: 0,
        },
    }
}

impl Prepared {
    fn log(&self, place: &str, rounds: usize) {
        if self.first_start {
            info!(
                rounds,
                state = place,
                "first start: the rounds already there are recorded, not announced"
            );
        }
        if self.dropped > 0 {
            warn!(
                dropped = self.dropped,
                "pending announcements for channels no longer in [announce] channels are dropped"
            );
        }
        if self.dropped_notes > 0 {
            warn!(
                dropped = self.dropped_notes,
                "notes for the errors channel are dropped: [announce] errors_channel is no longer set"
            );
        }
    }

    fn changed(&self) -> bool {
        self.first_start || self.dropped > 0 || self.dropped_notes > 0
    }
}

impl Announcer {
    /// Reads (or on the very first start, writes) the state file, then starts posting what is
    /// pending and what later reloads add. Errors are about the state file: the announcer
    /// cannot keep its promise without it, so briefbot does not start.
    pub fn start(
        rest: Rest,
        reloader: Arc<Reloader>,
        settings: Settings,
    ) -> Result<Announcer, StateError> {
        let file = StateFile::in_dir(&settings.state_dir)?;
        let lock = file.lock()?;
        // Subscribed before the first look, so no reload between the two is missed.
        let status = reloader.subscribe();
        let library = reloader.current();
        let prepared = prepare(file.load()?, &library, &settings);
        if prepared.changed() {
            file.save(&prepared.state)?;
        }
        prepared.log(&file.path().display().to_string(), library.round_count());
        info!(role = "active", state = %file.path().display(), "this instance announces: the state file is its own");
        let store = Store {
            state: prepared.state,
            backend: Arc::new(file),
        };
        Ok(Announcer::spawn(
            rest,
            reloader,
            &settings,
            store,
            status,
            Some(lock),
        ))
    }

    /// The same as `start`, from the state in `backend` (a database whose lock this instance
    /// holds).
    pub(crate) async fn start_on(
        rest: Rest,
        reloader: Arc<Reloader>,
        settings: &Settings,
        backend: Arc<dyn StateStore>,
    ) -> Result<Announcer, StateError> {
        let status = reloader.subscribe();
        let library = reloader.current();
        let loaded = backend.load().await?;
        let before = loaded.clone().unwrap_or_else(State::empty);
        let prepared = prepare(loaded, &library, settings);
        if prepared.changed() {
            backend.save(&before, &prepared.state).await?;
        }
        prepared.log(&backend.place(), library.round_count());
        let store = Store {
            state: prepared.state,
            backend,
        };
        Ok(Announcer::spawn(
            rest, reloader, settings, store, status, None,
        ))
    }

    /// Starts the workers on `store`: one per channel, the errors channel's, and the one that
    /// follows the reloads from `status` on.
    fn spawn(
        rest: Rest,
        reloader: Arc<Reloader>,
        settings: &Settings,
        store: Store,
        status: watch::Receiver<Status>,
        lock: Option<std::fs::File>,
    ) -> Announcer {
        let shared = Arc::new(Shared::new(rest, reloader, store, settings));
        // The channel workers are started by the one that follows the reloads, as the
        // targets become known (and later, as servers choose channels of their own).
        start_workers(&shared);
        let tasks = shared.tasks.clone();
        tasks.spawn(follow_reloads(shared.clone(), status.clone()));
        if let Some(channel) = settings.errors_channel {
            tasks.spawn(notes_worker(shared.clone(), channel));
            tasks.spawn(errors_worker(shared.clone(), status));
        }
        Announcer {
            shared,
            tasks,
            _lock: lock,
        }
    }

    /// Whether the new rounds of reload `generation` (see `Reloader::generation`), or of a
    /// later one, are recorded and queued.
    pub fn has_recorded(&self, generation: u64) -> bool {
        reached(&self.shared.rounds_recorded, generation)
    }

    /// Whether the errors channel's workers have fully acted on reload `generation`, or a
    /// later one: recorded the notes it called for, and posted every note recorded.
    pub fn has_reported(&self, generation: u64) -> bool {
        reached(&self.shared.errors_handled, generation)
            && self.shared.state(|s| s.notes.is_empty())
    }

    /// Notes recorded for the errors channel and not yet confirmed by Discord.
    pub fn notes_waiting(&self) -> usize {
        self.shared.state(|s| s.notes.len())
    }

    /// Announcements not yet confirmed by Discord.
    pub fn pending(&self) -> usize {
        self.shared.state(|s| s.pending.len())
    }

    /// Announcements waiting for an edit (their round changed or was removed).
    pub fn edits_waiting(&self) -> usize {
        self.shared.edits.lock().map_or(0, |edits| edits.len())
    }

    /// A copy of the state as last written.
    pub fn state(&self) -> State {
        self.shared.state(State::clone)
    }

    /// Stops the workers, giving a post in flight up to three seconds to be confirmed.
    pub async fn stop(self) {
        self.shared.stop.cancel();
        self.tasks.close();
        if tokio::time::timeout(Duration::from_secs(3), self.tasks.wait())
            .await
            .is_err()
        {
            warn!(
                "an announcement was still in flight at shutdown; it is checked on the next start"
            );
        }
    }
}
