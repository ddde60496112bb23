//! The messages briefbot shows: a round's card, the parties' positions, an author's bio,
//! the timeline, the longer briefing in pages. Pure functions of the library snapshot.

use super::custom_id::{Target, View};
use crate::library::{Author, Library, Position, Role, Round, Track};
use crate::limits;
use crate::reply::{Button, Embed, Field, Message, truncate};

/// The institute's blue, so every card is recognisably briefbot's.
const COLOR: u32 = 0x002B_6CB0;
/// Characters of briefing per page: comfortable to read, far below Discord's 4096.
const PAGE: usize = 1800;

/// `Round 5 · 2026-01-06 · Paris`, with the track first when there are several.
pub fn round_line(library: &Library, round: &Round) -> String {
    let mut parts = Vec::new();
    if library.tracks().len() > 1 {
        parts.push(round.track.clone());
    }
    parts.push(format!("Round {}", round.number));
    parts.push(round.date.to_string());
    parts.extend(round.location.clone());
    parts.join(" · ")
}

/// A party's name with its emoji from `parties.toml`: `🇸🇾 Syria`.
pub fn party_label(library: &Library, party: &str) -> String {
    match library.party(party).and_then(|p| p.emoji.as_deref()) {
        Some(emoji) => format!("{emoji} {party}"),
        None => party.to_string(),
    }
}

fn byline(author: &Author) -> String {
    let role: Vec<&str> = [author.title.as_deref(), author.affiliation.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    match role.as_slice() {
        [] => author.name.clone(),
        role => format!("{}, {}", author.name, role.join(", ")),
    }
}

fn author_of<'l>(library: &'l Library, round: &Round) -> Option<&'l Author> {
    library.author(&round.author)
}

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
    let embed = Embed {
        title: round.title.clone(),
        description: format!("**{}**\n\n{}", round_line(library, round), round.summary),
        fields,
        footer: author_of(library, round).map(|a| format!("Brief by {}", byline(a))),
        color: Some(COLOR),
        ..Embed::default()
    };
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
    format!(
        "{}**{}**{role}: {}",
        emoji_prefix(library, &position.party),
        position.party,
        position.stance
    )
}

fn emoji_prefix(library: &Library, party: &str) -> String {
    library
        .party(party)
        .and_then(|p| p.emoji.as_deref())
        .map(|e| format!("{e} "))
        .unwrap_or_default()
}

fn source_line(source: &crate::library::Source) -> String {
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
        Button::new("More", target(View::More(1))).disabled(round.body.is_empty()),
    ]
}

/// A button back to the round's card, for every view reached from it.
fn back_to_card(track: &Track, round: &Round) -> Button {
    Button::new(
        format!("◀ Round {} card", round.number),
        Target::new(&track.id, round.number, View::Card).to_string(),
    )
}

