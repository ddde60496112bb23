//! Full-text search over the library: titles, places, parties and their aliases, the people
//! at the table, authors, summaries, key points, status, corrections, stances and the longer briefings.
//!
//! Why a small index of our own rather than a search engine crate: the index is part of the
//! library snapshot, so it must be built within the load budget (10,000 briefs in under half
//! a second on two cores, all of it) and updated within a reload's (one changed file served in
//! well under 100 ms). The index is cut into shards of up to 128 rounds of one track; a reload
//! rebuilds only the shards whose rounds changed and shares the others with the snapshot
//! before, as it shares the rounds themselves. What a search needs beyond an exact word —
//! folding accents and Arabic and Hebrew marks (`words`), Arabic and Hebrew prefixes
//! (`prefixes`), misspellings (`fuzzy`), ranking exact words first — is a few hundred lines here.

mod fuzzy;
mod prefixes;
mod shard;
pub mod words;

use std::hash::Hasher as _;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

pub(crate) use shard::{MAX_WORD_BYTES, Names};
use shard::{ROUNDS_PER_SHARD, STRONG, Shard};

use super::{Round, Track};

/// The most words of a query that are looked up; the rest are ignored.
pub(crate) const MAX_QUERY_WORDS: usize = 16;

/// The most words of a message the "Brief me" command looks up: the rarest ones.
const MAX_MESSAGE_WORDS: usize = 12;

/// Libraries of this many rounds leave out words that most of their rounds have, when a
/// query has rarer ones.
const COMMON_FROM: usize = 200;

/// Near matches of one misspelt word that are tried.
const MAX_NEAR: usize = 3;

/// What is being searched: words a reader typed, or a message they want briefed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/search`: every word typed counts; a misspelt word is matched to what it was
    /// probably meant to be.
    Typed,
    /// The "Brief me" command: the message's rarest words that the library knows, its
    /// mentions of round numbers; a round is named only if it matches two words, or one in
    /// its title, place, parties or people.
    Message,
}

/// A search index over every round of one library snapshot.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    shards: Vec<Arc<Shard>>,
    vocabulary: Arc<Vocabulary>,
    /// Which authors' and parties' names went into the shards.
    names: u64,
    rounds: usize,
}

/// The results of one search.
#[derive(Debug, Clone, Default)]
pub struct Found<'a> {
    /// The best rounds, best first, as many as were asked for.
    pub hits: Vec<Hit<'a>>,
    /// How many rounds matched in all.
    pub total: usize,
    /// Words typed that no brief has, each with the word the results used instead, as the
    /// briefs write it: ("isreal", "Israel").
    pub corrections: Vec<(String, String)>,
    /// Words typed that no brief has, nor anything near them.
    pub unmatched: Vec<String>,
    /// The words (folded) that matched, to mark in snippets.
    pub matched: Vec<String>,
    /// Whether the query had any word at all.
    pub had_words: bool,
}

#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub round: &'a Round,
    /// Query words the round has exactly, and exactly or nearly.
    pub exact: u32,
    pub matched: u32,
    pub score: f32,
}

#[derive(Debug, Default)]
struct Vocabulary {
    /// Sorted by length in characters.
    entries: Vec<Entry>,
    /// How the briefs write a word, by its hash, where that is not its folded form: the
    /// spelling they use most (`kushner` → `Kushner`; `the` is written `the` more often than
    /// `The`, so it has none). Worked out once per vocabulary, at load.
    written: FxHashMap<u64, Box<str>>,
    by_hash: FxHashMap<u64, u32>,
    /// `entries[starts[n]..starts[n + 1]]` are the words of `n` characters.
    starts: Vec<usize>,
}

#[derive(Debug)]
struct Entry {
    word: Box<str>,
    hash: u64,
    /// Rounds that have the word.
    rounds: u32,
    /// Times the word stands in the briefs, for its usual spelling.
    times: u32,
    chars: usize,
    letters: u64,
}

