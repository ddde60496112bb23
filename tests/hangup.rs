//! SIGHUP reloads the briefs folder (`systemctl reload briefbot`). A test binary of its own:
//! the signal goes to the whole process.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use briefbot::live::Hangups;
use tokio_util::sync::CancellationToken;

use common::{live, round_brief, shipped_copy};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_loads_the_folder_again() {
    // Listening starts here, before anything else, as `run` and `serve` do.
    let hangups = Hangups::listen();
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let mut status = reloader.subscribe();
    let stop = CancellationToken::new();
    let listening = tokio::spawn(hangups.reload_on_each(reloader.clone(), stop.clone()));
    // No watcher: only the signal can bring round 6 in.
    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round"),
    )
    .expect("write");
    assert_eq!(reloader.generation(), 0, "nothing has reloaded yet");

    common::send_signal(std::process::id(), libc::SIGHUP);
    tokio::time::timeout(Duration::from_secs(5), status.changed())
        .await
        .expect("SIGHUP reloads the folder within 5 s")
        .expect("status");
    assert!(
        reloader
            .current()
            .track("syria-israel")
            .is_some_and(|t| t.round(6).is_some())
    );

    // A stop ends the listening.
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), listening)
        .await
        .expect("stops within 5 s")
        .expect("task");
}
