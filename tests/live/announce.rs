//! Announcements against a loopback stand-in for Discord's REST API: nothing on the first
//! start, a new round once per channel, nothing again on a restart or an edit, a process
//! killed between the post and the record neither loses nor repeats it, a channel that
//! answers 403 does not hold the others up, and a failed reload reaches the errors channel
//! once per distinct failure.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::discord_stub::{DiscordStub, rest_for};
use crate::common::{child_lines, child_test, eventually, live, round_brief, shipped_copy};
use briefbot::commands::notices;
use briefbot::config::{AnnounceMode, AnnounceTarget};
use briefbot::live::announce::state::{Pending, StateFile};
use briefbot::live::announce::{Announcer, Backoff, CrosspostLimit, Settings};
use briefbot::live::{Reloader, Trigger};
use serde_json::Value;

pub(crate) const NEWS: u64 = 1_111_111_111_111_111;
pub(crate) const DESK: u64 = 2_222_222_222_222_222;
pub(crate) const ERRORS: u64 = 3_333_333_333_333_333;

pub(crate) fn settings(state: &Path, channels: &[u64], errors_channel: Option<u64>) -> Settings {
    Settings {
        targets: channels
            .iter()
            .map(|&channel| AnnounceTarget {
                channel,
                mode: AnnounceMode::Message,
            })
            .collect(),
        errors_channel,
        state_dir: state.to_path_buf(),
        backoff: Backoff {
            first: Duration::from_millis(20),
            max: Duration::from_millis(100),
        },
        max_new_per_reload: LIMIT,
        follow_roles: Vec::new(),
        crossposts: CrosspostLimit::default(),
        database: None,
        takeover_grace: Duration::ZERO,
        lock_check: Duration::from_millis(100),
        answer_timeout: briefbot::live::announce::ANSWER_TIMEOUT,
        setup: None,
    }
}

/// `[announce] max_new_per_reload` as shipped.
pub(crate) const LIMIT: usize = briefbot::config::DEFAULT_MAX_NEW_PER_RELOAD;

/// Every log line written on this thread while it is held: the announcer's tasks run on the
/// test's thread (a current-thread runtime), so their lines are caught too.
pub(crate) struct CapturedLogs {
    buffer: Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl CapturedLogs {
    pub(crate) fn start() -> CapturedLogs {
        let buffer = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || SharedWriter(sink.clone()))
            .finish();
        CapturedLogs {
            buffer,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    pub(crate) fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.buffer.lock().expect("lock"))
            .lines()
            .map(str::to_string)
            .collect()
    }
}

struct SharedWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn start(stub: &DiscordStub, reloader: &Arc<Reloader>, settings: Settings) -> Announcer {
    Announcer::start(stub.rest(), reloader.clone(), settings).expect("announcer")
}

/// The stand-in for Discord, a copy of the shipped briefs behind a reloader, and an announcer
/// posting new rounds to `channels` (and failed reloads to `errors_channel`), with its state
/// in the copy's folder.
pub(crate) async fn announcing(
    channels: &[u64],
    errors_channel: Option<u64>,
) -> (
    DiscordStub,
    tempfile::TempDir,
    PathBuf,
    Arc<Reloader>,
    Announcer,
) {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let announcer = start(
        &stub,
        &reloader,
        settings(&state_dir(&dir), channels, errors_channel),
    );
    (stub, dir, briefs, reloader, announcer)
}

/// Waits until the announcer has recorded the rounds of reload `generation`, then checks
/// that nothing waits to be posted: from then on, nothing will be.
async fn nothing_queued_after(announcer: &Announcer, generation: u64) {
    until("the announcer to record the snapshot", || {
        announcer.has_recorded(generation)
    })
    .await;
    assert_eq!(
        announcer.pending(),
        0,
        "nothing is queued, so nothing will be posted"
    );
}

/// Waits up to 10 s for `done`.
pub(crate) async fn until(what: &str, mut done: impl FnMut() -> bool) {
    eventually(what, Duration::from_secs(10), || std::future::ready(done())).await;
}

pub(crate) fn add_round(briefs: &Path, number: u32, title: &str) {
    std::fs::write(
        briefs.join(format!("syria-israel/{number:02}-new.md")),
        round_brief(number, title),
    )
    .expect("write brief");
}

