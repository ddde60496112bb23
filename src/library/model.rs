//! What a briefs folder holds, as the commands read it: tracks of rounds, authors, parties,
//! the valid rounds held back (drafts and embargoes: `Held`, `Hold`, `Moment`), and the
//! immutable `Library` snapshot of them. Plain data: no files, no Discord.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use toml::value::Datetime;

use super::date::Date;
use super::diagnostics::Diagnostics;
use super::search::{Found, Mode, Names, SearchIndex};

/// A party's part in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Party,
    Mediator,
    Observer,
}

impl Role {
    pub(crate) fn as_str(&self) -> &'static str {
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

/// A correction the institute made to a round's brief after publishing it: shown on the
/// round's card, so readers see what changed and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The day the correction was made; never before the round's own date.
    pub date: Date,
    /// What was corrected, in one or two sentences.
    pub note: String,
}

impl Correction {
    /// The longest note `check` accepts: the card shows it whole on one line of its own.
    pub(crate) const NOTE_MAX: usize = 300;
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
    /// Corrections made since the brief was published, oldest first (whatever the file's
    /// order); the last is the latest.
    pub corrections: Vec<Correction>,
    /// The longer briefing in Markdown, after the front matter.
    pub body: String,
    /// The file, relative to the briefs folder.
    pub path: PathBuf,
}

#[cfg(test)]
impl Round {
    /// A round with a title and a place and nothing else, for the views' tests.
    pub(crate) fn example(track: &str, number: u32, title: &str, place: &str) -> Round {
        Round {
            track: track.to_string(),
            number,
            title: title.to_string(),
            date: Date {
                year: 2026,
                month: 1,
                day: 6,
            },
            location: Some(place.to_string()),
            author: "a".to_string(),
            summary: String::new(),
            key_points: Vec::new(),
            status: None,
            sources: Vec::new(),
            positions: Vec::new(),
            corrections: Vec::new(),
            body: String::new(),
            path: PathBuf::new(),
        }
    }
}

impl Round {
    pub(crate) fn id(&self) -> RoundId {
        RoundId {
            track: self.track.clone(),
            number: self.number,
        }
    }
}

/// A sequence of rounds between the same parties, ordered by round number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: String,
    /// Shared with the libraries before and after a reload that did not change them.
    pub rounds: Vec<Arc<Round>>,
    /// For each round, its place and headline lower-cased (`"paris\u{1}paris round …"`):
    /// what a user typing words in autocomplete is matched against.
    keys: Vec<String>,
}

impl Track {
    /// The round with the highest number; every track has at least one.
    pub fn latest(&self) -> Option<&Round> {
        self.rounds.last().map(|r| &**r)
    }

    pub fn round(&self, number: u32) -> Option<&Round> {
        self.rounds
            .binary_search_by_key(&number, |r| r.number)
            .ok()
            .map(|i| &*self.rounds[i])
    }

    /// The round before `number` in this track (rounds may skip numbers).
    pub fn previous(&self, number: u32) -> Option<&Round> {
        let before = self.rounds.partition_point(|r| r.number < number);
        before.checked_sub(1).map(|i| &*self.rounds[i])
    }

    pub fn next(&self, number: u32) -> Option<&Round> {
        let after = self.rounds.partition_point(|r| r.number <= number);
        self.rounds.get(after).map(|r| &**r)
    }

    /// Rounds newest first.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = &Round> {
        self.rounds.iter().rev().map(|r| &**r)
    }

    /// Rounds newest first, each with its place and headline lower-cased, to match what a
    /// user types (lower-cased too) without lower-casing every round for every keystroke.
    pub(crate) fn newest_first_with_keys(&self) -> impl Iterator<Item = (&Round, &str)> {
        self.rounds
            .iter()
            .zip(&self.keys)
            .rev()
            .map(|(r, key)| (&**r, key.as_str()))
    }

    fn new(id: String, rounds: Vec<Arc<Round>>) -> Track {
        let keys = rounds
            .iter()
            .map(|r| {
                let place = r.location.as_deref().unwrap_or_default();
                format!("{}\u{1}{}", place.to_lowercase(), r.title.to_lowercase())
            })
            .collect();
        Track { id, rounds, keys }
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
    pub(crate) fn answers_to(&self, name: &str) -> bool {
        let name = name.trim();
        self.name.eq_ignore_ascii_case(name)
            || self.name.to_lowercase() == name.to_lowercase()
            || self
                .aliases
                .iter()
                .any(|a| a.to_lowercase() == name.to_lowercase())
    }
}

