//! The environment as briefbot reads it, with one rule for every variable: set but empty (or
//! only blanks), as systemd's `Environment=X=` leaves it, is the same as unset, and is
//! warned about by name, so that a value someone meant to give is not silently missing.

/// Every variable briefbot reads, with what is used when it is unset or empty.
pub const VARIABLES: [(&str, &str); 19] = [
    (
        "BRIEFBOT_CONFIG",
        "config.toml in the current folder is read",
    ),
    ("BRIEFBOT_BRIEFS_DIR", "the config's `briefs_dir` is used"),
    (
        "BRIEFBOT_DEFAULT_TRACK",
        "the config's `default_track` is used",
    ),
    ("BRIEFBOT_STATE_DIR", "the config's `state_dir` is used"),
    (
        "DATABASE_URL",
        "the config's `[state] url` is used, or else the state file in `state_dir`",
    ),
    (
        "BRIEFBOT_APPLICATION_ID",
        "the config's `[discord] application_id` is used",
    ),
    (
        "BRIEFBOT_GUILD_IDS",
        "the config's `[discord] guild_ids` are used",
    ),
    (
        "BRIEFBOT_API_URL",
        "the config's `[discord] api_url` is used",
    ),
    ("BRIEFBOT_LISTEN", "the config's `[serve] listen` is used"),
    (
        "BRIEFBOT_METRICS_LISTEN",
        "the config's `[metrics] listen` is used",
    ),
    (
        "BRIEFBOT_ANNOUNCE_CHANNELS",
        "the config's `[announce] channels` are used",
    ),
    (
        "BRIEFBOT_ERRORS_CHANNEL",
        "the config's `[announce] errors_channel` is used",
    ),
    (
        "BRIEFBOT_ANNOUNCE_TARGETS",
        "the config's `[[announce.target]]` entries are used",
    ),
    (
        "BRIEFBOT_MAX_NEW_PER_RELOAD",
        "the config's `[announce] max_new_per_reload` is used",
    ),
    (
        "BRIEFBOT_FOLLOW",
        "the config's `[[follow]]` entries are used",
    ),
    (
        "DISCORD_TOKEN",
        "the token is read from DISCORD_TOKEN_FILE, if set",
    ),
    (
        "DISCORD_TOKEN_FILE",
        "there is no token unless DISCORD_TOKEN is set",
    ),
    (
        "DISCORD_PUBLIC_KEY",
        "the config's `[discord] public_key` is used",
    ),
    ("RUST_LOG", "the default log levels are used"),
];

/// The variable `name` of the process's environment: none when it is unset, not Unicode, or
/// empty.
pub fn var(name: &str) -> Option<String> {
    set(std::env::var(name).ok())
}

/// `value` unless it is empty or only blanks.
pub(crate) fn set(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

/// A warning for each variable of [`VARIABLES`] that the process's environment has set but
/// empty.
pub(crate) fn empty_now() -> Vec<String> {
    empty_warnings(|name| std::env::var(name).ok())
}

/// A warning for each variable of [`VARIABLES`] that `env` has set but empty, naming it and
/// what is used instead.
pub(crate) fn empty_warnings(env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    VARIABLES
        .iter()
        .filter(|(name, _)| env(name).is_some_and(|value| value.trim().is_empty()))
        .map(|(name, instead)| format!("{name} is set but empty, which counts as unset: {instead}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_blank_variable_is_unset_and_named_in_a_warning() {
        assert_eq!(set(Some("x".to_string())).as_deref(), Some("x"));
        assert_eq!(set(Some(String::new())), None);
        assert_eq!(set(Some(" \t".to_string())), None);
        assert_eq!(set(None), None);
        let env = |name: &str| match name {
            "DATABASE_URL" => Some(String::new()),
            "RUST_LOG" => Some("  ".to_string()),
            "BRIEFBOT_BRIEFS_DIR" => Some("briefs".to_string()),
            "SOMETHING_ELSE" => Some(String::new()),
            _ => None,
        };
        assert_eq!(
            empty_warnings(env),
            [
                "DATABASE_URL is set but empty, which counts as unset: the config's `[state] url` is used, or else the state file in `state_dir`",
                "RUST_LOG is set but empty, which counts as unset: the default log levels are used",
            ]
        );
        assert!(empty_warnings(|_| None).is_empty());
    }
}