pub(crate) fn posts_to(stub: &DiscordStub, channel: u64) -> Vec<Value> {
    stub.posts(channel)
}

pub(crate) fn post_attempts(stub: &DiscordStub, channel: u64) -> usize {
    stub.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages"))
        .count()
}

/// Every edit of a message, in order.
pub(crate) fn edits_of(stub: &DiscordStub) -> Vec<crate::common::discord_stub::Recorded> {
    stub.requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.path.contains("/messages/"))
        .collect()
}

pub(crate) fn state_dir(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("state")
}

#[tokio::test]
async fn the_first_start_posts_nothing_and_records_the_rounds_already_there() {
    let (stub, dir, _briefs, _reloader, announcer) = announcing(&[NEWS, DESK], None).await;
    nothing_queued_after(&announcer, 0).await;
    assert!(stub.requests().is_empty(), "{:#?}", stub.requests());
    let state = StateFile::in_dir(&state_dir(&dir))
        .expect("state")
        .load()
        .expect("load")
        .expect("written on the first start");
    assert_eq!(
        state.known["syria-israel"]
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        [5]
    );
    announcer.stop().await;
}

#[tokio::test]
async fn a_new_round_is_announced_once_per_channel_and_never_again() {
    let (stub, dir, briefs, reloader, announcer) = announcing(&[NEWS, DESK], None).await;

    // A saved file, reloaded as the watcher would (its timing is tested on its own).
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    until("one post in each channel", || {
        posts_to(&stub, NEWS).len() == 1
            && posts_to(&stub, DESK).len() == 1
            && announcer.pending() == 0
    })
    .await;
    for channel in [NEWS, DESK] {
        let post = &posts_to(&stub, channel)[0];
        let content = post["content"].as_str().unwrap_or_default();
        assert!(
            notices::is_announcement_of(content, "syria-israel", 6),
            "{content}"
        );
        assert_eq!(post["embeds"][0]["title"], "Geneva round");
    }
    // What was sent fits Discord's limits and pings no one, like every reply.
    for request in stub.requests().iter().filter(|r| r.method == "POST") {
        crate::common::assert_within_discord_limits(
            &serde_json::json!({"type": 4, "data": request.body}),
        );
        assert!(
            request.body["components"]
                .as_array()
                .is_none_or(Vec::is_empty)
        );
    }
    // Recorded with the ids Discord gave.
    let state = announcer.state();
    let mut delivered: Vec<(u64, String)> = state
        .delivered
        .iter()
        .map(|d| (d.channel, d.message.to_string()))
        .collect();
    delivered.sort();
    assert_eq!(
        delivered,
        [
            (
                NEWS,
                posts_to(&stub, NEWS)[0]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            ),
            (
                DESK,
                posts_to(&stub, DESK)[0]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            ),
        ]
    );

    // An edit to the round, and reloads without changes: no new post (the announcements are
    // edited, once each; see the edits tests).
    add_round(&briefs, 6, "Geneva round, corrected");
    reloader.reload(Trigger::Files).await;
    reloader.reload(Trigger::Command).await;
    let generation = reloader.generation();
    nothing_queued_after(&announcer, generation).await;
    until("the announcements edited", || {
        announcer.edits_waiting() == 0 && edits_of(&stub).len() == 2
    })
    .await;
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);
    announcer.stop().await;

    // A restart: nothing is posted again, and nothing needs looking up.
    let requests_before = stub.requests().len();
    let restarted = live(&briefs);
    let announcer = start(
        &stub,
        &restarted,
        settings(&state_dir(&dir), &[NEWS, DESK], None),
    );
    nothing_queued_after(&announcer, 0).await;
    assert_eq!(
        stub.requests().len(),
        requests_before,
        "{:#?}",
        stub.requests()
    );
    announcer.stop().await;

    // A round added while briefbot was down is announced when it starts: never lost.
    add_round(&briefs, 7, "Rome round");
    let restarted = live(&briefs);
    let announcer = start(
        &stub,
        &restarted,
        settings(&state_dir(&dir), &[NEWS, DESK], None),
    );
    until("round 7 in each channel", || {
        posts_to(&stub, NEWS).len() == 2
            && posts_to(&stub, DESK).len() == 2
            && announcer.pending() == 0
    })
    .await;
    assert_eq!(posts_to(&stub, NEWS)[1]["embeds"][0]["title"], "Rome round");
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 4);
    announcer.stop().await;
}

