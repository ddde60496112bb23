//! The `briefbot` command line: parses arguments and calls the library. Every subcommand's
//! logic lives in the crate, where tests reach it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use std::sync::Arc;

use briefbot::app::{CheckFormat, Cli, Command, StateCommand, log_format};
use briefbot::cli::ask::{Question, ask};
use briefbot::cli::check::Report;
use briefbot::commands::{RequestError, spec};
use briefbot::config::{Config, ConfigError};
use briefbot::library::{Folder, Library, RoundId};
use briefbot::live::announce::state::StateFile;
use briefbot::live::announce::transfer as state;
use briefbot::live::announce::{self, Delivery};
use briefbot::live::{Hangups, Live, Reloader};
use briefbot::logs;
use briefbot::rest::{Rest, Token, TokenError};
use briefbot::transport::gateway::{self, Gateway};
use briefbot::transport::http::{self, Endpoint, PublicKey};
use briefbot::transport::registration::{self, Outcome, Scope};
use briefbot::transport::{Handler, stop_on_signals};

use tracing::info;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}", report(&error));
            ExitCode::from(2)
        }
    }
}

/// What a failure prints: `error: ` and the error with its causes, each once (many of
/// briefbot's errors name their cause in their own text already). Mistakes in the briefs
/// come as a report of their own, each with its `error:` heading, printed as it is.
fn report(error: &anyhow::Error) -> String {
    match error.downcast_ref::<BriefsReport>() {
        Some(briefs) => briefs.to_string(),
        None => format!("error: {}", logs::chain(error.as_ref())),
    }
}

/// Every mistake in the briefs, rendered as `briefbot check` shows them, and a summary.
#[derive(Debug)]
struct BriefsReport(String);

impl std::fmt::Display for BriefsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BriefsReport {}

