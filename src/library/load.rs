//! Loading a briefs folder: every file read and checked (in parallel, and on a reload only
//! the files that changed), every mistake collected, and a `Library` only when there are none
//! (all or nothing).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::brief::{self, Identity, Known, ParsedRound};
use super::diagnostics::{Diagnostic, Diagnostics, Location};
use super::fields::{FileCx, FileError};
use super::files::{self, AUTHORS_DIR, PARTIES_FILE};
use super::model::{Author, Counts, Held, Hold, Library, Party, Round, RoundId, plural};
use super::people;
use super::search::SearchIndex;
use super::tracks::{self, TRACKS_FILE, TrackSettings};

/// What `load` needs beyond the folder: the track for briefs that name none.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub default_track: Option<String>,
}

/// A briefs folder with mistakes: every diagnostic from every file.
#[derive(thiserror::Error)]
#[error("{} in the briefs folder {}", plural(self.diagnostics.len(), "error"), self.root.display())]
pub struct LoadError {
    pub(crate) root: PathBuf,
    pub(crate) counts: Counts,
    pub diagnostics: Diagnostics,
    /// What would not look as meant, in the files with and without mistakes (boxed: a
    /// failed load is the rare case, and the result stays small).
    pub warnings: Box<Diagnostics>,
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
    /// Reads and checks every file under `root`, serving what is published by the system
    /// clock's now. Either all are valid, or the error holds every mistake in every file.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Library, LoadError> {
        Library::load_at(root, options, SystemTime::now())
    }

    /// As `load`, serving what is published at `now`.
    pub fn load_at(
        root: &Path,
        options: &LoadOptions,
        now: SystemTime,
    ) -> Result<Library, LoadError> {
        Folder::new(root, options.clone()).load_at(now)
    }
}

/// A briefs folder and what its files gave when last read, so that the next load reads and
/// parses only the files that changed (a reload after one saved edit) while the checks across
/// files (duplicate rounds, unknown authors and parties) still run on the whole folder.
/// Unchanged rounds are shared with the library already served, not copied.
pub struct Folder {
    root: PathBuf,
    options: LoadOptions,
    briefs: HashMap<PathBuf, Cached<Brief>>,
    authors: HashMap<PathBuf, Cached<Author>>,
    parties: Option<(PathBuf, Cached<Vec<Party>>)>,
    /// The authors and parties the cached briefs were checked against: when they change,
    /// every brief is checked again.
    checked_against: Option<Known>,
    /// The search index of the last library loaded: the next load shares its unchanged
    /// shards.
    search: Option<SearchIndex>,
}

/// A file's value as last parsed, and the file's metadata then.
struct Cached<T> {
    stamp: Stamp,
    value: Arc<T>,
}

/// A valid round file: its round, where its number is written (for a duplicate), and
/// what keeps it back, whatever the time is now.
struct Brief {
    round: Arc<Round>,
    identity: Identity,
    hold: Option<Hold>,
    /// The file's text and its warnings, when it has any.
    warnings: Option<Arc<(String, Vec<FileError>)>>,
}

/// What tells a changed file from an unchanged one without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: SystemTime,
    #[cfg(unix)]
    inode: u64,
}

/// A file modified this close to a load may be written again within the file system's
/// timestamp granularity (coarse clocks, 2 s on FAT) without its stamp changing: it is not
/// cached, so the next load reads it again.
const RACY: Duration = Duration::from_secs(2);

/// How long a load that read files modified within `RACY` waits before looking at them
/// again: long enough for a write in progress to move the file's length or time.
const QUIET: Duration = Duration::from_millis(20);

impl Stamp {
    fn of(meta: Option<&std::fs::Metadata>) -> Option<Stamp> {
        let meta = meta?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(meta),
        })
    }

    /// Whether a value read with this stamp may be trusted later, for a load that began at
    /// `started`.
    fn is_settled(&self, started: SystemTime) -> bool {
        self.modified + RACY < started
    }
}

/// One file read and parsed on its own: its value when valid, and otherwise its mistakes
/// with its text (kept only then, for the diagnostics to show the lines).
struct Read<T> {
    path: PathBuf,
    stamp: Option<Stamp>,
    value: Option<T>,
    mistakes: Option<(String, Vec<FileError>)>,
    /// A mistake that belongs to no line (the file cannot be read).
    unreadable: Option<String>,
    /// Its warnings, with its text, when it has any.
    warnings: Option<(String, Vec<FileError>)>,
}

