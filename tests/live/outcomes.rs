//! What briefbot sends on its own, when Discord's answer is not a clean yes: for each
//! operation (an announcement as a message, a thread, a crosspost and a forum post, an edit,
//! an errors-channel note and its "fixed" note, `briefbot announce`), the stand-in carries out
//! the request and answers something serenity cannot read, carries it out and answers too
//! late or with a 502, or refuses it with 429 and `retry_after`. Each ends with exactly one effect, then
//! quiet, and stays so across a restart.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::announce::{ERRORS, LIMIT, add_round, announce_by_hand, edits_of, text, until};
use crate::common::discord_stub::quirks::{Misbehaviour, Quirk};
use crate::common::discord_stub::{APPLICATION_ID, DiscordStub};
use crate::common::{live, round_brief, shipped_copy};
use briefbot::config::{AnnounceMode, AnnounceTarget};
use briefbot::live::announce::{Announcer, Settings};
use briefbot::live::{Reloader, Trigger};

const NEWS: u64 = 1_111_111_111_111_111;
const TALKS: u64 = 4_444_444_444_444_444;
const FORUM: u64 = 5_555_555_555_555_555;
const WIRE: u64 = 6_666_666_666_666_666;

/// How long the announcer waits for an answer in these tests, and how late a late answer
/// comes: well past it.
const TIMEOUT: Duration = Duration::from_millis(300);
const LATE: Duration = Duration::from_millis(1200);
/// The wait a 429 asks for.
const RETRY_AFTER: Duration = Duration::from_millis(400);

/// The three answers that are not a clean yes or no.
#[derive(Debug, Clone, Copy)]
enum Case {
    /// Carried out; the answer lacks a field serenity requires.
    Unreadable,
    /// Carried out; the answer comes after the announcer stopped waiting.
    Late,
    /// Refused with 429 and `retry_after`; nothing done.
    RateLimited,
    /// Carried out; answered 502.
    BadGateway,
}

const CASES: [Case; 4] = [
    Case::Unreadable,
    Case::Late,
    Case::RateLimited,
    Case::BadGateway,
];

impl Case {
    /// The misbehaviour, taking `field` out of the answer when it is unreadable.
    fn misbehaviour(self, field: &'static str) -> Misbehaviour {
        match self {
            Case::Unreadable => Misbehaviour::Without(field),
            Case::Late => Misbehaviour::LateBy(LATE),
            Case::RateLimited => Misbehaviour::RateLimited(RETRY_AFTER),
            Case::BadGateway => Misbehaviour::DoneThenBadGateway,
        }
    }
}

fn settings(state: &Path, targets: &[(u64, AnnounceMode)], errors: Option<u64>) -> Settings {
    Settings {
        targets: targets
            .iter()
            .map(|&(channel, mode)| AnnounceTarget { channel, mode })
            .collect(),
        answer_timeout: TIMEOUT,
        ..crate::announce::settings(state, &[], errors)
    }
}

/// The stand-in with `FORUM` a forum and `WIRE` an announcement channel.
async fn stand_in() -> DiscordStub {
    let stub = DiscordStub::start().await;
    stub.state
        .forums
        .lock()
        .expect("lock")
        .insert(FORUM, vec![(77, "syria-israel".to_string())]);
    stub.state.news_channels.lock().expect("lock").insert(WIRE);
    stub
}

fn start(stub: &DiscordStub, reloader: &Arc<Reloader>, settings: Settings) -> Announcer {
    Announcer::start(stub.rest(), reloader.clone(), settings).expect("announcer")
}

/// Waits until nothing is left to do: the last reload recorded, nothing pending, no edit
/// waiting, every note posted.
async fn settled(announcer: &Announcer, reloader: &Reloader) {
    let generation = reloader.generation();
    until("the announcer to finish", || {
        announcer.has_recorded(generation)
            && announcer.pending() == 0
            && announcer.edits_waiting() == 0
            && announcer.notes_waiting() == 0
    })
    .await;
}

