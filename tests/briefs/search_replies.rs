//! What `/search`, its page and open buttons, and the "Brief me" message command answer, as
//! Discord receives it: snapshots on the shipped briefs and on `tests/fixtures/briefs-search`
//! (two tracks, nine rounds, so results come in pages), the behaviours members rely on (a
//! page turned with the title Discord sends back, a stale button), and briefs written to
//! break the results (mentions, Markdown, fields of 100,000 characters), whose snippets must
//! show the text as written and ping no one.

use std::path::PathBuf;

use briefbot::cli::line;
use briefbot::commands::{self, Command, Request};
use briefbot::library::{Author, Date, Library, Position, Role, Round, Source};
use briefbot::reply::Reply;
use serde_json::Value;

use crate::common::{assert_within_discord_limits, copy_tree, load, repo, shipped};

/// `tests/fixtures/briefs-search`: `syria-israel` rounds 1–6 and `lebanon-israel` rounds 1–3.
fn search_fixture() -> Library {
    load(&repo("tests/fixtures/briefs-search"), "syria-israel")
}

/// A command line, as `briefbot ask` reads it.
fn ask(library: &Library, line: &str) -> Reply {
    let request = line::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    commands::respond(library, &request)
}

/// `/search` with exactly this query, as Discord would send it (no command line reading).
fn search(library: &Library, query: &str, track: Option<&str>) -> Reply {
    commands::respond(
        library,
        &Request::Command(Command::Search {
            query: query.to_string(),
            track: track.map(str::to_string),
        }),
    )
}

/// "Brief me" on a message with this text.
fn brief_me(library: &Library, text: &str) -> Reply {
    commands::respond(
        library,
        &Request::Command(Command::BriefMe {
            text: text.to_string(),
        }),
    )
}

/// A press of `custom_id` on a message whose first embed has the title `carried`.
fn press(library: &Library, custom_id: &str, carried: Option<&str>) -> Reply {
    commands::respond(
        library,
        &Request::Press {
            custom_id: custom_id.to_string(),
            carried: carried.map(str::to_string),
        },
    )
}

/// The JSON Discord would receive, after checking it keeps to every limit and the schema.
fn json(reply: &Reply) -> Value {
    let json = reply.fit().to_json();
    assert_within_discord_limits(&json);
    json
}

fn content(json: &Value) -> &str {
    json["data"]["content"].as_str().unwrap_or_default()
}

fn is_ephemeral(json: &Value) -> bool {
    json["data"]["flags"] == 64
}

/// The title of the message's first embed: what Discord sends back with a press of one of
/// its buttons.
fn title(json: &Value) -> Option<&str> {
    json["data"]["embeds"][0]["title"].as_str()
}

/// Every button of a message: (label, custom_id, disabled).
fn buttons(json: &Value) -> Vec<(String, String, bool)> {
    json["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["label"].as_str().unwrap_or_default().to_string(),
                b["custom_id"].as_str().unwrap_or_default().to_string(),
                b["disabled"] == true,
            )
        })
        .collect()
}

/// The `custom_id` of the button labelled `label`.
fn button(json: &Value, label: &str) -> String {
    buttons(json)
        .into_iter()
        .find(|(l, _, _)| l == label)
        .map(|(_, id, _)| id)
        .unwrap_or_else(|| panic!("no button {label:?} in {json:#}"))
}

/// The embed of a results page.
fn embed(json: &Value) -> &Value {
    &json["data"]["embeds"][0]
}

fn footer(json: &Value) -> &str {
    embed(json)["footer"]["text"].as_str().unwrap_or_default()
}

