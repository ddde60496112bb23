//! `briefbot preview --out DIR`, the real binary on the fixtures' folders: every link of the
//! written pages leads to a written file, no held round shows without `--include-held`, the
//! cards are the live pages' own HTML, a folder briefbot did not write is never replaced, and
//! a broken briefs folder writes nothing. The exported pages in a browser are in `browser`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};

use briefbot::preview::pages::{self, Snapshot};
use briefbot::preview::site::Live;
use clap::Parser;

use crate::common;

/// `briefbot preview --out OUT` and `extra`, on the briefs in `briefs`, with no config file
/// and nothing from this process's environment that would name another.
pub fn export(briefs: &Path, out: &Path, extra: &[&str]) -> Output {
    let here = out.parent().expect("the export's parent folder");
    Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .arg("preview")
        .arg("--out")
        .arg(out)
        .args(extra)
        .current_dir(here)
        .env_remove("BRIEFBOT_CONFIG")
        .env("BRIEFBOT_BRIEFS_DIR", briefs)
        .env("BRIEFBOT_DEFAULT_TRACK", "syria-israel")
        .output()
        .expect("run briefbot")
}

/// The export of `fixture` (a folder under tests/fixtures, or `briefs`) into a fresh folder,
/// which is returned with the folder that holds it; panics unless briefbot succeeded.
pub fn exported(fixture: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("tempdir");
    let out = folder.path().join("preview");
    let output = export(&common::repo(fixture), &out, extra);
    assert!(
        output.status.success(),
        "briefbot preview --out failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (folder, out)
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeSet<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read the export").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                found.insert(path.strip_prefix(root).expect("inside").to_path_buf());
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(dir, dir, &mut found);
    found
}

/// The value of every `href="…"` and `src="…"` in `html`, unescaped.
fn targets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" href=\"", " src=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            let end = rest.find('"').expect("a closing quote");
            found.push(rest[..end].replace("&amp;", "&"));
        }
    }
    found
}

