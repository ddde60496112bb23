//! Every way a briefs folder can be wrong, one fixture folder each under
//! `tests/fixtures/briefs-invalid/<case>/`, with the exact diagnostics in its `expected.txt`
//! (`file:line:column: message`, paths relative to the case folder).
//!
//! A case may also hold `help.txt`: each diagnostic's help, `file:line:column: help` (or
//! `file:line:column: (no help)`), for the cases whose help text is part of what they test.
//!
//! After a deliberate change to a message, `BLESS=1 cargo test --test briefs invalid_briefs`
//! rewrites the expectations; review the diff before committing it.

use std::path::{Path, PathBuf};

use briefbot::library::diagnostics::Diagnostic;
use briefbot::library::{Library, LoadOptions};

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/briefs-invalid")
        .join(case)
}

/// The diagnostics of loading a case folder (no default track), as `expected.txt` writes them.
fn diagnostics(dir: &Path) -> Vec<String> {
    described(dir, |d| d.message.clone())
}

/// Each diagnostic's help, as `help.txt` writes it.
fn helps(dir: &Path) -> Vec<String> {
    described(dir, |d| {
        d.help.clone().unwrap_or_else(|| "(no help)".to_string())
    })
}

/// `position: text` for each diagnostic of loading a case folder, `text` chosen by `what`.
fn described(dir: &Path, what: impl Fn(&Diagnostic) -> String) -> Vec<String> {
    let error =
        Library::load(dir, &LoadOptions::default()).expect_err("an invalid case must not load");
    error
        .diagnostics
        .items()
        .iter()
        .map(|d| {
            let relative = d.path.strip_prefix(dir).unwrap_or(&d.path);
            let position = match d.location {
                Some(at) => format!("{}:{}:{}", relative.display(), at.line, at.column),
                None => relative.display().to_string(),
            };
            let position = if position.is_empty() {
                ".".to_string()
            } else {
                position
            };
            // Messages that name another file name it as the editor sees it; drop the
            // machine-specific folder so the expectation holds on every checkout.
            let message = what(d).replace(&format!("{}/", dir.display()), "");
            format!("{position}: {message}")
        })
        .collect()
}

fn check_case(case: &str) {
    let dir = case_dir(case);
    let actual = diagnostics(&dir);
    let expected_path = dir.join("expected.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, actual.join("\n") + "\n").expect("write expected.txt");
        check_help(case, &dir);
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).expect("every case has expected.txt");
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(actual, expected, "diagnostics of case `{case}`");
    check_help(case, &dir);
}

/// The case's help texts against its `help.txt`, when it has one.
fn check_help(case: &str, dir: &Path) {
    let help_path = dir.join("help.txt");
    if !help_path.exists() {
        return;
    }
    let actual = helps(dir);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&help_path, actual.join("\n") + "\n").expect("write help.txt");
        return;
    }
    let expected = std::fs::read_to_string(&help_path).expect("help.txt");
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(actual, expected, "help of case `{case}`");
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { check_case(stringify!($name)); } )*

        /// Every fixture folder has a test above, so no case is silently skipped.
        #[test]
        fn every_fixture_folder_is_a_case() {
            let listed = [$(stringify!($name)),*];
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/briefs-invalid");
            for entry in std::fs::read_dir(root).expect("fixtures folder") {
                let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
                assert!(listed.contains(&name.as_str()), "fixture folder `{name}` has no test");
            }
        }
    };
}

cases!(
    missing_fence,
    unclosed_fence,
    toml_syntax,
    missing_required,
    empty_required,
    wrong_type,
    date_not_toml_date,
    date_with_time,
    publish_at_without_offset,
    publish_at_not_a_moment,
    draft_not_true_or_false,
    duplicate_with_draft,
    duplicate_round,
    unknown_author,
    unknown_party,
    source_not_https,
    title_too_long,
    stance_too_long,
    summary_too_long,
    not_utf8,
    empty_folder,
    unknown_key,
    placeholder_left,
    bad_role,
    no_track,
    stray_toml,
    bad_author_file,
    several_broken,
    duplicate_despite_errors,
    misplaced_key,
    toml_unclosed_list,
    bad_author_link,
    correction_bad_dates,
    correction_impossible_date,
    correction_bad_notes,
    correction_unknown_key,
    corrections_not_a_list,
    corrections_single_table,
    typographic_quotes,
    five_slips,
    datetime_other_format,
    dash_in_date,
    invisible_space,
    date_other_formats,
    yaml_front_matter,
    colon_instead_of_equals,
    list_missing_comma,
);

#[test]
fn missing_folder_is_named() {
    let dir = case_dir("no-such-folder");
    let error = Library::load(&dir, &LoadOptions::default()).expect_err("missing folder");
    let items = error.diagnostics.items();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].path, dir);
    assert_eq!(items[0].message, "the briefs folder does not exist");
}
