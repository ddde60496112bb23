//! Drafts and embargoes: `tests/fixtures/briefs-drafts` is the shipped round 5 plus a draft
//! round 6 (every line says *marzipan*) and a round 7 embargoed until 2099 (*quetzal*). No
//! command, button, autocomplete, search or "did you mean" reaches either, while `check`
//! validates and counts them and the preview finds them in `Library::held`.

use std::time::{Duration, SystemTime};

use crate::common::{assert_within_discord_limits, load, repo, shipped, shipped_options};
use briefbot::cli::check::Report;
use briefbot::cli::line;
use briefbot::commands::{self, Command, Request};
use briefbot::library::{Hold, Library};
use serde_json::Value;

fn drafts_dir() -> std::path::PathBuf {
    repo("tests/fixtures/briefs-drafts")
}

fn drafts() -> Library {
    load(&drafts_dir(), "syria-israel")
}

/// 2099-01-07T09:00:00Z, round 7's `publish_at`.
fn embargo_lifts() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(4_071_459_600)
}

/// Words only the held rounds have: a reply holding one has leaked a held round.
const HELD_WORDS: [&str; 4] = ["marzipan", "quetzal", "geneva", "lausanne"];

/// Every command, button and autocomplete a member could try on the held rounds: by their
/// numbers, by the words of their headlines, places and stances, and by what the published
/// round's replies lead to.
fn requests() -> Vec<Request> {
    let lines = [
        "/latest",
        "/latest track:syria-israel",
        "/round number:5",
        "/round number:6",
        "/round number:7",
        "/round number:6 track:syria-israel",
        "/rounds",
        "/positions",
        "/positions round:6",
        "/positions round:7",
        "/positions party:Syria",
        "/positions party:Israel",
        "/positions party:Syria round:6",
        "/author",
        "/author name:Omar",
        "/about",
        "/search query:marzipan",
        "/search query:quetzal corridor",
        "/search query:Geneva",
        "/search query:Lausanne",
        "/search query:marzipn",
        "/search query:Paris",
        "/search query:round",
    ];
    let completions = [
        "/round number:",
        "/round number:6",
        "/round number:7",
        "/round number:marz",
        "/round number:quetzal",
        "/round number:lausanne",
        "/round number:gen",
        "/positions round:",
        "/positions round:7",
        "/positions round:geneva",
        "/positions party:",
        "/author name:",
        "/latest track:",
    ];
    let presses = [
        "round:syria-israel:6:card",
        "round:syria-israel:6:positions",
        "round:syria-israel:6:author",
        "round:syria-israel:7:more:1",
        "round:syria-israel:7:card",
        "open:syria-israel:6",
        "open:syria-israel:7",
        "rounds:syria-israel:1",
        "rounds:syria-israel:2",
        "search::2",
    ];
    let mut requests: Vec<Request> = lines
        .iter()
        .map(|l| line::parse(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    requests.extend(
        completions
            .iter()
            .map(|l| line::parse_completion(l).unwrap_or_else(|e| panic!("{l}: {e}"))),
    );
    requests.extend(presses.iter().map(|id| Request::press(*id)));
    requests.push(Request::Command(Command::BriefMe {
        text: "Did the Geneva round sign the marzipan accord, and when does the quetzal corridor in Lausanne open?".to_string(),
    }));
    requests
}

/// The JSON Discord would receive, checked against its limits and schema.
fn reply(library: &Library, request: &Request) -> Value {
    let json = commands::respond(library, request).fit().to_json();
    assert_within_discord_limits(&json);
    json
}

/// Every button's `custom_id` in a reply, with the title Discord sends back on a press.
fn presses(json: &Value) -> Vec<Request> {
    let carried = json["data"]["embeds"][0]["title"].as_str();
    json["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .map(|custom_id| Request::Press {
            custom_id,
            carried: carried.map(str::to_string),
        })
        .collect()
}

/// Every request above, and every button of every reply pressed once: each reply from the
/// folder with held rounds is exactly the reply from the shipped folder, which has only
/// round 5 and never had the others.
#[test]
fn no_command_button_or_autocomplete_tells_a_held_round_from_no_round() {
    let (with_held, without) = (drafts(), shipped());
    let mut asked = requests();
    let mut pressed = Vec::new();
    for request in &asked {
        pressed.extend(presses(&reply(&with_held, request)));
    }
    asked.extend(pressed);
    assert!(asked.len() > 60, "{} requests", asked.len());
    for request in &asked {
        let held = reply(&with_held, request);
        assert_eq!(
            held,
            reply(&without, request),
            "{request:?} answers as if rounds 6 and 7 did not exist"
        );
        let text = held.to_string().to_lowercase();
        // A reply may echo what was asked ("no briefing mentions …").
        let asked = format!("{request:?}").to_lowercase();
        for word in HELD_WORDS.iter().filter(|w| !asked.contains(*w)) {
            assert!(!text.contains(word), "{request:?} leaks `{word}`: {text}");
        }
        for id in presses(&held) {
            let Request::Press { custom_id, .. } = id else {
                continue;
            };
            assert!(
                !custom_id.contains(":6") && !custom_id.contains(":7"),
                "{request:?} offers a button to a held round: {custom_id}"
            );
        }
    }
}

#[test]
fn a_missing_round_that_is_a_draft_lists_only_the_published_rounds() {
    let library = drafts();
    for number in [6, 7] {
        let json = reply(
            &library,
            &line::parse(&format!("/round {number}")).expect("line"),
        );
        assert_eq!(json["data"]["flags"], 64, "a private not-found reply");
        let content = json["data"]["content"].as_str().unwrap_or_default();
        let listed: Vec<&str> = content.lines().filter(|l| l.starts_with('•')).collect();
        assert_eq!(listed, ["• Round 5 · 6 January 2026 · Paris"], "{content}");
    }
}

#[test]
fn the_served_library_has_only_published_rounds_and_holds_the_others_aside() {
    let library = drafts();
    let served: Vec<u32> = library.rounds().map(|r| r.number).collect();
    assert_eq!(served, [5]);
    assert_eq!(library.round_count(), 1);
    assert!(library.rounds_by("omar-safadi").all(|r| r.number == 5));
    let held: Vec<(u32, &Hold)> = library
        .held()
        .iter()
        .map(|h| (h.round.number, &h.why))
        .collect();
    assert_eq!(held.len(), 2, "{held:?}");
    assert_eq!(held[0], (6, &Hold::Draft));
    match held[1] {
        (7, Hold::Until(moment)) => {
            assert_eq!(moment.to_string(), "2099-01-07T09:00:00Z");
            assert_eq!(moment.at(), embargo_lifts());
        }
        other => panic!("round 7 is embargoed: {other:?}"),
    }
    assert_eq!(library.next_publication(), Some(embargo_lifts()));
    let counts = library.counts();
    assert_eq!((counts.briefs, counts.drafts, counts.embargoed), (3, 1, 1));
}

#[test]
fn check_passes_a_folder_with_a_draft_and_an_embargo_and_counts_them() {
    let counts = Library::load(&drafts_dir(), &shipped_options())
        .expect("drafts and embargoes are valid briefs")
        .counts();
    let report = Report::new(Ok((counts, Default::default())));
    assert!(report.is_clean());
    assert_eq!(
        report.summary(),
        "checked 3 briefs (1 draft, 1 embargoed), 1 author: no errors"
    );
    let json: Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert_eq!(
        (&json["drafts"], &json["embargoed"]),
        (&1.into(), &1.into())
    );
}

#[test]
fn an_embargo_lifts_at_its_moment_and_a_draft_never() {
    let options = shipped_options();
    let numbers = |library: &Library| library.rounds().map(|r| r.number).collect::<Vec<_>>();
    let second = Duration::from_secs(1);
    let before =
        Library::load_at(&drafts_dir(), &options, embargo_lifts() - second).expect("loads");
    assert_eq!(numbers(&before), [5]);
    let at = Library::load_at(&drafts_dir(), &options, embargo_lifts()).expect("loads");
    assert_eq!(numbers(&at), [5, 7]);
    assert_eq!(at.held().len(), 1);
    assert_eq!(at.held()[0].why, Hold::Draft);
    assert_eq!(at.next_publication(), None);
    assert_eq!(at.counts().embargoed, 0);
}

#[test]
fn a_snapshot_publishes_its_due_embargoes_as_a_load_would() {
    let library = drafts();
    assert!(
        library
            .publish_due(embargo_lifts() - Duration::from_secs(1))
            .is_none(),
        "nothing is due before the moment"
    );
    let published = library
        .publish_due(embargo_lifts())
        .expect("round 7 is due at its moment");
    let loaded =
        Library::load_at(&drafts_dir(), &shipped_options(), embargo_lifts()).expect("loads");
    for request in requests() {
        assert_eq!(
            reply(&published, &request),
            reply(&loaded, &request),
            "{request:?}"
        );
    }
    assert_eq!(published.held(), loaded.held());
    assert_eq!(published.counts(), loaded.counts());
    let json = reply(
        &published,
        &line::parse("/search query:quetzal").expect("line"),
    );
    assert!(
        json.to_string().contains("quetzal corridor"),
        "the published round is searchable: {json}"
    );
}

#[test]
fn new_refuses_the_number_of_a_draft_or_an_embargoed_round() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::copy_tree(&drafts_dir(), dir.path());
    for round in [6, 7] {
        let refused = briefbot::cli::new::new_round(
            dir.path(),
            &shipped_options(),
            "syria-israel",
            round,
            Some("Rome"),
        );
        assert!(
            matches!(
                refused,
                Err(briefbot::cli::new::ScaffoldError::RoundExists { round: r, .. }) if r == round
            ),
            "round {round}: {refused:?}"
        );
    }
}