#[tokio::test]
async fn a_channel_answering_403_is_retried_without_holding_the_others_up() {
    let stub = DiscordStub::start().await;
    stub.state
        .forbidden_channels
        .lock()
        .expect("lock")
        .insert(NEWS);
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let announcer = start(
        &stub,
        &reloader,
        settings(&state_dir(&dir), &[NEWS, DESK], None),
    );

    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    until(
        "the other channel's post and three refused attempts",
        || posts_to(&stub, DESK).len() == 1 && post_attempts(&stub, NEWS) >= 3,
    )
    .await;
    assert!(posts_to(&stub, NEWS).is_empty());
    assert_eq!(
        announcer.pending(),
        1,
        "the refused channel's announcement waits"
    );

    // Permission granted: the next retry gets through, once.
    stub.state.forbidden_channels.lock().expect("lock").clear();
    until("the retried post", || announcer.pending() == 0).await;
    assert_eq!(posts_to(&stub, NEWS).len(), 1);
    assert_eq!(posts_to(&stub, DESK).len(), 1);
    announcer.stop().await;
}

/// Where the killed child process is told to find the stand-in, the briefs and the state.
const CHILD_ENV: &str = "BRIEFBOT_TEST_ANNOUNCER_CHILD";

/// Run only as a child of the test below (which kills it); returns at once otherwise.
#[test]
#[ignore = "run by a_process_killed_between_the_post_and_the_record_neither_loses_nor_repeats"]
fn child_announces_until_killed() {
    let Some(lines) = child_lines(CHILD_ENV, 3) else {
        return;
    };
    let [addr, briefs, state] = &lines[..] else {
        unreachable!("three lines");
    };
    let addr = addr.parse().expect("address");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let reloader = live(Path::new(briefs));
        let _announcer = Announcer::start(
            rest_for(addr),
            reloader,
            settings(Path::new(state), &[NEWS], None),
        )
        .expect("announcer");
        std::future::pending::<()>().await;
    });
}

#[tokio::test]
async fn a_process_killed_between_the_post_and_the_record_neither_loses_nor_repeats() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let state = state_dir(&dir);
    // The first start records round 5.
    start(&stub, &live(&briefs), settings(&state, &[NEWS], None))
        .stop()
        .await;

    // Round 6 is added; the child posts it, Discord stores the post, and the child is killed
    // before the confirmation arrives.
    add_round(&briefs, 6, "Geneva round");
    stub.state.hold_posts.store(true, Ordering::SeqCst);
    let mut child = child_test(
        "announce::child_announces_until_killed",
        CHILD_ENV,
        &[
            stub.addr.to_string(),
            briefs.display().to_string(),
            state.display().to_string(),
        ],
    );
    until("the child's post to reach Discord", || {
        posts_to(&stub, NEWS).len() == 1
    })
    .await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let file = StateFile::in_dir(&state).expect("state");
    let after_kill = file.load().expect("load").expect("state");
    assert_eq!(after_kill.pending.len(), 1, "{after_kill:#?}");
    assert!(after_kill.pending[0].first_attempt_ms.is_some());
    assert!(after_kill.delivered.is_empty());

    // The restart finds its own post in the channel and records it instead of posting again.
    stub.state.hold_posts.store(false, Ordering::SeqCst);
    let announcer = start(&stub, &live(&briefs), settings(&state, &[NEWS], None));
    until("the pending announcement to be settled", || {
        announcer.pending() == 0
    })
    .await;
    let posted = posts_to(&stub, NEWS);
    assert_eq!(posted.len(), 1, "posted again after the crash");
    assert_eq!(
        announcer.state().delivered[0].message.to_string(),
        posted[0]["id"].as_str().unwrap_or_default()
    );
    assert!(
        stub.requests()
            .iter()
            .any(|r| r.method == "GET" && r.path == format!("/api/v10/channels/{NEWS}/messages")),
        "the channel's history was read"
    );
    announcer.stop().await;

    // The other side: killed after noting the attempt but before the post reached Discord.
    // The channel's history does not have it, so it is posted: not lost.
    add_round(&briefs, 7, "Rome round");
    let mut state_now = file.load().expect("load").expect("state");
    state_now
        .known
        .entry("syria-israel".into())
        .or_default()
        .insert(7);
    state_now.pending.push(Pending {
        first_attempt_ms: Some(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_millis() as u64,
        ),
        ..Pending::new("syria-israel", 7, NEWS)
    });
    file.save(&state_now).expect("save");
    let announcer = start(&stub, &live(&briefs), settings(&state, &[NEWS], None));
    until("round 7 to be posted", || announcer.pending() == 0).await;
    let posted = posts_to(&stub, NEWS);
    assert_eq!(posted.len(), 2);
    assert_eq!(posted[1]["embeds"][0]["title"], "Rome round");
    announcer.stop().await;
}

