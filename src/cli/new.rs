//! `briefbot new`: writes a new round file (or, with `new author`, an author file) whose every
//! value is a marked placeholder, so an editor fills in the blanks and `briefbot check` names
//! each one still left. What a brief may also hold (a draft, an embargo, corrections, who sat at
//! the table) is written as commented lines, to uncomment when needed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::library::{Library, LoadOptions, PLACEHOLDER, is_slug};

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("track `{0}` must be lower-case letters, digits and dashes, like `syria-israel`")]
    BadTrack(String),
    #[error("round must be 1 or more")]
    BadRound,
    #[error("{} already exists; edit it, or choose another name or round", .0.display())]
    Exists(PathBuf),
    #[error("round {round} of track `{track}` already exists in {}; edit it, or choose another round", path.display())]
    RoundExists {
        track: String,
        round: u32,
        path: PathBuf,
    },
    #[error(
        "author file name `{0}` must be lower-case letters, digits and dashes, like `omar-safadi`"
    )]
    BadAuthor(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The round after the highest one `track` has in `briefs_dir`, counting drafts and embargoed
/// rounds (they hold their numbers), and the number at the start of each file name in the
/// track's folder (`06-geneva.md`): a round just written by `new` and not filled in yet keeps
/// the folder from loading, and still holds its number. 1 for a new track.
pub fn next_free_round(briefs_dir: &Path, options: &LoadOptions, track: &str) -> u32 {
    let mut highest = 0;
    if let Ok(library) = Library::load(briefs_dir, options) {
        let served = library
            .track(track)
            .into_iter()
            .flat_map(|t| t.newest_first().map(|round| round.number));
        let held = library
            .held()
            .iter()
            .filter(|held| held.round.track == track)
            .map(|held| held.round.number);
        highest = served.chain(held).max().unwrap_or(0);
    }
    let named = std::fs::read_dir(briefs_dir.join(track))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        });
    named.fold(highest, u32::max).saturating_add(1)
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
    write_new(&folder, &path, &scaffold(track, round, place))?;
    Ok(path)
}

/// Writes `<briefs_dir>/authors/<slug>.toml` for a new author and returns its path; never
/// overwrites a file. `name`, when given, fills in the author's name.
pub fn new_author(
    briefs_dir: &Path,
    slug: &str,
    name: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    if !is_slug(slug) {
        return Err(ScaffoldError::BadAuthor(slug.to_string()));
    }
    let folder = briefs_dir.join("authors");
    let path = folder.join(format!("{slug}.toml"));
    write_new(&folder, &path, &author_scaffold(slug, name))?;
    Ok(path)
}

/// Writes `text` to `path`, a file that must not exist yet, making `folder` first.
fn write_new(folder: &Path, path: &Path, text: &str) -> Result<(), ScaffoldError> {
    let write_error = |source| ScaffoldError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(folder).map_err(write_error)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.to_path_buf()),
            _ => write_error(source),
        })?;
    file.write_all(text.as_bytes()).map_err(write_error)
}

/// The text of a new author file.
pub fn author_scaffold(slug: &str, name: Option<&str>) -> String {
    let todo = PLACEHOLDER;
    let name = match name {
        Some(name) => toml_string(name),
        None => format!("\"{todo}: the author's name as cards show it\""),
    };
    format!(
        r#"# Briefs name this author as `author = "{slug}"` (this file's name).
# Replace every "{todo}: …" text; `briefbot check` lists the ones still left.
name = {name}
bio = "{todo}: a few sentences on the author, at most 4096 characters"
# Optional: uncomment the lines that apply.
# title = "Senior Fellow"
# affiliation = "Tukhum Institute"
# education = ["Ph.D. in Political Science, University of Chicago"]
# expertise = ["Geopolitics of the Middle East"]
# links = ["https://example.org/people/{slug}"]
"#
    )
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
# Not ready to publish? Uncomment one. A draft is served once this line is removed; an
# embargoed round from its moment on (a date and time with its offset from UTC, no quotes).
# draft = true
# publish_at = 2026-01-07T09:00:00Z

# One [[positions]] table per party; role is party, mediator or observer.
[[positions]]
party = "{todo}: a party's name or alias from parties.toml"
role = "party"
stance = "{todo}: the party's stance in one line"
details = "{todo}: more detail, at most 1024 characters"
# Who sat at the table for this party, shown on the card when there is room:
# representatives = ["Name, their role"]

# After publishing, one [[corrections]] section per correction; never delete one.
# [[corrections]]
# date = 2026-01-08
# note = "What was corrected, in one line of at most 300 characters"
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
