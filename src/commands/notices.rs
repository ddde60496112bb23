//! What briefbot says about live updates: the answer to `/reload`, a new round's
//! announcement, the report of a failed reload for the editors' channel, and the answers to
//! `/follow` with the Follow button that asks for one. Pure, like every reply: the transports
//! and the announcer do the loading, the posting and the role changes.

use super::custom_id::FollowTrack;
use super::views;
use crate::library::{Failure, Library, RoundId, Track, plural};
use crate::limits;
use crate::reply::{Button, Embed, Message, Reply, truncate};

/// Red, for a report of mistakes.
const ERROR_COLOR: u32 = 0xC0392B;
/// Green, for "the briefs load again".
const FIXED_COLOR: u32 = 0x27AE60;
/// Amber, for new rounds recorded without being announced.
const HELD_BACK_COLOR: u32 = 0xE67E22;

/// `/reload` from a member who may not manage the server.
pub(crate) fn reload_not_allowed() -> Reply {
    Reply::notice("Only members who can manage this server may use /reload.")
}

/// `/reload` where nothing is running to reload (`briefbot ask`).
pub(crate) fn reload_offline() -> Reply {
    Reply::notice(
        "/reload loads the briefs folder again in the running bot. Offline, `briefbot check` shows what it would load.",
    )
}

/// `/reload` when the folder takes longer to load than Discord waits for an answer.
pub(crate) fn reload_slow() -> Reply {
    Reply::notice(
        "The briefs are taking a while to load; the reload goes on, and its outcome will be in briefbot's logs (and the errors channel, if it fails).",
    )
}

/// The private answer to a `/reload` that loaded: what is served now, and what is new.
pub(crate) fn reloaded(library: &Library, added: &[RoundId]) -> Reply {
    let new = if added.is_empty() {
        "No new rounds.".to_string()
    } else {
        let rounds: Vec<String> = added
            .iter()
            .map(|id| format!("round {} of {}", id.number, library.track_name(&id.track)))
            .collect();
        format!("New: {}.", rounds.join(", "))
    };
    Reply::notice(format!(
        "Reloaded: {}. {new}\n{}",
        contents(library),
        round_numbers(library)
    ))
}

/// The private answer to a `/reload` that found mistakes: the report, and what is still served.
pub(crate) fn reload_failed(failure: &Failure, serving: &Library) -> Reply {
    Reply::Message {
        message: failure_report(failure, serving),
        ephemeral: true,
    }
}

