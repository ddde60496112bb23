//! Search ranking on a folder built so that every query has one right answer:
//! `tests/fixtures/briefs-search`, two tracks, nine rounds. Rounds are named here by track and
//! number: `SI1`–`SI6` are rounds of `syria-israel`, `LI1`–`LI3` of `lebanon-israel`.
//!
//! | round | place, date | what only it has (the queries it answers) |
//! | --- | --- | --- |
//! | SI1 | Baku, 2025-07-12 | Turkey as an observer (written `Türkiye`); by Layla Haddad |
//! | SI2 | Paris, 2025-08-19 | Witkoff *agreed* a de-escalation zone; «مِنْطَقَة خَفْضِ التَّصْعِيد», «مُسْتَشْفَى»; the hospital (a key point); Ron Dermer; by Haddad |
//! | SI3 | London, 2025-09-17 | Ehud Barak, once, in the briefing; Ron Dermer; by Haddad |
//! | SI4 | Amman, 2025-11-10 | «רָמַת הַגּוֹלָן», «הַר הַחֶרְמוֹן», Mount Hermon; Erdogan (no accent); Ahmad Barakat at the table; Turkey; by Daniel Shapira |
//! | SI5 | Paris, 2026-01-06 | the fusion mechanism, the economic zone, «المِنْطَقَة الاقْتِصَادِيَّة»; Tom Barrack, Witkoff, Yechiel Leiter, Jean-Noël Barrot (France); by Haddad |
//! | SI6 | Abu Dhabi, 2026-02-10 | detainees; by Shapira |
//! | LI1 | Naqoura, 2025-12-03 | Hezbollah barracks (in the title); the Mechanism; Lebanon; by Shapira |
//! | LI2 | Naqoura, 2025-12-19 | an economic zone; the Mechanism; Lebanon; by Shapira |
//! | LI3 | Naqoura, 2026-01-07 | the Mechanism; Lebanon; by Shapira |
//!
//! Israel sits at the table in every round; the parties' aliases (`Ankara`, `Beirut`,
//! `Türkiye`) stand only in `parties.toml`; the authors' names only in `authors/`. No brief
//! writes a digit on its own, so a round's number is found only as its number.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use briefbot::library::search::{Found, Mode};
use briefbot::library::{Folder, Library, LoadOptions, Round};
use proptest::prelude::*;

use crate::common::{age, copy_tree, load, reload, repo};

const SYRIA: &str = "syria-israel";
const LEBANON: &str = "lebanon-israel";

fn fixture_dir() -> PathBuf {
    repo("tests/fixtures/briefs-search")
}

fn options() -> LoadOptions {
    LoadOptions {
        default_track: Some(SYRIA.to_string()),
    }
}

/// The fixture library, loaded once for the whole binary.
static LIBRARY: LazyLock<Library> = LazyLock::new(|| load(&fixture_dir(), SYRIA));

/// `SI5` for round 5 of `syria-israel`, as in the table above.
fn label(round: &Round) -> String {
    let track = match round.track.as_str() {
        SYRIA => "SI",
        LEBANON => "LI",
        other => other,
    };
    format!("{track}{}", round.number)
}

fn labels(found: &Found) -> Vec<String> {
    found.hits.iter().map(|h| label(h.round)).collect()
}

/// The rounds `/search query` finds in every track, best first.
fn typed(query: &str) -> Vec<String> {
    labels(&LIBRARY.search(query, None, Mode::Typed, 20))
}

/// The rounds "Brief me" names for a message, best first.
fn briefed(message: &str, track: Option<&str>) -> Vec<String> {
    labels(&LIBRARY.search(message, track, Mode::Message, 20))
}

fn sorted(mut labels: Vec<String>) -> Vec<String> {
    labels.sort();
    labels
}

fn correction(typed: &str, meant: &str) -> (String, String) {
    (typed.to_string(), meant.to_string())
}

#[test]
fn the_fixture_loads_nine_rounds_in_two_tracks() {
    // Every other test relies on this shape; `briefbot check` must pass on the folder too.
    assert_eq!(LIBRARY.round_count(), 9);
    let tracks: Vec<(&str, usize)> = LIBRARY
        .tracks()
        .iter()
        .map(|t| (t.id.as_str(), t.rounds.len()))
        .collect();
    assert_eq!(tracks, [(LEBANON, 3), (SYRIA, 6)]);
}

