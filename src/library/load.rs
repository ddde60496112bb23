//! Loading a briefs folder: every file read and checked, every mistake collected, and a
//! `Library` only when there are none (all or nothing).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::brief::{self, Known, ParsedRound};
use super::diagnostics::{Diagnostic, Diagnostics, Location, SourceId};
use super::fields::FileCx;
use super::files::{self, AUTHORS_DIR, PARTIES_FILE};
use super::model::{Author, Counts, Library, Party, Round, RoundId, plural};
use super::people;

/// What `load` needs beyond the folder: the track for briefs that name none.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub default_track: Option<String>,
}

/// A briefs folder with mistakes: every diagnostic from every file.
#[derive(thiserror::Error)]
#[error("{} in the briefs folder {}", plural(self.diagnostics.len(), "error"), self.root.display())]
pub struct LoadError {
    pub root: PathBuf,
    pub counts: Counts,
    pub diagnostics: Diagnostics,
}

impl fmt::Debug for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadError")
            .field("root", &self.root)
            .field("diagnostics", &self.diagnostics.items())
            .finish()
    }
}

impl Library {
    /// Reads and checks every file under `root`. Either all are valid, or the error holds
    /// every mistake in every file.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Library, LoadError> {
        Loader::new(root).load(options)
    }
}

/// One load in progress: the folder, and every diagnostic so far.
struct Loader {
    root: PathBuf,
    diagnostics: Diagnostics,
    counts: Counts,
}

impl Loader {
    fn new(root: &Path) -> Loader {
        Loader {
            root: root.to_path_buf(),
            diagnostics: Diagnostics::default(),
            counts: Counts::default(),
        }
    }

    fn load(mut self, options: &LoadOptions) -> Result<Library, LoadError> {
        let found = match files::discover(&self.root) {
            Ok(found) => found,
            Err(error) => {
                let message = match error.kind() {
                    std::io::ErrorKind::NotFound => "the briefs folder does not exist".to_string(),
                    _ => format!("cannot read the briefs folder: {error}"),
                };
                let help = "set `briefs_dir` in config.toml or pass the folder: briefbot check DIR";
                self.diagnostics
                    .push(Diagnostic::whole(&self.root, message).with_help(help));
                return Err(self.fail());
            }
        };
        if found.briefs.is_empty() {
            self.diagnostics.push(
                Diagnostic::whole(&self.root, "the briefs folder has no briefs (no .md files)")
                    .with_help("add a round with `briefbot new --track TRACK --round N`"),
            );
        }
        for (path, reason) in &found.unreadable {
            self.diagnostics
                .push(Diagnostic::whole(self.root.join(path), reason.clone()));
        }
        for stray in &found.strays {
            self.diagnostics.push(
                Diagnostic::whole(self.root.join(stray), "a TOML file that briefbot does not know")
                    .with_help(format!("authors go in {AUTHORS_DIR}/<slug>.toml and parties in {PARTIES_FILE}; rename or move it")),
            );
        }

        let parties = found.parties.as_ref().map(|path| self.read_parties(path));
        let author_slugs: Vec<String> = found.authors.iter().filter_map(|p| stem(p)).collect();
        let authors: Vec<Author> = found
            .authors
            .iter()
            .filter_map(|p| self.read_author(p))
            .collect();
        self.counts.authors = found.authors.len();
        self.counts.briefs = found.briefs.len();

        // A broken parties.toml is reported on its own; checking parties against it would
        // only add noise, so briefs are then read as if there were no parties file.
        let known = Known {
            authors: &author_slugs,
            parties: parties.as_ref().and_then(|p| p.as_deref()),
            default_track: options.default_track.as_deref(),
        };
        let parsed: Vec<(ParsedRound, SourceId)> = found
            .briefs
            .iter()
            .filter_map(|path| self.read_brief(path, &known))
            .collect();
        let rounds = self.check_duplicates(parsed);

        if !self.diagnostics.is_empty() {
            return Err(self.fail());
        }
        let mut library = Library::from_parts(
            rounds,
            authors,
            parties.flatten().unwrap_or_default(),
            options.default_track.clone(),
        );
        library.counts = self.counts;
        Ok(library)
    }

    fn fail(mut self) -> LoadError {
        self.diagnostics.sort();
        LoadError {
            root: self.root,
            counts: self.counts,
            diagnostics: self.diagnostics,
        }
    }

    /// Reads a file as UTF-8 and registers it for diagnostics; `None` after reporting why not.
    fn read_source(&mut self, relative: &Path) -> Option<(SourceId, String)> {
        let path = self.root.join(relative);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.diagnostics.push(Diagnostic::whole(
                    &path,
                    format!("cannot read the file: {error}"),
                ));
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.replace_range(..3, "");
                }
                Some((self.diagnostics.add_source(&path, text.clone()), text))
            }
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let id = self.diagnostics.add_source(&path, lossy);
                self.diagnostics.error_at(
                    id,
                    valid..valid + 1,
                    "the file is not UTF-8 text",
                    Some("save it as UTF-8 in your editor (\"Save with encoding\")".to_string()),
                );
                None
            }
        }
    }

    fn read_parties(&mut self, relative: &Path) -> Option<Vec<Party>> {
        let (source, text) = self.read_source(relative)?;
        let mut cx = FileCx {
            source,
            offset: 0,
            diagnostics: &mut self.diagnostics,
        };
        let parties = people::parse_parties(&mut cx, &text)?;
        self.counts.parties = parties.len();
        Some(parties)
    }

    fn read_author(&mut self, relative: &Path) -> Option<Author> {
        let slug = stem(relative)?;
        let (source, text) = self.read_source(relative)?;
        let mut cx = FileCx {
            source,
            offset: 0,
            diagnostics: &mut self.diagnostics,
        };
        people::parse_author(&mut cx, &slug, &text)
    }

    fn read_brief(&mut self, relative: &Path, known: &Known) -> Option<(ParsedRound, SourceId)> {
        let (source, text) = self.read_source(relative)?;
        let mut cx = FileCx {
            source,
            offset: 0,
            diagnostics: &mut self.diagnostics,
        };
        let parsed = brief::parse(&mut cx, relative.to_path_buf(), &text, known);
        Some((parsed, source))
    }

    /// Reports a round number used twice in one track, whether or not the files have other
    /// mistakes, and returns the valid rounds.
    fn check_duplicates(&mut self, parsed: Vec<(ParsedRound, SourceId)>) -> Vec<Round> {
        let mut seen: BTreeMap<RoundId, (PathBuf, Location)> = BTreeMap::new();
        let mut rounds = Vec::new();
        for (parsed, source) in parsed {
            if let Some(identity) = parsed.identity {
                let path = self.diagnostics.path_of(source);
                if let Some((first, at)) = seen.get(&identity.id) {
                    self.diagnostics.error_at(
                        source,
                        identity.span,
                        format!(
                            "round {} of track `{}` is also in {}:{}:{}",
                            identity.id.number,
                            identity.id.track,
                            first.display(),
                            at.line,
                            at.column
                        ),
                        Some("each round has one file; give one of them another round number or track".to_string()),
                    );
                    continue;
                }
                seen.insert(identity.id, (path, identity.location));
            }
            rounds.extend(parsed.round);
        }
        rounds
    }
}

fn stem(path: &Path) -> Option<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_string)
}
