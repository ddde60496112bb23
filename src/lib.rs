//! briefbot: a Discord bot that serves a policy institute's curated negotiation briefings.
//!
//! Data flows one way, and so do the modules' dependencies (each names what it may use):
//! brief files → [`library`] (an immutable snapshot) → [`commands`] (pure replies) →
//! [`reply`] (Discord's limits, once) → [`live`] (reloads, announcements) and
//! [`transport`] (gateway, HTTP endpoint, one handler) → the binary. [`cli`] holds the
//! offline tools, [`rest`] the one REST client, [`config`] and [`logs`] the settings and
//! log output. `src/main.rs` only parses arguments.

pub mod cli;
pub mod commands;
pub mod config;
pub mod library;
pub mod limits;
pub mod live;
pub mod logs;
pub mod reply;
pub mod rest;
pub mod transport;