// Arabic and Hebrew: a reader types without vowel marks, and with whichever alef or final
// letter their keyboard gives.

#[test]
fn arabic_typed_without_harakat_finds_the_vowelled_phrase() {
    // SI5 writes «المِنْطَقَة الاقْتِصَادِيَّة» with harakat and a shadda. SI2 follows on one
    // word: it writes «مِنْطَقَة» without the article.
    assert_eq!(typed("المنطقة الاقتصادية"), ["SI5", "SI2"]);
}

#[test]
fn arabic_alef_taa_marbuta_and_tatweel_variants_find_the_same_phrase() {
    // أ/إ/ا are one letter, ة is written ه, and a tatweel stretches a word without changing it.
    assert_eq!(typed("المنطقه الإقتصاديه"), ["SI5", "SI2"]);
    assert_eq!(typed("الأقتصادية"), ["SI5"]);
    assert_eq!(typed("الاقتـــصادية"), ["SI5"]);
}

#[test]
fn arabic_alef_maqsura_is_found_by_a_final_yaa() {
    // SI2 writes «مُسْتَشْفَى» (hospital) with alef maqsura; many keyboards give ي.
    assert_eq!(typed("مستشفي"), ["SI2"]);
    // SI5's «المِنْطَقَة» is the same word with the article: it follows on one word.
    assert_eq!(typed("منطقة خفض التصعيد"), ["SI2", "SI5"]);
}

#[test]
fn hebrew_typed_without_niqqud_finds_the_pointed_phrase() {
    // SI4 writes «רָמַת הַגּוֹלָן» and «הַר הַחֶרְמוֹן» with niqqud and dagesh.
    assert_eq!(typed("רמת הגולן"), ["SI4"]);
    assert_eq!(typed("הר החרמון"), ["SI4"]);
}

#[test]
fn hebrew_final_and_ordinary_letter_forms_are_one() {
    // ן at the end of הגולן and נ typed in its place are the same letter.
    assert_eq!(typed("הגולנ"), ["SI4"]);
    assert_eq!(typed("החרמונ"), ["SI4"]);
}

// Arabic's article and particles and Hebrew's one-letter prefixes, both ways: a word is
// found with or without them, stripped only down to a rest that a brief has.

#[test]
fn arabic_without_the_article_finds_the_word_with_it_and_back() {
    // SI5 writes «الاقْتِصَادِيَّة» with the article; no brief writes it without.
    assert_eq!(typed("اقتصادية"), ["SI5"]);
    // SI2 writes «مِنْطَقَة» without the article, SI5 «المِنْطَقَة» with it: either form finds
    // both, the one written as typed first.
    assert_eq!(typed("منطقة"), ["SI2", "SI5"]);
    assert_eq!(typed("المنطقة"), ["SI5", "SI2"]);
    // SI2's «التَّصْعِيد» typed bare.
    assert_eq!(typed("تصعيد"), ["SI2"]);
    let found = LIBRARY.search("اقتصادية", None, Mode::Typed, 20);
    assert!(found.corrections.is_empty() && found.unmatched.is_empty());
}

#[test]
fn arabic_particles_before_the_article_are_taken_off() {
    // و، ب، ل، ف، ك before the article, and ل + ال written لل.
    for query in [
        "والاقتصادية",
        "بالاقتصادية",
        "فالاقتصادية",
        "كالاقتصادية",
        "للاقتصادية",
    ] {
        assert_eq!(typed(query), ["SI5"], "{query}");
    }
    assert_eq!(typed("والتصعيد"), ["SI2"]);
}

#[test]
fn hebrew_with_and_without_prefixes() {
    // SI4 writes «הַגּוֹלָן» and «הַחֶרְמוֹן» with the article ה.
    assert_eq!(typed("גולן"), ["SI4"]);
    assert_eq!(typed("חרמון"), ["SI4"]);
    // Other prefixes, one or two of them, before the bare word.
    assert_eq!(typed("בגולן"), ["SI4"]);
    assert_eq!(typed("ובחרמון"), ["SI4"]);
    assert_eq!(typed("מהגולן"), ["SI4"]);
    let found = LIBRARY.search("גולן", None, Mode::Typed, 20);
    assert!(found.corrections.is_empty() && found.unmatched.is_empty());
}