/// One way a query word is looked up: the word itself, or a word near it.
#[derive(Debug, Clone, Copy)]
struct Variant {
    /// Which query word.
    word: usize,
    hash: u64,
    exact: bool,
    /// The word's rarity times how much a near match is worth.
    weight: f32,
}

impl SearchIndex {
    /// Indexes `tracks`. Shards of `previous` whose rounds are the same `Arc`s and whose
    /// names are the same are shared rather than built again.
    pub(crate) fn build(
        tracks: &[Track],
        names: &(dyn Names + Sync),
        names_fingerprint: u64,
        previous: Option<&SearchIndex>,
    ) -> SearchIndex {
        let reusable: FxHashMap<(&str, u32), &Arc<Shard>> = previous
            .filter(|p| p.names == names_fingerprint)
            .map(|p| {
                p.shards
                    .iter()
                    .map(|s| ((s.track.as_str(), s.chunk), s))
                    .collect()
            })
            .unwrap_or_default();
        let wanted: Vec<(&str, u32, &[Arc<Round>])> = tracks
            .iter()
            .flat_map(|track| {
                track
                    .rounds
                    .chunk_by(|a, b| a.number / ROUNDS_PER_SHARD == b.number / ROUNDS_PER_SHARD)
                    .map(|run| {
                        let chunk = run.first().map_or(0, |r| r.number / ROUNDS_PER_SHARD);
                        (track.id.as_str(), chunk, run)
                    })
            })
            .collect();
        let mut reused = 0;
        let shards: Vec<Arc<Shard>> = wanted
            .par_iter()
            .map(
                |(track, chunk, rounds)| match reusable.get(&(*track, *chunk)) {
                    Some(shard) if shard.holds(rounds) => Arc::clone(shard),
                    _ => Arc::new(Shard::build(track, *chunk, rounds.to_vec(), names)),
                },
            )
            .collect();
        for (shard, (track, chunk, _)) in shards.iter().zip(&wanted) {
            if reusable
                .get(&(*track, *chunk))
                .is_some_and(|old| Arc::ptr_eq(old, shard))
            {
                reused += 1;
            }
        }
        let vocabulary = match previous {
            Some(p) if reused == shards.len() && reused == p.shards.len() => {
                Arc::clone(&p.vocabulary)
            }
            _ => Arc::new(Vocabulary::build(&shards)),
        };
        SearchIndex {
            shards,
            vocabulary,
            names: names_fingerprint,
            rounds: tracks.iter().map(|t| t.rounds.len()).sum(),
        }
    }

