//! Hot reload on real files in a temporary folder: a broken edit never reaches readers,
//! fixing it brings the new library, a burst of writes racing with reloads never shows a
//! reader a half-loaded library, and (one smoke test) the real file watcher brings a saved
//! round in. The watcher's timing is tested in paused time beside it (`live::watcher`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use briefbot::live::{self, Outcome, Reloader, Trigger};
use tokio_util::task::TaskTracker;

use crate::common::{eventually, live, round_brief, shipped_copy};

fn has_round(reloader: &Reloader, number: u32) -> bool {
    reloader
        .current()
        .track("syria-israel")
        .is_some_and(|t| t.round(number).is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_round_is_served_through_the_real_watcher() {
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let tasks = TaskTracker::new();
    let watch = live::watch(reloader.clone(), &tasks).expect("watch");
    assert!(!has_round(&reloader, 6));

    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round"),
    )
    .expect("write");
    // Generous: the quiet period is 250 ms, but a loaded CI machine may be slow to notice.
    let took = eventually("round 6 to be served", Duration::from_secs(5), || {
        std::future::ready(has_round(&reloader, 6))
    })
    .await;
    eprintln!("round 6 served {took:?} after the file was written");
    assert_eq!(
        reloader
            .current()
            .track("syria-israel")
            .map(|t| t.rounds.len()),
        Some(2)
    );
    // Dropping the watch ends its task.
    drop(watch);
    tasks.close();
    tokio::time::timeout(Duration::from_secs(5), tasks.wait())
        .await
        .expect("the watch task ends with the watch");
}

#[tokio::test]
async fn a_broken_edit_keeps_the_last_good_library_and_fixing_it_brings_the_new_one() {
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let status = reloader.subscribe();
    let before = reloader.current();

    // Round 6 with its title misspelt: the whole library is refused, round 5 stays served.
    let broken = round_brief(6, "Geneva round").replacen("title = ", "titel = ", 1);
    let file = briefs.join("syria-israel/06-geneva.md");
    std::fs::write(&file, broken).expect("write");
    let Outcome::Failed { failure, serving } = reloader.reload(Trigger::Files).await else {
        panic!("a broken folder must not load");
    };
    assert!(Arc::ptr_eq(&serving, &before));
    assert!(
        failure.report.contains("06-geneva.md:4:1"),
        "{}",
        failure.report
    );
    assert!(
        failure.report.contains("unknown key `titel`"),
        "{}",
        failure.report
    );
    assert_eq!(status.borrow().failure.as_ref(), Some(&failure));
    assert!(
        Arc::ptr_eq(&reloader.current(), &before),
        "the old snapshot is still served"
    );
    assert!(!has_round(&reloader, 6));

    // The same mistakes again: the same failure, and still the old snapshot.
    match reloader.reload(Trigger::Command).await {
        Outcome::Failed {
            failure: again,
            serving,
        } => {
            assert_eq!(again.fingerprint, failure.fingerprint);
            assert!(Arc::ptr_eq(&serving, &before));
        }
        Outcome::Loaded { .. } => panic!("a broken folder must not load"),
    }

    std::fs::write(&file, round_brief(6, "Geneva round")).expect("fix");
    let Outcome::Loaded { added, .. } = reloader.reload(Trigger::Files).await else {
        panic!("the fixed folder loads");
    };
    assert_eq!(added.len(), 1);
    assert!(has_round(&reloader, 6));
    assert!(
        status.borrow().failure.is_none(),
        "the failure is cleared once the folder loads"
    );
    assert_eq!(reloader.generation(), 3);
}

/// The title and the last line of round 6 in version `i`: a reader that sees one of them
/// from another version has seen a library made of two loads.
fn version(i: usize) -> String {
    let brief = round_brief(6, &format!("Version {i}"));
    format!("{}\nEnd of version {i}.\n", brief.trim_end())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_rapid_writes_never_show_a_reader_a_half_loaded_library() {
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let file = briefs.join("syria-israel/06-geneva.md");

    // A reader on its own thread, as a request handler is: every snapshot it sees must be
    // whole, and never older than the one before.
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let shared = reloader.library().clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut seen = 0usize;
            let mut reads = 0usize;
            let mut distinct = std::collections::BTreeSet::new();
            loop {
                // Read once more after being told to stop: the last read sees the last version.
                let stopping = done.load(Ordering::SeqCst);
                let library = shared.load();
                reads += 1;
                // Whole: every part of the folder is there, and every reference resolves.
                let track = library
                    .track("syria-israel")
                    .expect("the track is always there");
                assert!(track.round(5).is_some(), "round 5 is always there");
                assert_eq!(
                    library.authors().len(),
                    1,
                    "the author file is always there"
                );
                assert!(
                    !library.parties().is_empty(),
                    "parties.toml is always there"
                );
                for round in &track.rounds {
                    assert!(library.author(&round.author).is_some());
                    for position in &round.positions {
                        assert!(library.party(&position.party).is_some());
                    }
                }
                if let Some(round) = track.round(6) {
                    let i: usize = round
                        .title
                        .strip_prefix("Version ")
                        .and_then(|n| n.parse().ok())
                        .expect("a whole title");
                    assert!(
                        round
                            .body
                            .trim_end()
                            .ends_with(&format!("End of version {i}.")),
                        "title of version {i}, body of another"
                    );
                    assert!(i >= seen, "version {i} after version {seen}");
                    seen = i;
                    distinct.insert(i);
                }
                if stopping {
                    break;
                }
            }
            (reads, distinct.len(), seen)
        })
    };
    // Reloads racing with the writes: many loads see a file half written (truncated, not yet
    // filled), which must be refused, never served.
    let writing = Arc::new(AtomicBool::new(true));
    let hammer = {
        let reloader = reloader.clone();
        let writing = writing.clone();
        tokio::spawn(async move {
            let (mut loaded, mut failed) = (0, 0);
            // Until the writes stop, and at least until one reload has swapped a library in
            // while the reader reads (on a busy machine the writes can all land before the
            // first reload finishes).
            while (writing.load(Ordering::SeqCst) || loaded == 0) && failed < 10_000 {
                match reloader.reload(Trigger::Command).await {
                    Outcome::Loaded { .. } => loaded += 1,
                    Outcome::Failed { .. } => failed += 1,
                }
            }
            (loaded, failed)
        })
    };
    for i in 1..=100 {
        std::fs::write(&file, version(i)).expect("write");
        tokio::task::yield_now().await;
    }
    writing.store(false, Ordering::SeqCst);
    let (loaded, failed) = hammer.await.expect("hammer");
    // The last write is whole: one more reload serves it.
    assert!(matches!(
        reloader.reload(Trigger::Files).await,
        Outcome::Loaded { .. }
    ));
    done.store(true, Ordering::SeqCst);
    let (reads, versions, final_seen) = reader.join().expect("the reader saw only whole libraries");
    eprintln!(
        "{reads} reads saw {versions} versions; {loaded} reloads swapped, {failed} refused a half-written file"
    );
    assert_eq!(final_seen, 100, "the reader ends on the last version");
    assert!(loaded > 0, "the racing reloads swapped some versions in");
}

