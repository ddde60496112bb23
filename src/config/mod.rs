//! `config.toml` merged with `BRIEFBOT_*` environment overrides: where the briefs are,
//! the default track, and the Discord application. Never a secret: tokens live in the environment.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::library::LoadOptions;

mod database;
pub(crate) mod env;
mod listen;
mod metrics;
mod numbers;
pub(crate) mod open_files;
mod places;
mod sections;
mod setup;
mod snowflake;
mod words;

use crate::library::diagnostics::Location;
pub use database::DatabaseUrl;
pub(crate) use database::StateConfig;
pub use listen::resolve as resolve_listen;
pub use metrics::MetricsConfig;
pub use places::Place;
pub(crate) use places::Places;
pub(crate) use sections::follow_role;
pub use sections::{
    AnnounceConfig, AnnounceMode, AnnounceTarget, DEFAULT_MAX_NEW_PER_RELOAD, DiscordConfig,
    FollowRole, ServeConfig, Shards,
};
pub use setup::{DEFAULT_MAX_TARGETS, SetupConfig};
pub use snowflake::parse as discord_id;

/// The settings briefbot runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The briefs folder, resolved against the config file's folder when relative.
    pub briefs_dir: PathBuf,
    /// The track of briefs that do not name one.
    pub default_track: Option<String>,
    pub discord: DiscordConfig,
    pub serve: ServeConfig,
    pub announce: AnnounceConfig,
    /// Per server and track, the opt-in role of the track's followers.
    pub follow: Vec<FollowRole>,
    /// Where briefbot keeps what it must remember across restarts (which rounds it announced),
    /// resolved against the config file's folder when relative.
    pub state_dir: PathBuf,
    /// The PostgreSQL database that holds the announcement state instead of `state_dir`'s
    /// file, so several instances can share it (`[state] url`, or `DATABASE_URL`).
    pub database: Option<DatabaseUrl>,
    /// Where `GET /metrics` and `GET /healthz` are served (`[metrics] listen`).
    pub metrics: MetricsConfig,
    /// Whether servers' admins set up announcements in their own servers (`/setup`).
    pub setup: SetupConfig,
    /// Where the settings that later messages name were given.
    pub(crate) places: Places,
}

/// The file as written, before defaults and the environment are applied.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    briefs_dir: Option<toml::Spanned<PathBuf>>,
    default_track: Option<toml::Spanned<String>>,
    #[serde(default)]
    discord: DiscordConfig,
    #[serde(default)]
    serve: sections::FileServe,
    #[serde(default)]
    announce: AnnounceConfig,
    #[serde(default)]
    follow: Vec<toml::Spanned<FollowRole>>,
    state_dir: Option<PathBuf>,
    #[serde(default)]
    state: StateConfig,
    #[serde(default)]
    metrics: MetricsConfig,
    #[serde(default)]
    setup: SetupConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {} not found; run briefbot from the folder that holds config.toml, or pass --config PATH (or set BRIEFBOT_CONFIG)", path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{}:{}: {message}", path.display(), at.line, at.column)]
    Invalid {
        path: PathBuf,
        at: Location,
        message: String,
    },
    #[error("{}:{line}: `{key}` must not be in the config file: the Discord token is read from the DISCORD_TOKEN environment variable only; remove the line", path.display())]
    Secret {
        path: PathBuf,
        line: usize,
        key: String,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: &'static str, message: String },
    /// A setting refused once the settings are read, at the place it was given.
    #[error("{place}: {message}")]
    Setting { place: Place, message: String },
    #[error("{message}")]
    OpenFiles { message: String },
}

/// Keys that would hold a secret; refused wherever they appear, without echoing the value.
const SECRET_KEYS: [&str; 4] = ["token", "discord_token", "bot_token", "client_secret"];