/// The config file; or, when none was named and none is in the current folder, built-in
/// defaults for `check DIR` (an editors' CI may check a briefs folder on its own), and the
/// environment alone for `run` and `serve` (a container often has no config file).
fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
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
fn log_start(cli: &Cli) {
    let settings = match &cli.config {
        Some(path) => path.display().to_string(),
        None if Path::new("config.toml").exists() => "config.toml".to_string(),
        None => "the environment (no config.toml)".to_string(),
    };
    info!(
        version = env!("CARGO_PKG_VERSION"),
        %settings,
        "briefbot {} starting",
        env!("CARGO_PKG_VERSION")
    );
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = load_config(&cli)?;
    if matches!(
        cli.command,
        None | Some(Command::Run | Command::Serve { .. })
    ) {
        logs::init(log_format(cli.log_format));
        log_start(&cli);
    }
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => {
            // The token is checked before anything connects; it is never logged.
            let token = Token::from_env()?;
            let (runtime, hangups) = runtime()?;
            let (library, folder) = load_folder(&config)?;
            info!(
                rounds = library.round_count(),
                tracks = library.tracks().len(),
                folder = %config.briefs_dir.display(),
                "briefs loaded"
            );
            runtime.block_on(async {
                let stop = stop_on_signals();
                let reloader = Reloader::with_folder(library, folder);
                // One REST client for the process: the handler's role changes, the gateway's
                // answers and registration, and the announcer share it and its rate limiter.
                let rest = Rest::new(&token, &config.discord);
                let handler = Arc::new(
                    Handler::new(reloader.clone())
                        .with_follow_roles(config.follow.clone(), Some(rest.clone())),
                );
                let gateway = Gateway::new(&config, rest, handler).await?;
                // A bot split over several processes announces from one: with a state file, the
                // one with shard 0; with a state database, whichever holds its lock.
                let announces = config.database.is_some() || config.discord.shards.includes_first();
                if !announces && config.announce.is_enabled() {
                    info!(
                        "announcements are posted by the process that runs shard 0, not this one"
                    );
                }
                let live = Live::start(
                    &config,
                    &reloader,
                    hangups,
                    announces.then(|| gateway.rest()),
                )
                .await?;
                let result = gateway.run(stop).await;
                live.stop().await;
                anyhow::Ok(result?)
            })?;
            info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { listen } => {
            let key = PublicKey::from_env_or(config.discord.public_key.as_deref())?;
            // Posting announcements needs the bot token; answering over HTTP does not, and
            // without it follow roles cannot be given (a member who asks is told so).
            let token = if config.announce.is_enabled() {
                Some(Token::from_env().context(
                    "[announce] is configured, and posting announcements needs the bot token",
                )?)
            } else if config.follow.is_empty() {
                None
            } else {
                match Token::from_env() {
                    Ok(token) => Some(token),
                    Err(TokenError::Missing) => {
                        tracing::warn!(
                            "[[follow]] roles are configured, but without the bot token (DISCORD_TOKEN) briefbot cannot give them: /follow and Follow buttons will say so"
                        );
                        None
                    }
                    Err(error) => {
                        return Err(anyhow::Error::new(error).context(
                            "[[follow]] roles are configured, and giving them needs the bot token",
                        ));
                    }
                }
            };
            let (runtime, hangups) = runtime()?;
            let (library, folder) = load_folder(&config)?;
            info!(rounds = library.round_count(), folder = %config.briefs_dir.display(), "briefs loaded");
            let listen = listen.unwrap_or(config.serve.listen);
            runtime.block_on(async {
                let stop = stop_on_signals();
                let reloader = Reloader::with_folder(library, folder);
                let rest = token.map(|t| Rest::new(&t, &config.discord));
                let live = Live::start(&config, &reloader, hangups, rest.clone()).await?;
                let handler = Handler::new(reloader).with_follow_roles(config.follow.clone(), rest);
                let endpoint = Arc::new(
                    Endpoint::new(key, Arc::new(handler)).with_announcer(live.announcer_role()),
                );
                let settings = http::ServeSettings {
                    max_connections: config.serve.max_connections.get(),
                    ..http::ServeSettings::default()
                };
                let served = http::serve(listen, endpoint, settings, stop).await;
                live.stop().await;
                served.with_context(|| format!("cannot serve on {listen}"))
            })?;
            info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Register {
            guild,
            global,
            dry_run,
        } => {
            if dry_run {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&registration::to_json())?
                );
                return Ok(ExitCode::SUCCESS);
            }
            let scopes = match (guild, global) {
                (Some(id), _) => vec![Scope::Guild(id)],
                (None, true) => vec![Scope::Global],
                (None, false) => gateway::scopes(&config),
            };
            let token = Token::from_env()?;
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async {
                let rest = Rest::new(&token, &config.discord);
                rest.application_id()
                    .await
                    .context("cannot ask Discord for the application id")?;
                for scope in scopes {
                    let outcome = registration::register(&rest, scope).await?;
                    match outcome {
                        Outcome::Unchanged => println!("{scope}: already up to date"),
                        Outcome::Updated { commands } => {
                            println!("{scope}: registered {commands} commands")
                        }
                    }
                }
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { dir, format } => {
            let dir = dir.unwrap_or_else(|| config.briefs_dir.clone());
            let loaded = Library::load(&dir, &config.load_options()).map(|library| {
                let counts = library.counts();
                // `check` ends right after this: freeing every round one by one would add a
                // tenth to its time on a large folder, and the process's memory goes at exit.
                std::mem::forget(library);
                counts
            });
            let report = Report::new(loaded);
            match format {
                CheckFormat::Text => print!("{}", report.to_text()),
                CheckFormat::Json => print!("{}", report.to_json()),
                CheckFormat::Github => {
                    // A workflow runs in the repository's checkout; annotations name files
                    // from there. Without a current folder, paths stay as given.
                    let root = std::env::current_dir().unwrap_or_default();
                    print!("{}", report.to_github(&root))
                }
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
            title,
            complete,
            message,
        } => {
            let library = load_library(&config)?;
            let question = match (press, complete, message, line) {
                (Some(custom_id), ..) => Question::Press { custom_id, title },
                (None, Some(line), ..) => Question::Complete(line),
                (None, None, Some(text), _) => Question::Message(text),
                (None, None, None, Some(line)) => Question::Line(line),
                (None, None, None, None) => return Err(usage_error(RequestError::Empty)),
            };
            print!("{}", ask(&library, &question, json).map_err(usage_error)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Announce { track, round } => {
            logs::init(log_format(cli.log_format));
            let track = track
                .or_else(|| config.default_track.clone())
                .context("no --track given and no default_track in the config")?;
            let (library, folder) = load_folder(&config)?;
            // A typo is named before anything else is needed.
            announce::check_round(&library, &track, round)?;
            let settings = announce::Settings::from_config(&config);
            if settings.targets.is_empty() {
                return Err(announce::ByHandError::NoChannels.into());
            }
            let token = Token::from_env().context("announcing a round needs the bot token")?;
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let id = RoundId {
                track,
                number: round,
            };
            let outcomes = runtime.block_on(async {
                let reloader = Reloader::with_folder(library, folder);
                let rest = Rest::new(&token, &config.discord);
                announce::announce_by_hand(rest, reloader, &settings, &id).await
            })?;
            for outcome in &outcomes {
                match outcome {
                    Delivery::Announced { channel, message } => {
                        println!("{id}: announced in channel {channel} (message {message})")
                    }
                    Delivery::AlreadyAnnounced { channel, message } => println!(
                        "{id}: already announced in channel {channel} (message {message}); not posted again"
                    ),
                    Delivery::Failed { channel, error } => println!(
                        "{id}: not announced in channel {channel}: {error}; it stays queued: the bot posts it when it runs, or run this again (either looks for it in the channel first, in case it went through)"
                    ),
                    Delivery::Refused { channel, error } => println!(
                        "{id}: the announcement in channel {channel} is dropped as invalid: {error}"
                    ),
                }
            }
            Ok(if outcomes.iter().all(Delivery::is_done) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::State { command } => {
            let default_file = || config.state_dir.join(StateFile::NAME);
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let database = config.database.as_ref();
            match command {
                StateCommand::Import { from, replace } => {
                    let from = from.unwrap_or_else(default_file);
                    let line = runtime.block_on(state::import(database, &from, replace))?;
                    println!("{line}");
                }
                StateCommand::Export { to, replace } => {
                    let to = to.map_or_else(
                        || state::Destination::File(default_file()),
                        |to| state::Destination::from_arg(&to),
                    );
                    let line = runtime.block_on(state::export(database, &to, replace))?;
                    // With the state on standard output, the summary goes beside it.
                    if to == state::Destination::Stdout {
                        eprintln!("{line}");
                    } else {
                        println!("{line}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Preview {
            listen,
            allow_remote,
        } => {
            logs::init(log_format(cli.log_format));
            briefbot::preview::check_listen(listen, allow_remote)?;
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async {
                let reloader =
                    briefbot::preview::open(&config.briefs_dir, config.load_options()).await;
                let listener = briefbot::preview::bind(listen).await?;
                let addr = listener.local_addr().unwrap_or(listen);
                println!(
                    "previewing {} at http://{addr}/",
                    config.briefs_dir.display()
                );
                let access = briefbot::preview::Access {
                    listen: Some(listen),
                    allow_remote,
                };
                briefbot::preview::serve_with(listener, reloader, stop_on_signals(), access).await
            })?;
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
            let path = briefbot::cli::new::new_round(
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

/// The async runtime of `run` and `serve`, and SIGHUP listened for from this moment on, so
/// a reload signal while briefbot is still starting is not fatal.
fn runtime() -> anyhow::Result<(tokio::runtime::Runtime, Hangups)> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let hangups = {
        let _inside = runtime.enter();
        Hangups::listen()
    };
    Ok((runtime, hangups))
}

/// The briefs, or every mistake in them; with the folder as read, so that reloads read only
/// the files that change.
fn load_folder(config: &Config) -> anyhow::Result<(Library, Folder)> {
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
fn load_library(config: &Config) -> anyhow::Result<Library> {
    load_folder(config).map(|(library, _)| library)
}

/// A command line `ask` cannot read, with the list of commands.
fn usage_error(error: RequestError) -> anyhow::Error {
    anyhow::anyhow!(
        "{error}\ncommands:\n{}\n(ask runs Brief me on a message's text with --message \"…\")",
        spec::usage()
    )
}