/// Every party's name and aliases, lower-cased → the party's index in `parties`. The first
/// party to claim a name keeps it, as a search in file order would.
pub(super) fn party_names(parties: &[Party]) -> HashMap<String, usize> {
    let mut names = HashMap::new();
    for (i, party) in parties.iter().enumerate() {
        for name in std::iter::once(&party.name).chain(&party.aliases) {
            names.entry(name.trim().to_lowercase()).or_insert(i);
        }
    }
    names
}

/// How many files of each kind a load read, for `check`'s summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub briefs: usize,
    pub authors: usize,
    pub parties: usize,
    /// Valid briefs kept back with `draft = true`.
    pub drafts: usize,
    /// Valid briefs whose `publish_at` had not come when they were loaded.
    pub embargoed: usize,
}

/// A round's identity: its track and number. Announcements, reloads and the duplicate check
/// all name a round by it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoundId {
    pub track: String,
    pub number: u32,
}

/// In words, as people read it in Discord and at the command line: round 6 of `syria-israel`.
impl fmt::Display for RoundId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "round {} of `{}`", self.number, self.track)
    }
}

impl RoundId {
    /// The round as logs name it, `syria-israel/6`: short, and one word to search for.
    pub(crate) fn short(&self) -> impl fmt::Display + '_ {
        Short(self)
    }

    /// Rounds as logs list them: `syria-israel/6, syria-israel/7`.
    pub(crate) fn list(rounds: &[RoundId]) -> impl fmt::Display + '_ {
        ShortList(rounds)
    }
}

struct Short<'a>(&'a RoundId);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.0.track, self.0.number)
    }
}

struct ShortList<'a>(&'a [RoundId]);

impl fmt::Display for ShortList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, round) in self.0.iter().enumerate() {
            if at > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", round.short())?;
        }
        Ok(())
    }
}

/// A moment a brief names, such as `publish_at = 2026-01-07T09:00:00Z`: always with an offset
/// from UTC, so it means the same instant wherever the bot runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    at: SystemTime,
    /// As the brief writes it, for editors to recognise.
    written: String,
}

impl Moment {
    /// The instant itself.
    pub fn at(&self) -> SystemTime {
        self.at
    }
}

/// As the brief writes it: `2026-01-07T09:00:00Z`.
impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// Why a valid brief is not served (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// `draft = true`: validated and previewed, never served.
    Draft,
    /// `publish_at`: served from that moment on.
    Until(Moment),
}

impl Hold {
    /// Whether a brief with this hold is still kept back at `now`.
    pub(crate) fn holds_at(&self, now: SystemTime) -> bool {
        match self {
            Hold::Draft => true,
            Hold::Until(moment) => now < moment.at,
        }
    }
}

/// A valid round that is not served: only the preview and `check` see it, through
/// `Library::held`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub round: Arc<Round>,
    pub why: Hold,
}

/// The instant a TOML offset date-time names; `None` when it lacks a part.
pub(super) fn moment(dt: &Datetime) -> Option<Moment> {
    let (date, time, offset) = (dt.date?, dt.time?, dt.offset?);
    let offset_minutes = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i64::from(minutes),
    };
    let days = Date::from(date).days_since_epoch();
    let seconds = days * 86_400
        + i64::from(time.hour) * 3_600
        + i64::from(time.minute) * 60
        + i64::from(time.second.unwrap_or(0))
        - offset_minutes * 60;
    let nanos = Duration::from_nanos(u64::from(time.nanosecond.unwrap_or(0)));
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let at = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(whole)?
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(whole)?
    };
    Some(Moment {
        at: at.checked_add(nanos)?,
        written: dt.to_string(),
    })
}

/// "1 brief", "3 briefs".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// An immutable snapshot of a valid briefs folder, with the indexes that keep every answer
/// independent of the library's size.
#[derive(Debug, Clone)]
pub struct Library {
    tracks: Vec<Track>,
    authors: Vec<Author>,
    parties: Vec<Party>,
    pub(super) counts: Counts,
    default_track: Option<String>,
    /// Author slug → index in `authors`.
    author_index: HashMap<String, usize>,
    /// A party's name or alias, lower-cased → index in `parties`.
    party_index: HashMap<String, usize>,
    /// Author slug → the rounds they wrote, by track and then number.
    by_author: HashMap<String, Vec<Arc<Round>>>,
    /// The authors' affiliations, sorted, each once.
    publishers: Vec<String>,
    /// What a misspelt party is compared with, lower-cased and as written: every alias in
    /// file order, then every name in alphabetical order.
    party_suggestions: Vec<(String, String)>,
    /// Every author's name, lower-cased and as written, in slug order: for a misspelt name.
    author_suggestions: Vec<(String, String)>,
    rounds: usize,
    /// Every round's words, for `/search` and the "Brief me" command.
    search: SearchIndex,
    /// Valid rounds that are not served (drafts, embargoes): in nothing above, so no
    /// command, button, suggestion or search can reach them.
    pub(super) held: Vec<Held>,
    /// Each track's id and the name readers see, from `tracks.toml`.
    pub(super) track_names: Vec<(String, String)>,
    /// What `check` warns of in the folder: Markdown Discord does not draw, a default track
    /// only the config knows. Never keeps a round from being served.
    pub(super) warnings: Arc<Diagnostics>,
}