/// Waits past any late answer still on its way and past several retries.
async fn quiet() {
    tokio::time::sleep(LATE + Duration::from_millis(300)).await;
}

/// The stand-in, a copy of the shipped briefs behind a reloader, and an announcer to
/// `targets` (and `errors`) that has made its first start.
struct Bench {
    stub: DiscordStub,
    dir: tempfile::TempDir,
    briefs: std::path::PathBuf,
    targets: Vec<(u64, AnnounceMode)>,
    errors: Option<u64>,
    reloader: Arc<Reloader>,
    announcer: Announcer,
}

impl Bench {
    async fn start(targets: &[(u64, AnnounceMode)], errors: Option<u64>) -> Bench {
        let stub = stand_in().await;
        let (dir, briefs) = shipped_copy();
        let reloader = live(&briefs);
        let announcer = start(
            &stub,
            &reloader,
            settings(&dir.path().join("state"), targets, errors),
        );
        settled(&announcer, &reloader).await;
        Bench {
            stub,
            dir,
            briefs,
            targets: targets.to_vec(),
            errors,
            reloader,
            announcer,
        }
    }

    /// Reloads the briefs, then waits until the announcer has nothing left to do.
    async fn reload(&self) {
        self.reloader.reload(Trigger::Files).await;
        settled(&self.announcer, &self.reloader).await;
    }

    /// Stops the announcer and starts another on the same state, as a restart does; waits
    /// until it has nothing left to do, and past any late answer.
    async fn restart(self) -> Bench {
        self.announcer.stop().await;
        let reloader = live(&self.briefs);
        let state = self.dir.path().join("state");
        let announcer = start(
            &self.stub,
            &reloader,
            settings(&state, &self.targets, self.errors),
        );
        settled(&announcer, &reloader).await;
        quiet().await;
        Bench {
            reloader,
            announcer,
            ..self
        }
    }
}

/// Requests `method` to paths that start with `prefix` (after `/api/v10`) and end with
/// `suffix` that reached the stand-in (a 429 refusal does not: nothing was done).
fn made(stub: &DiscordStub, method: &str, prefix: &str, suffix: &str) -> usize {
    let prefix = format!("/api/v10{prefix}");
    stub.requests()
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(&prefix) && r.path.ends_with(suffix))
        .count()
}

/// Every effect an announcement in `channel` has, counted.
fn effects(stub: &DiscordStub, channel: u64) -> Vec<(&'static str, usize)> {
    let threads = |parent: u64| {
        stub.state
            .threads
            .lock()
            .expect("lock")
            .iter()
            .filter(|t| t["parent_id"] == serde_json::json!(parent.to_string()))
            .count()
    };
    match channel {
        TALKS => vec![
            ("message", stub.posts(TALKS).len()),
            ("thread", threads(TALKS)),
        ],
        WIRE => vec![
            ("message", stub.posts(WIRE).len()),
            (
                "crosspost",
                stub.state.crossposts.lock().expect("lock").len(),
            ),
        ],
        FORUM => vec![("forum post", threads(FORUM))],
        other => vec![("message", stub.posts(other).len())],
    }
}

