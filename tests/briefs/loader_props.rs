//! Property tests: whatever an editor's file holds, the loader answers with a library or with
//! diagnostics that point inside the file. It never panics.

use std::path::Path;

use briefbot::library::{Library, LoadOptions};
use proptest::prelude::*;

const AUTHOR: &str = "name = \"Dana Test\"\nbio = \"Writes fixture briefs.\"\n";

const VALID: &str = "+++\r\ntrack = \"river-talks\"\nround = 1\ntitle = \"Round één 🇸🇾\"\ndate = 2026-02-01\n\
author = \"dana-test\"\nsummary = \"\"\"\nA summary\nover lines.\"\"\"\nkey_points = [\"a\", \"b\"]\n\
sources = [{ title = \"t\", url = \"https://example.org\" }]\n\n[[positions]]\nparty = \"North\"\nstance = \"s\"\n+++\n\nBody \u{202b}مرحبا\u{202c} text.\n";

fn load_one(dir: &Path, brief: &[u8]) -> Result<Library, briefbot::library::LoadError> {
    std::fs::write(dir.join("01-round.md"), brief).expect("write brief");
    Library::load(dir, &LoadOptions::default())
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("authors")).expect("mkdir");
    std::fs::write(dir.path().join("authors/dana-test.toml"), AUTHOR).expect("author");
    dir
}

/// Every diagnostic about the brief points at a line and column that exist in it.
fn assert_points_inside(brief: &[u8], result: &Result<Library, briefbot::library::LoadError>) {
    let Err(error) = result else { return };
    assert!(!error.diagnostics.is_empty());
    let text = String::from_utf8_lossy(brief);
    let lines: Vec<&str> = text.split('\n').collect();
    for d in error.diagnostics.items() {
        let Some(at) = d.location else { continue };
        assert!(at.line >= 1 && at.line <= lines.len(), "{d}");
        let width = lines[at.line - 1].chars().count();
        assert!(
            at.column >= 1 && at.column <= width + 1,
            "{d} (line has {width} characters)"
        );
    }
    // Rendering with source lines must not panic either.
    let _ = error.diagnostics.render();
}

#[test]
fn the_property_base_brief_is_valid() {
    let dir = setup();
    let result = load_one(dir.path(), VALID.as_bytes());
    if let Err(error) = &result {
        panic!("{}", error.diagnostics.render());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_bytes_give_a_library_or_diagnostics(brief in proptest::collection::vec(any::<u8>(), 0..400)) {
        let dir = setup();
        let result = load_one(dir.path(), &brief);
        assert_points_inside(&brief, &result);
    }

    #[test]
    fn any_edit_of_a_valid_brief_gives_a_library_or_diagnostics(
        start in 0usize..VALID.len(),
        cut in 0usize..40,
        insert in "\\PC{0,12}|[\"\\[\\]=+{}\r\n#]{1,4}",
    ) {
        let mut brief = VALID.as_bytes().to_vec();
        let end = (start + cut).min(brief.len());
        brief.splice(start..end, insert.bytes());
        let dir = setup();
        let result = load_one(dir.path(), &brief);
        assert_points_inside(&brief, &result);
    }
}