    /// A fingerprint of names, to tell whether shards built with other names can be kept.
    pub(crate) fn fingerprint<'a>(names: impl IntoIterator<Item = &'a str>) -> u64 {
        let mut hasher = FxHasher::default();
        for name in names {
            hasher.write(name.as_bytes());
            hasher.write_u8(0xff);
        }
        hasher.finish()
    }

    /// How many of this index's shards are the very shards of `other` (shared after a
    /// reload), and how many it has: for the reload figures.
    pub fn shards_shared_with(&self, other: &SearchIndex) -> (usize, usize) {
        let shared = self
            .shards
            .iter()
            .filter(|s| other.shards.iter().any(|o| Arc::ptr_eq(s, o)))
            .count();
        (shared, self.shards.len())
    }

    /// Bytes the index holds beyond the rounds, for the memory figures.
    pub fn heap_size(&self) -> usize {
        self.shards.iter().map(|s| s.heap_size()).sum::<usize>()
            + self
                .vocabulary
                .entries
                .iter()
                .map(|e| e.word.len() + std::mem::size_of::<Entry>() + 16)
                .sum::<usize>()
            + self
                .vocabulary
                .written
                .values()
                .map(|w| w.len() + 32)
                .sum::<usize>()
    }

    /// Searches for `query`, in one track or all, and returns the `wanted` best rounds.
    pub(crate) fn search(
        &self,
        query: &str,
        track: Option<&str>,
        mode: Mode,
        wanted: usize,
    ) -> Found<'_> {
        let mut found = Found::default();
        let (words, numbers) = match mode {
            Mode::Typed => {
                let words = query_words(query);
                found.had_words = !words.is_empty();
                (words, Vec::new())
            }
            Mode::Message => {
                let (words, numbers, any) = self.message_words(query);
                found.had_words = any;
                (words, numbers)
            }
        };
        let variants = self.variants(&words, mode, &mut found);
        if variants.is_empty() && numbers.is_empty() {
            return found;
        }
        let mut candidates: Vec<u128> = Vec::new();
        for (index, shard) in self.shards.iter().enumerate() {
            if track.is_some_and(|t| t != shard.track) {
                continue;
            }
            score_shard(index, shard, &variants, &numbers, mode, &mut candidates);
        }
        found.total = candidates.len();
        // Best first: the keys sort as the ranking does, so no round is looked at to rank.
        let best_first = |a: &u128, b: &u128| b.cmp(a);
        if wanted < candidates.len() {
            if wanted > 0 {
                candidates.select_nth_unstable_by(wanted - 1, best_first);
            }
            candidates.truncate(wanted);
        }
        candidates.sort_unstable_by(best_first);
        found.hits = candidates
            .iter()
            .map(|&key| {
                let (exact, matched, score, shard, doc) = Rank::decode(key);
                Hit {
                    round: &self.shards[shard].rounds[doc],
                    exact,
                    matched,
                    score,
                }
            })
            .collect();
        found
    }

    /// The words of a message worth looking up (the rarest the library knows, common
    /// English words left out) and the round numbers it mentions ("round 5").
    /// Also whether the message had any word at all.
    fn message_words(&self, text: &str) -> (Vec<String>, Vec<u32>, bool) {
        let mut all = words::words(text);
        let any = !all.is_empty();
        let numbers: Vec<u32> = all
            .windows(2)
            .filter(|w| w[0] == "round")
            .filter_map(|w| w[1].parse::<u32>().ok())
            .collect();
        all.sort_unstable();
        all.dedup();
        let mut known: Vec<(u32, String)> = all
            .into_iter()
            // A number alone ("at 3", "2 snacks") is no round: "round 3" is read above.
            .filter(|w| w.len() <= MAX_WORD_BYTES && !is_common(w))
            .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()))
            .filter_map(|w| {
                // The word itself, or another form of it (`وإسرائيل` → `إسرائيل`).
                let rounds = self
                    .vocabulary
                    .get(&w)
                    .into_iter()
                    .chain(self.vocabulary.related(&w))
                    .map(|e| e.rounds)
                    .min()?;
                Some((rounds, w))
            })
            .collect();
        known.sort_by_key(|(rounds, _)| *rounds);
        known.truncate(MAX_MESSAGE_WORDS);
        (known.into_iter().map(|(_, w)| w).collect(), numbers, any)
    }

    /// How each word is looked up: itself when some brief has it; otherwise the words
    /// nearest to it (a misspelling), which count for less.
    fn variants(&self, words: &[String], mode: Mode, found: &mut Found) -> Vec<Variant> {
        let mut variants = Vec::new();
        let total = self.rounds as f32;
        let rarity = |rounds: u32| {
            let n = rounds as f32;
            (1.0 + (total - n + 0.5) / (n + 0.5)).ln()
        };
        // In a large library, a word in most rounds ("the", "talks") says nothing about which
        // round is meant, and reading its thousands of rounds is most of a search's cost: it
        // is left out when the query has a rarer word.
        let common = |rounds: u32| self.rounds >= COMMON_FROM && rounds as usize * 2 > self.rounds;
        let rarest = words
            .iter()
            .filter_map(|w| self.vocabulary.get(w))
            .map(|e| e.rounds)
            .min();
        for (i, word) in words.iter().enumerate() {
            // The same Arabic or Hebrew word with or without its prefixes counts as the word
            // (`قنيطرة` finds `القنيطرة`, `הכנסת` finds `כנסת`), a little below it.
            let related = self.vocabulary.related(word);
            for entry in &related {
                variants.push(Variant {
                    word: i,
                    hash: entry.hash,
                    exact: true,
                    weight: rarity(entry.rounds) * 0.9,
                });
                found.matched.push(entry.word.to_string());
            }
            if let Some(entry) = self.vocabulary.get(word) {
                if common(entry.rounds) && rarest.is_some_and(|r| r < entry.rounds) {
                    continue;
                }
                variants.push(Variant {
                    word: i,
                    hash: entry.hash,
                    exact: true,
                    weight: rarity(entry.rounds),
                });
                found.matched.push(word.clone());
                if mode == Mode::Typed {
                    // Longer forms of a typed word ("talk" → "talks") count as near matches.
                    for entry in self.vocabulary.longer(word) {
                        variants.push(Variant {
                            word: i,
                            hash: entry.hash,
                            exact: false,
                            weight: rarity(entry.rounds) * 0.7,
                        });
                        found.matched.push(entry.word.to_string());
                    }
                }
                continue;
            }
            if mode == Mode::Message || !related.is_empty() {
                continue;
            }
            let near = self.vocabulary.near(word);
            match near.first() {
                // The word meant, as the briefs write it: "Kushner", not "kushner".
                Some((_, best)) => found.corrections.push((
                    word.clone(),
                    self.vocabulary.written(&best.word).to_string(),
                )),
                None => found.unmatched.push(word.clone()),
            }
            for (steps, entry) in near {
                variants.push(Variant {
                    word: i,
                    hash: entry.hash,
                    exact: false,
                    weight: rarity(entry.rounds) * if steps <= 1 { 0.6 } else { 0.4 },
                });
                found.matched.push(entry.word.to_string());
            }
        }
        variants
    }
}