#[test]
fn short_hebrew_and_arabic_words_do_not_match_everything() {
    // One letter is no word; two letters are never stripped to a prefix and a letter.
    assert_eq!(typed("ב"), Vec::<String>::new());
    assert_eq!(typed("ה"), Vec::<String>::new());
    assert_eq!(typed("ال"), Vec::<String>::new());
    // «הר» (SI4) is found as itself and nothing else; «בר» is not stripped to «ר».
    assert_eq!(typed("הר"), ["SI4"]);
    let found = LIBRARY.search("בר", None, Mode::Typed, 20);
    assert!(found.hits.is_empty(), "{:?}", labels(&found));
}

// Latin accents, both ways.

#[test]
fn an_accented_name_is_found_without_its_accents() {
    // SI5 has "Jean-Noël Barrot" at the table.
    assert_eq!(typed("jean-noel barrot"), ["SI5"]);
    assert_eq!(typed("NOEL"), ["SI5"]);
    // An accent typed as a combining mark (e + U+0308) is the same as the composed ë.
    assert_eq!(typed("Noe\u{308}l"), ["SI5"]);
    assert_eq!(typed("Noël"), ["SI5"]);
}

#[test]
fn a_name_written_without_accents_is_found_with_them() {
    // SI4's briefing writes "Erdogan"; a Turkish reader types ğ.
    assert_eq!(typed("Erdoğan"), ["SI4"]);
    assert_eq!(typed("ERDOĞAN"), ["SI4"]);
}

#[test]
fn an_accented_alias_is_found_with_or_without_its_accent() {
    // "Türkiye" is an alias of Turkey in parties.toml: SI1 seats Turkey by that alias, SI4 by
    // its name. Both weigh the same, so the newer comes first.
    assert_eq!(typed("Türkiye"), ["SI4", "SI1"]);
    assert_eq!(typed("turkiye"), ["SI4", "SI1"]);
}

// Misspellings: a word no brief has is matched to the words nearest to it, and the reply can
// say "showing results for …".

#[test]
fn a_misspelt_party_finds_its_rounds_and_reports_the_correction() {
    let found = LIBRARY.search("isreal", None, Mode::Typed, 20);
    assert_eq!(found.corrections, [correction("isreal", "Israel")]);
    assert!(found.unmatched.is_empty());
    assert!(found.matched.contains(&"israel".to_string()));
    // Israel is at the table in all nine rounds; the misspelling finds the same ones.
    assert_eq!(found.total, 9);
    assert_eq!(sorted(labels(&found)), sorted(typed("israel")));
}

/// A word the briefs write in lower case more often than capitalised (at the start of a
/// sentence) is offered in lower case, and one they always write with a capital, with it.
#[test]
fn a_correction_is_offered_as_the_briefs_write_the_word_most() {
    // "talks" four times, "Talks" twice.
    let found = LIBRARY.search("tallks", None, Mode::Typed, 20);
    assert_eq!(found.corrections, [correction("tallks", "talks")]);
    // "Israel", always so (see above): the folded form is what finds the rounds and marks
    // the words in snippets.
    let found = LIBRARY.search("isreal", None, Mode::Typed, 20);
    assert_eq!(found.corrections, [correction("isreal", "Israel")]);
    assert!(found.matched.contains(&"israel".to_string()));
}

#[test]
fn a_misspelt_envoy_finds_the_rounds_he_was_at() {
    let found = LIBRARY.search("witkof", None, Mode::Typed, 20);
    assert_eq!(found.corrections, [correction("witkof", "Witkoff")]);
    assert_eq!(sorted(labels(&found)), ["SI2", "SI5"]);
}

#[test]
fn a_misspelt_word_next_to_a_right_one_finds_the_round_with_both() {
    // "fusion" is only in SI5; "mechanism" is in SI5 and in all three Lebanese rounds (the
    // ceasefire Mechanism). SI5 has both words, the others only the corrected one.
    let found = LIBRARY.search("fusion mechansim", None, Mode::Typed, 20);
    // The briefs write "the Mechanism" nine times and "mechanism" three: the correction is
    // offered as they write it most.
    assert_eq!(found.corrections, [correction("mechansim", "Mechanism")]);
    let hits = labels(&found);
    assert_eq!(hits[0], "SI5");
    assert_eq!(sorted(hits[1..].to_vec()), ["LI1", "LI2", "LI3"]);
    assert_eq!((found.hits[0].exact, found.hits[0].matched), (1, 2));
}

