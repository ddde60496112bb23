//! Live updates: the briefs folder is loaded again when a file changes, on SIGHUP, or on
//! `/reload`. A new snapshot replaces the served one only when every file in it is valid;
//! otherwise the last good snapshot stays and the mistakes are logged once. Requests already
//! running finish on the snapshot they started with (it is an `Arc`), later ones see the new.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::{Mutex, mpsc, watch};
use tracing::{debug, error, info, warn};

use crate::commands::notices;
use crate::library::{Library, LoadError, LoadOptions};
use crate::reply::Reply;

/// The library snapshot every request reads; a reload swaps in a new one atomically.
pub type SharedLibrary = Arc<ArcSwap<Library>>;

/// A round as announcements know it: its track and number.
pub type RoundKey = (String, u32);

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

/// A load that failed: every mistake, as an editor reads them in a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub errors: usize,
    /// The diagnostics rendered as `briefbot check` prints them (no colour).
    pub report: String,
    /// Tells one failure from another: the same mistakes give the same fingerprint.
    pub fingerprint: String,
}

impl Failure {
    fn of(error: &LoadError) -> Failure {
        let report = error.diagnostics.render();
        Failure {
            errors: error.diagnostics.len(),
            fingerprint: fingerprint(&report),
            report,
        }
    }
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
        added: Vec<RoundKey>,
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
    options: LoadOptions,
    /// Taken for the whole of a load and swap, so a later load never loses to an earlier one.
    /// Holds the fingerprint of the last failure logged, so each is logged once.
    turn: Mutex<Option<String>>,
    status: watch::Sender<Status>,
}

impl Reloader {
    /// Starts serving `library`, which was loaded from `dir` with `options`.
    pub fn new(library: Library, dir: PathBuf, options: LoadOptions) -> Arc<Reloader> {
        let library = Arc::new(library);
        let (status, _) = watch::channel(Status {
            serving: library.clone(),
            failure: None,
            generation: 0,
        });
        Arc::new(Reloader {
            library: Arc::new(ArcSwap::new(library)),
            dir,
            options,
            turn: Mutex::new(None),
            status,
        })
    }

