//! What a request to Discord that did not end in a clean yes means. Discord's answer is not
//! always yes or no: a request can be refused, rate limited, accepted with an answer serenity
//! cannot read, or lost in flight with its effect unknown. Each caller decides per operation
//! what each kind means for it (a post is looked for before it is made again, an edit whose
//! answer cannot be read is done, and so on); this module only names the kinds.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serenity::all::HttpError;

/// Discord's codes briefbot acts on. Only `rest` reads them; callers ask `Failure`.
pub(super) mod code {
    /// The message (or the channel it was in) no longer exists.
    pub(crate) const UNKNOWN_MESSAGE: isize = 10_008;
    /// The interaction expired (its token is valid for 15 minutes, its first answer 3 s).
    pub(crate) const UNKNOWN_INTERACTION: isize = 10_062;
    /// The interaction was already answered.
    pub(crate) const ALREADY_ANSWERED: isize = 40_060;
    /// The bot lacks a permission in that channel or server.
    pub(crate) const MISSING_PERMISSIONS: isize = 50_013;
    /// A thread was already started from this message.
    pub(crate) const THREAD_ALREADY_STARTED: isize = 160_004;
    /// The message was already crossposted.
    pub(crate) const ALREADY_CROSSPOSTED: isize = 40_033;
    /// The channel no longer exists.
    pub(crate) const UNKNOWN_CHANNEL: isize = 10_003;
    /// Discord knows no such server, or briefbot is no longer in it.
    pub(crate) const UNKNOWN_GUILD: isize = 10_004;
    /// The role no longer exists.
    pub(crate) const UNKNOWN_ROLE: isize = 10_011;
    /// briefbot cannot see that channel or server at all (removed from the server, say).
    pub(crate) const MISSING_ACCESS: isize = 50_001;
}

/// A request that did not end in a clean yes, by what it means for the request's effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Discord answered no: nothing was done. `code` is Discord's JSON error code (0 when the
    /// answer had none), `message` its words, `details` the fields it named.
    Refused {
        status: u16,
        code: isize,
        message: String,
        details: Vec<String>,
    },
    /// Discord's 429: nothing was done; the same request may go again after `retry_after`.
    RateLimited { retry_after: Duration },
    /// Discord took the request (a success status), but its answer is not what briefbot
    /// expects: the effect happened. `body` is the answer when it was JSON at all, so a
    /// caller can still read what it needs (a created message's `id`).
    Unreadable {
        reason: String,
        body: Option<serde_json::Value>,
    },
    /// No answer that says what happened: a timeout, a lost connection, a 5xx. The request
    /// may or may not have taken effect.
    Unknown { reason: String },
}

