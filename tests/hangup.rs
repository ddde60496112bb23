//! SIGHUP reloads the briefs folder (`systemctl reload briefbot`). Its own test binary: the
//! signal goes to the whole process.

mod common;

use std::time::Duration;

use briefbot::reload;
use common::{live, round_brief, shipped_copy};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_loads_the_folder_again() {
    // Listening starts here, before anything else, as `run` and `serve` do.
    let hangups = reload::Hangups::listen();
    let (_dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    tokio::spawn(hangups.reload_on_each(reloader.clone()));
    // No watcher: only the signal can bring round 6 in.
    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round"),
    )
    .expect("write");
    let has_six = || {
        reloader
            .current()
            .track("syria-israel")
            .is_some_and(|t| t.round(6).is_some())
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!has_six(), "nothing reloads without the signal");
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    for _ in 0..500 {
        if has_six() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("SIGHUP did not reload the folder within 5 s");
}
