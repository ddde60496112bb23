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

/// A deployment the binary checks against a stand-in: one server where briefbot holds its
/// role, a text channel, a thread channel, a forum and a follow role, all as they should be.
struct Deployment {
    stub: DiscordStub,
    dir: tempfile::TempDir,
    bot_role: u64,
}

const TEXT: u64 = 600_000_000_000_000_001;
const THREADS: u64 = 600_000_000_000_000_002;
const FORUM: u64 = 600_000_000_000_000_003;
const FOLLOWERS: u64 = 600_000_000_000_000_010;
const ENDPOINT: &str = "https://briefbot.example/interactions";

impl Deployment {
    async fn healthy() -> Deployment {
        let stub = DiscordStub::start().await;
        let bot_role = stub.add_server(GUILD);
        stub.add_role(GUILD, FOLLOWERS, "followers", 2, 0, false);
        stub.set_channel(TEXT, GUILD, 0, "briefings", Vec::new());
        stub.set_channel(THREADS, GUILD, 5, "rounds", Vec::new());
        stub.set_channel(FORUM, GUILD, 15, "discussion", Vec::new());
        *stub.state.endpoint_url.lock().expect("lock") = Some(ENDPOINT.to_string());
        *stub.state.commands.lock().expect("lock") = registered();
        let dir = tempfile::tempdir().expect("tempdir");
        let deployment = Deployment {
            stub,
            dir,
            bot_role,
        };
        deployment.configure(VERIFY_KEY, &[]);
        deployment
    }

    /// The config file, with `public_key` and `guild_ids`.
    fn configure(&self, public_key: &str, guild_ids: &[u64]) {
        let briefs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
        let guild_ids: Vec<String> = guild_ids.iter().map(u64::to_string).collect();
        let config = format!(
            r#"briefs_dir = "{briefs}"
state_dir = "state"

[discord]
application_id = "{APPLICATION_ID}"
api_url = "http://{addr}"
public_key = "{public_key}"
guild_ids = [{guild_ids}]

[announce]
channels = ["{TEXT}"]

[[announce.target]]
channel = "{THREADS}"
mode = "thread"

[[announce.target]]
channel = "{FORUM}"
mode = "forum"

[[follow]]
server = "{GUILD}"
track = "syria-israel"
role = "{FOLLOWERS}"
"#,
            briefs = briefs.display(),
            addr = self.stub.addr,
            guild_ids = guild_ids.join(", "),
        );
        std::fs::write(self.dir.path().join("config.toml"), config).expect("config");
    }

    /// `briefbot doctor` with `args`, run off the runtime's thread so the stand-in answers.
    async fn doctor(&self, args: &[&str]) -> (Option<i32>, String) {
        self.doctor_with(args, &[]).await
    }

    /// `briefbot doctor` with `args` and the variables `env` besides the token.
    async fn doctor_with(&self, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"));
        command
            .arg("doctor")
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("DISCORD_TOKEN", crate::common::discord_stub::BOT_TOKEN)
            .envs(env.iter().copied());
        let output = tokio::task::spawn_blocking(move || command.output().expect("run briefbot"))
            .await
            .expect("joined");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty(), "{stderr}");
        assert!(
            !stdout.contains(crate::common::discord_stub::BOT_TOKEN),
            "the token is never printed"
        );
        (output.status.code(), stdout)
    }
}

/// The commands as Discord stores them once briefbot registered them.
fn registered() -> Vec<serde_json::Value> {
    let json = briefbot::transport::registration::to_json();
    json.as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, mut command)| {
            command["id"] = json!((1_000 + i).to_string());
            command["application_id"] = json!(APPLICATION_ID.to_string());
            command["version"] = json!("1");
            if let Some(bits) = command["default_member_permissions"].as_u64() {
                command["default_member_permissions"] = json!(bits.to_string());
            }
            if command["description"].is_null() {
                command["description"] = json!("");
            }
            command
        })
        .collect()
}

/// The line of `text` that holds `what`, and the fix below it.
fn failure_with_fix<'a>(text: &'a str, what: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.starts_with('✗') && line.contains(what))
        .unwrap_or_else(|| panic!("no failure naming {what:?} in:\n{text}"));
    let fix = lines
        .get(at + 1)
        .and_then(|line| line.strip_prefix("    fix: "))
        .unwrap_or_else(|| panic!("no fix under {what:?} in:\n{text}"));
    (lines[at], fix)
}

