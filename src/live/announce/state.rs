//! The announcements state file: which rounds briefbot has seen, which announcements wait
//! for Discord's confirmation, and which were delivered. Small JSON, rewritten whole and
//! atomically (write a temporary file, fsync, rename over the old, fsync the folder), so a
//! crash at any moment leaves either the old state or the new one, never a mix.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::AnnounceMode;
use crate::library::{Library, RoundId};

/// The format read and written; a file of another version is refused rather than misread.
/// Version 2 added `notes`. A state without notes is written as version 1, which the
/// briefbot before notes reads too; one with notes as version 2, which that briefbot refuses
/// by its version rather than misreading.
pub(crate) const VERSION: u32 = 2;

/// The versions read: version 1 is version 2 without notes.
const READABLE_VERSIONS: [u32; 2] = [1, VERSION];

/// What briefbot remembers across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub(crate) version: u32,
    /// Every round seen, by track: announced, or already there on the very first start.
    pub known: BTreeMap<String, BTreeSet<u32>>,
    /// Announcements Discord has not confirmed yet, in the order they are to be posted.
    #[serde(default)]
    pub pending: Vec<Pending>,
    /// Announcements Discord confirmed, with the message it created.
    #[serde(default)]
    pub delivered: Vec<Delivered>,
    /// The fingerprint of the last failed reload told to the errors channel (its note is
    /// recorded, posted or about to be), until a clean load is told there.
    #[serde(default)]
    pub reported_failure: Option<String>,
    /// Notes to the errors channel not yet confirmed by Discord, in the order they are to be
    /// posted: each recorded with the event it tells of, so it is made once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// One note to the errors channel (a failed reload, the briefs fixed, rounds or edits held
/// back), recorded when its event happens and forgotten once Discord confirms the post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The event it tells of (`failure:<fingerprint>`, `fixed:<fingerprint>`, and
    /// `held-back:` or `edits-held-back:` with a fingerprint of the rounds): one note per
    /// event waits at a time.
    pub(crate) key: String,
    /// The message to post, as Discord's JSON body.
    pub(crate) message: String,
    /// When briefbot first tried to post it (Unix milliseconds): from then on the post may
    /// exist in the channel even if its confirmation never arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) first_attempt_ms: Option<u64>,
}

/// One round to announce in one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    pub track: String,
    pub round: u32,
    pub channel: u64,
    /// When briefbot first tried to post it (Unix milliseconds): from then on the post may
    /// exist in the channel even if its confirmation never arrived.
    #[serde(default)]
    pub first_attempt_ms: Option<u64>,
    /// The message (for a forum, the post) Discord confirmed while what follows it, a thread
    /// started from it or its crosspost, is not done yet: resumed from there after a restart,
    /// never posted again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<u64>,
    /// The fingerprint of what that message shows, kept for the delivered record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
}

impl Pending {
    /// Round `round` of `track`, not attempted yet in `channel`.
    pub fn new(track: &str, round: u32, channel: u64) -> Pending {
        Pending {
            track: track.to_string(),
            round,
            channel,
            first_attempt_ms: None,
            message: None,
            card: None,
        }
    }
}

/// One round announced in one channel, as Discord confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivered {
    pub(crate) track: String,
    pub(crate) round: u32,
    pub channel: u64,
    pub message: u64,
    /// The fingerprint of what the message shows, as posted or last edited: when the served
    /// library would announce the round differently (a fix, a correction, a new source), the
    /// message is edited to match and this changes with it, so a restart does not edit again.
    /// Absent in a state written before edits existed: then the first snapshot records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Whether the message says the round was withdrawn (its brief was removed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// How it was announced; absent for a message (and in a state written before modes).
    #[serde(default, skip_serializing_if = "is_message")]
    pub mode: AnnounceMode,
    /// The thread: started from the message (thread mode, the same id as the message), or
    /// the forum post itself, whose starter message is `message` (the same id again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<u64>,
    /// Whether the message was crossposted to the servers following the announcement channel.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub crossposted: bool,
}