impl Config {
    /// Reads `path` and applies overrides from the process environment.
    pub(crate) fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_with_env(path, env::var)
    }

    /// Reads `path` and applies overrides from `env` (the process environment in production,
    /// a map in tests).
    pub(crate) fn load_with_env(
        path: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ConfigError::NotFound {
                path: path.to_path_buf(),
            },
            _ => ConfigError::Read {
                path: path.to_path_buf(),
                source,
            },
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let mut config = Config::parse(path, &text, base)?;
        config.apply_env(env)?;
        Ok(config)
    }

    /// Parses config text; relative folders are resolved against `base`.
    pub(crate) fn parse(path: &Path, text: &str, base: &Path) -> Result<Config, ConfigError> {
        reject_secrets(path, text)?;
        let invalid = |at: Location, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            at,
            message,
        };
        let file: FileConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let message = words::plain(e.message().trim(), text, offset);
            invalid(Location::of(text, offset), message.replace('\n', "; "))
        })?;
        if let Some(track) = file
            .default_track
            .as_ref()
            .filter(|t| !crate::library::is_track_id(t.get_ref()))
        {
            return Err(invalid(
                Location::of(text, track.span().start),
                format!(
                    "`default_track` must be a track id ({}), found \"{}\"",
                    crate::library::track_id_rule(),
                    track.get_ref()
                ),
            ));
        }
        let discord = file.discord;
        if let Some(url) = discord
            .api_url
            .as_deref()
            .filter(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            return Err(invalid(
                Location::of(text, key_offset(text, "api_url")),
                format!("`api_url` must start with http:// or https://, found \"{url}\""),
            ));
        }
        let announce = file.announce;
        let targets = announce.all_targets();
        if let Some(twice) = listed_twice(&targets) {
            let at = twice
                .checked_sub(announce.channels.len())
                .and_then(|n| nth_table_offset(text, "announce.target", n))
                .unwrap_or_else(|| text.find("[announce]").unwrap_or(0));
            return Err(invalid(
                Location::of(text, at),
                format!(
                    "channel {} is listed twice in [announce] (channels and [[announce.target]]); each channel gets one announcement",
                    targets[twice].channel
                ),
            ));
        }
        let line = |span: std::ops::Range<usize>| Place::File {
            path: path.to_path_buf(),
            line: Location::of(text, span.start).line,
        };
        let (follow, follow_spans): (Vec<FollowRole>, Vec<_>) = file
            .follow
            .into_iter()
            .map(|entry| {
                let span = entry.span();
                (entry.into_inner(), span)
            })
            .unzip();
        if let Some((first, second)) = duplicate_follow_role(&follow) {
            let (a, b) = (&follow[first], &follow[second]);
            return Err(invalid(
                Location::of(text, follow_spans[second].start),
                format!(
                    "`follow` entries {} (role {}) and {} (role {}) both set a follow role for track \"{}\" in server {}; a server has one follow role per track",
                    first + 1,
                    a.role,
                    second + 1,
                    b.role,
                    b.track,
                    b.server
                ),
            ));
        }
        let (serve, max_connections) = file.serve.into_parts();
        let places = Places {
            briefs_dir: file
                .briefs_dir
                .as_ref()
                .map_or(Place::Default, |dir| line(dir.span())),
            max_connections: max_connections.map_or(Place::Default, line),
            // A follow's place is its `track` line, which what is said of it is about.
            follow: follow_spans
                .into_iter()
                .map(|header| {
                    let track = table_key_offset(text, header.end, "track").unwrap_or(header.start);
                    line(track..track)
                })
                .collect(),
        };
        let briefs_dir = file
            .briefs_dir
            .map_or_else(|| PathBuf::from("briefs"), toml::Spanned::into_inner);
        let state_dir = file.state_dir.unwrap_or_else(|| PathBuf::from("state"));
        Ok(Config {
            briefs_dir: base.join(briefs_dir),
            default_track: file.default_track.map(toml::Spanned::into_inner),
            discord,
            serve,
            announce,
            follow,
            state_dir: base.join(state_dir),
            database: file.state.url,
            metrics: file.metrics,
            setup: file.setup,
            places,
        })
    }

    /// Applies the variables `env` gives; one that is empty counts as unset.
    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let env = |var: &str| env::set(env(var));
        self.apply_env_briefs_dir(&env);
        if let Some(dir) = env("BRIEFBOT_STATE_DIR") {
            self.state_dir = PathBuf::from(dir);
        }
        if let Some(url) = env("DATABASE_URL") {
            self.database = Some(
                DatabaseUrl::parse(&url).map_err(|message| ConfigError::Env {
                    var: "DATABASE_URL",
                    message,
                })?,
            );
        }
        self.apply_env_default_track(&env)?;
        self.metrics.apply_env(&env)?;
        if let Some(id) = env("BRIEFBOT_APPLICATION_ID") {
            self.discord.application_id = Some(parse_snowflake("BRIEFBOT_APPLICATION_ID", &id)?);
        }
        if let Some(listen) = env("BRIEFBOT_LISTEN") {
            self.serve.listen = listen::resolve(&listen).map_err(|message| ConfigError::Env {
                var: "BRIEFBOT_LISTEN",
                message,
            })?;
        }
        if let Some(limit) = env("BRIEFBOT_MAX_NEW_PER_RELOAD") {
            let limit =
                numbers::parse(&limit, &numbers::MAX_NEW_PER_RELOAD).map_err(|message| {
                    ConfigError::Env {
                        var: "BRIEFBOT_MAX_NEW_PER_RELOAD",
                        message,
                    }
                })?;
            self.announce.max_new_per_reload = usize::try_from(limit).unwrap_or(usize::MAX);
        }
        if let Some(url) = env("BRIEFBOT_API_URL") {
            let url = url.trim().to_string();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Env {
                    var: "BRIEFBOT_API_URL",
                    message: format!("must start with http:// or https://, found \"{url}\""),
                });
            }
            self.discord.api_url = Some(url);
        }
        self.apply_env_lists(&env)
    }

    /// `BRIEFBOT_BRIEFS_DIR`, when set and not empty.
    fn apply_env_briefs_dir(&mut self, env: &impl Fn(&str) -> Option<String>) {
        if let Some(dir) = env("BRIEFBOT_BRIEFS_DIR") {
            self.briefs_dir = PathBuf::from(dir);
            self.places.briefs_dir = Place::Variable("BRIEFBOT_BRIEFS_DIR");
        }
    }

    /// `BRIEFBOT_DEFAULT_TRACK`, when set: a track id, or an error naming the variable.
    fn apply_env_default_track(
        &mut self,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(track) = env("BRIEFBOT_DEFAULT_TRACK") {
            if !crate::library::is_track_id(&track) {
                return Err(ConfigError::Env {
                    var: "BRIEFBOT_DEFAULT_TRACK",
                    message: format!(
                        "must be a track id ({}), found \"{track}\"",
                        crate::library::track_id_rule()
                    ),
                });
            }
            self.default_track = Some(track);
        }
        Ok(())
    }

    /// The lists and tables of `[discord]`, `[announce]` and `[[follow]]` from variables: each replaces
    /// the file's, as a whole. Items are separated by commas, and a table's fields by colons:
    /// `BRIEFBOT_ANNOUNCE_TARGETS="222:thread,333:forum"`,
    /// `BRIEFBOT_FOLLOW="444:syria-israel:555"` (server, track, role).
    fn apply_env_lists(
        &mut self,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let items = |var: &str| -> Option<Vec<String>> {
            env(var).map(|value| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(str::to_string)
                    .collect()
            })
        };
        if let Some(ids) = items("BRIEFBOT_ANNOUNCE_CHANNELS") {
            self.announce.channels = ids
                .iter()
                .map(|id| parse_snowflake("BRIEFBOT_ANNOUNCE_CHANNELS", id))
                .collect::<Result<_, _>>()?;
        }
        if let Some(id) = env("BRIEFBOT_ERRORS_CHANNEL") {
            self.announce.errors_channel = Some(parse_snowflake("BRIEFBOT_ERRORS_CHANNEL", &id)?);
        }
        if let Some(targets) = items("BRIEFBOT_ANNOUNCE_TARGETS") {
            self.announce.targets = targets
                .iter()
                .map(|item| env_target(item))
                .collect::<Result<_, _>>()?;
        }
        if let Some(follow) = items("BRIEFBOT_FOLLOW") {
            self.follow = follow
                .iter()
                .map(|item| env_follow(item))
                .collect::<Result<_, _>>()?;
            self.places.follow = vec![Place::Variable("BRIEFBOT_FOLLOW"); self.follow.len()];
        }
        let targets = self.announce.all_targets();
        if let Some(i) = listed_twice(&targets) {
            let var = if i < self.announce.channels.len() {
                "BRIEFBOT_ANNOUNCE_CHANNELS"
            } else {
                "BRIEFBOT_ANNOUNCE_TARGETS"
            };
            return Err(ConfigError::Env {
                var,
                message: format!(
                    "channel {} is listed twice (announcement channels and targets together); each channel gets one announcement",
                    targets[i].channel
                ),
            });
        }
        if let Some((_, second)) = duplicate_follow_role(&self.follow) {
            let repeat = &self.follow[second];
            return Err(ConfigError::Env {
                var: "BRIEFBOT_FOLLOW",
                message: format!(
                    "two follow roles for track \"{}\" in server {}; a server has one follow role per track",
                    repeat.track, repeat.server
                ),
            });
        }
        if let Some(ids) = items("BRIEFBOT_GUILD_IDS") {
            self.discord.guild_ids = ids
                .iter()
                .map(|id| parse_snowflake("BRIEFBOT_GUILD_IDS", id))
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }

    /// The settings of a container that has no config file: the defaults, with every setting
    /// the environment gives (the bot and the commands an operator runs by hand start from
    /// these when `config.toml` is absent and no `--config` was named).
    pub(crate) fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::defaults();
        config.apply_env(env)?;
        Ok(config)
    }

    /// The settings of the editors' tools (`check`, `ask`, `new`, `preview`) without a config
    /// file: the defaults, with the briefs folder and the default track from the environment.
    /// They need nothing else, and read nothing else: another variable that is malformed
    /// (a `DATABASE_URL` meant for another program, say) does not stop them.
    pub(crate) fn briefs_from_env(
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let env = |var: &str| env::set(env(var));
        let mut config = Config::defaults();
        config.apply_env_briefs_dir(&env);
        config.apply_env_default_track(&env)?;
        Ok(config)
    }

    /// The settings when there is no config file: `briefs/` beside the current folder and no
    /// default track, before the environment's.
    pub fn defaults() -> Config {
        Config {
            briefs_dir: PathBuf::from("briefs"),
            default_track: None,
            discord: DiscordConfig::default(),
            serve: ServeConfig::default(),
            announce: AnnounceConfig::default(),
            follow: Vec::new(),
            state_dir: PathBuf::from("state"),
            database: None,
            metrics: MetricsConfig::default(),
            setup: SetupConfig::default(),
            places: Places::default(),
        }
    }

    /// Each `[[follow]]` track, with where it was configured.
    pub(crate) fn follow_tracks(&self) -> Vec<(String, Place)> {
        self.follow
            .iter()
            .enumerate()
            .map(|(i, follow)| {
                let place = self.places.follow.get(i).cloned().unwrap_or_default();
                (follow.track.clone(), place)
            })
            .collect()
    }

    /// The options the library loader needs.
    pub(crate) fn load_options(&self) -> LoadOptions {
        LoadOptions {
            default_track: self.default_track.clone(),
        }
    }
}

