//! Where a setting was given, for the messages that name it after the settings are read: a
//! `[[follow]]` track the briefs do not have, `max_connections` beyond the open-files limit,
//! a briefs folder that is not there.

use std::fmt;
use std::path::PathBuf;

/// Where one setting came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Place {
    /// Nowhere: briefbot's default.
    #[default]
    Default,
    /// A line of the config file.
    File { path: PathBuf, line: usize },
    /// An environment variable.
    Variable(&'static str),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Default => f.write_str("the default"),
            Place::File { path, line } => write!(f, "{}:{line}", path.display()),
            Place::Variable(var) => write!(f, "environment variable {var}"),
        }
    }
}

/// Where the settings that later messages name came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Places {
    pub(crate) briefs_dir: Place,
    pub(crate) max_connections: Place,
    /// One per `[[follow]]` entry, in order.
    pub(crate) follow: Vec<Place>,
}
