//! Search results, the "Brief me" message command and their pages.
//!
//! The query travels in the results message itself (the embed's title), so a page button's
//! `custom_id` holds only the page and the track: paging works after a restart and on any
//! instance, and a query can be longer than a `custom_id`.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{COLOR, round_card, round_line};
use crate::commands::custom_id::{Open, SearchPage};
use crate::library::search::{Found, Hit, Mode, words};
use crate::library::{Library, Round, Track};
use crate::limits::{self, chars};
use crate::reply::{Button, Embed, Field, Message, Reply, truncate};

/// The longest query accepted, in characters; it must fit an embed title with its prefix.
pub const MAX_QUERY_CHARS: usize = 200;

/// Results on one page: five fit one row of buttons that open them.
pub(crate) const PER_PAGE: usize = 5;

/// What starts a results title; the query follows, exactly as searched.
const TITLE_PREFIX: &str = "🔎 ";

/// Characters of a snippet around the first match.
const SNIPPET_CHARS: usize = 220;

/// Characters of a snippet before the first match.
const LEAD_CHARS: usize = 60;

/// A field longer than this is searched for a snippet in its first part only: a hostile or
/// huge brief costs no more than an ordinary one.
const SNIPPET_SCAN_BYTES: usize = 16 * 1024;

/// Rounds the "Brief me" command offers besides the best one.
const OTHER_MATCHES: usize = 4;

/// `/search query [track]`: the first page of results.
pub(crate) fn search(library: &Library, query: &str, track: Option<&Track>) -> Reply {
    let query = one_line(query);
    if query.is_empty() {
        return Reply::notice(
            "Type a few words to search for: a party, a person, a place or a topic, like \
             `/search economic zone`.",
        );
    }
    let length = chars(&query);
    if length > MAX_QUERY_CHARS {
        return Reply::notice(format!(
            "That search is {length} characters long; a search takes up to {MAX_QUERY_CHARS}. \
             Try the few words that matter most."
        ));
    }
    match results(library, &query, track, 1) {
        Ok(message) => Reply::message(message),
        Err(notice) => notice,
    }
}

/// A page button of a results message: `carried` is the title of the pressed message's first
/// embed, where the results keep their query.
pub(crate) fn page(
    library: &Library,
    carried: Option<&str>,
    track: Option<&Track>,
    page: usize,
) -> Reply {
    let query = carried
        .and_then(|title| title.strip_prefix(TITLE_PREFIX))
        .map(one_line)
        .filter(|q| !q.is_empty() && chars(q) <= MAX_QUERY_CHARS);
    let Some(query) = query else {
        return Reply::notice(
            "This button no longer knows what was searched for. Try /search again.",
        );
    };
    match results(library, &query, track, page) {
        Ok(message) => Reply::Update(message),
        Err(notice) => notice,
    }
}

/// The "Brief me" message command: the round that best matches a message's text, as a
/// private card, with buttons to the next best.
pub(crate) fn brief_me(library: &Library, text: &str) -> Reply {
    let found = library.search(text, None, Mode::Message, 1 + OTHER_MATCHES);
    let Some((best, others)) = found.hits.split_first() else {
        let why = if found.had_words {
            "It names no party, person, place or round that the briefings know."
        } else {
            "It has no words to go by."
        };
        return Reply::notice(format!(
            "I found no briefing about this message. {why} Try /search with a few words, or \
             /latest for the newest round."
        ));
    };
    let Some(track) = library.track(&best.round.track) else {
        return Reply::notice("I found no briefing about this message. Try /latest.");
    };
    let mut message = round_card(library, track, best.round);
    let mut content = format!(
        "The briefing that best matches this message: {}.",
        round_line(library, best.round)
    );
    if !others.is_empty() {
        content.push_str(" Other matches are under the card.");
        if message.rows.len() < limits::ROWS_PER_MESSAGE {
            message.rows.push(open_buttons(library, others));
        }
    }
    message.content = Some(content);
    Reply::Message {
        message,
        ephemeral: true,
    }
}

