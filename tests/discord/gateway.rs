//! The gateway transport against a loopback stand-in for Discord's REST API: the commands it
//! registers, the callbacks it sends for commands, autocomplete and buttons, and the one error
//! path (a refused reply, a panic, a payload serenity cannot parse) that always answers.

use std::time::Duration;

use crate::common::discord_stub::DiscordStub;
use crate::common::{assert_within_discord_limits, eventually, handler, payload, shipped};
use briefbot::commands;
use briefbot::config::Config;
use briefbot::transport::gateway;
use briefbot::transport::interaction::{Interaction, Kind};
use briefbot::transport::registration::{self, Outcome, Scope};
use briefbot::transport::wire;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// A fixture as the gateway hands it over: parsed by serenity.
fn interaction(name: &str) -> Interaction {
    let parsed: serenity::all::Interaction =
        serde_json::from_str(&payload(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Interaction::from_serenity(&parsed)
}

/// The JSON the core answers to a fixture's request, as Discord must receive it.
fn core_reply(raw: &Value) -> Value {
    let read = wire::read(raw.to_string().as_bytes()).expect("an interaction");
    let Kind::Request(request) = read.kind else {
        panic!("not a request: {raw}");
    };
    commands::respond(&shipped(), &request).fit().to_json()
}

fn json(name: &str) -> Value {
    serde_json::from_str(&payload(name)).expect("json")
}

#[tokio::test]
async fn registration_puts_the_command_list_once() {
    let stub = DiscordStub::start().await;
    let http = stub.rest();

    let first = registration::register(&http, Scope::Guild(290_926_798_626_357_999))
        .await
        .expect("registered");
    assert_eq!(first, Outcome::Updated { commands: 10 });
    let requests = stub.requests();
    let path = format!(
        "/api/v10/applications/{}/guilds/290926798626357999/commands",
        crate::common::discord_stub::APPLICATION_ID
    );
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", path.as_str())
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("PUT", path.as_str())
    );
    assert_eq!(requests[1].body, registration::to_json());

    // A restart finds Discord up to date and sends nothing but the look-up.
    let second = registration::register(&http, Scope::Guild(290_926_798_626_357_999))
        .await
        .expect("checked");
    assert_eq!(second, Outcome::Unchanged);
    assert_eq!(stub.requests().len(), 3);
}

#[tokio::test]
async fn global_registration_uses_the_global_route() {
    let stub = DiscordStub::start().await;
    registration::register(&stub.rest(), Scope::Global)
        .await
        .expect("registered");
    let put = stub
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("a PUT");
    assert_eq!(
        put.path,
        format!(
            "/api/v10/applications/{}/commands",
            crate::common::discord_stub::APPLICATION_ID
        )
    );
}

#[tokio::test]
async fn every_interaction_is_answered_through_its_callback() {
    let stub = DiscordStub::start().await;
    let http = stub.rest();
    let handler = handler(crate::common::shipped_live());
    let cases = crate::common::ANSWERED;
    for (name, _) in cases {
        gateway::answer(&http, &handler, &interaction(name)).await;
    }
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), cases.len());
    for ((name, kind), callback) in cases.iter().zip(&callbacks) {
        let raw: Value = serde_json::from_str(&payload(name)).expect("json");
        let expected_path = format!(
            "/api/v10/interactions/{}/{}/callback",
            raw["id"].as_str().unwrap_or_default(),
            raw["token"].as_str().unwrap_or_default()
        );
        assert_eq!(callback.path, expected_path, "{name}");
        assert_eq!(callback.body["type"], *kind, "{name}");
        assert_within_discord_limits(&callback.body);
        // The gateway sends exactly what the core answers.
        assert_eq!(callback.body, core_reply(&raw), "{name}");
    }
}

/// `/reload` through the gateway: the member's permissions as Discord reports them decide,
/// and the answer is private.
#[tokio::test]
async fn reload_is_answered_privately_and_only_for_managers() {
    let stub = DiscordStub::start().await;
    let handler = handler(crate::common::shipped_live());
    gateway::answer(&stub.rest(), &handler, &interaction("slash-reload.json")).await;
    gateway::answer(
        &stub.rest(),
        &handler,
        &interaction("slash-reload-member.json"),
    )
    .await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 2);
    for callback in &callbacks {
        assert_eq!(callback.body["type"], 4);
        assert_eq!(callback.body["data"]["flags"], 64);
    }
    assert_eq!(
        callbacks[0].body["data"]["content"],
        "Reloaded: 1 round in 1 track, 1 author. No new rounds.\nSyria–Israel talks: round 5"
    );
    assert_eq!(
        callbacks[1].body["data"]["content"],
        "Only members who can manage this server may use /reload."
    );
}

