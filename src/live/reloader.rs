//! The served snapshot and how it is replaced: a reload loads the whole folder off the async
//! threads and swaps the new `Library` in only when every file in it is valid; otherwise the
//! last good snapshot stays and the mistakes are logged once. Requests already running finish
//! on the snapshot they started with (it is an `Arc`), later ones see the new. At each
//! embargo's moment, by the clock it is handed, it serves that round the same way.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, watch};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info};

use super::clock::{Clock, SystemClock};
use crate::library::{Failure, Folder, Library, LoadOptions, Round, RoundId};
use crate::metrics::Metrics;

/// The library snapshot every request reads; a reload swaps in a new one atomically.
pub type SharedLibrary = Arc<ArcSwap<Library>>;

/// What made briefbot load the folder again, for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The file watcher saw a change.
    Files,
    /// SIGHUP.
    Signal,
    /// Someone used `/reload`.
    Command,
}

/// How a snapshot came to be served, for the logs: a load of the folder, or an embargo
/// lifting in the snapshot already served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Load(Trigger),
    Embargo,
}

/// The state of the briefs folder as last loaded: the snapshot being served, when it was
/// loaded, and whether the files on disk failed to load since it was swapped in.
#[derive(Debug, Clone)]
pub struct Status {
    pub(crate) serving: Arc<Library>,
    /// When the folder was last loaded cleanly (by the reloader's clock): the load served
    /// now, or the one an embargo lifted in.
    pub loaded_at: SystemTime,
    /// The mistakes of the last reload, when it failed (and the last good snapshot stays).
    pub failure: Option<Arc<Failure>>,
    /// How many reloads have finished: 0 for the library briefbot started with.
    pub(crate) generation: u64,
}

/// What one reload did.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The new snapshot is being served; `added` are rounds it has that the old one did not.
    Loaded {
        library: Arc<Library>,
        added: Vec<RoundId>,
    },
    /// The files have mistakes; `serving` is the last good snapshot, still served.
    Failed {
        failure: Arc<Failure>,
        serving: Arc<Library>,
    },
}

/// Holds the served snapshot and loads new ones, one load at a time.
pub struct Reloader {
    library: SharedLibrary,
    dir: PathBuf,
    /// The folder as last read: a reload parses only the files that changed since.
    folder: Arc<std::sync::Mutex<Folder>>,
    /// Taken for the whole of a load and swap, so a later load never loses to an earlier one.
    /// Holds the fingerprint of the last failure logged, so each is logged once.
    turn: Mutex<Option<String>>,
    status: watch::Sender<Status>,
    /// What "now" is when deciding which embargoes have lifted.
    clock: Arc<dyn Clock>,
    /// The rounds each snapshot served since the start added, oldest first (snapshots that
    /// added none are left out): an instance that becomes the announcer later applies the
    /// flood limit to each of these as its own reload, not to all of them as one.
    arrivals: std::sync::Mutex<std::collections::VecDeque<Vec<RoundId>>>,
    /// The process's metrics: made here, since every part of a running briefbot (both
    /// transports, the handler, the announcer) holds this reloader, and counted by all.
    metrics: Metrics,
}

/// How many snapshots' arrivals are remembered: far more than an outage of the state
/// database sees saved. Older ones count as there at the start.
const ARRIVALS_KEPT: usize = 1000;

impl Reloader {
    /// Starts serving `library`, which was loaded from `dir` with `options`; the first
    /// reload reads every file again.
    pub fn new(library: Library, dir: PathBuf, options: LoadOptions) -> Arc<Reloader> {
        Reloader::with_folder(library, Folder::new(&dir, options))
    }

    /// Starts serving `library`, which `folder` loaded: reloads read only what changed.
    pub fn with_folder(library: Library, folder: Folder) -> Arc<Reloader> {
        Reloader::with_clock(library, folder, Arc::new(SystemClock))
    }

    /// As `with_folder`, publishing embargoed rounds by `clock` (`library` must have been
    /// loaded at its now).
    pub fn with_clock(library: Library, folder: Folder, clock: Arc<dyn Clock>) -> Arc<Reloader> {
        let dir = folder.root().to_path_buf();
        let library = Arc::new(library);
        let (status, _) = watch::channel(Status {
            serving: library.clone(),
            loaded_at: clock.now(),
            failure: None,
            generation: 0,
        });
        Arc::new(Reloader {
            library: Arc::new(ArcSwap::new(library)),
            dir,
            folder: Arc::new(std::sync::Mutex::new(folder)),
            turn: Mutex::new(None),
            status,
            clock,
            arrivals: std::sync::Mutex::new(std::collections::VecDeque::new()),
            metrics: Metrics::new(),
        })
    }

    /// The process's metrics, which everything that holds this reloader counts into.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// What is served now, when it was loaded, and the mistakes of a reload that failed since.
    pub fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    /// The snapshot holder the transports read from.
    pub fn library(&self) -> &SharedLibrary {
        &self.library
    }

    /// The folder it loads from.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot being served now.
    pub fn current(&self) -> Arc<Library> {
        self.library.load_full()
    }

    /// How many reloads have finished (each sends one status).
    pub fn generation(&self) -> u64 {
        self.status.borrow().generation
    }

    /// The rounds each snapshot served since the start added, oldest first, one list per
    /// snapshot that added any.
    pub(crate) fn arrivals(&self) -> Vec<Vec<RoundId>> {
        let arrivals = self.arrivals.lock().unwrap_or_else(|p| p.into_inner());
        arrivals.iter().cloned().collect()
    }

