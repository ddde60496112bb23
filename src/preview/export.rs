//! `briefbot preview --out DIR`: the preview as a folder of static files, for a pull request's
//! artifact or any web host. The same pages as the live preview, from the same functions;
//! only the links differ: relative file names instead of the server's query URLs, so the
//! folder works opened from disk (`file://`) and from any sub-path of a web host.
//!
//! The pages are found as an editor would find them: from the index, every link and button
//! followed until none leads anywhere new. Held rounds (drafts, embargoes) are left out
//! unless asked for: an export may be read by people who must not see an embargo.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::commands::{self, Request};
use crate::library::Library;

use super::pages::{self, Snapshot};
use super::site::Site;
use super::{SCRIPT, STYLE};

/// The file that marks a folder as an export, so a later export may replace it; a folder
/// without it is someone's own, and is never replaced.
pub const MARKER: &str = ".briefbot-preview";
const MARKER_TEXT: &str = "This folder was written by `briefbot preview --out`; the next export \
                           into it replaces it whole.\n";
/// The folder of every page but the index.
const PAGES: &str = "pages";
/// At most this many pages: a folder of briefs has far fewer (about ten per round), so this
/// stops only a runaway, and the links past it say they need the live preview.
const LIMIT: usize = 20_000;
/// The exported pages' policy, as a `<meta>`, since a static host or a file opened from disk
/// sends none: the same as the live page's header, but for what only a server needs (the
/// event stream, the command box's form). `file:` lets a browser that gives a page opened
/// from disk an origin of its own still load the stylesheet and script beside it; a page on
/// a web host can load nothing from `file:` anyway.
const POLICY: &str = "default-src 'none'; script-src 'self' file:; style-src 'self' file: \
                      'unsafe-inline'; img-src 'self'; form-action 'none'; base-uri 'none'";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} is a file, not a folder; give --out a folder of its own, such as preview-site")]
    NotAFolder(PathBuf),
    #[error("{0} has no folder name of its own; give --out one, such as preview-site")]
    NoName(PathBuf),
    #[error(
        "{0} already exists and holds files briefbot did not write (it has no {MARKER}); \
         give --out a new folder, or one an earlier `briefbot preview --out` wrote: briefbot \
         replaces only its own exports"
    )]
    NotAnExport(PathBuf),
    #[error(
        "{out} was written by `briefbot preview --out`, but {file} in it was not; move it \
         elsewhere first: briefbot replaces only what it wrote"
    )]
    Foreign { out: PathBuf, file: PathBuf },
    #[error(
        "the new preview is in place, but the one before it could not be removed from {old}: \
         {source}; remove it yourself"
    )]
    LeftOver { old: PathBuf, source: io::Error },
    #[error("cannot {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl ExportError {
    fn io(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> ExportError {
        let path = path.to_path_buf();
        move |source| ExportError::Io { what, path, source }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Pages, the index included.
    pub pages: usize,
    /// Held rounds: shown (with `include_held`) or left out.
    pub held: usize,
    /// Links and buttons left without a page, past the limit.
    pub beyond_limit: usize,
}

/// Writes the preview of `library` into `out` (made, or replaced when an earlier export
/// wrote it), with the held rounds when `include_held`. Written beside `out` first and
/// moved into place whole, so a failed export leaves `out` as it was.
pub fn export(library: &Library, include_held: bool, out: &Path) -> Result<Written, ExportError> {
    let place = Place::of(out)?;
    fs::create_dir_all(&place.parent).map_err(ExportError::io("make", &place.parent))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{}.new-", place.name))
        .tempdir_in(&place.parent)
        .map_err(ExportError::io("make a folder in", &place.parent))?;
    // A temporary folder is only its owner's to read; a preview is for a web server too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(staging.path(), fs::Permissions::from_mode(0o755))
            .map_err(ExportError::io("open up", staging.path()))?;
    }
    let written = write_site(library, include_held, staging.path(), LIMIT)?;
    place.replace_with(staging)?;
    Ok(written)
}

/// Where an export goes, once checked.
struct Place {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    /// Whether there is a folder to replace (an earlier export, or an empty folder).
    replaces: bool,
}