/// Page `page` (from 1; past the end, the last) of the results for `query`.
fn results(
    library: &Library,
    query: &str,
    track: Option<&Track>,
    page: usize,
) -> Result<Message, Reply> {
    let track_id = track.map(|t| t.id.as_str());
    // No page is past the library's last (a button may say any number): asking for that
    // many results is bounded, and a page past the last shows the last.
    let most = library.round_count().div_ceil(PER_PAGE).max(1);
    let page = page.clamp(1, most);
    let mut found = library.search(query, track_id, Mode::Typed, page * PER_PAGE);
    if !found.had_words {
        return Err(Reply::notice(format!(
            "“{}” has no words to search for. Try a party, a person, a place or a topic.",
            quoted(query)
        )));
    }
    if found.total == 0 {
        let place = track.map_or(String::new(), |t| {
            format!(" in {}", library.track_name(&t.id))
        });
        return Err(Reply::notice(format!(
            "No briefing{place} mentions “{}”, nor anything close to it. Try other or fewer \
             words, or /rounds to see every round.",
            quoted(query)
        )));
    }
    let pages = found.total.div_ceil(PER_PAGE);
    let page = if page > pages {
        // The library changed since the button was made: show the last page.
        found = library.search(query, track_id, Mode::Typed, pages * PER_PAGE);
        pages
    } else {
        page
    };
    let shown: &[Hit] = found.hits.get((page - 1) * PER_PAGE..).unwrap_or_default();
    let matched = Matched::new(&found.matched);
    let fields = shown
        .iter()
        .enumerate()
        .map(|(i, hit)| result_field(library, (page - 1) * PER_PAGE + i + 1, hit, &matched))
        .collect();
    let embed = Embed {
        title: format!("{TITLE_PREFIX}{query}"),
        description: notes(library, &found, track),
        fields,
        footer: Some(format!(
            "{} · page {page} of {pages}",
            match found.total {
                1 => "1 round matches".to_string(),
                n => format!("{n} rounds match"),
            }
        )),
        color: Some(COLOR),
    };
    let mut rows = Vec::new();
    if pages > 1 {
        let to = |p: usize| SearchPage::new(track_id, p).to_string();
        rows.push(vec![
            Button::new("◀ Better matches", to(page.saturating_sub(1).max(1))).disabled(page == 1),
            Button::new("More ▶", to((page + 1).min(pages))).disabled(page == pages),
        ]);
    }
    if !shown.is_empty() {
        rows.push(open_buttons(library, shown));
    }
    Ok(Message {
        content: None,
        embeds: vec![embed],
        menus: Vec::new(),
        rows,
    })
}

/// What the reader should know about how their words were read: misspellings taken for what
/// they probably meant, words no brief has.
fn notes(library: &Library, found: &Found, track: Option<&Track>) -> String {
    let mut lines = Vec::new();
    if let Some(track) = track {
        lines.push(format!("In {} only.", library.track_name(&track.id)));
    }
    if !found.corrections.is_empty() {
        let meant: Vec<String> = found
            .corrections
            .iter()
            .map(|(_, meant)| format!("**{}**", escape(meant)))
            .collect();
        let typed: Vec<String> = found
            .corrections
            .iter()
            .map(|(typed, _)| format!("“{}”", escape(typed)))
            .collect();
        lines.push(format!(
            "Did you mean {}? No briefing says {}.",
            meant.join(" "),
            typed.join(" or ")
        ));
    }
    if !found.unmatched.is_empty() {
        let words: Vec<String> = found
            .unmatched
            .iter()
            .map(|w| format!("“{}”", escape(w)))
            .collect();
        lines.push(format!("No briefing mentions {}.", words.join(" or ")));
    }
    lines.join("\n")
}

