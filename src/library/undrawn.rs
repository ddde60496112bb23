//! Markdown that Discord does not draw: a table, an image, HTML, a heading below `###`. A
//! brief's briefing is shown on its More pages as Discord renders Markdown, so these would
//! show to members as raw `|`, `![…](…)`, `<b>` and `####`. They are warnings, not mistakes:
//! the round is still served, and `check` says where each is and what to write instead.
//! Fenced code blocks are left alone: what is inside them is meant to show as written.

use std::ops::Range;

/// One construct Discord does not draw: where it is (a range of the text given), what it is,
/// and what to write instead.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Undrawn {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// Every construct in `body` (Markdown) that Discord shows raw, in reading order; spans are
/// offsets into `body`. A table is reported once, at its header.
pub(crate) fn find(body: &str) -> Vec<Undrawn> {
    let mut found = Vec::new();
    // Every construct needs one of these: most briefings have none, and are passed over in
    // one look at their bytes rather than line by line (a load reads thousands).
    let maybe = body.bytes().any(|b| matches!(b, b'|' | b'<' | b'!')) || body.contains("####");
    if !maybe {
        return found;
    }
    let mut in_fence = false;
    let mut start = 0;
    let lines: Vec<Range<usize>> = body
        .split_inclusive('\n')
        .map(|line| {
            let range = start..start + line.trim_end_matches(['\n', '\r']).len();
            start += line.len();
            range
        })
        .collect();
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        let text = &body[line.clone()];
        if text.trim_start().starts_with("```") {
            in_fence = !in_fence;
            index += 1;
            continue;
        }
        if in_fence {
            index += 1;
            continue;
        }
        if let Some(next) = lines.get(index + 1)
            && is_table_row(text)
            && is_delimiter_row(&body[next.clone()])
        {
            found.push(Undrawn {
                span: line.start..line.start + text.trim_end().len(),
                message: "Discord does not draw tables: members would see this table as lines of `|` and `-`".to_string(),
                help: "write each row as a list item instead, such as `- **Israel**: withdrawal in stages`".to_string(),
            });
            // The rest of the table is the same mistake.
            index += 2;
            while lines
                .get(index)
                .is_some_and(|l| is_table_row(&body[l.clone()]))
            {
                index += 1;
            }
            continue;
        }
        if let Some(heading) = deep_heading(text) {
            let lead = text.len() - text.trim_start().len();
            found.push(Undrawn {
                span: line.start + lead..line.start + lead + heading,
                message: format!(
                    "Discord draws headings down to `###`; a `{}` heading shows as written, hashes and all",
                    "#".repeat(heading)
                ),
                help: format!(
                    "use `###`, or bold text on a line of its own: `**{}**`",
                    text.trim_start()[heading..].trim()
                ),
            });
        }
        for (at, len, alt, url) in images(text) {
            found.push(Undrawn {
                span: line.start + at..line.start + at + len,
                message:
                    "Discord does not show images in a card's text: members would see `![…](…)`"
                        .to_string(),
                help: format!(
                    "link to it instead: `[{}]({url})`",
                    if alt.is_empty() { "the image" } else { alt }
                ),
            });
        }
        for (at, tag) in html_tags(text) {
            found.push(Undrawn {
                span: line.start + at..line.start + at + tag.len(),
                message: format!("Discord does not draw HTML: members would see `{tag}` as written"),
                help: "use Markdown: `**bold**`, `*italic*`, `[a link](https://…)`, a blank line for a new paragraph".to_string(),
            });
        }
        index += 1;
    }
    found
}

/// `| a | b |` or `a | b`: a line with a cell separator outside code.
fn is_table_row(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && line.contains('|') && !line.starts_with('`')
}

/// `|---|:---:|`, `--- | ---`: the line under a table's header.
fn is_delimiter_row(line: &str) -> bool {
    let line = line.trim().trim_matches('|');
    line.contains('-')
        && line.split('|').all(|cell| {
            let cell = cell.trim().trim_matches(':');
            cell.len() >= 3 && cell.chars().all(|c| c == '-')
        })
}