#[tokio::test]
async fn a_reply_discord_refuses_is_followed_by_an_apology() {
    let stub = DiscordStub::start().await;
    let latest = interaction("slash-latest.json");
    stub.state
        .refuse_first_callback
        .lock()
        .expect("lock")
        .insert(latest.id.to_string());
    gateway::answer(
        &stub.rest(),
        &handler(crate::common::shipped_live()),
        &latest,
    )
    .await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 2, "the card, then the apology");
    assert_eq!(
        callbacks[0].body["data"]["embeds"][0]["title"]
            .as_str()
            .map(|t| t.starts_with("Paris")),
        Some(true)
    );
    assert_eq!(
        callbacks[1].body,
        commands::something_went_wrong().fit().to_json()
    );
    assert_eq!(callbacks[1].body["data"]["flags"], 64);
}

#[tokio::test]
async fn a_refused_autocomplete_is_followed_by_empty_choices() {
    let stub = DiscordStub::start().await;
    let typing = interaction("autocomplete-round-number.json");
    stub.state
        .refuse_first_callback
        .lock()
        .expect("lock")
        .insert(typing.id.to_string());
    gateway::answer(
        &stub.rest(),
        &handler(crate::common::shipped_live()),
        &typing,
    )
    .await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 2);
    assert_eq!(
        callbacks[1].body,
        serde_json::json!({"type": 8, "data": {"choices": []}})
    );
}

