//! Reading typed fields out of a parsed TOML table while collecting every mistake at once.
//! Serde's `deny_unknown_fields` stops at the first problem; editors want them all.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::date::Date;
use super::mistakes;
use crate::limits;

/// The file being read: where its TOML starts, and its mistakes so far. Each file is read on
/// its own (in parallel with the others); the loader turns the mistakes into diagnostics.
#[derive(Default)]
pub(crate) struct FileCx {
    /// Byte offset of the TOML text inside the file (after a `+++` fence for briefs).
    pub(crate) offset: usize,
    pub(crate) errors: Vec<FileError>,
    /// What is not a mistake but will not look as the editor meant (Markdown Discord does
    /// not draw): reported by `check`, never keeping the file from being served.
    pub(crate) warnings: Vec<FileError>,
    /// The slips the TOML text was read past, in the order they were fixed: each replaced
    /// a range of the text as it then was by this many bytes. Spans in the fixed text are
    /// mapped back through them to the file the editor wrote.
    pub(crate) patches: Vec<(Range<usize>, usize)>,
}

/// One mistake (or warning) at a byte range of the whole file.
#[derive(Debug, Clone)]
pub(crate) struct FileError {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl FileCx {
    /// Reports a mistake at `span`, a range of the TOML text.
    pub(crate) fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.error_with_help(span, message, None);
    }

    pub(crate) fn error_with_help(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let at = self.absolute(span);
        self.error_in_file(at, message, help);
    }

    /// Reports a mistake at `span`, a range of the whole file.
    pub(crate) fn error_in_file(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.errors.push(FileError {
            span,
            message: message.into(),
            help,
        });
    }

    /// Warns about `span`, a range of the whole file.
    pub(crate) fn warn_in_file(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.warnings.push(FileError {
            span,
            message: message.into(),
            help,
        });
    }

    /// A range of the TOML text (as fixed, when slips were read past) as a range of the
    /// whole file the editor wrote.
    pub(crate) fn absolute(&self, span: Range<usize>) -> Range<usize> {
        let (start, end) = (self.unpatched(span.start), self.unpatched(span.end));
        start + self.offset..end.max(start) + self.offset
    }

    /// Byte `at` of the fixed TOML text as a byte of the text written: inside a fixed range,
    /// its place in what was replaced (clamped to it).
    fn unpatched(&self, mut at: usize) -> usize {
        for (replaced, len) in self.patches.iter().rev() {
            at = if at < replaced.start {
                at
            } else if at >= replaced.start + len {
                at - len + replaced.len()
            } else {
                replaced.start + (at - replaced.start).min(replaced.len())
            };
        }
        at
    }
}

/// Whether a missing key is a mistake.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Required,
    Optional,
}

/// How long a text may be, and why: it has to fit where Discord shows it.
#[derive(Clone, Copy)]
pub(crate) struct Fits {
    pub(crate) max: usize,
    pub(crate) shown_as: &'static str,
}

/// Where Discord shows each kind of text in briefbot's replies, and so how long it may be.
impl Fits {
    pub(crate) const TITLE: Fits = Fits {
        max: limits::EMBED_TITLE,
        shown_as: "an embed title",
    };
    pub(crate) const DESCRIPTION: Fits = Fits {
        max: limits::EMBED_DESCRIPTION,
        shown_as: "an embed description",
    };
    pub(crate) const FIELD_VALUE: Fits = Fits {
        max: limits::FIELD_VALUE,
        shown_as: "an embed field value",
    };
    pub(crate) const FIELD_NAME: Fits = Fits {
        max: limits::FIELD_NAME,
        shown_as: "an embed field name",
    };
    pub(crate) const AUTHOR_NAME: Fits = Fits {
        max: limits::AUTHOR_NAME,
        shown_as: "an embed author name",
    };
    pub(crate) const CHOICE: Fits = Fits {
        max: limits::CHOICE_NAME,
        shown_as: "an autocomplete choice",
    };
    pub(crate) const LINK: Fits = Fits {
        max: 512,
        shown_as: "a link in an embed field",
    };
}

/// A table being read: which keys were asked for, so the rest can be reported as unknown.
pub(crate) struct Table<'a, 'i> {
    entries: &'a DeTable<'i>,
    /// Where "missing key" errors point, as a range of the whole file: the table's header
    /// or the front matter's opening fence.
    anchor: Range<usize>,
    /// What the table is, for messages: "a brief", "a position".
    what: &'static str,
    asked: Vec<&'static str>,
    /// Required keys not found; reported by `finish` unless a misspelt key explains them.
    missing: Vec<&'static str>,
    /// Keys of the enclosing table, to recognise one written below a `[[section]]` by mistake.
    outer: Vec<&'static str>,
    /// Keys found in a nested table where they do not belong, so not "missing" here.
    misplaced: Vec<&'static str>,
}

