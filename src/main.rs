//! The `briefbot` command line: parses the arguments, builds the application from the
//! settings, and runs one subcommand. Every subcommand lives in the library
//! (`briefbot::app`), where tests reach it.

use std::process::ExitCode;

use clap::Parser;

use briefbot::app::{self, App, Cli, Command, log_format};

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
        Command::Ask {
            line,
            json,
            press,
            title,
            complete,
            message,
        } => app.ask(line, json, press, title, complete, message),
        Command::Announce { track, round } => app.announce(track, round, logs),
        Command::State { command } => app.state(command),
        Command::Preview {
            listen,
            allow_remote,
        } => app.preview(listen, allow_remote, logs),
        Command::New {
            track,
            round,
            place,
        } => app.new_round(track, round, place),
    }
}
