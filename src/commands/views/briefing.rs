//! The round's longer briefing (the Markdown after the front matter) in pages, broken
//! between paragraphs, with hard-wrapped lines flowed together as Discord shows them.

use super::{COLOR, back_to_card, round_line};
use crate::commands::custom_id::{Target, View};
use crate::library::{Library, Round, Track};
use crate::limits;
use crate::reply::{Button, Embed, Message, cut_at_grapheme, truncate};

/// Characters of briefing per page: comfortable to read, far below Discord's 4096.
const PAGE: usize = 1800;

/// The round's longer briefing in pages, each ending where a reader can stop: see `page_end`.
pub(crate) fn briefing_pages(body: &str) -> Vec<String> {
    let body = reflow(body);
    // Paragraphs trimmed, one blank line between them.
    let body = body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut pages = Vec::new();
    let mut rest = body.as_str();
    while !rest.is_empty() {
        if limits::chars(rest) <= PAGE {
            pages.push(rest.to_string());
            break;
        }
        let end = page_end(rest, PAGE);
        pages.push(rest[..end].trim_end().to_string());
        rest = rest[end..].trim_start();
    }
    pages
}

/// How good a place is to end a page, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stop {
    /// Right after a heading, or after a line that leads into what follows (it ends in ":"):
    /// the page would end with its promise and the next start with what it promised.
    LeadIn,
    /// Between two words.
    Word,
    /// After a sentence.
    Sentence,
    /// Between the lines of a list, a quote or a table.
    Line,
    /// Between paragraphs.
    Paragraph,
    /// Before a heading: the page ends with a section.
    Section,
}

/// Where the page that starts `text` ends (a byte index), given at most `max` characters: at
/// the best kind of place (`Stop`) that leaves the page at least a third full (half, for the
/// end of a section, so that short sections do not make many short pages), the last such
/// place of that kind; a reader who presses "Page ▶" then starts on a new paragraph, or at
/// worst a new sentence, rather than in the middle of an argument. A text with no space at
/// all is cut between graphemes.
fn page_end(text: &str, max: usize) -> usize {
    let window = cut_at_grapheme(text, max);
    let at_char = |n: usize| text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    let (third, half) = (at_char(max / 3), at_char(max / 2));
    let mut best: Option<(Stop, usize)> = None;
    let mut fallback: Option<(Stop, usize)> = None;
    let mut previous: Option<char> = None;
    let mut before_previous: Option<char> = None;
    // Every place where whitespace starts, up to and including the window's end.
    let starts = text[..window]
        .char_indices()
        .chain(text[window..].chars().next().map(|c| (window, c)));
    for (at, c) in starts {
        if c.is_whitespace() && previous.is_some_and(|p| !p.is_whitespace()) {
            let stop = stop_at(text, at, previous, before_previous);
            let enough = at >= if stop == Stop::Section { half } else { third };
            let slot = if enough { &mut best } else { &mut fallback };
            if slot.is_none_or(|(kind, _)| stop >= kind) {
                *slot = Some((stop, at));
            }
        }
        before_previous = previous;
        previous = Some(c);
    }
    match best.or(fallback) {
        Some((_, at)) => at,
        None => window,
    }
}

/// What kind of place ending a page at `at` would be, where whitespace starts after
/// `previous` (and `before_previous`).
fn stop_at(text: &str, at: usize, previous: Option<char>, before_previous: Option<char>) -> Stop {
    let gap = &text[at..];
    let next = gap.trim_start();
    let gap = &gap[..gap.len() - next.len()];
    if gap.contains('\n') {
        // The line that would end the page; looked for only at line ends, so that the many
        // spaces of a long paragraph do not each search back to its start.
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..at];
        if line.starts_with('#') || line.ends_with(':') {
            return Stop::LeadIn;
        }
        return match gap.matches('\n').count() {
            1 => Stop::Line,
            _ if next.starts_with('#') => Stop::Section,
            _ => Stop::Paragraph,
        };
    }
    let ends_sentence = |c: Option<char>| matches!(c, Some('.' | '!' | '?' | '…'));
    let closes = matches!(previous, Some('"' | '\'' | '”' | '’' | ')' | '»'));
    let sentence = (ends_sentence(previous) || (closes && ends_sentence(before_previous)))
        // "U.S. envoy": a full stop before a lower-case word ends no sentence.
        && !next.starts_with(char::is_lowercase);
    if sentence { Stop::Sentence } else { Stop::Word }
}