/// The field names of a results page: "1. syria-israel · Round 4 · 10 November 2025 · Amman", …
fn result_names(json: &Value) -> Vec<String> {
    embed(json)["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str().map(str::to_string))
        .collect()
}

/// The press of the button labelled `label` on a results page, with the page's title, as
/// Discord sends it back with the press.
fn turn_page(library: &Library, page: &Value, label: &str) -> Value {
    json(&press(library, &button(page, label), title(page)))
}

mod shipped_briefs {
    use super::*;

    macro_rules! snapshots {
        ($( $name:ident: $reply:expr ),* $(,)?) => {
            $(
                #[test]
                fn $name() {
                    let library = shipped();
                    let reply = $reply(&library);
                    insta::assert_json_snapshot!(json(&reply));
                }
            )*
        };
    }

    snapshots!(
        search_economic_zone: |l: &Library| ask(l, "/search economic zone"),
        search_with_misspellings: |l: &Library| ask(l, "/search isreal witkof"),
        search_in_a_track: |l: &Library| ask(l, "/search economic zone track:syria-israel"),
        search_in_a_track_that_does_not_exist: |l: &Library| ask(l, "/search economic zone track:lebanon-israel"),
        search_matching_nothing: |l: &Library| ask(l, "/search quokka"),
        search_of_nothing: |l: &Library| search(l, "", None),
        search_of_blanks: |l: &Library| search(l, " \n\t ", None),
        search_without_words: |l: &Library| search(l, "!!! — ?", None),
        search_of_1000_characters: |l: &Library| search(l, &long_query(1000), None),
        press_open: |l: &Library| press(l, "open:syria-israel:5", None),
        press_open_of_a_round_that_is_gone: |l: &Library| press(l, "open:syria-israel:9", None),
        press_page_without_a_title: |l: &Library| press(l, "search::2", None),
        press_page_of_another_message: |l: &Library| press(l, "search::2", Some("Paris round ends with a proposal for a joint, demilitarized economic zone")),
        press_page_of_a_track_that_is_gone: |l: &Library| press(l, "search:lebanon-israel:2", Some("🔎 economic zone")),
        brief_me_on_a_message_about_the_talks: |l: &Library| brief_me(l, "What did Witkoff agree in Paris?"),
        brief_me_on_an_irrelevant_message: |l: &Library| brief_me(l, "lunch at noon? bring snacks"),
        brief_me_on_a_message_without_words: |l: &Library| brief_me(l, "👍 🎉"),
    );

    /// "economic zone " again and again, `chars` characters in all.
    fn long_query(chars: usize) -> String {
        "economic zone ".chars().cycle().take(chars).collect()
    }

    #[test]
    fn a_party_found_by_its_alias_shows_its_line_with_the_alias() {
        // "damascus" is Syria's alias in parties.toml: the snippet is Syria's line, with the
        // alias that found it in bold.
        let json = json(&ask(&shipped(), "/search damascus"));
        let value = embed(&json)["fields"][0]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            value.contains("\nSyria (**Damascus**): Co-authored the memo"),
            "{value}"
        );
    }

    #[test]
    fn economic_zone_finds_round_5_with_the_words_in_bold() {
        let json = json(&ask(&shipped(), "/search economic zone"));
        assert_eq!(json["type"], 4);
        assert!(!is_ephemeral(&json), "results are public");
        assert_eq!(title(&json), Some("🔎 economic zone"));
        assert_eq!(result_names(&json), ["1. Round 5 · 6 January 2026 · Paris"]);
        let value = embed(&json)["fields"][0]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            value.starts_with(
                "**Paris round ends with a proposal for a joint, demilitarized economic zone**\n"
            ),
            "{value}"
        );
        assert!(value.contains("**economic** **zone**"), "{value}");
        assert_eq!(footer(&json), "1 round matches · page 1 of 1");
        // One page: no page buttons, one button that opens the round.
        assert_eq!(
            buttons(&json),
            [(
                "Round 5".to_string(),
                "open:syria-israel:5".to_string(),
                false
            )]
        );
    }

    #[test]
    fn misspellings_are_named_and_corrected() {
        let json = json(&ask(&shipped(), "/search isreal witkof"));
        let description = embed(&json)["description"].as_str().unwrap_or_default();
        assert_eq!(
            description,
            "Did you mean **Israel** **Witkoff**? No briefing says “isreal” or “witkof”."
        );
        assert_eq!(result_names(&json), ["1. Round 5 · 6 January 2026 · Paris"]);
    }

    /// The index folds words to lower case; a suggestion shows the word as the brief writes
    /// it, as a reader would.
    #[test]
    fn a_suggestion_is_written_as_the_brief_writes_it() {
        let json = json(&ask(&shipped(), "/search kushnr"));
        let description = embed(&json)["description"].as_str().unwrap_or_default();
        assert_eq!(
            description,
            "Did you mean **Kushner**? No briefing says “kushnr”."
        );
    }

    #[test]
    fn a_query_longer_than_200_characters_gets_a_private_notice_naming_the_limit() {
        for (length, refused) in [(200, false), (201, true), (1000, true)] {
            let json = json(&search(&shipped(), &long_query(length), None));
            assert_eq!(is_ephemeral(&json), refused, "{length}");
            if refused {
                assert_eq!(
                    content(&json),
                    format!(
                        "That search is {length} characters long; a search takes up to 200. \
                         Try the few words that matter most."
                    )
                );
            }
        }
    }

    #[test]
    fn a_blank_query_gets_a_private_notice() {
        for query in ["", "   ", "\n\t"] {
            let json = json(&search(&shipped(), query, None));
            assert!(is_ephemeral(&json), "{query:?}");
            assert!(
                content(&json).starts_with("Type a few words to search for"),
                "{query:?}: {}",
                content(&json)
            );
        }
    }

    #[test]
    fn a_query_that_matches_nothing_gets_a_private_notice_that_quotes_it_escaped() {
        let json = json(&search(&shipped(), "quokka **@everyone**", None));
        assert!(is_ephemeral(&json));
        assert_eq!(
            content(&json),
            "No briefing mentions “quokka \\*\\*\\@everyone\\*\\*”, nor anything close to it. \
             Try other or fewer words, or /rounds to see every round."
        );
    }

    #[test]
    fn an_open_button_opens_the_card_privately() {
        let results = json(&ask(&shipped(), "/search economic zone"));
        let opened = json(&press(
            &shipped(),
            &button(&results, "Round 5"),
            title(&results),
        ));
        assert_eq!(opened["type"], 4, "a new message: the results stay");
        assert!(is_ephemeral(&opened));
        assert_eq!(
            title(&opened),
            Some("Paris round ends with a proposal for a joint, demilitarized economic zone")
        );
        // The same card as /round 5, only private.
        let card = json(&ask(&shipped(), "/round 5"));
        assert_eq!(opened["data"]["embeds"], card["data"]["embeds"]);
        assert_eq!(opened["data"]["components"], card["data"]["components"]);
    }

    #[test]
    fn brief_me_answers_privately_with_round_5() {
        let briefed = json(&brief_me(&shipped(), "What did Witkoff agree in Paris?"));
        assert_eq!(briefed["type"], 4);
        assert!(is_ephemeral(&briefed));
        assert_eq!(
            content(&briefed),
            "The briefing that best matches this message: Round 5 · 6 January 2026 · Paris."
        );
        let card = json(&ask(&shipped(), "/round 5"));
        assert_eq!(briefed["data"]["embeds"], card["data"]["embeds"]);
        // The only round: no other matches, so no row of them.
        assert_eq!(briefed["data"]["components"], card["data"]["components"]);
    }

    #[test]
    fn brief_me_on_an_irrelevant_message_does_not_say_it_has_no_words() {
        let json = json(&brief_me(&shipped(), "lunch at noon? bring snacks"));
        assert!(is_ephemeral(&json));
        assert_eq!(
            content(&json),
            "I found no briefing about this message. It names no party, person, place or round \
             that the briefings know. Try /search with a few words, or /latest for the newest \
             round."
        );
    }
}