/// Reads `relative` as UTF-8 text and gives it to `parse`; every mistake is kept. `stamp` is
/// the file's as the walk saw it, before reading.
fn read_file<T>(
    root: &Path,
    relative: &Path,
    stamp: Option<Stamp>,
    parse: impl FnOnce(&mut FileCx, &str) -> Option<T>,
) -> Read<T> {
    let path = root.join(relative);
    let mut read = Read {
        path: relative.to_path_buf(),
        stamp,
        value: None,
        mistakes: None,
        unreadable: None,
        warnings: None,
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            read.unreadable = Some(format!("cannot read the file: {error}"));
            return read;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.replace_range(..3, "");
            }
            text
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let mistake = FileError {
                span: valid..valid + 1,
                message: "the file is not UTF-8 text".to_string(),
                help: Some("save it as UTF-8 in your editor (\"Save with encoding\")".to_string()),
            };
            read.mistakes = Some((lossy, vec![mistake]));
            return read;
        }
    };
    let mut cx = FileCx::default();
    read.value = parse(&mut cx, &text);
    if !cx.warnings.is_empty() {
        read.warnings = Some((text.clone(), cx.warnings));
    }
    if !cx.errors.is_empty() {
        read.mistakes = Some((text, cx.errors));
    }
    read
}

/// For each of `paths`, on every core: what `cached` holds for it when its stamp is unchanged,
/// or else the file read and given to `parse`.
fn read_changed<C: Send + Sync, P: Send>(
    root: &Path,
    found: &files::Found,
    paths: &[PathBuf],
    cached: &HashMap<PathBuf, Cached<C>>,
    parse: impl Fn(&Path, &mut FileCx, &str) -> Option<P> + Sync,
) -> Vec<Result<Arc<C>, Box<Read<P>>>> {
    paths
        .par_iter()
        .map(|path| {
            let stamp = Stamp::of(found.metadata.get(path));
            match cached.get(path) {
                Some(c) if stamp == Some(c.stamp) => Ok(c.value.clone()),
                _ => Err(Box::new(read_file(root, path, stamp, |cx, text| {
                    parse(path, cx, text)
                }))),
            }
        })
        .collect()
}

