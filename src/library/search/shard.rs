//! One piece of the search index: up to 128 consecutive round numbers of one track
//! (rounds 1–127, 128–255, … of `syria-israel`). A reload rebuilds only the pieces whose
//! rounds changed; the others are the same `Arc`s in the old and the new snapshot, as the
//! rounds themselves are. With at most 128 rounds a piece, a round is one byte.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::words::{self, WordBytes};
use crate::library::Round;

/// Longer "words" (a pasted key, a line of one letter) are not indexed: nobody searches
/// for them, and a hostile brief could make the vocabulary huge.
pub(crate) const MAX_WORD_BYTES: usize = 64;

/// Round numbers per shard.
pub(crate) const ROUNDS_PER_SHARD: u32 = 128;

/// How much a word counts where it stands: a word of the title says more about a round
/// than a word of its briefing.
mod weight {
    pub(crate) const TITLE: u16 = 16;
    pub(crate) const PLACE: u16 = 12;
    pub(crate) const NUMBER: u16 = 12;
    pub(crate) const PARTY: u16 = 10;
    pub(crate) const PERSON: u16 = 10;
    pub(crate) const POINT: u16 = 6;
    pub(crate) const SUMMARY: u16 = 4;
    pub(crate) const STANCE: u16 = 4;
    pub(crate) const DATE: u16 = 2;
    /// The briefing counts one per mention, at most `BODY_CAP` in all: a long briefing that
    /// repeats a word does not outrank a round whose title has it.
    pub(crate) const BODY: u16 = 1;
    pub(crate) const BODY_CAP: u16 = 8;
    /// A word that stands in a title, place, party or name: reason enough for the "Brief me"
    /// command to name a round.
    pub(crate) const STRONG: u8 = 10;
}
pub(crate) use weight::STRONG;

/// Names a round refers to by key: its author's name, its parties' names and aliases.
pub(crate) trait Names {
    fn author(&self, slug: &str) -> Option<&str>;
    /// The aliases of the party named so in `parties.toml`.
    fn party(&self, name: &str) -> &[&str];
}

#[derive(Debug)]
pub(crate) struct Shard {
    pub(crate) track: String,
    pub(crate) chunk: u32,
    pub(crate) rounds: Vec<Arc<Round>>,
    /// Each round's number and date (`yyyy << 9 | mm << 5 | dd`), side by side, so that a
    /// search ranks thousands of rounds without reading one.
    pub(crate) numbers: Vec<u32>,
    pub(crate) dates: Vec<u32>,
    /// Sorted by hash.
    terms: Vec<Term>,
    /// Every word of the shard, folded, one after the other (`Term::word` points in).
    text: String,
    /// Postings: for each term, the rounds (index in `rounds`) with how much the word
    /// counts in each.
    docs: Vec<u8>,
    weights: Vec<u8>,
    /// Sorted by term hash: the words the shard's rounds write otherwise than folded more
    /// often than folded, with that spelling (in `spelled`).
    spellings: Vec<Kept>,
    spelled: String,
}

/// A word's usual spelling other than its folded form, as a shard keeps it: where in the
/// shard's `spelled` (`start..start + len`), and how often the word is written otherwise than
/// folded.
#[derive(Debug, Clone, Copy)]
struct Kept {
    hash: u64,
    start: u32,
    len: u16,
    not_folded: u32,
}

/// The spellings of one word met while a shard is built, other than its folded form: the one
/// most used, found by a majority vote (Boyer and Moore's: no count per spelling is kept, so
/// a capitalised word costs a comparison, not a lookup), and how many there were in all.
#[derive(Debug, Clone, Copy)]
struct Vote {
    /// The spelling leading the vote, in `Tally::spelled`; `u32::MAX` before the first.
    start: u32,
    len: u16,
    lead: u32,
    not_folded: u32,
}

#[derive(Debug, Clone, Copy)]
struct Term {
    hash: u64,
    start: u32,
    count: u8,
    word_start: u32,
    word_len: u16,
    /// Times the word stands in the shard's rounds, however it is written.
    mentions: u32,
}

