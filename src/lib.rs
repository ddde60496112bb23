//! briefbot: a Discord bot that serves a policy institute's curated negotiation briefings.
//!
//! Data flows one way, and so do the modules' dependencies (each names what it may use):
//! brief files → [`library`] (an immutable snapshot) → [`commands`] (pure replies) →
//! [`reply`] (Discord's limits, once) → [`live`] (reloads, announcements) and
//! [`transport`] (gateway, HTTP endpoint, one handler) → [`app`] (briefbot built once from
//! the settings, and each subcommand run from it) → the binary. [`cli`] holds the offline
//! tools, [`rest`] the one REST client, [`config`] and [`logs`] the settings and log output,
//! [`metrics`] the counts Prometheus scrapes (the lowest layer: every other may count there).
//! `src/main.rs` only parses arguments and calls one subcommand of the [`app`].

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod library;
pub(crate) mod limits;
pub mod live;
pub mod logs;
pub mod metrics;
pub mod permissions;
pub mod preview;
pub mod reply;
pub mod rest;
pub mod transport;

#[cfg(test)]
mod layers {
    //! The dependency direction, checked on the source: each module may use only the modules
    //! listed for it, so a new `use crate::…` that points back up fails here.

    use std::path::Path;

    const ALLOWED: &[(&str, &[&str])] = &[
        ("limits", &[]),
        ("logs", &[]),
        ("metrics", &[]),
        ("permissions", &[]),
        ("library", &["limits"]),
        ("reply", &["limits"]),
        ("commands", &["library", "reply", "limits"]),
        ("config", &["library"]),
        ("rest", &["config", "metrics", "permissions"]),
        (
            "live",
            &["library", "commands", "reply", "rest", "config", "metrics"],
        ),
        (
            "transport",
            &[
                "live",
                "commands",
                "reply",
                "library",
                "rest",
                "config",
                "metrics",
                "permissions",
            ],
        ),
        ("cli", &["commands", "reply", "library"]),
        ("preview", &["cli", "live", "commands", "reply", "library"]),
        (
            "app",
            &[
                "cli",
                "commands",
                "config",
                "library",
                "live",
                "logs",
                "permissions",
                "preview",
                "rest",
                "transport",
            ],
        ),
    ];