impl Failure {
    /// The kind of a serenity error. serenity turns a success answer it cannot parse into
    /// `Error::Json`: the request went through. A 429 reaches here only when serenity's own
    /// rate limiter is off (`[discord] api_url`); its wait is lost, so the fallback is used.
    pub(crate) fn of(error: &serenity::Error) -> Failure {
        match error {
            serenity::Error::Http(HttpError::UnsuccessfulRequest(refused)) => {
                let status = refused.status_code.as_u16();
                let details = refused
                    .error
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.message))
                    .collect();
                answered(status, refused.error.code, &refused.error.message, details)
            }
            serenity::Error::Json(error) => Failure::Unreadable {
                reason: error.to_string(),
                body: None,
            },
            serenity::Error::Http(HttpError::Request(error)) => Failure::Unknown {
                reason: request_error(error),
            },
            other => Failure::Unknown {
                reason: other.to_string(),
            },
        }
    }

    /// The kind of an answer with a status that is not a success, from its body.
    pub(crate) fn of_answer(
        status: u16,
        body: &[u8],
        retry_after_header: Option<Duration>,
    ) -> Failure {
        if status == 429 {
            return Failure::RateLimited {
                retry_after: retry_after(body)
                    .or(retry_after_header)
                    .unwrap_or(FALLBACK_WAIT),
            };
        }
        #[derive(Deserialize)]
        struct Refusal {
            #[serde(default)]
            code: isize,
            #[serde(default)]
            message: String,
            #[serde(default)]
            errors: serde_json::Value,
        }
        let refusal = serde_json::from_slice::<Refusal>(body).unwrap_or(Refusal {
            code: 0,
            message: String::new(),
            errors: serde_json::Value::Null,
        });
        let mut details = Vec::new();
        field_errors(&refusal.errors, "", &mut details);
        answered(status, refusal.code, &refusal.message, details)
    }

    /// One word for the metrics (one of `metrics::REST_OUTCOMES`).
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Failure::Refused { .. } => "refused",
            Failure::RateLimited { .. } => "rate_limited",
            Failure::Unreadable { .. } => "unreadable",
            Failure::Unknown { .. } => "unknown",
        }
    }

    /// Discord's error code, when Discord refused the request.
    pub(crate) fn code(&self) -> Option<isize> {
        match self {
            Failure::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether Discord refused for a missing permission (403, code 50013).
    pub(crate) fn is_missing_permissions(&self) -> bool {
        self.code() == Some(code::MISSING_PERMISSIONS)
    }

    /// Whether Discord refused an interaction's answer because it was already answered or
    /// has expired: another answer would be refused too.
    pub(crate) fn is_interaction_gone(&self) -> bool {
        matches!(
            self.code(),
            Some(code::ALREADY_ANSWERED | code::UNKNOWN_INTERACTION)
        )
    }

    /// Whether Discord refused the request as malformed (HTTP 400): the same request would be
    /// refused again. A missing permission (403), a missing channel (404), a rate limit and an
    /// outage may pass later.
    pub(crate) fn is_invalid(&self) -> bool {
        matches!(self, Failure::Refused { status: 400, .. })
    }

    /// Whether Discord says a channel is gone for briefbot: deleted, or in a server it does
    /// not know (Unknown Channel, Unknown Guild). Missing Access is not: briefbot may only
    /// have lost View Channel there, which an admin can give back.
    pub fn is_channel_gone(&self) -> bool {
        matches!(
            self.code(),
            Some(code::UNKNOWN_CHANNEL | code::UNKNOWN_GUILD)
        )
    }

    /// Whether Discord says it knows no such server for briefbot (Unknown Guild): briefbot
    /// was removed from it.
    pub fn is_server_gone(&self) -> bool {
        self.code() == Some(code::UNKNOWN_GUILD)
    }

    /// Whether Discord refused because briefbot cannot see the channel or server at all
    /// (Missing Access): a lost View Channel, or a server it was removed from.
    pub fn is_missing_access(&self) -> bool {
        self.code() == Some(code::MISSING_ACCESS)
    }

    /// Whether Discord says the role no longer exists.
    pub fn is_role_gone(&self) -> bool {
        self.code() == Some(code::UNKNOWN_ROLE)
    }

    /// Whether Discord says the thing asked about no longer exists (HTTP 404).
    pub(crate) fn is_gone(&self) -> bool {
        matches!(self, Failure::Refused { status: 404, .. })
    }

    /// The id of what an accepted request created (a message, a thread), when its answer,
    /// though not what serenity expects, still names one.
    pub(crate) fn created_id(&self) -> Option<u64> {
        match self {
            Failure::Unreadable {
                body: Some(body), ..
            } => body.get("id")?.as_str()?.parse().ok(),
            _ => None,
        }
    }
}

/// The kind of an answer Discord gave with `status`.
fn answered(status: u16, code: isize, message: &str, details: Vec<String>) -> Failure {
    match status {
        429 => Failure::RateLimited {
            retry_after: FALLBACK_WAIT,
        },
        500.. => Failure::Unknown {
            reason: format!("Discord answered HTTP {status}"),
        },
        _ => Failure::Refused {
            status,
            code,
            message: message.to_string(),
            details,
        },
    }
}

/// Discord's field errors (`{"0": {"name": {"_errors": [{"message": …}]}}}`) as
/// `0.name: …`, in `out`.
fn field_errors(errors: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let Some(fields) = errors.as_object() else {
        return;
    };
    for (key, value) in fields {
        if key == "_errors" {
            for error in value.as_array().into_iter().flatten() {
                let message = error["message"].as_str().unwrap_or_default();
                out.push(format!("{path}: {message}"));
            }
        } else if path.is_empty() {
            field_errors(value, key, out);
        } else {
            field_errors(value, &format!("{path}.{key}"), out);
        }
    }
}

/// What went wrong with a request that got no answer, in words (reqwest's own error says
/// only "error sending request", and its URL would name the route).
fn request_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".to_string()
    } else if error.is_connect() {
        "cannot connect".to_string()
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off".to_string()
    } else {
        "the connection was lost".to_string()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Refused {
                status,
                code,
                message,
                details,
            } => {
                write!(f, "Discord refused it (HTTP {status}")?;
                if *code != 0 {
                    write!(f, ", code {code}")?;
                }
                f.write_str(")")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if !details.is_empty() {
                    write!(f, " ({})", details.join("; "))?;
                }
                Ok(())
            }
            Failure::RateLimited { retry_after } => write!(
                f,
                "Discord is rate limiting; it asks to wait {} ms",
                retry_after.as_millis()
            ),
            Failure::Unreadable { reason, .. } => write!(
                f,
                "Discord accepted it, but its answer could not be read ({reason})"
            ),
            Failure::Unknown { reason } => write!(
                f,
                "no clear answer from Discord ({reason}): it may or may not have been done"
            ),
        }
    }
}