/// A round's place in the ranking as one number, so that ranking compares numbers: query
/// words matched exactly, then matched at all, then the score, then the newer date, then
/// the track and round number (shards are in that order, rounds in a shard by number).
struct Rank;

impl Rank {
    fn encode(exact: u32, matched: u32, score: f32, date: u32, shard: usize, doc: usize) -> u128 {
        let shard = u16::MAX - u16::try_from(shard).unwrap_or(u16::MAX);
        let doc = u8::MAX - u8::try_from(doc).unwrap_or(u8::MAX);
        // Scores are never negative, and the bits of a non-negative float sort as it does.
        u128::from(exact.min(255)) << 120
            | u128::from(matched.min(255)) << 112
            | u128::from(score.max(0.0).to_bits()) << 80
            | u128::from(date) << 48
            | u128::from(shard) << 32
            | u128::from(doc) << 24
    }

    fn decode(key: u128) -> (u32, u32, f32, usize, usize) {
        let byte = |shift: u32| ((key >> shift) & 0xFF) as u32;
        let exact = byte(120);
        let matched = byte(112);
        let score = f32::from_bits(((key >> 80) & 0xFFFF_FFFF) as u32);
        let shard = usize::from(u16::MAX - ((key >> 32) & 0xFFFF) as u16);
        let doc = usize::from(u8::MAX - byte(24) as u8);
        (exact, matched, score, shard, doc)
    }
}

/// How much a word's weight in a round counts, saturating: `w / (w + 8)`, looked up.
static SATURATION: std::sync::LazyLock<[f32; 256]> = std::sync::LazyLock::new(|| {
    let mut table = [0.0; 256];
    for (w, slot) in table.iter_mut().enumerate() {
        let w = w as f32;
        *slot = w / (w + 8.0);
    }
    table
});

