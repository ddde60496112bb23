//! The last line of `cargo test`: the tests left out because this machine lacks a system
//! package they need (Chromium for the preview's browser tests, PostgreSQL's server for the
//! database tests), counted by test binary, and the `apt-get install` line that would run them.
//! `cargo test` runs the test targets in the order of their names, so this one, named to sort
//! last, reads the markers the others left (see `common/needs.rs`).
//!
//! A marker counts only while its package is still missing (and not required, which fails
//! its tests instead); reported once, the markers are removed, so the next run's line is
//! about that run.

#[allow(dead_code)] // the tests' side of it is used by the other test binaries
#[path = "common/needs.rs"]
mod needs;

fn main() {
    // cargo passes libtest's arguments (a filter, --quiet, --nocapture…): all taken and
    // ignored, but for `--list`, which tools such as cargo-nextest use to find tests, and
    // which lists none.
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let folder = needs::markers();
    let line = needs::summary(&folder, needs::left_out_now);
    let _ = std::fs::remove_dir_all(&folder);
    println!(
        "{}",
        line.as_deref()
            .unwrap_or("no test was left out for a missing system package")
    );
}
