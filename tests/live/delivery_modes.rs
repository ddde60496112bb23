//! Where an announcement goes, against the loopback stand-in: a thread started from the
//! message, a forum post with the track's tag, a crosspost in an announcement channel; each
//! once across a process killed between making it and recording it; crossposts beyond the
//! hourly limit waiting for their turn, and a 429 waited out for the time Discord asks.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::announce::{CapturedLogs, announce_by_hand, text};
use crate::common::discord_stub::{APPLICATION_ID, DiscordStub, STUB_GUILD, rest_for};
use crate::common::{child_lines, child_test, eventually, live, round_brief, shipped_copy};
use briefbot::commands::notices;
use briefbot::config::{AnnounceMode, AnnounceTarget};
use briefbot::live::announce::state::StateFile;
use briefbot::live::announce::{Announcer, Backoff, CrosspostLimit, Settings};
use briefbot::live::{Reloader, Trigger};
use serde_json::{Value, json};

const TALKS: u64 = 4_444_444_444_444_444;
const FORUM: u64 = 5_555_555_555_555_555;
const WIRE: u64 = 6_666_666_666_666_666;
const TRACK_TAG: u64 = 77;

fn settings(state: &Path, targets: &[(u64, AnnounceMode)]) -> Settings {
    Settings {
        targets: targets
            .iter()
            .map(|&(channel, mode)| AnnounceTarget { channel, mode })
            .collect(),
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
        setup: None,
    }
}

/// The stand-in with `FORUM` a forum (its tags: another track's, and this track's in other
/// case) and `WIRE` an announcement channel.
async fn stand_in() -> DiscordStub {
    let stub = DiscordStub::start().await;
    stub.state.forums.lock().expect("lock").insert(
        FORUM,
        vec![
            (76, "gulf".to_string()),
            (TRACK_TAG, "Syria-Israel".to_string()),
        ],
    );
    stub.state.news_channels.lock().expect("lock").insert(WIRE);
    stub
}

fn start(stub: &DiscordStub, reloader: &Arc<Reloader>, settings: Settings) -> Announcer {
    Announcer::start(stub.rest(), reloader.clone(), settings).expect("announcer")
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    eventually(what, Duration::from_secs(15), || std::future::ready(done())).await;
}

fn add_round(briefs: &Path, number: u32, title: &str) {
    std::fs::write(
        briefs.join(format!("syria-israel/{number:02}-new.md")),
        round_brief(number, title),
    )
    .expect("write brief");
}

/// Waits until the announcer has queued the rounds of `reloader`'s last reload and nothing
/// is left to deliver.
async fn settled(announcer: &Announcer, reloader: &Reloader, what: &str) {
    let generation = reloader.generation();
    until(what, || {
        announcer.has_recorded(generation) && announcer.pending() == 0
    })
    .await;
}

/// The requests `method path` the stand-in received.
fn calls(stub: &DiscordStub, method: &str, path: &str) -> Vec<Value> {
    stub.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.body)
        .collect()
}

fn id(value: &Value) -> u64 {
    value["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("an id")
}

/// A first start, which records the shipped round 5 and posts nothing.
async fn first_start(stub: &DiscordStub, briefs: &Path, settings: Settings) {
    let announcer = start(stub, &live(briefs), settings);
    until("the first start to record", || announcer.has_recorded(0)).await;
    announcer.stop().await;
}

#[tokio::test]
async fn a_thread_target_posts_once_and_starts_one_thread_titled_with_the_headline() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let settings = || settings(&dir.path().join("state"), &[(TALKS, AnnounceMode::Thread)]);
    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings());
    add_round(&briefs, 6, &format!("Geneva round {}", "x".repeat(120)));
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcement").await;

    let posts = stub.posts(TALKS);
    assert_eq!(posts.len(), 1);
    let message = id(&posts[0]);
    let started = calls(
        &stub,
        "POST",
        &format!("/api/v10/channels/{TALKS}/messages/{message}/threads"),
    );
    assert_eq!(started.len(), 1, "one thread");
    let name = started[0]["name"].as_str().unwrap_or_default();
    assert!(name.starts_with("Geneva round x"), "{name}");
    assert_eq!(name.chars().count(), 100, "cut to Discord's 100 characters");
    let delivered = &announcer.state().delivered[0];
    assert_eq!(delivered.mode, AnnounceMode::Thread);
    assert_eq!(delivered.thread, Some(message));
    assert_eq!(delivered.card_at(), (TALKS, message));
    assert!(!delivered.crossposted);
    announcer.stop().await;

    // A restart makes nothing again.
    let before = stub.requests().len();
    let announcer = start(&stub, &live(&briefs), settings());
    until("the restart to record", || announcer.has_recorded(0)).await;
    assert_eq!(announcer.pending(), 0);
    assert_eq!(stub.requests().len(), before);
    announcer.stop().await;
}