/// Every party's position in one round, with details and representatives.
pub fn round_positions(library: &Library, track: &Track, round: &Round) -> Message {
    let fields = round
        .positions
        .iter()
        .map(|p| {
            let mut value = p.stance.clone();
            if let Some(details) = &p.details {
                value.push_str(&format!("\n{details}"));
            }
            if !p.representatives.is_empty() {
                value.push_str(&format!(
                    "\n*Representatives:* {}",
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
        footer: author_of(library, round).map(|a| format!("Brief by {}", byline(a))),
        color: Some(COLOR),
        ..Embed::default()
    };
    let target = |view| Target::new(&track.id, round.number, view).to_string();
    let rows = vec![vec![
        back_to_card(track, round),
        Button::new("Author", target(View::Author)),
        Button::new("More", target(View::More(1))).disabled(round.body.is_empty()),
    ]];
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}

/// One party's stance round by round, newest first.
pub fn party_timeline(library: &Library, track: &Track, party: &str) -> Message {
    let fields = track
        .rounds
        .iter()
        .rev()
        .filter_map(|round| {
            let position = round.positions.iter().find(|p| p.party == party)?;
            let mut value = position.stance.clone();
            if let Some(details) = &position.details {
                value.push_str(&format!("\n{details}"));
            }
            Some(Field::new(
                format!("{} — {}", round_line(library, round), round.title),
                value,
            ))
        })
        .take(limits::EMBED_FIELDS)
        .collect::<Vec<_>>();
    let count = fields.len();
    let embed = Embed {
        title: format!("{}, round by round", party_label(library, party)),
        description: format!(
            "Where {party} stood in {} of {} in `{}`, newest first.",
            plural(count, "round"),
            plural(track.rounds.len(), "round"),
            track.id
        ),
        fields,
        color: Some(COLOR),
        ..Embed::default()
    };
    Message {
        embeds: vec![embed],
        ..Message::default()
    }
}

/// An author's bio, and the rounds they wrote.
pub fn author_card(library: &Library, author: &Author, from: Option<(&Track, &Round)>) -> Message {
    let mut fields = Vec::new();
    let role: Vec<&str> = [author.title.as_deref(), author.affiliation.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !role.is_empty() {
        fields.push(Field::new("Position", role.join(", ")));
    }
    fields.extend(pack(
        "Education",
        author.education.iter().map(|e| format!("• {e}")),
    ));
    fields.extend(pack(
        "Expertise",
        author.expertise.iter().map(|e| format!("• {e}")),
    ));
    fields.extend(pack("Links", author.links.iter().cloned()));
    let written = library
        .rounds()
        .filter(|r| r.author == author.slug)
        .map(|r| format!("{} — {}", round_line(library, r), r.title));
    fields.extend(pack("Briefs", written));
    let embed = Embed {
        title: author.name.clone(),
        description: author.bio.clone(),
        fields,
        color: Some(COLOR),
        ..Embed::default()
    };
    let rows = match from {
        Some((track, round)) => vec![vec![back_to_card(track, round)]],
        None => Vec::new(),
    };
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}

/// Every round of a track, newest first, one line each.
pub fn timeline(library: &Library, track: &Track) -> Message {
    let lines = track
        .rounds
        .iter()
        .rev()
        .map(|r| format!("**{}** — {}", round_line(library, r), r.title))
        .collect::<Vec<_>>();
    let embed = Embed {
        title: format!("{}: {}", track.id, plural(track.rounds.len(), "round")),
        description: lines.join("\n"),
        color: Some(COLOR),
        footer: Some("Open one with /round".to_string()),
        ..Embed::default()
    };
    let rows = match track.latest() {
        Some(latest) => vec![vec![
            Button::new(
                format!("Latest: round {}", latest.number),
                Target::new(&track.id, latest.number, View::Card).to_string(),
            )
            .primary(),
        ]],
        None => Vec::new(),
    };
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}

/// What the bot covers and who publishes it.
pub fn about(library: &Library) -> Message {
    let mut publishers: Vec<&str> = library
        .authors()
        .iter()
        .filter_map(|a| a.affiliation.as_deref())
        .collect();
    publishers.sort_unstable();
    publishers.dedup();
    let tracks = library.tracks().iter().map(|t| match t.latest() {
        Some(latest) => format!(
            "• `{}`: {}, latest {}",
            t.id,
            plural(t.rounds.len(), "round"),
            round_line(library, latest)
        ),
        None => format!("• `{}`", t.id),
    });
    let mut fields = pack("Tracks", tracks);
    let authors = library.authors().iter().map(|a| format!("• {}", byline(a)));
    fields.extend(pack("Authors", authors));
    let commands = super::spec::COMMANDS
        .iter()
        .map(|c| format!("`/{}` {}", c.name, c.description));
    fields.extend(pack("Commands", commands));
    let by = match publishers.as_slice() {
        [] => String::new(),
        names => format!(" by {}", names.join(", ")),
    };
    let embed = Embed {
        title: "About briefbot".to_string(),
        description: format!(
            "Curated, sourced briefings on negotiation rounds, written{by}. {} so far.",
            plural(library.rounds().count(), "round")
        ),
        fields,
        footer: (!publishers.is_empty()).then(|| format!("Published by {}", publishers.join(", "))),
        color: Some(COLOR),
        ..Embed::default()
    };
    Message {
        embeds: vec![embed],
        ..Message::default()
    }
}

/// The round's longer briefing split into pages at paragraph boundaries.
pub fn briefing_pages(body: &str) -> Vec<String> {
    let mut pages: Vec<String> = Vec::new();
    let mut page = String::new();
    for paragraph in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        for piece in split_long(paragraph, PAGE) {
            if !page.is_empty() && limits::chars(&page) + 2 + limits::chars(&piece) > PAGE {
                pages.push(std::mem::take(&mut page));
            }
            if !page.is_empty() {
                page.push_str("\n\n");
            }
            page.push_str(&piece);
        }
    }
    if !page.is_empty() {
        pages.push(page);
    }
    pages
}

/// A paragraph longer than a page, cut at spaces into page-sized pieces; no text is lost.
fn split_long(paragraph: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for word in paragraph.split(' ') {
        if !piece.is_empty() && limits::chars(&piece) + 1 + limits::chars(word) > max {
            pieces.push(std::mem::take(&mut piece));
        }
        if !piece.is_empty() {
            piece.push(' ');
        }
        piece.push_str(word);
        // A single "word" longer than a page (a URL, say) is cut hard rather than dropped.
        while limits::chars(&piece) > max {
            let cut = piece
                .char_indices()
                .nth(max)
                .map_or(piece.len(), |(i, _)| i);
            let rest = piece.split_off(cut);
            pieces.push(std::mem::replace(&mut piece, rest));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// Page `page` (from 1) of the briefing, or `None` past the last page.
pub fn briefing_page(
    library: &Library,
    track: &Track,
    round: &Round,
    page: usize,
) -> Option<Message> {
    let pages = briefing_pages(&round.body);
    let text = pages.get(page.checked_sub(1)?)?;
    let target = |view| Target::new(&track.id, round.number, view).to_string();
    let mut row = Vec::new();
    if pages.len() > 1 {
        row.push(
            Button::new("◀ Page", target(View::More(page.saturating_sub(1).max(1))))
                .disabled(page == 1),
        );
        row.push(
            Button::new("Page ▶", target(View::More((page + 1).min(pages.len()))))
                .disabled(page == pages.len()),
        );
    }
    row.push(back_to_card(track, round));
    let embed = Embed {
        title: format!(
            "{} — the briefing",
            truncate(&round.title, limits::EMBED_TITLE - 16)
        ),
        description: text.clone(),
        footer: Some(format!(
            "{} · page {page} of {}",
            round_line(library, round),
            pages.len()
        )),
        color: Some(COLOR),
        ..Embed::default()
    };
    Some(Message {
        embeds: vec![embed],
        rows: vec![row],
        ..Message::default()
    })
}

/// Lines packed into as few fields as fit Discord's 1024 characters each; the first field is
/// called `name`, the rest `name (continued)`. No line is split across fields.
fn pack(name: &str, lines: impl Iterator<Item = String>) -> Vec<Field> {
    let mut values: Vec<String> = Vec::new();
    for line in lines {
        let line = truncate(&line, limits::FIELD_VALUE);
        match values.last_mut() {
            Some(value)
                if limits::chars(value) + 1 + limits::chars(&line) <= limits::FIELD_VALUE =>
            {
                value.push('\n');
                value.push_str(&line);
            }
            _ => values.push(line),
        }
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let name = if i == 0 {
                name.to_string()
            } else {
                format!("{name} (continued)")
            };
            Field::new(name, value)
        })
        .collect()
}

pub fn plural(n: usize, word: &str) -> String {
    crate::library::plural(n, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_break_between_paragraphs_and_lose_nothing() {
        let paragraph = "word ".repeat(150); // 750 characters
        let body = [paragraph.trim(); 5].join("\n\n");
        let pages = briefing_pages(&body);
        assert_eq!(pages.len(), 3);
        assert!(pages.iter().all(|p| limits::chars(p) <= PAGE));
        let words: usize = pages.iter().map(|p| p.split_whitespace().count()).sum();
        assert_eq!(words, 750);
    }

    #[test]
    fn a_paragraph_longer_than_a_page_is_split_at_spaces() {
        let body = "abc ".repeat(1000);
        let pages = briefing_pages(body.trim());
        assert!(pages.len() >= 3);
        assert!(pages.iter().all(|p| limits::chars(p) <= PAGE));
        assert_eq!(
            pages
                .iter()
                .map(|p| p.split_whitespace().count())
                .sum::<usize>(),
            1000
        );
    }

    #[test]
    fn packed_fields_keep_lines_whole_and_within_limits() {
        let lines = (0..40).map(|i| format!("• point {i} {}", "x".repeat(90)));
        let fields = pack("Key points", lines);
        assert!(fields.len() > 1);
        assert_eq!(fields[1].name, "Key points (continued)");
        assert!(
            fields
                .iter()
                .all(|f| limits::chars(&f.value) <= limits::FIELD_VALUE)
        );
    }
}