#[tokio::test]
async fn a_failed_reload_reaches_the_errors_channel_once_per_distinct_failure() {
    let (stub, _dir, briefs, reloader, announcer) = announcing(&[], Some(ERRORS)).await;

    let file = briefs.join("syria-israel/06-new.md");
    std::fs::write(
        &file,
        round_brief(6, "Geneva").replacen("title = ", "titel = ", 1),
    )
    .expect("write");
    reloader.reload(Trigger::Files).await;
    until("the failure report", || posts_to(&stub, ERRORS).len() == 1).await;
    let report = &posts_to(&stub, ERRORS)[0];
    assert!(
        report["content"]
            .as_str()
            .unwrap_or_default()
            .contains("1 error"),
        "{report}"
    );
    let description = report["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(description.contains("06-new.md:4:1"), "{description}");
    assert!(description.starts_with("```") && description.ends_with("```"));

    // The same failure again (another save, /reload): not posted twice.
    reloader.reload(Trigger::Files).await;
    reloader.reload(Trigger::Command).await;
    let generation = reloader.generation();
    until("the repeated failure", || {
        announcer.has_reported(generation)
    })
    .await;
    assert_eq!(posts_to(&stub, ERRORS).len(), 1);

    // A different mistake is a new failure.
    std::fs::write(
        &file,
        round_brief(6, "Geneva").replacen("round = 6", "round = 0", 1),
    )
    .expect("write");
    reloader.reload(Trigger::Files).await;
    until("the second failure report", || {
        posts_to(&stub, ERRORS).len() == 2
    })
    .await;

    // Fixed: the editors are told, once.
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    until("the all-clear", || posts_to(&stub, ERRORS).len() == 3).await;
    assert_eq!(
        posts_to(&stub, ERRORS)[2]["embeds"][0]["title"],
        "Briefs fixed"
    );
    reloader.reload(Trigger::Command).await;
    let generation = reloader.generation();
    until("a clean reload", || announcer.has_reported(generation)).await;
    assert_eq!(posts_to(&stub, ERRORS).len(), 3);

    // A failure too long for one embed is cut to fit, fence closed.
    for n in 10..60 {
        std::fs::write(
            briefs.join(format!("syria-israel/{n}-broken.md")),
            round_brief(n, "Broken").replacen("title = ", "titel = ", 1),
        )
        .expect("write");
    }
    reloader.reload(Trigger::Files).await;
    until("the long failure report", || {
        posts_to(&stub, ERRORS).len() == 4
    })
    .await;
    let long = stub
        .requests()
        .into_iter()
        .rfind(|r| r.method == "POST")
        .expect("the post");
    crate::common::assert_within_discord_limits(&serde_json::json!({"type": 4, "data": long.body}));
    let description = long.body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(description.ends_with("…\n```"), "{description}");
    assert!(
        long.body["content"]
            .as_str()
            .unwrap_or_default()
            .contains("50 errors")
    );
    announcer.stop().await;
}

#[tokio::test]
async fn a_damaged_state_file_stops_the_start_with_its_location() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    std::fs::create_dir_all(state_dir(&dir)).expect("mkdir");
    std::fs::write(
        state_dir(&dir).join(StateFile::NAME),
        "{ \"version\": 1,\n  \"known\": ",
    )
    .expect("write");
    let error = Announcer::start(
        stub.rest(),
        live(&briefs),
        settings(&state_dir(&dir), &[NEWS], None),
    )
    .err()
    .expect("refused");
    assert!(
        error.to_string().contains("announcements.json:2:"),
        "{error}"
    );
}

