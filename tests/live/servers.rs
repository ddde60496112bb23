//! Announcing where servers chose with `/setup`, against the loopback stand-in: a new round
//! goes once to each server's channel (a message, a thread, a forum post), pinging that
//! server's follow role and no other, beside the operator's channels; a channel chosen while
//! briefbot runs gets the next round; a server's channel Discord says is gone is switched off
//! once and not retried. The settings live in a file for one process and in PostgreSQL for
//! several, where a second instance sees a change within seconds.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::announce::CapturedLogs;
use crate::common::discord_stub::DiscordStub;
use crate::common::{eventually, live, postgres, round_brief, shipped_copy};
use briefbot::config::{AnnounceMode, AnnounceTarget, Config, DatabaseUrl};
use briefbot::live::announce::{Announcer, Backoff, CrosspostLimit, Settings};
use briefbot::live::setup::{Setup, Snapshot};
use briefbot::live::{Reloader, Trigger};
use serde_json::{Value, json};

/// The operator's own channel (in the stand-in's default server).
const OPERATORS: u64 = 7_000_000_000_000_000_001;
/// Three servers, each with a channel of its own choosing and a follow role.
const UNIVERSITY: u64 = 8_100_000_000_000_000_000;
const NEWSROOM: u64 = 8_200_000_000_000_000_000;
const COMMUNITY: u64 = 8_300_000_000_000_000_000;
const LECTURES: u64 = 8_100_000_000_000_000_010;
const DESK_FORUM: u64 = 8_200_000_000_000_000_010;
const TALK: u64 = 8_300_000_000_000_000_010;
const STUDENTS: u64 = 8_100_000_000_000_000_020;
const REPORTERS: u64 = 8_200_000_000_000_000_020;
const MEMBERS: u64 = 8_300_000_000_000_000_020;
/// A fourth server, whose announcement channel crossposts to the servers that follow it.
const WIRE_SERVICE: u64 = 8_400_000_000_000_000_000;
const WIRE: u64 = 8_400_000_000_000_000_010;
const SUBSCRIBERS: u64 = 8_400_000_000_000_000_020;

fn settings(state: &Path, setup: Arc<Setup>) -> Settings {
    Settings {
        targets: vec![AnnounceTarget {
            channel: OPERATORS,
            mode: AnnounceMode::Message,
        }],
        errors_channel: None,
        state_dir: state.to_path_buf(),
        backoff: Backoff {
            first: Duration::from_millis(20),
            max: Duration::from_millis(100),
        },
        max_new_per_reload: 20,
        follow_roles: Vec::new(),
        crossposts: CrosspostLimit::default(),
        database: None,
        takeover_grace: Duration::ZERO,
        lock_check: Duration::from_millis(100),
        answer_timeout: briefbot::live::announce::ANSWER_TIMEOUT,
        setup: Some(setup),
    }
}

/// `[setup]` on, with the settings in `state` (or the database at `url`).
fn setup_config(state: &Path, url: Option<&str>) -> Config {
    let mut config = Config::defaults();
    config.state_dir = state.to_path_buf();
    config.setup.enabled = true;
    config.database = url.map(|u| DatabaseUrl::parse(u).expect("a database URL"));
    config
}

/// Three servers with their channels: a text channel, a forum, a text channel for threads.
async fn stand_in() -> DiscordStub {
    let stub = DiscordStub::start().await;
    for server in [UNIVERSITY, NEWSROOM, COMMUNITY, WIRE_SERVICE] {
        stub.add_server(server);
    }
    stub.set_channel(WIRE, WIRE_SERVICE, 5, "wire", Vec::new());
    stub.set_channel(LECTURES, UNIVERSITY, 0, "lectures", Vec::new());
    stub.set_channel(DESK_FORUM, NEWSROOM, 15, "desk", Vec::new());
    stub.set_channel(TALK, COMMUNITY, 0, "talk", Vec::new());
    stub
}

/// Each server's choice, as `/setup` saves it.
async fn choose(setup: &Setup, server: u64, channel: u64, mode: AnnounceMode, role: u64) {
    setup
        .change(move |s| {
            let row = s.entry(server, "syria-israel");
            row.channel = Some(channel);
            row.mode = mode;
            row.role = Some(role);
        })
        .await
        .expect("saved");
}

fn add_round(briefs: &Path, number: u32) {
    std::fs::write(
        briefs.join(format!("syria-israel/{number:02}-new.md")),
        round_brief(number, &format!("Round {number} in Geneva")),
    )
    .expect("write brief");
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    eventually(what, Duration::from_secs(15), || std::future::ready(done())).await;
}