/// How the briefs of a shard write a word, where they write it otherwise than folded more
/// often than folded (`Kushner` for `kushner`, `Noël` for `noel`): the spelling they use
/// most, and how often they write it any way but folded. "Did you mean …?" shows a word as
/// the briefs write it, and the vocabulary adds these up over the shards.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spelling<'a> {
    pub(crate) hash: u64,
    pub(crate) written: &'a str,
    pub(crate) not_folded: u32,
}

/// A word's hash is the key of the index (`words::hash`). Two words of one library sharing a
/// 64-bit hash is as likely as a cosmic ray; the vocabulary keeps the words to compare against.
pub(crate) use words::hash;

impl Shard {
    /// `rounds` are of one track and chunk, in order of number; at most 128.
    pub(crate) fn build(
        track: &str,
        chunk: u32,
        rounds: Vec<Arc<Round>>,
        names: &dyn Names,
    ) -> Shard {
        let mut builder = Builder::default();
        let mut postings: Vec<(u32, u8, u8)> = Vec::new();
        for (doc, round) in rounds.iter().enumerate() {
            builder.add_round(round, names);
            let doc = u8::try_from(doc).unwrap_or(u8::MAX);
            for id in builder.tally.touched.drain(..) {
                let slot = &mut builder.tally.acc[id as usize];
                postings.push((id, doc, u8::try_from(*slot).unwrap_or(u8::MAX)));
                *slot = 0;
            }
        }
        // Grouped by term, each term's rounds in order: a counting sort, since the terms
        // are numbered from 0.
        let mut starts = vec![0u32; builder.tally.words.len() + 1];
        for (id, _, _) in &postings {
            starts[*id as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut docs = vec![0u8; postings.len()];
        let mut weights = vec![0u8; postings.len()];
        let mut next = starts.clone();
        for (id, doc, weight) in postings {
            let at = &mut next[id as usize];
            docs[*at as usize] = doc;
            weights[*at as usize] = weight;
            *at += 1;
        }
        let mut terms: Vec<Term> = builder
            .tally
            .words
            .iter()
            .zip(starts.windows(2))
            .zip(&builder.tally.mentions)
            .map(|((&(hash, word_start, word_len), range), &mentions)| Term {
                hash,
                start: range[0],
                count: u8::try_from(range[1] - range[0]).unwrap_or(u8::MAX),
                word_start,
                word_len,
                mentions,
            })
            .collect();
        let (spellings, spelled) = builder.tally.spellings();
        terms.sort_unstable_by_key(|t| t.hash);
        let numbers = rounds.iter().map(|r| r.number).collect();
        let dates = rounds
            .iter()
            .map(|r| {
                u32::from(r.date.year) << 9 | u32::from(r.date.month) << 5 | u32::from(r.date.day)
            })
            .collect();
        Shard {
            track: track.to_string(),
            chunk,
            rounds,
            numbers,
            dates,
            terms,
            text: builder.tally.text,
            docs,
            weights,
            spellings,
            spelled,
        }
    }

    /// The rounds (index in `rounds`) that have the word hashed `hash`, with its weight in each.
    pub(crate) fn postings(&self, hash: u64) -> impl Iterator<Item = (usize, u8)> + '_ {
        let found = self
            .terms
            .binary_search_by_key(&hash, |t| t.hash)
            .ok()
            .map(|i| self.terms[i]);
        let range = found.map_or(0..0, |t| {
            t.start as usize..t.start as usize + t.count as usize
        });
        self.docs[range.clone()]
            .iter()
            .zip(&self.weights[range])
            .map(|(d, w)| (usize::from(*d), *w))
    }

    /// Every word of the shard with its hash, the number of rounds that have it and the
    /// number of times it stands in them.
    pub(crate) fn vocabulary(&self) -> impl Iterator<Item = (u64, &str, u32, u32)> + '_ {
        self.terms.iter().map(|t| {
            let start = t.word_start as usize;
            let word = self
                .text
                .get(start..start + usize::from(t.word_len))
                .unwrap_or_default();
            (t.hash, word, u32::from(t.count), t.mentions)
        })
    }

    /// The words the shard's briefs write other than folded, each with its usual spelling.
    pub(crate) fn spellings(&self) -> impl Iterator<Item = Spelling<'_>> + '_ {
        self.spellings.iter().map(|kept| {
            let start = kept.start as usize;
            Spelling {
                hash: kept.hash,
                written: self
                    .spelled
                    .get(start..start + usize::from(kept.len))
                    .unwrap_or_default(),
                not_folded: kept.not_folded,
            }
        })
    }

