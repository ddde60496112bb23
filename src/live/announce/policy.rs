//! What each answer from Discord that is not a clean yes means for what the announcer sends,
//! per operation, as plain functions: the workers, delivery, edits and notes act on these
//! verdicts, and the table is tested here without a network (operators read it in
//! `docs/announcements.md#what-each-answer-from-discord-means`).

use std::time::Duration;

use crate::rest::Failure;

/// What a post (an announcement, a forum post, a note) that ended in `Failure` calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterPost {
    /// It was made, and the answer still names it.
    Made(u64),
    /// It may have been made: look for it before posting again, never post blind.
    LookFor,
    /// Nothing was made: the same post goes again after Discord's wait, not counted as a
    /// failure.
    WaitThenRetry(Duration),
    /// Refused as malformed: sending it again cannot help; dropped, so it does not hold up
    /// what comes after it.
    Drop,
    /// Refused for now (a missing permission, a missing channel): retried with the backoff,
    /// at once after a reload.
    Retry,
}

/// The verdict on a post's `failure`.
pub(super) fn after_post(failure: &Failure) -> AfterPost {
    match failure {
        Failure::Unreadable { .. } => match failure.created_id() {
            Some(id) => AfterPost::Made(id),
            None => AfterPost::LookFor,
        },
        Failure::Unknown { .. } => AfterPost::LookFor,
        Failure::RateLimited { retry_after } => AfterPost::WaitThenRetry(*retry_after),
        Failure::Refused { .. } if failure.is_invalid() => AfterPost::Drop,
        Failure::Refused { .. } => AfterPost::Retry,
    }
}

/// What an edit of an announcement that ended in `Failure` calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterEdit {
    /// Discord made it (only its answer could not be read).
    Done,
    /// It may have landed: read the message back, and make it again if it does not show it
    /// (an edit made twice changes nothing a reader sees).
    ReadBack,
    /// Nothing was done: the edit goes again after Discord's wait.
    WaitThenRetry(Duration),
    /// The message is gone, or the edit refused as malformed: recorded as it is, not retried.
    Leave,
    /// Refused for now: retried with the edits' own backoff.
    Retry,
}

/// The verdict on an edit's `failure`.
pub(super) fn after_edit(failure: &Failure) -> AfterEdit {
    match failure {
        Failure::Unreadable { .. } => AfterEdit::Done,
        Failure::Unknown { .. } => AfterEdit::ReadBack,
        Failure::RateLimited { retry_after } => AfterEdit::WaitThenRetry(*retry_after),
        Failure::Refused { .. } if failure.is_gone() || failure.is_invalid() => AfterEdit::Leave,
        Failure::Refused { .. } => AfterEdit::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: isize) -> Failure {
        Failure::Refused {
            status,
            code,
            message: String::new(),
            details: Vec::new(),
        }
    }

    fn unreadable(body: Option<serde_json::Value>) -> Failure {
        Failure::Unreadable {
            reason: "missing field `pinned`".to_string(),
            body,
        }
    }

    #[test]
    fn a_post_is_never_made_twice_and_never_lost() {
        let answered = unreadable(Some(serde_json::json!({"id": "1579444380530376704"})));
        assert_eq!(
            after_post(&answered),
            AfterPost::Made(1_579_444_380_530_376_704)
        );
        assert_eq!(after_post(&unreadable(None)), AfterPost::LookFor);
        let no_id = unreadable(Some(serde_json::json!({"content": "…"})));
        assert_eq!(after_post(&no_id), AfterPost::LookFor);
        let lost = Failure::Unknown {
            reason: "no answer in time".to_string(),
        };
        assert_eq!(after_post(&lost), AfterPost::LookFor);
        let limited = Failure::RateLimited {
            retry_after: Duration::from_millis(1500),
        };
        assert_eq!(
            after_post(&limited),
            AfterPost::WaitThenRetry(Duration::from_millis(1500))
        );
        assert_eq!(after_post(&refused(400, 50_035)), AfterPost::Drop);
        assert_eq!(after_post(&refused(403, 50_013)), AfterPost::Retry);
        assert_eq!(after_post(&refused(404, 10_003)), AfterPost::Retry);
    }

    #[test]
    fn an_edit_whose_answer_cannot_be_read_is_done_and_one_without_an_answer_is_read_back() {
        assert_eq!(after_edit(&unreadable(None)), AfterEdit::Done);
        let lost = Failure::Unknown {
            reason: "Discord answered HTTP 502".to_string(),
        };
        assert_eq!(after_edit(&lost), AfterEdit::ReadBack);
        assert_eq!(after_edit(&refused(404, 10_008)), AfterEdit::Leave);
        assert_eq!(after_edit(&refused(400, 50_035)), AfterEdit::Leave);
        assert_eq!(after_edit(&refused(403, 50_013)), AfterEdit::Retry);
        let limited = Failure::RateLimited {
            retry_after: Duration::from_secs(2),
        };
        assert_eq!(
            after_edit(&limited),
            AfterEdit::WaitThenRetry(Duration::from_secs(2))
        );
    }
}
