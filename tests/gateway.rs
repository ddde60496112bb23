//! The gateway transport against a loopback stand-in for Discord's REST API: the commands it
//! registers, the callbacks it sends for commands, autocomplete and buttons, and the one error
//! path (a refused reply, a panic, a payload serenity cannot parse) that always answers.

mod common;

use briefbot::commands;
use briefbot::dispatch;
use briefbot::registration::{self, Outcome, Scope};
use common::discord_stub::DiscordStub;
use common::{assert_within_discord_limits, payload, shipped};
use serde_json::Value;
use serenity::all::Interaction;

fn interaction(name: &str) -> Interaction {
    serde_json::from_str(&payload(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[tokio::test]
async fn registration_puts_the_command_list_once() {
    let stub = DiscordStub::start().await;
    let http = stub.http();

    let first = registration::register(&http, Scope::Guild(290_926_798_626_357_999))
        .await
        .expect("registered");
    assert_eq!(first, Outcome::Updated { commands: 7 });
    let requests = stub.requests();
    let path = format!(
        "/api/v10/applications/{}/guilds/290926798626357999/commands",
        common::discord_stub::APPLICATION_ID
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
    registration::register(&stub.http(), Scope::Global)
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
            common::discord_stub::APPLICATION_ID
        )
    );
}

#[tokio::test]
async fn every_interaction_is_answered_through_its_callback() {
    let stub = DiscordStub::start().await;
    let http = stub.http();
    let live = common::shipped_live();
    let library = shipped();
    let cases = common::ANSWERED;
    for (name, _) in cases {
        dispatch::answer(&http, &live, &interaction(name)).await;
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
        let expected = dispatch::reply_to(&library, &interaction(name))
            .expect("a reply")
            .to_json();
        assert_eq!(callback.body, expected, "{name}");
    }
}

/// `/reload` through the gateway: the member's permissions as Discord reports them decide,
/// and the answer is private.
#[tokio::test]
async fn reload_is_answered_privately_and_only_for_managers() {
    let stub = DiscordStub::start().await;
    let live = common::shipped_live();
    dispatch::answer(&stub.http(), &live, &interaction("slash-reload.json")).await;
    dispatch::answer(
        &stub.http(),
        &live,
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
        "Reloaded: 1 round in 1 track, 1 author. No new rounds.\n`syria-israel`: round 5"
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
        .insert(latest.id().to_string());
    dispatch::answer(&stub.http(), &common::shipped_live(), &latest).await;
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
        commands::something_went_wrong().to_json()
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
        .insert(typing.id().to_string());
    dispatch::answer(&stub.http(), &common::shipped_live(), &typing).await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 2);
    assert_eq!(
        callbacks[1].body,
        serde_json::json!({"type": 8, "data": {"choices": []}})
    );
}

#[tokio::test]
async fn a_payload_serenity_cannot_parse_is_still_answered() {
    // Discord's documented example lacks `member.flags`, which serenity 0.12.5 requires.
    let mut raw: Value = serde_json::from_str(&payload("slash-latest.json")).expect("json");
    raw["member"].as_object_mut().map(|m| m.remove("flags"));
    let parse = serde_json::from_value::<Interaction>(raw.clone());
    let error = parse.expect_err("serenity must refuse it").to_string();

    let stub = DiscordStub::start().await;
    dispatch::answer_unparsed(&stub.http(), &raw, &error).await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 1);
    assert!(
        callbacks[0]
            .path
            .contains(raw["id"].as_str().unwrap_or("?"))
    );
    assert_eq!(
        callbacks[0].body,
        commands::something_went_wrong().to_json()
    );
}

#[test]
fn registered_commands_keep_discords_rules() {
    let json = registration::to_json();
    let commands = json.as_array().expect("a list");
    assert!(commands.len() <= 100);
    for command in commands {
        let name = command["name"].as_str().unwrap_or_default();
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
        common::assert_valid("ApplicationCommandCreateRequest", command);
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
/// registers the commands on READY, answers an interaction through its callback, answers one
/// it cannot parse with an apology, and stops cleanly when asked.
#[tokio::test]
async fn the_bot_connects_registers_answers_and_shuts_down() {
    use briefbot::config::Config;
    use std::time::Duration;

    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("serenity=info,briefbot=debug")
        .try_init();
    let stub = DiscordStub::start().await;
    let mut unparsable: Value = serde_json::from_str(&payload("slash-latest.json")).expect("json");
    unparsable["member"]
        .as_object_mut()
        .map(|m| m.remove("flags"));
    stub.state.interactions.lock().expect("lock").extend([
        serde_json::from_str(&payload("slash-round-5.json")).expect("json"),
        unparsable.clone(),
    ]);
    let mut config = Config::defaults();
    config.discord.guild_ids = vec![290_926_798_626_357_999];
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = start_bot(&stub, config, async {
        let _ = stopped.await;
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while stub.callbacks().len() < 2 || !stub.requests().iter().any(|r| r.method == "PUT") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no answers within 20 s: {:#?}",
            stub.requests()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let callbacks = stub.callbacks();
    let card = callbacks
        .iter()
        .find(|c| c.path.contains("786008729715212339"))
        .or(callbacks.first())
        .expect("card");
    assert_eq!(card.body["type"], 4);
    let apology = callbacks
        .iter()
        .find(|c| c.path.contains(unparsable["id"].as_str().unwrap_or("?")))
        .expect("the unparsable interaction is answered");
    assert_eq!(apology.body, commands::something_went_wrong().to_json());
    assert!(callbacks.iter().any(|c| {
        c.body["data"]["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Paris round"))
    }));
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

    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(10), bot)
        .await
        .expect("stops within 10 s");
    assert!(result.expect("task").is_ok());
}

fn start_bot(
    stub: &DiscordStub,
    config: briefbot::config::Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<Result<(), briefbot::gateway::GatewayError>> {
    let live = common::shipped_live();
    let http = stub.http();
    tokio::spawn(async move { briefbot::gateway::run(&config, http, live, shutdown).await })
}

#[tokio::test]
async fn a_stop_before_any_shard_is_up_still_returns() {
    let stub = DiscordStub::start().await;
    let bot = start_bot(&stub, briefbot::config::Config::defaults(), async {});
    let result = tokio::time::timeout(std::time::Duration::from_secs(10), bot)
        .await
        .expect("returns within 10 s");
    assert!(result.expect("task").is_ok());
}

#[tokio::test]
async fn a_shard_range_starts_exactly_its_shards() {
    use briefbot::config::{Config, Shards};
    let stub = DiscordStub::start().await;
    let mut config = Config::defaults();
    config.discord.shards = Shards::Range {
        first: 1,
        last: 1,
        total: 2,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = start_bot(&stub, config, async {
        let _ = stopped.await;
    });
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
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while identified().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no IDENTIFY within 20 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Give a wrongly started second shard time to show up.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(identified(), [serde_json::json!([1, 2])]);
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), bot).await;
}
