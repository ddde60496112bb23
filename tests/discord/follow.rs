//! Following a track against the loopback stand-in for Discord: `/follow` and the Follow
//! button give and take the server's follow role through the REST client, over the gateway
//! and over HTTP; a missing Manage Roles, a role above briefbot's, a DM, a server without a
//! follow role and a bot without its token are each answered plainly; a slow role change is
//! answered "thinking" in time and the answer edited afterwards. The real binary, `run` and
//! `serve`, gives the roles of its `[[follow]]` config.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::discord_stub::{DiscordStub, Recorded};
use crate::common::signing::{public_key_hex, test_key};
use crate::common::{eventually, payload_json, shipped_live};
use briefbot::config::FollowRole;
use briefbot::transport::interaction::Interaction;
use briefbot::transport::{Handler, gateway};
use serde_json::{Value, json};

/// The server, member and application of the fixtures.
const SERVER: u64 = 1_214_230_875_340_931_074;
const MEMBER: u64 = 1_117_007_747_481_731_076;
const APPLICATION: u64 = 1_445_021_614_080_131_073;
/// A role the member has in every fixture.
const MEMBER_ROLE: u64 = 1_214_512_732_569_731_077;
/// The server's follow role of `syria-israel`.
const FOLLOW_ROLE: u64 = 1_300_000_000_000_000_001;
/// What the fixtures give briefbot (`app_permissions`), and Manage Roles.
const FIXTURE_PERMISSIONS: u64 = 442_368;
const MANAGE_ROLES: u64 = 1 << 28;

const FOLLOWED: &str = "You'll be pinged for new rounds of Syria–Israel talks.";
const UNFOLLOWED: &str =
    "You no longer follow Syria–Israel talks; you won't be pinged for its rounds.";

fn follow_roles() -> Vec<FollowRole> {
    vec![FollowRole {
        server: SERVER,
        track: "syria-israel".into(),
        role: FOLLOW_ROLE,
    }]
}

/// The handler as `run` builds it, giving roles through the stand-in.
fn handler_on(stub: &DiscordStub) -> Arc<Handler> {
    handler_with(follow_roles(), Some(stub))
}

fn handler_with(table: Vec<FollowRole>, stub: Option<&DiscordStub>) -> Arc<Handler> {
    let rest = stub.map(DiscordStub::rest);
    Arc::new(Handler::new(shipped_live()).with_follow_roles(table, rest))
}

/// The member, holding `roles`, where briefbot has `permissions`.
fn asked_by(mut raw: Value, token: &str, roles: &[u64], permissions: u64) -> Value {
    raw["token"] = json!(token);
    raw["app_permissions"] = json!(permissions.to_string());
    raw["member"]["roles"] = json!(roles.iter().map(u64::to_string).collect::<Vec<_>>());
    raw
}

/// `/follow` without a track.
fn slash_follow(roles: &[u64], permissions: u64) -> Value {
    let mut raw = payload_json("slash-latest.json");
    raw["data"]["name"] = json!("follow");
    asked_by(
        raw,
        "FIXTURE_INTERACTION_TOKEN_SLASH_FOLLOW",
        roles,
        permissions,
    )
}

/// The Follow button of `syria-israel`, pressed on round 5's card.
fn press_follow(roles: &[u64], permissions: u64) -> Value {
    let mut raw = payload_json("button-positions.json");
    raw["data"]["custom_id"] = json!("follow:syria-israel");
    asked_by(
        raw,
        "FIXTURE_INTERACTION_TOKEN_PRESS_FOLLOW",
        roles,
        permissions,
    )
}

/// A payload as the gateway hands it over: parsed by serenity.
fn from_gateway(raw: &Value) -> Interaction {
    let parsed: serenity::all::Interaction =
        serde_json::from_value(raw.clone()).expect("serenity parses the payload");
    Interaction::from_serenity(&parsed)
}

fn role_calls(stub: &DiscordStub) -> Vec<(String, String)> {
    stub.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v10/guilds/"))
        .map(|r| (r.method, r.path))
        .collect()
}

fn role_path() -> String {
    format!("/api/v10/guilds/{SERVER}/members/{MEMBER}/roles/{FOLLOW_ROLE}")
}

fn held_roles(stub: &DiscordStub) -> Vec<u64> {
    let roles = stub.state.member_roles.lock().expect("lock");
    let mut held: Vec<u64> = roles
        .get(&(SERVER, MEMBER))
        .into_iter()
        .flatten()
        .copied()
        .collect();
    held.sort_unstable();
    held
}

