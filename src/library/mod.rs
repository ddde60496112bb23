//! The briefs folder as an immutable `Library` snapshot: tracks → rounds, authors, parties.
//! Loading is all or nothing; it knows nothing of Discord, commands or transports.

mod brief;
mod fields;
mod files;
mod people;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, Location, SourceId};
use brief::{Known, ParsedRound};
use fields::FileCx;
pub use fields::PLACEHOLDER;
use files::{AUTHORS_DIR, PARTIES_FILE};

/// A calendar day, as briefs write it (`date = 2026-01-06`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl From<toml::value::Date> for Date {
    fn from(d: toml::value::Date) -> Self {
        Date {
            year: d.year,
            month: d.month,
            day: d.day,
        }
    }
}

impl Date {
    /// The day of the week, by Sakamoto's method (Gregorian calendar).
    pub fn weekday(&self) -> &'static str {
        const OFFSETS: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        const NAMES: [&str; 7] = [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ];
        let month = usize::from(self.month.clamp(1, 12));
        let year = u32::from(self.year).saturating_sub(u32::from(month < 3));
        let day = u32::from(self.day);
        let index = (year + year / 4 - year / 100 + year / 400 + OFFSETS[month - 1] + day) % 7;
        NAMES[index as usize]
    }
}

/// ISO 8601, as in the files: `2026-01-06`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A party's part in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Party,
    Mediator,
    Observer,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Party => "party",
            Role::Mediator => "mediator",
            Role::Observer => "observer",
        }
    }
}

/// Where one party stood in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The canonical name from `parties.toml` when it exists, else as written.
    pub party: String,
    pub role: Role,
    pub stance: String,
    pub details: Option<String>,
    pub representatives: Vec<String>,
}

/// A published source a round is drawn from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub title: String,
    pub publisher: Option<String>,
    /// An https:// link; `None` for a source that is not online.
    pub url: Option<String>,
}

/// One negotiation round: one brief file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub track: String,
    pub number: u32,
    pub title: String,
    pub date: Date,
    pub location: Option<String>,
    /// The slug of an author in the same library.
    pub author: String,
    pub summary: String,
    pub key_points: Vec<String>,
    pub status: Option<String>,
    pub sources: Vec<Source>,
    pub positions: Vec<Position>,
    /// The longer briefing in Markdown, after the front matter.
    pub body: String,
    /// The file, relative to the briefs folder.
    pub path: PathBuf,
}

/// A sequence of rounds between the same parties, ordered by round number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: String,
    pub rounds: Vec<Round>,
}

impl Track {
    /// The round with the highest number; every track has at least one.
    pub fn latest(&self) -> Option<&Round> {
        self.rounds.last()
    }

    pub fn round(&self, number: u32) -> Option<&Round> {
        self.rounds
            .binary_search_by_key(&number, |r| r.number)
            .ok()
            .map(|i| &self.rounds[i])
    }

    /// The round before `number` in this track (rounds may skip numbers).
    pub fn previous(&self, number: u32) -> Option<&Round> {
        self.rounds.iter().rev().find(|r| r.number < number)
    }

    pub fn next(&self, number: u32) -> Option<&Round> {
        self.rounds.iter().find(|r| r.number > number)
    }
}

/// Someone who writes briefs: `authors/<slug>.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub slug: String,
    pub name: String,
    pub title: Option<String>,
    pub affiliation: Option<String>,
    pub bio: String,
    pub education: Vec<String>,
    pub expertise: Vec<String>,
    pub links: Vec<String>,
}

/// A party to the talks as `parties.toml` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub aliases: Vec<String>,
    pub emoji: Option<String>,
}

impl Party {
    /// Whether `name` is this party's name or one of its aliases, ignoring case.
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.trim();
        self.name.eq_ignore_ascii_case(name)
            || self.name.to_lowercase() == name.to_lowercase()
            || self
                .aliases
                .iter()
                .any(|a| a.to_lowercase() == name.to_lowercase())
    }
}