    /// Follows every reload's result (announcements and the errors channel listen here).
    pub fn subscribe(&self) -> watch::Receiver<Status> {
        self.status.subscribe()
    }

    /// Loads the folder again, off the async threads, and swaps the new snapshot in if every
    /// file is valid.
    pub async fn reload(&self, trigger: Trigger) -> Outcome {
        let mut last_failure = self.turn.lock().await;
        let started = Instant::now();
        let folder = self.folder.clone();
        let now = self.clock.now();
        let loaded = tokio::task::spawn_blocking(move || {
            // A panic in an earlier load leaves the folder's cache as it was: still usable.
            let mut folder = folder
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            folder.load_at(now)
        })
        .await;
        let loaded = match loaded {
            Ok(loaded) => loaded,
            // A panic in the loader is a bug; the old snapshot stays, as for a broken file.
            Err(join_error) => {
                error!(%join_error, "loading the briefs panicked; still serving the last good snapshot");
                self.metrics.reload("failed");
                return self.failed(Arc::new(Failure::crashed()), &mut last_failure);
            }
        };
        match loaded {
            Ok(library) => {
                let recovered = last_failure.take().is_some();
                self.metrics.reload("loaded");
                let outcome = self.serve(library, Cause::Load(trigger), None, started);
                if recovered {
                    info!("the briefs load cleanly again");
                }
                outcome
            }
            Err(error) => {
                self.metrics.reload("failed");
                let failure = Arc::new(Failure::of(&error));
                if last_failure.as_deref() != Some(failure.fingerprint.as_str()) {
                    error!(
                        ?trigger,
                        errors = failure.errors,
                        "the briefs have mistakes; still serving the last good snapshot"
                    );
                    for item in error.diagnostics.items() {
                        error!(at = %item.position(), "{}", item.message);
                    }
                } else {
                    debug!(?trigger, "the briefs still have the same mistakes");
                }
                self.failed(failure, &mut last_failure)
            }
        }
    }

    /// Serves every embargoed round whose moment has come by the clock, in a snapshot made
    /// from the one served (no file is read, so a broken edit does not hold it back); `None`
    /// when none has come.
    pub(crate) async fn publish_due(&self) -> Option<Outcome> {
        let _turn = self.turn.lock().await;
        let started = Instant::now();
        let library = self.current().publish_due(self.clock.now())?;
        // The folder's mistakes, if any, are still there: the status keeps saying so.
        let failure = self.status.borrow().failure.clone();
        Some(self.serve(library, Cause::Embargo, failure, started))
    }

    /// Publishes each embargoed round at its moment, without a save or a restart, until
    /// `stop`: waits by the clock for the earliest embargo of the snapshot served, and looks
    /// again whenever another snapshot is served (a reload may add or move an embargo).
    pub async fn publish_on_time(self: Arc<Self>, stop: CancellationToken) {
        let mut status = self.subscribe();
        loop {
            let next = status.borrow_and_update().serving.next_publication();
            let moment = async {
                match next {
                    Some(at) => self.clock.sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = stop.cancelled() => return,
                changed = status.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = moment => {
                    self.publish_due().await;
                }
            }
        }
    }

    /// Swaps `library` in and tells the followers.
    fn serve(
        &self,
        library: Library,
        cause: Cause,
        failure: Option<Arc<Failure>>,
        started: Instant,
    ) -> Outcome {
        let library = Arc::new(library);
        // An embargo lifted keeps the time of the load it was lifted in.
        let loaded_at = match cause {
            Cause::Load(_) => self.clock.now(),
            Cause::Embargo => self.status.borrow().loaded_at,
        };
        let old = self.library.swap(library.clone());
        let added = added_rounds(&old, &library);
        if !added.is_empty() {
            let mut arrivals = self.arrivals.lock().unwrap_or_else(|p| p.into_inner());
            if arrivals.len() == ARRIVALS_KEPT {
                arrivals.pop_front();
            }
            arrivals.push_back(added.clone());
        }
        let elapsed_us = started.elapsed().as_micros() as u64;
        let (rounds, tracks, new) = (library.round_count(), library.tracks().len(), added.len());
        match cause {
            Cause::Load(trigger) => {
                info!(?trigger, rounds, tracks, new, elapsed_us, "briefs reloaded")
            }
            Cause::Embargo => {
                info!(published = %RoundId::list(&added), rounds, tracks, elapsed_us, "embargoed rounds published")
            }
        }
        self.status.send_replace(Status {
            serving: library.clone(),
            loaded_at,
            failure,
            generation: self.generation() + 1,
        });
        Outcome::Loaded { library, added }
    }

    fn failed(&self, failure: Arc<Failure>, last_failure: &mut Option<String>) -> Outcome {
        *last_failure = Some(failure.fingerprint.clone());
        let serving = self.current();
        let loaded_at = self.status.borrow().loaded_at;
        self.status.send_replace(Status {
            serving: serving.clone(),
            loaded_at,
            failure: Some(failure.clone()),
            generation: self.generation() + 1,
        });
        Outcome::Failed { failure, serving }
    }
}

/// Rounds in `new` that `old` does not have.
pub(crate) fn added_rounds(old: &Library, new: &Library) -> Vec<RoundId> {
    let before: BTreeSet<RoundId> = old.rounds().map(Round::id).collect();
    new.rounds()
        .map(Round::id)
        .filter(|id| !before.contains(id))
        .collect()
}
