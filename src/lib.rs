//! briefbot: a Discord bot that serves a policy institute's curated negotiation briefings.
//!
//! Data flows one way: brief files → [`library::Library`] snapshot → pure commands →
//! thin transports. This crate holds every layer; `src/main.rs` only parses arguments.

pub mod announce;
pub mod ask;
pub mod check;
pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod dispatch;
pub mod endpoint;
pub mod gateway;
pub mod library;
pub mod limits;
pub mod live;
pub mod logs;
pub mod registration;
pub mod reload;
pub mod reply;
pub mod scaffold;
pub mod signatures;
pub mod suggest;
pub mod token;
