//! Where the parties stand: every party in one round, one party round by round, one party
//! in one round.

use super::{COLOR, back_to_card, footer, has_no_briefing, party_label, round_line};
use crate::commands::custom_id::{Target, View};
use crate::library::{Library, Position, Round, Track};
use crate::limits;
use crate::reply::{Button, Embed, Field, Message, truncate};

/// Every party's position in one round, with details and representatives.
pub(crate) fn round_positions(library: &Library, track: &Track, round: &Round) -> Message {
    let fields = round
        .positions
        .iter()
        .map(|p| {
            let mut value = stance_and_details(p);
            if !p.representatives.is_empty() {
                if !value.is_empty() {
                    value.push_str("\n\n");
                }
                value.push_str(&format!(
                    "*Representatives:* {}",
                    p.representatives.join("; ")
                ));
            }
            Field::new(
                format!("{} · {}", party_label(library, &p.party), p.role.as_str()),
                value,
            )
        })
        .collect::<Vec<_>>();
    let description = if fields.is_empty() {
        format!(
            "**{}**\n\nThis brief records no positions.",
            round_line(library, round)
        )
    } else {
        format!("**{}**", round_line(library, round))
    };
    let embed = Embed {
        title: format!("Positions: {}", round.title),
        description,
        fields,
        footer: footer(library, round),
        color: Some(COLOR),
    };
    let target = |view| Target::new(&track.id, round.number, view).to_string();
    let rows = vec![vec![
        back_to_card(track, round),
        Button::new("Author", target(View::Author)),
        Button::new("More", target(View::More(1))).disabled(has_no_briefing(round)),
    ]];
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}

/// A party's stance in bold, on a line of its own, and its details after a blank line: the
/// stance is the one line a reader skims for, and run on into the details it was lost.
fn stance_and_details(position: &Position) -> String {
    let stance = position.stance.trim();
    let mut value = if stance.is_empty() {
        String::new()
    } else {
        format!("**{stance}**")
    };
    if let Some(details) = position.details.as_deref().map(str::trim)
        && !details.is_empty()
    {
        if !value.is_empty() {
            value.push_str("\n\n");
        }
        value.push_str(details);
    }
    value
}

/// One party's stance round by round, newest first, as many rounds as fit in one card.
pub(crate) fn party_timeline(library: &Library, track: &Track, party: &str) -> Message {
    let with_position = |round: &&Round| round.positions.iter().any(|p| p.party == party);
    let count = track.newest_first().filter(with_position).count();
    // Only the rounds that can be shown are written out.
    let stances = track
        .newest_first()
        .filter(with_position)
        .filter_map(|round| {
            let position = round.positions.iter().find(|p| p.party == party)?;
            Some(Field::new(
                format!("{} — {}", round_line(library, round), round.title),
                stance_and_details(position),
            ))
        });
    let title = format!("{}, round by round", party_label(library, party));
    // Leave room for the title and the description; each field is fitted as `reply` will.
    let mut budget = limits::EMBEDS_TOTAL.saturating_sub(limits::chars(&title) + 200);
    let mut fields = Vec::new();
    for field in stances.take(limits::EMBED_FIELDS) {
        let name = truncate(&field.name, limits::FIELD_NAME);
        let value = truncate(&field.value, limits::FIELD_VALUE);
        let size = limits::chars(&name) + limits::chars(&value);
        if size > budget {
            break;
        }
        budget -= size;
        fields.push(Field::new(name, value));
    }
    let mut description = format!(
        "Rounds of {} with a position for {party}: {count} of {}, newest first.",
        library.track_name(&track.id),
        track.rounds.len()
    );
    if fields.len() < count {
        description.push_str(&format!(" Showing the latest {}.", fields.len()));
    }
    let embed = Embed {
        title,
        description,
        fields,
        color: Some(COLOR),
        ..Embed::default()
    };
    Message {
        embeds: vec![embed],
        ..Message::default()
    }
}

/// One party's position in one round, or `None` when the round records none for it.
pub(crate) fn party_in_round(
    library: &Library,
    track: &Track,
    round: &Round,
    party: &str,
) -> Option<Message> {
    let position = round.positions.iter().find(|p| p.party == party)?;
    let mut fields = vec![Field::new("Stance", &position.stance)];
    if let Some(details) = &position.details {
        fields.push(Field::new("Details", details));
    }
    if !position.representatives.is_empty() {
        fields.push(Field::new(
            "Representatives",
            position.representatives.join("\n"),
        ));
    }
    let embed = Embed {
        title: format!(
            "{} in round {} ({})",
            party_label(library, party),
            round.number,
            position.role.as_str()
        ),
        description: format!("**{}** — {}", round_line(library, round), round.title),
        fields,
        color: Some(COLOR),
        ..Embed::default()
    };
    let target = |view| Target::new(&track.id, round.number, view).to_string();
    let rows = vec![vec![
        back_to_card(track, round),
        Button::new("All positions", target(View::Positions)),
    ]];
    Some(Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    })
}
