//! The application: the command line's types ([`args`]), and each subcommand: the bot
//! ([`bot`]: `run`, `serve`), what an operator does by hand ([`by_hand`]: `register`,
//! `announce`, `state`) and the editors' offline tools ([`tools`]: `check`, `ask`, `preview`,
//! `new`). Above every other module.

pub mod args;
pub mod bot;
pub mod by_hand;
pub mod tools;

use std::path::{Path, PathBuf};

use tracing::info;

/// The target of the lines the application logs itself (`briefbot 0.1.0 starting`, `briefs
/// loaded`, `stopped`): `briefbot`, as `RUST_LOG` filters and log collectors know them.
const LOG_TARGET: &str = "briefbot";

pub use args::{CheckFormat, Cli, Command, Format, StateCommand, log_format};

use crate::config::{Config, ConfigError};
use crate::library::{Folder, Library};
use crate::logs;

/// What a failure prints: `error: ` and the error with its causes, each once (many of
/// briefbot's errors name their cause in their own text already). Mistakes in the briefs
/// come as a report of their own, each with its `error:` heading, printed as it is.
pub fn report(error: &anyhow::Error) -> String {
    match error.downcast_ref::<BriefsReport>() {
        Some(briefs) => briefs.to_string(),
        None => format!("error: {}", logs::chain(error.as_ref())),
    }
}

/// Every mistake in the briefs, rendered as `briefbot check` shows them, and a summary.
#[derive(Debug)]
pub struct BriefsReport(String);

impl std::fmt::Display for BriefsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BriefsReport {}

/// The config file; or, when none was named and none is in the current folder, built-in
/// defaults for `check DIR` (an editors' CI may check a briefs folder on its own), and the
/// environment alone for `run` and `serve` (a container often has no config file).
pub fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
    let explicit = cli.config.is_some();
    let path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("config.toml"));
    match Config::load(&path) {
        Err(ConfigError::NotFound { .. })
            if !explicit
                && matches!(
                    cli.command,
                    Some(Command::Check { dir: Some(_), .. })
                        | Some(Command::Register { dry_run: true, .. })
                ) =>
        {
            Ok(Config::defaults())
        }
        Err(ConfigError::NotFound { .. })
            if !explicit
                && matches!(
                    cli.command,
                    None | Some(Command::Run | Command::Serve { .. } | Command::State { .. })
                ) =>
        {
            Config::from_env(|var| std::env::var(var).ok())
        }
        other => other,
    }
}

/// The first line of a running bot's log: which briefbot started, and where its settings
/// come from.
pub fn log_start(cli: &Cli) {
    let settings = match &cli.config {
        Some(path) => path.display().to_string(),
        None if Path::new("config.toml").exists() => "config.toml".to_string(),
        None => "the environment (no config.toml)".to_string(),
    };
    info!(
        target: LOG_TARGET,
        version = env!("CARGO_PKG_VERSION"),
        %settings,
        "briefbot {} starting",
        env!("CARGO_PKG_VERSION")
    );
}

/// The briefs, or every mistake in them; with the folder as read, so that reloads read only
/// the files that change.
pub fn load_folder(config: &Config) -> anyhow::Result<(Library, Folder)> {
    let mut folder = Folder::new(&config.briefs_dir, config.load_options());
    let library = folder.load().map_err(|error| {
        BriefsReport(format!(
            "{}{error}; fix them, or see them again with `briefbot check`",
            error.diagnostics.render()
        ))
    })?;
    Ok((library, folder))
}

/// The briefs, or every mistake in them.
pub fn load_library(config: &Config) -> anyhow::Result<Library> {
    load_folder(config).map(|(library, _)| library)
}
