//! Full-text search over the library: titles, places, parties and their aliases, the people
//! at the table, authors, summaries, key points, status, stances and the longer briefings.
//!
//! Why a small index of our own rather than a search engine crate: the index is part of the
//! library snapshot, so it must be built within the load budget (10,000 briefs in under half
//! a second on two cores, all of it) and updated within a reload's (one changed file served in
//! well under 100 ms). The index is cut into shards of up to 128 rounds of one track; a reload
//! rebuilds only the shards whose rounds changed and shares the others with the snapshot
//! before, as it shares the rounds themselves. What a search needs beyond an exact word —
//! folding accents and Arabic and Hebrew marks (`words`), misspellings (`fuzzy`), ranking
//! exact words first — is a few hundred lines here.

mod fuzzy;
mod shard;
pub mod words;

use std::hash::Hasher as _;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

pub use shard::{MAX_WORD_BYTES, Names};
use shard::{ROUNDS_PER_SHARD, STRONG, Shard};

use super::{Round, Track};

/// The most words of a query that are looked up; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 16;

/// The most words of a message the "Brief me" command looks up: the rarest ones.
const MAX_MESSAGE_WORDS: usize = 12;

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
    /// Words typed that no brief has, each with the word the results used instead:
    /// ("isreal", "israel").
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
    pub fn build(
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
    pub fn fingerprint<'a>(names: impl IntoIterator<Item = &'a str>) -> u64 {
        let mut hasher = FxHasher::default();
        for name in names {
            hasher.write(name.as_bytes());
            hasher.write_u8(0xff);
        }
        hasher.finish()
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
    }

    /// Searches for `query`, in one track or all, and returns the `wanted` best rounds.
    pub fn search(&self, query: &str, track: Option<&str>, mode: Mode, wanted: usize) -> Found<'_> {
        let mut found = Found::default();
        let (words, numbers) = match mode {
            Mode::Typed => (query_words(query), Vec::new()),
            Mode::Message => self.message_words(query),
        };
        found.had_words = !words.is_empty() || !numbers.is_empty();
        let variants = self.variants(&words, mode, &mut found);
        if variants.is_empty() && numbers.is_empty() {
            return found;
        }
        let mut candidates = Vec::new();
        for (index, shard) in self.shards.iter().enumerate() {
            if track.is_some_and(|t| t != shard.track) {
                continue;
            }
            self.score_shard(index, shard, &variants, &numbers, mode, &mut candidates);
        }
        found.total = candidates.len();
        let order = |a: &Candidate, b: &Candidate| {
            b.exact
                .cmp(&a.exact)
                .then(b.matched.cmp(&a.matched))
                .then(b.score.total_cmp(&a.score))
                .then_with(|| self.round(b).date.cmp(&self.round(a).date))
                .then_with(|| self.round(a).track.cmp(&self.round(b).track))
                .then_with(|| self.round(a).number.cmp(&self.round(b).number))
        };
        if wanted < candidates.len() {
            if wanted > 0 {
                candidates.select_nth_unstable_by(wanted - 1, order);
            }
            candidates.truncate(wanted);
        }
        candidates.sort_unstable_by(order);
        found.hits = candidates
            .iter()
            .map(|c| Hit {
                round: self.round(c),
                exact: c.exact,
                matched: c.matched,
                score: c.score,
            })
            .collect();
        found
    }

    fn round(&self, candidate: &Candidate) -> &Round {
        &self.shards[candidate.shard].rounds[candidate.doc]
    }

    /// Scores the rounds of one shard and adds those that match to `candidates`.
    fn score_shard(
        &self,
        index: usize,
        shard: &Shard,
        variants: &[Variant],
        numbers: &[u32],
        mode: Mode,
        candidates: &mut Vec<Candidate>,
    ) {
        let size = shard.rounds.len();
        let mut score = [0f32; ROUNDS_PER_SHARD as usize];
        let mut exact = [0u32; ROUNDS_PER_SHARD as usize];
        let mut matched = [0u32; ROUNDS_PER_SHARD as usize];
        let mut strong = [false; ROUNDS_PER_SHARD as usize];
        for variant in variants {
            let bit = 1u32 << variant.word;
            for (doc, weight) in shard.postings(variant.hash) {
                if doc >= size {
                    continue;
                }
                let weight_f = f32::from(weight);
                score[doc] += variant.weight * weight_f / (weight_f + 8.0);
                matched[doc] |= bit;
                if variant.exact {
                    exact[doc] |= bit;
                    strong[doc] |= weight >= STRONG;
                }
            }
        }
        for (doc, round) in shard.rounds.iter().enumerate() {
            if numbers.contains(&round.number) {
                // "Round 5" in a message: the round's own number, as strong as its title.
                score[doc] += 2.0;
                matched[doc] |= 1 << 31;
                strong[doc] = true;
            }
            if matched[doc] == 0 {
                continue;
            }
            let (exact_count, matched_count) = (exact[doc].count_ones(), matched[doc].count_ones());
            if mode == Mode::Message && !(strong[doc] || exact_count >= 2) {
                continue;
            }
            candidates.push(Candidate {
                shard: index,
                doc,
                exact: exact_count,
                matched: matched_count,
                score: score[doc],
            });
        }
    }

    /// The words of a message worth looking up (the rarest the library knows, common
    /// English words left out) and the round numbers it mentions ("round 5").
    fn message_words(&self, text: &str) -> (Vec<String>, Vec<u32>) {
        let mut all = words::words(text);
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
                let entry = self.vocabulary.get(&w)?;
                Some((entry.rounds, w))
            })
            .collect();
        known.sort_by_key(|(rounds, _)| *rounds);
        known.truncate(MAX_MESSAGE_WORDS);
        (known.into_iter().map(|(_, w)| w).collect(), numbers)
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
        for (i, word) in words.iter().enumerate() {
            if let Some(entry) = self.vocabulary.get(word) {
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
            if mode == Mode::Message {
                continue;
            }
            let near = self.vocabulary.near(word);
            match near.first() {
                Some((_, best)) => found
                    .corrections
                    .push((word.clone(), best.word.to_string())),
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

#[derive(Debug, Clone, Copy)]
struct Candidate {
    shard: usize,
    doc: usize,
    exact: u32,
    matched: u32,
    score: f32,
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
            for (hash, word, rounds) in shard.vocabulary() {
                match by_hash.get(&hash) {
                    Some(&i) => entries[i as usize].rounds += rounds,
                    None => {
                        by_hash.insert(hash, u32::try_from(entries.len()).unwrap_or(u32::MAX));
                        entries.push(Entry {
                            word: word.into(),
                            hash,
                            rounds,
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
        Vocabulary {
            entries,
            by_hash,
            starts,
        }
    }

    fn get(&self, word: &str) -> Option<&Entry> {
        let entry = &self.entries[*self.by_hash.get(&shard::hash(word))? as usize];
        (&*entry.word == word).then_some(entry)
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
