//! `rust-version` in Cargo.toml is a promise: no crate in Cargo.lock may ask for a newer
//! compiler than the one it names, or the promise is broken without anything failing here.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// "1.91" and "1.91.0" name the same release.
fn release(version: &str) -> (u64, u64, u64) {
    let mut parts = version.split('.').map(|part| {
        part.parse::<u64>()
            .unwrap_or_else(|_| panic!("not a rust-version: {version:?}"))
    });
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

fn metadata(cargo: &str, manifest: &Path, platform: Option<&str>) -> Output {
    let mut command = Command::new(cargo);
    command
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .arg("--manifest-path")
        .arg(manifest);
    if let Some(platform) = platform {
        command.args(["--filter-platform", platform]);
    }
    command.output().expect("run cargo metadata")
}

/// The platform cargo runs on, from the `host:` line of `cargo -vV`.
fn host(cargo: &str) -> String {
    let output = Command::new(cargo)
        .arg("-vV")
        .output()
        .expect("run cargo -vV");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("a host line in cargo -vV")
        .trim()
        .to_owned()
}

#[test]
fn no_dependency_needs_a_newer_compiler_than_ours() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");

    // Offline, every platform's crates are read only if all were downloaded; otherwise the
    // crates this platform builds are what can be checked.
    let mut output = metadata(&cargo, &manifest, None);
    if !output.status.success() {
        let host = host(&cargo);
        eprintln!("not every platform's crates are downloaded: checking those for {host}");
        output = metadata(&cargo, &manifest, Some(&host));
    }
    assert!(
        output.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let root = metadata["resolve"]["root"]
        .as_str()
        .expect("a root package");
    let packages = metadata["packages"].as_array().expect("a package list");
    let ours = packages
        .iter()
        .find(|package| package["id"] == root)
        .and_then(|package| package["rust_version"].as_str())
        .expect("Cargo.toml sets rust-version");

    let offenders: Vec<String> = packages
        .iter()
        .filter(|package| package["id"] != root)
        .filter_map(|package| {
            let needs = package["rust_version"].as_str()?;
            (release(needs) > release(ours)).then(|| {
                format!(
                    "{} {} needs {needs}",
                    package["name"].as_str().unwrap_or("?"),
                    package["version"].as_str().unwrap_or("?"),
                )
            })
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "rust-version is {ours}, but locked crates need a newer compiler:\n  {}",
        offenders.join("\n  ")
    );
}
