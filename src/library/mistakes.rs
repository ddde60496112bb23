//! The mistakes editors make most, coming from a word processor or from Hugo: typographic
//! quotes, dates written as people write them, a missing comma in a list, `key: value` and
//! YAML front matter. A TOML parser's message for them ("string values must be quoted")
//! sends the editor the wrong way, so they are recognised on the line where the parser
//! stopped and named with what to write instead. Pure text in, messages out.

use std::ops::Range;

use super::date::{Date, MONTHS};

/// A recognised mistake: where it is in the text given, what it is, and what to write.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Mistake {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) help: String,
    /// The text as if the editor had made the fix, so `check` reads on and reports the rest
    /// of the file in the same run.
    pub(crate) fix: Option<Fix>,
    /// What it is, for the callers that treat one kind apart (a YAML front matter's colons).
    pub(crate) kind: Kind,
}

/// The kinds of slip `check` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    MissingComma,
    UnclosedList,
    TypographicQuote,
    ColonForEquals,
    OtherDateFormat,
    Dash,
    InvisibleSpace,
    YamlFences,
}

/// A replacement of `range` of the text by `with`: the slip as the editor would fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    pub(crate) range: Range<usize>,
    pub(crate) with: String,
}

/// The common mistake behind the TOML parser's error at byte `at` of `toml`, if it is one.
/// `parser_message` is the parser's own message, which tells a missing comma apart.
pub(crate) fn behind_syntax_error(toml: &str, at: usize, parser_message: &str) -> Option<Mistake> {
    let at = toml.floor_char_boundary(at);
    if parser_message.contains("missing comma") {
        return missing_comma(toml, at);
    }
    let line = line_around(toml, at);
    invisible_space(toml, line.clone())
        .or_else(|| typographic_quote(toml, line.clone()))
        .or_else(|| colon_for_equals(toml, line.clone()))
        .or_else(|| dash_in_date(toml, line.clone()))
        .or_else(|| date_in_other_format(toml, line))
}

/// A front matter between `---` lines, as Hugo and Jekyll write it. `text` is the whole
/// file, whose first line is `---`.
pub(crate) fn yaml_front_matter(text: &str) -> Mistake {
    let lines: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .take_while(|line| line.trim_end() != "---")
        .filter_map(yaml_line_as_toml)
        .collect();
    // The first line whose value needs quotes shows the change best.
    let example = lines
        .iter()
        .find(|(_, toml)| toml.contains('"'))
        .or(lines.first());
    let keys = match example {
        Some((yaml, toml)) => format!(
            "; write each `key: value` as `key = value`, text in double quotes: `{yaml}` becomes `{toml}`"
        ),
        _ => String::new(),
    };
    Mistake {
        span: 0..3,
        message: "this front matter is YAML (`---` lines, as Hugo and Jekyll write it); a brief's front matter is TOML between `+++` lines".to_string(),
        help: format!("replace both `---` lines with `+++`{keys}"),
        fix: None,
        kind: Kind::YamlFences,
    }
}

/// What to write for a date given as `written` under `key` when it reads as a date in some
/// other format (`06/02/2026`, `6 January 2026`, or ISO in quotes): every reading of it.
pub(crate) fn date_help(key: &str, written: &str) -> Option<String> {
    match readings(written.trim())?.as_slice() {
        [one] => Some(format!("write `{key} = {one}`, without quotes")),
        [first, second] => Some(format!(
            "write `{key} = {first}` for {}, or `{key} = {second}` for {}, without quotes",
            spoken(first),
            spoken(second)
        )),
        _ => None,
    }
}