/// Scaffolds from `briefbot new` mark what is still to be written with this prefix.
pub(crate) const PLACEHOLDER: &str = "TODO";

impl<'a, 'i> Table<'a, 'i> {
    pub(crate) fn new(entries: &'a DeTable<'i>, anchor: Range<usize>, what: &'static str) -> Self {
        Table {
            entries,
            anchor,
            what,
            asked: Vec::new(),
            missing: Vec::new(),
            outer: Vec::new(),
            misplaced: Vec::new(),
        }
    }

    /// A table nested in `parent` (a `[[positions]]` entry in a brief), which recognises the
    /// parent's keys when an editor writes one below the section header by mistake.
    pub(crate) fn nested(
        entries: &'a DeTable<'i>,
        anchor: Range<usize>,
        what: &'static str,
        parent: &Table,
    ) -> Self {
        let mut table = Table::new(entries, anchor, what);
        table.outer = parent.asked.clone();
        table
    }

    /// Parent keys that a nested table held; the parent does not report them as missing.
    pub(crate) fn take_misplaced(&mut self, nested: Vec<&'static str>) {
        self.misplaced.extend(nested);
    }

    /// The raw value of `key`, marked as asked for (for readers of a field kept elsewhere).
    pub(crate) fn get(&mut self, key: &'static str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.asked.push(key);
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// The span of `key`'s value, for checks made after reading it.
    pub(crate) fn span_of(&self, key: &str) -> Option<Range<usize>> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v.span())
    }

    fn missing(&mut self, key: &'static str, need: Need) {
        if need == Need::Required {
            self.missing.push(key);
        }
    }

    /// A string, trimmed; an empty one is a mistake when the key is required.
    pub(crate) fn text(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        need: Need,
        fits: Fits,
    ) -> Option<String> {
        self.text_explained(cx, key, need, fits, None)
    }

    /// As `text`, with `help` (what to write) for a value of the wrong type or an empty one.
    pub(crate) fn text_explained(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        need: Need,
        fits: Fits,
        help: Option<&str>,
    ) -> Option<String> {
        let Some(value) = self.get(key) else {
            self.missing(key, need);
            return None;
        };
        let text = expect_text(cx, key, value, fits, help)?;
        if text.is_empty() && need == Need::Required {
            cx.error_with_help(
                value.span(),
                format!("`{key}` is empty; write its text"),
                help.map(str::to_string),
            );
            return None;
        }
        Some(text)
    }

    /// A whole number.
    pub(crate) fn integer(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        need: Need,
    ) -> Option<Spanned<i64>> {
        let Some(value) = self.get(key) else {
            self.missing(key, need);
            return None;
        };
        match value.get_ref() {
            DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
                Ok(n) => Some(Spanned::new(value.span(), n)),
                Err(_) => {
                    cx.error(value.span(), format!("`{key}` is too large a number"));
                    None
                }
            },
            DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                cx.error_with_help(
                    value.span(),
                    format!("`{key}` must be a whole number, found a string"),
                    Some(format!("remove the quotes: `{key} = {}`", s.trim())),
                );
                None
            }
            other => {
                type_error(cx, key, value.span(), "a whole number", other);
                None
            }
        }
    }

    /// A TOML date without a time, such as `2026-01-06`.
    pub(crate) fn date(&mut self, cx: &mut FileCx, key: &'static str, need: Need) -> Option<Date> {
        self.date_explained(cx, key, need, None)
    }

    /// As `date`, with `help` (what to write) for a value that is no date at all or one
    /// before year 1.
    pub(crate) fn date_explained(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        need: Need,
        help: Option<&str>,
    ) -> Option<Date> {
        let help = help.map(str::to_string);
        let Some(value) = self.get(key) else {
            self.missing(key, need);
            return None;
        };
        match value.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(date), None) if date.year >= 1 => Some(Date::from(date)),
                (Some(_), None) => {
                    cx.error_with_help(
                        value.span(),
                        format!("`{key}` must be in year 1 or later, found `{dt}`"),
                        help,
                    );
                    None
                }
                _ => {
                    cx.error_with_help(
                        value.span(),
                        format!("`{key}` must be a date without a time, found `{dt}`"),
                        Some(format!("write only the day: `{key} = 2026-01-06`")),
                    );
                    None
                }
            },
            DeValue::String(s) if is_placeholder(s) => {
                placeholder_error(cx, key, value.span());
                None
            }
            DeValue::String(s) => {
                cx.error_with_help(
                    value.span(),
                    format!(
                        "`{key}` must be a TOML date such as 2026-01-06, found the string \"{s}\""
                    ),
                    // A date written as people write it gets its own reading(s) back.
                    Some(mistakes::date_help(key, s).unwrap_or_else(|| {
                        format!("write the date as YYYY-MM-DD without quotes: `{key} = 2026-01-06`")
                    })),
                );
                None
            }
            other => {
                let expected = "a date such as 2026-01-06";
                type_error_with_help(cx, key, value.span(), expected, other, help);
                None
            }
        }
    }

    /// A list of strings; each must fit and none may be empty.
    pub(crate) fn text_list(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        fits: Fits,
    ) -> Vec<String> {
        self.text_list_spanned(cx, key, fits)
            .into_iter()
            .map(|(text, _)| text)
            .collect()
    }

    /// Like `text_list`, with each entry's span for checks made afterwards.
    pub(crate) fn text_list_spanned(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        fits: Fits,
    ) -> Vec<(String, Range<usize>)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            type_error(cx, key, value.span(), "a list of strings", value.get_ref());
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match expect_text(cx, key, item, fits, None) {
                Some(text) if text.is_empty() => cx.error(
                    item.span(),
                    format!("an entry of `{key}` is empty; remove it or write its text"),
                ),
                Some(text) => out.push((text, item.span())),
                None => {}
            }
        }
        out
    }

    /// A list of tables: `[[key]]` sections or `key = [{ … }, { … }]`.
    pub(crate) fn tables(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        self.tables_explained(cx, key, None)
    }

    /// As `tables`, with `help` (how to write an entry) when the value is not a list of tables.
    pub(crate) fn tables_explained(
        &mut self,
        cx: &mut FileCx,
        key: &'static str,
        help: Option<&str>,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        let help = help.map(str::to_string);
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            let (span, found) = (value.span(), value.get_ref());
            type_error_with_help(cx, key, span, "a list of tables", found, help);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(table) => out.push((table, item.span())),
                other => type_error_with_help(cx, key, item.span(), "a table", other, help.clone()),
            }
        }
        out
    }

    /// Reports every key that was never asked for, suggesting the nearest known key, and
    /// every required key that is missing, unless a misspelling of it was just reported.
    /// Returns the parent's keys found here (see `nested`).
    pub(crate) fn finish(self, cx: &mut FileCx) -> Vec<&'static str> {
        let mut explained = self.misplaced.clone();
        let mut misplaced = Vec::new();
        for (key, _) in self.entries.iter() {
            let name: &str = key.get_ref().as_ref();
            if self.asked.contains(&name) {
                continue;
            }
            if let Some(outer) = self.outer.iter().find(|k| **k == name) {
                misplaced.push(*outer);
                cx.error_with_help(
                    key.span(),
                    format!("`{name}` belongs to the brief, not to {}", self.what),
                    Some("keys below a [[section]] line belong to that section: move it above the first one".to_string()),
                );
                continue;
            }
            let near = closest(name, self.asked.iter().copied());
            let message = match near {
                Some(near) => format!(
                    "unknown key `{name}` in {}; did you mean `{near}`?",
                    self.what
                ),
                None => format!("unknown key `{name}` in {}", self.what),
            };
            explained.extend(near);
            let help = format!(
                "the keys {} may have are: {}",
                self.what,
                self.asked.join(", ")
            );
            cx.error_with_help(key.span(), message, Some(help));
        }
        for key in self.missing.iter().filter(|key| !explained.contains(*key)) {
            cx.error_in_file(
                self.anchor.clone(),
                format!("missing required key `{key}` in {}", self.what),
                Some(format!("add a line `{key} = …`")),
            );
        }
        misplaced
    }
}