impl Place {
    fn of(out: &Path) -> Result<Place, ExportError> {
        let absolute = std::path::absolute(out).map_err(ExportError::io("find", out))?;
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return Err(ExportError::NoName(out.to_path_buf()));
        };
        let replaces = match fs::symlink_metadata(&absolute) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => false,
            Err(error) => return Err(ExportError::io("read", out)(error)),
            Ok(meta) if meta.is_dir() => {
                let ours = absolute.join(MARKER).is_file();
                let empty = fs::read_dir(&absolute)
                    .map_err(ExportError::io("read", out))?
                    .next()
                    .is_none();
                if !ours && !empty {
                    return Err(ExportError::NotAnExport(out.to_path_buf()));
                }
                // An editor may have saved something of their own into an earlier export.
                if let Some(file) = foreign(&absolute).map_err(ExportError::io("read", out))? {
                    return Err(ExportError::Foreign {
                        out: out.to_path_buf(),
                        file,
                    });
                }
                true
            }
            // A file, or a link: never replaced, whatever it points at.
            Ok(_) => return Err(ExportError::NotAFolder(out.to_path_buf())),
        };
        Ok(Place {
            parent: parent.to_path_buf(),
            name: name.to_string_lossy().into_owned(),
            out: absolute,
            replaces,
        })
    }

    /// Moves `staging` to the place, the folder there before moved aside first and removed
    /// once the new one is in; put back if the move fails.
    fn replace_with(self, staging: tempfile::TempDir) -> Result<(), ExportError> {
        let old = self
            .parent
            .join(format!(".{}.old-{}", self.name, std::process::id()));
        if self.replaces {
            fs::rename(&self.out, &old).map_err(ExportError::io("move aside", &self.out))?;
        }
        if let Err(error) = fs::rename(staging.path(), &self.out) {
            if self.replaces {
                let _ = fs::rename(&old, &self.out);
            }
            return Err(ExportError::io("move the new preview to", &self.out)(error));
        }
        // Moved: nothing left for the guard to remove.
        let _ = staging.keep();
        if self.replaces {
            fs::remove_dir_all(&old).map_err(|source| ExportError::LeftOver { old, source })?;
        }
        Ok(())
    }
}

/// The first file or folder in `dir` that an export does not write, if any: anything but the
/// marker, the index, the stylesheet, the script, and pages in `pages/`.
fn foreign(dir: &Path) -> io::Result<Option<PathBuf>> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type()?;
        let ours = match name.to_str() {
            Some(MARKER | "index.html" | "style.css" | "preview.js") => kind.is_file(),
            Some(PAGES) if kind.is_dir() => {
                if let Some(inside) = foreign_page(&entry.path())? {
                    return Ok(Some(inside));
                }
                true
            }
            _ => false,
        };
        if !ours {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// The first entry of `pages/` that is not a page an export writes.
fn foreign_page(pages: &Path) -> io::Result<Option<PathBuf>> {
    for entry in fs::read_dir(pages)? {
        let entry = entry?;
        let page = entry.file_type()?.is_file()
            && entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.ends_with(".html"));
        if !page {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Every page (at most `limit`), the stylesheet, the script and the marker, into the folder
/// `root`.
fn write_site(
    library: &Library,
    include_held: bool,
    root: &Path,
    limit: usize,
) -> Result<Written, ExportError> {
    let with_held = include_held.then(|| library.with_held_served());
    let plan = Plan {
        served: library,
        held: with_held.as_ref(),
        limit,
        state: RefCell::default(),
    };
    let write =
        |path: PathBuf, text: &str| fs::write(&path, text).map_err(ExportError::io("write", &path));
    let pages_dir = root.join(PAGES);
    fs::create_dir(&pages_dir).map_err(ExportError::io("make", &pages_dir))?;
    write(root.join(MARKER), MARKER_TEXT)?;
    write(root.join("style.css"), STYLE)?;
    write(root.join("preview.js"), SCRIPT)?;
    let top = At {
        plan: &plan,
        root: "",
    };
    let index = pages::index(&snapshot(&plan, false, &top));
    write(root.join("index.html"), &index)?;
    let below = At {
        plan: &plan,
        root: "../",
    };
    let mut count = 1;
    // Each page rendered names the pages it links to, which join the queue: the loop ends
    // when a page links to nothing new.
    loop {
        let next = plan.state.borrow_mut().queue.pop_front();
        let Some((page, name)) = next else { break };
        let snapshot = snapshot(&plan, page.held(), &below);
        let html = match &page {
            Page::View { line, .. } => pages::view(&snapshot, line),
            Page::Press {
                custom_id, carried, ..
            } => pages::press(&snapshot, custom_id, carried.as_deref()),
        };
        write(pages_dir.join(format!("{name}.html")), &html)?;
        count += 1;
    }
    let beyond_limit = plan.state.borrow().beyond_limit;
    Ok(Written {
        pages: count,
        held: library.held().len(),
        beyond_limit,
    })
}

/// A page of the export, as `site` links it.
fn snapshot<'a>(plan: &'a Plan, held: bool, site: &'a dyn Site) -> Snapshot<'a> {
    Snapshot {
        library: plan.library(held),
        failure: None,
        generation: 0,
        held,
        site,
    }
}

/// One page of the export: a command line's answer or a button's press.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Page {
    View {
        held: bool,
        line: String,
    },
    Press {
        held: bool,
        custom_id: String,
        /// The title the press carries, kept only where the answer reads it (search pages):
        /// elsewhere one page serves the button on every message.
        carried: Option<String>,
    },
}

impl Page {
    fn held(&self) -> bool {
        match self {
            Page::View { held, .. } | Page::Press { held, .. } => *held,
        }
    }

    /// The start of the page's file name, before its slug.
    fn kind(&self) -> &'static str {
        match self {
            Page::View { held: false, .. } => "view",
            Page::Press { held: false, .. } => "press",
            Page::View { held: true, .. } => "held-view",
            Page::Press { held: true, .. } => "held-press",
        }
    }

    fn words(&self) -> String {
        match self {
            Page::View { line, .. } => line.clone(),
            Page::Press {
                custom_id, carried, ..
            } => format!("{custom_id} {}", carried.as_deref().unwrap_or_default()),
        }
    }
}

/// The pages named so far, and the file name of each.
#[derive(Default)]
struct State {
    names: HashMap<Page, String>,
    taken: HashSet<String>,
    /// Named, not written yet.
    queue: VecDeque<(Page, String)>,
    beyond_limit: usize,
}

/// The export being written: the libraries its pages show, and the pages named so far.
struct Plan<'a> {
    served: &'a Library,
    /// With the held rounds served, when they are exported.
    held: Option<&'a Library>,
    /// The most pages named, the index aside.
    limit: usize,
    state: RefCell<State>,
}

