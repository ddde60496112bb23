//! Finding the files of a briefs folder: round files, author files, `parties.toml` and
//! `tracks.toml`, skipping hidden files, editor leftovers and anything that is not `.md` or
//! `.toml`.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// The files that make up a briefs folder, each as a path relative to the folder.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) briefs: Vec<PathBuf>,
    pub(crate) authors: Vec<PathBuf>,
    pub(crate) parties: Option<PathBuf>,
    /// `tracks.toml`, when the folder has one.
    pub(crate) tracks: Option<PathBuf>,
    /// `.toml` files that are neither authors, `parties.toml` nor `tracks.toml`.
    pub(crate) strays: Vec<PathBuf>,
    /// Entries that could not be read, with the reason: reported, and the walk goes on.
    pub(crate) unreadable: Vec<(PathBuf, String)>,
    /// The metadata of every file above, as the walk saw it: what tells a changed file
    /// from an unchanged one without reading it (or asking the file system again).
    pub(crate) metadata: HashMap<PathBuf, std::fs::Metadata>,
}

pub(crate) const AUTHORS_DIR: &str = "authors";
pub(crate) const PARTIES_FILE: &str = "parties.toml";

/// Walks `root` in a stable (sorted) order. Fails only when `root` itself cannot be read;
/// a bad entry inside it (a dangling link, a file deleted mid-walk) is listed in `unreadable`.
pub(crate) fn discover(root: &Path) -> io::Result<Found> {
    let mut found = Found::default();
    let mut visited = HashSet::new();
    visited.insert(root.canonicalize()?);
    let entries = read_sorted(root)?;
    walk(root, Path::new(""), entries, &mut visited, &mut found);
    Ok(found)
}

fn read_sorted(dir: &Path) -> io::Result<Vec<std::fs::DirEntry>> {
    let mut entries = std::fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn walk(
    root: &Path,
    relative: &Path,
    entries: Vec<std::fs::DirEntry>,
    visited: &mut HashSet<PathBuf>,
    found: &mut Found,
) {
    // Each entry's metadata, asked for on every core: a folder of thousands of briefs is
    // thousands of calls.
    let metas: Vec<io::Result<std::fs::Metadata>> = entries
        .par_iter()
        .map(|entry| std::fs::metadata(root.join(relative).join(entry.file_name())))
        .collect();
    for (entry, meta) in entries.into_iter().zip(metas) {
        let raw_name = entry.file_name();
        let path = relative.join(&raw_name);
        let Some(name) = raw_name.to_str() else {
            if is_brief_like(&raw_name.to_string_lossy()) {
                found
                    .unreadable
                    .push((path, "the file name is not valid UTF-8; rename it".into()));
            }
            continue;
        };
        if is_ignored(name) {
            continue;
        }
        // metadata() follows symlinks, so a linked folder of briefs is read like a real one.
        let meta = match meta {
            Ok(meta) => meta,
            Err(error) => {
                found
                    .unreadable
                    .push((path, format!("cannot read it: {error}")));
                continue;
            }
        };
        if meta.is_dir() {
            descend(root, path, visited, found);
        } else if has_extension(name, "md") {
            if !name.eq_ignore_ascii_case("README.md") {
                found.metadata.insert(path.clone(), meta);
                found.briefs.push(path);
            }
        } else if has_extension(name, "toml") {
            found.metadata.insert(path.clone(), meta);
            classify_toml(path, found);
        }
    }
}

fn descend(root: &Path, path: PathBuf, visited: &mut HashSet<PathBuf>, found: &mut Found) {
    let full = root.join(&path);
    // A link back to a folder already walked would loop forever; walk each folder once.
    match full.canonicalize() {
        Ok(real) => {
            if !visited.insert(real) {
                return;
            }
        }
        Err(error) => {
            found
                .unreadable
                .push((path, format!("cannot read the folder: {error}")));
            return;
        }
    }
    match read_sorted(&full) {
        Ok(entries) => walk(root, &path, entries, visited, found),
        Err(error) => found
            .unreadable
            .push((path, format!("cannot read the folder: {error}"))),
    }
}

fn has_extension(name: &str, extension: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

fn is_brief_like(name: &str) -> bool {
    has_extension(name, "md") || has_extension(name, "toml")
}

fn classify_toml(path: PathBuf, found: &mut Found) {
    let parent = path.parent().unwrap_or(Path::new(""));
    if path == Path::new(PARTIES_FILE) {
        found.parties = Some(path);
    } else if path == Path::new(super::tracks::TRACKS_FILE) {
        found.tracks = Some(path);
    } else if parent == Path::new(AUTHORS_DIR) {
        found.authors.push(path);
    } else {
        found.strays.push(path);
    }
}

/// Hidden files and folders, and what editors leave behind while a file is open:
/// `.#x` (Emacs locks), `#x#` (Emacs autosaves), `x~` (backups), `.x.swp` (Vim).
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [
            ".#05-paris.md",
            "05-paris.md~",
            ".05-paris.md.swp",
            "#05-paris.md#",
            ".git",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("05-paris.md"));
    }

    #[test]
    fn extensions_are_matched_in_any_case() {
        assert!(has_extension("05-PARIS.MD", "md"));
        assert!(has_extension("Lee.TOML", "toml"));
        assert!(!has_extension("notes.txt", "md"));
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_reported_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("01-a.md"), "+++\n+++\n").expect("write");
        std::os::unix::fs::symlink("/nonexistent/briefbot", dir.path().join("02-gone.md"))
            .expect("link");
        std::os::unix::fs::symlink(".", dir.path().join("loop")).expect("link");
        let found = discover(dir.path()).expect("root is readable");
        assert_eq!(found.briefs, [PathBuf::from("01-a.md")]);
        assert_eq!(found.unreadable.len(), 1);
        assert_eq!(found.unreadable[0].0, PathBuf::from("02-gone.md"));
    }
}
