//! `/setup` against the loopback stand-in for Discord, over the gateway and over signed HTTP:
//! a server's admin chooses a channel, chooses or creates a follow role, sends a test post and
//! stops; each choice is checked first (briefbot's permissions in the channel, computed from
//! the server's roles and the channel's overwrites; a follow role safe to hand out), and a
//! member who may not manage the server is refused. The settings land in `servers.json`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::discord_stub::servers::{EMBED_LINKS, MANAGE_ROLES, SEND_MESSAGES, bot_role_of};
use crate::common::discord_stub::{DiscordStub, overwrite};
use crate::common::signing::serving;
use crate::common::{
    assert_matches_schema, assert_within_discord_limits, payload_json, shipped_live,
};
use briefbot::config::Config;
use briefbot::live::setup::{ServerSettings, Setup};
use briefbot::transport::interaction::Interaction;
use briefbot::transport::setup::SetupState;
use briefbot::transport::{Handler, gateway};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// The server, admin and admin's role of the fixtures.
const SERVER: u64 = 1_214_230_875_340_931_074;
const ADMIN: u64 = 1_117_007_747_481_731_076;
const ADMIN_ROLE: u64 = 1_214_512_732_569_731_077;
/// Manage Server (1 << 5) and Manage Roles.
const MANAGE_GUILD: u64 = 1 << 5;

const TEXT: u64 = 1_400_000_000_000_000_001;
const DENIED: u64 = 1_400_000_000_000_000_002;
const OTHER_SERVERS: u64 = 1_400_000_000_000_000_003;

/// Roles a careless admin might choose, each unsafe for its own reason.
const KICKERS: u64 = 1_500_000_000_000_000_001;
const INTEGRATION: u64 = 1_500_000_000_000_000_002;
const ABOVE_BOT: u64 = 1_500_000_000_000_000_003;
const ABOVE_ADMIN: u64 = 1_500_000_000_000_000_004;
const READERS: u64 = 1_500_000_000_000_000_005;
/// A role without permissions that a channel's overwrite lets in: taking it opens the channel.
const STAFF: u64 = 1_500_000_000_000_000_006;
const STAFF_ROOM: u64 = 1_400_000_000_000_000_004;

/// A server as `add_server` makes it, with the admin (Manage Server and Manage Roles, at
/// position 5, under briefbot's 10), channels and roles.
fn server(stub: &DiscordStub) {
    let bot_role = stub.add_server(SERVER);
    stub.add_role(
        SERVER,
        ADMIN_ROLE,
        "editors",
        5,
        MANAGE_GUILD | MANAGE_ROLES,
        false,
    );
    stub.give_member_roles(SERVER, ADMIN, &[ADMIN_ROLE]);
    stub.set_channel(TEXT, SERVER, 0, "briefings", Vec::new());
    // An overwrite on the channel takes Send Messages from briefbot's role.
    stub.set_channel(
        DENIED,
        SERVER,
        0,
        "quiet",
        vec![overwrite(bot_role, false, 0, SEND_MESSAGES)],
    );
    stub.set_channel(OTHER_SERVERS, SERVER + 7, 0, "elsewhere", Vec::new());
    stub.add_role(SERVER, KICKERS, "moderators", 2, 1 << 1, false);
    stub.add_role(SERVER, INTEGRATION, "a bot's role", 3, 0, true);
    stub.add_role(SERVER, ABOVE_BOT, "board", 12, 0, false);
    stub.add_role(SERVER, ABOVE_ADMIN, "senior", 7, 0, false);
    stub.add_role(SERVER, READERS, "readers", 1, 0, false);
    stub.add_role(SERVER, STAFF, "staff", 2, 0, false);
    stub.set_channel(
        STAFF_ROOM,
        SERVER,
        0,
        "staff-room",
        vec![
            overwrite(SERVER, false, 0, 1 << 10),
            overwrite(STAFF, false, 1 << 10, 0),
        ],
    );
    assert_eq!(bot_role, bot_role_of(SERVER));
}

/// The settings of a bot with `[setup]` on, kept in `state`.
async fn setup_in(state: &std::path::Path) -> Arc<Setup> {
    let mut config = Config::defaults();
    config.state_dir = state.to_path_buf();
    config.setup.enabled = true;
    Setup::start(&config).await.expect("set-up is on")
}

