//! Property tests: whatever the briefs contain (any Unicode, right-to-left text, combining
//! marks, emoji and ZWJ sequences, fields up to 100,000 characters, up to 100 positions and key
//! points), every reply keeps within Discord's limits and schema, and pings nobody. The same
//! for `/search` and "Brief me" with whatever is typed or pasted, every button of their
//! replies pressed with the title Discord sends back, and search pages that turn both ways.

use crate::common::assert_within_discord_limits;
use briefbot::commands::{self, Command, Request};
use briefbot::library::{Author, Correction, Date, Library, Party, Position, Role, Round, Source};
use proptest::prelude::*;
use std::path::PathBuf;

/// Pieces of text that are hard to cut and count, repeated up to `max` characters.
fn text(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<String>(),
        "\\PC{1,30}",
        Just("مرحبا \u{202b}بالعالم\u{202c} ".to_string()),
        Just("e\u{301}\u{302}\u{303}".to_string()),
        Just("👩\u{200d}👩\u{200d}👧\u{200d}👦🇸🇾🏳\u{fe0f}\u{200d}🌈".to_string()),
        Just("@everyone @here <@123456789012345678> ".to_string()),
        Just("word ".to_string()),
    ];
    (pieces, 0..=max).prop_map(|(piece, len)| {
        if piece.is_empty() {
            return piece;
        }
        piece.chars().cycle().take(len).collect()
    })
}

fn position() -> impl Strategy<Value = Position> {
    (
        text(120),
        text(3000),
        proptest::option::of(text(3000)),
        prop::collection::vec(text(300), 0..4),
        0..3u8,
    )
        .prop_map(|(party, stance, details, representatives, role)| Position {
            party,
            role: [Role::Party, Role::Mediator, Role::Observer][usize::from(role)],
            stance,
            details,
            representatives,
        })
}

/// Corrections made on January days from the round's own (the 6th) on, oldest first, as the
/// loader keeps them; their notes as long and strange as any other text.
fn sorted_corrections(drawn: Vec<(u8, String)>) -> Vec<Correction> {
    let mut corrections: Vec<Correction> = drawn
        .into_iter()
        .map(|(day, note)| Correction {
            date: Date {
                year: 2026,
                month: 1,
                day,
            },
            note,
        })
        .collect();
    corrections.sort_by_key(|c| c.date);
    corrections
}

fn round(track: String) -> impl Strategy<Value = Round> {
    sized_round(track, 100_000, 100)
}

/// A round whose longest texts have up to `long` characters and whose lists up to `many`
/// entries.
fn sized_round(track: String, long: usize, many: usize) -> impl Strategy<Value = Round> {
    (
        (
            1..60u32,
            text(long),
            text(long),
            proptest::option::of(text(500)),
            text(100),
        ),
        (
            prop::collection::vec(text(2000), 0..many),
            proptest::option::of(text(5000)),
            prop::collection::vec((text(400), proptest::option::of(text(100))), 0..8),
            prop::collection::vec(position(), 0..many),
            text(long),
            prop::collection::vec((6..=28u8, text(2000)), 0..4),
        ),
    )
        .prop_map(
            move |(
                (number, title, summary, location, author),
                (key_points, status, sources, positions, body, corrections),
            )| Round {
                track: track.clone(),
                number,
                title,
                date: Date {
                    year: 2026,
                    month: 1,
                    day: 6,
                },
                location,
                author,
                summary,
                key_points,
                status,
                sources: sources
                    .into_iter()
                    .map(|(title, publisher)| Source {
                        title,
                        publisher,
                        url: Some("https://example.org/a".into()),
                    })
                    .collect(),
                positions,
                corrections: sorted_corrections(corrections),
                body,
                path: PathBuf::from("x.md"),
            },
        )
}

fn library() -> impl Strategy<Value = Library> {
    library_of(|track| round(track).boxed(), 1..4, false)
}

/// Six to ten rounds a track, numbered apart, every one with the words "ceasefire talks"
/// among whatever else it holds, so that a search finds many rounds and its results come in
/// pages.
fn crowded_library() -> impl Strategy<Value = Library> {
    library_of(
        |track| {
            sized_round(track, 5_000, 10)
                .prop_map(|mut round| {
                    round.key_points.insert(0, "Ceasefire talks".to_string());
                    round
                })
                .boxed()
        },
        6..11,
        true,
    )
}