/// The names the search index takes from authors and parties: a round's author is found by
/// name and its parties by their aliases.
struct IndexNames<'a> {
    authors: HashMap<&'a str, &'a str>,
    aliases: HashMap<&'a str, Vec<&'a str>>,
    fingerprint: u64,
}

impl<'a> IndexNames<'a> {
    fn new(authors: &'a [Author], parties: &'a [Party]) -> IndexNames<'a> {
        let authors_by_slug = authors
            .iter()
            .map(|a| (a.slug.as_str(), a.name.as_str()))
            .collect();
        let aliases = parties
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.aliases.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        let fingerprint = SearchIndex::fingerprint(
            authors
                .iter()
                .flat_map(|a| [a.slug.as_str(), a.name.as_str()])
                .chain(parties.iter().flat_map(|p| {
                    std::iter::once(p.name.as_str()).chain(p.aliases.iter().map(String::as_str))
                })),
        );
        IndexNames {
            authors: authors_by_slug,
            aliases,
            fingerprint,
        }
    }

    fn index(&self, tracks: &[Track], previous: Option<&SearchIndex>) -> SearchIndex {
        SearchIndex::build(tracks, self, self.fingerprint, previous)
    }
}

impl Names for IndexNames<'_> {
    fn author(&self, slug: &str) -> Option<&str> {
        self.authors.get(slug).copied()
    }

    fn party(&self, name: &str) -> &[&str] {
        self.aliases.get(name).map_or(&[], Vec::as_slice)
    }
}

impl Library {
    /// A snapshot built in code rather than loaded (for tests and benchmarks): rounds are
    /// grouped into tracks and ordered by number; of two rounds with the same track and number
    /// the first is kept. Nothing is validated: the commands cope with any content.
    pub fn from_parts(
        rounds: Vec<Round>,
        authors: Vec<Author>,
        parties: Vec<Party>,
        default_track: Option<String>,
    ) -> Library {
        let rounds = rounds.into_iter().map(Arc::new).collect();
        Library::from_shared(rounds, authors, parties, default_track, None)
    }

    /// As `from_parts`, from rounds that may be shared with another snapshot; the search
    /// index shares what it can with `previous`, the index of that snapshot.
    pub(super) fn from_shared(
        rounds: Vec<Arc<Round>>,
        authors: Vec<Author>,
        parties: Vec<Party>,
        default_track: Option<String>,
        previous: Option<&SearchIndex>,
    ) -> Library {
        let mut tracks: BTreeMap<String, Vec<Arc<Round>>> = BTreeMap::new();
        for round in rounds {
            tracks.entry(round.track.clone()).or_default().push(round);
        }
        let tracks: Vec<Track> = tracks
            .into_iter()
            .map(|(id, mut rounds)| {
                // Stable: of two rounds with one number, the first stays first and is kept.
                rounds.sort_by_key(|r| r.number);
                rounds.dedup_by_key(|r| r.number);
                Track::new(id, rounds)
            })
            .collect();
        let counts = Counts {
            briefs: 0,
            authors: authors.len(),
            parties: parties.len(),
            drafts: 0,
            embargoed: 0,
        };
        let mut authors = authors;
        authors.sort_by(|a, b| a.slug.cmp(&b.slug));
        let author_index = authors
            .iter()
            .enumerate()
            .map(|(i, a)| (a.slug.clone(), i))
            .collect();
        let party_index = party_names(&parties);
        let mut by_author: HashMap<String, Vec<Arc<Round>>> = HashMap::new();
        for round in tracks.iter().flat_map(|t| &t.rounds) {
            by_author
                .entry(round.author.clone())
                .or_default()
                .push(round.clone());
        }
        let rounds = tracks.iter().map(|t| t.rounds.len()).sum();
        let mut publishers: Vec<String> = authors
            .iter()
            .filter_map(|a| a.affiliation.clone())
            .collect();
        publishers.sort_unstable();
        publishers.dedup();
        let mut names: Vec<&String> = parties.iter().map(|p| &p.name).collect();
        names.sort_unstable();
        names.dedup();
        let party_suggestions = parties
            .iter()
            .flat_map(|p| &p.aliases)
            .chain(names)
            .map(|text| (text.to_lowercase(), text.clone()))
            .collect();
        let author_suggestions = authors
            .iter()
            .map(|a| (a.name.to_lowercase(), a.name.clone()))
            .collect();
        let search = IndexNames::new(&authors, &parties).index(&tracks, previous);
        Library {
            tracks,
            authors,
            parties,
            counts,
            default_track,
            author_index,
            party_index,
            by_author,
            publishers,
            party_suggestions,
            author_suggestions,
            rounds,
            search,
            held: Vec::new(),
            track_names: Vec::new(),
            warnings: Arc::default(),
        }
    }