fn handler_with(stub: &DiscordStub, setup: Arc<Setup>) -> Arc<Handler> {
    Arc::new(
        Handler::new(shipped_live())
            .with_follow_roles(Vec::new(), Some(stub.rest()))
            .with_setup(SetupState::On(setup), Vec::new()),
    )
}

/// The admin (or a member with `permissions`) asking.
fn asked_by(mut raw: Value, token: &str, permissions: u64) -> Value {
    raw["token"] = json!(token);
    raw["member"]["permissions"] = json!(permissions.to_string());
    raw["member"]["roles"] = json!([ADMIN_ROLE.to_string()]);
    raw
}

fn slash_setup(permissions: u64) -> Value {
    let mut raw = payload_json("slash-latest.json");
    raw["data"]["name"] = json!("setup");
    raw["data"]["options"] = json!([]);
    asked_by(raw, "FIXTURE_INTERACTION_TOKEN_SETUP", permissions)
}

/// A press of the panel's button `what`.
fn press(what: &str) -> Value {
    let mut raw = payload_json("button-positions.json");
    raw["data"] = json!({"custom_id": format!("setup:syria-israel:{what}"), "component_type": 2});
    asked_by(
        raw,
        "FIXTURE_INTERACTION_TOKEN_SETUP_PRESS",
        MANAGE_GUILD | MANAGE_ROLES,
    )
}

/// A choice in the panel's menu `what` (`channel`: component type 8; `role`: 6).
fn choose(what: &str, id: u64) -> Value {
    let mut raw = payload_json("button-positions.json");
    let component_type = if what == "channel" { 8 } else { 6 };
    raw["data"] = json!({
        "custom_id": format!("setup:syria-israel:{what}"),
        "component_type": component_type,
        "values": [id.to_string()],
        "resolved": {}
    });
    asked_by(
        raw,
        "FIXTURE_INTERACTION_TOKEN_SETUP_CHOOSE",
        MANAGE_GUILD | MANAGE_ROLES,
    )
}

fn from_gateway(raw: &Value) -> Interaction {
    let parsed: serenity::all::Interaction =
        serde_json::from_value(raw.clone()).expect("serenity parses the payload");
    Interaction::from_serenity(&parsed)
}

/// Answers `raw` over the gateway; the callback's body, checked against Discord's schema.
async fn over_gateway(stub: &DiscordStub, handler: &Handler, raw: &Value) -> Value {
    let before = stub.callbacks().len();
    gateway::answer(&stub.rest(), handler, &from_gateway(raw)).await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), before + 1, "one answer");
    let answer = callbacks[before].body.clone();
    assert_within_discord_limits(&answer);
    assert_matches_schema(&answer);
    answer
}