// Exact words before near ones.

#[test]
fn barak_finds_ehud_barak_before_ahmad_barakat() {
    // SI3 names Ehud Barak once, in its briefing (weight 1); SI4 seats Ahmad Barakat at the
    // table (weight 10), a longer form of the word typed. The near match scores more and
    // still comes second: a round with the word itself comes first. Tom Barrack (SI5) is
    // two steps from "barak" and no near match, since "barak" is a word of the briefs.
    let found = LIBRARY.search("barak", None, Mode::Typed, 20);
    assert_eq!(labels(&found), ["SI3", "SI4"]);
    assert_eq!((found.hits[0].exact, found.hits[1].exact), (1, 0));
    assert!(found.hits[1].score > found.hits[0].score);
    assert!(found.corrections.is_empty());
}

#[test]
fn barrack_finds_tom_barrack_before_the_barracks() {
    // SI5 seats Tom Barrack; LI1's title has "barracks", a longer form of the word typed.
    assert_eq!(typed("barrack"), ["SI5", "LI1"]);
    let found = LIBRARY.search("tom barrack", None, Mode::Typed, 20);
    assert_eq!(labels(&found), ["SI5", "LI1"]);
    assert_eq!(found.hits[0].exact, 2);
}

// Names that stand in parties.toml and authors/, not in the briefs.

#[test]
fn a_party_alias_finds_the_rounds_where_the_party_sits() {
    // No brief writes "Ankara" or "Beirut": they are aliases of Turkey and Lebanon. Equal
    // weights, so newest first.
    assert_eq!(typed("ankara"), ["SI4", "SI1"]);
    assert_eq!(typed("Beirut"), ["LI3", "LI2", "LI1"]);
}

#[test]
fn an_authors_name_finds_the_rounds_they_wrote() {
    // Layla Haddad wrote SI1, SI2, SI3 and SI5; her name is in authors/ only.
    assert_eq!(typed("haddad"), ["SI5", "SI3", "SI2", "SI1"]);
    assert_eq!(typed("Layla Haddad"), ["SI5", "SI3", "SI2", "SI1"]);
    let found = LIBRARY.search("shapira", None, Mode::Typed, 20);
    assert_eq!(found.total, 5);
}

#[test]
fn a_representatives_name_finds_the_rounds_they_sat_in() {
    assert_eq!(typed("leiter"), ["SI5"]);
    // Ron Dermer sits in SI2 and SI3, written the same way in both: the newer first.
    assert_eq!(typed("dermer"), ["SI3", "SI2"]);
}

#[test]
fn a_place_finds_the_round_held_there() {
    assert_eq!(typed("london"), ["SI3"]);
    assert_eq!(typed("Amman"), ["SI4"]);
    assert_eq!(typed("abu dhabi"), ["SI6"]);
}

// The track, `wanted` and `total`.

#[test]
fn the_track_filter_keeps_only_that_tracks_rounds() {
    // SI5 and LI2 both discuss an economic zone.
    let everywhere = typed("economic zone");
    assert!(everywhere.contains(&"SI5".to_string()) && everywhere.contains(&"LI2".to_string()));
    let lebanon = LIBRARY.search("economic zone", Some(LEBANON), Mode::Typed, 20);
    assert_eq!(labels(&lebanon), ["LI2"]);
    assert_eq!(lebanon.total, 1);
    let syria = labels(&LIBRARY.search("economic zone", Some(SYRIA), Mode::Typed, 20));
    assert_eq!(syria[0], "SI5");
    assert!(syria.iter().all(|l| l.starts_with("SI")), "{syria:?}");
    // A word of the other track only: nothing, and nothing to correct either.
    let none = LIBRARY.search("naqoura", Some(SYRIA), Mode::Typed, 20);
    assert!(none.hits.is_empty() && none.total == 0);
    assert!(none.had_words && none.unmatched.is_empty() && none.corrections.is_empty());
    // A track that does not exist has no rounds.
    assert_eq!(
        LIBRARY
            .search("israel", Some("nowhere"), Mode::Typed, 20)
            .total,
        0
    );
}

