//! The messages briefbot shows, one file per view: a round's card, the parties' positions,
//! an author's bio and the about card, the timeline, the longer briefing in pages. Pure
//! functions of the library snapshot; this file holds what several views share.

mod briefing;
mod card;
mod people;
mod positions;
pub mod search;
mod timeline;

pub(crate) use briefing::{briefing_page, briefing_pages};
pub(crate) use card::round_card;
pub(crate) use people::{about, author_card};
pub(crate) use positions::{party_in_round, party_timeline, round_positions};
pub(crate) use timeline::timeline;

use crate::commands::custom_id::{Target, View};
use crate::library::{Author, Library, Round, Track};
use crate::reply::Button;

/// The institute's blue, so every card is recognisably briefbot's.
const COLOR: u32 = 0x002B_6CB0;

/// `Round 5 · 6 January 2026 · Paris`, with the track first when there are several.
pub(crate) fn round_line(library: &Library, round: &Round) -> String {
    use std::fmt::Write;
    let mut line = String::with_capacity(64);
    if library.tracks().len() > 1 {
        line.push_str(library.track_name(&round.track));
        line.push_str(" · ");
    }
    // Writing to a String cannot fail.
    let _ = write!(line, "Round {} · {}", round.number, round.date.written());
    if let Some(place) = &round.location {
        line.push_str(" · ");
        line.push_str(place);
    }
    line
}

/// A party's name with its emoji from `parties.toml`: `🇸🇾 Syria`.
pub(crate) fn party_label(library: &Library, party: &str) -> String {
    with_emoji(library, party, party)
}

/// `shown` (the party's name, formatted as the view likes) after the party's emoji, if it has one.
fn with_emoji(library: &Library, party: &str, shown: &str) -> String {
    match library.party(party).and_then(|p| p.emoji.as_deref()) {
        Some(emoji) => format!("{emoji} {shown}"),
        None => shown.to_string(),
    }
}

/// An author's title and affiliation: "Senior Fellow, Tukhum Institute".
fn position(author: &Author) -> Option<String> {
    let parts: Vec<&str> = [author.title.as_deref(), author.affiliation.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// "Omar Safadi, Senior Fellow, Tukhum Institute", after `prefix`.
fn byline(prefix: &str, author: &Author) -> String {
    let mut line = String::with_capacity(prefix.len() + author.name.len() + 64);
    line.push_str(prefix);
    line.push_str(&author.name);
    for part in [author.title.as_deref(), author.affiliation.as_deref()]
        .into_iter()
        .flatten()
    {
        line.push_str(", ");
        line.push_str(part);
    }
    line
}

/// "Brief by …", the footer of the views of one round.
fn footer(library: &Library, round: &Round) -> Option<String> {
    library
        .author(&round.author)
        .map(|a| byline("Brief by ", a))
}

fn has_no_briefing(round: &Round) -> bool {
    round.body.trim().is_empty()
}

/// A button back to the round's card, for every view reached from it.
fn back_to_card(track: &Track, round: &Round) -> Button {
    Button::new(
        format!("◀ Round {} card", round.number),
        Target::new(&track.id, round.number, View::Card).to_string(),
    )
}