async fn settled(announcer: &Announcer, reloader: &Reloader, what: &str) {
    let generation = reloader.generation();
    until(what, || {
        announcer.has_recorded(generation) && announcer.pending() == 0
    })
    .await;
}

fn start(stub: &DiscordStub, reloader: &Arc<Reloader>, settings: Settings) -> Announcer {
    Announcer::start(stub.rest(), reloader.clone(), settings).expect("announcer")
}

/// The bodies of `method path` requests.
fn calls(stub: &DiscordStub, method: &str, path: &str) -> Vec<Value> {
    stub.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.body)
        .collect()
}

fn pinged(body: &Value) -> Value {
    body["allowed_mentions"]["roles"].clone()
}

#[tokio::test]
async fn a_new_round_goes_once_to_each_servers_channel_in_its_mode_pinging_its_own_role() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    let setup = Setup::start(&setup_config(&state, None))
        .await
        .expect("set-up");
    choose(
        &setup,
        UNIVERSITY,
        LECTURES,
        AnnounceMode::Message,
        STUDENTS,
    )
    .await;
    choose(&setup, NEWSROOM, DESK_FORUM, AnnounceMode::Forum, REPORTERS).await;
    choose(&setup, COMMUNITY, TALK, AnnounceMode::Thread, MEMBERS).await;
    choose(
        &setup,
        WIRE_SERVICE,
        WIRE,
        AnnounceMode::Message,
        SUBSCRIBERS,
    )
    .await;
    // Another track in the university's server: its channel gets none of this track's rounds.
    setup
        .change(|s| s.entry(UNIVERSITY, "gulf").channel = Some(LECTURES + 1))
        .await
        .expect("saved");

    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings(&state, setup.clone()));
    until("the first start to record", || announcer.has_recorded(0)).await;
    assert!(
        stub.posts(LECTURES).is_empty(),
        "the rounds already there are not announced"
    );
    add_round(&briefs, 6);
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcements").await;

    let message = calls(
        &stub,
        "POST",
        &format!("/api/v10/channels/{LECTURES}/messages"),
    );
    assert_eq!(message.len(), 1, "one message in the university's channel");
    assert_eq!(pinged(&message[0]), json!([STUDENTS.to_string()]));
    assert!(
        message[0]["content"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("<@&{STUDENTS}>"))
    );

    let forum = calls(
        &stub,
        "POST",
        &format!("/api/v10/channels/{DESK_FORUM}/threads"),
    );
    assert_eq!(forum.len(), 1, "one post in the newsroom's forum");
    assert_eq!(pinged(&forum[0]["message"]), json!([REPORTERS.to_string()]));

    let talk = calls(&stub, "POST", &format!("/api/v10/channels/{TALK}/messages"));
    assert_eq!(talk.len(), 1, "one message in the community's channel");
    assert_eq!(pinged(&talk[0]), json!([MEMBERS.to_string()]));
    let message_id = stub.posts(TALK)[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        calls(
            &stub,
            "POST",
            &format!("/api/v10/channels/{TALK}/messages/{message_id}/threads")
        )
        .len(),
        1,
        "with its thread"
    );

    let operators = calls(
        &stub,
        "POST",
        &format!("/api/v10/channels/{OPERATORS}/messages"),
    );
    assert_eq!(operators.len(), 1, "the operator's channel as before");
    assert_eq!(
        pinged(&operators[0]),
        json!([]),
        "no server's role pinged there"
    );
    assert!(
        calls(
            &stub,
            "POST",
            &format!("/api/v10/channels/{}/messages", LECTURES + 1)
        )
        .is_empty()
    );
    announcer.stop().await;

    // A restart posts nothing again (it may look channels up, to word what it would post).
    let changes = |stub: &DiscordStub| stub.requests().iter().filter(|r| r.method != "GET").count();
    let before = changes(&stub);
    let announcer = start(&stub, &live(&briefs), settings(&state, setup.clone()));
    until("the restart to record", || announcer.has_recorded(0)).await;
    assert_eq!(announcer.pending(), 0);
    assert_eq!(changes(&stub), before);
    announcer.stop().await;
}