#[test]
fn wanted_limits_the_hits_and_total_counts_every_match() {
    let all = LIBRARY.search("israel", None, Mode::Typed, 100);
    assert_eq!((all.hits.len(), all.total), (9, 9));
    let three = LIBRARY.search("israel", None, Mode::Typed, 3);
    assert_eq!((three.hits.len(), three.total), (3, 9));
    // The first three are the best three of the whole list, in the same order.
    assert_eq!(labels(&three), labels(&all)[..3]);
    let none = LIBRARY.search("israel", None, Mode::Typed, 0);
    assert_eq!((none.hits.len(), none.total), (0, 9));
}

// Queries with nothing to find.

#[test]
fn a_query_without_words_has_no_words_and_no_hits() {
    for query in ["", "   ", "!!!", "— … ?", "\u{301}\u{64b}"] {
        let found = LIBRARY.search(query, None, Mode::Typed, 20);
        assert!(!found.had_words, "{query:?}");
        assert!(found.hits.is_empty() && found.total == 0, "{query:?}");
        assert!(found.unmatched.is_empty() && found.corrections.is_empty());
    }
}

#[test]
fn words_no_brief_has_nor_anything_near_are_unmatched() {
    let found = LIBRARY.search("quokka zxqv", None, Mode::Typed, 20);
    assert!(found.had_words);
    assert!(found.hits.is_empty() && found.total == 0);
    assert_eq!(found.unmatched, ["quokka", "zxqv"]);
    assert!(found.corrections.is_empty());
    // An unknown word beside a known one: the known one still finds its round.
    let found = LIBRARY.search("quokka london", None, Mode::Typed, 20);
    assert_eq!(labels(&found), ["SI3"]);
    assert_eq!(found.unmatched, ["quokka"]);
}

// "Brief me" on a message.

#[test]
fn brief_me_picks_the_round_a_chat_message_is_about() {
    // Witkoff, Paris, de-escalation and zone are in SI2 and SI5; only SI2 has "agreed" too.
    // LI2 has "zone" in its title, which is enough to name it, last.
    let message = "Anyone know what Witkoff agreed in Paris about the de-escalation zone?";
    assert_eq!(briefed(message, None), ["SI2", "SI5", "LI2"]);
}

#[test]
fn brief_me_names_the_round_a_message_mentions_by_number() {
    let message = "Can someone remind me what happened in round 3?";
    assert_eq!(briefed(message, Some(SYRIA)), ["SI3"]);
    assert_eq!(briefed(message, Some(LEBANON)), ["LI3"]);
    // Round numbers are per track: without one, both rounds 3 answer, the newer first.
    assert_eq!(briefed(message, None), ["LI3", "SI3"]);
}

#[test]
fn brief_me_on_a_message_about_nothing_in_the_briefs_names_no_round() {
    let found = LIBRARY.search("lunch at noon? bring snacks", None, Mode::Message, 20);
    assert!(found.hits.is_empty() && found.total == 0);
    // It has words, just none the briefings know: the reply says so rather than "no words".
    assert!(found.had_words);
    let nothing = LIBRARY.search("🎉 !!", None, Mode::Message, 20);
    assert!(nothing.hits.is_empty() && !nothing.had_words);
}

#[test]
fn brief_me_needs_two_words_or_one_strong_one() {
    // "hospital" is in one key point of SI2: one weak word does not name a round.
    assert!(briefed("The hospital ran out of fuel", None).is_empty());
    // "Barrot" is at SI5's table: one strong word does.
    assert_eq!(briefed("Barrot was there too", None), ["SI5"]);
}

#[test]
fn brief_me_does_not_take_a_time_of_day_for_a_round_number() {
    // A time and a quantity: nothing here is about any round ("round 1" would be).
    assert_eq!(
        briefed("lunch at 1? bring 2 snacks", None),
        Vec::<String>::new()
    );
}

