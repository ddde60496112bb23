//! A round's card: headline, when and where, summary, key points, one line per party,
//! status and sources, with the buttons that lead on from it.

use super::{COLOR, footer, has_no_briefing, round_line, with_emoji};
use crate::commands::custom_id::{Target, View};
use crate::library::{Library, Position, Role, Round, Source, Track};
use crate::limits;
use crate::reply::{Button, Embed, Field, Message, pack, truncate};

/// The round's card: headline, when and where, summary, key points, one line per party,
/// status and sources; the author in the footer; buttons to move on.
pub fn round_card(library: &Library, track: &Track, round: &Round) -> Message {
    let mut fields = pack(
        "Key points",
        round.key_points.iter().map(|p| format!("• {p}")),
    );
    if let Some(status) = &round.status {
        fields.push(Field::new("Status", status));
    }
    let stances = round.positions.iter().map(|p| stance_line(library, p));
    fields.extend(pack("Where the parties stand", stances));
    fields.extend(pack("Sources", round.sources.iter().map(source_line)));
    let heading = format!("**{}**\n\n", round_line(library, round));
    let room = limits::EMBED_DESCRIPTION.saturating_sub(limits::chars(&heading));
    let mut embed = Embed {
        title: round.title.clone(),
        description: format!("{heading}{}", truncate(&round.summary, room)),
        fields,
        footer: footer(library, round),
        color: Some(COLOR),
    };
    embed.make_room("Key points", &heading);
    Message {
        embeds: vec![embed],
        rows: vec![card_buttons(track, round)],
        ..Message::default()
    }
}

fn stance_line(library: &Library, position: &Position) -> String {
    let role = match position.role {
        Role::Party => String::new(),
        role => format!(" ({})", role.as_str()),
    };
    let party = with_emoji(library, &position.party, &format!("**{}**", position.party));
    format!("{party}{role}: {}", position.stance)
}

fn source_line(source: &Source) -> String {
    let title = match &source.url {
        Some(url) => format!("[{}]({url})", source.title),
        None => source.title.clone(),
    };
    match &source.publisher {
        Some(publisher) => format!("{title} · {publisher}"),
        None => title,
    }
}

/// ◀ previous · next ▶ · Positions · Author · More, for a round's card.
fn card_buttons(track: &Track, round: &Round) -> Vec<Button> {
    let target = |view| Target::new(&track.id, round.number, view).to_string();
    let previous = match track.previous(round.number) {
        Some(r) => Button::new(format!("◀ Round {}", r.number), target(View::Prev)),
        None => Button::new("◀ Previous", target(View::Prev)).disabled(true),
    };
    let next = match track.next(round.number) {
        Some(r) => Button::new(format!("Round {} ▶", r.number), target(View::Next)),
        None => Button::new("Next ▶", target(View::Next)).disabled(true),
    };
    vec![
        previous,
        next,
        Button::new("Positions", target(View::Positions)).primary(),
        Button::new("Author", target(View::Author)),
        Button::new("More", target(View::More(1))).disabled(has_no_briefing(round)),
    ]
}