/// The first announcement target whose channel an earlier target has already.
fn listed_twice(targets: &[AnnounceTarget]) -> Option<usize> {
    (0..targets.len()).find(|&i| targets[..i].iter().any(|e| e.channel == targets[i].channel))
}

/// The first entry that repeats an earlier entry's server and track: (earlier, repeat).
fn duplicate_follow_role(roles: &[FollowRole]) -> Option<(usize, usize)> {
    roles.iter().enumerate().find_map(|(i, b)| {
        roles[..i]
            .iter()
            .position(|a| a.server == b.server && a.track == b.track)
            .map(|first| (first, i))
    })
}

/// Where the `n`-th (from 0) `[[name]]` header begins, if entries are written as tables.
fn nth_table_offset(text: &str, name: &str, n: usize) -> Option<usize> {
    let mut offset = 0;
    let mut seen = 0;
    for line in text.split_inclusive('\n') {
        let header = line.trim_start();
        if header
            .strip_prefix("[[")
            .and_then(|rest| rest.split("]]").next())
            .is_some_and(|table| table.trim() == name)
        {
            if seen == n {
                return Some(offset + (line.len() - header.len()));
            }
            seen += 1;
        }
        offset += line.len();
    }
    None
}

/// Where the line that sets `key` begins in the table whose header ends at `header_end`
/// (before the next header).
fn table_key_offset(text: &str, header_end: usize, key: &str) -> Option<usize> {
    let rest = &text[header_end..];
    let table = rest
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        })
        .skip(1)
        .find(|(_, line)| line.trim_start().starts_with('['))
        .map_or(rest, |(end, _)| &rest[..end]);
    let found = key_offset(table, key);
    let sets = table[found..]
        .strip_prefix(key)
        .is_some_and(|after| after.trim_start().starts_with('='));
    sets.then_some(header_end + found)
}

/// Where the line that sets `key` begins (not a comment that mentions it); 0 if none does.
fn key_offset(text: &str, key: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let setting = line.trim_start();
        if setting
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return offset + (line.len() - setting.len());
        }
        offset += line.len();
    }
    0
}

/// One `CHANNEL:MODE` of `BRIEFBOT_ANNOUNCE_TARGETS` (the mode may be left out: a message).
fn env_target(item: &str) -> Result<AnnounceTarget, ConfigError> {
    const VAR: &str = "BRIEFBOT_ANNOUNCE_TARGETS";
    let (channel, mode) = item.split_once(':').unwrap_or((item, "message"));
    let mode = match mode.trim() {
        "message" => AnnounceMode::Message,
        "thread" => AnnounceMode::Thread,
        "forum" => AnnounceMode::Forum,
        other => {
            return Err(ConfigError::Env {
                var: VAR,
                message: format!(
                    "the mode of channel {channel} must be message, thread or forum, found \"{other}\""
                ),
            });
        }
    };
    Ok(AnnounceTarget {
        channel: parse_snowflake(VAR, channel)?,
        mode,
    })
}

/// One `SERVER:TRACK:ROLE` of `BRIEFBOT_FOLLOW`.
fn env_follow(item: &str) -> Result<FollowRole, ConfigError> {
    const VAR: &str = "BRIEFBOT_FOLLOW";
    let parts: Vec<&str> = item.split(':').map(str::trim).collect();
    let [server, track, role] = parts[..] else {
        return Err(ConfigError::Env {
            var: VAR,
            message: format!("each entry is SERVER:TRACK:ROLE, found \"{item}\""),
        });
    };
    if !crate::library::is_track_id(track) {
        return Err(ConfigError::Env {
            var: VAR,
            message: format!(
                "the track must be a track id ({}), found \"{track}\"",
                crate::library::track_id_rule()
            ),
        });
    }
    Ok(FollowRole {
        server: parse_snowflake(VAR, server)?,
        track: track.to_string(),
        role: parse_snowflake(VAR, role)?,
    })
}

/// A Discord id from the variable `var`, by the rule of every id in the settings.
fn parse_snowflake(var: &'static str, text: &str) -> Result<u64, ConfigError> {
    snowflake::parse(text).map_err(|message| ConfigError::Env { var, message })
}