#[test]
fn a_multiplication_sign_is_not_a_letter() {
    // "a 3×4 km strip": a reader searching for the 4 km strip does not find it.
    assert_eq!(
        briefbot::library::search::words::words("a 3×4 km strip"),
        ["3", "4", "km", "strip"]
    );
}

// Reloading: the index shares the shards of unchanged rounds with the snapshot before; it
// must never serve words a brief no longer has.

/// A copy of the fixture in a temporary folder, aged, and the `Folder` that reads it.
fn served_copy() -> (tempfile::TempDir, PathBuf, Folder) {
    let dir = tempfile::tempdir().expect("tempdir");
    let briefs = dir.path().join("briefs");
    copy_tree(&fixture_dir(), &briefs);
    age(&briefs);
    let folder = Folder::new(&briefs, options());
    (dir, briefs, folder)
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).expect("read");
    assert!(text.contains(from), "{} has {from:?}", file.display());
    std::fs::write(file, text.replace(from, to)).expect("write");
}

/// Everything a search answers, floats included: two indexes of the same folder must agree
/// to the bit.
fn answer(library: &Library, query: &str, track: Option<&str>, mode: Mode) -> String {
    let found = library.search(query, track, mode, 20);
    let hits: Vec<String> = found
        .hits
        .iter()
        .map(|h| format!("{} {}/{} {}", label(h.round), h.exact, h.matched, h.score))
        .collect();
    format!(
        "{hits:?} total={} corrections={:?} unmatched={:?} matched={:?} had_words={}",
        found.total, found.corrections, found.unmatched, found.matched, found.had_words
    )
}

/// Queries that touch every part of the index: the edited words, words of the unchanged
/// track, misspellings (which depend on the whole vocabulary) and names.
const PROBES: [&str; 12] = [
    "detainees",
    "prisoners",
    "hermon",
    "mount hermon",
    "hermn",
    "mechanism",
    "fusion mechansim",
    "israel",
    "haddad",
    "nassar",
    "shapira",
    "Anyone know what Witkoff agreed in Paris about the de-escalation zone?",
];

/// Asserts that `reloaded` answers every probe exactly as a fresh load of `briefs` does.
fn assert_same_answers(reloaded: &Library, briefs: &Path) {
    let fresh = reload(&mut Folder::new(briefs, options()));
    for query in PROBES {
        for track in [None, Some(SYRIA), Some(LEBANON)] {
            for mode in [Mode::Typed, Mode::Message] {
                assert_eq!(
                    answer(reloaded, query, track, mode),
                    answer(&fresh, query, track, mode),
                    "{query:?} in {track:?}, {mode:?}"
                );
            }
        }
    }
}

fn same_round(a: &Library, b: &Library, track: &str, number: u32) -> bool {
    let round = |l: &Library| {
        l.track(track)
            .and_then(|t| t.round(number))
            .map(|r| r as *const Round)
    };
    round(a).is_some() && round(a) == round(b)
}

#[test]
fn a_reload_after_an_edit_searches_the_new_text_not_the_old() {
    let (_dir, briefs, mut folder) = served_copy();
    let before = reload(&mut folder);
    assert_eq!(
        labels(&before.search("detainees", None, Mode::Typed, 20)),
        ["SI6"]
    );
    assert_eq!(
        labels(&before.search("hermon", None, Mode::Typed, 20)),
        ["SI4"]
    );

    // SI6 stops saying "detainees" and starts saying "prisoners" and "Hermon", a word until
    // now only SI4's.
    let file = briefs.join("syria-israel/06-abu-dhabi.md");
    edit(&file, "detainee", "prisoner");
    edit(
        &file,
        "either side has taken",
        "either side has taken since Mount Hermon",
    );
    let after = reload(&mut folder);

    // The Lebanese rounds did not change: they (and so their shard) are shared.
    for number in 1..=3 {
        assert!(same_round(&before, &after, LEBANON, number), "LI{number}");
    }
    assert!(!same_round(&before, &after, SYRIA, 6));
    // Two shards (one per track): the Lebanese one is the very same, the Syrian one rebuilt.
    assert_eq!(
        after
            .search_index()
            .shards_shared_with(before.search_index()),
        (1, 2)
    );

    let gone = after.search("detainees", None, Mode::Typed, 20);
    assert!(gone.hits.is_empty(), "{:?}", labels(&gone));
    assert_eq!(
        labels(&after.search("prisoners", None, Mode::Typed, 20)),
        ["SI6"]
    );
    // SI4 has Hermon in its title, SI6 only in its briefing.
    assert_eq!(
        labels(&after.search("hermon", None, Mode::Typed, 20)),
        ["SI4", "SI6"]
    );
    assert_same_answers(&after, &briefs);
}