impl Plan<'_> {
    /// The library the pages show, with the held rounds or without.
    fn library(&self, held: bool) -> &Library {
        match (held, self.held) {
            (true, Some(with_held)) => with_held,
            _ => self.served,
        }
    }

    /// The file name of `page`, named now if it was not yet; `None` past the limit.
    fn name(&self, page: Page) -> Option<String> {
        let mut state = self.state.borrow_mut();
        if let Some(name) = state.names.get(&page) {
            return Some(name.clone());
        }
        if state.names.len() >= self.limit {
            state.beyond_limit += 1;
            return None;
        }
        let base = format!("{}-{}", page.kind(), slug(&page.words()));
        // Two pages whose words differ only in what a file name cannot hold get numbers;
        // the pages are named in the same order every time, so the names are too.
        let mut name = base.clone();
        let mut n = 1;
        while state.taken.contains(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        state.taken.insert(name.clone());
        state.names.insert(page.clone(), name.clone());
        state.queue.push_back((page, name.clone()));
        Some(name)
    }

    /// Whether a press of `custom_id` answers differently with the title it carries than
    /// without: only then does the page depend on which message the button was on.
    fn carried_matters(&self, held: bool, custom_id: &str, carried: &str) -> bool {
        let answer = |carried: Option<&str>| {
            let request = Request::Press {
                custom_id: custom_id.to_string(),
                carried: carried.map(str::to_string),
            };
            commands::respond(self.library(held), &request)
                .fit()
                .to_json()
        };
        !carried.is_empty() && answer(Some(carried)) != answer(None)
    }
}

/// The export's pages as seen from one folder of it: `root` is the way from there to the
/// export's top (`""` from the index, `"../"` from the pages beside each other).
struct At<'a> {
    plan: &'a Plan<'a>,
    root: &'static str,
}

impl At<'_> {
    fn page(&self, page: Page) -> Option<String> {
        let name = self.plan.name(page)?;
        Some(format!("{}{PAGES}/{name}.html", self.root))
    }
}