/// How many files of each kind a load read, for `check`'s summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub briefs: usize,
    pub authors: usize,
    pub parties: usize,
}

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

/// "1 brief", "3 briefs".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// An immutable snapshot of a valid briefs folder.
#[derive(Debug, Clone)]
pub struct Library {
    root: PathBuf,
    tracks: Vec<Track>,
    authors: Vec<Author>,
    parties: Vec<Party>,
    counts: Counts,
    default_track: Option<String>,
}

impl Library {
    /// Reads and checks every file under `root`. Either all are valid, or the error holds
    /// every mistake in every file.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Library, LoadError> {
        Loader::new(root).load(options)
    }

    /// A snapshot built in code rather than loaded (for tests and benchmarks): rounds are
    /// grouped into tracks and ordered by number; of two rounds with the same track and number
    /// the first is kept. Nothing is validated: the commands cope with any content.
    pub fn from_parts(
        rounds: Vec<Round>,
        authors: Vec<Author>,
        parties: Vec<Party>,
        default_track: Option<String>,
    ) -> Library {
        let mut tracks: BTreeMap<String, Vec<Round>> = BTreeMap::new();
        for round in rounds {
            let rounds = tracks.entry(round.track.clone()).or_default();
            if !rounds.iter().any(|r| r.number == round.number) {
                rounds.push(round);
            }
        }
        let tracks = tracks
            .into_iter()
            .map(|(id, mut rounds)| {
                rounds.sort_by_key(|r| r.number);
                Track { id, rounds }
            })
            .collect();
        let counts = Counts {
            briefs: 0,
            authors: authors.len(),
            parties: parties.len(),
        };
        let mut authors = authors;
        authors.sort_by(|a, b| a.slug.cmp(&b.slug));
        Library {
            root: PathBuf::new(),
            tracks,
            authors,
            parties,
            counts,
            default_track,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Tracks in order of their id.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    pub fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// The track a command means when it names none: the only one; else the configured
    /// default; else the one whose latest round is the most recent.
    pub fn main_track(&self) -> Option<&Track> {
        if let [only] = self.tracks.as_slice() {
            return Some(only);
        }
        self.default_track
            .as_deref()
            .and_then(|id| self.track(id))
            .or_else(|| {
                self.tracks
                    .iter()
                    .max_by_key(|t| t.latest().map(|r| r.date))
            })
    }

    /// Authors in order of their slug.
    pub fn authors(&self) -> &[Author] {
        &self.authors
    }

    pub fn author(&self, slug: &str) -> Option<&Author> {
        self.authors.iter().find(|a| a.slug == slug)
    }

    /// Parties from `parties.toml`, in file order; empty when there is none.
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// The party called `name` or known by it as an alias.
    pub fn party(&self, name: &str) -> Option<&Party> {
        self.parties.iter().find(|p| p.answers_to(name))
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Every round of every track.
    pub fn rounds(&self) -> impl Iterator<Item = &Round> {
        self.tracks.iter().flat_map(|t| t.rounds.iter())
    }
}

/// Lower-case ASCII letters and digits in dash-separated words: safe in file names and
/// in a button's `custom_id`.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
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
        library.root = self.root;
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
        let mut seen: BTreeMap<(String, u32), (PathBuf, Location)> = BTreeMap::new();
        let mut rounds = Vec::new();
        for (parsed, source) in parsed {
            if let Some(identity) = parsed.identity {
                let path = self.diagnostics.path_of(source);
                let key = (identity.track, identity.number);
                if let Some((first, at)) = seen.get(&key) {
                    self.diagnostics.error_at(
                        source,
                        identity.span,
                        format!(
                            "round {} of track `{}` is also in {}:{}:{}",
                            key.1,
                            key.0,
                            first.display(),
                            at.line,
                            at.column
                        ),
                        Some("each round has one file; give one of them another round number or track".to_string()),
                    );
                    continue;
                }
                seen.insert(key, (path, identity.location));
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