/// Scores the rounds of one shard and adds those that match to `candidates`.
fn score_shard(
    index: usize,
    shard: &Shard,
    variants: &[Variant],
    numbers: &[u32],
    mode: Mode,
    candidates: &mut Vec<u128>,
) {
    const N: usize = ROUNDS_PER_SHARD as usize;
    let size = shard.rounds.len().min(N);
    let saturation = &*SATURATION;
    let mut score = [0f32; N];
    let mut exact = [0u32; N];
    let mut matched = [0u32; N];
    let mut strong = [false; N];
    for variant in variants {
        let bit = 1u32 << variant.word;
        for (doc, weight) in shard.postings(variant.hash) {
            if doc >= size {
                continue;
            }
            score[doc] += variant.weight * saturation[usize::from(weight)];
            matched[doc] |= bit;
            if variant.exact {
                exact[doc] |= bit;
                strong[doc] |= weight >= STRONG;
            }
        }
    }
    if !numbers.is_empty() {
        for (doc, number) in shard.numbers.iter().enumerate().take(size) {
            if numbers.contains(number) {
                // "Round 5" in a message: the round's own number, as strong as its title.
                score[doc] += 2.0;
                matched[doc] |= 1 << 31;
                strong[doc] = true;
            }
        }
    }
    for doc in 0..size {
        if matched[doc] == 0 {
            continue;
        }
        let (exact_count, matched_count) = (exact[doc].count_ones(), matched[doc].count_ones());
        if mode == Mode::Message && !(strong[doc] || exact_count >= 2) {
            continue;
        }
        let date = shard.dates.get(doc).copied().unwrap_or_default();
        candidates.push(Rank::encode(
            exact_count,
            matched_count,
            score[doc],
            date,
            index,
            doc,
        ));
    }
}

/// A query's words, folded, each once, at most `MAX_QUERY_WORDS`.
fn query_words(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    words::scan(query, &mut Vec::new(), |_, _, word| {
        if word.len() <= MAX_WORD_BYTES
            && out.len() < MAX_QUERY_WORDS
            && !out.iter().any(|w| w == word)
        {
            out.push(word.to_string());
        }
    });
    out
}

impl Vocabulary {
    fn build(shards: &[Arc<Shard>]) -> Vocabulary {
        let mut by_hash: FxHashMap<u64, u32> = FxHashMap::default();
        let mut entries: Vec<Entry> = Vec::new();
        for shard in shards {
            for (hash, word, rounds, times) in shard.vocabulary() {
                match by_hash.get(&hash) {
                    Some(&i) => {
                        let entry = &mut entries[i as usize];
                        entry.rounds += rounds;
                        entry.times = entry.times.saturating_add(times);
                    }
                    None => {
                        by_hash.insert(hash, u32::try_from(entries.len()).unwrap_or(u32::MAX));
                        entries.push(Entry {
                            word: word.into(),
                            hash,
                            rounds,
                            times,
                            chars: word.chars().count(),
                            letters: fuzzy::letters(word),
                        });
                    }
                }
            }
        }
        entries.sort_unstable_by(|a, b| a.chars.cmp(&b.chars).then(a.word.cmp(&b.word)));
        by_hash.clear();
        let mut starts = vec![0];
        for (i, entry) in entries.iter().enumerate() {
            by_hash.insert(entry.hash, u32::try_from(i).unwrap_or(u32::MAX));
            while starts.len() <= entry.chars {
                starts.push(i);
            }
        }
        starts.push(entries.len());
        // Times each word stands in the briefs, counted with the rounds above.
        let times = |hash: &u64| {
            by_hash
                .get(hash)
                .and_then(|&i| entries.get(i as usize))
                .map_or(0, |e| e.times)
        };
        let written = written(shards, times);
        Vocabulary {
            entries,
            written,
            by_hash,
            starts,
        }
    }

    /// `word` (folded, as the vocabulary holds it) as the briefs write it most often.
    fn written<'w>(&'w self, word: &'w str) -> &'w str {
        self.written
            .get(&shard::hash(word))
            .map_or(word, |written| written)
    }

    fn get(&self, word: &str) -> Option<&Entry> {
        let entry = &self.entries[*self.by_hash.get(&shard::hash(word))? as usize];
        (&*entry.word == word).then_some(entry)
    }