/// The outcome line of a panel update (type 7).
fn outcome(answer: &Value) -> String {
    assert_eq!(answer["type"], 7, "{answer}");
    answer["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn settings(state: &std::path::Path) -> ServerSettings {
    let text = std::fs::read_to_string(state.join("servers.json")).unwrap_or_default();
    let json: Value = serde_json::from_str(&text).unwrap_or(json!({"servers": []}));
    ServerSettings {
        rows: serde_json::from_value(json["servers"].clone()).expect("rows"),
    }
}

/// Every answer of a session, for the record (`target/setup-session.json`).
fn keep(session: &[(String, Value)]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/setup-session.json");
    let _ = std::fs::write(
        path,
        serde_json::to_string_pretty(&json!(session)).unwrap_or_default(),
    );
}

#[tokio::test]
async fn an_admin_sets_up_a_track_over_the_gateway_channel_role_test_post_and_stop() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let handler = handler_with(&stub, setup_in(state.path()).await);
    let mut session = Vec::new();

    let panel = over_gateway(&stub, &handler, &slash_setup(MANAGE_GUILD | MANAGE_ROLES)).await;
    session.push(("/setup".to_string(), panel.clone()));
    assert_eq!(panel["type"], 4);
    assert_eq!(panel["data"]["flags"], 64, "only the admin sees it");
    assert_eq!(
        panel["data"]["embeds"][0]["title"],
        "Announcements of Syria–Israel talks in this server"
    );
    let rows = panel["data"]["components"].as_array().expect("rows");
    assert_eq!(rows[0]["components"][0]["type"], 8, "a channel menu");
    assert_eq!(rows[0]["components"][0]["channel_types"], json!([0, 5, 15]));
    assert_eq!(rows[1]["components"][0]["type"], 6, "a role menu");
    assert_eq!(rows[2]["components"].as_array().map(Vec::len), Some(5));

    let answer = over_gateway(&stub, &handler, &choose("channel", TEXT)).await;
    session.push((format!("choose channel {TEXT}"), answer.clone()));
    assert_eq!(
        outcome(&answer),
        format!("✅ New rounds of Syria–Israel talks will go to <#{TEXT}>, as a message.")
    );
    assert_eq!(
        answer["data"]["embeds"][0]["description"]
            .as_str()
            .and_then(|d| d.lines().next()),
        Some(format!("**Channel:** new rounds go to <#{TEXT}>, as a message.").as_str())
    );

    let answer = over_gateway(&stub, &handler, &press("newrole")).await;
    session.push(("press Create a follow role".to_string(), answer.clone()));
    let created: Vec<_> = stub
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/guilds/{SERVER}/roles"))
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].body["name"], "Syria–Israel talks");
    assert_eq!(created[0].body["permissions"], "0");
    let role = settings(state.path()).rows[0]
        .role
        .expect("the new role is saved");
    assert!(outcome(&answer).starts_with(&format!(
        "✅ Created <@&{role}>, with no permissions, just below briefbot's role"
    )));
    // Placed just below briefbot's own role (position 10).
    let moved: Vec<_> = stub
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.path == format!("/api/v10/guilds/{SERVER}/roles"))
        .collect();
    assert_eq!(
        moved[0].body,
        json!([{"id": role.to_string(), "position": 9}])
    );

    let answer = over_gateway(&stub, &handler, &press("test")).await;
    session.push(("press Send a test post".to_string(), answer.clone()));
    assert!(
        outcome(&answer).starts_with(&format!(
            "✅ A test post is in <#{TEXT}>; it is deleted in a minute."
        )),
        "{answer}"
    );
    let posts = stub.posts(TEXT);
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Test post from briefbot")
    );
    let sent = stub
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{TEXT}/messages"))
        .expect("the test post");
    assert_eq!(
        sent.body["allowed_mentions"],
        json!({"parse": []}),
        "it pings no one"
    );

    let answer = over_gateway(&stub, &handler, &press("stop")).await;
    session.push(("press Stop announcing here".to_string(), answer.clone()));
    assert_eq!(
        outcome(&answer),
        "✅ New rounds of Syria–Israel talks are no longer posted in this server (the operator's own channels aside)."
    );
    let rows = settings(state.path()).rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].channel, None);
    assert_eq!(rows[0].role, Some(role), "the follow role stays");
    assert_eq!(rows[0].changed_by, ADMIN);
    keep(&session);
    let _ = std::fs::copy(
        state.path().join("servers.json"),
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/setup-servers.json"),
    );

    // A stop deletes the test post at once rather than a minute later.
    handler.finish(Duration::from_secs(5)).await;
    assert!(stub.posts(TEXT).is_empty(), "the test post is deleted");
}

#[tokio::test]
async fn a_member_who_may_not_manage_the_server_is_refused_and_nothing_is_asked_of_discord() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let handler = handler_with(&stub, setup_in(state.path()).await);
    let answer = over_gateway(&stub, &handler, &slash_setup(1 << 10)).await;
    assert_eq!(
        answer["data"]["content"],
        "Only members who can manage this server may use /setup."
    );
    let mut pressed = press("stop");
    pressed["member"]["permissions"] = json!("1024");
    let answer = over_gateway(&stub, &handler, &pressed).await;
    assert_eq!(
        answer["data"]["content"],
        "Only members who can manage this server may use /setup."
    );
    assert!(
        stub.requests().iter().all(|r| !r.path.contains("/guilds/")),
        "no server was read"
    );
    assert!(settings(state.path()).rows.is_empty());
}

