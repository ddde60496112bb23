//! `[serve] max_connections` against the open files the process may have: each connection
//! is one, and past the limit `serve` could accept no one, nor read a brief.

use super::{Config, ConfigError, Place};

/// Files `serve` keeps open besides its connections: the standard streams, the listener, the
/// runtime's own, the folder watcher, the briefs being read, the state file and its lock, and
/// the connections to Discord and the state database. The default `max_connections` (1000)
/// and these fit the 1024 a process is often allowed.
pub(crate) const RESERVED: u64 = 24;

/// How to raise the limit, for the messages.
const RAISE: &str = "raise it (LimitNOFILE= in the systemd unit, `ulimit -n` in a shell)";

/// The process's open-files limit (RLIMIT_NOFILE's soft limit); none when it has none or it
/// cannot be read.
pub(crate) fn limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes the limit into the struct it is given, nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0
            || limit.rlim_cur == libc::RLIM_INFINITY
        {
            return None;
        }
        #[allow(clippy::useless_conversion)] // rlim_t is u64 on Linux and macOS, i64 elsewhere
        u64::try_from(limit.rlim_cur).ok()
    }
    #[cfg(not(unix))]
    None
}

impl Config {
    /// For `serve`: `max_connections` against `limit`, the open files this process may have
    /// (none: no limit). A value that was given and needs more is refused, naming where it
    /// was given, the limit and how to raise it; the default is lowered to fit, and the
    /// warning that says so returned.
    pub(crate) fn fit_open_files(
        &mut self,
        limit: Option<u64>,
    ) -> Result<Option<String>, ConfigError> {
        let Some(limit) = limit else {
            return Ok(None);
        };
        let wanted = self.serve.max_connections.get() as u64;
        let room = limit.saturating_sub(RESERVED);
        if wanted <= room {
            return Ok(None);
        }
        if room == 0 {
            return Err(ConfigError::OpenFiles {
                message: format!(
                    "the open-files limit (RLIMIT_NOFILE) is {limit}, too low for `serve`, which keeps {RESERVED} files open besides its connections; {RAISE}"
                ),
            });
        }
        match &self.places.max_connections {
            Place::Default => {
                let fits = usize::try_from(room)
                    .ok()
                    .and_then(std::num::NonZeroUsize::new)
                    .unwrap_or(std::num::NonZeroUsize::MIN);
                self.serve.max_connections = fits;
                Ok(Some(format!(
                    "the open-files limit (RLIMIT_NOFILE) is {limit}, too low for the default `serve.max_connections` ({wanted}) and the {RESERVED} files serve keeps open besides: it holds at most {room} connections; {RAISE}, or set max_connections"
                )))
            }
            place => Err(ConfigError::Setting {
                place: place.clone(),
                message: format!(
                    "`serve.max_connections` is {wanted}, more than this process may open: its open-files limit (RLIMIT_NOFILE) is {limit}, and serve keeps {RESERVED} files open besides its connections, so at most {room}; {RAISE}, or lower max_connections"
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Config {
        Config::parse(Path::new("config.toml"), text, Path::new("/srv")).expect("valid")
    }

    #[test]
    fn the_limit_of_this_process_is_read() {
        // The test runner has one, or none at all; either way it is not 0.
        assert_ne!(limit(), Some(0));
    }

    #[test]
    fn max_connections_beyond_the_open_files_limit_is_refused_naming_its_line() {
        let mut config = parse("[serve]\nmax_connections = 1000\n");
        assert_eq!(config.fit_open_files(None).expect("no limit"), None);
        assert_eq!(config.fit_open_files(Some(1024)).expect("fits"), None);
        let err = config.fit_open_files(Some(1023)).expect_err("one too many");
        assert_eq!(
            err.to_string(),
            "config.toml:2: `serve.max_connections` is 1000, more than this process may open: its open-files limit (RLIMIT_NOFILE) is 1023, and serve keeps 24 files open besides its connections, so at most 999; raise it (LimitNOFILE= in the systemd unit, `ulimit -n` in a shell), or lower max_connections"
        );
        assert_eq!(config.serve.max_connections.get(), 1000, "nothing changed");
        let err = config.fit_open_files(Some(20)).expect_err("no room");
        assert_eq!(
            err.to_string(),
            "the open-files limit (RLIMIT_NOFILE) is 20, too low for `serve`, which keeps 24 files open besides its connections; raise it (LimitNOFILE= in the systemd unit, `ulimit -n` in a shell)"
        );
    }

    #[test]
    fn the_default_is_lowered_to_fit_with_a_warning() {
        let mut config = parse("");
        let warning = config.fit_open_files(Some(256)).expect("lowered");
        assert_eq!(
            warning.as_deref(),
            Some(
                "the open-files limit (RLIMIT_NOFILE) is 256, too low for the default `serve.max_connections` (1000) and the 24 files serve keeps open besides: it holds at most 232 connections; raise it (LimitNOFILE= in the systemd unit, `ulimit -n` in a shell), or set max_connections"
            )
        );
        assert_eq!(config.serve.max_connections.get(), 232);
        let mut config = Config::defaults();
        assert_eq!(config.fit_open_files(Some(1024)).expect("fits"), None);
        assert_eq!(config.serve.max_connections.get(), 1000);
    }
}