#[tokio::test]
async fn a_forum_target_creates_one_post_titled_with_the_headline_and_tagged_with_the_track() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let announcer = start(
        &stub,
        &reloader,
        settings(&dir.path().join("state"), &[(FORUM, AnnounceMode::Forum)]),
    );
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcement").await;

    let created = calls(&stub, "POST", &format!("/api/v10/channels/{FORUM}/threads"));
    assert_eq!(created.len(), 1, "one post");
    let post = &created[0];
    assert_eq!(post["name"], "Geneva round");
    assert_eq!(post["applied_tags"], json!([TRACK_TAG.to_string()]));
    let content = post["message"]["content"].as_str().unwrap_or_default();
    assert!(
        notices::is_announcement_of(content, "syria-israel", 6),
        "{content}"
    );
    assert_eq!(post["message"]["embeds"][0]["title"], "Geneva round");
    assert_eq!(post["message"]["allowed_mentions"]["parse"], json!([]));
    assert!(post["message"].get("nonce").is_none(), "{post}");
    assert!(
        calls(
            &stub,
            "POST",
            &format!("/api/v10/channels/{FORUM}/messages")
        )
        .is_empty(),
        "a forum takes posts, not messages"
    );
    crate::common::assert_within_discord_limits(&json!({"type": 4, "data": post["message"]}));

    let thread = id(&stub.state.threads.lock().expect("lock")[0]);
    let delivered = &announcer.state().delivered[0];
    assert_eq!(delivered.mode, AnnounceMode::Forum);
    assert_eq!(delivered.thread, Some(thread));
    assert_eq!(
        delivered.message, thread,
        "the starter message has the post's id"
    );
    assert_eq!(
        delivered.card_at(),
        (thread, thread),
        "the card is the starter message, in the post's thread"
    );
    announcer.stop().await;
}

#[tokio::test]
async fn an_announcement_channels_post_is_crossposted_once() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    let reloader = live(&briefs);
    let announcer = start(
        &stub,
        &reloader,
        settings(&state, &[(WIRE, AnnounceMode::Message)]),
    );
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the announcement").await;
    let message = id(&stub.posts(WIRE)[0]);
    assert_eq!(
        calls(
            &stub,
            "POST",
            &format!("/api/v10/channels/{WIRE}/messages/{message}/crosspost")
        )
        .len(),
        1
    );
    assert_eq!(stub.posts(WIRE)[0]["flags"], 1, "crossposted");
    let delivered = &announcer.state().delivered[0];
    assert!(delivered.crossposted);
    assert_eq!(delivered.card_at(), (WIRE, message));
    announcer.stop().await;
    let announcer = start(
        &stub,
        &live(&briefs),
        settings(&state, &[(WIRE, AnnounceMode::Message)]),
    );
    until("the restart to record", || announcer.has_recorded(0)).await;
    assert_eq!(stub.state.crossposts.lock().expect("lock").len(), 1);
    announcer.stop().await;
}

/// Where the killed child is told to find the stand-in, the briefs, the state, its channel
/// and its mode.
const CHILD_ENV: &str = "BRIEFBOT_TEST_DELIVERY_MODES_CHILD";