#[tokio::test]
async fn each_unsafe_follow_role_is_refused_with_its_reason() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let handler = handler_with(&stub, setup_in(state.path()).await);
    let cases = [
        (KICKERS, "grants permissions (Kick Members)"),
        (INTEGRATION, "is managed by an integration"),
        (SERVER, "@everyone is every member already"),
        (ABOVE_BOT, "is not below briefbot's highest role"),
        (ABOVE_ADMIN, "is not below your own highest role"),
        (
            STAFF,
            "is let into <#1400000000000000004> by that channel's permissions",
        ),
    ];
    for (role, reason) in cases {
        let answer = over_gateway(&stub, &handler, &choose("role", role)).await;
        let text = outcome(&answer);
        assert!(
            text.starts_with(&format!("❌ <@&{role}> was not made the follow role")),
            "{text}"
        );
        assert!(text.contains(reason), "{role}: {text}");
    }
    // An admin without Manage Roles may not choose who hands out a role.
    let mut lacking = choose("role", READERS);
    lacking["member"]["roles"] = json!([]);
    let answer = over_gateway(&stub, &handler, &lacking).await;
    assert!(
        outcome(&answer).contains("you need the Manage Roles permission"),
        "{answer}"
    );
    assert!(
        settings(state.path()).rows.is_empty(),
        "nothing unsafe was saved"
    );

    let answer = over_gateway(&stub, &handler, &choose("role", READERS)).await;
    assert!(
        outcome(&answer).starts_with(&format!("✅ <@&{READERS}> is the follow role")),
        "{answer}"
    );
    assert_eq!(settings(state.path()).rows[0].role, Some(READERS));
}

#[tokio::test]
async fn a_permission_missing_in_the_chosen_channel_is_named_with_its_fix() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let handler = handler_with(&stub, setup_in(state.path()).await);
    let answer = over_gateway(&stub, &handler, &choose("channel", DENIED)).await;
    assert_eq!(
        outcome(&answer),
        format!(
            "❌ New rounds cannot go to <#{DENIED}>\n• briefbot lacks Send Messages, Embed Links in <#{DENIED}>; <#{DENIED}>'s own permissions deny it: in the channel's settings → Permissions, allow them for briefbot's role"
        )
    );
    let answer = over_gateway(&stub, &handler, &choose("channel", OTHER_SERVERS)).await;
    assert!(
        outcome(&answer).contains("that channel is not in this server"),
        "{answer}"
    );
    assert!(settings(state.path()).rows.is_empty());
    let _ = EMBED_LINKS;
}

/// POSTs `raw` signed as Discord signs it; the response body, checked against Discord's
/// limits and schema.
async fn over_http(addr: SocketAddr, raw: &Value) -> Value {
    let answer = crate::common::signing::over_http(addr, raw).await;
    assert_within_discord_limits(&answer);
    assert_matches_schema(&answer);
    answer
}

#[tokio::test]
async fn the_same_session_over_signed_http_and_a_member_refused() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let addr = serving(handler_with(&stub, setup_in(state.path()).await)).await;

    let panel = over_http(addr, &slash_setup(MANAGE_GUILD | MANAGE_ROLES)).await;
    assert_eq!(panel["type"], 4);
    let answer = over_http(addr, &choose("channel", TEXT)).await;
    assert!(
        outcome(&answer).starts_with("✅ New rounds of Syria–Israel talks will go to"),
        "{answer}"
    );
    let answer = over_http(addr, &choose("role", READERS)).await;
    assert!(outcome(&answer).starts_with("✅"), "{answer}");
    let answer = over_http(addr, &press("newrole")).await;
    assert!(outcome(&answer).starts_with("✅ Created"), "{answer}");
    let answer = over_http(addr, &press("test")).await;
    assert!(
        outcome(&answer).starts_with("✅ A test post is in"),
        "{answer}"
    );
    let answer = over_http(addr, &press("stop")).await;
    assert!(
        outcome(&answer).starts_with("✅ New rounds of Syria–Israel talks are no longer posted"),
        "{answer}"
    );
    let answer = over_http(addr, &slash_setup(1 << 10)).await;
    assert_eq!(
        answer["data"]["content"],
        "Only members who can manage this server may use /setup."
    );
    // Over HTTP the answer is the response body: nothing went to the callback route.
    assert!(stub.callbacks().is_empty());
}