/// `target` (a relative link) from the file `from`, as a path relative to the export's top;
/// `None` when it would leave the export.
fn resolve(from: &Path, target: &str) -> Option<PathBuf> {
    let mut path = from.parent().unwrap_or(Path::new("")).to_path_buf();
    for component in Path::new(target).components() {
        match component {
            Component::Normal(name) => path.push(name),
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

fn read(out: &Path, file: impl AsRef<Path>) -> String {
    std::fs::read_to_string(out.join(file.as_ref()))
        .unwrap_or_else(|e| panic!("{}: {e}", file.as_ref().display()))
}

/// Every link of every page resolves to a file of the export, relatively, and every page is
/// linked from another: the export is the closure of the index's links and buttons.
/// (None of the fixtures reaches a button whose answer is private, such as search results'
/// Open buttons.)
fn assert_links_resolve(out: &Path) {
    let all = files(out);
    let mut linked = BTreeSet::new();
    for file in all
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        let html = read(out, file);
        // Every link leads to a page of content: none to a "no such round" kind of answer,
        // which Discord shows only to whoever asked.
        assert!(
            !html.contains("Only you can see this"),
            "{} is an error reply",
            file.display()
        );
        for target in targets(&html) {
            if target.starts_with("https://") || target.starts_with("http://") {
                continue;
            }
            assert!(
                !target.starts_with('/') && !target.contains(['?', '#', ':', '\\']),
                "{}: {target} is no plain relative file name",
                file.display()
            );
            let resolved = resolve(file, &target)
                .unwrap_or_else(|| panic!("{}: {target} leaves the export", file.display()));
            assert!(
                all.contains(&resolved),
                "{}: {target} leads to {}, which was not written",
                file.display(),
                resolved.display()
            );
            linked.insert(resolved);
        }
    }
    for file in &all {
        let top = [".briefbot-preview", "index.html"];
        assert!(
            linked.contains(file) || top.iter().any(|t| Path::new(t) == file),
            "{} was written, but nothing links to it",
            file.display()
        );
    }
}

#[test]
fn every_link_of_an_export_leads_to_a_file_it_wrote() {
    for (fixture, extra) in [
        ("briefs", &[][..]),
        ("tests/fixtures/briefs-search", &[]),
        ("tests/fixtures/briefs-drafts", &[]),
        ("tests/fixtures/briefs-drafts", &["--include-held"]),
    ] {
        let (_folder, out) = exported(fixture, extra);
        assert_links_resolve(&out);
    }
}

/// The words that appear only in the drafts fixture's held rounds (round 6, a draft, and
/// round 7, embargoed until 2099): any of them in an export shows a held round.
const HELD_WORDS: [&str; 5] = ["marzipan", "quetzal", "geneva", "lausanne", "2099"];

#[test]
fn without_include_held_no_file_shows_a_held_round() {
    let folder = tempfile::tempdir().expect("tempdir");
    let out = folder.path().join("preview");
    let output = export(&common::repo("tests/fixtures/briefs-drafts"), &out, &[]);
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.starts_with("wrote ") && said.contains(" pages to "),
        "{said}"
    );
    assert!(
        said.contains("2 rounds held back from members left out; --include-held adds them"),
        "{said}"
    );
    let all = files(&out);
    assert!(all.len() > 10, "{all:?}");
    for file in &all {
        let name = file.to_string_lossy().to_lowercase();
        let text = read(&out, file).to_lowercase();
        for word in HELD_WORDS {
            assert!(!text.contains(word), "{} shows `{word}`", file.display());
        }
        assert!(!text.contains("not served yet"), "{}", file.display());
        assert!(!name.contains("held"), "{name}");
        assert!(
            !name.contains("-6-") && !name.contains("-7-"),
            "a page of a held round: {name}"
        );
    }
}

#[test]
fn with_include_held_the_held_rounds_are_listed_and_have_their_pages() {
    let (_folder, out) = exported("tests/fixtures/briefs-drafts", &["--include-held"]);
    let index = read(&out, "index.html");
    assert!(index.contains("Not served yet"), "{index}");
    assert!(
        index.contains(
            "<a href=\"pages/held-view-round-6-track-syria-israel.html\">Round 6 of \
             syria-israel: Geneva round drafts the marzipan accord</a>"
        ),
        "{index}"
    );
    let card = read(&out, "pages/held-view-round-7-track-syria-israel.html");
    assert!(card.contains("quetzal corridor"), "{card}");
    assert!(card.contains("members cannot see them yet"), "{card}");
    // Its buttons stay among the held pages, as on the live preview.
    for target in targets(&card) {
        if target.starts_with("../pages/") {
            assert!(target.starts_with("../pages/held-"), "{target}");
        }
    }
}

/// The link targets of `html` blanked, so pages that differ only in where they link compare
/// equal.
fn without_targets(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(" href=\"") {
        let start = at + " href=\"".len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').expect("a closing quote");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The message of a page: what Discord would show, from the `<article>` to its end.
fn message(html: &str) -> &str {
    let start = html.find("<article").expect("a message");
    let end = html.rfind("</article>").expect("its end");
    &html[start..end]
}

#[test]
fn an_exported_card_is_the_live_pages_html_but_for_its_links() {
    let (_folder, out) = exported("tests/fixtures/briefs-search", &[]);
    let library = common::load(
        &common::repo("tests/fixtures/briefs-search"),
        "syria-israel",
    );
    let live = |page: &dyn Fn(&Snapshot) -> String| {
        page(&Snapshot {
            library: &library,
            failure: None,
            generation: 0,
            held: false,
            site: &Live,
        })
    };
    let cases: [(&str, String); 3] = [
        (
            "pages/view-round-3-track-syria-israel.html",
            live(&|s| pages::view(s, "/round 3 track:syria-israel")),
        ),
        (
            "pages/press-round-syria-israel-3-positions.html",
            live(&|s| pages::press(s, "round:syria-israel:3:positions", None)),
        ),
        (
            "pages/press-round-syria-israel-3-prev.html",
            live(&|s| pages::press(s, "round:syria-israel:3:prev", None)),
        ),
    ];
    for (file, live) in cases {
        let exported = read(&out, file);
        assert_eq!(
            without_targets(message(&exported)),
            without_targets(message(&live)),
            "{file}"
        );
    }
    // What only a server answers says so instead of a box that does nothing.
    let index = read(&out, "index.html");
    assert!(!index.contains("<form"), "{index}");
    assert!(
        index.contains("need the live preview: run <code>briefbot preview</code>"),
        "{index}"
    );
    assert!(
        !index.contains("data-events"),
        "no event stream to listen to"
    );
}

#[test]
fn an_export_replaces_its_own_folder_and_never_another() {
    let folder = tempfile::tempdir().expect("tempdir");
    let briefs = common::repo("tests/fixtures/briefs-drafts");
    let out = folder.path().join("site");

    // An editor's own folder is refused, and left as it was.
    std::fs::create_dir(&out).expect("the editor's folder");
    std::fs::write(out.join("notes.docx"), "mine").expect("the editor's file");
    let refused = export(&briefs, &out, &[]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("holds files briefbot did not write"),
        "{said}"
    );
    assert_eq!(files(&out), BTreeSet::from([PathBuf::from("notes.docx")]));
    std::fs::remove_dir_all(&out).expect("clear it");

    // An earlier export is replaced whole: a page it had and this one has not is gone.
    assert!(export(&briefs, &out, &["--include-held"]).status.success());
    assert!(
        out.join("pages/held-view-round-6-track-syria-israel.html")
            .is_file()
    );
    assert!(export(&briefs, &out, &[]).status.success());
    assert!(
        !out.join("pages/held-view-round-6-track-syria-israel.html")
            .exists()
    );
    assert!(out.join("index.html").is_file());
    // Readable by a web server it is copied to, as any folder made here would be.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out)
            .expect("the export")
            .permissions()
            .mode();
        assert_eq!(mode & 0o755, 0o755, "{mode:o}");
    }
    // Nothing left beside it from the way there.
    let beside: Vec<_> = std::fs::read_dir(folder.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside, ["site"], "{beside:?}");

    // A file is never replaced either.
    let file = folder.path().join("file.html");
    std::fs::write(&file, "mine").expect("a file");
    let refused = export(&briefs, &file, &[]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "mine");
}

#[test]
fn a_broken_briefs_folder_exports_nothing_and_names_its_mistakes() {
    let (folder, briefs) = common::shipped_copy();
    let file = briefs.join("syria-israel/05-paris.md");
    let shipped = std::fs::read_to_string(&file).expect("round 5");
    std::fs::write(&file, shipped.replacen("summary = ", "sumary = ", 1)).expect("break it");
    let out = folder.path().join("preview");
    let output = export(&briefs, &out, &[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("unknown key `sumary`"), "{said}");
    assert!(said.contains("05-paris.md:"), "the file and line: {said}");
    assert!(!out.exists(), "no export of a broken folder");
}

#[test]
fn out_goes_with_neither_listen_nor_allow_remote_and_include_held_needs_it() {
    let parses = |args: &[&str]| {
        briefbot::app::Cli::try_parse_from(["briefbot", "preview"].iter().chain(args)).is_ok()
    };
    assert!(parses(&["--out", "site"]));
    assert!(parses(&["--out", "site", "--include-held"]));
    assert!(!parses(&["--out", "site", "--listen", "127.0.0.1:4001"]));
    assert!(!parses(&["--out", "site", "--allow-remote"]));
    assert!(!parses(&["--include-held"]));
}

#[test]
fn exported_index_of_the_shipped_briefs() {
    let (_folder, out) = exported("briefs", &[]);
    insta::assert_snapshot!(read(&out, "index.html"));
}

/// The example workflow builds the preview for pull requests with a command line briefbot
/// accepts, and keeps the folder it writes as the run's artifact.
#[test]
fn the_example_workflow_keeps_the_preview_of_each_pull_request() {
    let workflow = read(
        &common::repo("examples"),
        "github-workflow-check-briefs.yml",
    );
    let runs: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: briefbot "))
        .collect();
    for run in &runs {
        let words = std::iter::once("briefbot").chain(run.split_whitespace());
        if let Err(error) = briefbot::app::Cli::try_parse_from(words) {
            panic!("`briefbot {run}` does not parse: {error}");
        }
    }
    assert!(
        runs.contains(&"preview --out preview"),
        "no preview step: {runs:?}"
    );
    let upload = &workflow[workflow
        .find("uses: actions/upload-artifact@v4")
        .expect("an upload-artifact step")..];
    assert!(upload.contains("path: preview\n"), "{upload}");
    assert!(
        runs.iter().all(|run| !run.contains("--include-held")),
        "held rounds stay out of the artifact: {runs:?}"
    );
}