#[tokio::test]
async fn doctor_passes_a_healthy_deployment_in_text_and_json() {
    let deployment = Deployment::healthy().await;
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(0), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let (summary, checks) = lines.split_last().expect("lines");
    assert!(checks.iter().all(|line| line.starts_with("✓ ")), "{text}");
    // Token, application, key, endpoint, commands, 3 channels, 1 role, state, briefs.
    assert_eq!(*summary, "all 11 checks passed", "{text}");
    assert!(text.contains("✓ #rounds (600000000000000002): briefbot may announce there (thread:"));
    assert!(text.contains("1 round in 1 track"), "{text}");

    let (code, json) = deployment.doctor(&["--format", "json"]).await;
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["ok"], true);
    let checks = json["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 11);
    assert!(checks.iter().all(|c| c["ok"] == true && c["fix"].is_null()));
    let keys: Vec<&str> = checks.iter().filter_map(|c| c["check"].as_str()).collect();
    assert_eq!(
        keys,
        [
            "token",
            "application",
            "public_key",
            "interactions_endpoint",
            "commands",
            "announce_target",
            "announce_target",
            "announce_target",
            "follow_role",
            "state",
            "briefs"
        ]
    );
    // The probe of the state folder leaves nothing behind.
    assert!(!deployment.dir.path().join("state").exists());
    let _ = deployment.bot_role;
}

#[tokio::test]
async fn doctor_names_a_token_discord_refuses_and_skips_the_rest_of_discord() {
    let deployment = Deployment::healthy().await;
    *deployment.stub.state.accepted_token.lock().expect("lock") =
        Some("another.token.altogether".to_string());
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "Discord refused the token");
    assert!(line.contains("401"), "{line}");
    assert!(fix.contains("Reset Token"), "{fix}");
    assert!(fix.contains("/etc/briefbot/discord-token"), "{fix}");
    assert!(
        text.contains("- the other checks against Discord are skipped"),
        "{text}"
    );
    assert!(text.ends_with("1 of 3 checks failed\n"), "{text}");
}

#[tokio::test]
async fn doctor_names_a_public_key_that_is_not_the_applications() {
    let deployment = Deployment::healthy().await;
    let wrong = "ab".repeat(32);
    deployment.configure(&wrong, &[]);
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "public key");
    assert!(line.contains(&wrong) && line.contains(VERIFY_KEY), "{line}");
    assert!(fix.contains("General Information"), "{fix}");
    assert!(text.ends_with("1 of 11 checks failed\n"), "{text}");
}

#[tokio::test]
async fn doctor_names_a_permission_an_overwrite_denies_in_an_announcement_channel() {
    let deployment = Deployment::healthy().await;
    deployment.stub.set_channel(
        TEXT,
        GUILD,
        0,
        "briefings",
        vec![overwrite(
            deployment.bot_role,
            false,
            0,
            Permissions::SEND_MESSAGES.bits(),
        )],
    );
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "#briefings");
    assert!(
        line.contains("Send Messages (denied by an overwrite on #briefings for @briefbot)"),
        "{line}"
    );
    assert!(line.contains("Embed Links"), "{line}");
    assert!(
        fix.contains("#briefings → Edit Channel → Permissions → @briefbot → allow Send Messages"),
        "{fix}"
    );
    let (_, json) = deployment.doctor(&["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["ok"], false);
    let failed: Vec<&serde_json::Value> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{json}");
    assert_eq!(failed[0]["check"], "announce_target");
    assert_eq!(failed[0]["subject"], format!("channel {TEXT}"));
}

#[tokio::test]
async fn doctor_names_a_follow_role_above_briefbots() {
    let deployment = Deployment::healthy().await;
    deployment
        .stub
        .add_role(GUILD, FOLLOWERS, "followers", 12, 0, false);
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "@followers");
    assert!(line.contains("cannot be handed out safely"), "{line}");
    assert!(
        fix.contains("not below briefbot's highest role")
            && fix.contains("Server Settings → Roles"),
        "{fix}"
    );
}

#[tokio::test]
async fn doctor_names_stale_commands_and_the_register_command_per_server() {
    let deployment = Deployment::healthy().await;
    deployment.stub.state.commands.lock().expect("lock").pop();
    deployment.configure(VERIFY_KEY, &[GUILD]);
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "commands");
    assert!(line.contains(&format!("server {GUILD}")), "{line}");
    assert_eq!(fix, format!("run `briefbot register --guild {GUILD}`"));
}

#[tokio::test]
async fn doctor_without_a_token_says_where_to_put_it_and_still_checks_the_rest() {
    let deployment = Deployment::healthy().await;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .arg("doctor")
        .current_dir(deployment.dir.path())
        .env_clear();
    let output = tokio::task::spawn_blocking(move || command.output().expect("run"))
        .await
        .expect("joined");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "no Discord token");
    assert!(line.contains("DISCORD_TOKEN"), "{line}");
    assert!(fix.contains("/etc/briefbot/discord-token"), "{fix}");
    assert!(
        text.contains("- the checks against Discord are skipped"),
        "{text}"
    );
    assert!(text.contains("✓ the briefs in"), "{text}");
    assert!(text.ends_with("1 of 3 checks failed\n"), "{text}");
}

#[tokio::test]
async fn doctor_names_an_announcement_channel_that_is_gone() {
    let deployment = Deployment::healthy().await;
    deployment
        .stub
        .state
        .deleted_channels
        .lock()
        .expect("lock")
        .insert(FORUM);
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, &format!("channel {FORUM}"));
    assert!(
        line.contains("does not exist or briefbot cannot see it"),
        "{line}"
    );
    assert!(fix.contains("Copy Channel ID"), "{fix}");
    assert!(text.ends_with("1 of 11 checks failed\n"), "{text}");
}