mod fixture_briefs {
    use super::*;

    #[test]
    fn search_across_tracks() {
        insta::assert_json_snapshot!(json(&ask(&search_fixture(), "/search economic zone")));
    }

    #[test]
    fn search_in_one_track() {
        let json = json(&ask(
            &search_fixture(),
            "/search economic zone track:lebanon-israel",
        ));
        assert_eq!(
            result_names(&json),
            ["1. lebanon-israel · Round 2 · 19 December 2025 · Naqoura"]
        );
        assert_eq!(
            embed(&json)["description"],
            "In lebanon-israel only.",
            "the filter is said"
        );
        // The page buttons of a filtered search keep the track.
        insta::assert_json_snapshot!(json);
    }

    #[test]
    fn search_matching_nothing_in_one_track() {
        // Naqoura is in every Lebanese round and in no Syrian one.
        let json = json(&ask(
            &search_fixture(),
            "/search naqoura track:syria-israel",
        ));
        assert!(is_ephemeral(&json));
        insta::assert_json_snapshot!(json);
    }

    #[test]
    fn search_first_page() {
        // Israel sits at the table in all nine rounds: two pages.
        let json = json(&ask(&search_fixture(), "/search israel"));
        assert_eq!(footer(&json), "9 rounds match · page 1 of 2");
        insta::assert_json_snapshot!(json);
    }

    #[test]
    fn search_second_page_by_the_more_button() {
        let library = search_fixture();
        let first = json(&ask(&library, "/search israel"));
        assert_eq!(button(&first, "More ▶"), "search::2");
        let second = turn_page(&library, &first, "More ▶");
        assert_eq!(second["type"], 7, "the page replaces the results message");
        assert_eq!(title(&second), Some("🔎 israel"), "the query travels on");
        assert_eq!(footer(&second), "9 rounds match · page 2 of 2");
        let names = result_names(&second);
        assert_eq!(names.len(), 4);
        assert!(names[0].starts_with("6. "), "{names:?}");
        insta::assert_json_snapshot!(second);
    }

    #[test]
    fn more_then_better_matches_gives_back_the_first_page() {
        let library = search_fixture();
        let first = json(&ask(&library, "/search israel"));
        let second = turn_page(&library, &first, "More ▶");
        let back = turn_page(&library, &second, "◀ Better matches");
        assert_eq!(back["type"], 7);
        assert_eq!(back["data"]["embeds"], first["data"]["embeds"]);
        assert_eq!(back["data"]["components"], first["data"]["components"]);
        // The two pages show nine different rounds between them.
        let mut opened: Vec<String> = [&first, &second]
            .iter()
            .flat_map(|page| buttons(page))
            .map(|(_, id, _)| id)
            .filter(|id| id.starts_with("open:"))
            .collect();
        opened.sort();
        opened.dedup();
        assert_eq!(opened.len(), 9, "{opened:?}");
    }

    #[test]
    fn a_filtered_search_keeps_its_track_on_every_page() {
        let library = search_fixture();
        let first = json(&ask(&library, "/search israel track:syria-israel"));
        assert_eq!(footer(&first), "6 rounds match · page 1 of 2");
        assert_eq!(button(&first, "More ▶"), "search:syria-israel:2");
        let second = turn_page(&library, &first, "More ▶");
        assert_eq!(footer(&second), "6 rounds match · page 2 of 2");
        assert_eq!(
            embed(&second)["description"],
            "In syria-israel only.",
            "{second:#}"
        );
        assert!(
            result_names(&second)
                .iter()
                .all(|n| n.contains("syria-israel")),
            "{second:#}"
        );
    }