fn expect_text(
    cx: &mut FileCx,
    key: &str,
    value: &Spanned<DeValue>,
    fits: Fits,
    help: Option<&str>,
) -> Option<String> {
    let DeValue::String(text) = value.get_ref() else {
        let (span, found) = (value.span(), value.get_ref());
        let help = help.map(str::to_string);
        type_error_with_help(cx, key, span, "a string in quotes", found, help);
        return None;
    };
    if is_placeholder(text) {
        placeholder_error(cx, key, value.span());
        return None;
    }
    // Windows line endings in multi-line strings read as plain ones.
    let text = text.trim();
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    };
    let length = limits::chars(&text);
    if length > fits.max {
        cx.error_with_help(
            value.span(),
            format!(
                "`{key}` is {length} characters long; {} holds at most {}",
                fits.shown_as, fits.max
            ),
            Some(format!("shorten it by {} characters", length - fits.max)),
        );
        return None;
    }
    Some(text)
}

/// An `https://` address with a host, and no spaces.
pub(crate) fn is_https_url(url: &str) -> bool {
    url.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty() && !rest.starts_with('/') && !url.chars().any(char::is_whitespace)
    })
}

pub(crate) fn is_placeholder(text: &str) -> bool {
    text.trim_start().starts_with(PLACEHOLDER)
}

