//! The application: briefbot built once from the settings, and each subcommand run from it.
//!
//! [`App`] holds the settings (`config.toml` with the environment's overrides, or the
//! environment alone) and makes, once each, what the subcommands share: the briefs and their
//! reloader, the bot token, the REST client, the interaction handler and the live updates
//! (reloads and announcements). The subcommands are its methods: the bot in `bot.rs` (`run`
//! over the gateway, `serve` over HTTP, wired alike), what an operator does by hand in
//! `by_hand.rs` (`register`, `announce`, `state`), the editors' offline tools in `tools.rs`
//! (`check`, `ask`, `preview`, `new`). [`args`] holds the command line's types.
//!
//! The top layer: it may use every other module, and none uses it.

pub mod args;
mod bot;
mod by_hand;
mod doctor;
pub mod manuals;
mod tools;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tracing::{info, warn};

pub use args::{
    AskArgs, CheckFormat, Cli, Command, Format, NewCommand, StateCommand, VERSION, log_format,
};

use crate::config::{Config, ConfigError, Place, env};
use crate::library::{Folder, Library};
use crate::live::announce::state::StateError;
use crate::live::setup::{Off, Setup};
use crate::live::{Hangups, Live, Reloader};
use crate::logs::{self, LogFormat};
use crate::rest::{Rest, Token, TokenError};
use crate::transport::Handler;
use crate::transport::setup::SetupState;

/// The target of the lines the application logs itself (`briefbot 0.2.0 (commit …) starting`, `briefs
/// loaded`, `stopped`): `briefbot`, as `RUST_LOG` filters and log collectors know them.
const LOG_TARGET: &str = "briefbot";

/// The config file read when none is named, from the current folder.
const CONFIG_FILE: &str = "config.toml";

/// briefbot as one subcommand runs it: the settings, and what it makes from them.
pub struct App {
    config: Config,
    source: Source,
    /// What is wrong with the settings but does not stop briefbot, for the logs once they
    /// start: a variable set but empty, say.
    warnings: Vec<String>,
}

/// What a subcommand reads of the settings when there is no config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// Nothing: `register --dry-run` prints the commands it would send.
    Nothing,
    /// The briefs: their folder (`BRIEFBOT_BRIEFS_DIR`, unless `check DIR` gives it) and the
    /// default track (`BRIEFBOT_DEFAULT_TRACK`). The editors' tools: `check`, `ask`, `new`,
    /// `preview`.
    Briefs { folder_given: bool },
    /// Every setting: the bot (`run`, `serve`), and what an operator does by hand
    /// (`register`, `announce`, `state`).
    Everything,
}

impl Needs {
    /// What `command` reads.
    pub(crate) fn of(command: &Command) -> Needs {
        match command {
            Command::Register { dry_run: true, .. }
            | Command::Completions { .. }
            | Command::Manpages { .. } => Needs::Nothing,
            Command::Check { dir, .. } => Needs::Briefs {
                folder_given: dir.is_some(),
            },
            Command::Ask(_) | Command::Preview { .. } | Command::New { .. } => Needs::Briefs {
                folder_given: false,
            },
            Command::Run
            | Command::Serve { .. }
            | Command::Register { .. }
            | Command::Announce { .. }
            | Command::State { .. }
            | Command::Doctor { .. } => Needs::Everything,
        }
    }
}

/// Where the settings come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A config file, with the environment's overrides.
    File(PathBuf),
    /// No config file: the defaults, with what the environment sets.
    Environment,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Environment => f.write_str("the environment (no config.toml)"),
        }
    }
}

