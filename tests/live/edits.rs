//! Announcements kept true to the briefs, against the loopback stand-in for Discord: a round
//! that changes after it was announced has its announcements edited once (not again after a
//! restart, and never pinging again), a correction note shows on the edited post, a removed
//! round's announcement says it was withdrawn and is not deleted, and more changed rounds at
//! once than `max_new_per_reload` are left as they are.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::announce::{
    CapturedLogs, DESK, ERRORS, NEWS, add_round, announcing, edits_of, post_attempts, posts_to,
    settings, start, state_dir, until,
};
use crate::common::discord_stub::DiscordStub;
use crate::common::{live, round_brief};
use briefbot::commands::notices;
use briefbot::live::announce::Announcer;
use briefbot::live::announce::state::StateFile;
use briefbot::live::{Reloader, Trigger};
use serde_json::Value;

/// The stored messages of `channel` (as edited), oldest first.
fn shown(stub: &DiscordStub, channel: u64) -> Vec<Value> {
    posts_to(stub, channel)
}

fn content(message: &Value) -> &str {
    message["content"].as_str().unwrap_or_default()
}

/// Waits until the announcer has acted on the latest reload and has no edit left.
async fn settled(announcer: &Announcer, generation: u64) {
    until("the announcer to act on the reload", || {
        announcer.has_recorded(generation) && announcer.pending() == 0
    })
    .await;
    until("no edit waiting", || announcer.edits_waiting() == 0).await;
}

/// Round `number` with a `[[corrections]]` entry at the end of its front matter.
fn corrected_brief(number: u32, title: &str, date: &str, note: &str) -> String {
    let brief = round_brief(number, title);
    let close = brief[3..]
        .find("+++")
        .map(|i| i + 3)
        .expect("a closing fence");
    format!(
        "{}[[corrections]]\ndate = {date}\nnote = {note:?}\n\n{}",
        &brief[..close],
        &brief[close..]
    )
}

fn write_round(briefs: &Path, number: u32, text: String) {
    std::fs::write(
        briefs.join(format!("syria-israel/{number:02}-new.md")),
        text,
    )
    .expect("write brief");
}

/// A running announcer for `channels` (and `errors`) that has announced round 6, "Geneva
/// round", once in each.
async fn announced_round_6(
    channels: &[u64],
    errors: Option<u64>,
) -> (
    DiscordStub,
    tempfile::TempDir,
    PathBuf,
    Arc<Reloader>,
    Announcer,
) {
    let (stub, dir, briefs, reloader, announcer) = announcing(channels, errors).await;
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    settled(&announcer, reloader.generation()).await;
    for channel in channels {
        assert_eq!(post_attempts(&stub, *channel), 1);
    }
    (stub, dir, briefs, reloader, announcer)
}

#[tokio::test]
async fn an_edited_round_changes_its_announcements_once_and_not_after_a_restart() {
    let (stub, dir, briefs, reloader, announcer) = announced_round_6(&[NEWS, DESK], None).await;
    let before = announcer.state().delivered;

    add_round(&briefs, 6, "Geneva round, corrected");
    reloader.reload(Trigger::Files).await;
    until("both announcements edited", || edits_of(&stub).len() == 2).await;
    settled(&announcer, reloader.generation()).await;
    for channel in [NEWS, DESK] {
        let message = &shown(&stub, channel)[0];
        assert_eq!(message["embeds"][0]["title"], "Geneva round, corrected");
        assert!(
            notices::is_announcement_of(content(message), "syria-israel", 6),
            "the marker stays first: {}",
            content(message)
        );
        assert!(!message["edited_timestamp"].is_null());
    }
    for edit in edits_of(&stub) {
        // An edit pings no one, and is an edit, never a new post.
        assert_eq!(
            edit.body["allowed_mentions"],
            serde_json::json!({"parse": [], "users": [], "roles": []})
        );
        assert!(edit.body.get("nonce").is_none());
    }
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);
    let after = announcer.state().delivered;
    assert_eq!(before.len(), 2);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.message, new.message, "the same message, edited");
        assert_ne!(old.card, new.card, "the state records what it shows now");
    }

    // Reloads that change nothing edit nothing.
    reloader.reload(Trigger::Command).await;
    settled(&announcer, reloader.generation()).await;
    assert_eq!(edits_of(&stub).len(), 2);
    announcer.stop().await;

    // A restart edits nothing again.
    let restarted = live(&briefs);
    let announcer = start(
        &stub,
        &restarted,
        settings(&state_dir(&dir), &[NEWS, DESK], None),
    );
    settled(&announcer, 0).await;
    assert_eq!(edits_of(&stub).len(), 2, "{:#?}", edits_of(&stub));
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);
    announcer.stop().await;
}

#[tokio::test]
async fn a_correction_note_shows_on_the_edited_announcement() {
    let (stub, _dir, briefs, reloader, announcer) = announced_round_6(&[NEWS], None).await;

    write_round(
        &briefs,
        6,
        corrected_brief(
            6,
            "Geneva round",
            "2026-02-09",
            "The memo was released by the State Department, not the White House.",
        ),
    );
    assert!(matches!(
        reloader.reload(Trigger::Files).await,
        briefbot::live::Outcome::Loaded { .. }
    ));
    until("the announcement edited", || edits_of(&stub).len() == 1).await;
    settled(&announcer, reloader.generation()).await;
    let message = &shown(&stub, NEWS)[0];
    let description = message["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains(
            "**Corrected 9 February 2026:** The memo was released by the State Department, not the White House."
        ),
        "{description}"
    );
    assert_eq!(post_attempts(&stub, NEWS), 1);
    announcer.stop().await;
}