#[tokio::test]
async fn a_second_briefbot_on_the_same_state_folder_is_refused() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let first = start(
        &stub,
        &live(&briefs),
        settings(&state_dir(&dir), &[NEWS], None),
    );
    let second = Announcer::start(
        stub.rest(),
        live(&briefs),
        settings(&state_dir(&dir), &[NEWS], None),
    );
    let error = second.err().expect("refused while the first runs");
    assert!(
        error
            .to_string()
            .starts_with("another briefbot is announcing"),
        "{error}"
    );
    first.stop().await;
    // Once the first has stopped, the folder is free again.
    start(
        &stub,
        &live(&briefs),
        settings(&state_dir(&dir), &[NEWS], None),
    )
    .stop()
    .await;
}

#[tokio::test]
async fn more_new_rounds_than_the_limit_are_recorded_and_none_is_announced() {
    let logs = CapturedLogs::start();
    let (stub, dir, briefs, reloader, announcer) = announcing(&[NEWS, DESK], Some(ERRORS)).await;
    nothing_queued_after(&announcer, 0).await;

    // An import: one more round than the limit, in one reload.
    let added: Vec<u32> = (6..6 + LIMIT as u32 + 1).collect();
    for &n in &added {
        add_round(&briefs, n, &format!("Imported round {n}"));
    }
    reloader.reload(Trigger::Files).await;
    let generation = reloader.generation();
    nothing_queued_after(&announcer, generation).await;
    until(
        "the note in the errors channel, and on record as posted",
        || posts_to(&stub, ERRORS).len() == 1 && announcer.notes_waiting() == 0,
    )
    .await;

    // Recorded, so never announced later by accident.
    let known: Vec<u32> = announcer.state().known["syria-israel"]
        .iter()
        .copied()
        .collect();
    assert_eq!(known, [[5].as_slice(), &added].concat());
    let on_disk = StateFile::in_dir(&state_dir(&dir))
        .expect("state")
        .load()
        .expect("load")
        .expect("state");
    assert_eq!(on_disk, announcer.state());

    // The editors are told how many, which, and how to announce one.
    let note = &posts_to(&stub, ERRORS)[0];
    assert_eq!(note["embeds"][0]["title"], "New rounds not announced");
    let text = note["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        text,
        format!(
            "{} new rounds appeared in one reload, more than `max_new_per_reload` ({LIMIT}), so none was announced: round 6 of `syria-israel`, round 7 of `syria-israel`, round 8 of `syria-israel`, round 9 of `syria-israel`. They are recorded and will not be announced later. To announce one, run `briefbot announce --track syria-israel --round 6` where the bot runs (stop the bot first).",
            LIMIT + 1
        )
    );

    // Another reload and a restart add nothing: no announcement, no second note.
    reloader.reload(Trigger::Command).await;
    let generation = reloader.generation();
    nothing_queued_after(&announcer, generation).await;
    until("the errors channel's view of the reload", || {
        announcer.has_reported(generation)
    })
    .await;
    announcer.stop().await;
    let announcer = start(
        &stub,
        &live(&briefs),
        settings(&state_dir(&dir), &[NEWS, DESK], Some(ERRORS)),
    );
    nothing_queued_after(&announcer, 0).await;
    until("the errors channel's view of the start", || {
        announcer.has_reported(0)
    })
    .await;
    announcer.stop().await;
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 0);
    assert_eq!(posts_to(&stub, ERRORS).len(), 1);

    // One warning, with the count and the limit.
    let warnings: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains("max_new_per_reload"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let line = &warnings[0];
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains(&format!(
            "{} new rounds at once, more than [announce] max_new_per_reload = {LIMIT}: recorded, none announced",
            LIMIT + 1
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!("rounds={} limit={LIMIT}", LIMIT + 1)),
        "{line}"
    );
}