/// The private answer's text, after checking it is private.
fn private_text(response: &Value) -> String {
    assert_eq!(response["type"], 4, "{response}");
    assert_eq!(response["data"]["flags"], 64, "{response}");
    crate::common::assert_within_discord_limits(response);
    response["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Answers `raw` over the gateway and returns the callback's body.
async fn over_gateway(stub: &DiscordStub, handler: &Handler, raw: &Value) -> Value {
    let before = stub.callbacks().len();
    gateway::answer(&stub.rest(), handler, &from_gateway(raw)).await;
    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), before + 1, "one answer");
    callbacks[before].body.clone()
}

#[tokio::test]
async fn following_then_unfollowing_over_the_gateway_gives_then_takes_the_role() {
    let stub = DiscordStub::start().await;
    let handler = handler_on(&stub);
    let permissions = FIXTURE_PERMISSIONS | MANAGE_ROLES;

    let answer = over_gateway(&stub, &handler, &slash_follow(&[MEMBER_ROLE], permissions)).await;
    assert_eq!(private_text(&answer), FOLLOWED);
    assert_eq!(role_calls(&stub), [("PUT".to_string(), role_path())]);
    assert_eq!(held_roles(&stub), [FOLLOW_ROLE]);

    // The member now holds the role: the button takes it away.
    let answer = over_gateway(
        &stub,
        &handler,
        &press_follow(&[MEMBER_ROLE, FOLLOW_ROLE], permissions),
    )
    .await;
    assert_eq!(private_text(&answer), UNFOLLOWED);
    assert_eq!(
        role_calls(&stub),
        [
            ("PUT".to_string(), role_path()),
            ("DELETE".to_string(), role_path())
        ]
    );
    assert!(held_roles(&stub).is_empty());
}

#[tokio::test]
async fn without_manage_roles_no_role_call_is_made_and_the_member_is_told() {
    let stub = DiscordStub::start().await;
    let handler = handler_on(&stub);
    for raw in [
        slash_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS),
        press_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS),
    ] {
        let answer = over_gateway(&stub, &handler, &raw).await;
        assert_eq!(
            private_text(&answer),
            "briefbot cannot give or remove roles in this server: it needs the Manage Roles permission. A server admin can grant it (Server Settings → Roles → briefbot's role)."
        );
    }
    assert!(role_calls(&stub).is_empty());
}

#[tokio::test]
async fn a_role_above_briefbots_own_is_named_not_answered_with_a_generic_error() {
    let stub = DiscordStub::start().await;
    stub.state
        .roles_above_bot
        .lock()
        .expect("lock")
        .insert(FOLLOW_ROLE);
    let handler = handler_on(&stub);
    let answer = over_gateway(
        &stub,
        &handler,
        &press_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS | MANAGE_ROLES),
    )
    .await;
    assert_eq!(
        private_text(&answer),
        format!(
            "briefbot cannot give or remove <@&{FOLLOW_ROLE}>: that role is above briefbot's highest role. A server admin can move it below briefbot's role (Server Settings → Roles, drag it lower)."
        )
    );
    // It was tried once: Discord's refusal is what tells.
    assert_eq!(role_calls(&stub), [("PUT".to_string(), role_path())]);
    assert!(held_roles(&stub).is_empty());
}

#[tokio::test]
async fn in_a_dm_or_a_server_without_a_follow_role_the_answer_says_why() {
    let stub = DiscordStub::start().await;
    let mut dm = payload_json("dm-button-positions.json");
    dm["data"]["custom_id"] = json!("follow:syria-israel");
    let answer = over_gateway(&stub, &handler_on(&stub), &dm).await;
    assert!(
        private_text(&answer).starts_with("Following works in a server: "),
        "{answer}"
    );

    let elsewhere = FollowRole {
        server: SERVER + 1,
        ..follow_roles().remove(0)
    };
    let handler = handler_with(vec![elsewhere], Some(&stub));
    let permissions = FIXTURE_PERMISSIONS | MANAGE_ROLES;
    for raw in [
        slash_follow(&[MEMBER_ROLE], permissions),
        press_follow(&[MEMBER_ROLE], permissions),
    ] {
        let answer = over_gateway(&stub, &handler, &raw).await;
        assert_eq!(
            private_text(&answer),
            "This server has no follow role for `syria-israel`; a server admin can add one in briefbot's config."
        );
    }
    assert!(role_calls(&stub).is_empty());
}

