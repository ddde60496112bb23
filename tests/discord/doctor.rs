//! `briefbot doctor` against the loopback stand-in for Discord, and the stand-in's servers,
//! roles, members and channel overwrites as briefbot's REST client and permission rules read
//! them.

use briefbot::permissions::listed;
use serde_json::json;
use serenity::all::Permissions;

use crate::common::discord_stub::servers::SERVER_OWNER;
use crate::common::discord_stub::{APPLICATION_ID, DiscordStub, VERIFY_KEY, overwrite};

const GUILD: u64 = 424_242_424_242_424_242;
const CHANNEL: u64 = 515_151_515_151_515_151;

#[tokio::test]
async fn the_stub_servers_roles_and_overwrites_read_as_discords_permission_rules_say() {
    let stub = DiscordStub::start().await;
    let bot_role = stub.add_server(GUILD);
    stub.add_role(
        GUILD,
        777,
        "followers",
        3,
        Permissions::empty().bits(),
        false,
    );
    stub.set_channel(
        CHANNEL,
        GUILD,
        0,
        "briefings",
        vec![overwrite(
            bot_role,
            false,
            0,
            Permissions::SEND_MESSAGES.bits(),
        )],
    );
    let rest = stub.rest();

    let server = rest.server(GUILD).await.expect("the server");
    assert_eq!(server.id, GUILD);
    assert_eq!(server.owner_id, SERVER_OWNER);
    assert_eq!(server.roles.len(), 3);
    let member = rest.member(GUILD, APPLICATION_ID).await.expect("the bot");
    assert_eq!(member.roles, vec![bot_role]);
    let channel = rest.channel_details(CHANNEL).await.expect("the channel");
    assert_eq!(channel.guild, Some(GUILD));
    assert_eq!(channel.kind, 0);
    assert_eq!(channel.name, "briefings");
    assert_eq!(channel.overwrites.len(), 1);

    let base = server.base_permissions(&member);
    assert!(base.contains(Permissions::SEND_MESSAGES | Permissions::MANAGE_ROLES));
    let here = server.channel_permissions(&member, &channel.overwrites);
    let missing = (Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::EMBED_LINKS
        | Permissions::READ_MESSAGE_HISTORY)
        - here;
    // Embed Links goes with Send Messages, as Discord takes it away implicitly.
    assert_eq!(listed(missing), "Send Messages, Embed Links");
    assert!(server.unsafe_follow_role(777, &member, None).is_empty());

    // Unknown servers and members are Discord's 404s, with their codes.
    let unknown = rest.server(GUILD + 5).await.expect_err("no such server");
    assert!(unknown.to_string().contains("10004"), "{unknown}");
    let stranger = rest.member(GUILD, 12345).await.expect_err("no such member");
    assert!(stranger.to_string().contains("10007"), "{stranger}");
}

#[tokio::test]
async fn the_stub_makes_and_moves_roles_only_below_the_bot_and_answers_the_application() {
    let stub = DiscordStub::start().await;
    let bot_role = stub.add_server(GUILD);
    let rest = stub.rest();
    let made = rest
        .create_role(GUILD, "followers")
        .await
        .expect("a new role");
    let server = rest.server(GUILD).await.expect("the server");
    assert_eq!(server.role(made).map(|r| r.position), Some(1));
    assert_eq!(server.role(bot_role).map(|r| r.position), Some(11));
    rest.move_role(GUILD, made, 5)
        .await
        .expect("moved below the bot");
    let server = rest.server(GUILD).await.expect("the server");
    assert_eq!(server.role(made).map(|r| r.position), Some(5));
    assert_eq!(server.role(bot_role).map(|r| r.position), Some(11));
    let above = rest
        .move_role(GUILD, made, 11)
        .await
        .expect_err("at the bot's");
    assert!(above.to_string().contains("50013"), "{above}");

    let application = rest.application().await.expect("the application");
    assert_eq!(application.id, APPLICATION_ID);
    assert_eq!(application.verify_key, VERIFY_KEY);
    assert_eq!(application.interactions_endpoint_url, None);

    // A role the server lacks cannot be given (Unknown Role); one it has can.
    let user = 31_337;
    let give = |role: u64| {
        reqwest::Client::new()
            .put(format!(
                "http://{}/api/v10/guilds/{GUILD}/members/{user}/roles/{role}",
                stub.addr
            ))
            .send()
    };
    let missing = give(999).await.expect("an answer");
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value =
        serde_json::from_slice(&missing.bytes().await.expect("a body")).expect("JSON");
    assert_eq!(body["code"], 10011);
    assert_eq!(give(made).await.expect("an answer").status(), 204);
    let member = rest.member(GUILD, user).await.expect("now a member");
    assert_eq!(member.roles, vec![made]);
}

