//! Discord's Markdown subset as HTML, for text a brief controls: everything is HTML-escaped
//! first and only then marked up, so no brief can put a tag, an attribute or a script on the page.

/// `text` (an embed's description, a field's value, a message's content) as Discord renders it.
pub(crate) fn to_html(text: &str) -> String {
    // NUL marks the inline code spans set aside below; a brief's own NULs are dropped.
    let text = text.replace('\0', "");
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    let mut paragraph: Vec<&str> = Vec::new();
    while let Some(line) = lines.next() {
        if let Some(language) = line.trim_start().strip_prefix("```") {
            flush_paragraph(&mut out, &mut paragraph);
            // A one-line block (```code```) or one that runs to its closing fence.
            if let Some(inside) = language.strip_suffix("```") {
                code_block(&mut out, inside);
                continue;
            }
            let mut code = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_end().ends_with("```") {
                    code.push(inner.trim_end().trim_end_matches("```"));
                    break;
                }
                code.push(inner);
            }
            code_block(&mut out, code.join("\n").trim_matches('\n'));
            continue;
        }
        if let Some(rest) = line.strip_prefix(">>> ") {
            // Discord quotes everything from `>>> ` to the end of the text.
            flush_paragraph(&mut out, &mut paragraph);
            let mut quoted = vec![rest];
            quoted.extend(lines.by_ref());
            quote(&mut out, &quoted.join("\n"));
            continue;
        }
        if let Some(rest) = quote_line(line) {
            flush_paragraph(&mut out, &mut paragraph);
            let mut quoted = vec![rest];
            while let Some(next) = lines.peek().copied().and_then(quote_line) {
                quoted.push(next);
                lines.next();
            }
            quote(&mut out, &quoted.join("\n"));
            continue;
        }
        if let Some((level, rest)) = heading(line) {
            flush_paragraph(&mut out, &mut paragraph);
            out.push_str(&format!("<h{level}>{}</h{level}>", inline(rest)));
            continue;
        }
        if let Some((number, first)) = list_item(line) {
            flush_paragraph(&mut out, &mut paragraph);
            let ordered = number.is_some();
            let mut items = vec![first];
            while let Some((_, item)) = lines
                .peek()
                .copied()
                .and_then(list_item)
                .filter(|(n, _)| n.is_some() == ordered)
            {
                items.push(item);
                lines.next();
            }
            // A list numbered from its first item's number, as Discord numbers it: search
            // results are one-item lists in fields of their own, `1.`, `2.`, `3.`.
            match number {
                Some(1) | None => out.push_str(if ordered { "<ol>" } else { "<ul>" }),
                Some(start) => out.push_str(&format!("<ol start=\"{start}\">")),
            }
            let tag = if ordered { "ol" } else { "ul" };
            for item in items {
                out.push_str(&format!("<li>{}</li>", inline(item)));
            }
            out.push_str(&format!("</{tag}>"));
            continue;
        }
        paragraph.push(line);
    }
    flush_paragraph(&mut out, &mut paragraph);
    out
}

fn flush_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if paragraph.is_empty() {
        return;
    }
    let lines: Vec<String> = paragraph.drain(..).map(inline).collect();
    out.push_str(&format!("<p>{}</p>", lines.join("<br>")));
}

fn code_block(out: &mut String, code: &str) {
    out.push_str(&format!("<pre><code>{}</code></pre>", escape(code)));
}

fn quote(out: &mut String, text: &str) {
    out.push_str(&format!("<blockquote>{}</blockquote>", to_html(text)));
}

/// The text of a `> ` line (Discord wants the space).
fn quote_line(line: &str) -> Option<&str> {
    line.strip_prefix("> ").or((line == ">").then_some(""))
}

/// `# `, `## ` and `### ` headings, the ones Discord renders.
fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    let rest = line[hashes..].strip_prefix(' ')?;
    ((1..=3).contains(&hashes) && !rest.trim().is_empty()).then_some((hashes, rest))
}

/// A list item: `- x`, `* x` (unordered: no number) or `2. x` (ordered: its number).
fn list_item(line: &str) -> Option<(Option<u32>, &str)> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("- ").or(trimmed.strip_prefix("* ")) {
        return Some((None, rest));
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let rest = trimmed[digits..].strip_prefix(". ")?;
    let number = trimmed[..digits].parse::<u32>().ok()?;
    Some((Some(number), rest))
}

