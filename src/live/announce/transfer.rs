//! `briefbot state import` and `briefbot state export`: move the announcement state between
//! the state file (`announcements.json`) and the state database (`[state] url`), so a
//! deployment can switch from one to the other without announcing anything again.
//!
//! An import overwrites the database's state, so it runs only while no instance announces
//! from it: it takes the announcer's lock, and refuses when another instance holds it. An
//! export only reads (one consistent snapshot), so it needs no lock.
//!
//! Messages name the database by its URL without the password ([`DatabaseUrl::shown`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::database::Database;
use super::state::{State, StateError, StateFile};
use super::store::StateStore;
use crate::config::DatabaseUrl;
use crate::library::plural;

/// Why a state could not be moved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StateCommandError {
    #[error(
        "no state database is configured: set `[state] url` in the config or the DATABASE_URL environment variable to a postgres:// URL"
    )]
    NoDatabase,
    #[error("there is no state file at {}: nothing to import (name another with --from)", path.display())]
    NoStateFile { path: PathBuf },
    #[error(
        "a briefbot instance is announcing from the state database {place} (it holds the announcer's lock); stop every instance that uses this database first, then run `briefbot state import` again"
    )]
    AnnouncerRunning { place: String },
    #[error(
        "the state database {place} already holds an announcement state ({summary}); run again with --replace to overwrite it with {}", from.display()
    )]
    DatabaseHoldsState {
        place: String,
        summary: String,
        from: PathBuf,
    },
    #[error(
        "the state database {place} holds no announcement state yet: nothing to export (an instance writes it on its first start, or `briefbot state import` does)"
    )]
    NothingToExport { place: String },
    #[error("{} exists already; run again with --replace to overwrite it", path.display())]
    FileExists { path: PathBuf },
    #[error("cannot write the state to standard output: {0}")]
    Stdout(std::io::Error),
    #[error(transparent)]
    State(#[from] StateError),
}

/// Where `export` writes the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// A state file, written atomically.
    File(PathBuf),
    /// The JSON on standard output (`--to -`).
    Stdout,
}

impl Destination {
    /// `-` is standard output; anything else a file.
    pub(crate) fn from_arg(path: &Path) -> Destination {
        if path == Path::new("-") {
            Destination::Stdout
        } else {
            Destination::File(path.to_path_buf())
        }
    }
}

/// `12 known rounds in 2 tracks, 1 pending, 9 delivered`, and `, 1 note to post` when notes
/// to the errors channel wait.
pub(crate) fn summary(state: &State) -> String {
    let rounds: usize = state.known.values().map(|rounds| rounds.len()).sum();
    let notes = match state.notes.len() {
        0 => String::new(),
        n => format!(", {} to post", plural(n, "note")),
    };
    format!(
        "{} in {}, {} pending, {} delivered{notes}",
        plural(rounds, "known round"),
        plural(state.known.len(), "track"),
        state.pending.len(),
        state.delivered.len()
    )
}

/// The configured database, or an error naming where to configure one.
fn configured(database: Option<&DatabaseUrl>) -> Result<&DatabaseUrl, StateCommandError> {
    database.ok_or(StateCommandError::NoDatabase)
}

/// Writes the state file at `from` into the database at `database`, under the announcer's
/// lock; a state already there is overwritten only when `replace`. Returns the line to print.
pub(crate) async fn import(
    database: Option<&DatabaseUrl>,
    from: &Path,
    replace: bool,
) -> Result<String, StateCommandError> {
    let url = configured(database)?;
    // The file first: a damaged one, or one naming a round that cannot exist, is named
    // before anything connects.
    let file = StateFile::at(from);
    let state = file
        .load_for_import()?
        .ok_or_else(|| StateCommandError::NoStateFile {
            path: from.to_path_buf(),
        })?;
    let place = url.shown();
    let database = Database::open(url).await?;
    let written = database.locked(async {
        if let Some(held) = database.load().await?
            && !replace
        {
            return Err(StateCommandError::DatabaseHoldsState {
                place: place.clone(),
                summary: summary(&held),
                from: from.to_path_buf(),
            });
        }
        database.replace(&state).await?;
        Ok(())
    });
    if written.await?.is_none() {
        return Err(StateCommandError::AnnouncerRunning { place });
    }
    Ok(format!(
        "imported {} into {place}: {}",
        from.display(),
        summary(&state)
    ))
}

/// Writes the state the database at `database` holds to `to`: a file (written atomically, an
/// existing one overwritten only when `replace`) or standard output. Returns the line to
/// print (on standard error when the state itself goes to standard output).
pub(crate) async fn export(
    database: Option<&DatabaseUrl>,
    to: &Destination,
    replace: bool,
) -> Result<String, StateCommandError> {
    let url = configured(database)?;
    if let Destination::File(path) = to
        && !replace
        && path.exists()
    {
        return Err(StateCommandError::FileExists { path: path.clone() });
    }
    let place = url.shown();
    let database = Database::open(url).await?;
    let state = database
        .load()
        .await?
        .ok_or_else(|| StateCommandError::NothingToExport {
            place: place.clone(),
        })?;
    let written_to = match to {
        Destination::File(path) => {
            let file = StateFile::at(path);
            // The state folder may not exist yet (a deployment that only ever used the
            // database), as the bot's own first start would create it.
            std::fs::create_dir_all(file.dir()).map_err(|source| StateError::CreateDir {
                dir: file.dir().to_path_buf(),
                source,
            })?;
            file.save(&state)?;
            path.display().to_string()
        }
        Destination::Stdout => {
            let text = state
                .to_json()
                .map_err(std::io::Error::other)
                .map_err(StateCommandError::Stdout)?;
            let mut out = std::io::stdout().lock();
            out.write_all(&text)
                .and_then(|()| out.flush())
                .map_err(StateCommandError::Stdout)?;
            "standard output".to_string()
        }
    };
    Ok(format!(
        "exported {place} into {written_to}: {}",
        summary(&state)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::announce::state::Pending;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn the_summary_counts_rounds_tracks_pending_and_delivered() {
        let mut state = State::empty();
        state.known = BTreeMap::from([
            ("a".to_string(), BTreeSet::from([1, 2, 3])),
            ("b".to_string(), BTreeSet::from([1])),
        ]);
        state.pending.push(Pending::new("a", 3, 10));
        assert_eq!(
            summary(&state),
            "4 known rounds in 2 tracks, 1 pending, 0 delivered"
        );
        assert_eq!(
            summary(&State::empty()),
            "0 known rounds in 0 tracks, 0 pending, 0 delivered"
        );
    }

    #[test]
    fn a_dash_is_standard_output() {
        assert_eq!(Destination::from_arg(Path::new("-")), Destination::Stdout);
        assert_eq!(
            Destination::from_arg(Path::new("out.json")),
            Destination::File(PathBuf::from("out.json"))
        );
    }

    #[tokio::test]
    async fn without_a_database_both_name_the_key_and_the_variable() {
        let import = import(None, Path::new("state/announcements.json"), false)
            .await
            .expect_err("no database");
        let export = export(None, &Destination::Stdout, false)
            .await
            .expect_err("no database");
        for error in [import, export] {
            let text = error.to_string();
            assert!(
                text.contains("`[state] url`") && text.contains("DATABASE_URL"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_missing_file_to_import_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("announcements.json");
        let url =
            DatabaseUrl::parse("postgres://briefbot:s3cret@127.0.0.1:1/briefbot").expect("valid");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let error = runtime
            .block_on(import(Some(&url), &path, false))
            .expect_err("no file");
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