/// Joins the hard-wrapped lines of each paragraph, since Discord shows every line break:
/// a briefing wrapped at 95 columns in the file reads as one flowing paragraph. Headings,
/// list items, quotes, tables and code blocks keep their lines. Windows line endings are
/// read as plain ones.
fn reflow(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut in_code = false;
    let mut previous_joins = false;
    let body = if body.contains('\r') {
        std::borrow::Cow::Owned(body.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(body)
    };
    for line in body.split('\n') {
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
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let numbered = digits > 0 && line[digits..].starts_with(". ");
    numbered
        || ["#", "- ", "* ", "+ ", ">", "|"]
            .iter()
            .any(|m| line.starts_with(m))
}

/// A line whose end is kept: headings and table rows never run on into the next line.
fn is_line_kept(line: &str) -> bool {
    line.starts_with('#') || line.starts_with('|')
}

/// Page `page` (from 1) of the briefing, or `None` past the last page.
pub(crate) fn briefing_page(
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
        let pages = briefing_pages(&word);
        assert!(pages.len() > 1);
        assert!(
            pages.iter().skip(1).all(|p| p.starts_with('e')),
            "no page starts with a lone accent"
        );
        assert_eq!(pages.concat(), word);
    }

    /// Round 5's briefing, in short: a page used to end on a section's opening sentence
    /// ("the analysis sees two reasons why…"), its reasons on the next page.
    #[test]
    fn a_page_ends_with_a_section_rather_than_on_the_lead_in_of_the_next() {
        let paragraph = |words: usize| format!("{}end.", "word ".repeat(words));
        let body = [
            "## What was agreed".to_string(),
            paragraph(140),
            "## The mechanism".to_string(),
            paragraph(120),
            "## Why it matters".to_string(),
            "The analysis sees two reasons why the round is significant.".to_string(),
            format!("First, {}", paragraph(100)),
            format!("Second, {}", paragraph(100)),
        ]
        .join("\n\n");
        let pages = briefing_pages(&body);
        assert_eq!(pages.len(), 2, "{pages:#?}");
        assert!(pages[0].ends_with("word end."), "{}", pages[0]);
        assert!(pages[1].starts_with("## Why it matters"), "{}", pages[1]);
    }

    #[test]
    fn a_paragraph_longer_than_a_page_ends_its_pages_at_sentences() {
        let sentence = "The sides met again and talked for a long while about the zone. ";
        let body = sentence.repeat(60);
        let pages = briefing_pages(body.trim());
        assert!(pages.len() > 1);
        assert!(pages.iter().all(|p| limits::chars(p) <= PAGE));
        assert!(pages.iter().all(|p| p.ends_with("zone.")), "{pages:#?}");
        // "U.S. envoy" is no end of a sentence, nor is a heading the end of a page.
        assert_eq!(
            stop_at("the U.S. envoy", 8, Some('.'), Some('S')),
            Stop::Word
        );
        assert_eq!(
            stop_at("## Why\n\nText", 6, Some('y'), Some('h')),
            Stop::LeadIn
        );
        assert_eq!(
            stop_at("two reasons:\n- one", 12, Some(':'), Some('s')),
            Stop::LeadIn
        );
        assert_eq!(
            stop_at("said \"no.\" Then", 10, Some('"'), Some('.')),
            Stop::Sentence
        );
    }
}
