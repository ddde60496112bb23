//! Announcements: a new round's card posted once in each configured channel, and a failed
//! reload's mistakes posted to the editors' channel once per distinct failure.
//!
//! What this module promises, the delivery guarantee (exactly once in each channel, across
//! restarts, crashes and takeovers, and where that ends), is written once, for operators, in
//! `docs/announcements.md#the-delivery-guarantee`; what each kind of answer from Discord means
//! for each operation is in `docs/announcements.md#what-each-answer-from-discord-means`.
//!
//! More new rounds in one batch than `max_new_per_reload` (an archive imported, a track
//! renamed) are recorded as known and none is queued: logged, and noted for the errors
//! channel. A batch is what one reload added (`Reloader::arrivals`), or what was there when
//! this process started. The same limit guards edits.
//!
//! Notes to the errors channel are events in the state, recorded with what they tell of and
//! posted from there once (`errors_channel`).
//!
//! Each channel has its own worker, so a channel that fails (deleted, no permission,
//! rate-limited) is retried with backoff while the others go on.
//!
//! The rooms, each using only those below it:
//! - the ledger: `state` (what is remembered, and the state file), `store` (the one interface,
//!   the file's side of it), `database` (PostgreSQL, its lock), `transfer` (import, export);
//! - `settings`; `policy` (what each answer from Discord means, per operation);
//! - `targets` (where new rounds go: the operator's channels and the servers' own);
//! - `shared` (what the workers share, written one change at a time);
//! - `lookup` (briefbot's own posts found again), `posting` (what an announcement is);
//! - `modes` (threads, forum posts, crossposts), `delivery` (one announcement in one
//!   channel), `edits`, `errors_channel` (the notes);
//! - `workers` (following reloads; one worker per channel), `announcer` (the running whole),
//!   `contend` (instances competing for the database's lock), `by_hand` (`briefbot
//!   announce`).

mod announcer;
mod by_hand;
mod contend;
pub mod database;
mod delivery;
mod edits;
mod errors_channel;
mod lookup;
mod modes;
mod policy;
mod posting;
mod settings;
mod shared;
pub mod state;
pub mod store;
mod targets;
pub(crate) mod transfer;
mod workers;

pub use crate::rest::{ANSWER_TIMEOUT, Backoff};
pub use announcer::Announcer;
pub(crate) use by_hand::check_round;
pub use by_hand::{ByHandError, Delivery, announce_by_hand};
pub use contend::{AnnouncerRole, Contender, Role};
pub use settings::{CrosspostLimit, Settings};