impl Folder {
    pub fn new(root: &Path, options: LoadOptions) -> Folder {
        Folder {
            root: root.to_path_buf(),
            options,
            briefs: HashMap::new(),
            authors: HashMap::new(),
            parties: None,
            checked_against: None,
            search: None,
        }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// `load_at` the system clock's now.
    pub fn load(&mut self) -> Result<Library, LoadError> {
        self.load_at(SystemTime::now())
    }

    /// Reads the folder: the files that changed since the last load (all of them the first
    /// time) in parallel, the others from what they gave then. Either every file is valid
    /// and the library is whole, with the rounds published at `now` served and the others
    /// held, or the error holds every mistake in every file (drafts and embargoes included).
    pub fn load_at(&mut self, now: SystemTime) -> Result<Library, LoadError> {
        // The file stamps' clock, not `now`: a test's clock may be far from the files' times.
        let started = SystemTime::now();
        let mut diagnostics = Diagnostics::default();
        let mut counts = Counts::default();
        let mut warnings = Diagnostics::default();
        let root = self.root.clone();
        let fail = move |mut diagnostics: Diagnostics, mut warnings: Diagnostics, counts| {
            diagnostics.sort();
            warnings.sort();
            Err(LoadError {
                root: root.clone(),
                counts,
                diagnostics,
                warnings: Box::new(warnings),
            })
        };
        let found = match files::discover(&self.root) {
            Ok(found) => found,
            Err(error) => {
                let message = match error.kind() {
                    std::io::ErrorKind::NotFound => "the briefs folder does not exist".to_string(),
                    _ => format!("cannot read the briefs folder: {error}"),
                };
                let help = "set `briefs_dir` in config.toml or pass the folder: briefbot check DIR";
                diagnostics.push(Diagnostic::whole(&self.root, message).with_help(help));
                return fail(diagnostics, warnings, counts);
            }
        };
        self.report_folder(&found, &mut diagnostics);
        counts.briefs = found.briefs.len();
        counts.authors = found.authors.len();

        let parties = self.read_parties(&found, started, &mut diagnostics);
        counts.parties = parties.as_ref().map_or(0, |p| p.len());
        let authors = self.read_authors(&found, started, &mut diagnostics);
        let tracks = self.read_tracks(&found, &mut diagnostics);
        let author_slugs: Vec<String> = found.authors.iter().filter_map(|p| stem(p)).collect();

        // A broken parties.toml is reported on its own; checking parties against it would
        // only add noise, so briefs are then read as if there were no parties file.
        let known = Known::new(
            author_slugs,
            parties.as_deref().cloned(),
            tracks.clone().unwrap_or_default(),
            self.options.default_track.clone(),
        );
        if !self
            .checked_against
            .as_ref()
            .is_some_and(|before| before.same_as(&known))
        {
            self.briefs.clear();
        }
        self.warn_of_config_default(tracks.as_ref(), &mut warnings);
        let rounds = self.read_briefs(&found, &known, started, &mut diagnostics, &mut warnings);
        let default_track = known.default_track.clone();
        self.checked_against = Some(known);

        self.confirm_steady(&found, started, &mut diagnostics);
        if !diagnostics.is_empty() {
            return fail(diagnostics, warnings, counts);
        }
        warnings.sort();
        let (rounds, held) = publication(rounds, now);
        let mut library = Library::from_shared(
            rounds,
            authors.iter().map(|a| Author::clone(a)).collect(),
            parties.as_deref().cloned().unwrap_or_default(),
            default_track,
            self.search.as_ref(),
        );
        library.track_names = tracks.map(|t| t.names).unwrap_or_default();
        library.warnings = Arc::new(warnings);
        self.search = Some(library.search_index().clone());
        library.counts = counts;
        library.hold(held);
        Ok(library)
    }

    /// Refuses files that were being written while they were read. Linux does not make a
    /// read atomic with a concurrent write: a brief saved in place (as editors and `git
    /// checkout` do) can be read half written, and a brief cut short mid-body still parses.
    /// Only files modified moments before the load can be mid-write, so when there are any,
    /// the load waits a moment and looks at them again: a file whose length, time or inode
    /// moved since the walk is reported, and the reload its save triggers reads it whole.
    fn confirm_steady(
        &self,
        found: &files::Found,
        started: SystemTime,
        diagnostics: &mut Diagnostics,
    ) {
        let recent: Vec<(&PathBuf, Stamp)> = found
            .metadata
            .iter()
            .filter_map(|(path, meta)| Some((path, Stamp::of(Some(meta))?)))
            .filter(|(_, stamp)| !stamp.is_settled(started))
            .collect();
        if recent.is_empty() {
            return;
        }
        std::thread::sleep(QUIET);
        for (path, stamp) in recent {
            let path = self.root.join(path);
            let now = Stamp::of(std::fs::metadata(&path).ok().as_ref());
            if now != Some(stamp) {
                diagnostics.push(
                    Diagnostic::whole(&path, "the file changed while it was being read")
                        .with_help("it is read again once the save is done"),
                );
            }
        }
    }

    /// What is wrong with the folder itself: no briefs, entries that cannot be read, TOML
    /// files that are neither authors nor parties.
    fn report_folder(&self, found: &files::Found, diagnostics: &mut Diagnostics) {
        if found.briefs.is_empty() {
            diagnostics.push(
                Diagnostic::whole(&self.root, "the briefs folder has no briefs (no .md files)")
                    .with_help("add a round with `briefbot new --track TRACK --round N`"),
            );
        }
        for (path, reason) in &found.unreadable {
            diagnostics.push(Diagnostic::whole(self.root.join(path), reason.clone()));
        }
        for stray in &found.strays {
            diagnostics.push(
                Diagnostic::whole(self.root.join(stray), "a TOML file that briefbot does not know")
                    .with_help(format!("authors go in {AUTHORS_DIR}/<slug>.toml and parties in {PARTIES_FILE}; rename or move it")),
            );
        }
    }

    /// Reports a read file's mistakes; its value, when it has no mistakes.
    fn settle<T>(&self, read: Read<T>, diagnostics: &mut Diagnostics) -> Option<T> {
        let path = self.root.join(&read.path);
        if let Some(reason) = read.unreadable {
            diagnostics.push(Diagnostic::whole(&path, reason));
        }
        match read.mistakes {
            Some((text, errors)) => {
                diagnostics.add_file(&path, text, errors);
                None
            }
            None => read.value,
        }
    }

    fn read_parties(
        &mut self,
        found: &files::Found,
        started: SystemTime,
        diagnostics: &mut Diagnostics,
    ) -> Option<Arc<Vec<Party>>> {
        let Some(path) = found.parties.as_deref() else {
            self.parties = None;
            return None;
        };
        let stamp = Stamp::of(found.metadata.get(path));
        if let Some((cached_path, cached)) = &self.parties
            && cached_path == path
            && stamp == Some(cached.stamp)
        {
            return Some(cached.value.clone());
        }
        let read = read_file(&self.root, path, stamp, people::parse_parties);
        let stamp = read.stamp;
        let parties = Arc::new(self.settle(read, diagnostics)?);
        self.parties = stamp.filter(|s| s.is_settled(started)).map(|stamp| {
            (
                path.to_path_buf(),
                Cached {
                    stamp,
                    value: parties.clone(),
                },
            )
        });
        Some(parties)
    }

    /// A default track from the operator's config (or `BRIEFBOT_DEFAULT_TRACK`) gives briefs a
    /// meaning that a `check` elsewhere (an editor's copy, a pull request's workflow) does not
    /// see: said as a warning, with where the default belongs.
    fn warn_of_config_default(&self, tracks: Option<&TrackSettings>, warnings: &mut Diagnostics) {
        let Some(configured) = &self.options.default_track else {
            return;
        };
        let file = self.root.join(TRACKS_FILE);
        let warning = match tracks.and_then(|t| t.default.as_deref()) {
            Some(default) if default == configured => return,
            Some(default) => Diagnostic::whole(
                &file,
                format!(
                    "the config's default track `{configured}` is not used: {TRACKS_FILE} names `{default}`"
                ),
            )
            .with_help("remove `default_track` from config.toml (or BRIEFBOT_DEFAULT_TRACK), so no one expects it to count"),
            None => Diagnostic::whole(
                &self.root,
                format!(
                    "the default track `{configured}` comes from the config (`default_track` or BRIEFBOT_DEFAULT_TRACK), which a check elsewhere does not see"
                ),
            )
            .with_help(format!(
                "name it in the briefs folder's {TRACKS_FILE}: `default = \"{configured}\"`, with a `[[track]]` for it, so every check agrees"
            )),
        };
        warnings.push(warning.into_warning());
    }

    /// `tracks.toml`, read on every load: one small file, and what it says changes the
    /// meaning of every brief, which are then checked again.
    fn read_tracks(
        &self,
        found: &files::Found,
        diagnostics: &mut Diagnostics,
    ) -> Option<TrackSettings> {
        let path = found.tracks.as_deref()?;
        let stamp = Stamp::of(found.metadata.get(path));
        let read = read_file(&self.root, path, stamp, tracks::parse_tracks);
        self.settle(read, diagnostics)
    }

    fn read_authors(
        &mut self,
        found: &files::Found,
        started: SystemTime,
        diagnostics: &mut Diagnostics,
    ) -> Vec<Arc<Author>> {
        let paths = &found.authors;
        let reads = read_changed(&self.root, found, paths, &self.authors, |path, cx, text| {
            people::parse_author(cx, &stem(path).unwrap_or_default(), text)
        });
        let mut next = HashMap::new();
        let mut authors = Vec::new();
        for (path, read) in paths.iter().zip(reads) {
            let author = match read {
                Ok(author) => author,
                Err(read) => {
                    let stamp = read.stamp;
                    let Some(author) = self.settle(*read, diagnostics).map(Arc::new) else {
                        continue;
                    };
                    if let Some(stamp) = stamp.filter(|s| s.is_settled(started)) {
                        next.insert(
                            path.clone(),
                            Cached {
                                stamp,
                                value: author.clone(),
                            },
                        );
                    }
                    authors.push(author);
                    continue;
                }
            };
            if let Some(entry) = self.authors.remove(path) {
                next.insert(path.clone(), entry);
            }
            authors.push(author);
        }
        self.authors = next;
        authors
    }

    /// Every round file: the unchanged ones from the cache, the others read in parallel;
    /// then a round number used twice in one track is reported, whether or not the files
    /// have other mistakes.
    fn read_briefs(
        &mut self,
        found: &files::Found,
        known: &Known,
        started: SystemTime,
        diagnostics: &mut Diagnostics,
        warnings: &mut Diagnostics,
    ) -> Vec<(Arc<Round>, Option<Hold>)> {
        let root = &self.root;
        let paths = &found.briefs;
        // A file that cannot be parsed still says which round it claims to be.
        let reads = read_changed(root, found, paths, &self.briefs, |path, cx, text| {
            let parsed: ParsedRound = brief::parse(cx, path.to_path_buf(), text, known);
            Some((
                parsed.round.map(|round| (Arc::new(round), parsed.hold)),
                parsed.identity,
            ))
        });
        let mut next = HashMap::new();
        let mut seen: HashMap<RoundId, (PathBuf, Location)> = HashMap::with_capacity(paths.len());
        let mut rounds = Vec::with_capacity(paths.len());
        for (path, read) in paths.iter().zip(reads) {
            let (round, identity, stamp, mistakes, warned) = match read {
                Ok(brief) => {
                    if let Some(entry) = self.briefs.remove(path) {
                        next.insert(path.clone(), entry);
                    }
                    (
                        Some((brief.round.clone(), brief.hold.clone())),
                        Some(brief.identity.clone()),
                        None,
                        None,
                        brief.warnings.clone(),
                    )
                }
                Err(mut read) => {
                    let (round, identity) = read.value.take().unwrap_or_default();
                    let mistakes = read.mistakes.take();
                    let stamp = read.stamp;
                    if let Some(reason) = read.unreadable.take() {
                        diagnostics.push(Diagnostic::whole(root.join(path), reason));
                    }
                    (
                        round,
                        identity,
                        stamp,
                        mistakes,
                        read.warnings.take().map(Arc::new),
                    )
                }
            };
            if let Some(warned) = &warned {
                warnings.add_file_warnings(&root.join(path), warned.0.clone(), &warned.1);
            }
            let duplicate = identity.as_ref().and_then(|identity| {
                match seen.get(&identity.id) {
                    Some((first, at)) => Some(FileError {
                        span: identity.span.clone(),
                        message: format!(
                            "round {} of track `{}` is also in {}:{}:{}",
                            identity.id.number,
                            identity.id.track,
                            first.display(),
                            at.line,
                            at.column
                        ),
                        help: Some("each round has one file; give one of them another round number or track".to_string()),
                    }),
                    None => {
                        seen.insert(identity.id.clone(), (root.join(path), identity.location));
                        None
                    }
                }
            });
            match (mistakes, duplicate) {
                (None, None) => {
                    let Some((round, hold)) = round else { continue };
                    if let (Some(stamp), Some(identity)) =
                        (stamp.filter(|s| s.is_settled(started)), identity)
                    {
                        let brief = Brief {
                            round: round.clone(),
                            identity,
                            hold: hold.clone(),
                            warnings: warned,
                        };
                        next.insert(
                            path.clone(),
                            Cached {
                                stamp,
                                value: Arc::new(brief),
                            },
                        );
                    }
                    rounds.push((round, hold));
                }
                (Some((text, mut errors)), duplicate) => {
                    errors.extend(duplicate);
                    diagnostics.add_file(&root.join(path), text, errors);
                }
                (None, Some(duplicate)) => {
                    // The file itself is valid, so its text was not kept: read it again to
                    // show the line.
                    let text = std::fs::read(root.join(path))
                        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                        .unwrap_or_default();
                    // Spans count from after a byte-order mark, as when it was parsed.
                    let text = match text.strip_prefix('\u{feff}') {
                        Some(rest) => rest.to_string(),
                        None => text,
                    };
                    diagnostics.add_file(&root.join(path), text, vec![duplicate]);
                }
            }
        }
        self.briefs = next;
        rounds
    }
}

/// The rounds served at `now`, and the ones still held back, ordered by track and number.
fn publication(
    rounds: Vec<(Arc<Round>, Option<Hold>)>,
    now: SystemTime,
) -> (Vec<Arc<Round>>, Vec<Held>) {
    let mut served = Vec::with_capacity(rounds.len());
    let mut held = Vec::new();
    for (round, hold) in rounds {
        match hold.filter(|hold| hold.holds_at(now)) {
            Some(why) => held.push(Held { round, why }),
            None => served.push(round),
        }
    }
    held.sort_by(|a, b| (&a.round.track, a.round.number).cmp(&(&b.round.track, b.round.number)));
    (served, held)
}

fn stem(path: &Path) -> Option<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_string)
}