    #[test]
    fn a_page_past_the_end_shows_the_last_page() {
        // The results had three pages when the button was made; now they have two.
        let json = json(&press(&search_fixture(), "search::3", Some("🔎 israel")));
        assert_eq!(json["type"], 7);
        assert_eq!(footer(&json), "9 rounds match · page 2 of 2");
    }

    /// Results on a page.
    const PER_PAGE: usize = 5;

    #[test]
    fn a_huge_page_number_shows_the_last_page() {
        for page in [usize::MAX, usize::MAX / PER_PAGE + 1] {
            let id = format!("search::{page}");
            let json = json(&press(&search_fixture(), &id, Some("🔎 israel")));
            assert_eq!(json["type"], 7, "{id}");
            assert_eq!(footer(&json), "9 rounds match · page 2 of 2", "{id}");
        }
    }

    #[test]
    fn press_open_from_the_results() {
        let library = search_fixture();
        let results = json(&ask(&library, "/search israel"));
        let first = buttons(&results)
            .into_iter()
            .find(|(_, id, _)| id.starts_with("open:"))
            .map(|(_, id, _)| id)
            .expect("an open button");
        assert_eq!(first, "open:syria-israel:4");
        let opened = json(&press(&library, &first, title(&results)));
        assert!(is_ephemeral(&opened));
        insta::assert_json_snapshot!(opened);
    }

    #[test]
    fn press_open_after_its_round_was_removed() {
        let library = search_fixture();
        let results = json(&ask(&library, "/search detainees"));
        let open = button(&results, "syria-israel · Round 6");
        assert_eq!(open, "open:syria-israel:6");

        // The library is reloaded from a copy of the fixture without round 6.
        let dir = tempfile::tempdir().expect("tempdir");
        copy_tree(&repo("tests/fixtures/briefs-search"), dir.path());
        std::fs::remove_file(dir.path().join("syria-israel/06-abu-dhabi.md"))
            .expect("remove round 6");
        let reloaded = load(dir.path(), "syria-israel");

        let stale = json(&press(&reloaded, &open, title(&results)));
        assert!(is_ephemeral(&stale));
        assert_eq!(
            content(&stale),
            "Round 6 of syria-israel is no longer in the library. Try /search again."
        );
        insta::assert_json_snapshot!(stale);

        // Its results, turned to after the reload, no longer list it: nothing else has
        // detainees, so they say so, privately.
        let page = json(&press(&reloaded, "search::1", title(&results)));
        assert!(is_ephemeral(&page), "{page:#}");
    }

    #[test]
    fn brief_me_with_other_matches() {
        let json = json(&brief_me(
            &search_fixture(),
            "Anyone know what Witkoff agreed in Paris about the de-escalation zone?",
        ));
        assert!(is_ephemeral(&json));
        assert_eq!(
            content(&json),
            "The briefing that best matches this message: syria-israel · Round 2 · 19 August 2025 · \
             Paris. Other matches are under the card."
        );
        let others: Vec<String> = buttons(&json)
            .into_iter()
            .map(|(_, id, _)| id)
            .filter(|id| id.starts_with("open:"))
            .collect();
        assert_eq!(others, ["open:syria-israel:5", "open:lebanon-israel:2"]);
        insta::assert_json_snapshot!(json);
    }

    #[test]
    fn brief_me_on_an_irrelevant_message() {
        let json = json(&brief_me(&search_fixture(), "The hospital ran out of fuel"));
        assert!(is_ephemeral(&json));
        insta::assert_json_snapshot!(json);
    }
}

/// Briefs written to break the results: every mention Discord knows, Markdown of every kind,
/// backticks, and fields of 100,000 characters with and without spaces, with the words
/// searched for at their start, in their middle and past the first 16 KiB that snippets read.
mod hostile_briefs {
    use super::*;

    /// Every mention and piece of inline Markdown Discord renders, on one line.
    const INLINE: &str = "@everyone @here <@123456789012345678> <@&1234> <#1234> \
        [link](https://evil.example) ||spoiler|| **bold** __underline__ *italic* _italic_ \
        ~~strike~~ `code` ```fence``` <@!123456789012345678> </search:1234> <:emoji:1234> \
        <t:1767657600:R> <https://evil.example> \\ escaped\\*";

    /// Markdown that acts at the start of a line.
    const LINES: [&str; 7] = [
        "> quote",
        ">>> quotes the rest",
        "# heading",
        "-# subtext",
        "- list",
        "+ list",
        "* list",
    ];