impl App {
    /// briefbot with the settings, for `command`: the config file (`path`, or `config.toml` in
    /// the current folder) with the environment's overrides; or, when none was named and none
    /// is in the current folder, the defaults with what the environment sets, for every
    /// subcommand alike (a container often has no config file, nor an editors' CI). Without
    /// the file a subcommand reads only the variables it needs (see `Needs`).
    ///
    /// A config file that was named and is not there is an error; so is none at all when an
    /// editors' tool is told of no briefs folder and there is no `briefs` folder here either:
    /// briefbot was most likely started from the wrong folder.
    ///
    /// The settings' warnings go to the logs when `command` logs (the bot, `announce`,
    /// `preview`), so a log collector gets them as it gets every line, in the format it reads;
    /// the other commands, which have no logs, print them at once on stderr, as
    /// `warning: …`. They are printed at once too when the settings are refused: they may
    /// say why.
    pub fn from_settings(path: Option<&Path>, command: &Command) -> Result<App, ConfigError> {
        let mut warnings = env::empty_now();
        let logs = matches!(
            command,
            Command::Run
                | Command::Serve { .. }
                | Command::Announce { .. }
                | Command::Preview { .. }
        );
        let settings = App::settings(path, command).and_then(|mut app| {
            if matches!(command, Command::Serve { .. }) {
                let limit = crate::config::open_files::limit();
                warnings.extend(app.config.fit_open_files(limit)?);
            }
            Ok(app)
        });
        match settings {
            Ok(mut app) => {
                if !logs {
                    print_warnings(&warnings);
                    warnings.clear();
                }
                app.warnings = warnings;
                Ok(app)
            }
            Err(error) => {
                print_warnings(&warnings);
                Err(error)
            }
        }
    }

    /// The settings, as `from_settings` reads them.
    fn settings(path: Option<&Path>, command: &Command) -> Result<App, ConfigError> {
        // An empty BRIEFBOT_CONFIG, as every empty variable, counts as unset.
        let path = path.filter(|path| !path.to_string_lossy().trim().is_empty());
        let named = path.is_some();
        let path = path.map_or_else(|| PathBuf::from(CONFIG_FILE), Path::to_path_buf);
        let missing = match Config::load(&path) {
            Ok(config) => return Ok(App::new(config, Source::File(path))),
            Err(missing @ ConfigError::NotFound { .. }) if !named => missing,
            Err(error) => return Err(error),
        };
        let config = match Needs::of(command) {
            Needs::Nothing => Config::defaults(),
            Needs::Briefs { folder_given } => {
                let config = Config::briefs_from_env(env::var)?;
                let folder_set = env::var("BRIEFBOT_BRIEFS_DIR").is_some();
                if !folder_given && !folder_set && !config.briefs_dir.exists() {
                    return Err(missing);
                }
                config
            }
            Needs::Everything => Config::from_env(env::var)?,
        };
        Ok(App::new(config, Source::Environment))
    }

    /// briefbot with `config`, which came from `source`.
    fn new(config: Config, source: Source) -> App {
        App {
            config,
            source,
            warnings: Vec::new(),
        }
    }

    /// Logs to stderr in `format`, from now on, for the bot. The first line says which
    /// briefbot started, how it hears from Discord (`mode`, said in `words`), where its
    /// settings come from, and the briefs folder as an absolute path.
    fn start_logs(&self, format: LogFormat, mode: &'static str, words: &str) {
        logs::init(format);
        let folder = &self.config.briefs_dir;
        let briefs = std::path::absolute(folder).unwrap_or_else(|_| folder.clone());
        info!(
            target: LOG_TARGET,
            mode = %mode,
            version = env!("CARGO_PKG_VERSION"),
            commit = env!("BRIEFBOT_COMMIT"),
            settings = %self.source,
            briefs = %briefs.display(),
            "briefbot {VERSION} starting: {words}",
        );
        self.log_warnings();
    }

    /// Logs to stderr in `format`, from now on, for a command other than the bot.
    fn init_logs(&self, format: LogFormat) {
        logs::init(format);
        self.log_warnings();
    }

    /// The settings' warnings, once logging has started.
    fn log_warnings(&self) {
        for warning in &self.warnings {
            warn!(target: LOG_TARGET, "{warning}");
        }
    }

    /// The bot token, from the environment: the one place briefbot reads it, once per process.
    fn token(&self) -> Result<Token, TokenError> {
        Token::from_env()
    }

    /// The REST client to Discord for `token`, with the `[discord]` settings: the one place
    /// briefbot builds it, once per process (its clones share one rate limiter).
    fn rest(&self, token: &Token) -> Rest {
        Rest::new(token, &self.config.discord)
    }

