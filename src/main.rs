//! The `briefbot` command line: parses the arguments, builds the application from the
//! settings, and runs one subcommand. Every subcommand lives in the library
//! (`briefbot::app`), where tests reach it.

use std::process::ExitCode;

use clap::Parser;

use briefbot::app::{self, App, Cli, Command, NewCommand, log_format, manuals};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}", app::report(&error));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Run);
    // Generated from the command line alone: no settings are read, so that a broken
    // config.toml in the current folder cannot stop them.
    match &command {
        Command::Completions { shell } => {
            manuals::completions(*shell, &mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Manpages { dir } => {
            let pages = manuals::manpages(dir)?;
            println!("{} man pages written to {}", pages.len(), dir.display());
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let app = App::from_settings(cli.config.as_deref(), &command)?;
    let logs = log_format(cli.log_format);
    match command {
        Command::Run => app.run(logs),
        Command::Serve { listen } => app.serve(listen, logs),
        Command::Register {
            guild,
            global,
            dry_run,
        } => app.register(guild, global, dry_run),
        Command::Check { dir, format } => app.check(dir, format),
        Command::Ask(ask) => app.ask(ask),
        Command::Announce { track, round } => app.announce(track, round, logs),
        Command::State { command } => app.state(command),
        Command::Doctor { format } => app.doctor(format),
        Command::Preview {
            out: Some(out),
            include_held,
            ..
        } => app.export_preview(&out, include_held, logs),
        Command::Preview {
            listen,
            allow_remote,
            out: None,
            ..
        } => app.preview(listen, allow_remote, logs),
        Command::New {
            what: Some(NewCommand::Author { slug, name }),
            ..
        } => app.new_author(&slug, name.as_deref()),
        Command::New {
            what: None,
            track,
            round,
            place,
        } => app.new_round(track, round, place),
        // Answered above, before the settings.
        Command::Completions { .. } | Command::Manpages { .. } => Ok(ExitCode::SUCCESS),
    }
}
