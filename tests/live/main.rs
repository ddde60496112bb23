//! A running briefbot kept current: reloads through the real file watcher, announcements
//! against the loopback stand-in for Discord (one of them in a child process that is killed),
//! and the throwaway PostgreSQL the database tests run against.
//! One test binary, so the crate is linked once.

#[path = "../common/mod.rs"]
mod common;

mod announce;
mod delivery_modes;
mod edits;
mod embargo;
mod observe;
mod outage;
mod outcomes;
mod postgres_server;
mod reload;
mod servers;
mod shared_state;
mod state_cli;