/// Payloads serenity 0.12.5 refuses, each as Discord or a Discord-compatible server may send
/// it: documented fields left out, a field of another type.
fn unparsable_payloads() -> Vec<(&'static str, Value)> {
    // Discord's documented example lacks `member.flags`, which serenity requires.
    let mut without_member_flags = json("slash-latest.json");
    without_member_flags["member"]
        .as_object_mut()
        .map(|m| m.remove("flags"));
    // An independently written Discord-compatible server leaves `locale` out.
    let mut without_locale = json("slash-round-5.json");
    without_locale.as_object_mut().map(|i| i.remove("locale"));
    // ...and sends a message author's `public_flags` as a string.
    let mut string_flags = json("button-positions.json");
    string_flags["message"]["author"]["public_flags"] = Value::String("0".into());
    // ...also in the message a message command was used on.
    let mut brief_me = json("message-brief-me.json");
    let target = brief_me["data"]["target_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    brief_me["data"]["resolved"]["messages"][&target]["author"]["public_flags"] =
        Value::String("0".into());
    vec![
        ("member without flags", without_member_flags),
        ("no locale", without_locale),
        ("public_flags as a string", string_flags),
        (
            "Brief me on a message whose author has public_flags as a string",
            brief_me,
        ),
    ]
}

#[test]
fn serenity_refuses_the_unparsable_payloads() {
    for (what, raw) in unparsable_payloads() {
        let parsed = serde_json::from_value::<serenity::all::Interaction>(raw);
        assert!(
            parsed.is_err(),
            "{what}: serenity parses it now; pick another field"
        );
    }
}

#[tokio::test]
async fn a_payload_serenity_cannot_parse_gets_its_real_answer() {
    let stub = DiscordStub::start().await;
    let handler = handler(crate::common::shipped_live());
    for (what, raw) in unparsable_payloads() {
        let read = wire::read(raw.to_string().as_bytes()).expect("briefbot reads it");
        gateway::answer(&stub.rest(), &handler, &read).await;
        let callbacks = stub.callbacks();
        let callback = callbacks
            .iter()
            .find(|c| c.path.contains(raw["id"].as_str().unwrap_or("?")))
            .unwrap_or_else(|| panic!("{what}: not answered"));
        assert_eq!(callback.body, core_reply(&raw), "{what}");
    }
}

#[test]
fn registered_commands_keep_discords_rules() {
    let json = registration::to_json();
    let commands = json.as_array().expect("a list");
    assert!(commands.len() <= 100);
    for command in commands {
        let name = command["name"].as_str().unwrap_or_default();
        crate::common::assert_valid("ApplicationCommandCreateRequest", command);
        if command["type"] == 3 {
            // A message command: a name as people read it (capitals and spaces allowed), no
            // description and no options.
            assert!((1..=32).contains(&name.chars().count()), "{name:?}");
            assert!(command["description"].is_null(), "{name}");
            assert!(command["options"].is_null(), "{name}");
            continue;
        }
        assert_eq!(command["type"], 1, "{name}");
        assert!(is_command_name(name), "command name {name:?}");
        let description = command["description"].as_str().unwrap_or_default();
        assert!(
            (1..=100).contains(&description.chars().count()),
            "{name}: description {description:?}"
        );
        let options = command["options"].as_array().cloned().unwrap_or_default();
        assert!(options.len() <= 25);
        for option in &options {
            let option_name = option["name"].as_str().unwrap_or_default();
            assert!(
                is_command_name(option_name),
                "{name}: option name {option_name:?}"
            );
            let text = option["description"].as_str().unwrap_or_default();
            assert!(
                (1..=100).contains(&text.chars().count()),
                "{name}.{option_name}: {text:?}"
            );
            assert!(option["choices"].as_array().map_or(0, Vec::len) <= 25);
        }
    }
}

/// `^[-_\p{L}\p{N}]{1,32}$` in lower case.
fn is_command_name(name: &str) -> bool {
    (1..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
        && name.to_lowercase() == name
}

/// The whole bot, end to end on loopback: serenity connects to the stand-in gateway,
/// registers the commands on READY, answers an interaction through its callback, answers the
/// ones serenity cannot parse with their real replies, and stops cleanly when asked.
#[tokio::test]
async fn the_bot_connects_registers_answers_and_shuts_down() {
    let stub = DiscordStub::start().await;
    let unparsable = unparsable_payloads();
    let parsable = [
        "slash-round-5.json",
        "message-brief-me.json",
        "button-search-page.json",
    ];
    stub.state
        .interactions
        .lock()
        .expect("lock")
        .extend(parsable.iter().map(|name| json(name)));
    stub.state
        .interactions
        .lock()
        .expect("lock")
        .extend(unparsable.iter().map(|(_, raw)| raw.clone()));
    let mut config = Config::defaults();
    config.discord.guild_ids = vec![290_926_798_626_357_999];
    let stop = CancellationToken::new();
    let bot = start_bot(&stub, config, stop.clone());
    eventually(
        "the answers and the registration",
        Duration::from_secs(20),
        || {
            std::future::ready(
                stub.callbacks().len() == parsable.len() + unparsable.len()
                    && stub.requests().iter().any(|r| r.method == "PUT"),
            )
        },
    )
    .await;
    let callbacks = stub.callbacks();
    let answer_to = |raw: &Value| {
        callbacks
            .iter()
            .find(|c| c.path.contains(raw["id"].as_str().unwrap_or("?")))
            .map(|c| c.body.clone())
    };
    for name in parsable {
        let raw = json(name);
        assert_eq!(answer_to(&raw), Some(core_reply(&raw)), "{name}");
    }
    for (what, raw) in &unparsable {
        assert_eq!(answer_to(raw), Some(core_reply(raw)), "{what}");
        assert_ne!(
            answer_to(raw),
            Some(commands::something_went_wrong().fit().to_json()),
            "{what}: an apology where an answer was possible"
        );
    }
    let identify = stub
        .state
        .gateway_frames
        .lock()
        .expect("lock")
        .iter()
        .find(|f| f["op"] == 2)
        .cloned()
        .expect("IDENTIFY");
    assert_eq!(
        identify["d"]["intents"], 0,
        "no gateway intents are needed for interactions"
    );

    stop.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), bot)
        .await
        .expect("stops within 10 s");
    assert!(result.expect("task").is_ok());
}

