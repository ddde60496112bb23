//! Records the commit briefbot is built from, for `briefbot --version` and the first log
//! line: `BRIEFBOT_COMMIT` when the build sets it (a package built from a tarball), else the
//! commit git says the checkout is at, else `unknown`, as in a build from a crate archive.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=BRIEFBOT_COMMIT");
    let commit = std::env::var("BRIEFBOT_COMMIT")
        .ok()
        .filter(|commit| !commit.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BRIEFBOT_COMMIT={}", commit.trim());
}

/// The checkout's commit, shortened, or `None` outside a git checkout.
fn git_commit() -> Option<String> {
    // Only briefbot's own checkout: a crate archive unpacked inside some other repository
    // (a home folder kept in git) must not take that repository's commit.
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let manifest = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    if Path::new(&top).canonicalize().ok()? != Path::new(&manifest).canonicalize().ok()? {
        return None;
    }
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    // Build again when HEAD moves: a commit, a checkout, or a pull that moves the branch.
    // Only files that exist are watched: cargo runs this again on every build for one that
    // does not.
    let git_dir = git(&["rev-parse", "--git-dir"])?;
    let common_dir = git(&["rev-parse", "--git-common-dir"]).unwrap_or_else(|| git_dir.clone());
    let mut watched = vec![
        Path::new(&git_dir).join("HEAD"),
        Path::new(&common_dir).join("packed-refs"),
    ];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(Path::new(&common_dir).join(branch));
    }
    for path in watched.iter().filter(|path| path.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    Some(commit)
}

/// What `git args` prints, trimmed, when it succeeds.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
