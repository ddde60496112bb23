//! Following a track: where a request came from (`Origin`), the role change a `/follow` or a
//! Follow button asks for (an action the transports' handler carries out), and which round
//! cards get the Follow button (where it can work). What following says, the button among it,
//! is in `notices`. Pure: the roles come in with the request.

use super::custom_id::{Target, View};
use super::lookup::find_track;
use super::notices;
use super::{Action, Answer};
use crate::library::Library;
use crate::limits;
use crate::reply::{Message, Reply};

/// Where a request was made and by whom, as far as following needs it. The transports fill
/// it in from the interaction and the configured follow roles; the default is a request from
/// nowhere in particular (`briefbot ask`, a DM), where nothing can be followed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The server; `None` in a DM or a group DM.
    pub server: Option<u64>,
    /// Who asked.
    pub user: Option<u64>,
    /// The roles the member has in the server, as Discord sent them with the interaction.
    pub roles: Vec<u64>,
    /// The server's follow roles: `(track, role)`.
    pub follow_roles: Vec<(String, u64)>,
}

impl Origin {
    /// The follow role of `track` in this server, if it has one.
    pub(crate) fn follow_role(&self, track: &str) -> Option<u64> {
        self.follow_roles
            .iter()
            .find(|(t, _)| t == track)
            .map(|(_, role)| *role)
    }

    /// The tracks that can be followed here, sorted: all that a view's look depends on (the
    /// Follow button), so replies may be kept by request and these.
    pub(crate) fn followable(&self) -> Vec<String> {
        let mut tracks: Vec<String> = self.follow_roles.iter().map(|(t, _)| t.clone()).collect();
        tracks.sort_unstable();
        tracks
    }
}

/// Giving a member a track's follow role in a server (`join`), or taking it away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub server: u64,
    pub user: u64,
    pub role: u64,
    pub track: String,
    /// The name readers see for the track, for the answer.
    pub track_name: String,
    pub join: bool,
}

/// `/follow [track]` or a Follow button: the role change, or a private notice saying why
/// there is none (a DM, no follow role in this server, an unknown track).
pub(crate) fn follow(library: &Library, track: Option<&str>, origin: &Origin) -> Answer {
    let Some(server) = origin.server else {
        return Answer::Reply(notices::follow_in_dm());
    };
    // A track with a follow role here can be followed before its first brief is served.
    let wanted = track.map(|t| t.trim().to_lowercase());
    let configured = wanted
        .as_deref()
        .and_then(|id| Some((id.to_string(), origin.follow_role(id)?)));
    let (track, role) = match configured {
        Some(found) => found,
        None => match find_track(library, wanted.as_deref()) {
            Err(notice) => return Answer::Reply(notice),
            Ok(track) => match origin.follow_role(&track.id) {
                Some(role) => (track.id.clone(), role),
                None => return Answer::Reply(notices::no_follow_role(&track.id)),
            },
        },
    };
    let Some(user) = origin.user else {
        return Answer::Reply(super::something_went_wrong());
    };
    Answer::Do(Action::Follow(RoleChange {
        server,
        user,
        role,
        join: !origin.roles.contains(&role),
        track_name: library.track_name(&track).to_string(),
        track,
    }))
}

/// A reply with the Follow button added under each round card of a track that has a follow
/// role where it was asked, in a row of its own (the card's row is full), when the message
/// has room for another row. Any other reply is left as it is.
pub(crate) fn offer(reply: Reply, origin: &Origin) -> Reply {
    if origin.follow_roles.is_empty() {
        return reply;
    }
    match reply {
        Reply::Message { message, ephemeral } => Reply::Message {
            message: with_follow_button(message, origin),
            ephemeral,
        },
        Reply::Update(message) => Reply::Update(with_follow_button(message, origin)),
        choices @ Reply::Choices(_) => choices,
    }
}

fn with_follow_button(mut message: Message, origin: &Origin) -> Message {
    // A round card's row begins with its ◀ button, `round:<track>:<n>:prev`.
    let card_track = message.rows.iter().find_map(|row| {
        let target = Target::parse(&row.first()?.custom_id)?;
        (target.view == View::Prev).then_some(target.track)
    });
    if let Some(track) = card_track
        && origin.follow_role(&track).is_some()
        && message.rows.len() < limits::ROWS_PER_MESSAGE
    {
        message.rows.push(notices::follow_button(&track));
    }
    message
}