/// One result: where and when, the headline, and a snippet with the matched words in bold.
fn result_field(library: &Library, rank: usize, hit: &Hit, matched: &Matched) -> Field {
    let round = hit.round;
    let name = truncate(
        &format!("{rank}. {}", round_line(library, round)),
        limits::FIELD_NAME,
    );
    let headline = format!("**{}**", escape(&one_line(&round.title)));
    let snippet = snippet(library, round, matched).unwrap_or_else(|| {
        let summary = one_line(&round.summary);
        not_a_list(escape(&truncate(&summary, SNIPPET_CHARS)))
    });
    let value = if snippet.is_empty() {
        headline
    } else {
        format!("{headline}\n{snippet}")
    };
    Field {
        name,
        value: truncate(&value, limits::FIELD_VALUE),
    }
}

/// The buttons that open each round's card privately.
fn open_buttons(library: &Library, hits: &[Hit]) -> Vec<Button> {
    let several = library.tracks().len() > 1;
    hits.iter()
        .take(limits::BUTTONS_PER_ROW)
        .map(|hit| {
            let round = hit.round;
            let label = if several {
                format!(
                    "{} · Round {}",
                    library.track_name(&round.track),
                    round.number
                )
            } else {
                format!("Round {}", round.number)
            };
            // A label too long for Discord is cut where every label is, in `Reply::fit`.
            Button::new(label, Open::new(&round.track, round.number).to_string())
        })
        .collect()
}

/// The words that matched, by their hash as the index reads words: snippets are marked while
/// the text is read, with nothing lower-cased or copied.
struct Matched(HashSet<u64>);

impl Matched {
    fn new(words: &[String]) -> Matched {
        Matched(words.iter().map(|w| words::hash(w)).collect())
    }

    fn contains(&self, hash: u64) -> bool {
        self.0.contains(&hash)
    }

    /// Whether any word of `text` matched.
    fn any_in(&self, text: &str) -> bool {
        let mut any = false;
        words::scan_hashed(text, &mut Vec::new(), |_, _, hash, _| {
            any |= self.contains(hash);
        });
        any
    }
}

/// The first place in a round (after its headline, which the result shows whole) where a
/// matched word stands, with the words around it.
fn snippet(library: &Library, round: &Round, matched: &Matched) -> Option<String> {
    let author = library.author(&round.author).map(|a| a.name.as_str());
    let fields = round
        .key_points
        .iter()
        .map(String::as_str)
        .chain([round.summary.as_str()])
        .chain(round.status.as_deref())
        .chain(round.corrections.iter().rev().map(|c| c.note.as_str()))
        .map(Cow::Borrowed)
        .chain(round.positions.iter().flat_map(|p| {
            // A party's name alone says nothing: it is shown with its stance, and with the
            // alias that was searched for when the party was found by one.
            let alias = library
                .party(&p.party)
                .filter(|_| !matched.any_in(&p.party))
                .and_then(|party| party.aliases.iter().find(|a| matched.any_in(a)));
            let line = match alias {
                Some(alias) => format!("{} ({alias}): {}", p.party, p.stance),
                None => format!("{}: {}", p.party, p.stance),
            };
            [Cow::Owned(line)]
                .into_iter()
                .chain(p.details.as_deref().map(Cow::Borrowed))
                .chain(p.representatives.iter().map(|r| Cow::Borrowed(r.as_str())))
        }))
        .chain(round.location.as_deref().map(Cow::Borrowed))
        .chain(author.map(Cow::Borrowed))
        .chain([Cow::Borrowed(round.body.as_str())]);
    for field in fields {
        if let Some(snippet) = marked(&field, matched) {
            return Some(snippet);
        }
    }
    None
}

