//! The command core on real briefs: every command's reply as Discord receives it (snapshots),
//! checked against Discord's limits and published schema, plus the behaviours users rely on.

use crate::common::{assert_within_discord_limits, corrected, fixtures, shipped};
use briefbot::cli::line;
use briefbot::commands::{self, Request};
use briefbot::library::Library;
use briefbot::reply::Reply;
use serde_json::Value;

fn ask(library: &Library, line: &str) -> Reply {
    let request = line::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    commands::respond(library, &request)
}

fn press(library: &Library, custom_id: &str) -> Reply {
    commands::respond(library, &Request::press(custom_id))
}

fn complete(library: &Library, line: &str) -> Reply {
    let request = line::parse_completion(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    commands::respond(library, &request)
}

/// The JSON Discord would receive, after checking it keeps to every limit and the schema.
fn json(reply: &Reply) -> Value {
    let json = reply.fit().to_json();
    assert_within_discord_limits(&json);
    json
}

fn content(reply: &Reply) -> String {
    json(reply)["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn is_ephemeral(reply: &Reply) -> bool {
    json(reply)["data"]["flags"] == 64
}

macro_rules! snapshots {
    ($library:expr, $( $name:ident: $reply:expr ),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let library = $library;
                let reply = $reply(&library);
                insta::assert_json_snapshot!(json(&reply));
            }
        )*
    };
}

mod shipped_briefs {
    use super::*;

    snapshots!(shipped(),
        latest: |l: &Library| ask(l, "/latest"),
        round_5: |l: &Library| ask(l, "/round 5"),
        round_9_is_missing: |l: &Library| ask(l, "/round 9"),
        positions: |l: &Library| ask(l, "/positions"),
        positions_of_syria_by_alias: |l: &Library| ask(l, "/positions party:damascus"),
        positions_of_a_misspelt_party: |l: &Library| ask(l, "/positions party:Isreal"),
        author: |l: &Library| ask(l, "/author"),
        author_by_name: |l: &Library| ask(l, "/author name:Omar"),
        rounds: |l: &Library| ask(l, "/rounds"),
        about: |l: &Library| ask(l, "/about"),
        press_positions: |l: &Library| press(l, "round:syria-israel:5:positions"),
        press_author: |l: &Library| press(l, "round:syria-israel:5:author"),
        press_more: |l: &Library| press(l, "round:syria-israel:5:more:1"),
        press_card: |l: &Library| press(l, "round:syria-israel:5:card"),
        complete_round_number: |l: &Library| complete(l, "/round number:"),
        complete_party: |l: &Library| complete(l, "/positions party:sy"),
        complete_author: |l: &Library| complete(l, "/author name:om"),
    );
}

mod fixture_briefs {
    use super::*;

    snapshots!(fixtures(),
        latest_of_the_default_track: |l: &Library| ask(l, "/latest"),
        latest_of_another_track: |l: &Library| ask(l, "/latest track:harbour"),
        round_2: |l: &Library| ask(l, "/round 2"),
        positions_timeline: |l: &Library| ask(l, "/positions party:north"),
        positions_in_round_4: |l: &Library| ask(l, "/positions round:4"),
        rounds: |l: &Library| ask(l, "/rounds track:river-talks"),
        about: |l: &Library| ask(l, "/about"),
        press_next_skips_a_missing_number: |l: &Library| press(l, "round:river-talks:2:next"),
        press_more_page: |l: &Library| press(l, "round:river-talks:2:more:1"),
        complete_round_by_place: |l: &Library| complete(l, "/round number:vie"),
        complete_track: |l: &Library| complete(l, "/latest track:h"),
    );
}

mod corrected_briefs {
    use super::*;

    snapshots!(corrected(),
        round_with_corrections: |l: &Library| ask(l, "/round 1"),
    );
}