/// `missing comma between array elements`: either a comma is missing on a list's line, or
/// the list was never closed and the parser stopped at the next key.
fn missing_comma(toml: &str, at: usize) -> Option<Mistake> {
    let before = toml[..at].trim_end();
    let after_item = before.len();
    let item_line = line_around(toml, after_item.saturating_sub(1));
    let stopped_line = line_around(toml, at);
    let item_text = toml[item_line.clone()].trim();
    if starts_key_or_section(&toml[stopped_line]) && item_line.end <= at {
        return Some(Mistake {
            span: after_item..after_item,
            message: "this list is never closed: a `]` is missing".to_string(),
            help: format!("end the list with `]`: `{item_text}]`"),
            fix: Some(Fix {
                range: after_item..after_item,
                with: "]".to_string(),
            }),
            kind: Kind::UnclosedList,
        });
    }
    let column = after_item - item_line.start;
    let fixed = with_commas(&toml[item_line.clone()], column);
    let fix = Some(Fix {
        range: item_line.clone(),
        with: fixed.clone(),
    });
    // In a list written one item a line, the comma goes at the end of the item's line.
    let help = if after_item == item_line.start + toml[item_line].trim_end().len() {
        format!("end the item's line with a comma: `{}`", fixed.trim())
    } else {
        format!("separate list items with commas: `{}`", fixed.trim())
    };
    Some(Mistake {
        span: after_item..after_item,
        message: "a comma is missing between list items".to_string(),
        help,
        fix,
        kind: Kind::MissingComma,
    })
}

/// A “curly”, ‘curly’ or „German“ quote where TOML needs a straight `"`.
fn typographic_quote(toml: &str, line: Range<usize>) -> Option<Mistake> {
    let text = &toml[line.clone()];
    let (at, fixed) = straighten_quotes(text)?;
    let quote = text[at..].chars().next()?;
    let start = line.start + at;
    Some(Mistake {
        span: start..start + quote.len_utf8(),
        message: format!(
            "`{quote}` is a typographic quote; TOML text needs straight double quotes `\"`"
        ),
        help: format!(
            "word processors curl quotes as you type; write straight ones: `{}`",
            fixed.trim()
        ),
        fix: Some(Fix {
            range: line,
            with: fixed,
        }),
        kind: Kind::TypographicQuote,
    })
}

/// `location: "Geneva"`: YAML's colon where TOML has `=`.
fn colon_for_equals(toml: &str, line: Range<usize>) -> Option<Mistake> {
    let text = &toml[line.clone()];
    let (_, fixed) = yaml_line_as_toml(text)?;
    let colon = text.find(':')?;
    Some(Mistake {
        span: line.start + colon..line.start + colon + 1,
        message: "a key and its value are joined by `=` in TOML, not `:`".to_string(),
        help: format!("write `{fixed}`"),
        fix: Some(Fix {
            range: line,
            with: fixed,
        }),
        kind: Kind::ColonForEquals,
    })
}

/// `date = 06/02/2026`, `date = 6 January 2026`, `publish_at = 07/12/2026 10:00`: a date (and
/// time) as people write them, which TOML reads as a number followed by something else.
fn date_in_other_format(toml: &str, line: Range<usize>) -> Option<Mistake> {
    let text = &toml[line.clone()];
    let (key, value) = text.split_once('=')?;
    let key = key.trim();
    let value_text = value.split('#').next().unwrap_or_default();
    let written = value_text.trim();
    if !is_bare_key(key) || written.starts_with(['"', '\'']) {
        return None;
    }
    let (day, time) = split_time(written);
    let found = readings(day)?;
    let start = line.start + key_end(text) + value_text.len() - value_text.trim_start().len();
    let span = start..start + written.len();
    let moment = |date: &Date| match &time {
        Some(time) if key == PUBLISH_AT => format!("{date}T{time}"),
        _ => date.to_string(),
    };
    let at = match &time {
        Some(time) => format!(", at {}", time.clock),
        None => String::new(),
    };
    let format = match &time {
        Some(_) if key == PUBLISH_AT => {
            "a date and time is written year-month-day, `T`, then the time and its offset from UTC, in TOML"
        }
        _ => "a date is written year-month-day in TOML",
    };
    let message = match found.as_slice() {
        [one] => format!("{format}: `{written}` is {}", moment(one)),
        [first, second] => format!(
            "`{written}` could be {} or {}{at}; {format}",
            spoken(first),
            spoken(second)
        ),
        _ => return None,
    };
    let mut help = match found.as_slice() {
        [one] => format!("write `{key} = {}`, without quotes", moment(one)),
        [first, second] => format!(
            "write `{key} = {}` for {}, or `{key} = {}` for {}, without quotes",
            moment(first),
            spoken(first),
            moment(second),
            spoken(second)
        ),
        _ => return None,
    };
    match &time {
        Some(time) if key == PUBLISH_AT && !time.had_offset => help.push_str(
            "; `Z` is UTC: for another zone, write its offset instead, such as `+01:00` for Paris in winter",
        ),
        Some(_) if key != PUBLISH_AT => help.push_str(&format!("; `{key}` is a day, with no time")),
        _ => {}
    }
    let fix = Fix {
        range: span.clone(),
        with: found.first().map(moment)?,
    };
    Some(Mistake {
        span,
        message,
        help,
        fix: Some(fix),
        kind: Kind::OtherDateFormat,
    })
}

