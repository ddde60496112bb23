//! The command line's types: every subcommand, its arguments and their help, as `briefbot`
//! parses them. In the library, so that completions and man pages can be generated from them
//! and the docs' command lines parsed with them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::logs::LogFormat;

/// What `briefbot --version` says: the version and the commit it was built from
/// (`unknown` for a build outside a git checkout that did not set `BRIEFBOT_COMMIT`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BRIEFBOT_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "briefbot",
    version = VERSION,
    about = "Serves curated negotiation briefings on Discord"
)]
pub struct Cli {
    /// The configuration file [default: config.toml].
    // Empty is accepted here and counts as unset later, as every empty variable does.
    #[arg(long, global = true, env = "BRIEFBOT_CONFIG", value_parser = clap::builder::TypedValueParser::map(clap::builder::OsStringValueParser::new(), PathBuf::from))]
    pub config: Option<PathBuf>,
    /// How `run` writes its logs: `text` for people, `json` for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub log_format: Format,
    /// What to do [default: run].
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve Discord over the gateway (the token comes from DISCORD_TOKEN or DISCORD_TOKEN_FILE).
    Run,
    /// Serve Discord's interactions as signed HTTP POSTs on /interactions (no gateway).
    Serve {
        /// Address or host name, and port [default: `[serve] listen` from the config,
        /// 127.0.0.1:8080].
        #[arg(long, value_name = "ADDR", value_parser = crate::config::resolve_listen)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Register the commands with Discord (only when they differ from what it has).
    Register {
        /// Register in this server only (instant); default: the config's guild_ids, or global.
        #[arg(long, value_name = "ID", conflicts_with = "global", value_parser = crate::config::discord_id)]
        guild: Option<u64>,
        /// Register globally, in every server the bot is in.
        #[arg(long)]
        global: bool,
        /// Print the command JSON instead of sending it; needs no token.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check every brief, author and party file; print each mistake with file:line:column.
    Check {
        /// The briefs folder (default: `briefs_dir` from the config).
        dir: Option<PathBuf>,
        /// `text` for people, `json` for an editors' CI, `github` for pull request annotations.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Answer a command offline, exactly as the bot would: `briefbot ask "/round 5"`.
    Ask(AskArgs),
    /// Announce one round by hand in the `[announce] channels`, once each (the state file, or
    /// the state database, records it, so a second run posts nothing). Stop the bot first: it
    /// holds the state.
    Announce {
        /// The track, such as `syria-israel` (default: the briefs folder's default track, from
        /// its tracks.toml, else `default_track` from the config).
        #[arg(long)]
        track: Option<String>,
        /// The round number.
        #[arg(long)]
        round: u32,
    },
    /// Move the announcement state between the state file and the state database
    /// (`[state] url` or DATABASE_URL). Needs no Discord token.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
    /// A local web page of every card as Discord shows it, refreshed on every save; with
    /// --out, the same pages written to a folder, to open from disk or put on a web host.
    Preview {
        /// Address and port; other machines cannot reach the default.
        #[arg(long, value_name = "ADDR", default_value = crate::preview::DEFAULT_LISTEN)]
        listen: std::net::SocketAddr,
        /// Listen on an address other machines can reach, and answer requests for any host
        /// name, not only this machine's (the page asks no one who they are).
        #[arg(long)]
        allow_remote: bool,
        /// Write the preview into this folder as plain files (index.html and the pages its
        /// links and buttons reach) instead of serving it; a folder an earlier --out wrote is
        /// replaced, any other that holds files is refused.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["listen", "allow_remote"])]
        out: Option<PathBuf>,
        /// With --out: include the drafts and embargoed rounds, as they will look once
        /// published. Never for a preview others can read: it shows every embargo.
        #[arg(long, requires = "out")]
        include_held: bool,
    },
    /// Write a new round file with placeholders to fill in (`new author NAME`: an author file).
    #[command(args_conflicts_with_subcommands = true)]
    New {
        /// What else to write instead of a round.
        #[command(subcommand)]
        what: Option<NewCommand>,
        /// The track, such as `syria-israel` (default: the briefs folder's default track, from
        /// its tracks.toml, else `default_track` from the config).
        #[arg(long)]
        track: Option<String>,
        /// The round number [default: the one after the track's highest, drafts included].
        #[arg(long)]
        round: Option<u32>,
        /// Where the round was held; names the file and fills in `location`.
        #[arg(long)]
        place: Option<String>,
    },
    /// Check the deployment against Discord: the token, the application, the commands, the
    /// announcement channels' permissions, the follow roles, the state and the briefs; each
    /// problem with its fix. Exit status 1 when a check fails.
    Doctor {
        /// `text` for people, `json` for monitoring.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the shell's completion script: `briefbot completions bash > /etc/bash_completion.d/briefbot`.
    Completions {
        /// The shell the script is for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write a man page for briefbot and one for each subcommand into a folder.
    Manpages {
        /// The folder to write them to (made if missing).
        dir: PathBuf,
    },
}

/// What `briefbot ask` answers, and how.
#[derive(Args)]
pub struct AskArgs {
    /// The command line, such as "/latest", "/positions party:Syria" or
    /// "/search economic zone" (the rest of a /search line, but for `track:…`, is the query).
    #[arg(required_unless_present_any = ["press", "complete", "message"])]
    pub line: Option<String>,
    /// Print the interaction response JSON Discord would receive.
    #[arg(long)]
    pub json: bool,
    /// Press a button: its custom_id, as printed under the buttons.
    #[arg(long, value_name = "CUSTOM_ID", conflicts_with_all = ["line", "complete", "message"])]
    pub press: Option<String>,
    /// With --press: the title of the message the button is on, which Discord sends with a
    /// press. A search page button reads its query there: --press search::2 --title "🔎 economic zone".
    #[arg(long, value_name = "TEXT", requires = "press")]
    pub title: Option<String>,
    /// Autocomplete the last option of a command line: --complete "/positions party:Sy".
    #[arg(long, value_name = "LINE", conflicts_with_all = ["line", "message"])]
    pub complete: Option<String>,
    /// Run the "Brief me" message command on a message with this text, as if it were chosen
    /// from the message's Apps menu: --message "Talks resume in Paris".
    #[arg(long, value_name = "TEXT", conflicts_with = "line")]
    pub message: Option<String>,
    /// Answer as if drafts and embargoed rounds were published, as they will be; members see
    /// none of them before their time.
    #[arg(long)]
    pub include_held: bool,
}

#[derive(Subcommand)]
pub enum NewCommand {
    /// Write an author file, `authors/NAME.toml`, with placeholders to fill in.
    Author {
        /// The file's name, as briefs will name the author: `omar-safadi`.
        #[arg(value_name = "NAME")]
        slug: String,
        /// The author's name as cards show it: --name "Omar Safadi".
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum StateCommand {
    /// Copy a state file into the state database, while no instance announces from it.
    Import {
        /// The state file [default: announcements.json in `state_dir` from the config].
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Overwrite the state the database already holds.
        #[arg(long)]
        replace: bool,
    },
    /// Write the state database's state to a state file (`--to -`: standard output).
    Export {
        /// The file to write [default: announcements.json in `state_dir` from the config].
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How `check` prints its findings.
#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    /// Each mistake with its source line and a marker, for a terminal.
    #[value(alias = "human")]
    Text,
    /// One JSON document, for an editors' CI.
    Json,
    /// GitHub Actions annotations, so a pull request shows each mistake on its line.
    Github,
}

pub fn log_format(format: Format) -> LogFormat {
    match format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    }
}
