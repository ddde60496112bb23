//! Tests that need a system package the machine lacks (`common::needs`): such a test is
//! reported as not run and leaves a marker, or fails where `BRIEFBOT_TEST_REQUIRE` names the
//! package; the `system_packages` target, last in `cargo test`, sums the markers up in one line.
//! The package is hidden with `BRIEFBOT_TEST_WITHOUT`, in a child run of this test binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;
use crate::common::needs::{self, Package, REQUIRE_VARIABLE, WITHOUT_VARIABLE};

/// Set in the child runs of [`needs_chromium`]; without it the ignored test returns at once.
const CHILD_VARIABLE: &str = "BRIEFBOT_TEST_NEEDS_CHILD";
const CHILD: &str = "missing_packages::needs_chromium";

#[test]
#[ignore = "run by a_missing_package_leaves_its_test_out_or_fails_it_where_required"]
fn needs_chromium() {
    if std::env::var_os(CHILD_VARIABLE).is_none() || !needs::needs(Package::Chromium) {
        return;
    }
    println!("ran with Chromium");
}

/// This binary run again for [`needs_chromium`] alone, with `without` and `require` as the
/// two variables.
fn child(without: &str, require: &str) -> (Output, String) {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([CHILD, "--exact", "--ignored", "--nocapture"])
        .env(CHILD_VARIABLE, "1")
        .env(WITHOUT_VARIABLE, without)
        .env(REQUIRE_VARIABLE, require)
        .output()
        .expect("run the child");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

fn marker() -> PathBuf {
    needs::markers().join("preview").join(CHILD)
}

#[test]
fn a_missing_package_leaves_its_test_out_or_fails_it_where_required() {
    let marker = marker();
    let _ = std::fs::remove_file(&marker);

    // Missing, not required: passes without running, says so, and leaves its marker.
    let (output, text) = child("chromium", "");
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "not run: {CHILD}: needs chromium, chromium-driver ({WITHOUT_VARIABLE}=chromium hides it)"
        )),
        "{text}"
    );
    assert!(!text.contains("ran with Chromium"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&marker).expect("the marker"),
        "chromium\n"
    );
    std::fs::remove_file(&marker).expect("remove the marker");

    // Either of its packages hides it; requiring another package changes nothing.
    let (output, text) = child("chromium-driver", "postgresql");
    assert!(output.status.success(), "{text}");
    assert!(text.contains(&format!("not run: {CHILD}")), "{text}");
    std::fs::remove_file(&marker).expect("remove the marker");

    // Required, by name or as all: fails, saying what to install, and leaves no marker.
    for require in ["all", "postgresql, chromium"] {
        let (output, text) = child("chromium", require);
        assert!(!output.status.success(), "{text}");
        assert!(
            text.contains(&format!(
                "{CHILD} needs chromium, chromium-driver, which this machine lacks"
            )) && text.contains("apt-get install chromium chromium-driver"),
            "{text}"
        );
        assert!(!marker.exists(), "no marker for a failed test");
    }

    // A name that is no package is refused rather than requiring nothing.
    let (output, text) = child("", "chromum");
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains(&format!("{REQUIRE_VARIABLE} names `chromum`")),
        "{text}"
    );

    // Where Chromium is installed and not hidden, the test runs, and a marker an earlier run
    // left is removed.
    std::fs::create_dir_all(marker.parent().expect("its folder")).expect("the folder");
    std::fs::write(&marker, "chromium\n").expect("a stale marker");
    let (output, text) = child("", "");
    // Installed, whatever this process's BRIEFBOT_TEST_WITHOUT says.
    if [needs::CHROMIUM, needs::CHROMEDRIVER]
        .iter()
        .all(|path| Path::new(path).is_file())
    {
        assert!(output.status.success(), "{text}");
        assert!(text.contains("ran with Chromium"), "{text}");
        assert!(!marker.exists(), "the stale marker is gone");
    } else {
        assert!(text.contains(&format!("not run: {CHILD}")), "{text}");
        std::fs::remove_file(&marker).expect("remove the marker");
    }
}

/// Markers as the test binaries leave them: `binary/test` holding the package's name.
fn markers(folder: &Path, tests: &[(&str, &str, &str)]) {
    for (binary, test, package) in tests {
        let dir = folder.join(binary);
        std::fs::create_dir_all(&dir).expect("a binary's folder");
        std::fs::write(dir.join(test), format!("{package}\n")).expect("a marker");
    }
}

#[test]
fn the_summary_counts_the_tests_left_out_by_binary_and_kind_and_says_what_to_install() {
    let folder = tempfile::tempdir().expect("tempdir");
    markers(
        folder.path(),
        &[
            ("preview", "browser::a", "chromium"),
            ("preview", "browser::b", "chromium"),
            ("live", "shared_state::c", "postgresql"),
            ("live", "outage::d", "postgresql"),
            ("live", "outage::e", "postgresql"),
            ("live", "a_package_no_test_needs_now", "imagemagick"),
        ],
    );
    let sudo = if needs::id(&["-u"]) == Some(0) {
        ""
    } else {
        "sudo "
    };
    assert_eq!(
        needs::summary(folder.path(), |_| true).as_deref(),
        Some(
            format!(
                "not run: 3 live database tests (need postgresql), 2 preview browser tests (need \
                 chromium, chromium-driver): {sudo}apt-get install chromium chromium-driver \
                 postgresql; BRIEFBOT_TEST_REQUIRE=all makes them fail instead"
            )
            .as_str()
        )
    );
    // Installed since the markers were left: those tests would run now.
    assert_eq!(
        needs::summary(folder.path(), |p| p == Package::Chromium).as_deref(),
        Some(
            format!(
                "not run: 2 preview browser tests (need chromium, chromium-driver): \
                 {sudo}apt-get install chromium chromium-driver; BRIEFBOT_TEST_REQUIRE=all \
                 makes them fail instead"
            )
            .as_str()
        )
    );
    assert_eq!(needs::summary(folder.path(), |_| false), None);
    // One test, in the singular; nothing at all without markers.
    let one = tempfile::tempdir().expect("tempdir");
    markers(one.path(), &[("live", "outage::d", "postgresql")]);
    let line = needs::summary(one.path(), |_| true).expect("a line");
    assert!(
        line.starts_with("not run: 1 live database test (needs postgresql): "),
        "{line}"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    assert_eq!(needs::summary(empty.path(), |_| true), None);
    assert_eq!(needs::summary(&empty.path().join("absent"), |_| true), None);
}

/// The summary ends the run only while its target's name sorts after every other test
/// target's: `cargo test` runs them in that order.
#[test]
fn the_summary_target_is_the_last_test_target() {
    let mut targets: Vec<String> = std::fs::read_dir(common::repo("tests"))
        .expect("tests/")
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() && path.join("main.rs").is_file() {
                Some(name)
            } else {
                name.strip_suffix(".rs").map(str::to_string)
            }
        })
        .collect();
    targets.sort();
    assert_eq!(
        targets.last().map(String::as_str),
        Some("system_packages"),
        "{targets:?}"
    );
}
