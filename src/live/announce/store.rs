//! Where the announcement state lives: one interface, two backends. The state file in
//! `state_dir` is the default (nothing to set up for one process); a PostgreSQL database
//! (`[state] url`) lets several instances share the state, one of them announcing at a time.
//!
//! The announcer keeps the state in memory and hands each change to the store as the state
//! before and after it, so a database writes only what changed, in one transaction.

use std::future::Future;
use std::pin::Pin;

use super::state::{State, StateError};

/// A store's answer, later.
pub type Stored<'a, T> = Pin<Box<dyn Future<Output = Result<T, StateError>> + Send + 'a>>;

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