    /// The briefs behind a reloader, or every mistake in them; the reloader keeps the folder
    /// as read, so that reloads read only the files that change.
    fn reloader(&self) -> anyhow::Result<Arc<Reloader>> {
        let (library, folder) = self.briefs()?;
        Ok(Reloader::with_folder(library, folder))
    }

    /// The briefs, or every mistake in them.
    fn library(&self) -> anyhow::Result<Library> {
        self.briefs().map(|(library, _)| library)
    }

    /// The briefs, or every mistake in them; with the folder as read.
    fn briefs(&self) -> anyhow::Result<(Library, Folder)> {
        self.briefs_folder()?;
        let mut folder = Folder::new(&self.config.briefs_dir, self.config.load_options());
        let library = folder.load().map_err(|error| {
            BriefsReport(format!(
                "{}{error}; fix them, or see them again with `briefbot check`",
                error.diagnostics.render()
            ))
        })?;
        Ok((library, folder))
    }

    /// The briefs folder is there, or an error that names it, with a help line as `check`
    /// shows one: where the folder was set (the variable, the config's line, or neither: the
    /// default) and what to do about it.
    fn briefs_folder(&self) -> anyhow::Result<()> {
        let dir = &self.config.briefs_dir;
        if dir.is_dir() {
            return Ok(());
        }
        let what = if dir.exists() {
            "the briefs folder is a file, not a folder"
        } else {
            "the briefs folder does not exist"
        };
        let help = match (&self.config.places.briefs_dir, &self.source) {
            (Place::Variable(var), _) => {
                format!("{var} names it; set {var} to the folder that holds the briefs")
            }
            (Place::File { path, line }, _) => format!(
                "`briefs_dir` names it, at {}:{line}; correct it (a relative folder is relative to the config file's)",
                path.display()
            ),
            (Place::Default, Source::File(path)) => format!(
                "{} sets no `briefs_dir`, and `briefs` beside it is the default; set `briefs_dir`, or BRIEFBOT_BRIEFS_DIR",
                path.display()
            ),
            (Place::Default, Source::Environment) => "without a config.toml here, `briefs` in the current folder is the default; run briefbot from the folder that holds config.toml, pass --config PATH, or set BRIEFBOT_BRIEFS_DIR".to_string(),
        };
        Err(anyhow::anyhow!(
            "{}: {what}\n = help: {help}",
            dir.display()
        ))
    }

    /// The one interaction handler, answering from `reloader`'s snapshot, giving and taking
    /// the `[[follow]]` roles through `rest` (none: without the token it says it cannot).
    fn handler(
        &self,
        reloader: Arc<Reloader>,
        rest: Option<Rest>,
        servers: SetupState,
    ) -> Arc<Handler> {
        Arc::new(
            Handler::new(reloader)
                .with_follow_roles(self.config.follow.clone(), rest)
                .with_setup(servers, self.config.announce.all_targets()),
        )
    }

    /// The servers' own settings when `[setup]` turns them on, or why this process cannot keep
    /// them (said once, at start).
    async fn server_setup(&self) -> SetupState {
        if !self.config.setup.enabled {
            return SetupState::Unconfigured;
        }
        match Setup::start(&self.config).await {
            Ok(setup) => SetupState::On(setup),
            Err(Off(why)) => {
                warn!(target: LOG_TARGET, "[setup] is on, but /setup is off in this process: {why}");
                SetupState::Off(why)
            }
        }
    }

    /// The live updates: the folder watched, SIGHUP heard, and, with `rest`, the announcer.
    async fn live(
        &self,
        reloader: &Arc<Reloader>,
        hangups: Hangups,
        rest: Option<Rest>,
        servers: Option<Arc<Setup>>,
    ) -> Result<Live, StateError> {
        Live::start(&self.config, reloader, hangups, rest, servers).await
    }
}

/// Each warning on stderr, as `warning: …`, for a command that has no logs.
fn print_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

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
pub(crate) struct BriefsReport(String);

impl std::fmt::Display for BriefsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BriefsReport {}
