//! briefbot: a Discord bot that serves a policy institute's curated negotiation briefings.
//!
//! Data flows one way, and so do the modules' dependencies (each names what it may use):
//! brief files → [`library`] (an immutable snapshot) → [`commands`] (pure replies) →
//! [`reply`] (Discord's limits, once) → [`live`] (reloads, announcements) and
//! [`transport`] (gateway, HTTP endpoint, one handler) → the binary. [`cli`] holds the
//! offline tools, [`rest`] the one REST client, [`config`] and [`logs`] the settings and
//! log output. `src/main.rs` only parses arguments.

pub mod cli;
pub mod commands;
pub mod config;
pub mod library;
pub mod limits;
pub mod live;
pub mod logs;
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
        ("library", &["limits"]),
        ("reply", &["limits"]),
        ("commands", &["library", "reply", "limits"]),
        ("config", &["library"]),
        ("rest", &["config"]),
        (
            "live",
            &["library", "commands", "reply", "rest", "config", "limits"],
        ),
        (
            "transport",
            &[
                "live", "commands", "reply", "library", "rest", "config", "limits",
            ],
        ),
        ("cli", &["commands", "reply", "library", "config", "limits"]),
        (
            "preview",
            &["cli", "live", "commands", "reply", "library", "limits"],
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

    #[test]
    fn dependencies_point_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut wrong = Vec::new();
        for (module, allowed) in ALLOWED {
            let mut files = Vec::new();
            for candidate in [src.join(module), src.join(format!("{module}.rs"))] {
                sources(&candidate, &mut files);
            }
            assert!(!files.is_empty(), "no source for `{module}`");
            for file in files {
                let text = std::fs::read_to_string(&file).expect("read source");
                for (at, prefix) in text.match_indices("crate::") {
                    let used: String = text[at + prefix.len()..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if used != *module && !allowed.contains(&used.as_str()) {
                        wrong.push(format!("{} uses `{used}`", file.display()));
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "dependencies against the layering:\n{wrong:#?}"
        );
    }
}