/// The inline marks of one line: code spans, masked links, bold, underline, italics,
/// strike-through and spoilers, on text escaped first.
fn inline(line: &str) -> String {
    // Code spans are set aside before anything else: nothing inside them is marked up.
    let mut spans = Vec::new();
    let mut rest = line;
    let mut text = String::new();
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`').filter(|len| *len > 0) else {
            break;
        };
        text.push_str(&rest[..start]);
        text.push_str(&format!("\0{}\0", spans.len()));
        spans.push(format!(
            "<code>{}</code>",
            escape(&rest[start + 1..start + 1 + len])
        ));
        rest = &rest[start + 1 + len + 1..];
    }
    text.push_str(rest);
    // Links are set aside too, so that no mark is ever applied inside an address.
    let html = marks(&links(&escape(&text), &mut spans));
    // Links come after code spans in `spans`, and a link's label may hold a code span:
    // put the links back first.
    let mut html = html;
    for (i, span) in spans.iter().enumerate().rev() {
        html = html.replacen(&format!("\0{i}\0"), span, 1);
    }
    html
}

/// Bold, underline, strike-through, spoilers and italics, on escaped text.
fn marks(escaped: &str) -> String {
    let mut html = escaped.to_string();
    for (mark, tag) in [
        ("**", "strong"),
        ("__", "u"),
        ("~~", "s"),
        ("||", "span class=\"spoiler\""),
        ("*", "em"),
    ] {
        html = pairs(&html, mark, tag);
    }
    underscore_italics(&html)
}

/// Each `mark…mark` around non-empty text as `<tag>…</tag>`, left to right.
fn pairs(text: &str, mark: &str, tag: &str) -> String {
    let close_tag = tag.split(' ').next().unwrap_or(tag);
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(mark) {
        let after = &rest[start + mark.len()..];
        let Some(len) = after.find(mark).filter(|len| *len > 0) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&format!("<{tag}>{}</{close_tag}>", &after[..len]));
        rest = &after[len + mark.len()..];
    }
    out.push_str(rest);
    out
}

/// `_italics_`, but not the underscores inside a word (`snake_case`), as Discord reads them.
fn underscore_italics(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('_') {
        let before_ok = rest[..start]
            .chars()
            .last()
            .or_else(|| out.chars().last())
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &rest[start + 1..];
        let close = after.find('_').filter(|len| {
            *len > 0
                && after[len + 1..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        });
        match close {
            Some(len) if before_ok => {
                out.push_str(&rest[..start]);
                out.push_str(&format!("<em>{}</em>", &after[..len]));
                rest = &after[len + 1..];
            }
            _ => {
                out.push_str(&rest[..start + 1]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Masked links `[text](https://…)` in escaped text, each set aside in `spans` (its label
/// marked up) and left as a placeholder; only http and https addresses become links (a
/// `javascript:` one stays text). The address is already escaped, so it can close neither
/// the attribute nor the tag.
fn links(escaped: &str, spans: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = escaped;
    while let Some(open) = rest.find('[') {
        let candidate = &rest[open + 1..];
        let parsed = candidate.find("](").and_then(|close| {
            let label = &candidate[..close];
            let target = &candidate[close + 2..];
            let end = target.find(')')?;
            let url = &target[..end];
            let safe = (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(char::is_whitespace)
                && !label.is_empty();
            safe.then_some((label, url, close + 2 + end + 1))
        });
        match parsed {
            Some((label, url, used)) => {
                out.push_str(&rest[..open]);
                out.push_str(&format!("\0{}\0", spans.len()));
                spans.push(format!(
                    "<a href=\"{url}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a>",
                    marks(label)
                ));
                rest = &candidate[used..];
            }
            None => {
                out.push_str(&rest[..open + 1]);
                rest = candidate;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` safe inside an element or a double-quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_in_a_brief_stays_text() {
        let html = to_html("<script>alert(1)</script> **<b>x</b>**");
        assert_eq!(
            html,
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>&lt;b&gt;x&lt;/b&gt;</strong></p>"
        );
    }

    #[test]
    fn discords_inline_marks_are_rendered() {
        assert_eq!(
            to_html("**bold** *it* _it_ __under__ ~~gone~~ `a*b*` snake_case"),
            "<p><strong>bold</strong> <em>it</em> <em>it</em> <u>under</u> <s>gone</s> \
             <code>a*b*</code> snake_case</p>"
        );
    }

    #[test]
    fn only_web_links_are_links() {
        assert_eq!(
            to_html("[memo](https://example.org/a?b=1&c=\"2\") [x](javascript:alert(1))"),
            "<p><a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\" \
             rel=\"noopener noreferrer\" target=\"_blank\">memo</a> [x](javascript:alert(1))</p>"
        );
    }

    #[test]
    fn no_mark_is_applied_inside_an_address() {
        assert_eq!(
            to_html("[**see** `x`](https://a.org/||b||_c_**d**) after"),
            "<p><a href=\"https://a.org/||b||_c_**d**\" rel=\"noopener noreferrer\" \
             target=\"_blank\"><strong>see</strong> <code>x</code></a> after</p>"
        );
    }

    #[test]
    fn blocks_are_rendered() {
        assert_eq!(
            to_html("# Head\n- one\n- two\n1. first\n> quoted\n> more\n```\n<x>\n```\nend"),
            "<h1>Head</h1><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>\
             <blockquote><p>quoted<br>more</p></blockquote><pre><code>&lt;x&gt;</code></pre>\
             <p>end</p>"
        );
    }

    #[test]
    fn an_ordered_list_counts_from_its_first_number() {
        assert_eq!(to_html("2. second"), "<ol start=\"2\"><li>second</li></ol>");
        assert_eq!(
            to_html("1. one\n2. two"),
            "<ol><li>one</li><li>two</li></ol>"
        );
    }
}
