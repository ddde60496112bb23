//! The briefs folder watcher: every change to a file under the folder (new subfolders too)
//! leads to one reload once the burst of changes is over. Reading a file is not a change.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

use super::reloader::{Reloader, Trigger};

/// How long the folder must be quiet before it is loaded: an editor's save, or a `git pull`,
/// writes several files (and a large file in several pieces) in a burst, which becomes one
/// reload once the burst is over.
pub(crate) const QUIET: Duration = Duration::from_millis(250);
/// A folder that never goes quiet (a writer that keeps writing) is still loaded this long
/// after the first change of the burst, and again after the next.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(1);

/// Keeps the folder watched while it lives; dropping it ends the watch (the reload in
/// progress, if any, finishes).
pub struct Watch {
    _watcher: RecommendedWatcher,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot watch the briefs folder {}: {source}", dir.display())]
pub struct WatchError {
    dir: PathBuf,
    source: notify::Error,
}

/// Whether a file event changes the folder. Opening and reading files is not a change: the
/// loader itself opens every file, and a reload must not cause the next one.
pub(crate) fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Waits for the next burst of changes and for its end: the first change, then until
/// `QUIET` passes without one, but no longer than `MAX_WAIT` after the first. False when the
/// watch has ended.
///
/// Written out rather than taken from a debouncing crate: the stock debouncers report every
/// event kind (reads included) and wait for quiet without a cap, so a folder written without
/// pause would never be loaded.
pub(crate) async fn burst_over(changes: &mut mpsc::Receiver<()>) -> bool {
    if changes.recv().await.is_none() {
        return false;
    }
    let deadline = Instant::now() + MAX_WAIT;
    loop {
        let quiet_until = (Instant::now() + QUIET).min(deadline);
        match tokio::time::timeout_at(quiet_until, changes.recv()).await {
            Ok(Some(())) if Instant::now() < deadline => continue,
            Ok(None) => return false,
            // Quiet for long enough, or waited long enough.
            _ => return true,
        }
    }
}

/// Watches the reloader's folder (and every folder under it) and reloads once each burst of
/// changes is over, on a task of `tasks`. Must be called inside a tokio runtime.
pub fn watch(reloader: Arc<Reloader>, tasks: &TaskTracker) -> Result<Watch, WatchError> {
    let failed = |source| WatchError {
        dir: reloader.dir().to_path_buf(),
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
        .watch(reloader.dir(), RecursiveMode::Recursive)
        .map_err(failed)?;
    info!(folder = %reloader.dir().display(), "watching the briefs folder for changes");
    // The task ends when the watcher is dropped: its sender goes with it.
    tasks.spawn(async move {
        while burst_over(&mut changed).await {
            reloader.reload(Trigger::Files).await;
        }
    });
    Ok(Watch { _watcher: watcher })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind};

    /// When `burst_over` returns, in paused time, for changes sent at these offsets (ms).
    async fn burst_ends_after(offsets_ms: &[u64]) -> Duration {
        let (changes, mut changed) = mpsc::channel::<()>(1);
        let start = Instant::now();
        let offsets = offsets_ms.to_vec();
        let sender = tokio::spawn(async move {
            for offset in offsets {
                tokio::time::sleep_until(start + Duration::from_millis(offset)).await;
                let _ = changes.try_send(());
            }
            // Keep the channel open: the watch has not ended.
            std::future::pending::<()>().await;
        });
        assert!(burst_over(&mut changed).await, "the watch is still on");
        sender.abort();
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn one_change_is_loaded_after_the_quiet_period() {
        assert_eq!(burst_ends_after(&[0]).await, QUIET);
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_loaded_once_it_has_been_quiet() {
        // Three saves 100 ms apart: quiet from the last one on.
        let ended = burst_ends_after(&[0, 100, 200]).await;
        assert_eq!(ended, Duration::from_millis(200) + QUIET);
    }

    #[tokio::test(start_paused = true)]
    async fn a_folder_that_never_goes_quiet_is_loaded_after_the_cap() {
        let saves: Vec<u64> = (0..100).map(|i| i * 50).collect();
        assert_eq!(burst_ends_after(&saves).await, MAX_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn the_end_of_the_watch_ends_the_wait() {
        let (changes, mut changed) = mpsc::channel::<()>(1);
        drop(changes);
        assert!(!burst_over(&mut changed).await);
    }

    #[test]
    fn reading_a_file_is_not_a_change_but_writing_one_is() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
    }
}