/// `text` around its first matched word, the matched words in bold, everything an editor
/// wrote escaped so that it shows as written (no formatting, no links).
fn marked(text: &str, matched: &Matched) -> Option<String> {
    let scanned = &text[..text.floor_char_boundary(SNIPPET_SCAN_BYTES)];
    let mut spans: Vec<(usize, usize, bool)> = Vec::new();
    words::scan_hashed(scanned, &mut Vec::new(), |start, end, hash, _| {
        spans.push((start, end, matched.contains(hash)));
    });
    let first = spans.iter().position(|s| s.2)?;
    // Start a little before the first match, at a word: at the start of its sentence when
    // that is near enough.
    let mut from = spans[first].0;
    let mut sentence = None;
    for (i, span) in spans[..first].iter().enumerate().rev() {
        if chars(&scanned[span.0..spans[first].0]) > LEAD_CHARS {
            break;
        }
        from = span.0;
        let before = i.checked_sub(1).map_or(0, |j| spans[j].1);
        if scanned[before..span.0].contains(['.', '!', '?']) {
            sentence.get_or_insert(span.0);
        }
    }
    if from == spans[0].0 {
        // The text's own start is near: show it whole, with what comes before its first word.
        from = 0;
    } else if let Some(start) = sentence {
        from = start;
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    let mut budget = SNIPPET_CHARS;
    let mut cut = false;
    for &(start, end, hit) in spans.iter().filter(|s| s.0 >= from) {
        let gap = collapsed(&scanned[at..start]);
        let word = &scanned[start..end];
        let cost = chars(&gap) + chars(word);
        if cost > budget {
            cut = true;
            break;
        }
        budget -= cost;
        out.push_str(&escape(&gap));
        if hit {
            out.push_str("**");
            out.push_str(&escape(word));
            out.push_str("**");
        } else {
            out.push_str(&escape(word));
        }
        at = end;
    }
    // The punctuation after the last word, when the snippet reaches the end.
    let tail = collapsed(&scanned[at..]);
    if !cut && chars(&tail) <= budget {
        out.push_str(&escape(tail.trim_end()));
        at = scanned.len();
    }
    if at < text.len() {
        out.push('…');
    }
    Some(not_a_list(out))
}

/// Markdown characters escaped, so that a brief's text shows as written: no bold, links,
/// spoilers, quotes or headings of its own, and no `<@…>` mention chips.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' | '@'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A line that would start a list (`- `, `+ `) escaped so that it does not.
fn not_a_list(mut line: String) -> String {
    if line.starts_with(['-', '+']) {
        line.insert(0, '\\');
    }
    line
}

/// Runs of whitespace (line breaks included) as single spaces.
fn collapsed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Whitespace (line breaks included) collapsed to single spaces, ends trimmed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A query as quoted back in a notice: escaped and not too long.
fn quoted(query: &str) -> String {
    escape(&truncate(query, 80))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(words: &[&str]) -> Matched {
        Matched::new(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_snippet_marks_the_matched_words_and_shows_the_rest_as_written() {
        let text = "After a long day of statements by every delegation, the sides met in Paris. \
                    Talks on the **economic** zone and @everyone <@123> went on late; the \
                    economic zone was not agreed.";
        let snippet = marked(text, &matched(&["economic", "zone"])).expect("a match");
        assert!(snippet.starts_with('…'), "{snippet}");
        assert!(snippet.ends_with("**zone** was not agreed."), "{snippet}");
        assert!(
            snippet.contains("\\*\\***economic**\\*\\* **zone**"),
            "{snippet}"
        );
        assert!(snippet.contains("\\@everyone \\<\\@123\\>"), "{snippet}");
        assert!(chars(&snippet) <= SNIPPET_CHARS + 80, "{snippet}");
    }

    #[test]
    fn a_snippet_of_a_huge_field_costs_no_more_than_its_first_part() {
        let text = "word ".repeat(40_000) + "needle";
        assert_eq!(marked(&text, &matched(&["needle"])), None);
        let text = "needle ".to_string() + &"x".repeat(100_000);
        let snippet = marked(&text, &matched(&["needle"])).expect("a match");
        assert!(chars(&snippet) < SNIPPET_CHARS + 10, "{}", chars(&snippet));
    }

    #[test]
    fn queries_are_read_as_one_line() {
        assert_eq!(one_line("  economic\n\tzone  "), "economic zone");
    }
}
