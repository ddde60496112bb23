//! The application: the command line's types ([`args`]), above every other module.

pub mod args;

pub use args::{CheckFormat, Cli, Command, Format, StateCommand, log_format};