/// What Discord says over the gateway when something goes away: a channel deleted, a role
/// deleted, briefbot removed from a server. A server that is only unavailable (an outage)
/// keeps its settings.
#[tokio::test]
async fn what_goes_away_over_the_gateway_is_switched_off_once_and_an_outage_is_not() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let setup = setup_in(state.path()).await;
    const OUTAGE: u64 = 1_600_000_000_000_000_000;
    const REMOVED: u64 = 1_700_000_000_000_000_000;
    for (server, channel, role) in [
        (SERVER, TEXT, READERS),
        (OUTAGE, OUTAGE + 1, OUTAGE + 2),
        (REMOVED, REMOVED + 1, REMOVED + 2),
    ] {
        setup
            .change(move |s| {
                let row = s.entry(server, "syria-israel");
                row.channel = Some(channel);
                row.role = Some(role);
            })
            .await
            .expect("saved");
    }
    let handler = handler_with(&stub, setup.clone());
    let mut config = Config::defaults();
    config.setup.enabled = true;
    let stop = CancellationToken::new();
    let bot = {
        let (rest, stop) = (stub.rest(), stop.clone());
        tokio::spawn(async move { gateway::run(&config, rest, handler, stop).await })
    };
    stub.dispatch(
        "CHANNEL_DELETE",
        json!({"id": TEXT.to_string(), "type": 0, "guild_id": SERVER.to_string(), "name": "briefings",
               "position": 1, "permission_overwrites": [], "nsfw": false, "parent_id": null}),
    );
    stub.dispatch(
        "GUILD_ROLE_DELETE",
        json!({"guild_id": SERVER.to_string(), "role_id": READERS.to_string()}),
    );
    stub.dispatch(
        "GUILD_DELETE",
        json!({"id": OUTAGE.to_string(), "unavailable": true}),
    );
    stub.dispatch("GUILD_DELETE", json!({"id": REMOVED.to_string()}));
    // Told twice: switched off (and logged) once.
    stub.dispatch("GUILD_DELETE", json!({"id": REMOVED.to_string()}));
    crate::common::eventually("the settings switched off", Duration::from_secs(20), || {
        let current = setup.current();
        let done = current
            .settings
            .get(REMOVED, "syria-israel")
            .is_some_and(|r| r.role_off.is_some())
            && current
                .settings
                .get(SERVER, "syria-israel")
                .is_some_and(|r| r.role_off.is_some() && r.channel_off.is_some());
        async move { done }
    })
    .await;
    let current = setup.current();
    let ours = current.settings.get(SERVER, "syria-israel").expect("row");
    assert_eq!(
        ours.channel_off.as_deref(),
        Some("the channel was deleted, or briefbot can no longer see it")
    );
    assert_eq!(ours.role_off.as_deref(), Some("the role was deleted"));
    let removed = current.settings.get(REMOVED, "syria-israel").expect("row");
    assert_eq!(
        removed.channel_off.as_deref(),
        Some("briefbot was removed from the server")
    );
    let outage = current.settings.get(OUTAGE, "syria-israel").expect("row");
    assert_eq!(
        (outage.channel_off.clone(), outage.role_off.clone()),
        (None, None)
    );
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
        identify["d"]["intents"], 1,
        "the Guilds intent, for what goes away"
    );
    stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), bot).await;

    // The admins see it in the panel, with what to do.
    let handler = handler_with(&stub, setup.clone());
    let panel = over_gateway(&stub, &handler, &slash_setup(MANAGE_GUILD | MANAGE_ROLES)).await;
    let description = panel["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(description.contains(&format!(
        "**Channel:** <#{TEXT}> is switched off: the channel was deleted, or briefbot can no longer see it. Choose a channel again below."
    )), "{description}");
    assert!(
        description.contains(&format!(
            "**Follow role:** <@&{READERS}> is switched off: the role was deleted."
        )),
        "{description}"
    );
}

/// An answer that briefbot is not in the server, to a step asked from that very server, is
/// not taken at its word (Discord has answered so wrongly): nothing is switched off, and the
/// admin is told to try again. Over HTTP, a server briefbot left is noticed by the announcer
/// (tests/live/servers.rs).
#[tokio::test]
async fn an_unknown_server_answer_to_a_step_from_that_server_switches_nothing_off() {
    let stub = DiscordStub::start().await;
    let state = tempfile::tempdir().expect("tempdir");
    let setup = setup_in(state.path()).await;
    setup
        .change(|s| s.entry(SERVER, "syria-israel").channel = Some(TEXT))
        .await
        .expect("saved");
    // The stand-in has no such server.
    let addr = serving(handler_with(&stub, setup.clone())).await;
    let answer = over_http(addr, &choose("channel", TEXT)).await;
    let text = outcome(&answer);
    assert!(text.starts_with("❌ Nothing was changed"), "{text}");
    assert!(text.contains("try again in a minute"), "{text}");
    let row = setup
        .current()
        .settings
        .get(SERVER, "syria-israel")
        .cloned()
        .expect("row");
    assert_eq!(row.channel_off, None);
}

