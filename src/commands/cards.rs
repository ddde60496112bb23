//! The messages briefbot shows: a round's card, the parties' positions, an author's bio,
//! the timeline, the longer briefing in pages. Pure functions of the library snapshot.

use super::custom_id::{Target, View};
use crate::library::{Author, Library, Position, Role, Round, Track, plural};
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
    let heading = format!("**{}**\n\n", round_line(library, round));
    let room = limits::EMBED_DESCRIPTION.saturating_sub(limits::chars(&heading));
    let mut embed = Embed {
        title: round.title.clone(),
        description: format!("{heading}{}", truncate(&round.summary, room)),
        fields,
        footer: author_of(library, round).map(|a| format!("Brief by {}", byline(a))),
        color: Some(COLOR),
        ..Embed::default()
    };
    make_room(&mut embed, "Key points", &heading);
    Message {
        embeds: vec![embed],
        rows: vec![card_buttons(track, round)],
        ..Message::default()
    }
}

/// Fits a card into Discord's 25 fields and 6000 characters by letting the least essential
/// text give way first: the fields named `yielding` (from the last), then the description
/// after its `heading`. What a card is for (the parties' lines, the sources) stays.
fn make_room(embed: &mut Embed, yielding: &str, heading: &str) {
    let is_yielding = |f: &Field| f.name.starts_with(yielding);
    while embed.fields.len() > limits::EMBED_FIELDS {
        match embed.fields.iter().rposition(is_yielding) {
            Some(i) => drop(embed.fields.remove(i)),
            None => break,
        }
    }
    loop {
        let excess = embed.size().saturating_sub(limits::EMBEDS_TOTAL);
        if excess == 0 {
            return;
        }
        let yielding_fields = embed.fields.iter().filter(|f| is_yielding(f)).count();
        if yielding_fields > 1 {
            if let Some(i) = embed.fields.iter().rposition(is_yielding) {
                embed.fields.remove(i);
            }
            continue;
        }
        let summary = embed
            .description
            .strip_prefix(heading)
            .unwrap_or(&embed.description);
        let summary_chars = limits::chars(summary);
        if summary_chars > 200 {
            let keep = summary_chars.saturating_sub(excess).max(200);
            embed.description = format!("{heading}{}", truncate(summary, keep));
            continue;
        }
        if let Some(field) = embed
            .fields
            .iter_mut()
            .find(|f| is_yielding(f) && limits::chars(&f.value) > 100)
        {
            let keep = limits::chars(&field.value).saturating_sub(excess).max(100);
            field.value = truncate(&field.value, keep);
            continue;
        }
        // Nothing optional is left to shorten: the generic fitting in `reply` takes over.
        return;
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
        Button::new("More", target(View::More(1))).disabled(has_no_briefing(round)),
    ]
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
        Button::new("More", target(View::More(1))).disabled(has_no_briefing(round)),
    ]];
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}

/// One party's stance round by round, newest first, as many rounds as fit in one card.
pub fn party_timeline(library: &Library, track: &Track, party: &str) -> Message {
    let stances: Vec<Field> = track
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
        .collect();
    let count = stances.len();
    let title = format!("{}, round by round", party_label(library, party));
    // Leave room for the title and the description; each field is fitted as `reply` will.
    let mut budget = limits::EMBEDS_TOTAL.saturating_sub(limits::chars(&title) + 200);
    let mut fields = Vec::new();
    for field in stances.into_iter().take(limits::EMBED_FIELDS) {
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
        "Rounds of `{}` with a position for {party}: {count} of {}, newest first.",
        track.id,
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
pub fn party_in_round(
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
    // Members are shown what they can use; `/reload` is for the server's managers.
    let commands = super::spec::COMMANDS
        .iter()
        .filter(|c| !c.admin)
        .map(|c| format!("`/{}` {}", c.name, c.description));
    fields.extend(pack("Commands", commands));
    let by = match publishers.as_slice() {
        [] => String::new(),
        names => format!(", written by {}", names.join(", ")),
    };
    let embed = Embed {
        title: "About briefbot".to_string(),
        description: format!(
            "Curated, sourced briefings on negotiation rounds{by}. {} so far.",
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
    let body = reflow(body);
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

/// Joins the hard-wrapped lines of each paragraph, since Discord shows every line break:
/// a briefing wrapped at 95 columns in the file reads as one flowing paragraph. Headings,
/// list items, quotes, tables and code blocks keep their lines. Windows line endings are
/// read as plain ones.
fn reflow(body: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut previous_joins = false;
    for line in body.replace("\r\n", "\n").split('\n') {
        let trimmed = line.trim_start();
        let fence = trimmed.starts_with("```");
        let structural = in_code || fence || trimmed.is_empty() || is_block_start(trimmed);
        if !out.is_empty() {
            out.push(if previous_joins && !structural {
                ' '
            } else {
                '\n'
            });
        }
        out.push_str(if previous_joins && !structural {
            trimmed
        } else {
            line
        });
        if fence {
            in_code = !in_code;
        }
        // A line joins the next unless it is part of a block that keeps its lines.
        previous_joins = !in_code && !fence && !trimmed.is_empty() && !is_line_kept(trimmed);
    }
    out
}

/// A line that starts a Markdown block of its own.
fn is_block_start(line: &str) -> bool {
    let numbered = line
        .split_once(". ")
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    numbered
        || ["#", "- ", "* ", "+ ", ">", "|"]
            .iter()
            .any(|m| line.starts_with(m))
}

/// A line whose end is kept: headings and table rows never run on into the next line.
fn is_line_kept(line: &str) -> bool {
    line.starts_with('#') || line.starts_with('|')
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
        // A single "word" longer than a page (a URL, say) is cut hard rather than dropped,
        // between graphemes, so no accent is parted from its letter.
        while limits::chars(&piece) > max {
            let rest = piece.split_off(grapheme_cut(&piece, max));
            pieces.push(std::mem::replace(&mut piece, rest));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// The byte index of the last grapheme boundary within `max` characters (at least one grapheme).
fn grapheme_cut(text: &str, max: usize) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    let mut used = 0;
    let mut cut = 0;
    for (index, grapheme) in text.grapheme_indices(true) {
        used += limits::chars(grapheme);
        if used > max && cut > 0 {
            break;
        }
        cut = index + grapheme.len();
    }
    cut
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
    fn hard_wrapped_lines_flow_but_blocks_keep_their_lines() {
        let body = "## Heading\r\nOne line\r\nwrapped here.\r\n\r\n- item one\n- item two\n\n```\ncode\nkept\n```";
        assert_eq!(
            reflow(body),
            "## Heading\nOne line wrapped here.\n\n- item one\n- item two\n\n```\ncode\nkept\n```"
        );
    }

    #[test]
    fn a_long_word_is_cut_between_graphemes() {
        let word = format!("x{}", "e\u{301}".repeat(1000));
        let pieces = split_long(&word, PAGE);
        assert!(pieces.len() > 1);
        assert!(
            pieces.iter().skip(1).all(|p| p.starts_with('e')),
            "no piece starts with a lone accent"
        );
        assert_eq!(pieces.concat(), word);
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
