//! `briefbot new`: writes a new round file whose every value is a marked placeholder, so an
//! editor fills in the blanks and `briefbot check` names each one still left.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::library::{Library, LoadOptions, PLACEHOLDER, is_slug};

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("track `{0}` must be lower-case letters, digits and dashes, like `syria-israel`")]
    BadTrack(String),
    #[error("round must be 1 or more")]
    BadRound,
    #[error("{} already exists; edit it, or choose another round", .0.display())]
    Exists(PathBuf),
    #[error("round {round} of track `{track}` already exists in {}; edit it, or choose another round", path.display())]
    RoundExists {
        track: String,
        round: u32,
        path: PathBuf,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `<briefs_dir>/<track>/<NN>-<place>.md` and returns its path. Never overwrites a
/// file, and refuses a round the folder already has (when the folder loads cleanly; a broken
/// folder is `check`'s business, and the duplicate would be reported there).
pub fn new_round(
    briefs_dir: &Path,
    options: &LoadOptions,
    track: &str,
    round: u32,
    place: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    if !is_slug(track) {
        return Err(ScaffoldError::BadTrack(track.to_string()));
    }
    if round == 0 {
        return Err(ScaffoldError::BadRound);
    }
    // A draft or an embargoed round holds its number too, though it is not served.
    if let Ok(library) = Library::load(briefs_dir, options)
        && let Some(existing) = library
            .track(track)
            .and_then(|t| t.round(round))
            .or_else(|| {
                library
                    .held()
                    .iter()
                    .map(|held| &*held.round)
                    .find(|r| r.track == track && r.number == round)
            })
    {
        return Err(ScaffoldError::RoundExists {
            track: track.to_string(),
            round,
            path: briefs_dir.join(&existing.path),
        });
    }
    let name = place
        .map(slugify)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "round".into());
    let folder = briefs_dir.join(track);
    let path = folder.join(format!("{round:02}-{name}.md"));
    let write_error = |source| ScaffoldError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&folder).map_err(write_error)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.clone()),
            _ => write_error(source),
        })?;
    file.write_all(scaffold(track, round, place).as_bytes())
        .map_err(write_error)?;
    Ok(path)
}

/// The text of a new round file.
pub fn scaffold(track: &str, round: u32, place: Option<&str>) -> String {
    let todo = PLACEHOLDER;
    let location = match place {
        Some(place) => toml_string(place),
        None => format!("\"{todo}: the city where the round was held\""),
    };
    format!(
        r#"+++
# Replace every "{todo}: …" text; `briefbot check` lists the ones still left.
track = "{track}"
round = {round}
title = "{todo}: the round's headline, at most 256 characters"
# The day the round concluded, written without quotes: date = 2026-01-06
date = "{todo}: the day the round concluded, as YYYY-MM-DD without quotes"
location = {location}
# The name of a file in authors/, without .toml
author = "{todo}: the author's file name in authors/, such as omar-safadi"
summary = "{todo}: the card's text, one paragraph of at most 4096 characters"
key_points = [
  "{todo}: one key point per line, each at most 1024 characters",
]
status = "{todo}: where things stand after the round"
sources = [
  {{ title = "{todo}: the source's title", publisher = "{todo}: who published it", url = "{todo}: its https:// address, or remove url" }},
]

# One [[positions]] table per party; role is party, mediator or observer.
[[positions]]
party = "{todo}: a party's name or alias from parties.toml"
role = "party"
stance = "{todo}: the party's stance in one line"
details = "{todo}: more detail, at most 1024 characters"
+++

{todo}: the longer briefing in Markdown, shown with the More button.
"#
    )
}

/// A TOML basic string with quotes and backslashes escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// "São Paulo" → "sao-paulo": lower-case ASCII words joined by dashes, for file names.
pub fn slugify(text: &str) -> String {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn place_names_become_ascii_file_names() {
        assert_eq!(slugify("São Paulo"), "sao-paulo");
        assert_eq!(slugify("Zürich"), "zurich");
        assert_eq!(slugify("Abu Dhabi"), "abu-dhabi");
        assert_eq!(slugify("  "), "");
    }
}
