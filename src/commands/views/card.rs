//! A round's card: headline, when and where, summary, key points, one line per party,
//! status and sources, with the buttons that lead on from it.

use super::{COLOR, footer, has_no_briefing, round_line, with_emoji};
use crate::commands::custom_id::{Target, View};
use crate::library::{Correction, Library, Position, Role, Round, Source, Track};
use crate::limits;
use crate::reply::{Button, Embed, Field, Message, pack, truncate};

/// The round's card: headline, when and where, summary and key points; status, one line per
/// party and sources; the author in the footer; buttons to move on.
pub(crate) fn round_card(library: &Library, track: &Track, round: &Round) -> Message {
    // Who was at the table is shown where there is room: a card that would not fit with it
    // is written without it, before anything else gives way.
    let (mut embed, wanted) = card_embed(library, round, true);
    if wanted > limits::EMBEDS_TOTAL || embed.fields.len() > limits::EMBED_FIELDS {
        embed = card_embed(library, round, false).0;
    }
    Message {
        embeds: vec![embed],
        rows: vec![card_buttons(track, round)],
        ..Message::default()
    }
}

/// The key points go in the description, under the summary, rather than in fields: a field
/// holds 1,024 characters, so a round with several long points needed a second, "continued"
/// field, where the description holds 4,096 and reads as one text. Also the characters the
/// card would have with nothing cut.
fn card_embed(library: &Library, round: &Round, with_people: bool) -> (Embed, usize) {
    let mut fields = Vec::new();
    if let Some(status) = &round.status {
        fields.push(Field::new("Status", status));
    }
    let stances = round
        .positions
        .iter()
        .map(|p| stance_line(library, p, with_people));
    fields.extend(pack("Where the parties stand", stances));
    fields.extend(pack("Sources", round.sources.iter().map(source_line)));
    let mut embed = Embed {
        title: round.title.clone(),
        description: String::new(),
        fields,
        footer: footer(library, round),
        color: Some(COLOR),
    };
    // The description has what the rest of the message leaves of its 6,000 characters.
    let heading = heading(library, round);
    let rest = embed.size();
    let room = limits::EMBED_DESCRIPTION
        .min(limits::EMBEDS_TOTAL.saturating_sub(rest))
        .max(limits::chars(&heading));
    let (description, whole) = description(&heading, round, room);
    embed.description = description;
    (embed, rest + whole)
}

/// The least of a summary kept when a card must give way: its first sentence or two.
const SUMMARY_KEPT: usize = 200;

/// The heading, the summary, then "**Key points**" and a line per point, in at most `room`
/// characters. What gives way first is the summary (down to `SUMMARY_KEPT`), then key points
/// from the last, one always kept; the heading, with its correction, stays whole. Also how
/// many characters it would have with nothing cut.
fn description(heading: &str, round: &Round, room: usize) -> (String, usize) {
    const POINTS: &str = "**Key points**";
    let points: Vec<String> = round.key_points.iter().map(|p| format!("• {p}")).collect();
    let point_chars: Vec<usize> = points.iter().map(|p| limits::chars(p)).collect();
    // The key points' block with its first `n` points, in characters.
    let block = |n: usize| match n {
        0 => 0,
        n => limits::chars(POINTS) + n + point_chars[..n].iter().sum::<usize>(),
    };
    let summary = round.summary.trim();
    let summary_chars = limits::chars(summary);
    // Two line breaks between the summary and the points, when there are both.
    let gap = |summary: usize, n: usize| if summary > 0 && n > 0 { 2 } else { 0 };
    let fixed = limits::chars(heading);
    let mut shown = points.len();
    let mut summary_room = summary_chars;
    let size = |summary: usize, n: usize| fixed + summary + gap(summary, n) + block(n);
    let whole = size(summary_chars, shown);
    if size(summary_room, shown) > room {
        summary_room = room
            .saturating_sub(fixed + gap(summary_chars, shown) + block(shown))
            .max(SUMMARY_KEPT.min(summary_chars));
    }
    while shown > 1 && size(summary_room, shown) > room {
        shown -= 1;
    }
    let mut text = String::with_capacity(room * 4);
    text.push_str(heading);
    text.push_str(&truncate(summary, summary_room));
    if shown > 0 {
        if !summary.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(POINTS);
        for point in &points[..shown] {
            text.push('\n');
            text.push_str(point);
        }
    }
    // A single point longer than the room left is cut at a word, as the final fitting would.
    (truncate(text.trim_end(), room), whole)
}