fn placeholder_error(cx: &mut FileCx, key: &str, span: Range<usize>) {
    cx.error_with_help(
        span,
        format!("`{key}` is still a placeholder from `briefbot new`"),
        Some(format!(
            "replace the \"{PLACEHOLDER}: …\" text with the real value"
        )),
    );
}

fn type_error(cx: &mut FileCx, key: &str, span: Range<usize>, expected: &str, found: &DeValue) {
    type_error_with_help(cx, key, span, expected, found, None);
}

pub(crate) fn type_error_with_help(
    cx: &mut FileCx,
    key: &str,
    span: Range<usize>,
    expected: &str,
    found: &DeValue,
    help: Option<String>,
) {
    cx.error_with_help(
        span,
        format!("`{key}` must be {expected}, found {}", describe(found)),
        help,
    );
}

/// "a string", "an integer": how an editor would name what they wrote.
fn describe(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// A TOML syntax error, reported where the parser stopped, with a hint for the usual slips.
/// `toml` is the text that was parsed: the common slips behind an error are recognised on
/// its offending line and named as such (see `mistakes`).
pub(crate) fn report_toml_error(cx: &mut FileCx, toml: &str, error: &toml::de::Error) {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim().replace('\n', "; ");
    if let Some(mistake) = mistakes::behind_syntax_error(toml, span.start, &message) {
        cx.error_with_help(mistake.span, mistake.message, Some(mistake.help));
        return;
    }
    cx.error_with_help(
        span,
        format!("TOML syntax: {message}"),
        unnamed_help(&message),
    );
}

/// The help for a syntax error no named slip explains.
fn unnamed_help(message: &str) -> Option<String> {
    if message.contains("invalid date") {
        Some("write a day the calendar has, as YYYY-MM-DD: `date = 2026-02-28`".to_string())
    } else {
        (message.contains("string") || message.contains("key or value")).then(|| {
            "text needs double quotes and lists square brackets: key = \"text\", list = [\"a\", \"b\"]".to_string()
        })
    }
}

/// The most slips one file is read past: more is not an editor's file but another format.
const MOST_SLIPS: usize = 64;

/// `toml` as the editor meant it: each syntax error that is a slip `mistakes` can name is
/// reported and fixed in a copy, which is parsed again, so the checks after it run in the same
/// run as if the editor had fixed it. `None` after an error it cannot see past, reported with
/// a word that the lines after it were not checked. Slips of `quiet` kinds are fixed without
/// a word (a YAML front matter's colons, which its own message covers).
pub(crate) fn read_past_slips(
    cx: &mut FileCx,
    toml: &str,
    quiet: &[mistakes::Kind],
) -> Option<String> {
    let mut text = toml.to_string();
    for _ in 0..MOST_SLIPS {
        let (_, errors) = toml::de::DeTable::parse_recoverable(&text);
        let Some(error) = errors.first() else {
            return Some(text);
        };
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().replace('\n', "; ");
        let Some(mistake) = mistakes::behind_syntax_error(&text, span.start, &message) else {
            let help = match unnamed_help(&message) {
                Some(help) => format!("{help}; {NOT_CHECKED}"),
                None => NOT_CHECKED.to_string(),
            };
            cx.error_with_help(span, format!("TOML syntax: {message}"), Some(help));
            return None;
        };
        if !quiet.contains(&mistake.kind) {
            cx.error_with_help(mistake.span, mistake.message, Some(mistake.help));
        }
        // A named slip without a fix, or one whose fix changes nothing, ends the reading.
        let fix = mistake
            .fix
            .filter(|fix| text.get(fix.range.clone()) != Some(&fix.with))?;
        cx.patches.push((fix.range.clone(), fix.with.len()));
        text.replace_range(fix.range, &fix.with);
    }
    None
}

/// Said after a syntax error `check` cannot read past.
const NOT_CHECKED: &str =
    "the lines after it were not checked: fix this one and run check again to see the rest";

pub(crate) use super::suggest::closest;
