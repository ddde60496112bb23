//! The served snapshot and how it is replaced: a reload loads the whole folder off the async
//! threads and swaps the new `Library` in only when every file in it is valid; otherwise the
//! last good snapshot stays and the mistakes are logged once. Requests already running finish
//! on the snapshot they started with (it is an `Arc`), later ones see the new.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, watch};
use tracing::{debug, error, info};

use crate::library::{Failure, Folder, Library, LoadOptions, Round, RoundId};

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

/// The state of the briefs folder as last loaded: the snapshot being served, and whether the
/// files on disk failed to load since it was swapped in.
#[derive(Debug, Clone)]
pub struct Status {
    pub serving: Arc<Library>,
    pub failure: Option<Arc<Failure>>,
    /// How many reloads have finished: 0 for the library briefbot started with.
    pub generation: u64,
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
}

impl Reloader {
    /// Starts serving `library`, which was loaded from `dir` with `options`; the first
    /// reload reads every file again.
    pub fn new(library: Library, dir: PathBuf, options: LoadOptions) -> Arc<Reloader> {
        Reloader::with_folder(library, Folder::new(&dir, options))
    }

    /// Starts serving `library`, which `folder` loaded: reloads read only what changed.
    pub fn with_folder(library: Library, folder: Folder) -> Arc<Reloader> {
        let dir = folder.root().to_path_buf();
        let library = Arc::new(library);
        let (status, _) = watch::channel(Status {
            serving: library.clone(),
            failure: None,
            generation: 0,
        });
        Arc::new(Reloader {
            library: Arc::new(ArcSwap::new(library)),
            dir,
            folder: Arc::new(std::sync::Mutex::new(folder)),
            turn: Mutex::new(None),
            status,
        })
    }

    /// The snapshot holder the transports read from.
    pub fn library(&self) -> &SharedLibrary {
        &self.library
    }

    /// The folder it loads from.
    pub fn dir(&self) -> &Path {
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
        let loaded = tokio::task::spawn_blocking(move || {
            // A panic in an earlier load leaves the folder's cache as it was: still usable.
            let mut folder = folder
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            folder.load()
        })
        .await;
        let loaded = match loaded {
            Ok(loaded) => loaded,
            // A panic in the loader is a bug; the old snapshot stays, as for a broken file.
            Err(join_error) => {
                error!(%join_error, "loading the briefs panicked; still serving the last good snapshot");
                return self.failed(Arc::new(Failure::crashed()), &mut last_failure);
            }
        };
        match loaded {
            Ok(library) => {
                let library = Arc::new(library);
                let old = self.library.swap(library.clone());
                let added = added_rounds(&old, &library);
                let recovered = last_failure.take().is_some();
                info!(
                    ?trigger,
                    rounds = library.round_count(),
                    tracks = library.tracks().len(),
                    new = added.len(),
                    elapsed_us = started.elapsed().as_micros() as u64,
                    "briefs reloaded"
                );
                if recovered {
                    info!("the briefs load cleanly again");
                }
                self.status.send_replace(Status {
                    serving: library.clone(),
                    failure: None,
                    generation: self.generation() + 1,
                });
                Outcome::Loaded { library, added }
            }
            Err(error) => {
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

    fn failed(&self, failure: Arc<Failure>, last_failure: &mut Option<String>) -> Outcome {
        *last_failure = Some(failure.fingerprint.clone());
        let serving = self.current();
        self.status.send_replace(Status {
            serving: serving.clone(),
            failure: Some(failure.clone()),
            generation: self.generation() + 1,
        });
        Outcome::Failed { failure, serving }
    }
}

/// Rounds in `new` that `old` does not have.
pub fn added_rounds(old: &Library, new: &Library) -> Vec<RoundId> {
    let before: BTreeSet<RoundId> = old.rounds().map(Round::id).collect();
    new.rounds()
        .map(Round::id)
        .filter(|id| !before.contains(id))
        .collect()
}