#[tokio::test]
async fn a_removed_round_is_marked_withdrawn_not_deleted_and_restored_when_it_is_back() {
    let (stub, dir, briefs, reloader, announcer) = announced_round_6(&[NEWS], None).await;
    let posted = shown(&stub, NEWS)[0].clone();

    let file = briefs.join("syria-israel/06-new.md");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::remove_file(&file).expect("remove");
    reloader.reload(Trigger::Files).await;
    until("the announcement marked", || edits_of(&stub).len() == 1).await;
    settled(&announcer, reloader.generation()).await;
    let message = &shown(&stub, NEWS)[0];
    assert_eq!(
        content(message),
        notices::withdrawn("syria-israel", "Syria–Israel talks", 6)
    );
    assert!(content(message).contains("**Withdrawn:**"));
    assert_eq!(
        message["embeds"], posted["embeds"],
        "the card stays as it was announced"
    );
    let edit = &edits_of(&stub)[0];
    assert!(
        edit.body.get("embeds").is_none(),
        "only the text changes: {:#?}",
        edit.body
    );
    assert!(
        stub.requests().iter().all(|r| r.method != "DELETE"),
        "nothing is deleted"
    );
    assert!(announcer.state().delivered[0].withdrawn);
    announcer.stop().await;

    // A restart does not mark it again.
    let restarted = live(&briefs);
    let announcer = start(&stub, &restarted, settings(&state_dir(&dir), &[NEWS], None));
    settled(&announcer, 0).await;
    assert_eq!(edits_of(&stub).len(), 1);

    // The brief back: the announcement shows the round again, and it is not posted anew.
    std::fs::write(&file, text).expect("restore");
    restarted.reload(Trigger::Files).await;
    until("the announcement restored", || edits_of(&stub).len() == 2).await;
    settled(&announcer, restarted.generation()).await;
    let message = &shown(&stub, NEWS)[0];
    assert!(
        !content(message).contains("Withdrawn"),
        "{}",
        content(message)
    );
    assert_eq!(message["embeds"][0]["title"], "Geneva round");
    assert_eq!(post_attempts(&stub, NEWS), 1);
    assert!(!announcer.state().delivered[0].withdrawn);
    announcer.stop().await;
}

#[tokio::test]
async fn more_changed_rounds_than_the_limit_are_left_as_they_are_and_the_editors_are_told() {
    let (stub, dir, briefs, reloader, announcer) = announcing(&[NEWS], Some(ERRORS)).await;
    // Four rounds announced, two per reload (within the limit of three).
    for pair in [[6, 7], [8, 9]] {
        for number in pair {
            add_round(&briefs, number, &format!("Round {number}"));
        }
        reloader.reload(Trigger::Files).await;
        settled(&announcer, reloader.generation()).await;
    }
    assert_eq!(post_attempts(&stub, NEWS), 4);

    // All four changed in one reload: recorded, none edited, logged once, the editors told.
    let logs = CapturedLogs::start();
    for number in [6, 7, 8, 9] {
        add_round(&briefs, number, &format!("Round {number}, revised"));
    }
    reloader.reload(Trigger::Files).await;
    until("the editors told", || !posts_to(&stub, ERRORS).is_empty()).await;
    settled(&announcer, reloader.generation()).await;
    assert!(edits_of(&stub).is_empty(), "{:#?}", edits_of(&stub));
    let note = &posts_to(&stub, ERRORS)[0];
    assert_eq!(note["embeds"][0]["title"], "Announcements not edited");
    let description = note["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.starts_with(
            "4 rounds already announced changed in one reload, more than `max_new_per_reload` (3)"
        ),
        "{description}"
    );
    let warned: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains("announced rounds changed at once"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:#?}");
    drop(logs);
    announcer.stop().await;

    // Not after a restart either.
    let restarted = live(&briefs);
    let announcer = start(
        &stub,
        &restarted,
        settings(&state_dir(&dir), &[NEWS], Some(ERRORS)),
    );
    settled(&announcer, 0).await;
    assert!(edits_of(&stub).is_empty());

    // The limit is per reload: one round changed later is edited.
    add_round(&briefs, 7, "Round 7, revised again");
    restarted.reload(Trigger::Files).await;
    until("round 7 edited", || edits_of(&stub).len() == 1).await;
    settled(&announcer, restarted.generation()).await;
    assert_eq!(
        shown(&stub, NEWS)[1]["embeds"][0]["title"],
        "Round 7, revised again"
    );
    announcer.stop().await;
}

#[tokio::test]
async fn announcements_recorded_before_edits_existed_are_not_edited_on_upgrade() {
    let (stub, dir, briefs, _reloader, announcer) = announced_round_6(&[NEWS], None).await;
    announcer.stop().await;

    // The state as an earlier briefbot wrote it: no record of what the message shows.
    let file = StateFile::in_dir(&state_dir(&dir)).expect("state");
    let mut state = file.load().expect("load").expect("written");
    state.delivered[0].card = None;
    file.save(&state).expect("save");
    let json = std::fs::read_to_string(file.path()).expect("read");
    assert!(!json.contains("\"card\""), "{json}");

    let restarted = live(&briefs);
    let announcer = start(&stub, &restarted, settings(&state_dir(&dir), &[NEWS], None));
    settled(&announcer, 0).await;
    assert!(edits_of(&stub).is_empty());
    assert!(
        announcer.state().delivered[0].card.is_some(),
        "taken to show the announcement of now"
    );
    announcer.stop().await;
}