#[tokio::test]
async fn a_bot_without_its_token_says_it_cannot_change_roles() {
    let stub = DiscordStub::start().await;
    let handler = handler_with(follow_roles(), None);
    let answer = over_gateway(
        &stub,
        &handler,
        &slash_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS | MANAGE_ROLES),
    )
    .await;
    assert!(
        private_text(&answer).starts_with("briefbot cannot change roles here"),
        "{answer}"
    );
    assert!(role_calls(&stub).is_empty());
}

/// The edits of the answer to the interaction whose token is `token`.
fn edits(stub: &DiscordStub, token: &str) -> Vec<Recorded> {
    let path = format!("/api/v10/webhooks/{APPLICATION}/{token}/messages/@original");
    stub.requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.path == path)
        .collect()
}

/// After a deferred answer: the one edit, saying that the member now follows the track.
async fn assert_edited_to_followed(stub: &DiscordStub, token: &str) {
    eventually(
        "the deferred answer's edit",
        Duration::from_secs(10),
        || {
            let edited = !edits(stub, token).is_empty();
            async move { edited }
        },
    )
    .await;
    let edits = edits(stub, token);
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].body["content"], FOLLOWED);
    assert!(edits[0].body.get("flags").is_none(), "{}", edits[0].body);
    assert_eq!(edits[0].body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(held_roles(stub), [FOLLOW_ROLE]);
}

/// "briefbot is thinking", seen only by the member.
fn deferred() -> Value {
    json!({"type": 5, "data": {"flags": 64}})
}

#[tokio::test]
async fn a_slow_role_change_over_the_gateway_is_deferred_then_the_answer_edited() {
    let stub = DiscordStub::start().await;
    *stub.state.role_delay.lock().expect("lock") = Duration::from_millis(2000);
    let handler = handler_on(&stub);
    let started = tokio::time::Instant::now();
    let answer = over_gateway(
        &stub,
        &handler,
        &slash_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS | MANAGE_ROLES),
    )
    .await;
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(answer, deferred());
    assert!(edits(&stub, "FIXTURE_INTERACTION_TOKEN_SLASH_FOLLOW").is_empty());
    // A stop waits for the edit, so the member is not left with "thinking…".
    assert!(handler.finish(Duration::from_secs(10)).await);
    assert_eq!(
        edits(&stub, "FIXTURE_INTERACTION_TOKEN_SLASH_FOLLOW").len(),
        1
    );
    assert_edited_to_followed(&stub, "FIXTURE_INTERACTION_TOKEN_SLASH_FOLLOW").await;
}

use crate::common::signing::{over_http, serving};

#[tokio::test]
async fn following_then_unfollowing_over_http_gives_then_takes_the_role() {
    let stub = DiscordStub::start().await;
    let addr = serving(handler_on(&stub)).await;
    let permissions = FIXTURE_PERMISSIONS | MANAGE_ROLES;

    let answer = over_http(addr, &press_follow(&[MEMBER_ROLE], permissions)).await;
    assert_eq!(private_text(&answer), FOLLOWED);
    assert_eq!(held_roles(&stub), [FOLLOW_ROLE]);

    let answer = over_http(
        addr,
        &slash_follow(&[FOLLOW_ROLE, MEMBER_ROLE], permissions),
    )
    .await;
    assert_eq!(private_text(&answer), UNFOLLOWED);
    assert_eq!(
        role_calls(&stub),
        [
            ("PUT".to_string(), role_path()),
            ("DELETE".to_string(), role_path())
        ]
    );
    assert!(held_roles(&stub).is_empty());
    // The HTTP answer is the response body: nothing goes to the callback route.
    assert!(stub.callbacks().is_empty());
}

#[tokio::test]
async fn over_http_a_missing_manage_roles_or_a_role_above_briefbot_is_told_plainly() {
    let stub = DiscordStub::start().await;
    stub.state
        .roles_above_bot
        .lock()
        .expect("lock")
        .insert(FOLLOW_ROLE);
    let addr = serving(handler_on(&stub)).await;
    let answer = over_http(addr, &slash_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS)).await;
    assert!(private_text(&answer).contains("it needs the Manage Roles permission"));
    assert!(role_calls(&stub).is_empty());
    let answer = over_http(
        addr,
        &slash_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS | MANAGE_ROLES),
    )
    .await;
    assert!(private_text(&answer).contains("that role is above briefbot's highest role"));
}