/// The key whose value is a moment (a date, a time and an offset), not a day.
const PUBLISH_AT: &str = "publish_at";

/// A time of day as written after a date: `10:00`, `9:30:15`, `10:00Z`, `10:00 +01:00`.
struct Time {
    /// As TOML writes it: `10:00:00Z`, `09:30:15+01:00`.
    toml: String,
    /// As written, for the message: `10:00`.
    clock: String,
    had_offset: bool,
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.toml)
    }
}

/// `written` as a day and the time after it, when it ends with one.
fn split_time(written: &str) -> (&str, Option<Time>) {
    let words: Vec<&str> = written.split_whitespace().collect();
    let (offset, clock_at) = match words.as_slice() {
        [.., clock, offset] if is_offset(offset) => (Some(*offset), words.len() - 2),
        [..] => (None, words.len().wrapping_sub(1)),
    };
    let Some(clock) = words.get(clock_at).filter(|_| clock_at > 0) else {
        return (written, None);
    };
    let (clock, attached) = match clock.find(['Z', 'z', '+']) {
        Some(at) => (&clock[..at], Some(&clock[at..])),
        None => (*clock, None),
    };
    let Some(hms) = clock_time(clock) else {
        return (written, None);
    };
    let offset = match attached.or(offset) {
        Some(z) if z.eq_ignore_ascii_case("z") || z.eq_ignore_ascii_case("utc") => {
            Some("Z".to_string())
        }
        Some(offset) if is_offset(offset) => Some(offset.to_string()),
        Some(_) => return (written, None),
        None => None,
    };
    let day_end = written.find(words[clock_at]).unwrap_or(written.len());
    let time = Time {
        toml: format!("{hms}{}", offset.as_deref().unwrap_or("Z")),
        clock: clock.to_string(),
        had_offset: offset.is_some(),
    };
    (written[..day_end].trim_end(), Some(time))
}

/// `+01:00`, `-05:00`, `UTC`, `Z`.
fn is_offset(word: &str) -> bool {
    if word.eq_ignore_ascii_case("z") || word.eq_ignore_ascii_case("utc") {
        return true;
    }
    let Some(rest) = word.strip_prefix(['+', '-']) else {
        return false;
    };
    let bytes = rest.as_bytes();
    bytes.len() == 5
        && bytes[2] == b':'
        && rest.replace(':', "").bytes().all(|b| b.is_ascii_digit())
}