fn assert_once(case: Case, what: &str, counted: &[(&'static str, usize)]) {
    for (effect, count) in counted {
        assert_eq!(*count, 1, "{case:?}, {what}: {effect} made {count} times");
    }
}

/// Round 6 announced in `target`, once per case, while the case's misbehaviour applies once to
/// the `POST` to `path` (taking `field` out of an unreadable answer): exactly one of each
/// effect, then nothing more, and nothing after a restart.
async fn announce_through(target: (u64, AnnounceMode), path: &str, field: &'static str) {
    for case in CASES {
        announce_once(
            case,
            target,
            Quirk::new("POST", path, case.misbehaviour(field), 1),
        )
        .await;
    }
}

async fn announce_once(case: Case, target: (u64, AnnounceMode), quirk: Quirk) {
    let bench = Bench::start(&[target], None).await;
    bench.stub.quirk(quirk);
    let started = Instant::now();
    add_round(&bench.briefs, 6, "Geneva round");
    bench.reload().await;
    assert_eq!(
        bench.stub.quirks_applied(),
        1,
        "{case:?}: the quirk applied"
    );
    if let Case::RateLimited = case {
        assert!(
            started.elapsed() >= RETRY_AFTER,
            "{case:?}: the wait was kept"
        );
    }
    quiet().await;
    assert_once(case, "announced", &effects(&bench.stub, target.0));
    let delivered = bench.announcer.state().delivered;
    assert_eq!(delivered.len(), 1, "{case:?}: recorded as delivered");

    let bench = bench.restart().await;
    assert_once(case, "after a restart", &effects(&bench.stub, target.0));
    assert_eq!(bench.announcer.state().delivered, delivered, "{case:?}");
    bench.announcer.stop().await;
}

#[tokio::test]
async fn an_announcement_message_is_posted_once_whatever_discord_answers() {
    let path = format!("/channels/{NEWS}/messages");
    announce_through((NEWS, AnnounceMode::Message), &path, "pinned").await;
}

#[tokio::test]
async fn a_thread_is_started_once_whatever_discord_answers() {
    let path = format!("/channels/{TALKS}/messages/");
    announce_through((TALKS, AnnounceMode::Thread), &path, "id").await;
}

#[tokio::test]
async fn a_crosspost_is_made_once_whatever_discord_answers() {
    let path = format!("/channels/{WIRE}/messages/");
    announce_through((WIRE, AnnounceMode::Message), &path, "id").await;
}

#[tokio::test]
async fn a_forum_post_is_made_once_whatever_discord_answers() {
    let path = format!("/channels/{FORUM}/threads");
    announce_through((FORUM, AnnounceMode::Forum), &path, "id").await;
}

#[tokio::test]
async fn an_edit_is_made_once_whatever_discord_answers() {
    for case in CASES {
        let bench = Bench::start(&[(NEWS, AnnounceMode::Message)], None).await;
        add_round(&bench.briefs, 6, "Geneva round");
        bench.reload().await;
        assert_eq!(bench.stub.posts(NEWS).len(), 1);

        bench.stub.quirk(Quirk::new(
            "PATCH",
            &format!("/channels/{NEWS}/messages/"),
            case.misbehaviour("pinned"),
            1,
        ));
        add_round(&bench.briefs, 6, "Geneva round, corrected");
        bench.reload().await;
        assert_eq!(
            bench.stub.quirks_applied(),
            1,
            "{case:?}: the quirk applied"
        );
        quiet().await;
        assert_eq!(edits_of(&bench.stub).len(), 1, "{case:?}: one edit");
        assert_eq!(
            bench.stub.posts(NEWS)[0]["embeds"][0]["title"],
            "Geneva round, corrected",
            "{case:?}"
        );
        let shown = bench.announcer.state().delivered;

        // Recorded as made: a restart does not make it again.
        let bench = bench.restart().await;
        assert_eq!(
            edits_of(&bench.stub).len(),
            1,
            "{case:?}: none after a restart"
        );
        assert_eq!(bench.announcer.state().delivered, shown, "{case:?}");
        bench.announcer.stop().await;
    }
}

#[tokio::test]
async fn a_failed_reloads_note_and_its_fixed_note_are_posted_once_each_whatever_discord_answers() {
    for case in CASES {
        let bench = Bench::start(&[], Some(ERRORS)).await;
        // Both notes meet the quirk.
        bench.stub.quirk(Quirk::new(
            "POST",
            &format!("/channels/{ERRORS}/messages"),
            case.misbehaviour("pinned"),
            2,
        ));
        let file = bench.briefs.join("syria-israel/06-new.md");
        let broken = round_brief(6, "Geneva").replacen("title = ", "titel = ", 1);
        std::fs::write(&file, broken).expect("write");
        bench.reload().await;
        std::fs::write(&file, round_brief(6, "Geneva")).expect("write");
        bench.reload().await;
        let generation = bench.reloader.generation();
        until("the fix noted", || bench.announcer.has_reported(generation)).await;
        assert_eq!(
            bench.stub.quirks_applied(),
            2,
            "{case:?}: the quirk applied to both"
        );
        quiet().await;
        let notes = bench.stub.posts(ERRORS);
        let titles: Vec<&str> = notes
            .iter()
            .map(|n| n["embeds"][0]["title"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(titles, ["Brief reload failed", "Briefs fixed"], "{case:?}");

        let bench = bench.restart().await;
        assert!(bench.announcer.has_reported(0), "{case:?}");
        assert_eq!(
            bench.stub.posts(ERRORS).len(),
            2,
            "{case:?}: none after a restart"
        );
        bench.announcer.stop().await;
    }
}

#[tokio::test]
async fn rounds_held_back_are_noted_once_whatever_discord_answers() {
    for case in CASES {
        let bench = Bench::start(&[(NEWS, AnnounceMode::Message)], Some(ERRORS)).await;
        bench.stub.quirk(Quirk::new(
            "POST",
            &format!("/channels/{ERRORS}/messages"),
            case.misbehaviour("pinned"),
            1,
        ));
        for n in 6..6 + LIMIT as u32 + 1 {
            add_round(&bench.briefs, n, &format!("Imported round {n}"));
        }
        bench.reload().await;
        quiet().await;
        assert_eq!(bench.stub.posts(NEWS).len(), 0, "{case:?}: held back");
        let notes = bench.stub.posts(ERRORS);
        assert_eq!(notes.len(), 1, "{case:?}: one note");
        assert_eq!(notes[0]["embeds"][0]["title"], "New rounds not announced");

        let bench = bench.restart().await;
        assert_eq!(
            bench.stub.posts(ERRORS).len(),
            1,
            "{case:?}: none after a restart"
        );
        bench.announcer.stop().await;
    }
}

/// A config announcing to `NEWS` through the stand-in, its state beside it.
fn by_hand_config(dir: &Path, briefs: &Path, stub: &DiscordStub) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = {:?}\n\n[discord]\napplication_id = {APPLICATION_ID}\napi_url = \"http://{}\"\n\n[announce]\nchannels = [{NEWS}]\n",
        briefs.display().to_string(),
        dir.join("state").display().to_string(),
        stub.addr,
    );
    std::fs::write(&path, text).expect("config");
    path
}

#[tokio::test]
async fn briefbot_announce_posts_once_and_says_so_whatever_discord_answers() {
    // `briefbot announce` waits 30 s for an answer, as the bot does: a late answer is only
    // slow. The cases where the answer is not a yes are these.
    for case in [Case::Unreadable, Case::RateLimited, Case::BadGateway] {
        let stub = stand_in().await;
        let (dir, briefs) = shipped_copy();
        let config = by_hand_config(dir.path(), &briefs, &stub);
        stub.quirk(Quirk::new(
            "POST",
            &format!("/channels/{NEWS}/messages"),
            case.misbehaviour("pinned"),
            1,
        ));
        let output = announce_by_hand(&config, &["--track", "syria-israel", "--round", "5"]).await;
        let said = text(&output.stdout);
        assert!(
            output.status.success(),
            "{case:?}: {said}{}",
            text(&output.stderr)
        );
        assert!(
            said.contains(&format!("announced in channel {NEWS} (message ")),
            "{case:?}: {said}"
        );
        assert_eq!(stub.posts(NEWS).len(), 1, "{case:?}");

        // Run again: already announced, nothing posted.
        let again = announce_by_hand(&config, &["--track", "syria-israel", "--round", "5"]).await;
        assert!(
            text(&again.stdout).contains("already announced"),
            "{case:?}"
        );
        assert_eq!(stub.posts(NEWS).len(), 1, "{case:?}");
        assert_eq!(
            made(&stub, "POST", "/channels/", "/messages"),
            1,
            "{case:?}"
        );
    }
}