#[tokio::test]
async fn a_slow_role_change_over_http_is_deferred_then_the_answer_edited() {
    let stub = DiscordStub::start().await;
    *stub.state.role_delay.lock().expect("lock") = Duration::from_millis(2000);
    let addr = serving(handler_on(&stub)).await;
    let started = tokio::time::Instant::now();
    let answer = over_http(
        addr,
        &press_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS | MANAGE_ROLES),
    )
    .await;
    // Within Discord's 3 s, with room for the answer to travel.
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(answer, deferred());
    assert_edited_to_followed(&stub, "FIXTURE_INTERACTION_TOKEN_PRESS_FOLLOW").await;
}

/// A config in `dir` for a bot whose REST requests go to `stub`, with the follow role.
fn follow_config(dir: &std::path::Path, stub: &DiscordStub) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = {:?}\n\n[discord]\napplication_id = {}\nguild_ids = [{SERVER}]\napi_url = \"http://{}\"\n\n[[follow]]\nserver = \"{SERVER}\"\ntrack = \"syria-israel\"\nrole = \"{FOLLOW_ROLE}\"\n",
            crate::common::repo("briefs").display().to_string(),
            dir.join("state").display().to_string(),
            crate::common::discord_stub::APPLICATION_ID,
            stub.addr,
        ),
    )
    .expect("config");
    config
}

/// The real binary: `briefbot run` with `[[follow]]` in its config gives the role through
/// `[discord] api_url` when a member presses the Follow button over the gateway.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_gives_follow_roles_from_its_config_over_the_gateway() {
    use crate::common::discord_stub::BOT_TOKEN;
    use std::process::{Command, Stdio};

    let stub = DiscordStub::start().await;
    stub.state
        .interactions
        .lock()
        .expect("lock")
        .push(press_follow(
            &[MEMBER_ROLE],
            FIXTURE_PERMISSIONS | MANAGE_ROLES,
        ));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = follow_config(dir.path(), &stub);
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["--config", &config.display().to_string(), "run"])
        .env("DISCORD_TOKEN", BOT_TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start briefbot run");
    eventually("the follow answered", Duration::from_secs(20), || {
        let answered = !stub.callbacks().is_empty();
        async move { answered }
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(role_calls(&stub), [("PUT".to_string(), role_path())]);
    assert_eq!(private_text(&stub.callbacks()[0].body), FOLLOWED);
}

/// The real binary: `briefbot serve` with `[[follow]]` in its config and the bot token in its
/// environment gives the role through `[discord] api_url`; a missing Manage Roles is logged
/// once, as a warning, with no token in the logs.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_gives_follow_roles_from_its_config_and_logs_a_missing_permission_once() {
    use crate::common::Lines;
    use crate::common::discord_stub::BOT_TOKEN;
    use std::process::{Command, Stdio};

    let stub = DiscordStub::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = follow_config(dir.path(), &stub);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["--config", &config.display().to_string()])
        .args(["serve", "--listen", &listen])
        .env("RUST_LOG", "info")
        .env("DISCORD_TOKEN", BOT_TOKEN)
        .env("DISCORD_PUBLIC_KEY", public_key_hex(&test_key()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start briefbot serve");
    let logs = Lines::collect(child.stderr.take().expect("stderr"));
    let addr: SocketAddr = listen.parse().expect("address");
    eventually("serve to listen", Duration::from_secs(10), || async move {
        tokio::net::TcpStream::connect(addr).await.is_ok()
    })
    .await;

    let permissions = FIXTURE_PERMISSIONS | MANAGE_ROLES;
    let answer = over_http(addr, &press_follow(&[MEMBER_ROLE], permissions)).await;
    assert_eq!(private_text(&answer), FOLLOWED);
    assert_eq!(role_calls(&stub), [("PUT".to_string(), role_path())]);
    let answer = over_http(addr, &press_follow(&[MEMBER_ROLE], FIXTURE_PERMISSIONS)).await;
    assert!(private_text(&answer).contains("Manage Roles"));
    assert_eq!(role_calls(&stub).len(), 1);

    let _ = child.kill();
    let _ = child.wait();
    let logs = logs.all();
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("Manage Roles"))
        .collect();
    assert_eq!(warnings.len(), 1, "{logs}");
    assert!(!logs.contains(BOT_TOKEN), "{logs}");
    assert!(!logs.contains("FIXTURE_INTERACTION_TOKEN"), "{logs}");
}