#[tokio::test]
async fn the_stub_refuses_another_token_and_forgets_deleted_channels() {
    let stub = DiscordStub::start().await;
    *stub.state.accepted_token.lock().expect("lock") = Some("another.token.entirely".into());
    let refused = stub.rest().application().await.expect_err("not our token");
    assert!(refused.to_string().contains("401"), "{refused}");
    *stub.state.accepted_token.lock().expect("lock") = None;

    stub.state
        .deleted_channels
        .lock()
        .expect("lock")
        .insert(CHANNEL);
    let gone = stub
        .rest()
        .channel_details(CHANNEL)
        .await
        .expect_err("gone");
    assert!(gone.to_string().contains("10003"), "{gone}");
}

#[tokio::test]
async fn the_stub_deletes_messages_and_threads() {
    let stub = DiscordStub::start().await;
    let rest = stub.rest();
    let client = reqwest::Client::new();
    let posted = client
        .post(format!(
            "http://{}/api/v10/channels/{CHANNEL}/messages",
            stub.addr
        ))
        .body(json!({"content": "hello"}).to_string())
        .send()
        .await
        .expect("posted")
        .bytes()
        .await
        .expect("a body");
    let posted: serde_json::Value = serde_json::from_slice(&posted).expect("JSON");
    let id: u64 = posted["id"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .expect("an id");
    rest.delete_message(CHANNEL, id).await.expect("deleted");
    assert!(stub.posts(CHANNEL).is_empty());
    let again = rest.delete_message(CHANNEL, id).await.expect_err("gone");
    assert!(again.to_string().contains("10008"), "{again}");
    let missing = rest.delete_thread(CHANNEL).await.expect_err("not a thread");
    assert!(missing.to_string().contains("10003"), "{missing}");
}

/// Events a test dispatches reach the bot: one sent before it connected (after READY), one
/// sent while its session is live.
#[tokio::test]
async fn the_stub_dispatches_gateway_events_queued_and_live() {
    use std::time::Duration;

    let stub = DiscordStub::start().await;
    let payload = |name: &str| -> serde_json::Value {
        serde_json::from_str(&crate::common::payload(name)).expect("json")
    };
    let early = payload("slash-round-5.json");
    let late = payload("message-brief-me.json");
    stub.dispatch("INTERACTION_CREATE", early.clone());
    let stop = tokio_util::sync::CancellationToken::new();
    let handler = crate::common::handler(crate::common::shipped_live());
    let rest = stub.rest();
    let config = briefbot::config::Config::defaults();
    let running = stop.clone();
    let bot = tokio::spawn(async move {
        briefbot::transport::gateway::run(&config, rest, handler, running).await
    });
    let answered = |raw: &serde_json::Value| {
        let id = raw["id"].as_str().unwrap_or("?").to_string();
        stub.callbacks().iter().any(|c| c.path.contains(&id))
    };
    crate::common::eventually("the queued event", Duration::from_secs(20), || {
        std::future::ready(answered(&early))
    })
    .await;
    stub.dispatch("INTERACTION_CREATE", late.clone());
    crate::common::eventually("the live event", Duration::from_secs(20), || {
        std::future::ready(answered(&late))
    })
    .await;
    stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), bot).await;
}