impl Site for At<'_> {
    fn home(&self) -> String {
        format!("{}index.html", self.root)
    }

    fn asset(&self, file: &str) -> String {
        format!("{}{file}", self.root)
    }

    fn view(&self, held: bool, line: &str) -> Option<String> {
        if held && self.plan.held.is_none() {
            return None;
        }
        self.page(Page::View {
            held,
            line: line.to_string(),
        })
    }

    fn press(&self, held: bool, custom_id: &str, carried: &str) -> Option<String> {
        if held && self.plan.held.is_none() {
            return None;
        }
        let carried = self
            .plan
            .carried_matters(held, custom_id, carried)
            .then(|| carried.to_string());
        self.page(Page::Press {
            held,
            custom_id: custom_id.to_string(),
            carried,
        })
    }

    fn ask(&self, _held: bool) -> Option<String> {
        None
    }

    fn events(&self) -> Option<String> {
        None
    }

    fn shows_held(&self) -> bool {
        self.plan.held.is_some()
    }

    fn policy(&self) -> Option<&str> {
        Some(POLICY)
    }
}

/// Words as a file name: ASCII letters (lower-cased: some file systems ignore case) and
/// digits, every run of anything else one `-`, at most 60 characters.
fn slug(words: &str) -> String {
    let mut slug = String::new();
    for c in words.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(60);
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "page".to_string()
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(
            slug("/round 5 track:syria-israel"),
            "round-5-track-syria-israel"
        );
        assert_eq!(
            slug("round:syria-israel:5:more:1 "),
            "round-syria-israel-5-more-1"
        );
        assert_eq!(slug("🔎 Économie / ../.."), "conomie");
        assert_eq!(slug("///"), "page");
        assert!(slug(&"x".repeat(500)).len() <= 60);
    }

    #[test]
    fn past_the_limit_links_and_buttons_say_they_need_the_live_preview() {
        let rounds = (1..=4)
            .map(|n| crate::library::Round::example("t", n, "Talks", "Geneva"))
            .collect();
        let library = Library::from_parts(rounds, Vec::new(), Vec::new(), Some("t".into()));
        let dir = tempfile::tempdir().expect("a folder");
        let written = write_site(&library, false, dir.path(), 3).expect("written");
        assert_eq!(written.pages, 4, "the index and 3 pages");
        assert!(written.beyond_limit > 0);
        let index = fs::read_to_string(dir.path().join("index.html")).expect("the index");
        assert!(
            index.contains("<span class=\"live-only\" title=\"Needs the live preview"),
            "{index}"
        );
        let pages: Vec<String> = fs::read_dir(dir.path().join(PAGES))
            .expect("pages")
            .flatten()
            .map(|e| fs::read_to_string(e.path()).expect("a page"))
            .collect();
        assert_eq!(pages.len(), 3);
        assert!(
            pages
                .iter()
                .any(|p| p.contains("button secondary live-only")
                    || p.contains("button primary live-only")),
            "a button with no page says so"
        );
    }

    #[test]
    fn a_folder_with_files_of_its_own_is_never_replaced() {
        let dir = tempfile::tempdir().expect("a folder");
        let mine = dir.path().join("mine");
        fs::create_dir(&mine).expect("mine");
        fs::write(mine.join("thesis.docx"), "mine").expect("a file");
        assert!(matches!(Place::of(&mine), Err(ExportError::NotAnExport(_))));
        let file = dir.path().join("file");
        fs::write(&file, "").expect("a file");
        assert!(matches!(Place::of(&file), Err(ExportError::NotAFolder(_))));
        assert!(matches!(
            Place::of(Path::new("/")),
            Err(ExportError::NoName(_))
        ));
        let new = Place::of(&dir.path().join("new")).expect("a new folder");
        assert!(!new.replaces);

        // An earlier export is replaced, unless something of the editor's was saved into it.
        fs::write(mine.join(MARKER), MARKER_TEXT).expect("the marker");
        assert!(matches!(
            Place::of(&mine),
            Err(ExportError::Foreign { file, .. }) if file.ends_with("thesis.docx")
        ));
        fs::remove_file(mine.join("thesis.docx")).expect("remove");
        fs::create_dir(mine.join(PAGES)).expect("pages");
        fs::write(mine.join(PAGES).join("view-about.html"), "").expect("a page");
        assert!(Place::of(&mine).expect("an earlier export").replaces);
        fs::write(mine.join(PAGES).join("notes.txt"), "mine").expect("a note");
        assert!(matches!(
            Place::of(&mine),
            Err(ExportError::Foreign { file, .. }) if file.ends_with("pages/notes.txt")
        ));
    }
}