#[tokio::test]
async fn as_many_new_rounds_as_the_limit_are_all_announced() {
    let logs = CapturedLogs::start();
    let (stub, _dir, briefs, reloader, announcer) = announcing(&[NEWS, DESK], Some(ERRORS)).await;
    nothing_queued_after(&announcer, 0).await;

    for n in 6..6 + LIMIT as u32 {
        add_round(&briefs, n, &format!("Round {n}"));
    }
    reloader.reload(Trigger::Files).await;
    until("every round in each channel", || {
        posts_to(&stub, NEWS).len() == LIMIT
            && posts_to(&stub, DESK).len() == LIMIT
            && announcer.pending() == 0
    })
    .await;
    let titles: Vec<String> = posts_to(&stub, NEWS)
        .iter()
        .map(|p| {
            p["embeds"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(titles, ["Round 6", "Round 7", "Round 8"]);
    let generation = reloader.generation();
    until("the errors channel's view of the reload", || {
        announcer.has_reported(generation)
    })
    .await;
    announcer.stop().await;
    assert!(posts_to(&stub, ERRORS).is_empty());
    assert!(
        !logs
            .lines()
            .iter()
            .any(|l| l.contains("max_new_per_reload")),
        "{:#?}",
        logs.lines()
    );
}

/// A config for `briefbot announce` in `dir`: the briefs and state there, posts to the stand-in.
fn announce_config(dir: &Path, briefs: &Path, stub: &DiscordStub) -> PathBuf {
    use crate::common::discord_stub::APPLICATION_ID;
    let path = dir.join("config.toml");
    let text = format!(
        "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = {:?}\n\n[discord]\napplication_id = {APPLICATION_ID}\napi_url = \"http://{}\"\n\n[announce]\nchannels = [{NEWS}, {DESK}]\nerrors_channel = {ERRORS}\n",
        briefs.display().to_string(),
        state_dir_in(dir).display().to_string(),
        stub.addr,
    );
    std::fs::write(&path, text).expect("config");
    path
}

fn state_dir_in(dir: &Path) -> PathBuf {
    dir.join("state")
}

/// `briefbot announce` run as an operator runs it, off the runtime's thread so the stand-in
/// keeps answering.
pub(crate) async fn announce_by_hand(config: &Path, args: &[&str]) -> std::process::Output {
    use crate::common::discord_stub::BOT_TOKEN;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .arg("--config")
        .arg(config)
        .arg("announce")
        .args(args)
        .env("DISCORD_TOKEN", BOT_TOKEN)
        .env_remove("DISCORD_TOKEN_FILE")
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .env_remove("BRIEFBOT_STATE_DIR")
        .env_remove("BRIEFBOT_DEFAULT_TRACK")
        .env_remove("BRIEFBOT_MAX_NEW_PER_RELOAD")
        .env_remove("DATABASE_URL");
    tokio::task::spawn_blocking(move || command.output().expect("run briefbot"))
        .await
        .expect("joined")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_held_back_round_announced_by_hand_is_posted_once() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let config = announce_config(dir.path(), &briefs, &stub);
    let settings = || settings(&state_dir(&dir), &[NEWS, DESK], Some(ERRORS));

    // The bot runs, and an import of fifty rounds is held back: recorded, none posted.
    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings());
    for n in 6..56 {
        add_round(&briefs, n, &format!("Imported round {n}"));
    }
    reloader.reload(Trigger::Files).await;
    let generation = reloader.generation();
    nothing_queued_after(&announcer, generation).await;
    until("the note in the errors channel", || {
        posts_to(&stub, ERRORS).len() == 1
    })
    .await;
    assert_eq!(announcer.state().known["syria-israel"].len(), 51);
    let note = posts_to(&stub, ERRORS)[0]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        note.starts_with("50 new rounds appeared in one reload"),
        "{note}"
    );

    // While the bot holds the state folder, announcing by hand is refused, clearly.
    let refused = announce_by_hand(&config, &["--track", "syria-israel", "--round", "7"]).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("a running briefbot is announcing from the state folder")
            && stderr.contains("stop the bot, run `briefbot announce` again, then start the bot"),
        "{stderr}"
    );
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 0);
    announcer.stop().await;

    // Stopped: round 7 is announced by hand, once in each channel.
    let first = announce_by_hand(&config, &["--track", "syria-israel", "--round", "7"]).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    for channel in [NEWS, DESK] {
        let posts = posts_to(&stub, channel);
        assert_eq!(posts.len(), 1, "channel {channel}");
        let content = posts[0]["content"].as_str().unwrap_or_default();
        assert!(
            notices::is_announcement_of(content, "syria-israel", 7),
            "{content}"
        );
        assert_eq!(posts[0]["embeds"][0]["title"], "Imported round 7");
        let id = posts[0]["id"].as_str().unwrap_or_default();
        assert!(
            text(&first.stdout).contains(&format!(
                "round 7 of `syria-israel`: announced in channel {channel} (message {id})"
            )),
            "{}",
            text(&first.stdout)
        );
    }

    // Again: the state file has it, so nothing is posted.
    let second = announce_by_hand(&config, &["--round", "7"]).await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("already announced in channel"),
        "{}",
        text(&second.stdout)
    );
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);

    // The bot started again posts nothing: round 7 is delivered, the others known.
    let announcer = start(&stub, &live(&briefs), settings());
    nothing_queued_after(&announcer, 0).await;
    assert_eq!(announcer.state().delivered.len(), 2);
    announcer.stop().await;
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);
}