/// `10:00` → `10:00:00`, `9:30:15` → `09:30:15`; none for what is no time of day.
fn clock_time(clock: &str) -> Option<String> {
    let parts: Vec<u32> = clock
        .split(':')
        .map(|p| {
            (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()?;
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, sec] => (*h, *m, *sec),
        _ => return None,
    };
    (h < 24 && m < 60 && sec < 60).then(|| format!("{h:02}:{m:02}:{sec:02}"))
}

/// `date = 2026–01–06`: an en dash, an em dash or a minus sign (word processors' "smart"
/// dashes) between a date's parts, where TOML needs the hyphen `-`.
fn dash_in_date(toml: &str, line: Range<usize>) -> Option<Mistake> {
    let text = &toml[line.clone()];
    let (key, value) = text.split_once('=')?;
    let value_at = key.len() + 1;
    let dash_at = value.find(is_dash)?;
    let dash = value[dash_at..].chars().next()?;
    let hyphened = with_hyphens(value);
    let plain = hyphened.split('#').next().unwrap_or_default().trim();
    // Only a date (and time) is named so; a dash elsewhere is for the parser's message.
    let bare = plain.trim_matches('"');
    if bare.parse::<toml::value::Datetime>().is_err() {
        readings(split_time(bare).0)?;
    }
    let start = line.start + value_at + dash_at;
    let name = match dash {
        '–' => "an en dash",
        '—' => "an em dash",
        '−' => "a minus sign",
        _ => "a typographic hyphen",
    };
    let fixed = format!("{} = {}", key.trim(), plain);
    let fixed_line = format!("{}{hyphened}", &text[..value_at]);
    Some(Mistake {
        span: start..start + dash.len_utf8(),
        message: format!("`{dash}` is {name}; the parts of a date are joined by the hyphen `-`"),
        help: format!("word processors turn hyphens into dashes as you type; write `{fixed}`"),
        fix: Some(Fix {
            range: line,
            with: fixed_line,
        }),
        kind: Kind::Dash,
    })
}

/// `text` with each dash a word processor may have put for a hyphen turned back into one.
fn with_hyphens(text: &str) -> String {
    text.chars()
        .map(|c| if is_dash(c) { '-' } else { c })
        .collect()
}

fn is_dash(c: char) -> bool {
    matches!(c, '–' | '—' | '−' | '‐' | '‑' | '‒')
}

/// A non-breaking or other invisible space outside quotes, where TOML needs a plain space
/// (or nothing): word processors put one after `=` or before `:`, and it cannot be seen.
fn invisible_space(toml: &str, line: Range<usize>) -> Option<Mistake> {
    let text = &toml[line.clone()];
    let (at, c, name) =
        outside_strings(text).find_map(|(at, c)| invisible_name(c).map(|name| (at, c, name)))?;
    let code = format!("U+{:04X}", u32::from(c));
    let shown = format!("{}⟨{code}⟩{}", &text[..at], &text[at + c.len_utf8()..]);
    // Every invisible character outside quotes on the line, fixed at once; inside quotes
    // (a French title's non-breaking spaces) they are the editor's typography and stay.
    let mut fixed = text.to_string();
    let outside: Vec<(usize, char)> = outside_strings(text)
        .filter(|&(_, ch)| invisible_name(ch).is_some())
        .collect();
    for &(at, ch) in outside.iter().rev() {
        let with = if is_zero_width(ch) { "" } else { " " };
        fixed.replace_range(at..at + ch.len_utf8(), with);
    }
    let start = line.start + at;
    Some(Mistake {
        span: start..start + c.len_utf8(),
        message: format!(
            "an invisible character, {name} ({code}), is here: `{}`; TOML reads only plain spaces between a key, `=` and the value",
            shown.trim()
        ),
        help: if is_zero_width(c) {
            format!("delete it: `{}`", fixed.trim())
        } else {
            format!("delete it and type a plain space: `{}`", fixed.trim())
        },
        fix: Some(Fix {
            range: line,
            with: fixed,
        }),
        kind: Kind::InvisibleSpace,
    })
}

/// The characters of `line` outside straight-quoted strings and before a comment, with
/// their byte offsets.
fn outside_strings(line: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    line.char_indices().filter(move |&(_, c)| {
        if comment {
            return false;
        }
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                false
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                    false
                } else if c == '#' {
                    comment = true;
                    false
                } else {
                    true
                }
            }
        }
    })
}

/// The name of a space or mark that shows as nothing (or as an ordinary space).
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{a0}' => "a non-breaking space",
        '\u{202f}' => "a narrow non-breaking space",
        '\u{2007}' => "a figure space",
        '\u{2009}' => "a thin space",
        '\u{200a}' => "a hair space",
        '\u{2002}' => "an en space",
        '\u{2003}' => "an em space",
        '\u{2004}'..='\u{2006}' | '\u{2008}' => "a typographic space",
        '\u{3000}' => "an ideographic space",
        '\u{200b}' => "a zero-width space",
        '\u{200c}' => "a zero-width non-joiner",
        '\u{200d}' => "a zero-width joiner",
        '\u{2060}' => "a word joiner",
        '\u{feff}' => "a zero-width no-break space",
        '\u{ad}' => "a soft hyphen",
        '\u{200e}' => "a left-to-right mark",
        '\u{200f}' => "a right-to-left mark",
        _ => return None,
    })
}

/// The invisible characters that take no room: deleted, not turned into a space.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'
            | '\u{200c}'
            | '\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{ad}'
            | '\u{200e}'
            | '\u{200f}'
    )
}

/// Where the `=` of a `key = value` line is, so the value's offset can be found.
fn key_end(line: &str) -> usize {
    line.find('=').map_or(0, |i| i + 1)
}