/// A `[[follow]]` track the briefs do not have is warned about with its line when briefbot
/// starts and again after each reload while it lasts; once a round of it is served, never.
#[tokio::test]
async fn a_follow_track_without_rounds_is_warned_about_at_start_and_after_each_reload() {
    use briefbot::config::Place;
    let logs = crate::announce::CapturedLogs::start();
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let at = |line| Place::File {
        path: "config.toml".into(),
        line,
    };
    let follow = vec![
        ("gulf".to_string(), at(12)),
        ("syria-israel".to_string(), at(17)),
        ("syria-isreal".to_string(), at(22)),
    ];
    let stop = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(live::tracks::warn_of_missing(
        follow,
        reloader.clone(),
        stop.clone(),
    ));
    let warnings = |track: &str| {
        let quoted = format!("track \"{track}\"");
        logs.lines()
            .into_iter()
            .filter(|l| l.contains(" WARN ") && l.contains(&quoted))
            .collect::<Vec<_>>()
    };
    eventually("the warnings at start", Duration::from_secs(5), || {
        std::future::ready(warnings("gulf").len() == 1)
    })
    .await;
    assert!(
        warnings("gulf")[0].contains(
            "config.toml:12: the [[follow]] track \"gulf\" has no rounds in the briefs, so its role is pinged by no announcement until one is served; the tracks are syria-israel"
        ),
        "{:?}",
        logs.lines()
    );
    assert!(
        warnings("syria-isreal")[0].contains(
            "config.toml:22: the [[follow]] track \"syria-isreal\" has no rounds in the briefs, so its role is pinged by no announcement until one is served; did you mean \"syria-israel\"?"
        ),
        "{:?}",
        logs.lines()
    );
    assert!(warnings("syria-israel").is_empty(), "a track with rounds");

    // A reload that changes nothing for the track: said again.
    assert!(matches!(
        reloader.reload(Trigger::Command).await,
        Outcome::Loaded { .. }
    ));
    eventually("the warning after a reload", Duration::from_secs(5), || {
        std::future::ready(warnings("gulf").len() == 2)
    })
    .await;

    // The track's first round: no more warning for it, after this reload or the next.
    std::fs::write(
        briefs.join("syria-israel/07-gulf.md"),
        round_brief(7, "Gulf round").replacen("track = \"syria-israel\"", "track = \"gulf\"", 1),
    )
    .expect("write a round of gulf");
    assert!(matches!(
        reloader.reload(Trigger::Command).await,
        Outcome::Loaded { .. }
    ));
    assert!(matches!(
        reloader.reload(Trigger::Command).await,
        Outcome::Loaded { .. }
    ));
    eventually(
        "the other warning after both reloads",
        Duration::from_secs(5),
        || std::future::ready(warnings("syria-isreal").len() == 4),
    )
    .await;
    assert_eq!(warnings("gulf").len(), 2, "{:?}", logs.lines());

    stop.cancel();
    task.await.expect("the task ends when stopped");
}