/// The number of `#` of a heading below `###` (`####` to `######`, then a space).
fn deep_heading(line: &str) -> Option<usize> {
    let line = line.trim_start();
    let hashes = line.chars().take_while(|&c| c == '#').count();
    let rest = &line[hashes..];
    ((4..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(hashes)
}

/// Each `![alt](url)` in `line`, outside code spans: (offset, length, alt, url).
fn images(line: &str) -> Vec<(usize, usize, &str, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find("![").map(|i| from + i) {
        from = at + 2;
        if in_code_span(line, at) {
            continue;
        }
        let Some(close) = line[at + 2..].find("](").map(|i| at + 2 + i) else {
            continue;
        };
        let Some(end) = line[close + 2..].find(')').map(|i| close + 2 + i) else {
            continue;
        };
        found.push((
            at,
            end + 1 - at,
            &line[at + 2..close],
            &line[close + 2..end],
        ));
        from = end + 1;
    }
    found
}

/// Each HTML tag in `line` (`<b>`, `</b>`, `<br/>`, `<span class="x">`), outside code spans.
/// Discord's own `<@123>`, `<#123>`, `<t:…>` and `<https://…>` are not tags.
fn html_tags(line: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find('<').map(|i| from + i) {
        from = at + 1;
        let Some(end) = line[at..].find('>').map(|i| at + i) else {
            break;
        };
        let tag = &line[at..=end];
        if is_html_tag(tag) && !in_code_span(line, at) {
            found.push((at, tag));
            from = end + 1;
        }
    }
    found
}

/// `<name …>`, `</name>` or `<name/>`, where name is letters and digits starting with a
/// letter, and what follows it is a space, `/` or the end.
fn is_html_tag(tag: &str) -> bool {
    let inner = &tag[1..tag.len() - 1];
    let inner = inner.strip_prefix('/').unwrap_or(inner);
    let name_len = inner
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(inner.len(), |(i, _)| i);
    let (name, rest) = inner.split_at(name_len);
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && (rest.is_empty() || rest.starts_with([' ', '/']))
}

/// Whether byte `at` of `line` is inside a `code span` (an odd number of backticks before it).
fn in_code_span(line: &str, at: usize) -> bool {
    line[..at].matches('`').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(body: &str) -> Vec<(String, &str)> {
        find(body)
            .into_iter()
            .map(|u| (u.message, &body[u.span]))
            .collect()
    }

    #[test]
    fn a_table_is_reported_once_at_its_header() {
        let body = "Intro.\n\n| Party | Stance |\n|---|:---:|\n| Israel | wait |\n| Syria | now |\n\nAfter.\n";
        let found = messages(body);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "| Party | Stance |");
        assert!(found[0].0.starts_with("Discord does not draw tables"));
    }

    #[test]
    fn images_html_and_deep_headings_are_reported_where_they_are() {
        let body = "#### Background\n\nSee ![the map](https://example.org/map.png) and <b>this</b>.\n### Fine\n";
        let found = messages(body);
        let spans: Vec<&str> = found.iter().map(|(_, span)| *span).collect();
        assert_eq!(
            spans,
            [
                "####",
                "![the map](https://example.org/map.png)",
                "<b>",
                "</b>"
            ]
        );
        let help = find(body).remove(0).help;
        assert_eq!(
            help,
            "use `###`, or bold text on a line of its own: `**Background**`"
        );
    }

    #[test]
    fn what_discord_draws_or_code_shows_as_written_passes() {
        let body = "### Heading\n\nA link <https://example.org>, a mention <@123>, <t:1700000000:R>.\nA pipe | in prose.\nCode: `<b>` and `![x](y)`.\n\n```\n| a | b |\n|---|---|\n<div>\n#### not a heading\n```\n5 < 6 > 4\n";
        assert_eq!(messages(body), Vec::<(String, &str)>::new());
    }
}