impl std::error::Error for Failure {}

/// The wait after a 429 that says nothing of how long.
pub(crate) const FALLBACK_WAIT: Duration = Duration::from_secs(5);

/// The `retry_after` (seconds) of a 429's body.
fn retry_after(body: &[u8]) -> Option<Duration> {
    #[derive(Deserialize)]
    struct Limited {
        retry_after: f64,
    }
    let limited: Limited = serde_json::from_slice(body).ok()?;
    Duration::try_from_secs_f64(limited.retry_after).ok()
}

impl Failure {
    /// Whether the request may have taken effect although no clean yes came back: accepted
    /// but unreadable, or unknown.
    pub(crate) fn may_have_happened(&self) -> bool {
        matches!(self, Failure::Unreadable { .. } | Failure::Unknown { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_from_the_body() {
        let body =
            br#"{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}"#;
        assert_eq!(retry_after(body), Some(Duration::from_millis(1500)));
        assert_eq!(retry_after(b"{}"), None);
        assert_eq!(retry_after(br#"{"retry_after": -1}"#), None);
    }

    #[test]
    fn each_answer_has_its_kind() {
        let refused = Failure::of_answer(
            403,
            br#"{"code": 50013, "message": "Missing Permissions"}"#,
            None,
        );
        assert!(refused.is_missing_permissions());
        assert_eq!(
            refused.to_string(),
            "Discord refused it (HTTP 403, code 50013): Missing Permissions"
        );
        assert!(Failure::of_answer(400, b"{}", None).is_invalid());
        let invalid = Failure::of_answer(
            400,
            br#"{"code": 50035, "message": "Invalid Form Body", "errors": {"0": {"name": {"_errors": [{"code": "X", "message": "Command name is invalid"}]}}}}"#,
            None,
        );
        assert_eq!(
            invalid.to_string(),
            "Discord refused it (HTTP 400, code 50035): Invalid Form Body (0.name: Command name is invalid)"
        );
        assert!(Failure::of_answer(404, b"not json", None).is_gone());
        assert_eq!(
            Failure::of_answer(429, b"", Some(Duration::from_secs(2))),
            Failure::RateLimited {
                retry_after: Duration::from_secs(2)
            }
        );
        let outage = Failure::of_answer(502, b"<html>", None);
        assert!(outage.may_have_happened() && outage.code().is_none());
    }

    #[test]
    fn an_answer_serenity_cannot_read_means_it_was_accepted() {
        let error = serde_json::from_str::<serenity::all::Message>(r#"{"id": "1"}"#)
            .expect_err("not a whole message");
        let failure = Failure::of(&serenity::Error::Json(error));
        assert!(matches!(failure, Failure::Unreadable { .. }));
        assert!(failure.to_string().starts_with("Discord accepted it"));
    }
}
