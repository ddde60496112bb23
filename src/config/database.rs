//! `[state] url` (or `DATABASE_URL`): the PostgreSQL database that holds the announcement
//! state when several instances share it. The URL may carry a password, so it is never shown
//! whole: logs and errors get [`DatabaseUrl::shown`], the URL without its password.

use serde::Deserialize;

/// The `[state]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StateConfig {
    /// `postgres://user@host:5432/database`: keep the announcement state in PostgreSQL
    /// rather than in `state_dir`'s file.
    #[serde(default, deserialize_with = "file_url")]
    pub(crate) url: Option<DatabaseUrl>,
}

/// A PostgreSQL connection URL. Its `Debug` and `Display` leave the password out, so a
/// config printed or logged by mistake leaks nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Checks that `text` is a `postgres://` or `postgresql://` URL; the message says what is
    /// wrong without repeating the URL (it may hold a password).
    pub fn parse(text: &str) -> Result<DatabaseUrl, String> {
        let text = text.trim();
        let url = url::Url::parse(text).map_err(|error| {
            format!("must be a URL such as postgres://briefbot@db.example:5432/briefbot ({error})")
        })?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!(
                "must start with postgres:// or postgresql://, found {}://",
                url.scheme()
            ));
        }
        Ok(DatabaseUrl(text.to_string()))
    }

    /// The URL whole, password included: for connecting, never for a log or a message.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// The URL without its password (in the user part or a `password=` parameter), fit for
    /// logs and error messages.
    pub fn shown(&self) -> String {
        let Ok(mut url) = url::Url::parse(&self.0) else {
            return "(a database URL that cannot be read)".to_string();
        };
        let _ = url.set_password(None);
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| !key.eq_ignore_ascii_case("password"))
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
        url.to_string()
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.shown())
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

fn file_url<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DatabaseUrl>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DatabaseUrl::parse(&text)
        .map(Some)
        .map_err(|message| serde::de::Error::custom(format!("`state.url` {message}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let url = DatabaseUrl::parse("postgres://briefbot:s3cret@db.example:5432/briefbot")
            .expect("valid");
        assert_eq!(url.shown(), "postgres://briefbot@db.example:5432/briefbot");
        assert!(!format!("{url:?} {url}").contains("s3cret"));
        assert_eq!(
            url.secret(),
            "postgres://briefbot:s3cret@db.example:5432/briefbot"
        );

        let url = DatabaseUrl::parse("postgresql://db/briefbot?password=s3cret&sslmode=require")
            .expect("valid");
        assert_eq!(url.shown(), "postgresql://db/briefbot?sslmode=require");
    }

    #[test]
    fn a_url_of_another_kind_is_refused_without_echoing_it() {
        let error = DatabaseUrl::parse("mysql://root:s3cret@db/briefbot").expect_err("mysql");
        assert!(error.contains("postgres://"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
        assert!(DatabaseUrl::parse("not a url").is_err());
    }
}