/// A library of one or two tracks of rounds made by `round`, `rounds` a track, with authors
/// and parties; with `renumber`, the rounds are numbered 1, 2, 3… so that none is dropped as
/// a second round of the same number.
fn library_of(
    round: impl Fn(String) -> BoxedStrategy<Round> + Clone,
    rounds: std::ops::Range<usize>,
    renumber: bool,
) -> impl Strategy<Value = Library> {
    let tracks = prop::collection::vec("[a-z]{1,12}(-[a-z]{1,12})?", 1..3);
    let authors = prop::collection::vec(
        (
            text(300),
            text(100_000),
            prop::collection::vec(text(300), 0..30),
        ),
        0..3,
    );
    let parties = prop::collection::vec(
        (
            text(120),
            prop::collection::vec(text(120), 0..4),
            proptest::option::of(text(40)),
        ),
        0..5,
    );
    (tracks, authors, parties)
        .prop_flat_map(move |(tracks, authors, parties)| {
            let rounds: Vec<_> = tracks
                .iter()
                .map(|t| prop::collection::vec(round(t.clone()), rounds.clone()))
                .collect();
            (rounds, Just(authors), Just(parties))
        })
        .prop_map(move |(rounds, authors, parties)| {
            let mut rounds: Vec<Round> = rounds.into_iter().flatten().collect();
            if renumber {
                for (number, round) in (1..).zip(rounds.iter_mut()) {
                    round.number = number;
                }
            }
            let authors: Vec<Author> = authors
                .into_iter()
                .enumerate()
                .map(|(i, (name, bio, expertise))| Author {
                    slug: format!("author-{i}"),
                    name,
                    title: Some("Fellow".into()),
                    affiliation: None,
                    bio,
                    education: Vec::new(),
                    expertise,
                    links: Vec::new(),
                })
                .collect();
            // Most rounds name a real author, so the author views are exercised too.
            for (i, round) in rounds.iter_mut().enumerate() {
                if let Some(author) = authors.get(i % (authors.len() + 1)) {
                    round.author = author.slug.clone();
                }
            }
            let parties = parties
                .into_iter()
                .map(|(name, aliases, emoji)| Party {
                    name,
                    aliases,
                    emoji,
                })
                .collect();
            Library::from_parts(rounds, authors, parties, None)
        })
}

/// Every command, every button of every reply (one level deep), and every autocomplete.
fn every_request(library: &Library, typed: &str) -> Vec<Request> {
    let mut lines = vec![
        "/latest".to_string(),
        "/positions".into(),
        "/author".into(),
        "/rounds".into(),
        "/about".into(),
    ];
    for track in library.tracks() {
        lines.push(format!("/latest track:{}", track.id));
        lines.push(format!("/rounds track:{}", track.id));
        for round in &track.rounds {
            lines.push(format!("/round number:{} track:{}", round.number, track.id));
            lines.push(format!(
                "/positions round:{} track:{}",
                round.number, track.id
            ));
            for position in round.positions.iter().take(3) {
                lines.push(format!(
                    "/positions party:\"{}\" track:{}",
                    position.party.replace('"', ""),
                    track.id
                ));
            }
        }
    }
    let mut requests: Vec<Request> = lines
        .iter()
        .filter_map(|l| briefbot::cli::line::parse(l).ok())
        .collect();
    for option in [
        "/round number:",
        "/positions party:",
        "/positions round:",
        "/author name:",
        "/latest track:",
    ] {
        if let Ok(request) =
            briefbot::cli::line::parse_completion(&format!("{option}{}", typed.replace('"', "")))
        {
            requests.push(request);
        }
    }
    requests
}