    /// The other forms of an Arabic or Hebrew word that some brief has: with its prefixes
    /// taken off, or others put on (`prefixes`). Empty for other words.
    fn related(&self, word: &str) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = Vec::new();
        prefixes::forms(
            word,
            |rest| self.get(rest).is_some(),
            |form| {
                if let Some(entry) = self.get(form)
                    && !out.iter().any(|e| e.hash == entry.hash)
                {
                    out.push(entry);
                }
            },
        );
        out
    }

    /// The words of `from..=to` characters.
    fn of_length(&self, from: usize, to: usize) -> &[Entry] {
        let at = |n: usize| self.starts.get(n).copied().unwrap_or(self.entries.len());
        let (start, end) = (at(from), at(to + 1));
        self.entries.get(start..end.max(start)).unwrap_or_default()
    }

    /// Words that start with `word` and are up to three characters longer.
    fn longer(&self, word: &str) -> impl Iterator<Item = &Entry> {
        let chars = word.chars().count();
        let slice = if chars >= 4 {
            self.of_length(chars + 1, chars + 3)
        } else {
            &[]
        };
        slice.iter().filter(move |e| e.word.starts_with(word))
    }

    /// The words nearest to a word no brief has, nearest and most common first.
    fn near(&self, word: &str) -> Vec<(usize, &Entry)> {
        let chars = word.chars().count();
        let steps = fuzzy::allowed_steps(chars);
        if steps == 0 {
            return Vec::new();
        }
        let letters = fuzzy::letters(word);
        let mut near: Vec<(usize, &Entry)> = self
            .of_length(chars.saturating_sub(steps), chars + steps)
            .iter()
            .filter(|e| (e.letters ^ letters).count_ones() as usize <= 2 * steps)
            .filter_map(|e| fuzzy::within(word, &e.word, steps).map(|d| (d, e)))
            .collect();
        near.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.rounds.cmp(&a.1.rounds)));
        near.truncate(MAX_NEAR);
        near
    }
}

/// The words the briefs write otherwise than folded more often than folded, each with the
/// spelling they use most: each shard names its own (`Shard::spellings`), and the spellings
/// of a word are weighed over the shards by a majority vote, each shard's spelling counting
/// as often as that shard writes the word otherwise than folded. A word is kept where those
/// times outnumber the rest (the times the word stands, less them).
fn written(shards: &[Arc<Shard>], times: impl Fn(&u64) -> u32) -> FxHashMap<u64, Box<str>> {
    /// The spelling leading the vote for a word, its lead, and the word's times written
    /// otherwise than folded.
    struct Vote<'s> {
        leading: &'s str,
        lead: u32,
        not_folded: u32,
    }
    let mut votes: FxHashMap<u64, Vote> = FxHashMap::default();
    for shard in shards {
        for spelling in shard.spellings() {
            let weight = spelling.not_folded;
            let vote = votes.entry(spelling.hash).or_insert(Vote {
                leading: spelling.written,
                lead: 0,
                not_folded: 0,
            });
            vote.not_folded = vote.not_folded.saturating_add(weight);
            if vote.leading == spelling.written {
                vote.lead = vote.lead.saturating_add(weight);
            } else if vote.lead >= weight {
                vote.lead -= weight;
            } else {
                (vote.leading, vote.lead) = (spelling.written, weight - vote.lead);
            }
        }
    }
    votes
        .into_iter()
        .filter(|(hash, vote)| {
            let all = times(hash);
            vote.not_folded > all.saturating_sub(vote.not_folded)
        })
        .map(|(hash, vote)| (hash, Box::from(vote.leading)))
        .collect()
}

/// Words too common in English to say what a message is about.
fn is_common(word: &str) -> bool {
    const COMMON: &[&str] = &[
        "about",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "like",
        "me",
        "more",
        "most",
        "my",
        "no",
        "not",
        "now",
        "of",
        "on",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "said",
        "says",
        "she",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "round",
        "rounds",
        "today",
        "yesterday",
        "new",
        "news",
        "think",
        "know",
        "see",
    ];
    COMMON.contains(&word)
}
