//! The `briefbot` command line: parses arguments and calls the library. Every subcommand's
//! logic lives in the crate, where tests reach it.

use std::process::ExitCode;

use clap::Parser;

use briefbot::app::{self, Cli, Command, bot, by_hand, log_format, tools};
use briefbot::logs;

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
    let config = app::load_config(&cli)?;
    if matches!(
        cli.command,
        None | Some(Command::Run | Command::Serve { .. })
    ) {
        logs::init(log_format(cli.log_format));
        app::log_start(&cli);
    }
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => bot::run(&config),
        Command::Serve { listen } => bot::serve(&config, listen),
        Command::Register {
            guild,
            global,
            dry_run,
        } => by_hand::register(&config, guild, global, dry_run),
        Command::Check { dir, format } => tools::check(&config, dir, format),
        Command::Ask {
            line,
            json,
            press,
            title,
            complete,
            message,
        } => tools::ask(&config, line, json, press, title, complete, message),
        Command::Announce { track, round } => {
            by_hand::announce(&config, track, round, log_format(cli.log_format))
        }
        Command::State { command } => by_hand::state(&config, command),
        Command::Preview {
            listen,
            allow_remote,
        } => tools::preview(&config, listen, allow_remote, log_format(cli.log_format)),
        Command::New {
            track,
            round,
            place,
        } => tools::new_round(&config, track, round, place),
    }
}