#[tokio::test]
async fn a_channel_chosen_while_briefbot_runs_gets_the_next_round_and_the_operators_entry_wins() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    let setup = Setup::start(&setup_config(&state, None))
        .await
        .expect("set-up");
    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings(&state, setup.clone()));
    until("the first start to record", || announcer.has_recorded(0)).await;

    choose(
        &setup,
        UNIVERSITY,
        LECTURES,
        AnnounceMode::Message,
        STUDENTS,
    )
    .await;
    // A server that names the operator's own channel: the operator's entry is used, once.
    choose(&setup, NEWSROOM, OPERATORS, AnnounceMode::Thread, REPORTERS).await;
    add_round(&briefs, 6);
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcements").await;
    assert_eq!(stub.posts(LECTURES).len(), 1);
    let operators = calls(
        &stub,
        "POST",
        &format!("/api/v10/channels/{OPERATORS}/messages"),
    );
    assert_eq!(operators.len(), 1, "one post in a channel both name");
    assert!(
        stub.requests()
            .iter()
            .all(|r| !r.path.ends_with("/threads")),
        "the operator's way (a message), not the server's thread"
    );

    // Stopped there: the next round does not go to the university's channel.
    setup
        .change(|s| s.entry(UNIVERSITY, "syria-israel").channel = None)
        .await
        .expect("saved");
    add_round(&briefs, 7);
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the next announcement").await;
    assert_eq!(stub.posts(LECTURES).len(), 1);
    assert_eq!(stub.posts(OPERATORS).len(), 2);
    announcer.stop().await;
}

#[tokio::test]
async fn a_deleted_servers_channel_is_switched_off_once_and_not_retried() {
    let logs = CapturedLogs::start();
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    let setup = Setup::start(&setup_config(&state, None))
        .await
        .expect("set-up");
    choose(
        &setup,
        UNIVERSITY,
        LECTURES,
        AnnounceMode::Message,
        STUDENTS,
    )
    .await;
    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings(&state, setup.clone()));
    until("the first start to record", || announcer.has_recorded(0)).await;

    stub.state
        .deleted_channels
        .lock()
        .expect("lock")
        .insert(LECTURES);
    add_round(&briefs, 6);
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcements").await;
    until("the channel switched off", || {
        setup.current().settings.rows[0].channel_off.is_some()
    })
    .await;
    let row = setup.current().settings.rows[0].clone();
    assert_eq!(
        row.channel_off.as_deref(),
        Some("the channel was deleted, or briefbot can no longer see it")
    );
    assert_eq!(
        row.channel,
        Some(LECTURES),
        "kept, to show the admins what was switched off"
    );
    assert_eq!(
        stub.posts(OPERATORS).len(),
        1,
        "the operator's channel as before"
    );

    // The next round is not tried there at all.
    let tried = |stub: &DiscordStub| {
        stub.requests()
            .iter()
            .filter(|r| r.path.contains(&LECTURES.to_string()))
            .count()
    };
    let before = tried(&stub);
    add_round(&briefs, 7);
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the next announcement").await;
    assert_eq!(tried(&stub), before);
    announcer.stop().await;
    let switched: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains("announcement channel is switched off"))
        .collect();
    assert_eq!(switched.len(), 1, "logged once: {switched:?}");
}

#[tokio::test]
async fn a_settings_file_serves_one_process_and_keeps_its_choices_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = setup_config(dir.path(), None);
    let first = Setup::start(&config).await.expect("set-up");
    choose(&first, UNIVERSITY, LECTURES, AnnounceMode::Thread, STUDENTS).await;
    let refused = Setup::start(&config)
        .await
        .expect_err("a second process is refused");
    assert!(
        refused
            .0
            .starts_with("another briefbot process uses the servers' settings in"),
        "{refused:?}"
    );
    drop(first);
    let again = Setup::start(&config)
        .await
        .expect("set-up after the first stopped");
    let row = again.current().settings.rows[0].clone();
    assert_eq!(
        (row.server, row.channel, row.mode, row.role),
        (
            UNIVERSITY,
            Some(LECTURES),
            AnnounceMode::Thread,
            Some(STUDENTS)
        )
    );
    // A gateway split over processes cannot share the file.
    let mut split = setup_config(dir.path(), None);
    split.discord.shards = briefbot::config::Shards::Range {
        first: 0,
        last: 0,
        total: 2,
    };
    let off = Setup::start(&split).await.expect_err("off");
    assert!(
        off.0.contains("keep the state in PostgreSQL ([state] url)"),
        "{off:?}"
    );
}