#[test]
fn a_reload_after_an_authors_new_name_finds_the_new_name_only() {
    let (_dir, briefs, mut folder) = served_copy();
    let before = reload(&mut folder);
    assert_eq!(before.search("haddad", None, Mode::Typed, 20).total, 4);
    assert!(
        before
            .search("nassar", None, Mode::Typed, 20)
            .hits
            .is_empty()
    );

    // Only the author's file changes; her briefs are not touched.
    edit(
        &briefs.join("authors/layla-haddad.toml"),
        "name = \"Layla Haddad\"",
        "name = \"Layla Nassar\"",
    );
    let after = reload(&mut folder);
    assert!(
        same_round(&before, &after, SYRIA, 5),
        "her rounds are shared"
    );

    assert_eq!(
        labels(&after.search("nassar", None, Mode::Typed, 20)),
        ["SI5", "SI3", "SI2", "SI1"]
    );
    let old = after.search("haddad", None, Mode::Typed, 20);
    assert!(old.hits.is_empty(), "{:?}", labels(&old));
    assert_same_answers(&after, &briefs);
}

// Whatever is typed or pasted.

/// Queries of every shape: any Unicode, fixture words with their marks, combining marks on
/// nothing, right-to-left text and controls, and strings of tens of thousands of characters.
fn query() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        Just("المِنْطَقَة الاقْتِصَادِيَّة ".to_string()),
        Just("רָמַת הַגּוֹלָן ".to_string()),
        Just("\u{202b}مرحبا\u{202c} \u{200f}שלום\u{200e} ".to_string()),
        Just("e\u{301}\u{302}\u{303}\u{308}\u{64b}\u{5b0} ".to_string()),
        Just("\u{301}\u{301}\u{301}".to_string()),
        Just("Jean-Noël Barrot round 3 isreal witkof barak ".to_string()),
        Just("ـــ ".to_string()),
    ];
    prop::collection::vec((piece, 0..20_000usize, any::<bool>()), 0..4).prop_map(|pieces| {
        pieces
            .into_iter()
            .map(|(piece, len, long)| {
                if long && !piece.is_empty() {
                    piece.chars().cycle().take(len).collect()
                } else {
                    piece
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn search_never_panics_and_keeps_to_wanted_and_total(
        query in query(),
        message in any::<bool>(),
        track in prop_oneof![Just(None), Just(Some(SYRIA)), Just(Some(LEBANON)), Just(Some("nowhere"))],
        wanted in 0..12usize,
    ) {
        let mode = if message { Mode::Message } else { Mode::Typed };
        let found = LIBRARY.search(&query, track, mode, wanted);
        prop_assert_eq!(found.hits.len(), wanted.min(found.total));
        prop_assert!(found.total <= LIBRARY.round_count());
        if !found.had_words {
            prop_assert_eq!(found.total, 0);
        }
        if let Some(track) = track {
            prop_assert!(found.hits.iter().all(|h| h.round.track == track));
        }
        // Best first: more words exactly, then more words at all.
        for pair in found.hits.windows(2) {
            prop_assert!(
                (pair[0].exact, pair[0].matched) >= (pair[1].exact, pair[1].matched)
            );
        }
        for hit in &found.hits {
            prop_assert!(hit.matched >= 1 && hit.exact <= hit.matched);
        }
        // Asking for fewer gives the first of the same list.
        let all = LIBRARY.search(&query, track, mode, usize::MAX);
        prop_assert_eq!(all.total, found.total);
        prop_assert_eq!(labels(&all)[..found.hits.len()].to_vec(), labels(&found));
    }
}

#[test]
fn a_correction_is_searched_like_the_rest_of_its_round() {
    // "Lausanne" is only in a correction's note ("in Geneva, not Lausanne").
    let library = crate::common::corrected();
    let found = library.search("lausanne", None, Mode::Typed, 5);
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].round.number, 1);
}
