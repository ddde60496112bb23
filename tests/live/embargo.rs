//! Embargoes in a running bot, by a clock the test moves: an embargoed round is not served
//! before its moment, is served and announced once when the moment comes (no save, no
//! restart), and is not announced again after a restart; one whose moment passed while the
//! bot was down is announced when it starts. A draft is never served nor announced.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::announce::{NEWS, posts_to, settings, start, state_dir, until};
use crate::common::discord_stub::DiscordStub;
use crate::common::{round_brief, shipped_copy, shipped_options};
use briefbot::commands::notices;
use briefbot::library::{Folder, Library};
use briefbot::live::announce::Announcer;
use briefbot::live::{Clock, ManualClock, Reloader, Trigger};
use tokio_util::sync::CancellationToken;

/// Round 7's `publish_at`: 2030-01-01T00:00:00Z.
fn moment() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000)
}

/// Adds a draft round 6 and round 7 embargoed until `moment()` to a briefs folder.
fn add_held_rounds(briefs: &Path) {
    let draft = round_brief(6, "Draft round").replacen(
        "\n[[positions]]",
        "\ndraft = true\n\n[[positions]]",
        1,
    );
    let embargoed = round_brief(7, "Embargoed round").replacen(
        "\n[[positions]]",
        "\npublish_at = 2030-01-01T00:00:00Z\n\n[[positions]]",
        1,
    );
    for (name, text) in [("06-draft.md", draft), ("07-embargoed.md", embargoed)] {
        std::fs::write(briefs.join("syria-israel").join(name), text).expect("write brief");
    }
}

/// A reloader serving `briefs` as loaded at `clock`'s now, publishing by that clock until
/// `stop`, as `Live::start` runs it.
fn live_at(briefs: &Path, clock: &Arc<ManualClock>, stop: &CancellationToken) -> Arc<Reloader> {
    let mut folder = Folder::new(briefs, shipped_options());
    let library = folder.load_at(clock.now()).expect("the briefs load");
    let reloader = Reloader::with_clock(library, folder, clock.clone());
    tokio::spawn(reloader.clone().publish_on_time(stop.clone()));
    reloader
}

fn serves(library: &Library, number: u32) -> bool {
    library
        .track("syria-israel")
        .is_some_and(|t| t.round(number).is_some())
}

/// Waits until the announcer has recorded the snapshot served at its start, with nothing
/// left to post.
async fn settled(announcer: &Announcer) {
    until("the announcer to record the snapshot", || {
        announcer.has_recorded(0) && announcer.pending() == 0
    })
    .await;
}

fn announced_rounds(stub: &DiscordStub) -> Vec<u32> {
    posts_to(stub, NEWS)
        .iter()
        .filter_map(|post| {
            let content = post["content"].as_str()?;
            (5..=7).find(|n| notices::is_announcement_of(content, "syria-israel", *n))
        })
        .collect()
}

