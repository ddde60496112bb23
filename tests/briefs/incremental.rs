//! Loading a folder again after a change reads only the files that changed: unchanged rounds
//! are the very same values (shared with the snapshot served), the checks across files still
//! see the whole folder, and a broken edit is reported exactly as a full load reports it.

use std::path::PathBuf;

use briefbot::library::{Folder, Library};

use crate::common::{age, reload, round_brief, shipped_copy, shipped_options};

fn round(library: &Library, number: u32) -> &briefbot::library::Round {
    library
        .track("syria-israel")
        .and_then(|t| t.round(number))
        .unwrap_or_else(|| panic!("round {number}"))
}

fn shares(a: &Library, b: &Library, number: u32) -> bool {
    std::ptr::eq(round(a, number), round(b, number))
}

/// The shipped briefs and a round 6, in a folder served for a while (see `age`), and the
/// `Folder` that will read it.
fn served_with_round_six() -> (tempfile::TempDir, PathBuf, Folder) {
    let (dir, briefs) = shipped_copy();
    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round"),
    )
    .expect("write");
    age(&briefs);
    let folder = Folder::new(&briefs, shipped_options());
    (dir, briefs, folder)
}

#[test]
fn unchanged_files_are_not_read_again_and_an_edited_one_is() {
    let (_dir, briefs, mut folder) = served_with_round_six();
    let first = reload(&mut folder);
    let second = reload(&mut folder);
    assert!(shares(&first, &second, 5) && shares(&first, &second, 6));

    std::fs::write(
        briefs.join("syria-israel/06-geneva.md"),
        round_brief(6, "Geneva round, corrected"),
    )
    .expect("edit");
    let third = reload(&mut folder);
    assert_eq!(round(&third, 6).title, "Geneva round, corrected");
    assert!(
        !shares(&second, &third, 6),
        "the edited round is read again"
    );
    assert!(shares(&second, &third, 5), "the other round is shared");
    // Exactly what a full load of the same folder gives.
    let full = Library::load(&briefs, &shipped_options()).expect("loads");
    assert_eq!(
        third.rounds().cloned().collect::<Vec<_>>(),
        full.rounds().cloned().collect::<Vec<_>>()
    );
}

#[test]
fn a_broken_edit_is_reported_as_a_full_load_reports_it_and_the_fix_loads() {
    let (_dir, briefs) = shipped_copy();
    age(&briefs);
    let mut folder = Folder::new(&briefs, shipped_options());
    let before = reload(&mut folder);
    let file = briefs.join("syria-israel/06-geneva.md");
    std::fs::write(
        &file,
        round_brief(6, "Geneva round").replacen("title = ", "titel = ", 1),
    )
    .expect("write");
    let incremental = folder.load().expect_err("a broken folder does not load");
    let full = Library::load(&briefs, &shipped_options()).expect_err("nor in a full load");
    assert_eq!(incremental.diagnostics.render(), full.diagnostics.render());
    assert_eq!(incremental.diagnostics.len(), 1);

    std::fs::write(&file, round_brief(6, "Geneva round")).expect("fix");
    let after = reload(&mut folder);
    assert!(shares(&before, &after, 5));
    assert_eq!(round(&after, 6).title, "Geneva round");
}

#[test]
fn a_new_file_that_repeats_a_cached_round_is_a_duplicate_at_its_line() {
    let (_dir, briefs) = shipped_copy();
    age(&briefs);
    let mut folder = Folder::new(&briefs, shipped_options());
    reload(&mut folder);
    std::fs::write(
        briefs.join("syria-israel/zz-copy.md"),
        round_brief(5, "The same round again"),
    )
    .expect("write");
    let error = folder.load().expect_err("a round in two files");
    let full = Library::load(&briefs, &shipped_options()).expect_err("a round in two files");
    assert_eq!(error.diagnostics.render(), full.diagnostics.render());
    let text = error.diagnostics.items()[0].to_string();
    assert!(
        text.contains("zz-copy.md:3:9: round 5 of track `syria-israel` is also in"),
        "{text}"
    );
}

#[test]
fn a_duplicate_in_a_file_with_a_byte_order_mark_points_at_its_number() {
    let (_dir, briefs) = shipped_copy();
    std::fs::write(
        briefs.join("syria-israel/zz-copy.md"),
        format!("\u{feff}{}", round_brief(5, "The same round again")),
    )
    .expect("write");
    let error = Folder::new(&briefs, shipped_options())
        .load()
        .expect_err("a round in two files");
    let text = error.diagnostics.items()[0].to_string();
    assert!(
        text.contains("zz-copy.md:3:9: round 5 of track `syria-israel` is also in"),
        "{text}"
    );
}

#[test]
fn removing_an_author_checks_every_brief_again() {
    let (_dir, briefs) = shipped_copy();
    age(&briefs);
    let mut folder = Folder::new(&briefs, shipped_options());
    reload(&mut folder);
    std::fs::remove_file(briefs.join("authors/omar-safadi.toml")).expect("remove");
    let error = folder.load().expect_err("the round's author is gone");
    let full = Library::load(&briefs, &shipped_options()).expect_err("the author is gone");
    assert_eq!(error.diagnostics.render(), full.diagnostics.render());
    assert!(
        error
            .diagnostics
            .items()
            .iter()
            .any(|d| d.message.contains("omar-safadi")),
        "{}",
        error.diagnostics.render()
    );
}

#[test]
fn a_removed_round_is_gone_from_the_next_load() {
    let (_dir, briefs, mut folder) = served_with_round_six();
    let before = reload(&mut folder);
    assert_eq!(before.round_count(), 2);
    std::fs::remove_file(briefs.join("syria-israel/06-geneva.md")).expect("remove");
    let after = reload(&mut folder);
    assert_eq!(after.round_count(), 1);
    assert!(shares(&before, &after, 5));
}