    fn round(number: u32, title: &str) -> Round {
        Round {
            track: "hostile".into(),
            number,
            title: title.into(),
            date: Date {
                year: 2026,
                month: 1,
                day: number.clamp(1, 28) as u8,
            },
            location: Some("Geneva".into()),
            author: "mallory".into(),
            summary: String::new(),
            key_points: Vec::new(),
            status: None,
            sources: vec![Source {
                title: "A source".into(),
                publisher: None,
                url: Some("https://example.org".into()),
            }],
            positions: Vec::new(),
            corrections: Vec::new(),
            body: String::new(),
            path: PathBuf::from(format!("hostile/{number:02}.md")),
        }
    }

    /// `unit` again and again, `chars` characters in all.
    fn repeated(unit: &str, chars: usize) -> String {
        unit.chars().cycle().take(chars).collect()
    }

    /// 100,000 characters of `filler` with `word` at character `at`.
    fn long_with(filler: &str, word: &str, at: usize) -> String {
        let mut text = repeated(filler, at);
        text.push_str(word);
        text.push_str(&repeated(filler, 100_000 - at - word.len()));
        text
    }

    /// A word after each of `LINES`, to find it by.
    const LINE_WORDS: [&str; 7] = [
        "alpaca", "beaver", "cougar", "dingo", "ermine", "ferret", "gibbon",
    ];

    /// Hostile filler with spaces, and the same with none.
    const SPACED: &str = "@everyone <@&1234> **x** ||y|| [z](https://evil.example) ";
    const SPACELESS: &str = "@everyone<@123456789012345678>**x**||y||[z](https://evil.example)`";

    /// Bytes of a field a snippet reads.
    const SCANNED: usize = 16 * 1024;

    fn library() -> Library {
        let mut rounds = Vec::new();

        // Inline mentions and Markdown around the word, in every field a snippet comes from.
        let mut r = round(
            1,
            "**Quokka** talks @everyone <@123456789012345678> ||spoiler||",
        );
        r.summary = format!("The quokka proposal: {INLINE} and more.");
        r.key_points = vec![format!("Walrus {INLINE}")];
        r.status = Some(format!("{INLINE} status of the ocelot"));
        r.positions = vec![Position {
            party: "<@&1234> Party".into(),
            role: Role::Party,
            stance: format!("Tapir {INLINE}"),
            details: Some(format!("{INLINE} gecko")),
            representatives: vec!["[Envoy Impala](https://evil.example)".into()],
        }];
        r.body = format!("# Heading\n\n> {INLINE}\n\n- bonobo {INLINE}\n");
        rounds.push(r);

        // Markdown that acts at the start of a line, each with the word first.
        let mut r = round(2, "# Lines");
        r.key_points = LINES
            .iter()
            .zip(LINE_WORDS)
            .map(|(line, word)| format!("{line} {word} {INLINE}"))
            .collect();
        r.summary = "- list in the summary".into();
        r.body = long_with(SPACED, " lemming ", SCANNED + 100);
        rounds.push(r);

        // 100,000 characters with spaces: the word at the start, in the middle of what a
        // snippet reads, and past it.
        let mut r = round(3, "Long with spaces");
        r.summary = long_with(SPACED, "pangolin ", 0);
        r.key_points = vec![long_with(SPACED, " narwhal ", 8_000)];
        r.status = Some(long_with(SPACED, " axolotl ", 50_000));
        r.body = long_with(SPACED, " capybara ", SCANNED + 10);
        rounds.push(r);

        // 100,000 characters without a space.
        let mut r = round(4, "Long without spaces");
        r.summary = long_with(SPACELESS, "okapi|", 0);
        r.key_points = vec![long_with(SPACELESS, "|kinkajou|", 8_000)];
        r.status = Some(long_with(SPACELESS, "|wombat|", 50_000));
        r.body = long_with(SPACELESS, "|dugong|", SCANNED - 4);
        rounds.push(r);

        // The longest title a brief may have, all of it Markdown, and a word found only far
        // into the body: the snippet falls back to the summary.
        let mut r = round(5, &repeated("*@<", 256));
        r.summary = repeated("`||@here ", 4096);
        r.body = long_with(SPACED, " tarsier ", 90_000);
        rounds.push(r);

        // One word throughout, matched everywhere: bold marks on every word.
        let mut r = round(6, &repeated("zz@ ", 256));
        r.summary = repeated("zz@ ", 100_000);
        rounds.push(r);

        // Many rounds with the same words, so that results come in pages.
        for number in 7..=20 {
            let mut r = round(number, &format!("Round {number} of the hostile track"));
            r.summary = format!("quokka {INLINE} {}", LINES.join("\n"));
            r.body = long_with(SPACED, " quokka ", 1_000 * number as usize);
            rounds.push(r);
        }

        let author = Author {
            slug: "mallory".into(),
            name: "Mallory @everyone <@123456789012345678> **Meerkat**".into(),
            title: Some("[Fellow](https://evil.example)".into()),
            affiliation: None,
            bio: INLINE.into(),
            education: Vec::new(),
            expertise: Vec::new(),
            links: Vec::new(),
        };
        Library::from_parts(rounds, vec![author], Vec::new(), Some("hostile".into()))
    }