    /// Whether this shard holds exactly these rounds (the same `Arc`s).
    pub(crate) fn holds(&self, rounds: &[Arc<Round>]) -> bool {
        self.rounds.len() == rounds.len()
            && self
                .rounds
                .iter()
                .zip(rounds)
                .all(|(a, b)| Arc::ptr_eq(a, b))
    }

    /// Bytes held beyond the rounds themselves, for the memory figures.
    pub(crate) fn heap_size(&self) -> usize {
        self.terms.capacity() * std::mem::size_of::<Term>()
            + self.text.capacity()
            + self.docs.capacity()
            + self.weights.capacity()
            + self.spellings.capacity() * std::mem::size_of::<Kept>()
            + self.spelled.capacity()
            + self.rounds.capacity() * std::mem::size_of::<Arc<Round>>()
    }
}

/// Slots of the builder's cache of recent words.
const CACHE: usize = 4096;

/// The words of the rounds being indexed, with each word's weight in the current round.
struct Builder {
    tally: Tally,
    buffer: Vec<u8>,
}

/// Every word met so far, by id, and the weights of the round being read.
struct Tally {
    /// The last word seen at each slot (hash, id + 1): most words of a brief are words it
    /// has used before, and this finds them without the hash map.
    cache: Vec<(u64, u32)>,
    ids: FxHashMap<u64, u32>,
    /// By id: hash, where the word starts in `text`, its length.
    words: Vec<(u64, u32, u16)>,
    text: String,
    /// By id: the word's weight in the round being read.
    acc: Vec<u16>,
    touched: Vec<u32>,
    /// By id: times the word was met.
    mentions: Vec<u32>,
    /// By id: its spellings other than the folded form.
    votes: Vec<Vote>,
    /// The spellings the votes lead with, one after the other.
    spelled: String,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            tally: Tally {
                cache: vec![(0, 0); CACHE],
                ids: FxHashMap::default(),
                words: Vec::new(),
                text: String::new(),
                acc: Vec::new(),
                touched: Vec::new(),
                mentions: Vec::new(),
                votes: Vec::new(),
                spelled: String::new(),
            },
            buffer: Vec::new(),
        }
    }
}

impl Tally {
    /// One more mention of a word, worth `weight`, its weight in the round held at `cap`;
    /// the word's id, unless it is too long to be indexed.
    #[inline(always)]
    fn count(&mut self, hash: u64, word: WordBytes<'_>, weight: u16, cap: u16) -> Option<u32> {
        if word.bytes().len() > MAX_WORD_BYTES {
            return None;
        }
        let slot = self.cache[(hash as usize) & (CACHE - 1)];
        let id = if slot.0 == hash && slot.1 != 0 {
            slot.1 - 1
        } else {
            self.look_up(hash, word)
        };
        let (Some(slot), Some(mentions)) = (
            self.acc.get_mut(id as usize),
            self.mentions.get_mut(id as usize),
        ) else {
            return None;
        };
        *mentions = mentions.saturating_add(1);
        if *slot == 0 {
            self.touched.push(id);
        }
        *slot = slot.saturating_add(weight).min(cap.max(*slot));
        Some(id)
    }

    /// One more mention of word `id` written `written`, not as its folded form.
    #[inline]
    fn spelled(&mut self, id: u32, written: &str) {
        let Some(vote) = self.votes.get_mut(id as usize) else {
            return;
        };
        vote.not_folded = vote.not_folded.saturating_add(1);
        let start = vote.start as usize;
        let leading = self.spelled.get(start..start + usize::from(vote.len));
        if leading == Some(written) {
            vote.lead = vote.lead.saturating_add(1);
        } else if vote.lead > 0 {
            vote.lead -= 1;
        } else {
            // Another spelling takes the lead: kept after the others (a few bytes, rarely).
            vote.start = u32::try_from(self.spelled.len()).unwrap_or(u32::MAX);
            vote.len = u16::try_from(written.len()).unwrap_or(u16::MAX);
            vote.lead = 1;
            self.spelled.push_str(written);
        }
    }