#[test]
fn a_corrected_round_shows_its_latest_correction_wherever_its_card_appears() {
    let library = corrected();
    let line = "**Corrected 9 February 2026:** The memo was released by the State Department, \
                not the White House. (2 earlier corrections)";
    for reply in [
        ask(&library, "/latest"),
        ask(&library, "/round 1"),
        press(&library, "round:river-talks:1:card"),
    ] {
        let json = json(&reply);
        let description = json["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(description.lines().nth(1), Some(line), "{description}");
    }
}

#[test]
fn missing_round_lists_available_rounds() {
    let reply = ask(&shipped(), "/round 9");
    assert!(is_ephemeral(&reply));
    assert_eq!(
        content(&reply),
        "There is no round 9 in Syria–Israel talks. The rounds there are:\n• Round 5 · 6 January 2026 · Paris"
    );
}

#[test]
fn unknown_party_gets_the_closest_name() {
    let reply = ask(&shipped(), "/positions party:Isreal");
    assert!(is_ephemeral(&reply));
    assert!(
        content(&reply).starts_with("I know no party called “Isreal”. Did you mean Israel?"),
        "{}",
        content(&reply)
    );
}

#[test]
fn unknown_author_gets_the_closest_name() {
    let reply = ask(&shipped(), "/author name:Omar Safdi");
    assert!(is_ephemeral(&reply));
    assert!(
        content(&reply).contains("Did you mean Omar Safadi?"),
        "{}",
        content(&reply)
    );
}

#[test]
fn an_alias_finds_the_party() {
    let reply = ask(&shipped(), "/positions party:damascus");
    let json = json(&reply);
    assert_eq!(json["type"], 4);
    assert_eq!(
        json["data"]["embeds"][0]["title"],
        "🇸🇾 Syria, round by round"
    );
}

#[test]
fn with_one_track_no_command_needs_the_track_option() {
    let library = shipped();
    for line in [
        "/latest",
        "/round 5",
        "/positions",
        "/positions party:Syria",
        "/author",
        "/rounds",
        "/about",
    ] {
        let reply = ask(&library, line);
        assert!(
            !is_ephemeral(&reply),
            "{line} answered with a notice: {}",
            content(&reply)
        );
    }
}

#[test]
fn the_card_has_title_line_summary_points_parties_author_and_sources() {
    let reply = ask(&shipped(), "/latest");
    let embed = json(&reply)["data"]["embeds"][0].clone();
    assert_eq!(
        embed["title"],
        "Paris round ends with a proposal for a joint, demilitarized economic zone"
    );
    let description = embed["description"].as_str().unwrap_or_default();
    assert!(description.starts_with("**Round 5 · 6 January 2026 · Paris**\n\nThe fifth round"));
    let names: Vec<&str> = embed["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    // The key points follow the summary in the description, all five, rather than in a field
    // and a "continued" one.
    assert_eq!(names, ["Status", "Where the parties stand", "Sources"]);
    assert!(
        description.contains(".\n\n**Key points**\n• The round proposed"),
        "{description}"
    );
    assert_eq!(description.matches("\n• ").count(), 5, "{description}");
    assert!(
        description.ends_with("has issued no statement on the outcome."),
        "{description}"
    );
    assert_eq!(
        embed["footer"]["text"],
        "Brief by Omar Safadi, Affiliate Fellow and Senior Editor, Tukhum Institute"
    );
}

#[test]
fn navigation_buttons_are_disabled_at_the_ends() {
    let first = json(&ask(&fixtures(), "/round 1"));
    let buttons = first["data"]["components"][0]["components"].clone();
    assert_eq!(buttons[0]["label"], "◀ Previous");
    assert_eq!(buttons[0]["disabled"], true);
    assert_eq!(buttons[1]["label"], "Round 2 ▶");
    assert_eq!(buttons[1]["disabled"], false);
    let last = json(&ask(&fixtures(), "/round 4"));
    assert_eq!(
        last["data"]["components"][0]["components"][1]["disabled"],
        true
    );
}

#[test]
fn a_navigation_press_updates_the_message() {
    let reply = press(&fixtures(), "round:river-talks:2:prev");
    let json = json(&reply);
    assert_eq!(json["type"], 7);
    assert_eq!(json["data"]["embeds"][0]["title"], "Round one opens");
}

#[test]
fn a_button_pressed_after_its_round_was_removed_gets_a_polite_notice() {
    // The library is reloaded from a copy of the fixtures without round 4.
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::copy_tree(
        &crate::common::repo("tests/fixtures/briefs-valid"),
        dir.path(),
    );
    std::fs::remove_file(dir.path().join("river-talks/04-oslo.md")).expect("remove round 4");
    let reloaded = crate::common::load(dir.path(), "river-talks");

    let card = json(&ask(&fixtures(), "/round 4"));
    let positions_id = card["data"]["components"][0]["components"][2]["custom_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(positions_id, "round:river-talks:4:positions");
    let reply = press(&reloaded, &positions_id);
    assert!(is_ephemeral(&reply));
    assert!(
        content(&reply).starts_with("There is no round 4 in river-talks. The rounds there are:")
    );
}

#[test]
fn a_damaged_button_id_gets_a_polite_notice() {
    let reply = press(&shipped(), "round:syria-israel:five:card");
    assert!(is_ephemeral(&reply));
    assert!(content(&reply).contains("no longer works"));
}

#[test]
fn autocomplete_offers_rounds_as_integers() {
    let json = json(&complete(&shipped(), "/round number:5"));
    assert_eq!(
        json,
        serde_json::json!({"type": 8, "data": {"choices": [{"name": "Round 5 — Paris, 6 January 2026", "value": 5}]}})
    );
}

fn choice_names(reply: &Reply) -> Vec<String> {
    let json = json(reply);
    json["data"]["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn autocomplete_ranks_party_prefixes_before_substrings_before_aliases() {
    let library = shipped();
    assert_eq!(
        choice_names(&complete(&library, "/positions party:s")),
        ["Syria", "United States", "Israel"]
    );
    assert_eq!(
        choice_names(&complete(&library, "/positions party:dam")),
        ["Syria (Damascus)"]
    );
}

#[test]
fn the_schema_check_catches_an_overlong_title() {
    let mut json = ask(&shipped(), "/latest").fit().to_json();
    json["data"]["embeds"][0]["title"] = Value::String("x".repeat(300));
    let caught = std::panic::catch_unwind(|| crate::common::assert_matches_schema(&json));
    assert!(
        caught.is_err(),
        "a 300-character title must fail Discord's schema"
    );
}

#[test]
fn a_party_and_a_round_show_that_party_in_that_round() {
    let json = json(&ask(&shipped(), "/positions party:Syria round:5"));
    let embed = &json["data"]["embeds"][0];
    assert_eq!(embed["title"], "🇸🇾 Syria in round 5 (party)");
    assert_eq!(embed["fields"][0]["name"], "Stance");
}

#[test]
fn previous_and_next_still_work_after_the_shown_round_was_removed() {
    // Round 3 is not in river-talks; its neighbours are 2 and 4.
    let reply = press(&fixtures_without_default(), "round:river-talks:3:prev");
    assert_eq!(
        json(&reply)["data"]["embeds"][0]["title"],
        "Round two agrees a gauge"
    );
    let reply = press(&fixtures_without_default(), "round:river-talks:3:next");
    assert_eq!(
        json(&reply)["data"]["embeds"][0]["title"],
        "Round four, after a pause"
    );
}

fn fixtures_without_default() -> Library {
    crate::common::load(
        &crate::common::repo("tests/fixtures/briefs-valid"),
        "harbour",
    )
}

#[test]
fn a_failed_autocomplete_answers_with_no_choices() {
    let json = commands::no_choices().fit().to_json();
    assert_eq!(
        json,
        serde_json::json!({"type": 8, "data": {"choices": []}})
    );
    assert_within_discord_limits(&json);
}

#[test]
fn a_card_keeps_the_parties_and_sources_when_the_text_is_long() {
    use briefbot::library::{Date, Position, Role, Round, Source};
    let round = Round {
        track: "long".into(),
        number: 1,
        title: "A very long round".into(),
        date: Date {
            year: 2026,
            month: 1,
            day: 6,
        },
        location: Some("Geneva".into()),
        author: "nobody".into(),
        summary: "word ".repeat(819).trim().to_string(),
        key_points: (0..100)
            .map(|i| format!("Point {i}: {}", "detail ".repeat(140)))
            .collect(),
        status: Some("Open.".into()),
        sources: vec![Source {
            title: "The source".into(),
            publisher: None,
            url: Some("https://example.org".into()),
        }],
        positions: ["North", "South", "Mediator"]
            .iter()
            .map(|party| Position {
                party: party.to_string(),
                role: Role::Party,
                stance: "Holds firm.".into(),
                details: None,
                representatives: Vec::new(),
            })
            .collect(),
        corrections: Vec::new(),
        body: String::new(),
        path: "long.md".into(),
    };
    let library = Library::from_parts(vec![round], Vec::new(), Vec::new(), None);
    let json = json(&ask(&library, "/latest"));
    let names: Vec<&str> = json["data"]["embeds"][0]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(names.contains(&"Where the parties stand"), "{names:?}");
    assert!(names.contains(&"Sources"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("continued")), "{names:?}");
    let description = json["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains("…\n\n**Key points**\n• Point 0: detail"),
        "the summary gives way to the key points: {description}"
    );
}

/// A track of 45 rounds, made from the shipped round 5 with other numbers.
fn long_track() -> Library {
    let shipped = shipped();
    let five = shipped
        .track("syria-israel")
        .and_then(|t| t.round(5))
        .expect("round 5")
        .clone();
    let rounds = (1..=45)
        .map(|number| briefbot::library::Round {
            number,
            title: format!("Round {number} of the long talks"),
            ..five.clone()
        })
        .collect();
    Library::from_parts(
        rounds,
        shipped.authors().to_vec(),
        shipped.parties().to_vec(),
        Some("syria-israel".into()),
    )
}

#[test]
fn a_long_timeline_is_paged_and_its_buttons_turn_the_pages() {
    let library = long_track();
    let first = json(&ask(&library, "/rounds"));
    assert_eq!(first["type"], 4);
    let embed = &first["data"]["embeds"][0];
    assert_eq!(
        embed["footer"]["text"],
        "Open one with /round · page 1 of 3"
    );
    let description = embed["description"].as_str().unwrap_or_default();
    assert_eq!(description.lines().count(), 20);
    assert!(description.starts_with("**Round 45 ·"), "{description}");
    let buttons = &first["data"]["components"][0]["components"];
    assert_eq!(buttons[0]["disabled"], true, "no newer page than the first");
    let older = buttons[1]["custom_id"].as_str().expect("a custom_id");
    assert_eq!(older, "rounds:syria-israel:2");

    let second = json(&press(&library, older));
    assert_eq!(
        second["type"], 7,
        "the page replaces the message it sits on"
    );
    let embed = &second["data"]["embeds"][0];
    assert_eq!(
        embed["footer"]["text"],
        "Open one with /round · page 2 of 3"
    );
    assert!(
        embed["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("**Round 25 ·")),
        "{embed}"
    );
    let last = json(&press(&library, "rounds:syria-israel:3"));
    let lines = last["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(lines, 5);
    assert_eq!(
        last["data"]["components"][0]["components"][1]["disabled"],
        true
    );
    // A track that is gone says so, privately.
    assert!(is_ephemeral(&press(&library, "rounds:elsewhere:1")));
}