fn custom_ids(json: &serde_json::Value) -> Vec<String> {
    json["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The JSON Discord receives for `request`, checked against its limits and schema.
fn fitted(library: &Library, request: &Request) -> serde_json::Value {
    let json = commands::respond(library, request).fit().to_json();
    assert_within_discord_limits(&json);
    json
}

/// A press of `custom_id` on a message whose first embed has the title `carried`, as Discord
/// sends it.
fn press(custom_id: &str, carried: Option<&str>) -> Request {
    Request::Press {
        custom_id: custom_id.to_string(),
        carried: carried.map(str::to_string),
    }
}

/// The title of a message's first embed: what Discord sends back with a press of its buttons.
fn carried(json: &serde_json::Value) -> Option<&str> {
    json["data"]["embeds"][0]["title"].as_str()
}

/// Every button of a message: its `custom_id` and whether it is disabled.
fn buttons(json: &serde_json::Value) -> Vec<(String, bool)> {
    json["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| Some((b["custom_id"].as_str()?.to_string(), b["disabled"] == true)))
        .collect()
}

/// What `/search` is tried with on `library`: what was typed, the words of its titles, party
/// names and people (so that searches find rounds, often several pages of them), mentions,
/// and queries blank or over the 200-character limit.
fn queries(library: &Library, typed: &str) -> Vec<String> {
    let mut queries = vec![
        typed.to_string(),
        String::new(),
        "ceasefire talks".into(),
        "word".into(),
        "@everyone <@123456789012345678> [x](https://evil.example)".into(),
        format!("{typed} {}", "y".repeat(200)),
    ];
    for track in library.tracks() {
        for round in track.rounds.iter().take(2) {
            let words = briefbot::library::search::words::words(&round.title);
            queries.push(words.iter().take(3).cloned().collect::<Vec<_>>().join(" "));
            queries.extend(round.positions.first().map(|p| p.party.clone()));
            queries.extend(
                round
                    .positions
                    .iter()
                    .flat_map(|p| p.representatives.first())
                    .next()
                    .cloned(),
            );
        }
    }
    queries
}

/// Texts "Brief me" is tried with: what was typed, a round's headline and summary as a
/// message quoting them would hold them, and mentions.
fn messages(library: &Library, typed: &str) -> Vec<String> {
    let mut messages = vec![
        typed.to_string(),
        String::new(),
        "What came of the ceasefire talks in round 2?".into(),
        "@everyone @here <@123456789012345678> word ".repeat(2_000),
    ];
    for track in library.tracks() {
        for round in track.rounds.iter().take(2) {
            let summary: String = round.summary.chars().take(1_500).collect();
            messages.push(format!("{} {summary}", round.title));
        }
    }
    messages
}

/// Checks a reply of the search views and presses every button on it with the title
/// Discord would send back; a page that can be turned forward is turned, and turned back
/// with the ◀ of the page it turned to, which must give back the page it started from.
fn check_and_press_every_button(library: &Library, json: &serde_json::Value) {
    let title = carried(json);
    for (id, disabled) in buttons(json) {
        let pressed = fitted(library, &press(&id, title));
        if id.starts_with("search:") && !disabled && pressed["type"] == 7 {
            let back = buttons(&pressed)
                .into_iter()
                .find(|(id, _)| id.starts_with("search:"))
                .map(|(id, _)| id)
                .expect("a turned page has its page buttons");
            let returned = fitted(library, &press(&back, carried(&pressed)));
            assert_eq!(returned["type"], 7, "{back}");
            assert_eq!(
                returned["data"]["embeds"], json["data"]["embeds"],
                "{id} then {back} gives back the first page"
            );
            assert_eq!(
                returned["data"]["components"], json["data"]["components"],
                "{id} then {back} gives back the first page's buttons"
            );
        }
    }
}

/// `/search` for every query in every track (and one that does not exist), "Brief me" on
/// every message, every button of every reply, and page buttons pressed with no title, with
/// another message's title and with the title of a search for what was typed.
fn check_search_views(library: &Library, typed: &str) {
    let mut tracks: Vec<Option<String>> = vec![None, Some("nowhere".into())];
    tracks.extend(library.tracks().iter().map(|t| Some(t.id.clone())));
    for query in queries(library, typed) {
        for track in &tracks {
            let request = Request::Command(Command::Search {
                query: query.clone(),
                track: track.clone(),
            });
            let json = fitted(library, &request);
            // The buttons of a search in one track are those of a search in all, fewer.
            if track.is_none() || library.tracks().len() == 1 {
                check_and_press_every_button(library, &json);
            }
        }
    }
    for text in messages(library, typed) {
        let json = fitted(library, &Request::Command(Command::BriefMe { text }));
        assert_eq!(json["data"]["flags"], 64, "Brief me answers privately");
        check_and_press_every_button(library, &json);
    }
    let titles = [
        None,
        Some("Paris round ends".to_string()),
        Some(format!("🔎 {typed}")),
        Some(format!("🔎 {}", "z".repeat(300))),
    ];
    for track in &tracks {
        for page in [1, 2, 3, 1000] {
            let id = format!("search:{}:{page}", track.as_deref().unwrap_or(""));
            for title in &titles {
                fitted(library, &press(&id, title.as_deref()));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_reply_fits_discord_whatever_the_briefs_hold(library in library(), typed in text(40)) {
        for request in every_request(&library, &typed) {
            let json = commands::respond(&library, &request).fit().to_json();
            assert_within_discord_limits(&json);
            for id in custom_ids(&json) {
                let pressed = commands::respond(&library, &Request::press(id)).fit().to_json();
                assert_within_discord_limits(&pressed);
            }
        }
    }
}

proptest! {
    // Each case runs some fifty searches and presses some hundred buttons on briefs of up to
    // 100,000 characters a field: fewer cases than above, for the same time.
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 32, ..ProptestConfig::default() })]

    #[test]
    fn search_and_brief_me_fit_discord_whatever_the_briefs_hold(
        library in library(),
        typed in text(300),
    ) {
        check_search_views(&library, &typed);
    }

    #[test]
    fn search_pages_turn_both_ways_whatever_the_briefs_hold(
        library in crowded_library(),
        typed in text(60),
    ) {
        check_search_views(&library, &typed);
        // Every round has the words: the results of every track take pages, and the first
        // page turns to the second and back.
        let json = fitted(&library, &Request::Command(Command::Search {
            query: "ceasefire talks".into(),
            track: None,
        }));
        let more = buttons(&json).into_iter().find(|(id, _)| id == "search::2");
        prop_assert_eq!(more, Some(("search::2".to_string(), false)));
    }
}
