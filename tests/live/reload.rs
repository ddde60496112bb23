//! Hot reload with the real file watcher, on real files in a temporary folder: a new round is
//! served within a second, a broken edit never reaches readers, fixing it brings the new
//! library, and a burst of writes racing with reloads never shows a reader a half-loaded one.


use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use briefbot::reload::{self, Outcome, Reloader, Trigger};
use crate::common::{live, round_brief, shipped_copy};

/// The tests here measure time (a second, a quiet period) and one of them loads the CPU on
/// purpose: they take turns, so none is slowed down by another.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Waits up to `limit` for `done`, checking every 5 ms; returns how long it took.
async fn within(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    done().then(|| started.elapsed())
}

fn has_round(reloader: &Reloader, number: u32) -> bool {
    reloader
        .current()
        .track("syria-israel")
        .is_some_and(|t| t.round(number).is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_round_is_served_within_a_second() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let _watch = reload::watch(reloader.clone()).expect("watch");
    assert!(!has_round(&reloader, 6));

    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round"),
    )
    .expect("write");
    let took = within(Duration::from_secs(1), || has_round(&reloader, 6)).await;
    assert!(took.is_some(), "round 6 was not served within 1 s");
    eprintln!("round 6 served {took:?} after the file was written");
    assert_eq!(
        reloader
            .current()
            .track("syria-israel")
            .map(|t| t.rounds.len()),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_edit_keeps_the_last_good_library_and_fixing_it_brings_the_new_one() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let mut status = reloader.subscribe();
    let _watch = reload::watch(reloader.clone()).expect("watch");
    let before = reloader.current();

    // Round 6 with its title misspelt: the whole library is refused, round 5 stays served.
    let broken = round_brief(6, "Geneva round").replacen("title = ", "titel = ", 1);
    let file = briefs.join("syria-israel/06-geneva.md");
    std::fs::write(&file, broken).expect("write");
    tokio::time::timeout(
        Duration::from_secs(2),
        status.wait_for(|s| s.failure.is_some()),
    )
    .await
    .expect("the failure is reported within 2 s")
    .expect("status");
    let failure = status.borrow().failure.clone().expect("failure");
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
    assert!(
        Arc::ptr_eq(&reloader.current(), &before),
        "the old snapshot is still served"
    );
    assert!(!has_round(&reloader, 6));

    // The same mistakes again: the same failure, and still the old snapshot.
    let again = reloader.reload(Trigger::Command).await;
    match again {
        Outcome::Failed {
            failure: f,
            serving,
        } => {
            assert_eq!(f.fingerprint, failure.fingerprint);
            assert!(Arc::ptr_eq(&serving, &before));
        }
        Outcome::Loaded { .. } => panic!("a broken folder must not load"),
    }

    std::fs::write(&file, round_brief(6, "Geneva round")).expect("fix");
    let took = within(Duration::from_secs(2), || has_round(&reloader, 6)).await;
    assert!(took.is_some(), "the fixed round 6 was not served");
    assert!(
        within(Duration::from_secs(1), || status.borrow().failure.is_none())
            .await
            .is_some(),
        "the failure is cleared once the folder loads"
    );
}

/// The title and the last line of round 6 in version `i`: a reader that sees one of them
/// from another version has seen a library made of two loads.
fn version(i: usize) -> String {
    let brief = round_brief(6, &format!("Version {i}"));
    format!("{}\nEnd of version {i}.\n", brief.trim_end())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_rapid_writes_never_show_a_reader_a_half_loaded_library() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let _watch = reload::watch(reloader.clone()).expect("watch");
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
    // Reloads racing with the writes, besides the watcher's: many loads see a file half
    // written (truncated, not yet filled), which must be refused, never served.
    let hammer = {
        let reloader = reloader.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let (mut loaded, mut failed) = (0, 0);
            while !done.load(Ordering::SeqCst) {
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
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let last = within(Duration::from_secs(1), || {
        reloader
            .current()
            .track("syria-israel")
            .and_then(|t| t.round(6))
            .is_some_and(|r| r.title == "Version 100")
    })
    .await;
    done.store(true, Ordering::SeqCst);
    let (reads, versions, final_seen) = reader.join().expect("the reader saw only whole libraries");
    let (loaded, failed) = hammer.await.expect("hammer");
    eprintln!(
        "{reads} reads saw {versions} versions; {loaded} reloads swapped, {failed} refused a half-written file"
    );
    assert!(
        last.is_some(),
        "version 100 was not served within 1 s of the last write"
    );
    assert_eq!(final_seen, 100, "the reader ends on the last version");
    assert!(versions > 1, "the reader saw the library change");
}

/// Reading the folder is not a change: the loader opens every file, `briefbot check` and
/// backups read them, and none of that may start a reload (which would start another).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_folder_is_not_reloaded_even_when_read() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let mut status = reloader.subscribe();
    let _watch = reload::watch(reloader.clone()).expect("watch");
    // A reload of our own and a reader of every file.
    reloader.reload(Trigger::Command).await;
    status.borrow_and_update();
    let _ = briefbot::library::Library::load(&briefs, &crate::common::shipped_options());
    for entry in std::fs::read_dir(briefs.join("syria-israel")).expect("list") {
        let _ = std::fs::read_to_string(entry.expect("entry").path());
    }
    tokio::time::sleep(reload::QUIET * 4).await;
    assert!(
        !status.has_changed().expect("status"),
        "a reload happened with no change to the folder"
    );

    // A real change still is one.
    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round"),
    )
    .expect("write");
    tokio::time::timeout(Duration::from_secs(2), status.changed())
        .await
        .expect("reloaded within 2 s")
        .expect("status");
}

/// A file written in pieces (a slow editor, a large `git pull`) is loaded once the writing
/// stops, not half-way: no reload happens while the pieces keep coming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_in_pieces_is_loaded_once_it_is_whole() {
    let _turn = ONE_AT_A_TIME.lock().await;
    use std::io::Write;
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let mut status = reloader.subscribe();
    let _watch = reload::watch(reloader.clone()).expect("watch");
    let text = round_brief(6, "Geneva round");
    let mut file = std::fs::File::create(briefs.join("syria-israel/06-geneva.md")).expect("create");
    let first = Instant::now();
    for piece in text.as_bytes().chunks(text.len() / 8 + 1) {
        file.write_all(piece).expect("write");
        file.flush().expect("flush");
        let written = Instant::now();
        tokio::time::sleep(reload::QUIET / 10).await;
        // Only a claim while the writer kept to its pace: a machine so busy that a pause ran
        // past the quiet period (or the burst past its cap) may rightly have reloaded.
        if written.elapsed() < reload::QUIET && first.elapsed() < reload::MAX_WAIT {
            assert!(
                !status.has_changed().expect("status"),
                "reloaded while the file was still being written"
            );
        }
    }
    drop(file);
    tokio::time::timeout(Duration::from_secs(2), status.changed())
        .await
        .expect("reloaded within 2 s")
        .expect("status");
    assert!(status.borrow().failure.is_none(), "the whole file loads");
    assert!(has_round(&reloader, 6));
}
