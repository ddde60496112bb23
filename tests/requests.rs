//! Requests built from Discord-shaped `INTERACTION_CREATE` payloads (serenity's own types),
//! answered by the core: what the gateway and the HTTP endpoint will hand it.

mod common;

use briefbot::commands::{self, Command, Request};
use common::{assert_within_discord_limits, payload, shipped};
use serenity::all::Interaction;

fn interaction(name: &str) -> Interaction {
    serde_json::from_str(&payload(name))
        .unwrap_or_else(|e| panic!("{name} must parse as serenity's Interaction: {e}"))
}

fn request(name: &str) -> Request {
    match interaction(name) {
        Interaction::Command(command) => Request::from_command(&command).expect("a known command"),
        Interaction::Autocomplete(command) => {
            Request::from_autocomplete(&command).expect("a known command")
        }
        Interaction::Component(component) => Request::from_component(&component),
        other => panic!("{name}: unexpected interaction {:?}", other.kind()),
    }
}

#[test]
fn slash_commands_become_typed_requests() {
    assert_eq!(
        request("slash-latest.json"),
        Request::Command(Command::Latest { track: None })
    );
    assert_eq!(
        request("slash-round-5.json"),
        Request::Command(Command::Round {
            number: 5,
            track: None
        })
    );
    assert_eq!(
        request("slash-positions-party.json"),
        Request::Command(Command::Positions {
            party: Some("damascus".into()),
            round: None,
            track: None
        })
    );
    assert_eq!(
        request("slash-author.json"),
        Request::Command(Command::Author { name: None })
    );
    assert_eq!(
        request("slash-about.json"),
        Request::Command(Command::About)
    );
}

#[test]
fn autocomplete_payloads_name_the_focused_option_and_its_text() {
    assert_eq!(
        request("autocomplete-round-number.json"),
        Request::Autocomplete {
            command: "round".into(),
            option: "number".into(),
            partial: "5".into(),
            track: None
        }
    );
    assert_eq!(
        request("autocomplete-positions-party.json"),
        Request::Autocomplete {
            command: "positions".into(),
            option: "party".into(),
            partial: "sy".into(),
            track: None
        }
    );
}

#[test]
fn button_payloads_carry_their_custom_id() {
    assert_eq!(
        request("button-positions.json"),
        Request::Press("round:syria-israel:5:positions".into())
    );
}

#[test]
fn every_payload_gets_a_reply_of_the_right_type_within_limits() {
    let library = shipped();
    let expected = common::ANSWERED;
    for (name, kind) in expected {
        let json = commands::respond(&library, &request(name)).to_json();
        assert_eq!(json["type"], kind, "{name}");
        assert_within_discord_limits(&json);
    }
}

#[test]
fn a_missing_round_and_a_stale_button_answer_privately() {
    let library = shipped();
    for name in ["slash-round-9.json", "button-stale.json"] {
        let json = commands::respond(&library, &request(name)).to_json();
        assert_eq!(json["data"]["flags"], 64, "{name} must be ephemeral");
        let content = json["data"]["content"].as_str().unwrap_or_default();
        assert!(
            content.contains("The rounds there are:\n• Round 5 · 2026-01-06 · Paris"),
            "{name}: {content}"
        );
    }
}

#[test]
fn autocomplete_of_the_round_number_offers_round_5() {
    let json = commands::respond(&shipped(), &request("autocomplete-round-number.json")).to_json();
    assert_eq!(
        json["data"]["choices"],
        serde_json::json!([{"name": "Round 5 — Paris, 2026-01-06", "value": 5}])
    );
}