#[tokio::test]
async fn announcing_by_hand_before_the_first_start_records_the_other_rounds() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let config = announce_config(dir.path(), &briefs, &stub);
    add_round(&briefs, 6, "Geneva round");
    let output = announce_by_hand(&config, &["--round", "6"]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(posts_to(&stub, NEWS).len(), 1);
    assert_eq!(posts_to(&stub, DESK).len(), 1);
    // Round 5 was there already: recorded, as on a first start, and not announced later.
    let announcer = start(
        &stub,
        &live(&briefs),
        settings(&state_dir(&dir), &[NEWS, DESK], None),
    );
    nothing_queued_after(&announcer, 0).await;
    announcer.stop().await;
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);
}

#[tokio::test]
async fn announcing_an_unknown_track_or_round_names_the_nearest_and_fails() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    add_round(&briefs, 6, "Geneva round");
    let config = announce_config(dir.path(), &briefs, &stub);

    let typo = announce_by_hand(&config, &["--track", "syria-isreal", "--round", "5"]).await;
    assert_eq!(typo.status.code(), Some(2));
    assert_eq!(
        text(&typo.stderr).trim_end(),
        "error: there is no track `syria-isreal`; did you mean `syria-israel`? (tracks: `syria-israel`)"
    );

    let missing = announce_by_hand(&config, &["--track", "syria-israel", "--round", "9"]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        text(&missing.stderr).trim_end(),
        "error: track `syria-israel` has no round 9; its rounds are 5, 6"
    );

    assert!(stub.requests().is_empty(), "{:#?}", stub.requests());
    assert!(
        !state_dir_in(dir.path()).join(StateFile::NAME).exists(),
        "nothing is recorded"
    );
}

const SERVER_A: u64 = 123_456_789_012_345_678;
const SERVER_B: u64 = 876_543_210_987_654_321;
const FOLLOWERS: u64 = 234_567_890_123_456_789;

fn follow_role(guild: u64, track: &str, role: u64) -> briefbot::config::FollowRole {
    briefbot::config::FollowRole {
        server: guild,
        track: track.to_string(),
        role,
    }
}

/// The body of each POST to `channel`'s messages, in order.
fn posted_bodies(stub: &DiscordStub, channel: u64) -> Vec<Value> {
    stub.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages"))
        .map(|r| r.body)
        .collect()
}

/// What today's announcement of `round` sends (without its nonce): no follow role involved.
fn plain_announcement(reloader: &Reloader, round: u32) -> Value {
    let library = reloader.current();
    let track = library.track("syria-israel").expect("track");
    let message = notices::announcement(&library, track, round).expect("round");
    without_nonce(serde_json::to_value(message.fit().to_create_message()).expect("json"))
}

fn without_nonce(mut body: Value) -> Value {
    if let Some(fields) = body.as_object_mut() {
        fields.remove("nonce");
        fields.remove("enforce_nonce");
    }
    body
}