    fn sources(path: &Path, found: &mut Vec<std::path::PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).expect("list src").flatten() {
                sources(&entry.path(), found);
            }
        } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
            found.push(path.to_path_buf());
        }
    }

    /// The modules each module uses (`crate::…`), per module of `ALLOWED`, and where.
    fn uses(src: &Path) -> Vec<(&'static str, Vec<(std::path::PathBuf, String)>)> {
        ALLOWED
            .iter()
            .map(|(module, _)| {
                let mut files = Vec::new();
                for candidate in [src.join(module), src.join(format!("{module}.rs"))] {
                    sources(&candidate, &mut files);
                }
                assert!(!files.is_empty(), "no source for `{module}`");
                let mut used = Vec::new();
                for file in files {
                    let text = std::fs::read_to_string(&file).expect("read source");
                    for (at, prefix) in text.match_indices("crate::") {
                        let name: String = text[at + prefix.len()..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        used.push((file.clone(), name));
                    }
                }
                (*module, used)
            })
            .collect()
    }

    #[test]
    fn dependencies_point_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut wrong = Vec::new();
        for ((module, allowed), (_, used)) in ALLOWED.iter().zip(uses(&src)) {
            for (file, name) in used {
                if name != *module && !allowed.contains(&name.as_str()) {
                    wrong.push(format!("{} uses `{name}`", file.display()));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "dependencies against the layering:\n{wrong:#?}"
        );
    }

    /// A module listed as a dependency it does not use is a layer that is not there: the
    /// list says what each module stands on, no more.
    #[test]
    fn every_listed_dependency_is_used() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut unused = Vec::new();
        for ((module, allowed), (_, used)) in ALLOWED.iter().zip(uses(&src)) {
            for dependency in *allowed {
                if !used.iter().any(|(_, name)| name == dependency) {
                    unused.push(format!(
                        "`{module}` lists `{dependency}` and does not use it"
                    ));
                }
            }
        }
        assert!(unused.is_empty(), "{unused:#?}");
    }

    /// The module path of a source file (`src/live/announce/shared.rs` is
    /// `live::announce::shared`; a folder's `mod.rs` is the folder's).
    fn module_of(src: &Path, file: &Path) -> Vec<String> {
        let relative = file
            .strip_prefix(src)
            .expect("under src")
            .with_extension("");
        let mut path: Vec<String> = relative
            .iter()
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        if path
            .last()
            .is_some_and(|last| last == "mod" || last == "lib")
        {
            path.pop();
        }
        path
    }

    /// The module paths `text` (the code of module `at`, before its tests) names through
    /// `crate::`, `super::` and `self::`, groups (`super::{a, b::C}`) opened.
    fn named_paths(text: &str, at: &[String]) -> Vec<Vec<String>> {
        let ident = |rest: &str| -> String {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let mut found = Vec::new();
        for start in ["crate::", "super::", "self::"] {
            for (i, _) in text.match_indices(start) {
                let before = text[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let mut base: Vec<String> = match start {
                    "crate::" => Vec::new(),
                    "super::" => at[..at.len().saturating_sub(1)].to_vec(),
                    _ => at.to_vec(),
                };
                let mut rest = &text[i + start.len()..];
                while let Some(more) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = more;
                }
                let mut path = base.clone();
                loop {
                    let name = ident(rest);
                    if name.is_empty() {
                        break;
                    }
                    rest = &rest[name.len()..];
                    path.push(name);
                    match rest.strip_prefix("::") {
                        Some(more) => rest = more,
                        None => break,
                    }
                }
                if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    for item in group[..end].split(',') {
                        let mut nested = path.clone();
                        nested.extend(
                            item.trim()
                                .split("::")
                                .map(ident)
                                .filter(|name| !name.is_empty()),
                        );
                        found.push(nested);
                    }
                } else {
                    found.push(path);
                }
            }
        }
        found
    }

    /// No two files import each other, directly or through others. A folder's `mod.rs` is
    /// its face (it declares the files and hands their names on), so arrows to and from it
    /// are not counted; the module layering above covers what crosses folders.
    #[test]
    fn no_import_cycle_between_files() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let modules: Vec<(Vec<String>, std::path::PathBuf)> = files
            .iter()
            .filter(|f| {
                !matches!(
                    f.file_name().and_then(|n| n.to_str()),
                    Some("mod.rs" | "lib.rs" | "main.rs")
                )
            })
            .map(|f| (module_of(&src, f), f.clone()))
            .collect();
        let index = |path: &[String]| {
            (1..=path.len())
                .rev()
                .find_map(|n| modules.iter().position(|(m, _)| m.as_slice() == &path[..n]))
        };
        let mut arrows: Vec<Vec<usize>> = vec![Vec::new(); modules.len()];
        for (from, (module, file)) in modules.iter().enumerate() {
            let text = std::fs::read_to_string(file).expect("read source");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for path in named_paths(code, module) {
                if let Some(to) =
                    index(&path).filter(|to| *to != from && !arrows[from].contains(to))
                {
                    arrows[from].push(to);
                }
            }
        }
        // A cycle is an arrow back to a file still on the path of a depth-first walk.
        fn walk(
            at: usize,
            arrows: &[Vec<usize>],
            state: &mut [u8],
            path: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            state[at] = 1;
            path.push(at);
            for &next in &arrows[at] {
                if state[next] == 1 {
                    let start = path.iter().position(|p| *p == next).unwrap_or(0);
                    return Some(path[start..].to_vec());
                }
                if state[next] == 0
                    && let Some(cycle) = walk(next, arrows, state, path)
                {
                    return Some(cycle);
                }
            }
            state[at] = 2;
            path.pop();
            None
        }
        let mut state = vec![0u8; modules.len()];
        for start in 0..modules.len() {
            if state[start] == 0 {
                let mut path = Vec::new();
                if let Some(cycle) = walk(start, &arrows, &mut state, &mut path) {
                    let names: Vec<String> = cycle
                        .iter()
                        .map(|i| modules[*i].1.display().to_string())
                        .collect();
                    panic!("files that import each other: {}", names.join(" -> "));
                }
            }
        }
    }
}