    /// Valid rounds kept out of this snapshot, by track and number: drafts, and embargoes that
    /// had not lifted when it was made. Only the preview and `check` look here.
    pub fn held(&self) -> &[Held] {
        &self.held
    }

    /// The earliest moment an embargoed round of this snapshot may be served.
    pub fn next_publication(&self) -> Option<SystemTime> {
        self.held
            .iter()
            .filter_map(|held| match &held.why {
                Hold::Until(moment) => Some(moment.at()),
                Hold::Draft => None,
            })
            .min()
    }

    /// This snapshot with every embargo that has lifted by `now` served, or `None` when none
    /// has. Made from the snapshot itself, without the files: an embargo lifts on time even
    /// while a broken edit keeps the folder from loading.
    pub fn publish_due(&self, now: SystemTime) -> Option<Library> {
        if self.next_publication().is_none_or(|next| now < next) {
            return None;
        }
        Some(self.lifting(|held| !held.why.holds_at(now)))
    }

    /// This snapshot with every held round served too, drafts and embargoes alike: how the
    /// rounds members cannot see yet will look, for `briefbot preview`. Never served to
    /// members.
    pub fn with_held_served(&self) -> Library {
        self.lifting(|_| true)
    }

    /// This snapshot with the held rounds that `lift` picks served.
    fn lifting(&self, lift: impl Fn(&Held) -> bool) -> Library {
        let (lifted, held): (Vec<Held>, Vec<Held>) =
            self.held.iter().cloned().partition(|h| lift(h));
        let rounds = self
            .tracks
            .iter()
            .flat_map(|t| t.rounds.iter().cloned())
            .chain(lifted.into_iter().map(|h| h.round))
            .collect();
        let mut library = Library::from_shared(
            rounds,
            self.authors.clone(),
            self.parties.clone(),
            self.default_track.clone(),
            Some(&self.search),
        );
        library.track_names = self.track_names.clone();
        library.warnings = self.warnings.clone();
        library.counts = self.counts;
        library.hold(held);
        library
    }

    /// Keeps `held` out of the served rounds, counting its drafts and embargoed rounds.
    pub(crate) fn hold(&mut self, held: Vec<Held>) {
        self.counts.drafts = held.iter().filter(|h| h.why == Hold::Draft).count();
        self.counts.embargoed = held.len() - self.counts.drafts;
        self.held = held;
    }