/// Run only as a child of the crash tests below (which kill it); returns at once otherwise.
#[test]
#[ignore = "run by each_mode_makes_its_thread_post_or_crosspost_once_across_a_kill"]
fn child_delivers_until_killed() {
    let Some(lines) = child_lines(CHILD_ENV, 5) else {
        return;
    };
    let [addr, briefs, state, channel, mode] = &lines[..] else {
        unreachable!("five lines");
    };
    let mode = match mode.as_str() {
        "thread" => AnnounceMode::Thread,
        "forum" => AnnounceMode::Forum,
        _ => AnnounceMode::Message,
    };
    let channel: u64 = channel.parse().expect("channel");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let _announcer = Announcer::start(
            rest_for(addr.parse().expect("address")),
            live(Path::new(briefs)),
            settings(Path::new(state), &[(channel, mode)]),
        )
        .expect("announcer");
        std::future::pending::<()>().await;
    });
}

/// Which step the stand-in makes but never answers while the child is killed.
#[derive(Debug, Clone, Copy)]
enum Held {
    Post,
    Thread,
    Crosspost,
}

impl Held {
    fn flag(self, stub: &DiscordStub) -> &AtomicBool {
        match self {
            Held::Post => &stub.state.hold_posts,
            Held::Thread => &stub.state.hold_threads,
            Held::Crosspost => &stub.state.hold_crossposts,
        }
    }

    /// Whether the held step has reached the stand-in.
    fn reached(self, stub: &DiscordStub, channel: u64) -> bool {
        match self {
            Held::Post => !stub.posts(channel).is_empty(),
            Held::Thread => !stub.state.threads.lock().expect("lock").is_empty(),
            Held::Crosspost => !stub.state.crossposts.lock().expect("lock").is_empty(),
        }
    }
}

/// Round 6 announced in `channel` by a child killed while `held` is unanswered, then by a
/// restart, which is returned with the folder it announces from.
async fn announce_across_a_kill(
    stub: &DiscordStub,
    channel: u64,
    mode: AnnounceMode,
    held: Held,
) -> (Announcer, tempfile::TempDir) {
    let (dir, briefs) = shipped_copy();
    let state = dir.path().join("state");
    first_start(stub, &briefs, settings(&state, &[(channel, mode)])).await;
    add_round(&briefs, 6, "Geneva round");
    held.flag(stub).store(true, Ordering::SeqCst);
    let mode_name = match mode {
        AnnounceMode::Message => "message",
        AnnounceMode::Thread => "thread",
        AnnounceMode::Forum => "forum",
    };
    let mut child = child_test(
        "delivery_modes::child_delivers_until_killed",
        CHILD_ENV,
        &[
            stub.addr.to_string(),
            briefs.display().to_string(),
            state.display().to_string(),
            channel.to_string(),
            mode_name.to_string(),
        ],
    );
    until(&format!("the child's {held:?} to reach Discord"), || {
        held.reached(stub, channel)
    })
    .await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    held.flag(stub).store(false, Ordering::SeqCst);

    let after_kill = StateFile::in_dir(&state)
        .expect("state")
        .load()
        .expect("load")
        .expect("state");
    assert_eq!(after_kill.pending.len(), 1, "{after_kill:#?}");
    assert!(after_kill.delivered.is_empty(), "{after_kill:#?}");
    assert!(after_kill.pending[0].first_attempt_ms.is_some());
    // A post on record waits for its thread or crosspost; one not on record is looked for.
    let on_record = matches!(
        (held, mode),
        (Held::Thread, AnnounceMode::Thread) | (Held::Crosspost, _)
    );
    assert_eq!(
        after_kill.pending[0].message.is_some(),
        on_record,
        "{after_kill:#?}"
    );

    let announcer = start(stub, &live(&briefs), settings(&state, &[(channel, mode)]));
    until("the restart to settle the announcement", || {
        announcer.pending() == 0
    })
    .await;
    (announcer, dir)
}