    /// The words this shard writes otherwise than folded more often than folded, each with
    /// the spelling it uses most (kept in the text returned with them). A word the shard
    /// mostly writes folded (`the`, though sentences begin with `The`) is left out.
    fn spellings(&self) -> (Vec<Kept>, String) {
        let mut text = String::new();
        let mut out: Vec<Kept> = self
            .votes
            .iter()
            .zip(&self.mentions)
            .zip(&self.words)
            .filter(|((vote, mentions), _)| {
                vote.not_folded > mentions.saturating_sub(vote.not_folded)
            })
            .filter_map(|((vote, _), &(hash, _, _))| {
                let start = vote.start as usize;
                let written = self.spelled.get(start..start + usize::from(vote.len))?;
                let at = u32::try_from(text.len()).unwrap_or(u32::MAX);
                text.push_str(written);
                Some(Kept {
                    hash,
                    start: at,
                    len: vote.len,
                    not_folded: vote.not_folded,
                })
            })
            .collect();
        out.sort_unstable_by_key(|kept| kept.hash);
        (out, text)
    }

    /// A word the cache did not hold: its id, a new one the first time.
    #[cold]
    #[inline(never)]
    fn look_up(&mut self, hash: u64, word: WordBytes<'_>) -> u32 {
        let Tally {
            ids,
            words,
            text,
            acc,
            mentions,
            votes,
            ..
        } = self;
        let id = *ids.entry(hash).or_insert_with(|| {
            let id = u32::try_from(words.len()).unwrap_or(u32::MAX);
            let start = u32::try_from(text.len()).unwrap_or(u32::MAX);
            let len = u16::try_from(word.bytes().len()).unwrap_or(u16::MAX);
            word.push_to(text);
            words.push((hash, start, len));
            acc.push(0);
            mentions.push(0);
            votes.push(Vote {
                start: u32::MAX,
                len: 0,
                lead: 0,
                not_folded: 0,
            });
            id
        });
        self.cache[(hash as usize) & (CACHE - 1)] = (hash, id + 1);
        id
    }
}

impl Builder {
    fn add_round(&mut self, round: &Round, names: &dyn Names) {
        use weight::*;
        // The briefing first: its mentions are capped, and everything else adds to them.
        self.add(&round.body, BODY, BODY_CAP);
        self.add(&round.title, TITLE, u16::MAX);
        if let Some(place) = &round.location {
            self.add(place, PLACE, u16::MAX);
        }
        self.add(&round.number.to_string(), NUMBER, u16::MAX);
        self.add(&round.date.to_string(), DATE, u16::MAX);
        if let Some(name) = names.author(&round.author) {
            self.add(name, PERSON, u16::MAX);
        }
        self.add(&round.summary, SUMMARY, u16::MAX);
        for point in &round.key_points {
            self.add(point, POINT, u16::MAX);
        }
        if let Some(status) = &round.status {
            self.add(status, POINT, u16::MAX);
        }
        for correction in &round.corrections {
            self.add(&correction.note, POINT, u16::MAX);
        }
        for position in &round.positions {
            self.add(&position.party, PARTY, u16::MAX);
            for alias in names.party(&position.party).iter().copied() {
                self.add(alias, PARTY, u16::MAX);
            }
            self.add(&position.stance, STANCE, u16::MAX);
            if let Some(details) = &position.details {
                self.add(details, STANCE, u16::MAX);
            }
            for person in &position.representatives {
                self.add(person, PERSON, u16::MAX);
            }
        }
    }

    fn add(&mut self, text: &str, weight: u16, cap: u16) {
        let tally = &mut self.tally;
        words::scan_hashed(text, &mut self.buffer, |start, end, hash, word| {
            let Some(id) = tally.count(hash, word, weight, cap) else {
                return;
            };
            // How the brief writes the word, when that is not its folded form: an ASCII word
            // that starts with a capital (one byte looked at: this runs for every word of
            // every brief, and "iOS" is rare enough to show folded), any other word whose
            // folding changed it.
            let written = match word {
                WordBytes::Ascii(bytes) => bytes.first().is_some_and(u8::is_ascii_uppercase),
                WordBytes::Folded(bytes) => text.as_bytes().get(start..end) != Some(bytes),
            };
            if written && let Some(written) = text.get(start..end) {
                tally.spelled(id, written);
            }
        });
    }
}