    /// The `wanted` best rounds for a query, in one track or all (see `search::Mode`).
    pub fn search(&self, query: &str, track: Option<&str>, mode: Mode, wanted: usize) -> Found<'_> {
        self.search.search(query, track, mode, wanted)
    }

    /// The search index, to share with the next snapshot.
    pub fn search_index(&self) -> &SearchIndex {
        &self.search
    }

    /// Tracks in order of their id.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// What `check` warns of in the folder this snapshot was loaded from.
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// The name readers see for track `id`: its name in `tracks.toml`, else the id itself.
    pub fn track_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.track_names
            .iter()
            .find(|(known, _)| known == id)
            .map_or(id, |(_, name)| name.as_str())
    }

    pub fn track(&self, id: &str) -> Option<&Track> {
        self.tracks
            .binary_search_by(|t| t.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.tracks[i])
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
        self.author_index.get(slug).map(|&i| &self.authors[i])
    }

    /// Who publishes the briefs: the authors' affiliations, sorted, each once.
    pub(crate) fn publishers(&self) -> &[String] {
        &self.publishers
    }

    /// Every party alias (in file order) and name (sorted), lower-cased and as written: what a
    /// misspelt party is compared with.
    pub(crate) fn party_suggestions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.party_suggestions
            .iter()
            .map(|(lower, text)| (lower.as_str(), text.as_str()))
    }

    /// Every author's name, lower-cased and as written, in slug order: what a misspelt name
    /// is compared with.
    pub(crate) fn author_suggestions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.author_suggestions
            .iter()
            .map(|(lower, text)| (lower.as_str(), text.as_str()))
    }

    /// The rounds `slug` wrote, by track and then number.
    pub fn rounds_by(&self, slug: &str) -> impl Iterator<Item = &Round> {
        self.by_author.get(slug).into_iter().flatten().map(|r| &**r)
    }

    /// Parties from `parties.toml`, in file order; empty when there is none.
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// The party called `name` or known by it as an alias.
    pub fn party(&self, name: &str) -> Option<&Party> {
        self.party_index
            .get(&name.trim().to_lowercase())
            .map(|&i| &self.parties[i])
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Every round of every track.
    pub fn rounds(&self) -> impl Iterator<Item = &Round> {
        self.tracks
            .iter()
            .flat_map(|t| t.rounds.iter().map(|r| &**r))
    }

    /// How many rounds there are, in every track.
    pub fn round_count(&self) -> usize {
        self.rounds
    }
}

/// The longest track id: a button's `custom_id` carries it with the round number.
pub(crate) const TRACK_ID_MAX: usize = 32;

/// The first round number of a track; there is no round 0.
pub(crate) const FIRST_ROUND: u32 = 1;

/// Whether `text` can be a track id, as the loader reads one from a brief: a slug of at
/// most [`TRACK_ID_MAX`] characters.
pub(crate) fn is_track_id(text: &str) -> bool {
    is_slug(text) && text.len() <= TRACK_ID_MAX
}

/// What a track id is, for messages: "lower-case letters, digits and dashes, at most 32".
pub(crate) fn track_id_rule() -> String {
    format!("lower-case letters, digits and dashes, at most {TRACK_ID_MAX} of them")
}

/// Lower-case ASCII letters and digits in dash-separated words: safe in file names and
/// in a button's `custom_id`.
pub(crate) fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_is_named_in_words_and_in_logs_briefly() {
        let round = |number| RoundId {
            track: "syria-israel".into(),
            number,
        };
        assert_eq!(round(6).to_string(), "round 6 of `syria-israel`");
        assert_eq!(round(6).short().to_string(), "syria-israel/6");
        assert_eq!(
            RoundId::list(&[round(6), round(7)]).to_string(),
            "syria-israel/6, syria-israel/7"
        );
        assert_eq!(RoundId::list(&[]).to_string(), "");
    }

    fn at(text: &str) -> Moment {
        let dt: Datetime = text.parse().expect("a TOML date-time");
        moment(&dt).expect("a whole moment")
    }

    fn unix(moment: &Moment) -> u64 {
        moment
            .at()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    }

    #[test]
    fn a_moment_in_utc_is_the_unix_time_it_names() {
        // date -u -d 2026-01-07T09:00:00Z +%s
        assert_eq!(unix(&at("2026-01-07T09:00:00Z")), 1_767_776_400);
        assert_eq!(unix(&at("1970-01-01T00:00:00Z")), 0);
        assert_eq!(unix(&at("2000-02-29T12:00:00Z")), 951_825_600);
    }

    #[test]
    fn an_offset_names_the_same_instant_as_utc() {
        assert_eq!(
            at("2026-01-07T11:00:00+02:00").at(),
            at("2026-01-07T09:00:00Z").at()
        );
        assert_eq!(
            at("2026-01-06T23:30:00-09:30").at(),
            at("2026-01-07T09:00:00Z").at()
        );
    }

    #[test]
    fn a_moment_shows_as_written() {
        assert_eq!(
            at("2026-01-07T09:00:00Z").to_string(),
            "2026-01-07T09:00:00Z"
        );
    }

    #[test]
    fn a_draft_is_held_forever_and_an_embargo_until_its_moment() {
        let moment = at("2026-01-07T09:00:00Z");
        let before = moment.at() - Duration::from_secs(1);
        let embargo = Hold::Until(moment.clone());
        assert!(embargo.holds_at(before));
        assert!(!embargo.holds_at(moment.at()));
        assert!(Hold::Draft.holds_at(moment.at() + Duration::from_secs(1 << 30)));
    }
}