/// `6 February 2026`: unambiguous in every convention, for offering both readings.
fn spoken(date: &Date) -> String {
    date.written().to_string()
}

/// Every day `written` can mean: one, or two when day and month could be either way round
/// (`06/02/2026`). None when it is not a date, or names a day the calendar lacks.
fn readings(written: &str) -> Option<Vec<Date>> {
    // A word processor's dashes read as the hyphens they stand for.
    let written = with_hyphens(written);
    let written = written.as_str();
    numeric_readings(written).or_else(|| worded_reading(written).map(|day| vec![day]))
}

/// `06/02/2026`, `06.02.2026`, `6-2-2026`, `2026/02/06`, and ISO `2026-02-06` itself.
fn numeric_readings(written: &str) -> Option<Vec<Date>> {
    let separator = written.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<&str> = written.split(separator).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (na, nb, nc) = (number(a)?, number(b)?, number(c)?);
    if a.len() == 4 {
        return Date::new(na, nb, nc).map(|day| vec![day]);
    }
    if c.len() != 4 {
        // A two-digit year leaves the century to a guess; the generic message does better.
        return None;
    }
    let day_first = Date::new(nc, nb, na);
    let month_first = Date::new(nc, na, nb);
    let found: Vec<Date> = match (day_first, month_first) {
        (Some(d), Some(m)) if d == m => vec![d],
        (d, m) => d.into_iter().chain(m).collect(),
    };
    (!found.is_empty()).then_some(found)
}

/// `6 January 2026`, `6th Jan. 2026`, `January 6, 2026`: a month by name is never ambiguous.
fn worded_reading(written: &str) -> Option<Date> {
    let words: Vec<&str> = written
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let [first, second, year] = words.as_slice() else {
        return None;
    };
    let year: u32 = year.parse().ok().filter(|_| year.len() == 4)?;
    let (day, month) = match (day_of_month(first), month_named(second)) {
        (Some(day), Some(month)) => (day, month),
        _ => (day_of_month(second)?, month_named(first)?),
    };
    Date::new(year, month, day)
}