fn is_message(mode: &AnnounceMode) -> bool {
    *mode == AnnounceMode::Message
}

/// What an announcement's message shows, or is to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shows {
    /// The announcement with this fingerprint.
    Card(String),
    /// The withdrawn line (the round's brief was removed).
    Withdrawn,
}

impl Delivered {
    /// Where the message that shows the card is: the channel and the message id. A forum
    /// post's card is its starter message, which lives in the post's thread.
    pub fn card_at(&self) -> (u64, u64) {
        match (self.mode, self.thread) {
            (AnnounceMode::Forum, Some(thread)) => (thread, self.message),
            _ => (self.channel, self.message),
        }
    }

    /// What the message shows; none when the state predates edits.
    pub(crate) fn shows(&self) -> Option<Shows> {
        if self.withdrawn {
            Some(Shows::Withdrawn)
        } else {
            self.card.clone().map(Shows::Card)
        }
    }

    pub(crate) fn is(&self, round: &RoundId, channel: u64) -> bool {
        self.channel == channel && self.round == round.number && self.track == round.track
    }
}

/// What Discord confirmed for one announcement, all of it done: the message that shows the
/// card, its fingerprint, and the thread and crosspost its mode called for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub message: u64,
    pub card: String,
    pub mode: AnnounceMode,
    pub thread: Option<u64>,
    pub crossposted: bool,
}

impl State {
    /// Nothing known, nothing pending, nothing delivered: what a store holds before the very
    /// first start.
    pub fn empty() -> State {
        State {
            version: 1,
            known: BTreeMap::new(),
            pending: Vec::new(),
            delivered: Vec::new(),
            reported_failure: None,
            notes: Vec::new(),
        }
    }

    /// Queues `message` for the errors channel as the note of event `key`, unless that
    /// event's note already waits.
    pub fn note(&mut self, key: String, message: String) {
        if self.notes.iter().all(|n| n.key != key) {
            self.notes.push(Note {
                key,
                message,
                first_attempt_ms: None,
            });
        }
        self.version = self.needed_version();
    }

    /// The version that can hold this state: 2 with notes, 1 without.
    pub(crate) fn needed_version(&self) -> u32 {
        if self.notes.is_empty() { 1 } else { VERSION }
    }

    /// Notes the first attempt to post the note of event `key`, keeping an earlier one.
    pub fn note_attempt(&mut self, key: &str, now_ms: u64) {
        if let Some(note) = self.notes.iter_mut().find(|n| n.key == key) {
            note.first_attempt_ms.get_or_insert(now_ms);
        }
    }

    /// Forgets the note of event `key`: posted, or refused as invalid.
    pub fn noted(&mut self, key: &str) {
        self.notes.retain(|n| n.key != key);
        self.version = self.needed_version();
    }

    /// The very first start: every round already there is known, and none is announced.
    pub(crate) fn baseline(library: &Library) -> State {
        let mut state = State::empty();
        state.learn(library);
        state
    }

    /// Records every round of `library` as known; returns the ones not known before, in
    /// track and round order.
    pub(crate) fn learn(&mut self, library: &Library) -> Vec<RoundId> {
        let mut added = Vec::new();
        for round in library.rounds() {
            if self
                .known
                .entry(round.track.clone())
                .or_default()
                .insert(round.number)
            {
                added.push(round.id());
            }
        }
        added.sort();
        added
    }

    /// The first pending announcement for `channel` whose round `library` has (one whose
    /// brief was removed waits until it is back).
    pub(crate) fn next_pending(&self, channel: u64, library: &Library) -> Option<Pending> {
        self.pending
            .iter()
            .find(|p| {
                p.channel == channel
                    && library
                        .track(&p.track)
                        .is_some_and(|t| t.round(p.round).is_some())
            })
            .cloned()
    }

    fn position(&self, pending: &Pending) -> Option<usize> {
        self.pending.iter().position(|p| {
            p.channel == pending.channel && p.track == pending.track && p.round == pending.round
        })
    }