#[tokio::test]
async fn each_mode_makes_its_thread_post_or_crosspost_once_across_a_kill() {
    // A thread: killed after the post, before its record; then after the thread was started.
    for held in [Held::Post, Held::Thread] {
        let stub = stand_in().await;
        let (announcer, _dir) =
            announce_across_a_kill(&stub, TALKS, AnnounceMode::Thread, held).await;
        let posts = stub.posts(TALKS);
        assert_eq!(posts.len(), 1, "{held:?}: posted once");
        let threads = stub.state.threads.lock().expect("lock").clone();
        assert_eq!(threads.len(), 1, "{held:?}: one thread");
        assert_eq!(threads[0]["id"], posts[0]["id"]);
        let message = id(&posts[0]);
        assert_eq!(
            calls(
                &stub,
                "POST",
                &format!("/api/v10/channels/{TALKS}/messages/{message}/threads")
            )
            .len(),
            1,
            "{held:?}: the thread was looked for before another was started"
        );
        let delivered = &announcer.state().delivered[0];
        assert_eq!(delivered.message, id(&posts[0]));
        assert_eq!(delivered.thread, Some(id(&posts[0])));
        announcer.stop().await;
    }

    // A forum post: killed after Discord created it, before its record.
    let stub = stand_in().await;
    let (announcer, _dir) =
        announce_across_a_kill(&stub, FORUM, AnnounceMode::Forum, Held::Thread).await;
    let threads = stub.state.threads.lock().expect("lock").clone();
    assert_eq!(threads.len(), 1, "one forum post");
    assert_eq!(
        calls(&stub, "POST", &format!("/api/v10/channels/{FORUM}/threads")).len(),
        1
    );
    assert!(
        !calls(
            &stub,
            "GET",
            &format!("/api/v10/guilds/{STUB_GUILD}/threads/active")
        )
        .is_empty(),
        "the server's active threads were read"
    );
    let delivered = &announcer.state().delivered[0];
    assert_eq!(delivered.thread, Some(id(&threads[0])));
    assert_eq!(delivered.card_at(), (id(&threads[0]), id(&threads[0])));
    announcer.stop().await;

    // A crosspost: killed after Discord took it, before its record.
    let stub = stand_in().await;
    let (announcer, _dir) =
        announce_across_a_kill(&stub, WIRE, AnnounceMode::Message, Held::Crosspost).await;
    assert_eq!(stub.posts(WIRE).len(), 1);
    assert_eq!(stub.state.crossposts.lock().expect("lock").len(), 1);
    let message = id(&stub.posts(WIRE)[0]);
    assert_eq!(
        calls(
            &stub,
            "POST",
            &format!("/api/v10/channels/{WIRE}/messages/{message}/crosspost")
        )
        .len(),
        1,
        "the message was read back, crossposted, and not crossposted again"
    );
    assert!(announcer.state().delivered[0].crossposted);
    announcer.stop().await;
}

/// The times of the crossposts the stand-in took, from the first.
fn crosspost_times(stub: &DiscordStub) -> Vec<Duration> {
    let crossposts = stub.state.crossposts.lock().expect("lock");
    let first = crossposts.first().map(|(_, _, at)| *at);
    crossposts
        .iter()
        .filter_map(|(_, _, at)| Some(at.duration_since(first?)))
        .collect()
}

