//! What an announcement is: the message a round's card makes in one channel (pinging the
//! channel's follow role), the same as an edit, its fingerprint, and a thread's name.

use serenity::all::{CreateMessage, EditMessage};

use super::shared::Shared;
use crate::commands::notices;
use crate::library::{Library, fingerprint};
use crate::rest::Failure;

/// An announcement ready to post in one channel, and the fingerprint of what it shows.
pub(super) struct Posting {
    pub(crate) message: CreateMessage,
    /// The same, as an edit of a message already posted.
    pub(crate) edit: EditMessage,
    pub(crate) card: String,
}

/// Discord's longest thread (and forum post) name.
const THREAD_NAME_MAX: usize = 100;
/// A round's headline cut to what a thread's name may hold.
pub(super) fn thread_name(headline: &str) -> String {
    let name: String = headline.chars().take(THREAD_NAME_MAX).collect();
    if name.trim().is_empty() {
        "New round".to_string()
    } else {
        name
    }
}

/// The announcement of round `round` of `track` as it is posted in `channel` from
/// `library` (with the channel's follow role), and its fingerprint; none when `library`
/// does not have the round.
pub(super) async fn posting(
    shared: &Shared,
    library: &Library,
    track: &str,
    round: u32,
    channel: u64,
) -> Result<Option<Posting>, Failure> {
    let Some(mut message) = library
        .track(track)
        .and_then(|t| notices::announcement(library, t, round))
    else {
        return Ok(None);
    };
    let ping = shared.follow_role_for(channel, track).await?;
    if let Some(role) = ping {
        notices::ping_followers(&mut message, track, library.track_name(track), role);
    }
    let fitted = message.fit();
    let message = fitted.to_create_message_pinging(ping);
    let card = fingerprint(&serde_json::to_string(&message).unwrap_or_default());
    Ok(Some(Posting {
        message,
        edit: fitted.to_edit_message(),
        card,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_name_is_the_headline_cut_to_a_hundred_characters() {
        let long = "é".repeat(150);
        assert_eq!(thread_name(&long).chars().count(), 100);
        assert_eq!(thread_name("Paris round"), "Paris round");
        assert_eq!(thread_name("  "), "New round");
    }
}
