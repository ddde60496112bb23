//! The Discord bot token: read from the environment only, checked before any connection,
//! and impossible to print. Its `Debug` and `Display` show `Token(redacted)`.

use std::fmt;
use std::path::PathBuf;

/// A bot token that never appears in logs, errors or debug output.
#[derive(Clone)]
pub struct Token(String);

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no Discord token: set DISCORD_TOKEN, or DISCORD_TOKEN_FILE to a file that holds it")]
    Missing,
    #[error("DISCORD_TOKEN_FILE names {}, which cannot be read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "the Discord token from {source_name} is malformed (a bot token has three parts separated by dots); copy it again from the developer portal's Bot page"
    )]
    Malformed { source_name: &'static str },
}

impl Token {
    /// From `DISCORD_TOKEN`, or else the file named by `DISCORD_TOKEN_FILE` (container secrets).
    pub(crate) fn from_env() -> Result<Token, TokenError> {
        Token::from_lookup(crate::config::env::var)
    }

    /// As `from_env`, reading variables through `env` (a map in tests).
    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Token, TokenError> {
        if let Some(token) = env("DISCORD_TOKEN").filter(|t| !t.trim().is_empty()) {
            return Token::parse(&token, "DISCORD_TOKEN");
        }
        let Some(path) = env("DISCORD_TOKEN_FILE").filter(|p| !p.trim().is_empty()) else {
            return Err(TokenError::Missing);
        };
        let path = PathBuf::from(path);
        let text = std::fs::read_to_string(&path).map_err(|e| TokenError::Unreadable {
            path: path.clone(),
            reason: e.kind().to_string(),
        })?;
        Token::parse(&text, "DISCORD_TOKEN_FILE")
    }

    fn parse(text: &str, source_name: &'static str) -> Result<Token, TokenError> {
        let token = text.trim();
        // Discord shows tokens bare; some tools prefix "Bot ". Accept both.
        let token = token.strip_prefix("Bot ").unwrap_or(token).trim();
        // serenity checks the three parts; the characters are checked here, so a pasted line
        // break or space fails now, not as a rejected connection later.
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !token.chars().all(allowed) {
            return Err(TokenError::Malformed { source_name });
        }
        serenity::utils::validate_token(token)
            .map_err(|_| TokenError::Malformed { source_name })?;
        Ok(Token(token.to_string()))
    }

    /// The secret itself, for serenity's client only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(redacted)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like a real token (three dot-separated parts) but not one.
    const FAKE: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-signature-for-tests-only-0123456789";

    #[test]
    fn a_token_from_the_environment_is_never_printed() {
        let token = Token::from_lookup(|var| (var == "DISCORD_TOKEN").then(|| format!("{FAKE}\n")))
            .expect("valid");
        assert_eq!(token.expose(), FAKE);
        assert_eq!(
            format!("{token:?} {token}"),
            "Token(redacted) Token(redacted)"
        );
    }

    #[test]
    fn a_token_file_is_read_and_trimmed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        std::fs::write(&path, format!("Bot {FAKE}\n")).expect("write");
        let env = |var: &str| (var == "DISCORD_TOKEN_FILE").then(|| path.display().to_string());
        assert_eq!(Token::from_lookup(env).expect("valid").expose(), FAKE);
    }

    #[test]
    fn missing_and_malformed_tokens_are_clear_errors_that_do_not_echo_the_value() {
        assert!(matches!(
            Token::from_lookup(|_| None),
            Err(TokenError::Missing)
        ));
        let err = Token::from_lookup(|var| {
            (var == "DISCORD_TOKEN").then(|| "not-a-token-secret".to_string())
        })
        .expect_err("malformed");
        let text = err.to_string();
        assert!(text.contains("DISCORD_TOKEN is malformed"), "{text}");
        assert!(!text.contains("not-a-token-secret"), "{text}");
        let pasted =
            Token::from_lookup(|var| (var == "DISCORD_TOKEN").then(|| "a.b.c\nmore".to_string()));
        assert!(matches!(pasted, Err(TokenError::Malformed { .. })));
    }
}