#[tokio::test]
async fn an_embargo_lifting_while_the_bot_runs_is_served_and_announced_once() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    add_held_rounds(&briefs);
    let clock = Arc::new(ManualClock::new(moment() - Duration::from_secs(3_600)));
    let stop = CancellationToken::new();

    // The first start: no state file, so what is served is recorded; the held rounds are not.
    let reloader = live_at(&briefs, &clock, &stop);
    let announcer = start(&stub, &reloader, settings(&state_dir(&dir), &[NEWS], None));
    settled(&announcer).await;
    assert!(!serves(&reloader.current(), 7) && !serves(&reloader.current(), 6));
    // A reload before the moment keeps it back too.
    clock.advance(Duration::from_secs(3_599));
    reloader.reload(Trigger::Files).await;
    assert!(!serves(&reloader.current(), 7), "one second early");
    assert!(announced_rounds(&stub).is_empty());

    clock.advance(Duration::from_secs(1));
    until("round 7 to be served at its moment", || {
        serves(&reloader.current(), 7)
    })
    .await;
    assert!(!serves(&reloader.current(), 6), "a draft stays held");
    until("round 7 to be announced", || {
        announced_rounds(&stub) == [7] && announcer.pending() == 0
    })
    .await;
    let post = &posts_to(&stub, NEWS)[0];
    assert_eq!(post["embeds"][0]["title"], "Embargoed round");

    // Later reloads and time find nothing more to announce.
    reloader.reload(Trigger::Files).await;
    clock.advance(Duration::from_secs(86_400));
    let generation = reloader.generation();
    until("the announcer to record the last reload", || {
        announcer.has_recorded(generation)
    })
    .await;
    assert_eq!(announcer.pending(), 0);
    announcer.stop().await;
    stop.cancel();

    // A restart after the moment serves round 7 from the start and announces nothing.
    let stop = CancellationToken::new();
    let reloader = live_at(&briefs, &clock, &stop);
    assert!(serves(&reloader.current(), 7));
    let announcer = start(&stub, &reloader, settings(&state_dir(&dir), &[NEWS], None));
    settled(&announcer).await;
    assert_eq!(announced_rounds(&stub), [7], "announced once, not again");
    assert_eq!(posts_to(&stub, NEWS).len(), 1);
    announcer.stop().await;
    stop.cancel();
}

#[tokio::test]
async fn an_embargo_that_lifted_while_the_bot_was_down_is_announced_when_it_starts() {
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    add_held_rounds(&briefs);
    let clock = Arc::new(ManualClock::new(moment() - Duration::from_secs(60)));

    let stop = CancellationToken::new();
    let reloader = live_at(&briefs, &clock, &stop);
    let announcer = start(&stub, &reloader, settings(&state_dir(&dir), &[NEWS], None));
    settled(&announcer).await;
    announcer.stop().await;
    stop.cancel();
    assert!(announced_rounds(&stub).is_empty());

    // The bot is down at the moment; it starts an hour later.
    clock.advance(Duration::from_secs(3_600));
    let stop = CancellationToken::new();
    let reloader = live_at(&briefs, &clock, &stop);
    let announcer = start(&stub, &reloader, settings(&state_dir(&dir), &[NEWS], None));
    until("round 7 to be announced on start", || {
        announced_rounds(&stub) == [7] && announcer.pending() == 0
    })
    .await;
    announcer.stop().await;
    stop.cancel();
}

/// `briefbot preview` lifts an embargo at its moment too, as the bot does, without a save:
/// the page asked for after the moment shows the round, by the clock the test moves.
#[tokio::test]
async fn the_preview_serves_an_embargoed_round_from_its_moment() {
    let (_dir, briefs) = shipped_copy();
    add_held_rounds(&briefs);
    let clock = Arc::new(ManualClock::new(moment() - Duration::from_secs(60)));
    let mut folder = Folder::new(&briefs, shipped_options());
    let library = folder.load_at(clock.now()).expect("the briefs load");
    // Nothing else publishes by this clock: only the preview's own task can lift the embargo.
    let reloader = Reloader::with_clock(library, folder, clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("its address");
    let stop = CancellationToken::new();
    let preview = tokio::spawn(briefbot::preview::serve(
        listener,
        reloader.clone(),
        stop.clone(),
    ));
    let latest = || async {
        reqwest::get(format!("http://{addr}/view?cmd=%2Flatest"))
            .await
            .expect("the preview answers")
            .text()
            .await
            .expect("a page")
    };
    assert!(
        !latest().await.contains("Embargoed round"),
        "not before its moment"
    );

    clock.advance(Duration::from_secs(60));
    until("the preview to publish the embargoed round", || {
        serves(&reloader.current(), 7)
    })
    .await;
    assert!(
        latest().await.contains("Embargoed round"),
        "served from its moment"
    );

    stop.cancel();
    preview
        .await
        .expect("the preview task")
        .expect("the preview stops");
}