#[tokio::test]
async fn settings_in_the_database_are_seen_by_a_second_instance_within_seconds() {
    let Some(database) = postgres::database() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = setup_config(dir.path(), Some(database.url()));
    let one = Setup::start(&config).await.expect("instance one");
    let two = Setup::start(&config).await.expect("instance two");
    let mut seen = two.subscribe();
    choose(&one, UNIVERSITY, LECTURES, AnnounceMode::Message, STUDENTS).await;
    let started = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let snapshot: Arc<Snapshot> = seen.borrow_and_update().clone();
            if snapshot.settings.get(UNIVERSITY, "syria-israel").is_some() {
                return;
            }
            let _ = seen.changed().await;
        }
    })
    .await
    .expect("the second instance sees the change");
    assert!(started.elapsed() < briefbot::live::setup::POLL * 3);
    // Both change the same row; neither undoes the other's field.
    two.change(|s| s.entry(UNIVERSITY, "syria-israel").role = Some(REPORTERS))
        .await
        .expect("saved");
    let read = Setup::read(&config).await.expect("read");
    let row = read.get(UNIVERSITY, "syria-israel").expect("the row");
    assert_eq!((row.channel, row.role), (Some(LECTURES), Some(REPORTERS)));
    assert_eq!(
        postgres::psql(
            database.url(),
            "SELECT server, track, channel, mode, role FROM briefbot_server_settings"
        )
        .expect("psql"),
        format!("{UNIVERSITY}|syria-israel|{LECTURES}|message|{REPORTERS}")
    );
    // Kept for the record: the table as an operator reads it.
    if let Ok(table) = postgres::psql(
        database.url(),
        "SELECT server, track, channel, mode, role, channel_off, role_off, changed_by, changed_at_ms FROM briefbot_server_settings",
    ) {
        let _ = std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/setup-table.txt"),
            table,
        );
    }
    one.stop();
    two.stop();
}

#[tokio::test]
async fn a_round_announced_by_hand_goes_to_the_servers_channels_of_its_track_too() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    let setup = Setup::start(&setup_config(&state, None))
        .await
        .expect("set-up");
    choose(
        &setup,
        UNIVERSITY,
        LECTURES,
        AnnounceMode::Message,
        STUDENTS,
    )
    .await;
    setup
        .change(|s| s.entry(NEWSROOM, "gulf").channel = Some(DESK_FORUM))
        .await
        .expect("saved");
    let round = briefbot::library::RoundId {
        track: "syria-israel".into(),
        number: 5,
    };
    let delivered = briefbot::live::announce::announce_by_hand(
        stub.rest(),
        live(&briefs),
        &settings(&state, setup.clone()),
        &round,
    )
    .await
    .expect("announced");
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert_eq!(stub.posts(OPERATORS).len(), 1);
    let posts = calls(
        &stub,
        "POST",
        &format!("/api/v10/channels/{LECTURES}/messages"),
    );
    assert_eq!(posts.len(), 1);
    assert_eq!(pinged(&posts[0]), json!([STUDENTS.to_string()]));
    assert!(
        calls(
            &stub,
            "POST",
            &format!("/api/v10/channels/{DESK_FORUM}/threads")
        )
        .is_empty(),
        "another track's channel"
    );
}

/// Missing Access on a server's channel means one of two things: briefbot lost View Channel
/// there (it waits for a fix, as the operator's channels do), or the server no longer knows
/// briefbot (it was removed: switched off). briefbot asks Discord about the server to tell.
#[tokio::test]
async fn missing_access_is_waited_out_unless_the_server_no_longer_knows_briefbot() {
    use crate::common::discord_stub::quirks::{Misbehaviour, Quirk};
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    let setup = Setup::start(&setup_config(&state, None))
        .await
        .expect("set-up");
    choose(
        &setup,
        UNIVERSITY,
        LECTURES,
        AnnounceMode::Message,
        STUDENTS,
    )
    .await;
    choose(&setup, COMMUNITY, TALK, AnnounceMode::Message, MEMBERS).await;
    let missing_access =
        || Misbehaviour::Refused(403, json!({"code": 50001, "message": "Missing Access"}));
    // The university's channel: View Channel lost twice, then given back.
    stub.quirk(Quirk::new(
        "GET",
        &format!("/channels/{LECTURES}"),
        missing_access(),
        2,
    ));
    // The community's server removed briefbot: its channel and the server are unknown to it.
    stub.quirk(Quirk::new(
        "GET",
        &format!("/channels/{TALK}"),
        missing_access(),
        100,
    ));
    stub.state.servers.lock().expect("lock").remove(&COMMUNITY);

    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings(&state, setup.clone()));
    until("the first start to record", || announcer.has_recorded(0)).await;
    add_round(&briefs, 6);
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcements").await;
    assert_eq!(
        stub.posts(LECTURES).len(),
        1,
        "posted once View Channel was back"
    );
    let current = setup.current();
    let university = current
        .settings
        .get(UNIVERSITY, "syria-israel")
        .expect("row");
    assert_eq!(
        university.channel_off, None,
        "a lost permission is not a channel gone"
    );
    let community = current
        .settings
        .get(COMMUNITY, "syria-israel")
        .expect("row");
    assert_eq!(
        community.channel_off.as_deref(),
        Some("briefbot was removed from the server")
    );
    assert_eq!(
        community.role_off.as_deref(),
        Some("briefbot was removed from the server")
    );
    assert!(stub.posts(TALK).is_empty());
    announcer.stop().await;
}
