//! Briefbot as Discord and operators see it: interactions read from Discord's payloads, the
//! gateway against a loopback stand-in for Discord, the HTTP endpoint with signed requests,
//! the binary's command line, and its logs. One test binary, so the crate is linked once.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod doctor;
mod endpoint;
mod follow;
mod gateway;
mod logs;
mod requests;
mod settings;
mod setup;
mod unclear_answers;
