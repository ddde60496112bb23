//! Finding the files of a briefs folder: round files, author files and `parties.toml`,
//! skipping hidden files, editor leftovers and anything that is not `.md` or `.toml`.

use std::io;
use std::path::{Path, PathBuf};

/// The files that make up a briefs folder, each as a path relative to the folder.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub briefs: Vec<PathBuf>,
    pub authors: Vec<PathBuf>,
    pub parties: Option<PathBuf>,
    /// `.toml` files that are neither authors nor `parties.toml`.
    pub strays: Vec<PathBuf>,
}

pub(crate) const AUTHORS_DIR: &str = "authors";
pub(crate) const PARTIES_FILE: &str = "parties.toml";

/// Walks `root` in a stable (sorted) order.
pub(crate) fn discover(root: &Path) -> io::Result<Found> {
    let mut found = Found::default();
    walk(root, Path::new(""), &mut found)?;
    Ok(found)
}

fn walk(root: &Path, relative: &Path, found: &mut Found) -> io::Result<()> {
    let mut entries = std::fs::read_dir(root.join(relative))?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_ignored(name) {
            continue;
        }
        let path = relative.join(name);
        // metadata() follows symlinks, so a linked folder of briefs is read like a real one.
        let meta = std::fs::metadata(root.join(&path))?;
        if meta.is_dir() {
            walk(root, &path, found)?;
        } else if name.ends_with(".md") {
            if !name.eq_ignore_ascii_case("README.md") {
                found.briefs.push(path);
            }
        } else if name.ends_with(".toml") {
            classify_toml(path, found);
        }
    }
    Ok(())
}

fn classify_toml(path: PathBuf, found: &mut Found) {
    let parent = path.parent().unwrap_or(Path::new(""));
    if path == Path::new(PARTIES_FILE) {
        found.parties = Some(path);
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
    use super::is_ignored;

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
}