/// A test post where briefbot could not delete it again is not made: in a forum (a post is a
/// thread, and deleting one takes Manage Threads) it is refused with the fix; in a channel
/// with threads the message is posted and its thread not tried.
#[tokio::test]
async fn a_test_post_briefbot_could_not_delete_is_not_made() {
    use briefbot::config::AnnounceMode;
    let stub = DiscordStub::start().await;
    server(&stub);
    const FORUM: u64 = 1_400_000_000_000_000_015;
    stub.set_channel(FORUM, SERVER, 15, "discussion", Vec::new());
    let state = tempfile::tempdir().expect("tempdir");
    let setup = setup_in(state.path()).await;
    let handler = handler_with(&stub, setup.clone());
    let answer = over_gateway(&stub, &handler, &choose("channel", FORUM)).await;
    assert_eq!(
        outcome(&answer),
        format!(
            "✅ New rounds of Syria–Israel talks will go to <#{FORUM}>, as a post in the forum."
        )
    );
    let answer = over_gateway(&stub, &handler, &press("test")).await;
    assert!(
        outcome(&answer).contains("briefbot could not delete it again without Manage Threads"),
        "{answer}"
    );
    assert!(
        stub.state.threads.lock().expect("lock").is_empty(),
        "no post made"
    );

    let answer = over_gateway(&stub, &handler, &choose("channel", TEXT)).await;
    assert!(outcome(&answer).starts_with("✅"), "{answer}");
    let answer = over_gateway(&stub, &handler, &press("thread:on")).await;
    assert_eq!(
        outcome(&answer),
        format!(
            "✅ New rounds will go to <#{TEXT}> as a message with a discussion thread under it."
        )
    );
    assert_eq!(
        setup
            .current()
            .settings
            .get(SERVER, "syria-israel")
            .map(|r| r.mode),
        Some(AnnounceMode::Thread)
    );
    let answer = over_gateway(&stub, &handler, &press("test")).await;
    let text = outcome(&answer);
    assert!(
        text.starts_with(&format!("✅ A test post is in <#{TEXT}>")),
        "{text}"
    );
    assert!(text.contains("Its thread was not tried"), "{text}");
    assert_eq!(stub.posts(TEXT).len(), 1);
    assert!(stub.state.threads.lock().expect("lock").is_empty());
}

/// A role a server chose is checked again at every /follow: one that gained a permission is
/// not given (and a member can still leave it); one deleted is switched off.
#[tokio::test]
async fn a_servers_follow_role_is_checked_again_at_every_follow() {
    let stub = DiscordStub::start().await;
    server(&stub);
    let state = tempfile::tempdir().expect("tempdir");
    let setup = setup_in(state.path()).await;
    setup
        .change(|s| s.entry(SERVER, "syria-israel").role = Some(READERS))
        .await
        .expect("saved");
    let handler = handler_with(&stub, setup.clone());
    let follow = |roles: &[u64]| {
        let mut raw = payload_json("slash-latest.json");
        raw["data"]["name"] = json!("follow");
        raw["data"]["options"] = json!([]);
        raw["token"] = json!("FIXTURE_INTERACTION_TOKEN_FOLLOW");
        raw["app_permissions"] = json!((MANAGE_ROLES | (1 << 10) | (1 << 11)).to_string());
        raw["member"]["roles"] = json!(roles.iter().map(u64::to_string).collect::<Vec<_>>());
        raw
    };
    let answer = over_gateway(&stub, &handler, &follow(&[ADMIN_ROLE])).await;
    assert_eq!(
        answer["data"]["content"],
        "You'll be pinged for new rounds of Syria–Israel talks."
    );
    // Someone gave the role Kick Members since.
    stub.add_role(SERVER, READERS, "readers", 1, 1 << 1, false);
    let answer = over_gateway(&stub, &handler, &follow(&[ADMIN_ROLE])).await;
    let text = answer["data"]["content"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(
            "This server's follow role for Syria–Israel talks cannot be handed out as it is: "
        ),
        "{text}"
    );
    assert!(text.contains("grants permissions (Kick Members)"), "{text}");
    // Leaving it is never refused.
    let answer = over_gateway(&stub, &handler, &follow(&[ADMIN_ROLE, READERS])).await;
    assert_eq!(
        answer["data"]["content"],
        "You no longer follow Syria–Israel talks; you won't be pinged for its rounds."
    );
    // Deleted: switched off, and the member told.
    stub.state
        .servers
        .lock()
        .expect("lock")
        .get_mut(&SERVER)
        .expect("server")
        .roles
        .retain(|r| r["id"] != json!(READERS.to_string()));
    let answer = over_gateway(&stub, &handler, &follow(&[ADMIN_ROLE])).await;
    assert_eq!(
        answer["data"]["content"],
        "This server's follow role for Syria–Israel talks was deleted. A server admin can choose or create another with /setup."
    );
    let row = setup
        .current()
        .settings
        .get(SERVER, "syria-israel")
        .cloned()
        .expect("row");
    assert_eq!(row.role_off.as_deref(), Some("the role was deleted"));
}