    /// The snapshot holder the transports read from.
    pub fn library(&self) -> &SharedLibrary {
        &self.library
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
        let dir = self.dir.clone();
        let options = self.options.clone();
        let loaded = tokio::task::spawn_blocking(move || Library::load(&dir, &options)).await;
        let loaded = match loaded {
            Ok(loaded) => loaded,
            // A panic in the loader is a bug; the old snapshot stays, as for a broken file.
            Err(join_error) => {
                error!(%join_error, "loading the briefs panicked; still serving the last good snapshot");
                let failure = Arc::new(Failure {
                    errors: 1,
                    report:
                        "error: briefbot failed while loading the briefs (a bug; see its logs)\n"
                            .to_string(),
                    fingerprint: "panic".to_string(),
                });
                return self.failed(failure, &mut last_failure);
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
                    rounds = library.rounds().count(),
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

/// The answer to `/reload`: the permission checked again (a server can show the command to
/// anyone it likes), the folder loaded, the outcome worded.
/// A reload longer than Discord waits for an answer goes on, and the answer says so.
pub async fn answer(reloader: &Arc<Reloader>, may_manage: bool) -> Reply {
    if !may_manage {
        warn!("/reload refused: the member may not manage the server");
        return notices::reload_not_allowed();
    }
    let reloader = reloader.clone();
    let reload = tokio::spawn(async move { reloader.reload(Trigger::Command).await });
    match tokio::time::timeout(ANSWER_WITHIN, reload).await {
        Ok(Ok(outcome)) => notices::reload_outcome(&outcome),
        Ok(Err(_)) => crate::commands::something_went_wrong(),
        Err(_) => notices::reload_slow(),
    }
}

/// How long `/reload` waits for the load before answering that it is still going: Discord
/// drops an interaction not answered within 3 s, and sending the answer takes time too.
const ANSWER_WITHIN: Duration = Duration::from_millis(1500);

/// Rounds in `new` that `old` does not have.
pub fn added_rounds(old: &Library, new: &Library) -> Vec<RoundKey> {
    let before: BTreeSet<(&str, u32)> =
        old.rounds().map(|r| (r.track.as_str(), r.number)).collect();
    new.rounds()
        .filter(|r| !before.contains(&(r.track.as_str(), r.number)))
        .map(|r| (r.track.clone(), r.number))
        .collect()
}

/// How long the folder must be quiet before it is loaded: an editor's save, or a `git pull`,
/// writes several files (and a large file in several pieces) in a burst, which becomes one
/// reload once the burst is over.
pub const QUIET: Duration = Duration::from_millis(250);
/// A folder that never goes quiet (a writer that keeps writing) is still loaded this long
/// after the first change of the burst, and again after the next.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// Keeps the folder watched while it lives.
pub struct Watch {
    _watcher: RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot watch the briefs folder {}: {source}", dir.display())]
pub struct WatchError {
    dir: PathBuf,
    source: notify::Error,
}

/// Whether a file event changes the folder. Opening and reading files is not a change: the
/// loader itself opens every file, and a reload must not cause the next one.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Watches the briefs folder (and every folder under it) and reloads once each burst of
/// changes is over. Must be called inside a tokio runtime.
pub fn watch(reloader: Arc<Reloader>) -> Result<Watch, WatchError> {
    let failed = |source| WatchError {
        dir: reloader.dir.clone(),
        source,
    };
    // One slot: a change while one is already waiting to be seen adds nothing.
    let (changes, mut changed) = mpsc::channel::<()>(1);
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event) if is_change(&event.kind) => {
                let _ = changes.try_send(());
            }
            Ok(_) => {}
            Err(error) => warn!(%error, "the briefs folder watcher reported an error"),
        })
        .map_err(failed)?;
    watcher
        .watch(&reloader.dir, RecursiveMode::Recursive)
        .map_err(failed)?;
    info!(folder = %reloader.dir.display(), "watching the briefs folder for changes");
    let task = tokio::spawn(async move {
        while changed.recv().await.is_some() {
            let deadline = tokio::time::Instant::now() + MAX_WAIT;
            loop {
                let quiet_until = (tokio::time::Instant::now() + QUIET).min(deadline);
                match tokio::time::timeout_at(quiet_until, changed.recv()).await {
                    Ok(Some(())) if tokio::time::Instant::now() < deadline => continue,
                    Ok(None) => return,
                    // Quiet for long enough, or waited long enough.
                    _ => break,
                }
            }
            reloader.reload(Trigger::Files).await;
        }
    });
    Ok(Watch {
        _watcher: watcher,
        task,
    })
}

/// SIGHUP, listened for from the moment this is made: made first thing at start, so a
/// `systemctl reload` that arrives while briefbot is still starting does not end it (SIGHUP's
/// default action). Must be made inside a tokio runtime.
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    pub fn listen() -> Hangups {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::hangup()) {
                Ok(signal) => Hangups {
                    signal: Some(signal),
                },
                Err(error) => {
                    error!(%error, "cannot listen for SIGHUP; reloads come from the watcher and /reload only");
                    Hangups { signal: None }
                }
            }
        }
        #[cfg(not(unix))]
        {
            Hangups {}
        }
    }

    /// Reloads on every SIGHUP, until the process ends.
    pub async fn reload_on_each(self, reloader: Arc<Reloader>) {
        #[cfg(unix)]
        if let Some(mut signal) = self.signal {
            while signal.recv().await.is_some() {
                reloader.reload(Trigger::Signal).await;
            }
        }
        #[cfg(not(unix))]
        let _ = reloader;
    }
}

/// A short, stable name for a text (64-bit FNV-1a, hex): kept in the state file, so it must
/// not change between Rust releases as `std`'s hasher may.
pub fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_tell_texts_apart() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
        assert_ne!(fingerprint("error A"), fingerprint("error B"));
    }
}
