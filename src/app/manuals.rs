//! Shell completions and man pages, generated from the command line's types in [`args`], so
//! that they can never say something the parser does not do. The Debian package runs both at
//! build time; anyone else can run them once.
//!
//! [`args`]: super::args

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use super::args::Cli;

/// Writes `shell`'s completion script for `briefbot` to `out`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    clap_complete::generate(shell, &mut Cli::command(), "briefbot", out);
    out.flush()
}

/// Writes `briefbot.1` and one page per subcommand (`briefbot-run.1`, `briefbot-state-import.1`,
/// …) into `dir`, made if missing; returns the pages written.
pub fn manpages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot make the folder {}", dir.display()))?;
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut written = Vec::new();
    write_pages(command, dir, &mut written)
        .with_context(|| format!("cannot write the man pages in {}", dir.display()))?;
    Ok(written)
}

/// Writes `command`'s page and, before it, those of its subcommands (but hidden ones).
fn write_pages(command: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> io::Result<()> {
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_pages(sub.clone(), dir, written)?;
    }
    written.push(clap_mangen::Man::new(command).generate_to(dir)?);
    Ok(())
}