fn reject_secrets(path: &Path, text: &str) -> Result<(), ConfigError> {
    // Parse loosely first: a syntax error is reported by the typed parse with its location.
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let mut tables = vec![(String::new(), &table)];
    while let Some((prefix, table)) = tables.pop() {
        for (key, value) in table {
            let name = format!("{prefix}{key}");
            if SECRET_KEYS.contains(&key.to_lowercase().as_str()) {
                return Err(ConfigError::Secret {
                    path: path.to_path_buf(),
                    line: Location::of(text, key_offset(text, key)).line,
                    key: name,
                });
            }
            if let toml::Value::Table(inner) = value {
                tables.push((format!("{name}."), inner));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("config.toml"), text, Path::new("/srv/briefbot"))
    }

    #[test]
    fn relative_briefs_dir_is_resolved_against_the_config_folder() {
        let config =
            parse("briefs_dir = \"briefs\"\ndefault_track = \"syria-israel\"\n").expect("valid");
        assert_eq!(config.briefs_dir, PathBuf::from("/srv/briefbot/briefs"));
        assert_eq!(config.default_track.as_deref(), Some("syria-israel"));
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err = parse("briefs_dir = \"briefs\"\nbrief_dir = \"x\"\n").expect_err("unknown key");
        let text = err.to_string();
        assert!(
            text.starts_with("config.toml:2:1: unknown field `brief_dir`"),
            "{text}"
        );
    }

    #[test]
    fn a_token_in_the_file_is_refused_without_echoing_it() {
        let err = parse("[discord]\ntoken = \"super-secret-value\"\n").expect_err("secret");
        let text = err.to_string();
        assert!(text.starts_with("config.toml:2: `discord.token`"), "{text}");
        assert!(!text.contains("super-secret-value"), "{text}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = parse("[discord]\nguild_ids = \"123\"\n").expect_err("type");
        let text = err.to_string();
        assert!(text.starts_with("config.toml:2:13:"), "{text}");
    }

    #[test]
    fn a_bad_default_track_points_at_its_value_in_a_crlf_file() {
        let err = parse(
            "# briefbot\r\n\r\nbriefs_dir = \"briefs\"\r\ndefault_track = \"Syria Israel\"\r\n",
        )
        .expect_err("bad track");
        assert!(
            err.to_string()
                .starts_with("config.toml:4:17: `default_track` must be"),
            "{err}"
        );
    }

    #[test]
    fn a_track_in_the_settings_is_a_track_id_as_the_loader_reads_one() {
        let long = "a".repeat(33);
        let err = parse(&format!("default_track = \"{long}\"\n")).expect_err("too long");
        assert_eq!(
            err.to_string(),
            format!(
                "config.toml:1:17: `default_track` must be a track id (lower-case letters, digits and dashes, at most 32 of them), found \"{long}\""
            )
        );
        assert!(parse(&format!("default_track = \"{}\"\n", "a".repeat(32))).is_ok());
        let err = parse(&format!(
            "[[follow]]\nserver = \"123456789012345678\"\ntrack = \"{long}\"\nrole = \"234567890123456789\"\n"
        ))
        .expect_err("too long");
        assert!(
            err.to_string()
                .starts_with("config.toml:3:9: `follow` track must be a track id"),
            "{err}"
        );
        for (var, value) in [
            ("BRIEFBOT_DEFAULT_TRACK", long.clone()),
            (
                "BRIEFBOT_FOLLOW",
                format!("123456789012345678:{long}:234567890123456789"),
            ),
        ] {
            let err =
                Config::from_env(|name: &str| (name == var).then(|| value.clone())).expect_err(var);
            assert!(
                err.to_string()
                    .starts_with(&format!("environment variable {var}: "))
                    && err.to_string().contains("at most 32 of them"),
                "{err}"
            );
        }
    }

    #[test]
    fn an_api_url_must_be_http() {
        let config = parse("[discord]\napi_url = \"http://127.0.0.1:3000\"\n").expect("valid");
        assert_eq!(
            config.discord.api_url.as_deref(),
            Some("http://127.0.0.1:3000")
        );
        let err = parse("[discord]\n# api_url = \"http://x\"\napi_url = \"discord.example\"\n")
            .expect_err("no scheme");
        assert!(
            err.to_string()
                .starts_with("config.toml:3:1: `api_url` must start with http://"),
            "{err}"
        );
    }

    #[test]
    fn max_connections_defaults_and_must_be_positive() {
        assert_eq!(parse("").expect("valid").serve.max_connections.get(), 1000);
        let config = parse("[serve]\nmax_connections = 64\n").expect("valid");
        assert_eq!(config.serve.max_connections.get(), 64);
        for (value, found) in [
            ("0", "0"),
            ("-5", "-5"),
            ("65537", "65537"),
            ("4294967296000", "4294967296000"),
            ("1.5", "1.5"),
            ("\"64\"", "\"64\""),
        ] {
            let err = parse(&format!("[serve]\nmax_connections = {value}\n")).expect_err(value);
            assert_eq!(
                err.to_string(),
                format!(
                    "config.toml:2:19: `serve.max_connections` must be a whole number from 1 to 65536, found {found}"
                )
            );
        }
        let err = parse("[serve]\nmax_connections = 99999999999999999999\n").expect_err("huge");
        assert!(!err.to_string().contains("i128"), "{err}");
        assert!(err.to_string().starts_with("config.toml:2:19:"), "{err}");
        let err = parse("[serve]\nmax_conections = 64\n").expect_err("misspelt");
        assert!(
            err.to_string()
                .contains("unknown field `max_conections`, expected `listen` or `max_connections`"),
            "{err}"
        );
    }

    #[test]
    fn a_listen_address_may_name_a_host() {
        assert_eq!(
            parse("").expect("valid").serve.listen,
            "127.0.0.1:8080".parse().expect("an address")
        );
        let config = parse("[serve]\nlisten = \"localhost:8081\"\n").expect("valid");
        assert!(config.serve.listen.ip().is_loopback());
        assert_eq!(config.serve.listen.port(), 8081);
        let err = parse("[serve]\nlisten = \"localhost\"\n").expect_err("no port");
        assert_eq!(
            err.to_string(),
            "config.toml:2:10: `serve.listen` must be an address or host name and a port, such as 127.0.0.1:8080 or localhost:8080, found \"localhost\""
        );
        let err = parse("[serve]\nlisten = 8080\n").expect_err("a number");
        assert!(
            err.to_string().starts_with(
                "config.toml:2:10: `serve.listen` must be an address and a port in quotes"
            ),
            "{err}"
        );
        let err = parse("[serve]\nlisten = \"nowhere.invalid:8080\"\n").expect_err("unknown");
        assert!(
            err.to_string().starts_with(
                "config.toml:2:10: `serve.listen` names a host that cannot be looked up, found \"nowhere.invalid:8080\""
            ),
            "{err}"
        );

        let config = Config::from_env(|var: &str| {
            (var == "BRIEFBOT_LISTEN").then(|| "localhost:8082".to_string())
        })
        .expect("valid");
        assert!(config.serve.listen.ip().is_loopback());
        assert_eq!(config.serve.listen.port(), 8082);
        let err = Config::from_env(|var: &str| {
            (var == "BRIEFBOT_LISTEN").then(|| "everywhere".to_string())
        })
        .expect_err("no port");
        assert!(
            err.to_string().starts_with(
                "environment variable BRIEFBOT_LISTEN: must be an address or host name and a port"
            ),
            "{err}"
        );
    }

    #[test]
    fn every_discord_id_is_read_quoted_or_not_and_must_be_a_snowflake() {
        let config = parse(
            "[discord]\napplication_id = \"775799577604522054\"\nguild_ids = [\"290926798626357999\", 290926798626357998]\n\n[announce]\nchannels = [\"111111111111111111\"]\nerrors_channel = 333333333333333333\n",
        )
        .expect("valid");
        assert_eq!(config.discord.application_id, Some(775_799_577_604_522_054));
        assert_eq!(
            config.discord.guild_ids,
            [290_926_798_626_357_999, 290_926_798_626_357_998]
        );
        assert_eq!(config.announce.channels, [111_111_111_111_111_111]);
        assert_eq!(
            config.announce.errors_channel,
            Some(333_333_333_333_333_333)
        );
        // The smallest and the largest ids there can be.
        let config =
            parse("[announce]\nchannels = [4194304, \"9223372036854775807\"]\n").expect("valid");
        assert_eq!(config.announce.channels, [1 << 22, (1 << 63) - 1]);

        let refused = |text: &str, at: &str, key: &str, found: &str| {
            let err = parse(text).expect_err(text).to_string();
            let expected = format!(
                "config.toml:{at}: {key} must be a Discord id (digits, such as \"123456789012345678\"), found {found}"
            );
            assert!(err.starts_with(&expected), "{err}\nexpected: {expected}");
            err
        };
        let err = refused(
            "[announce]\nchannels = [12]\n",
            "2:13",
            "`announce.channels`",
            "12",
        );
        assert!(
            err.ends_with(", too small for one: Discord ids are 4194304 or more; copy it from Discord with Developer Mode on (right-click, Copy ID)"),
            "{err}"
        );
        refused(
            "[announce]\nchannels = [4194303]\n",
            "2:13",
            "`announce.channels`",
            "4194303",
        );
        let err = refused(
            "[announce]\nchannels = [\"9223372036854775808\"]\n",
            "2:13",
            "`announce.channels`",
            "\"9223372036854775808\"",
        );
        assert!(
            err.ends_with(", too large for one: Discord ids are below 9223372036854775808"),
            "{err}"
        );
        refused(
            "[discord]\nguild_ids = [0]\n",
            "2:14",
            "`discord.guild_ids`",
            "0",
        );
        refused(
            "[discord]\napplication_id = \"12\"\n",
            "2:18",
            "`discord.application_id`",
            "\"12\"",
        );
        refused(
            "[discord]\napplication_id = true\n",
            "2:18",
            "`discord.application_id`",
            "true",
        );
        refused(
            "[announce]\nerrors_channel = -13\n",
            "2:18",
            "`announce.errors_channel`",
            "-13",
        );
        refused(
            "[[announce.target]]\nchannel = 77\n",
            "2:11",
            "`announce.target` channel",
            "77",
        );
        refused(
            "[[follow]]\nserver = 1\ntrack = \"a\"\nrole = \"234567890123456789\"\n",
            "2:10",
            "`follow` server",
            "1",
        );
        refused(
            "[[follow]]\nserver = 123456789012345678\ntrack = \"a\"\nrole = \"2\"\n",
            "4:8",
            "`follow` role",
            "\"2\"",
        );
        let err = parse("[discord]\nguild_ids = 290926798626357999\n").expect_err("not a list");
        assert_eq!(
            err.to_string(),
            "config.toml:2:13: `discord.guild_ids` must be a list of Discord ids, such as [\"123456789012345678\"], found 290926798626357999"
        );
    }

    #[test]
    fn every_discord_id_from_a_variable_must_be_a_snowflake() {
        for var in [
            "BRIEFBOT_APPLICATION_ID",
            "BRIEFBOT_GUILD_IDS",
            "BRIEFBOT_ANNOUNCE_CHANNELS",
            "BRIEFBOT_ERRORS_CHANNEL",
            "BRIEFBOT_ANNOUNCE_TARGETS",
        ] {
            let err = Config::from_env(|name: &str| (name == var).then(|| "12".to_string()))
                .expect_err(var)
                .to_string();
            assert_eq!(
                err,
                format!(
                    "environment variable {var}: must be a Discord id (digits, such as \"123456789012345678\"), found \"12\", too small for one: Discord ids are 4194304 or more; copy it from Discord with Developer Mode on (right-click, Copy ID)"
                )
            );
        }
        let err = Config::from_env(|name: &str| {
            (name == "BRIEFBOT_FOLLOW").then(|| "123456789012345678:gulf:99".to_string())
        })
        .expect_err("tiny role");
        assert!(
            err.to_string()
                .starts_with("environment variable BRIEFBOT_FOLLOW: must be a Discord id"),
            "{err}"
        );
        let config = Config::from_env(|name: &str| {
            (name == "BRIEFBOT_GUILD_IDS").then(|| " 290926798626357999 ,".to_string())
        })
        .expect("valid");
        assert_eq!(config.discord.guild_ids, [290_926_798_626_357_999]);
    }

    #[test]
    fn shards_are_one_auto_a_count_or_a_range() {
        let shards = |text: &str| parse(&format!("[discord]\n{text}\n")).map(|c| c.discord.shards);
        assert_eq!(shards("").expect("default"), Shards::One);
        assert_eq!(shards("shards = \"auto\"").expect("auto"), Shards::Auto);
        assert_eq!(
            shards("shards = 4").expect("count"),
            Shards::Range {
                first: 0,
                last: 3,
                total: 4
            }
        );
        assert_eq!(
            shards("shards = { first = 4, last = 7, total = 8 }").expect("range"),
            Shards::Range {
                first: 4,
                last: 7,
                total: 8
            }
        );
        let err = shards("shards = { first = 4, last = 9, total = 8 }").expect_err("bad range");
        assert!(err.to_string().contains("first <= last < total"), "{err}");
        for (value, found) in [
            ("-1", "-1"),
            ("0", "0"),
            ("\"all\"", "\"all\""),
            ("2.5", "2.5"),
        ] {
            let err = shards(&format!("shards = {value}")).expect_err(value);
            assert_eq!(
                err.to_string(),
                format!(
                    "config.toml:2:10: `discord.shards` must be \"auto\", a number of shards from 1 to 65536, or {{ first = 0, last = 3, total = 8 }}, found {found}"
                )
            );
        }
        let err = shards("shards = { first = -1, last = 3, total = 8 }").expect_err("negative");
        assert_eq!(
            err.to_string(),
            "config.toml:2:20: `discord.shards` first must be a whole number from 0 to 65536, found -1"
        );
        let err = shards("shards = { first = 0, last = 3 }").expect_err("no total");
        assert_eq!(
            err.to_string(),
            "config.toml:2:10: `discord.shards` has no `total`, which it needs"
        );
    }

    #[test]
    fn the_state_database_comes_from_the_file_or_database_url() {
        assert_eq!(parse("").expect("valid").database, None);
        let config =
            parse("[state]\nurl = \"postgres://briefbot:pw@db:5432/briefbot\"\n").expect("valid");
        let url = config.database.expect("a database");
        assert_eq!(url.shown(), "postgres://briefbot@db:5432/briefbot");
        let err = parse("[state]\nurl = \"mysql://db/briefbot\"\n").expect_err("mysql");
        assert!(
            err.to_string()
                .starts_with("config.toml:2:7: `state.url` must start with postgres://"),
            "{err}"
        );

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[state]\nurl = \"postgres://db/file\"\n").expect("write");
        let env = |var: &str| {
            (var == "DATABASE_URL").then(|| "postgres://u:secret@other/env".to_string())
        };
        let config = Config::load_with_env(&path, env).expect("valid");
        assert_eq!(
            config.database.map(|u| u.shown()).as_deref(),
            Some("postgres://u@other/env"),
            "the variable wins over the file"
        );
        let env = |var: &str| (var == "DATABASE_URL").then(|| "http://u:secret@db".to_string());
        let err = Config::load_with_env(&path, env).expect_err("not postgres");
        let text = err.to_string();
        assert!(
            text.starts_with("environment variable DATABASE_URL: must start with postgres://"),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn announcements_and_the_state_folder_are_read() {
        let config = parse(
            "state_dir = \"/var/lib/briefbot\"\n[announce]\nchannels = [111111111111111111, \"111111111111111112\"]\nerrors_channel = \"333333333333333333\"\n",
        )
        .expect("valid");
        assert_eq!(config.state_dir, PathBuf::from("/var/lib/briefbot"));
        assert_eq!(
            config.announce.channels,
            vec![111_111_111_111_111_111, 111_111_111_111_111_112],
            "quoted or not"
        );
        assert_eq!(
            config.announce.errors_channel,
            Some(333_333_333_333_333_333)
        );
        assert_eq!(config.announce.max_new_per_reload, 3, "the default");
        assert!(config.announce.is_enabled());
        let config = parse("[announce]\nmax_new_per_reload = 10\n").expect("valid");
        assert_eq!(config.announce.max_new_per_reload, 10);
        let err = parse("[announce]\nmax_new_per_reload = -1\n").expect_err("negative");
        assert_eq!(
            err.to_string(),
            "config.toml:2:22: `announce.max_new_per_reload` must be a whole number from 0 to 1000, found -1"
        );
        assert_eq!(
            parse("[announce]\nmax_new_per_reload = 0\n")
                .expect("valid")
                .announce
                .max_new_per_reload,
            0
        );
        let defaults = parse("").expect("valid");
        assert_eq!(defaults.announce.max_new_per_reload, 3);
        assert_eq!(defaults.state_dir, PathBuf::from("/srv/briefbot/state"));
        assert!(!defaults.announce.is_enabled());
        let err = parse("[announce]\nchannels = [111111111111111111, 0]\n").expect_err("zero id");
        assert!(
            err.to_string()
                .starts_with("config.toml:2:33: `announce.channels` must be a Discord id"),
            "{err}"
        );
        let err = parse(
            "[announce]\nchannels = [111111111111111111, 111111111111111112, 111111111111111111]\n",
        )
        .expect_err("twice");
        assert!(
            err.to_string()
                .starts_with("config.toml:1:1: channel 111111111111111111 is listed twice"),
            "{err}"
        );
        let err = parse("[announce]\nchanels = [111111111111111111]\n").expect_err("misspelt");
        assert!(err.to_string().contains("unknown field `chanels`"), "{err}");
    }

    #[test]
    fn follow_roles_are_read_per_server_and_track() {
        let config = parse(
            "[announce]\nchannels = [111111111111111111]\n\n[[follow]]\nserver = \"123456789012345678\"\ntrack = \"syria-israel\"\nrole = \"234567890123456789\"\n\n[[follow]]\nserver = 123456789012345678\ntrack = \"gulf\"\nrole = 345678901234567890\n",
        )
        .expect("valid");
        assert_eq!(
            config.follow,
            vec![
                FollowRole {
                    server: 123_456_789_012_345_678,
                    track: "syria-israel".to_string(),
                    role: 234_567_890_123_456_789,
                },
                FollowRole {
                    server: 123_456_789_012_345_678,
                    track: "gulf".to_string(),
                    role: 345_678_901_234_567_890,
                },
            ]
        );
        assert_eq!(
            follow_role(&config.follow, 123_456_789_012_345_678, "syria-israel"),
            Some(234_567_890_123_456_789)
        );
        assert_eq!(follow_role(&config.follow, 1, "syria-israel"), None);
        assert!(parse("").expect("valid").follow.is_empty());
    }

    #[test]
    fn a_follow_role_needs_snowflakes_a_slug_and_one_entry_per_server_and_track() {
        let err =
            parse("[[follow]]\nserver = \"12345x\"\ntrack = \"syria-israel\"\nrole = \"234567890123456789\"\n")
                .expect_err("bad guild");
        assert_eq!(
            err.to_string(),
            "config.toml:2:10: `follow` server must be a Discord id (digits, such as \"123456789012345678\"), found \"12345x\""
        );
        let err = parse(
            "[[follow]]\nserver = \"123456789012345678\"\ntrack = \"syria-israel\"\nrole = -5\n",
        )
        .expect_err("bad role");
        assert_eq!(
            err.to_string(),
            "config.toml:4:8: `follow` role must be a Discord id (digits, such as \"123456789012345678\"), found -5"
        );
        let err = parse("[[follow]]\nserver = \"123456789012345678\"\ntrack = \"Syria Israel\"\nrole = \"234567890123456789\"\n")
            .expect_err("bad track");
        assert_eq!(
            err.to_string(),
            "config.toml:3:9: `follow` track must be a track id (lower-case letters, digits and dashes, at most 32 of them), found \"Syria Israel\""
        );
        let err = parse("[[follow]]\nserver = \"123456789012345678\"\ntrack = \"a\"\nrole = \"234567890123456789\"\nrol = \"3\"\n")
            .expect_err("misspelt");
        assert!(err.to_string().contains("unknown field `rol`"), "{err}");
        let err = parse(
            "[[follow]]\nserver = \"123456789012345678\"\ntrack = \"a\"\nrole = \"234567890123456781\"\n\n[[follow]]\nserver = \"123456789012345678\"\ntrack = \"b\"\nrole = \"234567890123456782\"\n\n[[follow]]\nserver = 123456789012345678\ntrack = \"a\"\nrole = \"234567890123456783\"\n",
        )
        .expect_err("duplicate");
        assert_eq!(
            err.to_string(),
            "config.toml:11:1: `follow` entries 1 (role 234567890123456781) and 3 (role 234567890123456783) both set a follow role for track \"a\" in server 123456789012345678; a server has one follow role per track"
        );
    }

    #[test]
    fn where_the_folder_the_connections_and_each_follow_were_given_is_kept() {
        let config = parse(
            "briefs_dir = \"briefs\"\n\n[serve]\nmax_connections = 64\n\n[[follow]]\nserver = \"123456789012345678\"\ntrack = \"gulf\"\nrole = \"234567890123456789\"\n\n[[follow]]\ntrack = \"syria-israel\"\nserver = \"123456789012345678\"\nrole = \"234567890123456780\"\n",
        )
        .expect("valid");
        let at = |line| Place::File {
            path: PathBuf::from("config.toml"),
            line,
        };
        assert_eq!(config.places.briefs_dir, at(1));
        assert_eq!(config.places.max_connections, at(4));
        assert_eq!(config.places.follow, [at(8), at(12)]);
        assert_eq!(at(8).to_string(), "config.toml:8");
        assert_eq!(parse("").expect("valid").places, Places::default());

        let config = Config::from_env(|var: &str| match var {
            "BRIEFBOT_BRIEFS_DIR" => Some("/srv/briefs".to_string()),
            "BRIEFBOT_FOLLOW" => Some("123456789012345678:gulf:234567890123456789".to_string()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(
            config.places.briefs_dir,
            Place::Variable("BRIEFBOT_BRIEFS_DIR")
        );
        assert_eq!(config.places.follow, [Place::Variable("BRIEFBOT_FOLLOW")]);
        assert_eq!(
            Place::Variable("BRIEFBOT_FOLLOW").to_string(),
            "environment variable BRIEFBOT_FOLLOW"
        );
    }

    #[test]
    fn lists_and_tables_come_from_variables_when_there_is_no_file() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |var: &str| {
                vars.iter()
                    .find(|(name, _)| *name == var)
                    .map(|(_, value)| value.to_string())
            }
        };
        let config = Config::from_env(env(&[
            ("BRIEFBOT_BRIEFS_DIR", "/srv/briefs"),
            (
                "BRIEFBOT_ANNOUNCE_CHANNELS",
                "111111111111111111, 111111111111111112",
            ),
            ("BRIEFBOT_ERRORS_CHANNEL", "111111111111111113"),
            (
                "BRIEFBOT_ANNOUNCE_TARGETS",
                "222222222222222222:thread,333333333333333333:forum,333333333333333334",
            ),
            (
                "BRIEFBOT_FOLLOW",
                "444444444444444444:syria-israel:555555555555555555,444444444444444444:gulf:555555555555555556",
            ),
            ("BRIEFBOT_API_URL", "http://127.0.0.1:8081"),
        ]))
        .expect("valid");
        assert_eq!(config.briefs_dir, PathBuf::from("/srv/briefs"));
        assert_eq!(
            config.announce.channels,
            [111_111_111_111_111_111, 111_111_111_111_111_112]
        );
        assert_eq!(
            config.announce.errors_channel,
            Some(111_111_111_111_111_113)
        );
        let targets: Vec<(u64, AnnounceMode)> = config
            .announce
            .targets
            .iter()
            .map(|t| (t.channel, t.mode))
            .collect();
        assert_eq!(
            targets,
            [
                (222_222_222_222_222_222, AnnounceMode::Thread),
                (333_333_333_333_333_333, AnnounceMode::Forum),
                (333_333_333_333_333_334, AnnounceMode::Message)
            ]
        );
        assert_eq!(
            follow_role(&config.follow, 444_444_444_444_444_444, "gulf"),
            Some(555_555_555_555_555_556)
        );
        assert_eq!(
            config.discord.api_url.as_deref(),
            Some("http://127.0.0.1:8081")
        );
        let error = |vars| {
            Config::from_env(env(vars))
                .expect_err("invalid")
                .to_string()
        };
        assert_eq!(
            error(&[("BRIEFBOT_ANNOUNCE_TARGETS", "222222222222222222:threads")]),
            "environment variable BRIEFBOT_ANNOUNCE_TARGETS: the mode of channel 222222222222222222 must be message, thread or forum, found \"threads\""
        );
        assert_eq!(
            error(&[("BRIEFBOT_FOLLOW", "444444444444444444:syria-israel")]),
            "environment variable BRIEFBOT_FOLLOW: each entry is SERVER:TRACK:ROLE, found \"444444444444444444:syria-israel\""
        );
        assert!(
            error(&[(
                "BRIEFBOT_ANNOUNCE_CHANNELS",
                "555555555555555555,555555555555555555"
            )])
            .starts_with(
                "environment variable BRIEFBOT_ANNOUNCE_CHANNELS: channel 555555555555555555 is listed twice"
            ),
        );
        assert!(
            error(&[
                ("BRIEFBOT_ANNOUNCE_CHANNELS", "555555555555555555"),
                ("BRIEFBOT_ANNOUNCE_TARGETS", "555555555555555555:forum")
            ])
            .starts_with(
                "environment variable BRIEFBOT_ANNOUNCE_TARGETS: channel 555555555555555555 is listed twice"
            ),
        );
        assert!(
            error(&[(
                "BRIEFBOT_FOLLOW",
                "123456789012345678:a:234567890123456781,123456789012345678:a:234567890123456782"
            )])
            .contains("two follow roles for track \"a\" in server 123456789012345678"),
        );
        assert!(error(&[("BRIEFBOT_API_URL", "discord.example")]).contains("http://"));
    }

    #[test]
    fn the_editors_tools_read_only_the_briefs_from_the_environment() {
        let env = |var: &str| match var {
            "BRIEFBOT_BRIEFS_DIR" => Some("/srv/briefs".to_string()),
            "BRIEFBOT_DEFAULT_TRACK" => Some("gulf".to_string()),
            "BRIEFBOT_STATE_DIR" => Some("/srv/state".to_string()),
            "DATABASE_URL" => Some("mysql://someone-else/db".to_string()),
            "BRIEFBOT_LISTEN" => Some("everywhere".to_string()),
            _ => None,
        };
        let config = Config::briefs_from_env(env).expect("only the briefs are read");
        assert_eq!(config.briefs_dir, PathBuf::from("/srv/briefs"));
        assert_eq!(config.default_track.as_deref(), Some("gulf"));
        assert_eq!(config.state_dir, PathBuf::from("state"), "not read");
        assert_eq!(config.database, None, "not read");
        assert!(Config::from_env(env).is_err(), "the bot reads them all");
        let err = Config::briefs_from_env(|var: &str| {
            (var == "BRIEFBOT_DEFAULT_TRACK").then(|| "Gulf".to_string())
        })
        .expect_err("not a track id");
        assert!(
            err.to_string()
                .starts_with("environment variable BRIEFBOT_DEFAULT_TRACK"),
            "{err}"
        );
    }

    #[test]
    fn announce_targets_add_threads_and_forums_to_the_plain_channels() {
        let config = parse(
            "[announce]\nchannels = [111111111111111111]\n\n[[announce.target]]\nchannel = 222222222222222222\nmode = \"thread\"\n\n[[announce.target]]\nchannel = \"333333333333333333\"\nmode = \"forum\"\n\n[[announce.target]]\nchannel = 444444444444444444\n",
        )
        .expect("valid");
        let targets: Vec<(u64, AnnounceMode)> = config
            .announce
            .all_targets()
            .iter()
            .map(|t| (t.channel, t.mode))
            .collect();
        assert_eq!(
            targets,
            [
                (111_111_111_111_111_111, AnnounceMode::Message),
                (222_222_222_222_222_222, AnnounceMode::Thread),
                (333_333_333_333_333_333, AnnounceMode::Forum),
                (444_444_444_444_444_444, AnnounceMode::Message),
            ]
        );
        assert!(
            parse("[[announce.target]]\nchannel = 555555555555555555\n")
                .expect("valid")
                .announce
                .is_enabled()
        );
        let err = parse("[[announce.target]]\nchannel = 555555555555555555\nmode = \"forums\"\n")
            .expect_err("mode");
        assert!(err.to_string().starts_with("config.toml:3:8:"), "{err}");
        assert!(err.to_string().contains("`forum`"), "{err}");
        let err = parse("[[announce.target]]\nchannel = \"x\"\n").expect_err("channel");
        assert_eq!(
            err.to_string(),
            "config.toml:2:11: `announce.target` channel must be a Discord id (digits, such as \"123456789012345678\"), found \"x\""
        );
        let err = parse(
            "[announce]\nchannels = [777777777777777777]\n\n[[announce.target]]\nchannel = 888888888888888888\n\n[[announce.target]]\nchannel = 777777777777777777\nmode = \"thread\"\n",
        )
        .expect_err("twice");
        assert_eq!(
            err.to_string(),
            "config.toml:7:1: channel 777777777777777777 is listed twice in [announce] (channels and [[announce.target]]); each channel gets one announcement"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "default_track = \"a\"\n").expect("write");
        let env = |var: &str| match var {
            "BRIEFBOT_BRIEFS_DIR" => Some("/data/briefs".to_string()),
            "BRIEFBOT_DEFAULT_TRACK" => Some("b".to_string()),
            "BRIEFBOT_GUILD_IDS" => Some("290926798626357999, 290926798626357998".to_string()),
            "BRIEFBOT_STATE_DIR" => Some("/data/state".to_string()),
            "BRIEFBOT_MAX_NEW_PER_RELOAD" => Some("50".to_string()),
            _ => None,
        };
        let config = Config::load_with_env(&path, env).expect("valid");
        assert_eq!(config.briefs_dir, PathBuf::from("/data/briefs"));
        assert_eq!(config.default_track.as_deref(), Some("b"));
        assert_eq!(
            config.discord.guild_ids,
            vec![290_926_798_626_357_999, 290_926_798_626_357_998]
        );
        assert_eq!(config.state_dir, PathBuf::from("/data/state"));
        assert_eq!(config.announce.max_new_per_reload, 50);
        let env = |var: &str| (var == "BRIEFBOT_MAX_NEW_PER_RELOAD").then(|| "many".to_string());
        let err = Config::load_with_env(&path, env).expect_err("not a number");
        assert_eq!(
            err.to_string(),
            "environment variable BRIEFBOT_MAX_NEW_PER_RELOAD: must be a whole number from 0 to 1000, found \"many\""
        );
    }

    #[test]
    fn a_variable_set_but_empty_counts_as_unset_for_every_variable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        let file = "briefs_dir = \"briefs\"\ndefault_track = \"gulf\"\nstate_dir = \"state\"\n\n[state]\nurl = \"postgres://db/briefbot\"\n\n[discord]\napplication_id = 775799577604522054\nguild_ids = [290926798626357999]\napi_url = \"http://127.0.0.1:3000\"\n\n[serve]\nlisten = \"127.0.0.1:9000\"\n\n[announce]\nchannels = [111111111111111111]\nerrors_channel = 333333333333333333\nmax_new_per_reload = 5\n\n[[announce.target]]\nchannel = 222222222222222222\nmode = \"thread\"\n\n[[follow]]\nserver = 123456789012345678\ntrack = \"gulf\"\nrole = 234567890123456789\n";
        std::fs::write(&path, file).expect("write");
        let from_file = Config::load_with_env(&path, |_| None).expect("valid");
        for blank in ["", " ", "\t"] {
            let everything_blank = |var: &str| {
                env::VARIABLES
                    .iter()
                    .any(|(name, _)| *name == var)
                    .then(|| blank.to_string())
            };
            assert_eq!(
                Config::load_with_env(&path, everything_blank).expect("valid"),
                from_file,
                "{blank:?} everywhere is the file's settings"
            );
            assert_eq!(
                Config::from_env(everything_blank).expect("valid"),
                Config::defaults(),
                "{blank:?} everywhere, without a file, is the defaults"
            );
        }
    }

    #[test]
    fn malformed_environment_names_the_variable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "").expect("write");
        let env = |var: &str| (var == "BRIEFBOT_APPLICATION_ID").then(|| "abc".to_string());
        let err = Config::load_with_env(&path, env).expect_err("bad id");
        assert!(
            err.to_string()
                .starts_with("environment variable BRIEFBOT_APPLICATION_ID"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_says_how_to_point_at_one() {
        let err = Config::load_with_env(Path::new("/nonexistent/config.toml"), |_| None)
            .expect_err("missing");
        assert!(err.to_string().contains("--config PATH"), "{err}");
    }
    #[test]
    fn setup_is_off_by_default_and_its_settings_are_checked_where_they_are_written() {
        let defaults = parse("").expect("valid");
        assert!(!defaults.setup.enabled);
        assert!(!defaults.setup.allows(1_214_230_875_340_931_074));
        let config = parse(
            "[setup]\nenabled = true\nservers = [\"1214230875340931074\"]\nmax_targets_per_server = 2\n",
        )
        .expect("valid");
        assert!(config.setup.allows(1_214_230_875_340_931_074));
        assert!(!config.setup.allows(1_214_230_875_340_931_075));
        assert_eq!(config.setup.max_targets_per_server, 2);
        let open = parse("[setup]\nenabled = true\n").expect("valid");
        assert!(open.setup.allows(42 << 22));
        assert_eq!(open.setup.max_targets_per_server, DEFAULT_MAX_TARGETS);
        let err = parse("[setup]\nmax_targets_per_server = 0\n").expect_err("zero");
        assert_eq!(
            err.to_string(),
            "config.toml:2:26: `setup.max_targets_per_server` must be a whole number from 1 to 100, found 0"
        );
        let err = parse("[setup]\nenable = true\n").expect_err("a misspelt key");
        assert!(err.to_string().starts_with("config.toml:2:1: "), "{err}");
        assert!(err.to_string().contains("`enable`"), "{err}");
        let err = parse("[setup]\nservers = [\"my server\"]\n").expect_err("not an id");
        assert!(err.to_string().starts_with("config.toml:2:"), "{err}");
        assert!(err.to_string().contains("`setup.servers`"), "{err}");
    }
}
