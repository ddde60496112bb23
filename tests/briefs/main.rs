//! The pure core on real files: the loader (valid and invalid folders, property tests) and
//! every command's reply (snapshots, Discord's limits and schema, property tests). One test
//! binary, so the crate is linked once.

#[path = "../common/mod.rs"]
mod common;

mod command_props;
mod commands;
mod drafts;
mod follow;
mod incremental;
mod invalid_briefs;
mod library;
mod loader_props;
mod search;
mod search_replies;
