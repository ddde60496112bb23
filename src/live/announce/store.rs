//! Where the announcement state lives: one interface, two backends. The state file in
//! `state_dir` is the default (nothing to set up for one process); a PostgreSQL database
//! (`[state] url`) lets several instances share the state, one of them announcing at a time.
//!
//! The announcer keeps the state in memory and hands each change to the store as the state
//! before and after it, so a database writes only what changed, in one transaction.

use std::future::Future;
use std::pin::Pin;

use super::state::{State, StateError, StateFile};

/// A store's answer, later.
pub(crate) type Stored<'a, T> = Pin<Box<dyn Future<Output = Result<T, StateError>> + Send + 'a>>;

/// The announcement state's home.
pub trait StateStore: Send + Sync {
    /// Where the state is, for logs and messages: a file's path, or a database's URL without
    /// its password.
    fn place(&self) -> String;

    /// The state, or `None` when there is none yet (the very first start).
    fn load(&self) -> Stored<'_, Option<State>>;

    /// Replaces `current`, what the store holds, with `next`: all of it or nothing. Called
    /// before anything is posted on the strength of `next`. A database also checks here, in
    /// the same transaction, that this instance still holds the announcer's lock, so it runs
    /// even when `next` changes nothing: a post follows only a save that succeeded.
    fn save<'a>(&'a self, current: &'a State, next: &'a State) -> Stored<'a, ()>;
}

impl StateStore for StateFile {
    fn place(&self) -> String {
        self.path().display().to_string()
    }

    fn load(&self) -> Stored<'_, Option<State>> {
        let file = self.clone();
        Box::pin(async move { on_a_blocking_thread(self, move || file.load()).await? })
    }

    fn save<'a>(&'a self, current: &'a State, next: &'a State) -> Stored<'a, ()> {
        Box::pin(async move {
            // One process owns the file (its lock): nothing to check, nothing to write.
            if current == next {
                return Ok(());
            }
            let (file, next) = (self.clone(), next.clone());
            on_a_blocking_thread(self, move || file.save(&next)).await?
        })
    }
}

/// Runs the file's reads and writes (fsyncs among them) off the async threads.
async fn on_a_blocking_thread<T: Send + 'static>(
    file: &StateFile,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StateError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| StateError::Write {
            path: file.path().to_path_buf(),
            source: std::io::Error::other("the thread reading or writing the state file failed"),
        })
}
