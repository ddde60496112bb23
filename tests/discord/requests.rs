//! Interactions read from Discord-shaped `INTERACTION_CREATE` payloads, both ways briefbot
//! reads them (serenity's types for the gateway, its own reader of the raw JSON for HTTP and
//! for what serenity cannot parse), and answered by the core.

use crate::common::{assert_within_discord_limits, payload, shipped};
use briefbot::commands::{self, Command, Request};
use briefbot::transport::interaction::{Interaction, Kind};
use briefbot::transport::wire;

/// The payload read through serenity, as the gateway reads it.
fn from_serenity(name: &str) -> Interaction {
    let parsed: serenity::all::Interaction = serde_json::from_str(&payload(name))
        .unwrap_or_else(|e| panic!("{name} must parse as serenity's Interaction: {e}"));
    Interaction::from_serenity(&parsed)
}

/// The request in a payload; both readers must find the same interaction.
fn request(name: &str) -> Request {
    let gateway = from_serenity(name);
    let raw = wire::read(payload(name).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        gateway, raw,
        "{name}: serenity's reading and briefbot's own differ"
    );
    match gateway.kind {
        Kind::Request(request) => request,
        other => panic!("{name}: not a request: {other:?}"),
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
fn button_payloads_carry_their_custom_id_and_the_title_of_their_message() {
    assert_eq!(
        request("button-positions.json"),
        Request::Press {
            custom_id: "round:syria-israel:5:positions".into(),
            carried: Some(
                "Round 5 · Paris — Paris round ends with a proposal for a joint, demilitarized economic zone"
                    .into()
            ),
        }
    );
}

#[test]
fn a_round_button_answers_the_same_whatever_its_message_carries() {
    let library = shipped();
    let carried = request("button-positions.json");
    let bare = Request::press("round:syria-israel:5:positions");
    assert_eq!(
        commands::respond(&library, &carried),
        commands::respond(&library, &bare)
    );
}

#[test]
fn every_payload_gets_a_reply_of_the_right_type_within_limits() {
    let library = shipped();
    let expected = crate::common::ANSWERED;
    for (name, kind) in expected {
        let json = commands::respond(&library, &request(name)).fit().to_json();
        assert_eq!(json["type"], kind, "{name}");
        assert_within_discord_limits(&json);
    }
}

#[test]
fn a_missing_round_and_a_stale_button_answer_privately() {
    let library = shipped();
    for name in ["slash-round-9.json", "button-stale.json"] {
        let json = commands::respond(&library, &request(name)).fit().to_json();
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
    let json = commands::respond(&shipped(), &request("autocomplete-round-number.json"))
        .fit()
        .to_json();
    assert_eq!(
        json["data"]["choices"],
        serde_json::json!([{"name": "Round 5 — Paris, 2026-01-06", "value": 5}])
    );
}

#[test]
fn the_callers_permissions_and_server_are_read_both_ways() {
    let manager = request_with_caller("slash-reload.json");
    assert!(manager.may_manage());
    assert!(manager.guild.is_some());
    assert_eq!(
        manager.kind,
        Kind::Request(Request::Command(Command::Reload))
    );
    assert!(!request_with_caller("slash-reload-member.json").may_manage());
}

fn request_with_caller(name: &str) -> Interaction {
    let gateway = from_serenity(name);
    let raw = wire::read(payload(name).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(gateway, raw, "{name}");
    gateway
}

#[test]
fn a_command_that_is_not_briefbots_is_malformed_not_lost() {
    let mut raw: serde_json::Value =
        serde_json::from_str(&payload("slash-latest.json")).expect("json");
    raw["data"]["name"] = "weather".into();
    let read = wire::read(raw.to_string().as_bytes()).expect("an interaction");
    assert_eq!(
        read.kind,
        Kind::Malformed {
            autocomplete: false,
            error: briefbot::commands::RequestError::UnknownCommand("weather".into())
        }
    );
    assert!(read.id > 0 && !read.token.is_empty());
}

#[test]
fn interactions_in_dms_are_read_as_their_server_twins_without_a_server_or_member() {
    for name in crate::common::IN_DMS {
        let dm = request_with_caller(name);
        let twin = request_with_caller(name.trim_start_matches("dm-"));
        assert_eq!(dm.kind, twin.kind, "{name}");
        assert_eq!(dm.guild, None, "{name}");
        assert_eq!(dm.permissions, None, "{name}");
        assert!(!dm.may_manage(), "{name}");
        let json = commands::respond(&shipped(), &request(name))
            .fit()
            .to_json();
        assert_within_discord_limits(&json);
    }
}