fn no_failure_logged(logs: &CapturedLogs) {
    let failures: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn eleven_crossposts_in_one_window_ten_go_at_once_and_the_eleventh_waits_its_turn() {
    let logs = CapturedLogs::start();
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let mut settings = settings(&dir.path().join("state"), &[(WIRE, AnnounceMode::Message)]);
    let window = Duration::from_secs(2);
    settings.crossposts = CrosspostLimit {
        per_window: 10,
        window,
    };
    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings);
    for number in 6..=16 {
        add_round(&briefs, number, &format!("Round {number}"));
    }
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "eleven rounds crossposted").await;

    let times = crosspost_times(&stub);
    assert_eq!(times.len(), 11);
    assert!(times[9] < window / 2, "ten at once: {times:?}");
    assert!(
        times[10] >= window - Duration::from_millis(50),
        "the eleventh waited for its turn: {times:?}"
    );
    assert!(announcer.state().delivered.iter().all(|d| d.crossposted));
    let waits: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains("waits for its turn"))
        .collect();
    assert_eq!(waits.len(), 1, "{waits:#?}");
    no_failure_logged(&logs);
    announcer.stop().await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_retried() {
    let logs = CapturedLogs::start();
    let stub = stand_in().await;
    // Discord's own count is stricter than briefbot's queue (another process crossposted, or
    // a restart forgot the hour's count): one per second.
    *stub.state.crosspost_limit.lock().expect("lock") = Some((1, Duration::from_secs(1)));
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let announcer = start(
        &stub,
        &reloader,
        settings(&dir.path().join("state"), &[(WIRE, AnnounceMode::Message)]),
    );
    add_round(&briefs, 6, "Geneva round");
    add_round(&briefs, 7, "Rome round");
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "both rounds crossposted").await;

    let times = crosspost_times(&stub);
    assert_eq!(times.len(), 2);
    assert!(
        times[1] >= Duration::from_millis(900),
        "the second waited for retry_after: {times:?}"
    );
    let attempts = stub
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/crosspost"))
        .count();
    assert!(attempts >= 3, "one crosspost was refused with 429 first");
    // Waited as Discord asked, not retried in the backoff's 20 ms steps.
    assert!(attempts <= 4, "{attempts} attempts");
    assert!(
        logs.lines()
            .iter()
            .any(|l| l.contains("Discord asks to wait"))
    );
    no_failure_logged(&logs);
    assert!(announcer.state().delivered.iter().all(|d| d.crossposted));
    announcer.stop().await;
}

#[tokio::test]
async fn announcing_by_hand_uses_each_targets_mode() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = {:?}\n\n[discord]\napplication_id = {APPLICATION_ID}\napi_url = \"http://{}\"\n\n[announce]\nchannels = [{WIRE}]\n\n[[announce.target]]\nchannel = {TALKS}\nmode = \"thread\"\n\n[[announce.target]]\nchannel = {FORUM}\nmode = \"forum\"\n",
            briefs.display().to_string(),
            dir.path().join("state").display().to_string(),
            stub.addr,
        ),
    )
    .expect("config");
    for _ in 0..2 {
        let output = announce_by_hand(&config, &["--round", "5"]).await;
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    assert_eq!(stub.posts(TALKS).len(), 1);
    assert_eq!(stub.posts(WIRE).len(), 1);
    assert!(stub.posts(FORUM).is_empty(), "a forum takes posts");
    let threads = stub.state.threads.lock().expect("lock").clone();
    let parents: Vec<u64> = threads
        .iter()
        .filter_map(|t| t["parent_id"].as_str()?.parse().ok())
        .collect();
    assert_eq!(parents.len(), 2, "{threads:#?}");
    assert!(parents.contains(&TALKS) && parents.contains(&FORUM));
    assert_eq!(stub.state.crossposts.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn an_edited_round_edits_the_forum_posts_starter_message_in_its_thread() {
    let stub = stand_in().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let announcer = start(
        &stub,
        &reloader,
        settings(&dir.path().join("state"), &[(FORUM, AnnounceMode::Forum)]),
    );
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    settled(&announcer, &reloader, "the forum post").await;
    let thread = id(&stub.state.threads.lock().expect("lock")[0]);

    add_round(&briefs, 6, "Geneva round, corrected");
    reloader.reload(Trigger::Files).await;
    let edit = format!("/api/v10/channels/{thread}/messages/{thread}");
    until("the starter message's edit", || {
        !calls(&stub, "PATCH", &edit).is_empty()
    })
    .await;
    assert_eq!(
        stub.posts(thread)[0]["embeds"][0]["title"],
        "Geneva round, corrected"
    );
    assert_eq!(
        calls(&stub, "POST", &format!("/api/v10/channels/{FORUM}/threads")).len(),
        1,
        "edited, not posted again"
    );
    // The post's title follows the headline.
    let rename = format!("/api/v10/channels/{thread}");
    until("the post renamed", || {
        stub.state.threads.lock().expect("lock")[0]["name"] == "Geneva round, corrected"
    })
    .await;
    assert_eq!(calls(&stub, "PATCH", &rename).len(), 1);
    announcer.stop().await;
}
