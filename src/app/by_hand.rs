//! What an operator does by hand: `register` the commands with Discord, `announce` a round,
//! move the announcement `state` between the state file and the state database.

use std::process::ExitCode;

use anyhow::Context;

use super::App;
use super::args::StateCommand;
use crate::library::RoundId;
use crate::live::announce::state::StateFile;
use crate::live::announce::transfer as state;
use crate::live::announce::{self, Delivery};
use crate::live::setup::{Off, Setup};
use crate::logs::LogFormat;
use crate::transport::gateway;
use crate::transport::registration::{self, Outcome, Scope};

impl App {
    /// `briefbot register`: the commands registered with Discord where they differ, or printed.
    pub fn register(
        &self,
        guild: Option<u64>,
        global: bool,
        dry_run: bool,
    ) -> anyhow::Result<ExitCode> {
        if dry_run {
            println!(
                "{}",
                serde_json::to_string_pretty(&registration::to_json_of(
                    registration::Offered::of(&self.config)
                ))?
            );
            return Ok(ExitCode::SUCCESS);
        }
        let scopes = match (guild, global) {
            (Some(id), _) => vec![Scope::Guild(id)],
            (None, true) => vec![Scope::Global],
            (None, false) => gateway::scopes(&self.config),
        };
        let token = self.token()?;
        let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
        runtime.block_on(async {
            let rest = self.rest(&token);
            rest.application_id()
                .await
                .context("cannot ask Discord for the application id")?;
            for scope in scopes {
                let offered = registration::Offered::of(&self.config);
                let outcome = registration::register_offered(&rest, scope, offered).await?;
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

    /// `briefbot announce`: one round announced by hand in the `[announce] channels`, and the
    /// channels servers chose for its track with `/setup`, once each.
    pub fn announce(
        &self,
        track: Option<String>,
        round: u32,
        log_format: LogFormat,
    ) -> anyhow::Result<ExitCode> {
        self.init_logs(log_format);
        let track = track
            .or_else(|| {
                crate::library::default_track(
                    &self.config.briefs_dir,
                    self.config.default_track.as_deref(),
                )
            })
            .context("no --track given, and no default track in the briefs folder's tracks.toml or the config")?;
        let reloader = self.reloader()?;
        // A typo is named before anything else is needed.
        announce::check_round(&reloader.current(), &track, round)?;
        let mut settings = announce::Settings::from_config(&self.config);
        if settings.targets.is_empty() && !self.config.setup.enabled {
            return Err(announce::ByHandError::NoChannels.into());
        }
        let token = self
            .token()
            .context("announcing a round needs the bot token")?;
        let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
        if self.config.setup.enabled {
            // The servers' own channels of the track too, as the bot would announce there;
            // where this process cannot keep them, the operator's channels still get it.
            match runtime.block_on(Setup::start(&self.config)) {
                Ok(setup) => settings.setup = Some(setup),
                Err(Off(why)) => {
                    tracing::warn!(
                        "the servers' own channels are left out ({why}); announcing in [announce]'s channels only"
                    );
                    if settings.targets.is_empty() {
                        return Err(announce::ByHandError::NoChannels.into());
                    }
                }
            }
        }
        let id = RoundId {
            track,
            number: round,
        };
        let outcomes = runtime.block_on(async {
            let rest = self.rest(&token);
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

    /// `briefbot state import` and `export`: the announcement state moved between the state file
    /// and the state database.
    pub fn state(&self, command: StateCommand) -> anyhow::Result<ExitCode> {
        let default_file = || self.config.state_dir.join(StateFile::NAME);
        let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
        let database = self.config.database.as_ref();
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
}
