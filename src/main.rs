//! The `briefbot` command line: parses arguments and calls the library. Every subcommand's
//! logic lives in the crate, where tests reach it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use briefbot::ask::{Question, ask};
use briefbot::check::Report;
use briefbot::commands::{RequestError, spec};
use briefbot::config::{Config, ConfigError};
use briefbot::library::Library;

#[derive(Parser)]
#[command(
    name = "briefbot",
    version,
    about = "Serves curated negotiation briefings on Discord"
)]
struct Cli {
    /// The configuration file [default: config.toml].
    #[arg(long, global = true, env = "BRIEFBOT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every brief, author and party file; print each mistake with file:line:column.
    Check {
        /// The briefs folder (default: `briefs_dir` from the config).
        dir: Option<PathBuf>,
        /// `text` for people, `json` for an editors' CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Answer a command offline, exactly as the bot would: `briefbot ask "/round 5"`.
    Ask {
        /// The command line, such as "/latest" or "/positions party:Syria".
        #[arg(required_unless_present_any = ["press", "complete"])]
        line: Option<String>,
        /// Print the interaction response JSON Discord would receive.
        #[arg(long)]
        json: bool,
        /// Press a button: its custom_id, as printed under the buttons.
        #[arg(long, value_name = "CUSTOM_ID", conflicts_with_all = ["line", "complete"])]
        press: Option<String>,
        /// Autocomplete the last option of a command line: --complete "/positions party:Sy".
        #[arg(long, value_name = "LINE", conflicts_with = "line")]
        complete: Option<String>,
    },
    /// Write a new round file with placeholders to fill in.
    New {
        /// The track, such as `syria-israel` (default: `default_track` from the config).
        #[arg(long)]
        track: Option<String>,
        /// The round number.
        #[arg(long)]
        round: u32,
        /// Where the round was held; names the file and fills in `location`.
        #[arg(long)]
        place: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The config file, or built-in defaults for `check DIR` when no config file was named and
/// none is in the current folder: an editors' CI may check a briefs folder on its own.
fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
    let explicit = cli.config.is_some();
    let path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("config.toml"));
    match Config::load(&path) {
        Err(ConfigError::NotFound { .. })
            if !explicit && matches!(cli.command, Command::Check { dir: Some(_), .. }) =>
        {
            Ok(Config::defaults())
        }
        other => other,
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = load_config(&cli)?;
    match cli.command {
        Command::Check { dir, format } => {
            let dir = dir.unwrap_or_else(|| config.briefs_dir.clone());
            let report = Report::new(Library::load(&dir, &config.load_options()));
            match format {
                Format::Text => print!("{}", report.to_text()),
                Format::Json => print!("{}", report.to_json()),
            }
            Ok(if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Ask {
            line,
            json,
            press,
            complete,
        } => {
            let library = load_library(&config)?;
            let question = match (press, complete, line) {
                (Some(custom_id), _, _) => Question::Press(custom_id),
                (None, Some(line), _) => Question::Complete(line),
                (None, None, Some(line)) => Question::Line(line),
                (None, None, None) => return Err(usage_error(RequestError::Empty)),
            };
            print!("{}", ask(&library, &question, json).map_err(usage_error)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            track,
            round,
            place,
        } => {
            let track = track
                .or_else(|| config.default_track.clone())
                .context("no --track given and no default_track in the config")?;
            let path = briefbot::scaffold::new_round(
                &config.briefs_dir,
                &config.load_options(),
                &track,
                round,
                place.as_deref(),
            )?;
            println!("wrote {}", path.display());
            println!("fill in every TODO, then run `briefbot check` to see what is left");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The briefs, or every mistake in them.
fn load_library(config: &Config) -> anyhow::Result<Library> {
    Library::load(&config.briefs_dir, &config.load_options()).map_err(|error| {
        anyhow::anyhow!(
            "{}{error}; fix them, or see them again with `briefbot check`",
            error.diagnostics.render()
        )
    })
}

/// A command line `ask` cannot read, with the list of commands.
fn usage_error(error: RequestError) -> anyhow::Error {
    anyhow::anyhow!("{error}\ncommands:\n{}", spec::usage())
}