fn start_bot(
    stub: &DiscordStub,
    config: Config,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<Result<(), gateway::GatewayError>> {
    let handler = handler(crate::common::shipped_live());
    let http = stub.rest();
    tokio::spawn(async move { gateway::run(&config, http, handler, stop).await })
}

#[tokio::test]
async fn a_stop_before_any_shard_is_up_still_returns() {
    let stub = DiscordStub::start().await;
    let stop = CancellationToken::new();
    stop.cancel();
    let bot = start_bot(&stub, Config::defaults(), stop);
    let result = tokio::time::timeout(Duration::from_secs(10), bot)
        .await
        .expect("returns within 10 s");
    assert!(result.expect("task").is_ok());
}

#[tokio::test]
async fn a_shard_range_starts_exactly_its_shards() {
    use briefbot::config::Shards;
    let stub = DiscordStub::start().await;
    let mut config = Config::defaults();
    config.discord.shards = Shards::Range {
        first: 1,
        last: 1,
        total: 2,
    };
    let stop = CancellationToken::new();
    let bot = start_bot(&stub, config, stop.clone());
    let identified = || {
        stub.state
            .gateway_frames
            .lock()
            .expect("lock")
            .iter()
            .filter(|f| f["op"] == 2)
            .map(|f| f["d"]["shard"].clone())
            .collect::<Vec<_>>()
    };
    eventually("an IDENTIFY", Duration::from_secs(20), || {
        std::future::ready(!identified().is_empty())
    })
    .await;
    // A sleep to show an absence: no event marks a shard that was (rightly) never started,
    // so a wrongly started second shard is given time to identify.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(identified(), [serde_json::json!([1, 2])]);
    stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), bot).await;
}

/// `/search`, "Brief me" and a search page button, from a server and from DMs: the gateway
/// sends what the core answers to the request both readers find.
#[tokio::test]
async fn search_and_brief_me_are_answered_through_their_callbacks() {
    let stub = DiscordStub::start().await;
    let handler = handler(crate::common::shipped_live());
    for name in crate::common::SEARCHING {
        gateway::answer(&stub.rest(), &handler, &interaction(name)).await;
    }
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), crate::common::SEARCHING.len());
    for (name, callback) in crate::common::SEARCHING.iter().zip(&callbacks) {
        let raw = json(name);
        assert!(
            callback.path.contains(raw["id"].as_str().unwrap_or("?")),
            "{name}"
        );
        assert!(
            callback.body["type"] == 4 || callback.body["type"] == 7,
            "{name}: {}",
            callback.body
        );
        assert_eq!(callback.body, core_reply(&raw), "{name}");
        assert_within_discord_limits(&callback.body);
    }
}

/// "Brief me" whose message did not come with it gets a private answer that says so, and a
/// query longer than Discord allows reaches the search, over the gateway too.
#[tokio::test]
async fn brief_me_without_its_message_and_an_overlong_query_are_answered() {
    let stub = DiscordStub::start().await;
    let handler = handler(crate::common::shipped_live());
    let missing = crate::common::brief_me_without_its_message();
    let parsed: serenity::all::Interaction =
        serde_json::from_value(missing.clone()).expect("serenity parses it");
    gateway::answer(&stub.rest(), &handler, &Interaction::from_serenity(&parsed)).await;
    let long = crate::common::search_for(&"zone ".repeat(300));
    let parsed: serenity::all::Interaction =
        serde_json::from_value(long.clone()).expect("serenity parses it");
    gateway::answer(&stub.rest(), &handler, &Interaction::from_serenity(&parsed)).await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 2);
    let body = &callbacks[0].body;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    let content = body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with("Discord did not send the message you used Brief me on"),
        "{content}"
    );
    assert_eq!(callbacks[1].body, core_reply(&long));
}

/// Installed to a user's account, briefbot is used in DMs and group DMs: no server and no
/// member in the interaction. Every reader command and a button answer as in a server.
#[tokio::test]
async fn interactions_in_dms_are_answered_as_in_a_server() {
    let stub = DiscordStub::start().await;
    let handler = handler(crate::common::shipped_live());
    for name in crate::common::IN_DMS {
        gateway::answer(&stub.rest(), &handler, &interaction(name)).await;
    }
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), crate::common::IN_DMS.len());
    for (name, callback) in crate::common::IN_DMS.iter().zip(&callbacks) {
        let raw = json(name);
        assert!(
            callback.path.contains(raw["id"].as_str().unwrap_or("?")),
            "{name}"
        );
        assert_eq!(
            callback.body,
            core_reply(&json(name.trim_start_matches("dm-"))),
            "{name}"
        );
        assert_within_discord_limits(&callback.body);
    }
}