/// `6`, `06`, `6th`, `1st`.
fn day_of_month(word: &str) -> Option<u32> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.');
    let suffix = &word[digits.len()..];
    let suffix_ok = matches!(
        suffix.to_ascii_lowercase().as_str(),
        "" | "st" | "nd" | "rd" | "th" | "."
    );
    (suffix_ok && (1..=2).contains(&digits.len()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// `January`, `Jan`, `Jan.`, `Sept` → 1-based month.
fn month_named(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    let word = if word == "sept" {
        "sep".to_string()
    } else {
        word
    };
    MONTHS
        .iter()
        .position(|name| name.to_ascii_lowercase().starts_with(&word))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Opening and closing quotes of word processors and of typography in several languages.
fn is_typographic_quote(c: char) -> bool {
    matches!(
        c,
        '“' | '”' | '„' | '‟' | '‘' | '’' | '‚' | '‛' | '«' | '»' | '″'
    )
}

/// Where the first typographic quote that TOML stumbles on sits in `line`, and the line
/// with straight quotes. Curly quotes inside a properly quoted text are the editor's
/// typography and stay; an apostrophe (`Syria’s`) inside curly quotes stays too.
fn straighten_quotes(line: &str) -> Option<(usize, String)> {
    let mut fixed = String::with_capacity(line.len());
    let mut first = None;
    let mut rest = line.char_indices().peekable();
    while let Some((i, c)) = rest.next() {
        match c {
            '"' | '\'' => {
                // A straight string: copy it whole, unless it ends in a curly quote.
                let end = straight_string_end(line, i, c);
                match end {
                    Some(end) => {
                        fixed.push_str(&line[i..end]);
                    }
                    None => {
                        let Some(curly) = line[i + 1..]
                            .char_indices()
                            .rfind(|(_, q)| is_typographic_quote(*q))
                        else {
                            fixed.push_str(&line[i..]);
                            break;
                        };
                        let at = i + 1 + curly.0;
                        first.get_or_insert(at);
                        fixed.push_str(&line[i..at]);
                        fixed.push(c);
                        fixed.push_str(&line[at + curly.1.len_utf8()..]);
                        return first.map(|at| (at, fixed));
                    }
                }
                let end = end.unwrap_or(line.len());
                while rest.peek().is_some_and(|(j, _)| *j < end) {
                    rest.next();
                }
            }
            '#' => {
                fixed.push_str(&line[i..]);
                break;
            }
            c if is_typographic_quote(c) => {
                first.get_or_insert(i);
                let open_end = i + c.len_utf8();
                match curly_string_end(line, open_end) {
                    Some((content_end, close_end)) => {
                        fixed.push('"');
                        fixed.push_str(&line[open_end..content_end].replace('"', "\\\""));
                        fixed.push('"');
                        while rest.peek().is_some_and(|(j, _)| *j < close_end) {
                            rest.next();
                        }
                    }
                    None => fixed.push('"'),
                }
            }
            c => fixed.push(c),
        }
    }
    first.map(|at| (at, fixed))
}

/// The end (after the closing quote) of the straight string opening at `start`, on this line.
fn straight_string_end(line: &str, start: usize, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in line[start + 1..].char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(start + 1 + i + 1),
            _ => escaped = false,
        }
    }
    None
}

/// The closing quote of a text opened by a typographic quote: the first quote followed by
/// what may follow a value (`,`, `]`, `}`, a comment or the line's end), so an apostrophe
/// inside (`Syria’s`) is not taken for it. Returns where the text and the quote end.
fn curly_string_end(line: &str, from: usize) -> Option<(usize, usize)> {
    line[from..].char_indices().find_map(|(i, c)| {
        let at = from + i;
        let after = at + c.len_utf8();
        let ends_value = line[after..]
            .trim_start()
            .chars()
            .next()
            .is_none_or(|n| matches!(n, ',' | ']' | '}' | '#'));
        ((is_typographic_quote(c) || c == '"') && ends_value).then_some((at, after))
    })
}

/// `line` with a comma after every list item that another follows on the same line, and
/// one at byte `also_at` (the end of the item the parser found without one).
fn with_commas(line: &str, also_at: usize) -> String {
    let mut points = vec![also_at];
    let mut after_value = false;
    let mut value_end = 0;
    let mut i = 0;
    while let Some(c) = line[i..].chars().next() {
        match c {
            '"' | '\'' => {
                if after_value {
                    points.push(value_end);
                }
                let Some(end) = straight_string_end(line, i, c) else {
                    break;
                };
                (after_value, value_end, i) = (true, end, end);
                continue;
            }
            '#' => break,
            c if c.is_whitespace() => {}
            _ => after_value = false,
        }
        i += c.len_utf8();
    }
    points.sort_unstable();
    points.dedup();
    let mut fixed = line.to_string();
    for at in points.into_iter().rev() {
        if line.is_char_boundary(at) {
            fixed.insert(at, ',');
        }
    }
    fixed
}

/// `key: value` (a YAML line) as `(the line, trimmed; the TOML line)`, its text quoted.
fn yaml_line_as_toml(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim();
    let (key, value) = trimmed.split_once(':')?;
    if !is_bare_key(key.trim_end()) || key.ends_with(char::is_whitespace) {
        return None;
    }
    if !value.is_empty() && !value.starts_with(char::is_whitespace) {
        return None;
    }
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let keeps_as_is = value.starts_with(['"', '\'', '[', '{'])
        || value == "true"
        || value == "false"
        || value.parse::<i64>().is_ok()
        || numeric_readings(value).is_some_and(|days| days.len() == 1 && value.len() == 10);
    let toml_value = if keeps_as_is {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    };
    Some((
        trimmed.to_string(),
        format!("{} = {toml_value}", key.trim()),
    ))
}

/// A bare TOML key: letters, digits, `_` and `-`.
fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A line that begins a new key (`status = …`) or section (`[[positions]]`): where a
/// parser lands when a list above was never closed.
fn starts_key_or_section(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with('[') && !line.starts_with("[\"") {
        return line.trim_end().ends_with(']') && !line.contains(',');
    }
    line.split_once('=')
        .is_some_and(|(key, _)| is_bare_key(key.trim()))
}

/// The byte range of the line holding byte `at`, without its line break.
fn line_around(text: &str, at: usize) -> Range<usize> {
    let at = text.floor_char_boundary(at);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..]
        .find('\n')
        .map_or(text.len(), |i| at + i)
        .max(start);
    let end = if text[start..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(written: &str) -> Vec<String> {
        readings(written)
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_day_and_month_both_up_to_twelve_read_both_ways() {
        assert_eq!(days("06/02/2026"), ["2026-02-06", "2026-06-02"]);
        assert_eq!(days("06.02.2026"), ["2026-02-06", "2026-06-02"]);
        assert_eq!(days("05/05/2026"), ["2026-05-05"]);
    }

    #[test]
    fn a_day_past_twelve_or_a_named_month_reads_one_way() {
        assert_eq!(days("25/12/2026"), ["2026-12-25"]);
        assert_eq!(days("12/25/2026"), ["2026-12-25"]);
        assert_eq!(days("2026/02/06"), ["2026-02-06"]);
        assert_eq!(days("6 January 2026"), ["2026-01-06"]);
        assert_eq!(days("6th Jan. 2026"), ["2026-01-06"]);
        assert_eq!(days("January 6, 2026"), ["2026-01-06"]);
        assert_eq!(days("Sept 30 2026"), ["2026-09-30"]);
    }

    #[test]
    fn what_is_no_day_of_the_calendar_is_no_date() {
        assert!(days("31/02/2026").is_empty());
        assert!(days("06/02/26").is_empty());
        assert!(days("30 February 2026").is_empty());
        assert!(days("1.5").is_empty());
        assert!(days("Round one opens").is_empty());
    }

    #[test]
    fn quotes_are_straightened_and_apostrophes_kept() {
        let fixed = |line: &str| straighten_quotes(line).map(|(_, fixed)| fixed);
        assert_eq!(
            fixed("location = “Geneva”").as_deref(),
            Some("location = \"Geneva\"")
        );
        assert_eq!(
            fixed("points = [‘One’, „Two“]").as_deref(),
            Some("points = [\"One\", \"Two\"]")
        );
        assert_eq!(
            fixed("title = “Syria’s offer”").as_deref(),
            Some("title = \"Syria’s offer\"")
        );
        assert_eq!(
            fixed("title = \"Geneva”").as_deref(),
            Some("title = \"Geneva\"")
        );
        assert_eq!(fixed("title = \"He said “yes”\""), None);
    }

    #[test]
    fn commas_go_between_items_on_a_line() {
        assert_eq!(
            with_commas("k = [\"a\" \"b\" \"c\"]", 8),
            "k = [\"a\", \"b\", \"c\"]"
        );
        assert_eq!(with_commas("  \"a\"", 5), "  \"a\",");
    }

    #[test]
    fn yaml_lines_become_toml_with_text_quoted() {
        let toml = |line: &str| yaml_line_as_toml(line).map(|(_, toml)| toml);
        assert_eq!(
            toml("title: Paris round").as_deref(),
            Some("title = \"Paris round\"")
        );
        assert_eq!(toml("round: 5").as_deref(), Some("round = 5"));
        assert_eq!(
            toml("date: 2026-01-06").as_deref(),
            Some("date = 2026-01-06")
        );
        assert_eq!(toml("https://example.org"), None);
    }

    #[test]
    fn a_time_after_a_date_is_read_with_its_offset() {
        let time = |written: &str| {
            let (day, time) = split_time(written);
            (day.to_string(), time.map(|t| (t.toml, t.had_offset)))
        };
        assert_eq!(
            time("07/12/2026 10:00"),
            ("07/12/2026".into(), Some(("10:00:00Z".into(), false)))
        );
        assert_eq!(
            time("07/12/2026 9:30:15 +01:00"),
            ("07/12/2026".into(), Some(("09:30:15+01:00".into(), true)))
        );
        assert_eq!(
            time("7 December 2026 10:00Z"),
            ("7 December 2026".into(), Some(("10:00:00Z".into(), true)))
        );
        assert_eq!(time("6 January 2026"), ("6 January 2026".into(), None));
        assert_eq!(time("07/12/2026 25:00"), ("07/12/2026 25:00".into(), None));
    }

    #[test]
    fn every_named_slip_says_how_to_read_on() {
        let toml = "title = “Paris”\ndate = 2026–01–06\nround:\u{a0}5\n";
        for at in [8, 24, 38] {
            let mistake = behind_syntax_error(toml, at, "").expect("a named slip");
            let fix = mistake.fix.expect("a fix");
            assert_ne!(toml.get(fix.range.clone()), Some(fix.with.as_str()));
        }
    }
}