/// The top of the card's description: the round line and, when the brief was corrected,
/// the latest correction under it, then the summary after a blank line.
///
/// The correction goes here rather than in a field because a card that does not fit gives
/// way from the bottom: `description` keeps this heading whole and shortens only the summary
/// and the key points after it, and the final fitting drops fields from the end before it
/// cuts the description short, so a correction at the very top is the last thing to go; the
/// parties' lines and the sources, being fields that never yield, stay as they were. A
/// reader who sees the card at all sees that it was corrected. It costs at most about 330
/// characters (the note is held to `Correction::NOTE_MAX`), taken from the summary's room.
fn heading(library: &Library, round: &Round) -> String {
    let mut heading = format!("**{}**\n", round_line(library, round));
    if let Some(line) = correction_line(round) {
        heading.push_str(&line);
        heading.push('\n');
    }
    heading.push('\n');
    heading
}

/// "**Corrected 8 January 2026:** note", the latest correction on one line, with "(2 earlier
/// corrections)" after it when there are more.
fn correction_line(round: &Round) -> Option<String> {
    let (latest, earlier) = round.corrections.split_last()?;
    // One line, whatever line breaks a multi-line TOML string held.
    let note = latest.note.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut line = format!(
        "**Corrected {}:** {}",
        latest.date.written(),
        truncate(&note, Correction::NOTE_MAX)
    );
    match earlier.len() {
        0 => {}
        1 => line.push_str(" (1 earlier correction)"),
        n => line.push_str(&format!(" ({n} earlier corrections)")),
    }
    Some(line)
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

    fn correction(day: u8, note: &str) -> Correction {
        Correction {
            date: crate::library::Date {
                year: 2026,
                month: 1,
                day,
            },
            note: note.to_string(),
        }
    }

    /// The card of a short round with `corrections`, oldest first.
    fn corrected(corrections: Vec<Correction>) -> Embed {
        let round = Round {
            summary: "The talks ended.".into(),
            corrections,
            ..Round::example("t", 1, "A round", "Paris")
        };
        let library = Library::from_parts(vec![round], vec![], vec![], None);
        let track = library.track("t").expect("track");
        let round = track.round(1).expect("round");
        round_card(&library, track, round).embeds.remove(0)
    }

    #[test]
    fn an_uncorrected_card_opens_with_the_round_line_and_the_summary() {
        assert_eq!(
            corrected(vec![]).description,
            "**Round 1 · 6 January 2026 · Paris**\n\nThe talks ended."
        );
    }

    #[test]
    fn a_correction_shows_under_the_round_line() {
        let embed = corrected(vec![correction(
            8,
            "The memo was released by the State Department, not the White House.",
        )]);
        assert_eq!(
            embed.description,
            "**Round 1 · 6 January 2026 · Paris**\n\
             **Corrected 8 January 2026:** The memo was released by the State Department, not the White House.\n\n\
             The talks ended."
        );
    }

    #[test]
    fn the_latest_correction_shows_with_how_many_came_before() {
        let two = corrected(vec![correction(7, "First."), correction(9, "Second.")]);
        assert!(
            two.description
                .contains("\n**Corrected 9 January 2026:** Second. (1 earlier correction)\n\n"),
            "{}",
            two.description
        );
        assert!(!two.description.contains("First."));
        let three = corrected(vec![
            correction(7, "First."),
            correction(8, "Second."),
            correction(10, "Third."),
        ]);
        assert!(
            three
                .description
                .contains("**Corrected 10 January 2026:** Third. (2 earlier corrections)"),
            "{}",
            three.description
        );
    }

    #[test]
    fn a_note_written_over_several_lines_shows_on_one() {
        let embed = corrected(vec![correction(8, "The memo was\n   released in Paris.")]);
        assert!(
            embed
                .description
                .contains("**Corrected 8 January 2026:** The memo was released in Paris.\n\n"),
            "{}",
            embed.description
        );
    }

    #[test]
    fn a_correction_survives_fitting_and_the_parties_and_sources_stay() {
        let note = "n".repeat(Correction::NOTE_MAX);
        let round = Round {
            corrections: vec![correction(7, "Earlier."), correction(8, &note)],
            sources: vec![Source {
                title: "The memo".into(),
                publisher: None,
                url: None,
            }],
            ..round(20)
        };
        let library = Library::from_parts(vec![round], vec![], vec![], None);
        let track = library.track("t").expect("track");
        let round = track.round(1).expect("round");
        let message = round_card(&library, track, round).fit();
        let embed = &message.message().embeds[0];
        assert!(embed.size() <= limits::EMBEDS_TOTAL);
        assert!(
            embed.description.starts_with(&format!(
                "**Round 1 · 6 January 2026 · Paris**\n**Corrected 8 January 2026:** {note} (1 earlier correction)\n\nword"
            )),
            "{}",
            embed.description
        );
        assert!(
            embed
                .fields
                .iter()
                .any(|f| f.value.contains("**Northland** (mediator)"))
        );
        assert!(embed.fields.iter().any(|f| f.name == "Sources"));
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
        let points = full
            .description
            .lines()
            .filter(|l| l.starts_with("• point"))
            .count();
        assert_eq!(points, 5);
        assert!(
            full.fields
                .iter()
                .any(|f| f.value.contains("**Northland** (mediator)"))
        );
    }
}
