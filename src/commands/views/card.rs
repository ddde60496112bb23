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
    // Who was at the table is shown where there is room: a card that would not fit with it
    // is written without it, before anything else gives way.
    let mut embed = card_embed(library, round, true);
    if embed.size() > limits::EMBEDS_TOTAL || embed.fields.len() > limits::EMBED_FIELDS {
        embed = card_embed(library, round, false);
    }
    let heading = format!("**{}**\n\n", round_line(library, round));
    embed.make_room("Key points", &heading);
    Message {
        embeds: vec![embed],
        rows: vec![card_buttons(track, round)],
        ..Message::default()
    }
}

fn card_embed(library: &Library, round: &Round, with_people: bool) -> Embed {
    let mut fields = pack(
        "Key points",
        round.key_points.iter().map(|p| format!("• {p}")),
    );
    if let Some(status) = &round.status {
        fields.push(Field::new("Status", status));
    }
    let stances = round
        .positions
        .iter()
        .map(|p| stance_line(library, p, with_people));
    fields.extend(pack("Where the parties stand", stances));
    fields.extend(pack("Sources", round.sources.iter().map(source_line)));
    let heading = format!("**{}**\n\n", round_line(library, round));
    let room = limits::EMBED_DESCRIPTION.saturating_sub(limits::chars(&heading));
    Embed {
        title: round.title.clone(),
        description: format!("{heading}{}", truncate(&round.summary, room)),
        fields,
        footer: footer(library, round),
        color: Some(COLOR),
    }
}

/// "🇺🇸 **United States** (mediator): stance", and on a second line who represented the
/// party in the round, when the brief names them and `with_people`.
fn stance_line(library: &Library, position: &Position, with_people: bool) -> String {
    let role = match position.role {
        Role::Party => String::new(),
        role => format!(" ({})", role.as_str()),
    };
    let party = with_emoji(library, &position.party, &format!("**{}**", position.party));
    let mut line = format!("{party}{role}: {}", position.stance);
    if with_people && !position.representatives.is_empty() {
        line.push_str("\n↳ At the table: ");
        line.push_str(&position.representatives.join("; "));
    }
    line
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

#[cfg(test)]
mod tests {
    use super::*;

    fn round(representatives: usize) -> Round {
        Round {
            summary: "word ".repeat(400),
            key_points: (0..5)
                .map(|i| format!("point {i} {}", "x".repeat(600)))
                .collect(),
            positions: vec![Position {
                party: "Northland".into(),
                role: Role::Mediator,
                stance: "Drafted the text.".into(),
                details: None,
                representatives: (0..representatives)
                    .map(|i| format!("Envoy {i}, {}", "y".repeat(80)))
                    .collect(),
            }],
            ..Round::example("t", 1, "A full round", "Paris")
        }
    }

    fn card(representatives: usize) -> Embed {
        let library = Library::from_parts(vec![round(representatives)], vec![], vec![], None);
        let track = library.track("t").expect("track");
        let round = track.round(1).expect("round");
        round_card(&library, track, round).embeds.remove(0)
    }

    #[test]
    fn who_was_at_the_table_gives_way_before_the_key_points() {
        let roomy = card(2);
        assert!(
            roomy
                .fields
                .iter()
                .any(|f| f.value.contains("At the table: Envoy 0"))
        );
        // Twenty envoys do not fit beside five long key points: the envoys go, the points stay.
        let full = card(20);
        assert!(full.size() <= limits::EMBEDS_TOTAL);
        assert!(!full.fields.iter().any(|f| f.value.contains("At the table")));
        let points: usize = full
            .fields
            .iter()
            .filter(|f| f.name.starts_with("Key points"))
            .map(|f| f.value.lines().count())
            .sum();
        assert_eq!(points, 5);
        assert!(
            full.fields
                .iter()
                .any(|f| f.value.contains("**Northland** (mediator)"))
        );
    }
}
