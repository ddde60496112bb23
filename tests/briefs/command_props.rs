//! Property tests: whatever the briefs contain (any Unicode, right-to-left text, combining
//! marks, emoji and ZWJ sequences, fields up to 100,000 characters, up to 100 positions and key
//! points), every reply keeps within Discord's limits and schema, and pings nobody.

use crate::common::assert_within_discord_limits;
use briefbot::commands::{self, Request};
use briefbot::library::{Author, Date, Library, Party, Position, Role, Round, Source};
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

fn round(track: String) -> impl Strategy<Value = Round> {
    (
        (
            1..60u32,
            text(100_000),
            text(100_000),
            proptest::option::of(text(500)),
            text(100),
        ),
        (
            prop::collection::vec(text(2000), 0..100),
            proptest::option::of(text(5000)),
            prop::collection::vec((text(400), proptest::option::of(text(100))), 0..8),
            prop::collection::vec(position(), 0..100),
            text(100_000),
        ),
    )
        .prop_map(
            move |(
                (number, title, summary, location, author),
                (key_points, status, sources, positions, body),
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
                body,
                path: PathBuf::from("x.md"),
            },
        )
}

fn library() -> impl Strategy<Value = Library> {
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
        .prop_flat_map(|(tracks, authors, parties)| {
            let rounds: Vec<_> = tracks
                .iter()
                .map(|t| prop::collection::vec(round(t.clone()), 1..4))
                .collect();
            (rounds, Just(authors), Just(parties))
        })
        .prop_map(|(rounds, authors, parties)| {
            let mut rounds: Vec<Round> = rounds.into_iter().flatten().collect();
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