    /// What Discord shows for a snippet or headline that may hold only escaped characters and
    /// `**` bold marks; an error naming the first live Markdown, mention or list marker.
    fn shown(markdown: &str) -> Result<String, String> {
        const SPECIAL: &[char] = &[
            '\\', '*', '_', '~', '`', '|', '>', '<', '#', '[', ']', '@', '-', '+',
        ];
        if markdown.starts_with(['-', '+', '>', '#', '*']) && !markdown.starts_with("**") {
            return Err(format!("a line that Markdown reads: {markdown:?}"));
        }
        let mut out = String::new();
        let mut chars = markdown.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(next) if SPECIAL.contains(&next) => out.push(next),
                    // A cut right after a backslash: it shows as written, harmlessly.
                    Some('…') if chars.peek().is_none() => out.push('…'),
                    other => return Err(format!("a stray backslash before {other:?}")),
                },
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                }
                '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' | '@' => {
                    return Err(format!("an unescaped {c:?} in {markdown:?}"));
                }
                _ => out.push(c),
            }
        }
        Ok(out)
    }

    /// The JSON sent to Discord allows no mention: no kind to parse from the text, no user and
    /// no role named.
    fn assert_pings_no_one(json: &Value) {
        let allowed = &json["data"]["allowed_mentions"];
        assert_eq!(allowed["parse"], serde_json::json!([]), "{allowed}");
        for list in ["users", "roles"] {
            assert!(
                allowed[list].as_array().is_none_or(Vec::is_empty),
                "{list}: {allowed}"
            );
        }
        assert_ne!(allowed["replied_user"], true, "{allowed}");
    }

    /// Whitespace collapsed, as snippets show text.
    fn one_line(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Every text of a round a snippet may come from.
    fn texts(library: &Library, round: &Round) -> Vec<String> {
        let mut texts: Vec<&str> = round.key_points.iter().map(String::as_str).collect();
        texts.push(&round.summary);
        texts.extend(round.status.as_deref());
        let stances: Vec<String> = round
            .positions
            .iter()
            .map(|p| format!("{}: {}", p.party, p.stance))
            .collect();
        // A party's line is shown as "Party: stance".
        texts.extend(stances.iter().map(String::as_str));
        for p in &round.positions {
            texts.push(&p.party);
            texts.push(&p.stance);
            texts.extend(p.details.as_deref());
            texts.extend(p.representatives.iter().map(String::as_str));
        }
        texts.extend(round.location.as_deref());
        texts.extend(library.author(&round.author).map(|a| a.name.as_str()));
        texts.push(&round.body);
        texts.into_iter().map(one_line).collect()
    }

    /// Shown text without the "…" a cut adds at either end.
    fn inner(shown: &str) -> &str {
        shown.trim_start_matches('…').trim_end_matches('…')
    }

    /// Checks one results page: within Discord's limits, pinging no one, and every result's
    /// headline and snippet showing the brief's own text with nothing live in it. Returns the
    /// snippets as Discord shows them.
    fn check_page(library: &Library, json: &Value) -> Vec<String> {
        assert_within_discord_limits(json);
        assert_pings_no_one(json);
        let description = embed(json)["description"].as_str().unwrap_or_default();
        for line in description.lines() {
            shown(line.trim_start_matches("In `hostile` only."))
                .unwrap_or_else(|e| panic!("the notes: {e}"));
        }
        let mut snippets = Vec::new();
        for field in embed(json)["fields"].as_array().into_iter().flatten() {
            let name = field["name"].as_str().unwrap_or_default();
            let number: u32 = name
                .split(" · ")
                .next()
                .and_then(|n| n.split("Round ").nth(1))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a round number in {name:?}"));
            let round = library
                .track("hostile")
                .and_then(|t| t.round(number))
                .expect("the round");
            let value = field["value"].as_str().unwrap_or_default();
            let (headline, snippet) = value.split_once('\n').unwrap_or((value, ""));
            let headline = shown(headline).unwrap_or_else(|e| panic!("round {number}: {e}"));
            assert!(
                one_line(&round.title).starts_with(inner(&headline)),
                "round {number}: the headline {headline:?} is not the title as written"
            );
            assert!(
                !snippet.contains('\n'),
                "a snippet is one line: {snippet:?}"
            );
            if snippet.is_empty() {
                continue;
            }
            let snippet = shown(snippet).unwrap_or_else(|e| panic!("round {number}: {e}"));
            assert!(
                texts(library, round)
                    .iter()
                    .any(|t| t.contains(inner(&snippet))),
                "round {number}: the snippet {snippet:?} is not the brief's text as written"
            );
            snippets.push(snippet);
        }
        snippets
    }

    /// Every page of the results for `query`, each reached by the ▶ button of the one before
    /// with the title Discord sends back; each checked.
    fn every_page(library: &Library, query: &str) -> Vec<Value> {
        let mut pages = vec![json(&search(library, query, None))];
        loop {
            let last = pages.last().expect("a page");
            if is_ephemeral(last) {
                return pages;
            }
            check_page(library, last);
            let more = buttons(last).into_iter().find(|(l, _, _)| l == "More ▶");
            match more {
                Some((_, id, false)) => {
                    let next = json(&press(library, &id, title(last)));
                    pages.push(next);
                }
                _ => return pages,
            }
            assert!(pages.len() <= 10, "pages without end");
        }
    }

    /// Every snippet of the results for `query`, as Discord shows them.
    fn snippets(library: &Library, query: &str) -> Vec<String> {
        every_page(library, query)
            .iter()
            .filter(|p| !is_ephemeral(p))
            .flat_map(|p| check_page(library, p))
            .collect()
    }

    #[test]
    fn the_check_catches_live_markdown_and_mentions() {
        for live in [
            "@everyone",
            "<@123456789012345678>",
            "\\<@&1234>",
            "[link](https://evil.example)",
            "||spoiler||",
            "__underline__",
            "`code`",
            "- list",
            "> quote",
            "# heading",
            "a \\ b",
        ] {
            assert!(shown(live).is_err(), "{live:?} is live");
        }
        assert_eq!(
            shown("\\@everyone \\<\\@1\\> **word** \\[a\\](b) \\- x…").as_deref(),
            Ok("@everyone <@1> word [a](b) - x…")
        );
    }

    #[test]
    fn mentions_and_markdown_show_as_written_in_snippets() {
        let library = library();
        for word in [
            "quokka", "walrus", "ocelot", "tapir", "gecko", "impala", "bonobo", "meerkat",
        ] {
            let shown = snippets(&library, word);
            assert!(!shown.is_empty(), "{word} is found");
        }
        // What Discord receives for the result, to read.
        let walrus = json(&search(&library, "walrus", None));
        insta::assert_snapshot!(
            embed(&walrus)["fields"][0]["value"]
                .as_str()
                .unwrap_or_default()
        );
        // The mentions and links are there, as text: shown, escaped, not live.
        let shown = snippets(&library, "walrus").join("\n");
        for piece in [
            "@everyone @here <@123456789012345678>",
            "<@&1234> <#1234>",
            "[link](https://evil.example)",
            "||spoiler||",
            "**bold** __underline__",
        ] {
            assert!(shown.contains(piece), "{piece:?} in {shown:?}");
        }
    }

    #[test]
    fn the_words_of_mentions_and_links_are_found_and_stay_escaped() {
        let library = library();
        for query in [
            "everyone",
            "here",
            "123456789012345678",
            "1234",
            "spoiler",
            "link",
            "evil example",
            "https",
            "bold underline",
            "code fence",
            "strike",
            "@everyone",
            "<@123456789012345678>",
            "[link](https://evil.example)",
            "||spoiler||",
        ] {
            let pages = every_page(&library, query);
            assert!(!is_ephemeral(&pages[0]), "{query:?} finds rounds");
            assert!(pages.len() > 1, "{query:?}: results in pages");
        }
    }

    #[test]
    fn markdown_at_the_start_of_a_line_does_not_act_in_snippets() {
        let library = library();
        // The snippet starts where the field does, marker and all, shown as written: the
        // marker cannot start a quote, heading or list (the checker reads it as Discord would).
        for (line, word) in LINES.iter().zip(LINE_WORDS) {
            let shown = snippets(&library, word);
            assert_eq!(shown.len(), 1, "{word}");
            assert!(
                shown[0].starts_with(&format!("{line} {word} @everyone")),
                "{line:?}: {:?}",
                shown[0]
            );
        }
        // A word found past what snippets read: the snippet is the summary, whose list
        // marker must not start a list.
        let shown = snippets(&library, "lemming");
        assert_eq!(shown, ["- list in the summary"]);
    }

    #[test]
    fn huge_fields_with_spaces_give_short_snippets_wherever_the_word_is() {
        let library = library();
        // At the start, and 8,000 characters in: the snippet shows the word.
        for word in ["pangolin", "narwhal"] {
            let shown = snippets(&library, word);
            assert_eq!(shown.len(), 1, "{word}");
            assert!(shown[0].contains(word), "{word}: {:?}", shown[0]);
            assert!(shown[0].chars().count() < 300, "{word}: {:?}", shown[0]);
        }
        // 50,000 characters in, and just past what a snippet reads: the round is found,
        // and its snippet is the start of its summary.
        for word in ["axolotl", "capybara", "tarsier"] {
            let pages = every_page(&library, word);
            assert_eq!(footer(&pages[0]), "1 round matches · page 1 of 1", "{word}");
            let shown = snippets(&library, word);
            assert!(!shown[0].contains(word), "{word}: {:?}", shown[0]);
            assert!(shown[0].chars().count() < 300, "{word}: {:?}", shown[0]);
        }
    }

    #[test]
    fn huge_fields_without_spaces_give_short_snippets_wherever_the_word_is() {
        let library = library();
        for word in ["okapi", "kinkajou", "wombat", "dugong"] {
            let pages = every_page(&library, word);
            assert_eq!(footer(&pages[0]), "1 round matches · page 1 of 1", "{word}");
            let shown = snippets(&library, word);
            assert!(shown[0].chars().count() < 300, "{word}: {:?}", shown[0]);
        }
        for word in ["okapi", "kinkajou"] {
            let shown = snippets(&library, word);
            assert!(shown[0].contains(word), "{word}: {:?}", shown[0]);
        }
    }

    #[test]
    fn a_title_of_markdown_and_a_word_on_every_line_stay_within_a_field() {
        let library = library();
        for query in ["tarsier", "zz"] {
            let pages = every_page(&library, query);
            let value = embed(&pages[0])["fields"][0]["value"]
                .as_str()
                .unwrap_or_default();
            assert!(value.chars().count() <= 1024, "{query}");
            check_page(&library, &pages[0]);
        }
    }

    #[test]
    fn every_button_of_the_results_works_with_the_title_discord_sends_back() {
        let library = library();
        for page in every_page(&library, "quokka") {
            for (_, id, _) in buttons(&page) {
                let pressed = json(&press(&library, &id, title(&page)));
                if id.starts_with("search:") {
                    check_page(&library, &pressed);
                } else {
                    assert!(is_ephemeral(&pressed), "{id} opens a private card");
                    assert_eq!(pressed["type"], 4, "{id}");
                }
            }
        }
    }

    #[test]
    fn a_query_full_of_mentions_and_markdown_is_quoted_back_escaped() {
        let library = library();
        let json = json(&search(
            &library,
            "@everyone <@123456789012345678> [x](https://evil.example) ||qqqqzzzzxxxx||",
            None,
        ));
        check_page(&library, &json);
        // A query that finds nothing is quoted in the notice, escaped.
        let nothing = super::json(&search(
            &library,
            "@qqqqzzzz <@&99999999> **qqqqzzzzxxxx** [yyyyxxxxwwww](ftp://wwwwqqqq.invalid)",
            Some("hostile"),
        ));
        assert!(is_ephemeral(&nothing), "{nothing:#}");
        let notice = content(&nothing);
        assert!(
            notice.starts_with("No briefing in hostile mentions “"),
            "{notice}"
        );
        for live in ["@", "<", "**", "[", "]("] {
            assert!(!has_live(notice, live), "{live:?} in {notice:?}");
        }
    }

    /// Whether `pattern` stands in `text` with no backslash before it.
    fn has_live(text: &str, pattern: &str) -> bool {
        text.match_indices(pattern)
            .any(|(at, _)| !text[..at].ends_with('\\'))
    }

    #[test]
    fn brief_me_on_hostile_text_fits_and_pings_no_one() {
        let library = library();
        for text in [
            format!("quokka walrus {INLINE}"),
            long_with(SPACED, " quokka pangolin ", 50_000),
            long_with(SPACELESS, "okapi", 10),
            repeated("@everyone ", 100_000),
            LINES.join("\n"),
        ] {
            let json = json(&brief_me(&library, &text));
            assert!(is_ephemeral(&json));
            assert_pings_no_one(&json);
            for (_, id, _) in buttons(&json) {
                assert_pings_no_one(&super::json(&press(&library, &id, title(&json))));
            }
        }
    }

    /// The same kind of brief, written as files and loaded as the bot loads its folder.
    #[test]
    fn a_hostile_brief_file_loads_and_its_snippets_stay_escaped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let briefs = dir.path();
        std::fs::create_dir_all(briefs.join("authors")).expect("mkdir");
        std::fs::create_dir_all(briefs.join("hostile")).expect("mkdir");
        std::fs::write(
            briefs.join("authors/mallory.toml"),
            "name = '''Mallory @everyone <@123456789012345678>'''\nbio = '''[bio](https://evil.example)'''\n",
        )
        .expect("author");
        let brief = format!(
            "+++\ntrack = \"hostile\"\nround = 1\ntitle = '''**Quokka** @everyone <@&1234> ||x||'''\n\
             date = 2026-01-06\nlocation = \"Geneva\"\nauthor = \"mallory\"\n\
             summary = '''quokka {INLINE}'''\nkey_points = ['''> walrus {INLINE}''', '''- ocelot {INLINE}''']\n\
             status = '''# tapir {INLINE}'''\n\n[[positions]]\nparty = '''<@&1234>'''\n\
             stance = '''gecko {INLINE}'''\nrepresentatives = ['''[Envoy Impala](https://evil.example)''']\n+++\n\n\
             {}\n\n{}\n",
            long_with(SPACED, " bonobo ", 5_000),
            long_with(SPACED, " capybara ", 40_000),
        );
        std::fs::write(briefs.join("hostile/01-geneva.md"), brief).expect("brief");
        let library = load(briefs, "hostile");
        for word in [
            "quokka", "walrus", "ocelot", "tapir", "gecko", "impala", "bonobo", "capybara",
            "mallory", "everyone",
        ] {
            let shown = snippets(&library, word);
            assert_eq!(shown.len(), 1, "{word}");
        }
    }
}