/// The operator's own targets show read-only, and win where the server names the same channel;
/// the operator's list of servers and cap are kept.
#[tokio::test]
async fn the_operators_targets_show_read_only_and_its_servers_list_and_cap_hold() {
    use briefbot::config::{AnnounceMode, AnnounceTarget};
    let stub = DiscordStub::start().await;
    server(&stub);
    const SECOND: u64 = 1_400_000_000_000_000_009;
    stub.set_channel(SECOND, SERVER, 0, "second", Vec::new());
    let state = tempfile::tempdir().expect("tempdir");
    let mut config = Config::defaults();
    config.state_dir = state.path().to_path_buf();
    config.setup.enabled = true;
    config.setup.max_targets_per_server = 1;
    let setup = Setup::start(&config).await.expect("set-up");
    // Another track already announced in this server: the cap of one is reached.
    setup
        .change(|s| s.entry(SERVER, "gulf").channel = Some(SECOND))
        .await
        .expect("saved");
    let handler = Arc::new(
        Handler::new(shipped_live())
            .with_follow_roles(Vec::new(), Some(stub.rest()))
            .with_setup(
                SetupState::On(setup.clone()),
                vec![AnnounceTarget {
                    channel: TEXT,
                    mode: AnnounceMode::Thread,
                }],
            ),
    );
    let panel = over_gateway(&stub, &handler, &slash_setup(MANAGE_GUILD | MANAGE_ROLES)).await;
    let description = panel["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains(&format!(
            "**Set by the operator** (every track, not changed here): <#{TEXT}> (as a message with a discussion thread under it)."
        )),
        "{description}"
    );
    let answer = over_gateway(&stub, &handler, &choose("channel", TEXT)).await;
    assert!(
        outcome(&answer).contains("this server already announces 1 track in its own channels, the most briefbot's operator allows"),
        "{answer}"
    );
    setup
        .change(|s| s.entry(SERVER, "gulf").channel = None)
        .await
        .expect("saved");
    let answer = over_gateway(&stub, &handler, &choose("channel", TEXT)).await;
    let description = answer["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains(
            "The operator's settings also name this channel, and theirs are the ones used there."
        ),
        "{description}"
    );

    // A server the operator did not list is told so, and nothing is read or saved.
    config.setup.servers = vec![SERVER + 1];
    let other_state = tempfile::tempdir().expect("tempdir");
    config.state_dir = other_state.path().to_path_buf();
    let closed = Arc::new(
        Handler::new(shipped_live())
            .with_follow_roles(Vec::new(), Some(stub.rest()))
            .with_setup(
                SetupState::On(Setup::start(&config).await.expect("set-up")),
                Vec::new(),
            ),
    );
    let answer = over_gateway(&stub, &closed, &slash_setup(MANAGE_GUILD | MANAGE_ROLES)).await;
    assert_eq!(
        answer["data"]["content"],
        "briefbot's operator has not opened set-up for this server. Ask them to add it to [setup] servers."
    );
    // Set-up off in this process: the member is told why.
    let off = Arc::new(
        Handler::new(shipped_live())
            .with_follow_roles(Vec::new(), Some(stub.rest()))
            .with_setup(
                SetupState::Off("another briefbot process uses the servers' settings".into()),
                Vec::new(),
            ),
    );
    let answer = over_gateway(&stub, &off, &slash_setup(MANAGE_GUILD | MANAGE_ROLES)).await;
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Server set-up is off in this briefbot (another briefbot process"),
        "{answer}"
    );
}