    /// The pending announcement of `pending`'s round in its channel, as the state has it now
    /// (its attempt time, or its posted message, may be newer than `pending`'s).
    pub(crate) fn pending_now(&self, pending: &Pending) -> Option<&Pending> {
        self.position(pending).map(|i| &self.pending[i])
    }

    /// `state` as read, its version the one its content needs; the version found when this
    /// briefbot cannot read it.
    pub(crate) fn upgraded(mut state: State) -> Result<State, u32> {
        if !READABLE_VERSIONS.contains(&state.version) {
            return Err(state.version);
        }
        state.version = state.needed_version();
        Ok(state)
    }

    /// The state as the file holds it: pretty JSON and a final newline.
    pub(crate) fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let written = State {
            version: self.needed_version(),
            ..self.clone()
        };
        let mut text = serde_json::to_vec_pretty(&written)?;
        text.push(b'\n');
        Ok(text)
    }

    /// Notes the first attempt to post `pending`, keeping an earlier one.
    pub fn attempt(&mut self, pending: &Pending, now_ms: u64) {
        if let Some(i) = self.position(pending) {
            self.pending[i].first_attempt_ms.get_or_insert(now_ms);
        }
    }

    /// Forgets `pending` (Discord refused it as invalid).
    pub fn drop_pending(&mut self, pending: &Pending) {
        if let Some(i) = self.position(pending) {
            self.pending.remove(i);
        }
    }

    /// Records that the announcement of `round` in `channel` shows `shows` now: edited to
    /// it, or taken to show it without an edit.
    pub fn shown(&mut self, round: &RoundId, channel: u64, shows: &Shows) {
        if let Some(delivered) = self.delivered.iter_mut().find(|d| d.is(round, channel)) {
            match shows {
                Shows::Card(card) => {
                    delivered.card = Some(card.clone());
                    delivered.withdrawn = false;
                }
                Shows::Withdrawn => delivered.withdrawn = true,
            }
        }
    }

    /// Moves `pending` to the delivered list with the message Discord created, which shows
    /// the card with fingerprint `card`.
    pub fn deliver(&mut self, pending: &Pending, message: u64, card: String) {
        self.deliver_as(
            pending,
            Announced {
                message,
                card,
                mode: AnnounceMode::Message,
                thread: None,
                crossposted: false,
            },
        );
    }

    /// Moves `pending` to the delivered list as `announced`.
    pub fn deliver_as(&mut self, pending: &Pending, announced: Announced) {
        if let Some(i) = self.position(pending) {
            let done = self.pending.remove(i);
            self.delivered.push(Delivered {
                track: done.track,
                round: done.round,
                channel: done.channel,
                message: announced.message,
                card: Some(announced.card),
                withdrawn: false,
                mode: announced.mode,
                thread: announced.thread,
                crossposted: announced.crossposted,
            });
        }
    }

    /// Notes that Discord confirmed the message (or forum post) of `pending`, while its
    /// thread or crosspost is still to come.
    pub fn posted(&mut self, pending: &Pending, message: u64, card: String) {
        if let Some(i) = self.position(pending) {
            self.pending[i].message = Some(message);
            self.pending[i].card = Some(card);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot create the state folder {}: {source}", dir.display())]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the state file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: the state file is not valid: {message}; restore it from a backup, or remove it to start over (the rounds there now are then recorded, not announced)", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: the state file has version {found}; this briefbot reads versions 1 and {VERSION} (a newer briefbot wrote it?)", path.display())]
    Version { path: PathBuf, found: u32 },
    /// A state file that `briefbot state import` refuses.
    #[error("{}:{line}:{column}: the state file is not valid: {message}; nothing was imported: correct it and run `briefbot state import` again", path.display())]
    NotImportable {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("another briefbot is announcing from the state folder {}; run announcements in one process only (give each instance its own state_dir, or [announce] to one of them)", dir.display())]
    Locked { dir: PathBuf },
    #[error("cannot write the state file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `place` is the database's URL without its password.
    #[error("the state database {place}: {message}")]
    Database { place: String, message: String },
    /// Another instance took the announcer's lock (this one lost its connection meanwhile):
    /// nothing is written, and nothing is posted, on this instance's behalf.
    #[error("this instance no longer holds the announcer's lock in {place}; it stands by")]
    NotHolder { place: String },
}

/// Where the state lives: `announcements.json` in the state folder.
#[derive(Debug, Clone)]
pub struct StateFile {
    dir: PathBuf,
    path: PathBuf,
}

impl StateFile {
    pub const NAME: &'static str = "announcements.json";

    /// The state file in `dir`, which is created if need be.
    pub fn in_dir(dir: &Path) -> Result<StateFile, StateError> {
        std::fs::create_dir_all(dir).map_err(|source| StateError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        Ok(StateFile {
            dir: dir.to_path_buf(),
            path: dir.join(StateFile::NAME),
        })
    }

    /// The state file at `path`, whatever its name (`briefbot state import --from`, `export
    /// --to`). Nothing is created: its folder must exist to write it (the temporary file of an
    /// atomic write goes there).
    pub fn at(path: &Path) -> StateFile {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        StateFile {
            dir,
            path: path.to_path_buf(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder the file is in.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the folder for this process: `announcements.lock` beside the state, locked
    /// while the returned file is open. A second briefbot on the same folder is refused.
    pub(crate) fn lock(&self) -> Result<std::fs::File, StateError> {
        let path = self.dir.join("announcements.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StateError::Write {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(StateError::Locked {
                dir: self.dir.clone(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(StateError::Write { path, source }),
        }
    }

    /// The state, or `None` when there is no file yet (the very first start).
    pub fn load(&self) -> Result<Option<State>, StateError> {
        let Some(text) = self.read()? else {
            return Ok(None);
        };
        self.parse(&text).map(Some)
    }

    /// The state for `briefbot state import`, or `None` when there is no file: as `load`
    /// reads it, with every track id and round number checked as the loader checks a
    /// brief's, so that a state that names a round that cannot exist is refused, with its
    /// line and column, before anything is written.
    pub(crate) fn load_for_import(&self) -> Result<Option<State>, StateError> {
        let Some(text) = self.read()? else {
            return Ok(None);
        };
        let unimportable = |error: serde_json::Error| StateError::NotImportable {
            path: self.path.clone(),
            line: error.line(),
            column: error.column(),
            message: json_message(&error),
        };
        serde_json::from_str::<State>(&text).map_err(unimportable)?;
        serde_json::from_str::<ids::Ids>(&text).map_err(unimportable)?;
        self.parse(&text).map(Some)
    }

    /// The file's text, or `None` when there is no file.
    fn read(&self) -> Result<Option<String>, StateError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// The state that `text`, the file's, holds.
    fn parse(&self, text: &str) -> Result<State, StateError> {
        let state: State = serde_json::from_str(text).map_err(|error| StateError::Invalid {
            path: self.path.clone(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })?;
        State::upgraded(state).map_err(|found| StateError::Version {
            path: self.path.clone(),
            found,
        })
    }

    /// Replaces the file with `state`: a reader (or a restart after a crash) sees the old
    /// file or the new one, whole.
    pub fn save(&self, state: &State) -> Result<(), StateError> {
        let failed = |source: std::io::Error| StateError::Write {
            path: self.path.clone(),
            source,
        };
        let text = state
            .to_json()
            .map_err(std::io::Error::other)
            .map_err(failed)?;
        write_atomically(&self.dir, &self.path, &text).map_err(failed)
    }
}

/// Replaces the file at `path` (in `dir`) with `bytes`: written beside it, synced, renamed
/// over it, and the folder synced, so a reader (or a restart after a crash) sees the old file
/// or the new one, whole.
pub(crate) fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable only once the folder is synced.
    #[cfg(unix)]
    std::fs::File::open(dir).and_then(|dir| dir.sync_all())?;
    Ok(())
}

/// serde_json's message without the " at line L column C" it appends, for messages that
/// give the place themselves.
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let place = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&place).unwrap_or(&text).to_string()
}

/// The track ids and round numbers of a state file, read to be checked by the loader's
/// rules (the rest of the file is read as `State`).
mod ids {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde::de::{Deserializer, Error};

    use crate::library::{FIRST_ROUND, is_track_id, track_id_rule};

    /// Read only for the checks its fields make.
    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub(super) struct Ids {
        #[serde(default)]
        known: BTreeMap<Track, Vec<Number>>,
        #[serde(default)]
        pending: Vec<Entry>,
        #[serde(default)]
        delivered: Vec<Entry>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Entry {
        track: Track,
        round: Number,
    }

    /// A track id, by the loader's rule.
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    struct Track;

    impl<'de> Deserialize<'de> for Track {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let track = String::deserialize(deserializer)?;
            if is_track_id(&track) {
                Ok(Track)
            } else {
                Err(D::Error::custom(format!(
                    "\"{track}\" cannot be a track: a track id is {}, as the briefs write it",
                    track_id_rule()
                )))
            }
        }
    }

    /// A round number, by the loader's rule.
    struct Number;

    impl<'de> Deserialize<'de> for Number {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let number = u32::deserialize(deserializer)?;
            if number >= FIRST_ROUND {
                Ok(Number)
            } else {
                Err(D::Error::custom(format!(
                    "round {number} cannot be a round: rounds are numbered from {FIRST_ROUND}"
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(round: u32, channel: u64) -> Pending {
        Pending::new("t", round, channel)
    }

    #[test]
    fn a_saved_state_loads_back_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = StateFile::in_dir(&dir.path().join("state")).expect("state dir");
        assert_eq!(file.load().expect("load"), None);
        let mut state = State {
            version: VERSION,
            known: BTreeMap::from([("t".to_string(), BTreeSet::from([1, 2]))]),
            pending: vec![pending(3, 10), pending(3, 11)],
            delivered: Vec::new(),
            reported_failure: Some("abc".to_string()),
            notes: Vec::new(),
        };
        state.note("failure:abc".to_string(), "{}".to_string());
        state.note("failure:abc".to_string(), "{}".to_string());
        state.note_attempt("failure:abc", 4);
        assert_eq!(state.notes.len(), 1, "one note per event");
        state.attempt(&pending(3, 10), 5);
        state.attempt(&pending(3, 10), 9);
        assert_eq!(
            state.pending[0].first_attempt_ms,
            Some(5),
            "the first attempt is kept"
        );
        state.deliver(&pending(3, 10), 77, "card".to_string());
        file.save(&state).expect("save");
        file.save(&state).expect("save over");
        assert_eq!(file.load().expect("load"), Some(state));
        let names: Vec<_> = std::fs::read_dir(dir.path().join("state"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, [StateFile::NAME]);
    }

    #[test]
    fn a_state_written_before_modes_loads_and_a_forum_posts_card_is_in_its_thread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = StateFile::in_dir(dir.path()).expect("state dir");
        std::fs::write(
            file.path(),
            r#"{"version": 1, "known": {"t": [1, 2]},
                "pending": [{"track": "t", "round": 2, "channel": 10, "first_attempt_ms": 5}],
                "delivered": [{"track": "t", "round": 1, "channel": 10, "message": 7}]}"#,
        )
        .expect("write");
        let mut state = file.load().expect("load").expect("state");
        assert_eq!(state.delivered[0].mode, AnnounceMode::Message);
        assert_eq!(state.delivered[0].card_at(), (10, 7));
        assert_eq!(state.pending[0].message, None);

        // Posted, its crosspost to come: on record, still pending, across a save.
        let pending = state.pending[0].clone();
        state.posted(&pending, 8, "card".to_string());
        file.save(&state).expect("save");
        let mut state = file.load().expect("load").expect("state");
        assert_eq!(state.pending[0].message, Some(8));
        assert_eq!(state.pending[0].card.as_deref(), Some("card"));
        assert_eq!(state.pending[0].first_attempt_ms, Some(5));

        state.deliver_as(
            &pending,
            Announced {
                message: 8,
                card: "card".to_string(),
                mode: AnnounceMode::Forum,
                thread: Some(8),
                crossposted: false,
            },
        );
        assert!(state.pending.is_empty());
        assert_eq!(state.delivered[1].card_at(), (8, 8), "in the post's thread");
        file.save(&state).expect("save");
        let text = std::fs::read_to_string(file.path()).expect("read");
        assert!(text.contains(r#""mode": "forum""#), "{text}");
        assert!(
            !text.contains("crossposted"),
            "false is not written: {text}"
        );
        assert_eq!(file.load().expect("load"), Some(state));
    }

    #[test]
    fn an_import_checks_track_ids_and_round_numbers_as_the_loader_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = StateFile::at(&dir.path().join("announcements.json"));
        let refused = |text: &str| {
            std::fs::write(file.path(), text).expect("write");
            let error = file.load_for_import().expect_err(text).to_string();
            let at = file.path().display().to_string();
            error
                .strip_prefix(&at)
                .unwrap_or_else(|| panic!("names the file: {error}"))
                .to_string()
        };
        let tail = "; nothing was imported: correct it and run `briefbot state import` again";
        assert_eq!(
            refused("{\"version\": 1,\n \"known\": {\"Syria Israel\": [1]}}"),
            format!(
                ":2:25: the state file is not valid: \"Syria Israel\" cannot be a track: a track id is lower-case letters, digits and dashes, at most 32 of them, as the briefs write it{tail}"
            )
        );
        assert_eq!(
            refused("{\"version\": 1,\n \"known\": {\"gulf\": [1, 0]}}"),
            format!(
                ":2:25: the state file is not valid: round 0 cannot be a round: rounds are numbered from 1{tail}"
            )
        );
        let long = "a".repeat(33);
        let error = refused(&format!(
            "{{\"version\": 1, \"known\": {{}},\n \"pending\": [{{\"track\": \"{long}\", \"round\": 1, \"channel\": 111111111111111111}}]}}"
        ));
        assert!(
            error.starts_with(&format!(
                ":2:58: the state file is not valid: \"{long}\" cannot be a track"
            )),
            "{error}"
        );
        let error = refused(
            "{\"version\": 1, \"known\": {},\n \"delivered\": [{\"track\": \"gulf\", \"round\": 0, \"channel\": 111111111111111111, \"message\": 111111111111111112}]}",
        );
        assert!(
            error.starts_with(":2:43: the state file is not valid: round 0 cannot be a round"),
            "{error}"
        );
        // Not JSON at all: the same advice, fitting the command.
        assert_eq!(
            refused("{\"version\": 1,\n"),
            format!(":2:0: the state file is not valid: EOF while parsing a value{tail}")
        );

        let good = "{\"version\": 1, \"known\": {\"gulf\": [1, 2]}, \"pending\": [{\"track\": \"gulf\", \"round\": 2, \"channel\": 111111111111111111}]}";
        std::fs::write(file.path(), good).expect("write");
        let state = file.load_for_import().expect("valid").expect("a state");
        assert_eq!(Some(state), file.load().expect("valid"));
        std::fs::remove_file(file.path()).expect("remove");
        assert_eq!(file.load_for_import().expect("no file"), None);
    }

    #[test]
    fn a_damaged_state_file_is_named_with_line_and_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = StateFile::in_dir(dir.path()).expect("state dir");
        std::fs::write(file.path(), "{\n  \"version\": 1,\n  \"known\": [\n").expect("write");
        let error = file.load().expect_err("damaged");
        let text = error.to_string();
        assert!(text.contains("announcements.json:3:"), "{text}");
        assert!(text.contains("remove it to start over"), "{text}");
    }
}
