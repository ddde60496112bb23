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
            content.contains("The rounds there are:\n• Round 5 · 6 January 2026 · Paris"),
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
        serde_json::json!([{"name": "Round 5 — Paris, 6 January 2026", "value": 5}])
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

#[test]
fn search_payloads_become_a_search_for_the_query() {
    let expected = Request::Command(Command::Search {
        query: "economic zone".into(),
        track: None,
    });
    assert_eq!(request("slash-search.json"), expected);
    assert_eq!(request("dm-slash-search.json"), expected);
}

#[test]
fn brief_me_reads_the_message_it_was_used_on_content_then_embeds() {
    // Another bot's post: its content, then its embed's title, description and fields.
    assert_eq!(
        request("message-brief-me.json"),
        Request::Command(Command::BriefMe {
            text: "From the wire:\n\
                   Syria and Israel weigh a demilitarized economic zone\n\
                   Negotiators meeting in Paris under US mediation discussed a joint zone along the frontier.\n\
                   Where\nParis\nMediator\nUnited States"
                .into()
        })
    );
    // A friend's message in a group DM, briefbot installed to the user's account.
    assert_eq!(
        request("dm-message-brief-me.json"),
        Request::Command(Command::BriefMe {
            text:
                "Did anyone follow the Paris talks? Something about a demilitarized economic zone"
                    .into()
        })
    );
}

#[test]
fn a_search_page_press_carries_the_query_in_its_messages_title() {
    assert_eq!(
        request("button-search-page.json"),
        Request::Press {
            custom_id: "search::2".into(),
            carried: Some("🔎 economic zone".into()),
        }
    );
}

#[test]
fn a_press_on_a_message_without_embeds_carries_nothing() {
    let mut raw = crate::common::payload_json("button-search-page.json");
    raw["message"]["embeds"] = serde_json::json!([]);
    let text = raw.to_string();
    let parsed: serenity::all::Interaction = serde_json::from_str(&text).expect("serenity");
    let gateway = Interaction::from_serenity(&parsed);
    assert_eq!(
        gateway,
        wire::read(text.as_bytes()).expect("an interaction")
    );
    assert_eq!(gateway.kind, Kind::Request(Request::press("search::2")));
}

#[test]
fn every_search_payload_gets_a_new_message_or_an_update_within_limits() {
    let library = shipped();
    for name in crate::common::SEARCHING {
        let json = commands::respond(&library, &request(name)).fit().to_json();
        assert!(
            json["type"] == 4 || json["type"] == 7,
            "{name}: callback type {}",
            json["type"]
        );
        assert_within_discord_limits(&json);
    }
}

/// Both readers of a payload changed from a fixture.
fn both_ways(raw: &serde_json::Value) -> Interaction {
    let text = raw.to_string();
    let parsed: serenity::all::Interaction = serde_json::from_str(&text).expect("serenity");
    let gateway = Interaction::from_serenity(&parsed);
    let read = wire::read(text.as_bytes()).expect("an interaction");
    assert_eq!(
        gateway, read,
        "serenity's reading and briefbot's own differ"
    );
    gateway
}

#[test]
fn brief_me_without_its_message_is_answered_privately_and_clearly() {
    let mut elsewhere = crate::common::payload_json("message-brief-me.json");
    elsewhere["data"]["target_id"] = "1458380131872931999".into();
    for raw in [crate::common::brief_me_without_its_message(), elsewhere] {
        let read = both_ways(&raw);
        let error = briefbot::commands::RequestError::NoMessage {
            command: "Brief me".into(),
        };
        assert_eq!(
            read.kind,
            Kind::Malformed {
                autocomplete: false,
                error: error.clone()
            }
        );
        let json = commands::bad_request(&error).fit().to_json();
        assert_eq!(json["data"]["flags"], 64);
        let content = json["data"]["content"].as_str().unwrap_or_default();
        assert!(
            content.starts_with("Discord did not send the message you used Brief me on"),
            "{content}"
        );
        assert_within_discord_limits(&json);
    }
}

#[test]
fn brief_me_on_a_message_with_no_text_leaves_the_answer_to_the_view() {
    let mut raw = crate::common::payload_json("dm-message-brief-me.json");
    let target = raw["data"]["target_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    raw["data"]["resolved"]["messages"][&target]["content"] = "".into();
    assert_eq!(
        both_ways(&raw).kind,
        Kind::Request(Request::Command(Command::BriefMe { text: "".into() }))
    );
}

#[test]
fn a_query_longer_than_discord_allows_still_reaches_the_search() {
    let long = "economic zone ".repeat(60);
    let read = both_ways(&crate::common::search_for(&long));
    assert_eq!(
        read.kind,
        Kind::Request(Request::Command(Command::Search {
            query: long.trim().into(),
            track: None
        }))
    );
}

#[test]
fn a_message_command_of_another_name_is_malformed_not_lost() {
    let mut raw = crate::common::payload_json("message-brief-me.json");
    raw["data"]["name"] = "Translate".into();
    assert_eq!(
        both_ways(&raw).kind,
        Kind::Malformed {
            autocomplete: false,
            error: briefbot::commands::RequestError::UnknownCommand("Translate".into())
        }
    );
}

/// briefbot's own reader (HTTP, and what serenity cannot parse) reads a message only for
/// its text: a message of a shape it does not expect leaves the press working, and a message
/// command without a readable message gets the answer for a missing one.
#[test]
fn a_message_of_an_unexpected_shape_counts_as_absent() {
    let mut button = crate::common::payload_json("button-positions.json");
    button["message"]["embeds"] = serde_json::json!([{ "title": 5 }]);
    assert_eq!(
        wire::read(button.to_string().as_bytes())
            .expect("an interaction")
            .kind,
        Kind::Request(Request::press("round:syria-israel:5:positions"))
    );
    let mut brief_me = crate::common::payload_json("message-brief-me.json");
    let target = brief_me["data"]["target_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    brief_me["data"]["resolved"]["messages"][&target]["content"] = serde_json::json!(["?"]);
    assert_eq!(
        wire::read(brief_me.to_string().as_bytes())
            .expect("an interaction")
            .kind,
        Kind::Malformed {
            autocomplete: false,
            error: briefbot::commands::RequestError::NoMessage {
                command: "Brief me".into()
            }
        }
    );
}