#[tokio::test]
async fn doctor_names_a_state_database_without_its_migrations_and_never_its_password() {
    let Some(database) = crate::common::postgres::database() else {
        return;
    };
    let deployment = Deployment::healthy().await;
    let env = [("DATABASE_URL", database.url())];
    let (code, text) = deployment.doctor_with(&[], &env).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "the state database");
    assert!(line.contains("lacks"), "{line}");
    assert!(fix.contains("start briefbot once"), "{fix}");
    let url = url::Url::parse(database.url()).expect("a URL");
    if let Some(password) = url.password() {
        assert!(!text.contains(password), "the password is shown: {text}");
    }

    let configured = briefbot::config::DatabaseUrl::parse(database.url()).expect("a URL");
    briefbot::live::announce::database::Database::open(&configured)
        .await
        .expect("migrated");
    let (code, text) = deployment.doctor_with(&[], &env).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("is reachable and has every migration"),
        "{text}"
    );
}

/// With `[setup]` on, the doctor checks the channels and roles servers chose as it checks the
/// operator's, names where each came from, and expects `/setup` among the commands.
#[tokio::test]
async fn doctor_checks_what_servers_chose_with_setup_and_expects_the_setup_command() {
    const PARTNER: u64 = 737_373_737_373_737_373;
    const PARTNER_CHANNEL: u64 = 737_373_737_373_737_380;
    const PARTNER_ROLE: u64 = 737_373_737_373_737_390;
    let deployment = Deployment::healthy().await;
    let partner_bot = deployment.stub.add_server(PARTNER);
    deployment.stub.set_channel(
        PARTNER_CHANNEL,
        PARTNER,
        0,
        "rounds",
        vec![overwrite(
            partner_bot,
            false,
            0,
            Permissions::EMBED_LINKS.bits(),
        )],
    );
    deployment
        .stub
        .add_role(PARTNER, PARTNER_ROLE, "round watchers", 11, 0, false);
    let config = deployment.dir.path().join("config.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("\n[setup]\nenabled = true\n");
    std::fs::write(&config, text).expect("config");
    let state = deployment.dir.path().join("state");
    std::fs::create_dir_all(&state).expect("state");
    std::fs::write(
        state.join("servers.json"),
        json!({"version": 1, "servers": [{
            "server": PARTNER, "track": "syria-israel", "channel": PARTNER_CHANNEL,
            "mode": "message", "role": PARTNER_ROLE, "changed_by": 1, "changed_at_ms": 1
        }]})
        .to_string(),
    )
    .expect("servers.json");

    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    // Kept for the record, as an operator would see it.
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/doctor-setup-broken.txt"),
        &text,
    );
    assert!(
        text.contains("✓ the servers' own settings (/setup) are readable: 1 server set up, 0 settings switched off"),
        "{text}"
    );
    let (line, _) = failure_with_fix(&text, "#rounds");
    assert!(
        line.contains("Embed Links (denied by an overwrite on #rounds for @briefbot)"),
        "{line}"
    );
    let (line, fix) = failure_with_fix(&text, "@round watchers");
    assert!(line.contains("cannot be handed out safely"), "{line}");
    assert!(fix.contains("not below briefbot's highest role"), "{fix}");
    // Registered without /setup: stale now that [setup] is on.
    let (line, fix) = failure_with_fix(&text, "the commands Discord has");
    assert!(
        line.contains("differ from the 11 briefbot registers"),
        "{line}"
    );
    assert_eq!(fix, "run `briefbot register`");

    let with_setup =
        briefbot::transport::registration::to_json_of(briefbot::transport::registration::Offered {
            setup: true,
        });
    *deployment.stub.state.commands.lock().expect("lock") = with_setup
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut command| {
            if let Some(bits) = command["default_member_permissions"].as_u64() {
                command["default_member_permissions"] = json!(bits.to_string());
            }
            if command["description"].is_null() {
                command["description"] = json!("");
            }
            command
        })
        .collect();
    let (_, text) = deployment.doctor(&[]).await;
    assert!(
        text.contains("✓ all servers (global): Discord has briefbot's 11 commands"),
        "{text}"
    );
}

/// A follow role that is not mentionable, where briefbot may not mention every role, is shown
/// in announcements without notifying anyone: named, with the fix.
#[tokio::test]
async fn doctor_names_a_follow_role_that_would_notify_no_one() {
    let deployment = Deployment::healthy().await;
    // briefbot's role without Mention @everyone, @here and All Roles.
    deployment.stub.add_role(
        GUILD,
        deployment.bot_role,
        "briefbot",
        10,
        crate::common::discord_stub::servers::BOT_ROLE_PERMISSIONS
            & !crate::common::discord_stub::servers::MENTION_EVERYONE,
        true,
    );
    let (code, text) = deployment.doctor(&[]).await;
    assert_eq!(code, Some(1), "{text}");
    let (line, fix) = failure_with_fix(&text, "notifies no one");
    assert!(line.contains("@followers"), "{line}");
    assert!(fix.contains("Allow anyone to @mention this role"), "{fix}");
}
