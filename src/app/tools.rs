//! The editors' offline tools: `check` a briefs folder, `ask` a command as the bot would
//! answer it, `preview` every card in a browser, write a `new` round file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::App;
use super::args::{AskArgs, CheckFormat};
use crate::cli::ask::Question;
use crate::cli::check::Report;
use crate::commands::{RequestError, spec};
use crate::library::{Library, plural};
use crate::logs::LogFormat;
use crate::transport::stop_on_signals;

impl App {
    /// `briefbot check`: every mistake in the briefs folder, in the format asked for.
    pub fn check(&self, dir: Option<PathBuf>, format: CheckFormat) -> anyhow::Result<ExitCode> {
        let dir = dir.unwrap_or_else(|| self.config.briefs_dir.clone());
        let loaded = Library::load(&dir, &self.config.load_options()).map(|library| {
            let counts = library.counts();
            let warnings = library.warnings().clone();
            // `check` ends right after this: freeing every round one by one would add a
            // tenth to its time on a large folder, and the process's memory goes at exit.
            std::mem::forget(library);
            (counts, warnings)
        });
        let report = Report::new(loaded);
        match format {
            // In colour only for a person at a terminal: never into a pipe, a file or CI's
            // log, and never when NO_COLOR is set (no-color.org).
            CheckFormat::Text if colour_wanted() => print!("{}", report.to_text_coloured()),
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

    /// `briefbot ask`: a command line, a button press, an autocompletion or Brief me answered
    /// offline, exactly as the bot would.
    pub fn ask(&self, ask: AskArgs) -> anyhow::Result<ExitCode> {
        let library = self.library()?;
        let AskArgs {
            line,
            json,
            press,
            title,
            complete,
            message,
            include_held,
        } = ask;
        let question = match (press, complete, message, line) {
            (Some(custom_id), ..) => Question::Press { custom_id, title },
            (None, Some(line), ..) => Question::Complete(line),
            (None, None, Some(text), _) => Question::Message(text),
            (None, None, None, Some(line)) => Question::Line(line),
            (None, None, None, None) => return Err(usage_error(RequestError::Empty)),
        };
        let with_held = library.with_held_served();
        let answer = |library: &Library| crate::cli::ask::ask(library, &question, json);
        if include_held {
            print!("{}", answer(&with_held).map_err(usage_error)?);
            return Ok(ExitCode::SUCCESS);
        }
        let served = answer(&library).map_err(usage_error)?;
        print!("{served}");
        // An editor asking about a round that is held back would otherwise read only "There is
        // no round 6": say which held rounds change the answer (members see the same answer
        // without this note).
        if answer(&with_held).is_ok_and(|held| held != served) {
            eprintln!("{}", held_note(&library));
        }
        Ok(ExitCode::SUCCESS)
    }

    /// `briefbot preview`: a local web page of every card, refreshed on every save.
    pub fn preview(
        &self,
        listen: SocketAddr,
        allow_remote: bool,
        log_format: LogFormat,
    ) -> anyhow::Result<ExitCode> {
        self.init_logs(log_format);
        crate::preview::check_listen(listen, allow_remote)?;
        self.briefs_folder()?;
        let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
        runtime.block_on(async {
            let reloader =
                crate::preview::open(&self.config.briefs_dir, self.config.load_options()).await;
            let listener = crate::preview::bind(listen).await?;
            let addr = listener.local_addr().unwrap_or(listen);
            println!(
                "previewing {} at http://{addr}/",
                self.config.briefs_dir.display()
            );
            let access = crate::preview::Access {
                listen: Some(listen),
                allow_remote,
            };
            crate::preview::serve_with(listener, reloader, stop_on_signals(), access).await
        })?;
        Ok(ExitCode::SUCCESS)
    }

    /// `briefbot preview --out DIR`: the preview written as a folder of static files. A
    /// folder with mistakes is refused with them, as `check` shows them: an export that
    /// silently showed no cards would pass for a preview of nothing.
    pub fn export_preview(
        &self,
        out: &Path,
        include_held: bool,
        log_format: LogFormat,
    ) -> anyhow::Result<ExitCode> {
        // For the settings' warnings, which `preview` logs in either form.
        self.init_logs(log_format);
        let library = self.library()?;
        let written = crate::preview::export::export(&library, include_held, out)?;
        let held = match (written.held, include_held) {
            (0, _) => String::new(),
            (n, true) => format!(", with {} held back from members", plural(n, "round")),
            (n, false) => format!(
                " ({} held back from members left out; --include-held adds them)",
                plural(n, "round")
            ),
        };
        println!(
            "wrote {} to {}{held}",
            plural(written.pages, "page"),
            out.display()
        );
        if written.beyond_limit > 0 {
            eprintln!(
                "warning: the preview stopped at {}; {} past them say they need the live \
                 preview (`briefbot preview`)",
                plural(written.pages, "page"),
                plural(written.beyond_limit, "link")
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    /// `briefbot new`: a new round file with placeholders to fill in.
    pub fn new_round(
        &self,
        track: Option<String>,
        round: Option<u32>,
        place: Option<String>,
    ) -> anyhow::Result<ExitCode> {
        let track = track
            .or_else(|| {
                crate::library::default_track(
                    &self.config.briefs_dir,
                    self.config.default_track.as_deref(),
                )
            })
            .context("no --track given, and no default track in the briefs folder's tracks.toml or the config")?;
        let (briefs, options) = (&self.config.briefs_dir, self.config.load_options());
        let round =
            round.unwrap_or_else(|| crate::cli::new::next_free_round(briefs, &options, &track));
        let path = crate::cli::new::new_round(briefs, &options, &track, round, place.as_deref())?;
        println!("wrote {} (round {round} of {track})", path.display());
        if place.is_none() {
            println!(
                "no --place given: rename the file after the place once it is known (such as {round:02}-geneva.md); briefbot reads any name"
            );
        }
        println!("fill in every TODO, then run `briefbot check` to see what is left");
        Ok(ExitCode::SUCCESS)
    }

    /// `briefbot new author NAME`: writes `authors/NAME.toml` with placeholders.
    pub fn new_author(&self, slug: &str, name: Option<&str>) -> anyhow::Result<ExitCode> {
        let path = crate::cli::new::new_author(&self.config.briefs_dir, slug, name)?;
        println!("wrote {}", path.display());
        println!("fill in every TODO, then run `briefbot check` to see what is left");
        Ok(ExitCode::SUCCESS)
    }
}

/// What `ask` says when rounds held back change its answer: each held round, and how to see
/// the answer as it will be.
fn held_note(library: &Library) -> String {
    let rounds: Vec<String> = library
        .held()
        .iter()
        .map(|held| {
            let why = match &held.why {
                crate::library::Hold::Draft => "a draft".to_string(),
                crate::library::Hold::Until(moment) => {
                    format!("embargoed until {moment}")
                }
            };
            format!(
                "round {} of {} is {why} ({})",
                held.round.number,
                held.round.track,
                held.round.path.display()
            )
        })
        .collect();
    format!(
        "note: held back, so members do not see it yet: {}; `briefbot ask --include-held` answers as if published",
        rounds.join("; ")
    )
}

/// Whether standard output is a terminal and the environment does not ask for no colour.
fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A command line `ask` cannot read, with the list of commands.
fn usage_error(error: RequestError) -> anyhow::Error {
    anyhow::anyhow!(
        "{error}\ncommands:\n{}\n(ask runs Brief me on a message's text with --message \"…\")",
        spec::usage()
    )
}