/// The rounds served, by track: "Syria–Israel talks: rounds 5, 6".
fn round_numbers(library: &Library) -> String {
    library
        .tracks()
        .iter()
        .map(|track| {
            let numbers: Vec<String> = track.rounds.iter().map(|r| r.number.to_string()).collect();
            let word = if numbers.len() == 1 {
                "round"
            } else {
                "rounds"
            };
            format!(
                "{}: {word} {}",
                library.track_name(&track.id),
                numbers.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// "5 rounds in 1 track, 1 author".
fn contents(library: &Library) -> String {
    format!(
        "{} in {}, {}",
        plural(library.round_count(), "round"),
        plural(library.tracks().len(), "track"),
        plural(library.authors().len(), "author"),
    )
}

/// The mistakes of a failed load, as `briefbot check` prints them, cut to fit one embed.
pub(crate) fn failure_report(failure: &Failure, serving: &Library) -> Message {
    const FENCE: &str = "```";
    // A fence inside the report would end the code block early.
    let report = failure.report.replace(FENCE, "`\u{200b}``");
    let room = limits::EMBED_DESCRIPTION - 2 * FENCE.len() - 2;
    Message {
        content: Some(format!(
            "The briefs have {}, so nothing changed: still serving {}. Fix the files and save; `briefbot check` lists the same.",
            plural(failure.errors, "error"),
            contents(serving)
        )),
        embeds: vec![Embed {
            title: "Brief reload failed".to_string(),
            description: format!("{FENCE}\n{}\n{FENCE}", truncate(report.trim_end(), room)),
            color: Some(ERROR_COLOR),
            ..Embed::default()
        }],
        ..Message::default()
    }
}

/// The editors' channel, after a reported failure: the files load again.
pub(crate) fn recovered(library: &Library) -> Message {
    Message {
        embeds: vec![Embed {
            title: "Briefs fixed".to_string(),
            description: format!("The briefs load cleanly again: {}.", contents(library)),
            color: Some(FIXED_COLOR),
            ..Embed::default()
        }],
        ..Message::default()
    }
}

/// How a new round's announcement begins: the track as readers know it (`name`), and the
/// command that opens the round with the track's id, where ids belong. After a crash,
/// briefbot recognises its own post by this line ([`is_announcement_of`]) even if the brief
/// or the track's name was edited since.
pub fn announcement_marker(track: &str, name: &str, number: u32) -> String {
    format!(
        "📣 New briefing: round {number} of {name}. Open it with /round {number} track:{track}."
    )
}

/// Whether `content`, a message briefbot posted, is the announcement of round `number` of
/// `track`: its first line opens and ends as [`announcement_marker`]'s does, whatever the
/// track's name was then; or it is the line of briefbot before 0.3, which named the track
/// by its id in code font.
pub fn is_announcement_of(content: &str, track: &str, number: u32) -> bool {
    let first = content.lines().next().unwrap_or_default();
    let before_names = format!("📣 New briefing: round {number} of `{track}`.");
    first.starts_with(&before_names)
        || (first.starts_with(&format!("📣 New briefing: round {number} of "))
            && first.ends_with(&format!(" Open it with /round {number} track:{track}.")))
}

/// A new round's announcement: the marker, how to open the round, and its card without
/// buttons (a press replaces the message it sits on, which would change the announcement for
/// everyone).
pub fn announcement(library: &Library, track: &Track, number: u32) -> Option<Message> {
    let round = track.round(number)?;
    let card = views::round_card(library, track, round);
    Some(Message {
        content: Some(announcement_marker(
            &track.id,
            library.track_name(&track.id),
            number,
        )),
        embeds: card.embeds,
        ..Message::default()
    })
}

/// Adds to an announcement of a round of `track` the line that mentions the track's follow
/// `role`, after the marker (which must stay at the start), and the Follow button, which
/// answers the member who presses it privately and leaves the announcement as it is. Posted
/// with that role, and only it, allowed to ping.
pub fn ping_followers(message: &mut Message, track: &str, name: &str, role: u64) {
    let line = format!("<@&{role}> New round for followers of {name}.");
    message.content = Some(match message.content.take() {
        Some(content) => format!("{content}\n{line}"),
        None => line,
    });
    if message.rows.len() < limits::ROWS_PER_MESSAGE {
        message.rows.push(follow_button(track));
    }
}

/// The Follow button of `track`, for a card or an announcement.
pub(crate) fn follow_button(track: &str) -> Vec<Button> {
    vec![Button::new("🔔 Follow", FollowTrack::new(track).to_string()).primary()]
}

/// A member now has the follow role of the track readers call `name`.
pub(crate) fn followed(name: &str) -> Reply {
    Reply::notice(format!("You'll be pinged for new rounds of {name}."))
}

/// A member no longer has the follow role of the track readers call `name`.
pub(crate) fn unfollowed(name: &str) -> Reply {
    Reply::notice(format!(
        "You no longer follow {name}; you won't be pinged for its rounds."
    ))
}

/// `/follow` or a Follow button in a DM, where there is no server and so no role to give.
pub(crate) fn follow_in_dm() -> Reply {
    Reply::notice(
        "Following works in a server: there, /follow or a card's Follow button gives you the server's role for a track, and announcements of its new rounds ping you. In a DM there is no role to give.",
    )
}

/// A server without a follow role for `track`.
pub(crate) fn no_follow_role(track: &str) -> Reply {
    Reply::notice(format!(
        "This server has no follow role for `{track}`; a server admin can add one in briefbot's config."
    ))
}

/// briefbot lacks Manage Roles in the server.
pub(crate) fn follow_needs_manage_roles() -> Reply {
    Reply::notice(
        "briefbot cannot give or remove roles in this server: it needs the Manage Roles permission. A server admin can grant it (Server Settings → Roles → briefbot's role).",
    )
}

/// Discord refused the role change although briefbot may manage roles: the follow `role` is
/// above briefbot's highest role, and a bot can only give roles below its own.
pub(crate) fn follow_role_above_bot(role: u64) -> Reply {
    Reply::notice(format!(
        "briefbot cannot give or remove <@&{role}>: that role is above briefbot's highest role. A server admin can move it below briefbot's role (Server Settings → Roles, drag it lower)."
    ))
}

/// The role change failed for another reason (Discord unreachable, an error on its side).
pub(crate) fn follow_failed() -> Reply {
    Reply::notice("briefbot could not change your roles just now; please try again.")
}

/// briefbot runs without its bot token (`briefbot serve` needs none to answer), so it cannot
/// change roles.
pub(crate) fn follow_unavailable() -> Reply {
    Reply::notice(
        "briefbot cannot change roles here: it runs without its bot token. Its operators can set DISCORD_TOKEN where it runs.",
    )
}

/// `/follow` where nothing is running to change roles (`briefbot ask`).
pub(crate) fn follow_offline() -> Reply {
    Reply::notice(
        "/follow gives you, or takes away, a server's follow role for a track in the running bot; offline there is no server or member to change.",
    )
}

/// How many held-back rounds the editors' channel names before "and N more".
const HELD_BACK_NAMED: usize = 5;

/// The editors' channel, when one reload made more rounds new than `[announce]
/// max_new_per_reload` allows: how many, which (a few), and how to announce one by hand.
/// `rounds` is not empty.
pub(crate) fn held_back(rounds: &[RoundId], limit: usize) -> Message {
    let example = rounds.first().map_or_else(
        || "briefbot announce --track TRACK --round N".to_string(),
        |r| format!("briefbot announce --track {} --round {}", r.track, r.number),
    );
    let description = format!(
        "{} appeared in one reload, more than `max_new_per_reload` ({limit}), so none was announced: {}. They are recorded and will not be announced later. To announce one, run `{example}` where the bot runs (stop the bot first).",
        plural(rounds.len(), "new round"),
        a_few(rounds),
    );
    Message {
        embeds: vec![Embed {
            title: "New rounds not announced".to_string(),
            description: truncate(&description, limits::EMBED_DESCRIPTION),
            color: Some(HELD_BACK_COLOR),
            ..Embed::default()
        }],
        ..Message::default()
    }
}

/// The editors' channel, when one reload changed more announced rounds than `[announce]
/// max_new_per_reload` allows (every brief reformatted, a new version of briefbot's cards):
/// their announcements are left as they are. `rounds` is not empty.
pub(crate) fn edits_held_back(rounds: &[RoundId], limit: usize) -> Message {
    let description = format!(
        "{} already announced changed in one reload, more than `max_new_per_reload` ({limit}), so their announcements were left as they are: {}. The changes are served by every command; the announcements will not be edited for them later.",
        plural(rounds.len(), "round"),
        a_few(rounds),
    );
    Message {
        embeds: vec![Embed {
            title: "Announcements not edited".to_string(),
            description: truncate(&description, limits::EMBED_DESCRIPTION),
            color: Some(HELD_BACK_COLOR),
            ..Embed::default()
        }],
        ..Message::default()
    }
}

/// The first few of `rounds`, then "and N more".
fn a_few(rounds: &[RoundId]) -> String {
    let mut named: Vec<String> = rounds
        .iter()
        .take(HELD_BACK_NAMED)
        .map(RoundId::to_string)
        .collect();
    if rounds.len() > HELD_BACK_NAMED {
        named.push(format!("and {} more", rounds.len() - HELD_BACK_NAMED));
    }
    named.join(", ")
}

/// What an announcement says once its round's brief is removed: the marker (kept first, as
/// the history look-up needs) and a line saying the round was withdrawn. The card under it
/// stays as it was announced: readers keep a record, not a hole.
pub fn withdrawn(track: &str, name: &str, number: u32) -> String {
    format!(
        "{}\n🚫 **Withdrawn:** this round is no longer in the briefings. The card below is kept as it was announced.",
        announcement_marker(track, name, number)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_back_rounds_are_named_a_few_then_counted() {
        let rounds: Vec<RoundId> = (1..=40)
            .map(|number| RoundId {
                track: "syria-israel".to_string(),
                number,
            })
            .collect();
        let note = held_back(&rounds, 3);
        let text = &note.embeds[0].description;
        assert!(
            text.starts_with("40 new rounds appeared in one reload, more than `max_new_per_reload` (3), so none was announced: round 1 of `syria-israel`,"),
            "{text}"
        );
        assert!(
            text.contains("round 5 of `syria-israel`, and 35 more. They are recorded"),
            "{text}"
        );
        assert!(
            text.contains("`briefbot announce --track syria-israel --round 1`"),
            "{text}"
        );
    }
}
