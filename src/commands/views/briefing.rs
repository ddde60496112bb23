//! The round's longer briefing (the Markdown after the front matter) in pages, broken
//! between paragraphs, with hard-wrapped lines flowed together as Discord shows them.

use super::{COLOR, back_to_card, round_line};
use crate::commands::custom_id::{Target, View};
use crate::library::{Library, Round, Track};
use crate::limits;
use crate::reply::{Button, Embed, Message, cut_at_grapheme, truncate};

/// Characters of briefing per page: comfortable to read, far below Discord's 4096.
const PAGE: usize = 1800;

/// The round's longer briefing split into pages at paragraph boundaries.
pub(crate) fn briefing_pages(body: &str) -> Vec<String> {
    let body = reflow(body);
    let mut pages: Vec<String> = Vec::new();
    let mut page = String::new();
    // Characters in `page`, kept as it grows rather than counted again for every piece.
    let mut page_chars = 0;
    for paragraph in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        for piece in split_long(paragraph, PAGE) {
            let piece_chars = limits::chars(&piece);
            if !page.is_empty() && page_chars + 2 + piece_chars > PAGE {
                pages.push(std::mem::take(&mut page));
                page_chars = 0;
            }
            if !page.is_empty() {
                page.push_str("\n\n");
                page_chars += 2;
            }
            page.push_str(&piece);
            page_chars += piece_chars;
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

/// A paragraph longer than a page, cut at spaces into page-sized pieces; no text is lost.
fn split_long(paragraph: &str, max: usize) -> Vec<String> {
    if limits::chars(paragraph) <= max {
        return vec![paragraph.to_string()];
    }
    let mut pieces = Vec::new();
    let mut piece = String::new();
    // Characters in `piece`, kept as it grows.
    let mut piece_chars = 0;
    for word in paragraph.split(' ') {
        let word_chars = limits::chars(word);
        if !piece.is_empty() && piece_chars + 1 + word_chars > max {
            pieces.push(std::mem::take(&mut piece));
            piece_chars = 0;
        }
        if !piece.is_empty() {
            piece.push(' ');
            piece_chars += 1;
        }
        piece.push_str(word);
        piece_chars += word_chars;
        // A single "word" longer than a page (a URL, say) is cut hard rather than dropped,
        // between graphemes, so no accent is parted from its letter.
        while piece_chars > max {
            let rest = piece.split_off(cut_at_grapheme(&piece, max));
            pieces.push(std::mem::replace(&mut piece, rest));
            piece_chars = limits::chars(&piece);
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
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
        let pieces = split_long(&word, PAGE);
        assert!(pieces.len() > 1);
        assert!(
            pieces.iter().skip(1).all(|p| p.starts_with('e')),
            "no piece starts with a lone accent"
        );
        assert_eq!(pieces.concat(), word);
    }
}