#[tokio::test]
async fn a_follow_role_is_pinged_in_its_server_only_and_nothing_else_pings() {
    let stub = DiscordStub::start().await;
    stub.state
        .channel_guilds
        .lock()
        .expect("lock")
        .extend([(NEWS, SERVER_A), (DESK, SERVER_B)]);
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let mut settings = settings(&state_dir(&dir), &[NEWS, DESK], None);
    // Server B follows another track only: its channel's announcement is today's.
    settings.follow_roles = vec![
        follow_role(SERVER_A, "syria-israel", FOLLOWERS),
        follow_role(SERVER_B, "gulf", 42),
    ];
    let announcer = start(&stub, &reloader, settings);

    // Mentions written in a brief never ping, follow role or not.
    add_round(&briefs, 6, "Geneva @everyone @here <@&999> <@123>");
    reloader.reload(Trigger::Files).await;
    until("one post in each channel", || {
        posts_to(&stub, NEWS).len() == 1
            && posts_to(&stub, DESK).len() == 1
            && announcer.pending() == 0
    })
    .await;

    let news = &posted_bodies(&stub, NEWS)[0];
    eprintln!("{}", serde_json::to_string_pretty(news).unwrap_or_default());
    assert_eq!(
        news["content"],
        format!(
            "{}\n<@&{FOLLOWERS}> New round for followers of Syria–Israel talks.",
            notices::announcement_marker("syria-israel", "Syria–Israel talks", 6)
        )
    );
    assert_eq!(
        news["embeds"][0]["title"],
        "Geneva @everyone @here <@&999> <@123>"
    );
    assert_eq!(
        news["allowed_mentions"]["roles"],
        serde_json::json!([FOLLOWERS.to_string()])
    );
    assert_eq!(news["allowed_mentions"]["parse"], serde_json::json!([]));
    assert!(
        news["allowed_mentions"]["users"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{news}"
    );
    // Under it, the Follow button: a press answers the member privately.
    let rows = news["components"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{news}");
    assert_eq!(rows[0]["components"][0]["custom_id"], "follow:syria-israel");
    // Apart from the follow line, the button and the role allowed to ping, the message is
    // today's.
    let mut expected = plain_announcement(&reloader, 6);
    expected["content"] = news["content"].clone();
    expected["components"] = news["components"].clone();
    expected["allowed_mentions"]["roles"] = serde_json::json!([FOLLOWERS.to_string()]);
    assert_eq!(without_nonce(news.clone()), expected);

    let desk = &posted_bodies(&stub, DESK)[0];
    assert_eq!(
        without_nonce(desk.clone()),
        plain_announcement(&reloader, 6)
    );
    assert_eq!(
        desk["allowed_mentions"],
        serde_json::json!({"parse": [], "users": [], "roles": []})
    );

    // A second round: each channel's server was asked of Discord once.
    add_round(&briefs, 7, "Rome round");
    reloader.reload(Trigger::Files).await;
    until("round 7 in each channel", || {
        posts_to(&stub, NEWS).len() == 2
            && posts_to(&stub, DESK).len() == 2
            && announcer.pending() == 0
    })
    .await;
    for channel in [NEWS, DESK] {
        let lookups = stub
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == format!("/api/v10/channels/{channel}"))
            .count();
        assert_eq!(lookups, 1, "channel {channel}");
    }
    assert_eq!(
        posted_bodies(&stub, NEWS)[1]["allowed_mentions"]["roles"],
        serde_json::json!([FOLLOWERS.to_string()])
    );
    announcer.stop().await;
}

#[tokio::test]
async fn without_follow_roles_nothing_pings_and_the_channel_is_looked_up_once() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let announcer = start(&stub, &reloader, settings(&state_dir(&dir), &[NEWS], None));
    add_round(&briefs, 6, "Geneva @everyone <@&999> <@123>");
    reloader.reload(Trigger::Files).await;
    until("one post", || {
        posts_to(&stub, NEWS).len() == 1 && announcer.pending() == 0
    })
    .await;
    let body = &posted_bodies(&stub, NEWS)[0];
    assert_eq!(
        without_nonce(body.clone()),
        plain_announcement(&reloader, 6)
    );
    assert_eq!(
        body["allowed_mentions"],
        serde_json::json!({"parse": [], "users": [], "roles": []})
    );
    // Asked once, for its kind (an announcement channel's posts are crossposted).
    assert_eq!(
        stub.requests()
            .iter()
            .filter(|r| r.path == format!("/api/v10/channels/{NEWS}"))
            .count(),
        1,
        "{:#?}",
        stub.requests()
    );
    announcer.stop().await;
}
