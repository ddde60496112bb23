//! What the loader says about a briefs folder: every mistake, with file, line and column,
//! rendered for a terminal (source line and marker) or as JSON for an editors' CI.
//! Knows nothing of Discord; the library is its only producer.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{Error as FilesError, Files, SimpleFile, SimpleFiles};
use codespan_reporting::term;
use serde::Serialize;

use super::fields::FileError;

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub(crate) fn of(text: &str, offset: usize) -> Location {
        let offset = text.floor_char_boundary(offset);
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// Whether a diagnostic keeps the folder from loading (an error) or only tells the editor
/// something will not look as meant (a warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One mistake in one file (or in the folder itself, when `location` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file as the editor would open it: the briefs folder joined with its relative path.
    pub path: PathBuf,
    pub location: Option<Location>,
    /// What is wrong, in one sentence, with a suggestion where there is one.
    pub message: String,
    /// How to fix it, when the message alone does not say.
    pub help: Option<String>,
    /// Where in the registered source the marker goes.
    source: Option<(usize, Range<usize>)>,
}

impl Diagnostic {
    /// A mistake that belongs to no line: a missing folder, an unreadable file.
    pub(crate) fn whole(path: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            location: None,
            message: message.into(),
            help: None,
            source: None,
        }
    }

    /// This diagnostic as a warning.
    pub(crate) fn into_warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// `path:line:column`, or just the path for a mistake without a line.
    pub(crate) fn position(&self) -> String {
        match self.location {
            Some(at) => format!("{}:{}:{}", self.path.display(), at.line, at.column),
            None => self.path.display().to_string(),
        }
    }
}

/// One line, `path:line:column: message` (`… warning: message` for a warning): for logs and
/// for tests.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => write!(f, "{}: {}", self.position(), self.message),
            Severity::Warning => write!(f, "{}: warning: {}", self.position(), self.message),
        }
    }
}

/// The diagnostics of one load together with the sources they point into.
#[derive(Default, Clone)]
pub struct Diagnostics {
    sources: SimpleFiles<String, String>,
    items: Vec<Diagnostic>,
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

/// A file registered with [`Diagnostics::add_source`]; errors inside it are reported by span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceId(usize);

impl Diagnostics {
    pub(crate) fn add_source(&mut self, path: &Path, text: String) -> SourceId {
        SourceId(self.sources.add(path.display().to_string(), text))
    }

    /// Registers a file and reports its mistakes (byte ranges of `text`).
    pub(crate) fn add_file(&mut self, path: &Path, text: String, errors: Vec<FileError>) {
        let source = self.add_source(path, text);
        for error in errors {
            self.error_at(source, error.span, error.message, error.help);
        }
    }

    /// Registers a file and reports its warnings (byte ranges of `text`).
    pub(crate) fn add_file_warnings(&mut self, path: &Path, text: String, warnings: &[FileError]) {
        let source = self.add_source(path, text);
        for warning in warnings {
            self.push_at(
                Severity::Warning,
                source,
                warning.span.clone(),
                warning.message.clone(),
                warning.help.clone(),
            );
        }
    }

    /// Records a mistake at byte range `span` of a registered source.
    pub(crate) fn error_at(
        &mut self,
        source: SourceId,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.push_at(Severity::Error, source, span, message, help);
    }

    /// Records a diagnostic of `severity` at byte range `span` of a registered source.
    fn push_at(
        &mut self,
        severity: Severity,
        source: SourceId,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let Ok(file) = self.sources.get(source.0) else {
            return;
        };
        let text = file.source();
        let start = text.floor_char_boundary(span.start);
        let end = text.floor_char_boundary(span.end.clamp(start, text.len()));
        self.items.push(Diagnostic {
            severity,
            path: PathBuf::from(file.name()),
            location: Some(Location::of(text, start)),
            message: message.into(),
            help,
            source: Some((source.0, start..end)),
        });
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The diagnostics in reading order: by file, then line, then column.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub(crate) fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.path, a.location, &a.message).cmp(&(&b.path, b.location, &b.message))
        });
    }

    /// Every diagnostic as an editor reads it in a terminal: the message, `path:line:column`,
    /// the offending line with a marker under it, and the help.
    ///
    /// A brief's control characters are shown escaped (`\u{1b}`), never sent to the terminal:
    /// an escape sequence in a brief must not retitle or clear the terminal of whoever checks it.
    pub fn render(&self) -> String {
        self.render_styled(false)
    }

    /// [`Self::render`] in colour (ANSI escapes), as rustc and cargo colour theirs, for a
    /// terminal a person is watching.
    pub fn render_coloured(&self) -> String {
        self.render_styled(true)
    }

    fn render_styled(&self, colour: bool) -> String {
        // The sources as shown, and how far each escape moved the bytes after it.
        let mut files = SimpleFiles::new();
        let mut shifts = Vec::new();
        for index in 0.. {
            let Ok(file) = self.sources.get(index) else {
                break;
            };
            let (text, moved) = escaped(file.source());
            files.add(file.name().clone(), text);
            shifts.push(moved);
        }
        let mut out = String::new();
        for item in &self.items {
            let rendered = match &item.source {
                Some((file, span)) => {
                    let span = shifts
                        .get(*file)
                        .map_or_else(|| span.clone(), |moved| shifted(moved, span));
                    match files.get(*file).ok().and_then(|f| Window::around(f, &span)) {
                        Some((window, span)) => emit(&window, item, Some(((), span)), colour),
                        None => emit(&files, item, Some((*file, span)), colour),
                    }
                }
                None => emit(&files, item, None, colour),
            };
            match rendered {
                Some(text) => out.push_str(&text),
                // The source is registered before any span into it, so this is a fallback only.
                None => {
                    let prefix = match item.severity {
                        Severity::Error => "error: ",
                        Severity::Warning => "",
                    };
                    out.push_str(&format!("{prefix}{}\n\n", escaped(&item.to_string()).0))
                }
            }
        }
        out
    }
}

/// `item` as codespan draws it, its label at `at` in `files`, in `colour` or not; `None` when
/// `files` lacks it.
fn emit<'f, F: Files<'f>>(
    files: &'f F,
    item: &Diagnostic,
    at: Option<(F::FileId, Range<usize>)>,
    colour: bool,
) -> Option<String> {
    let message = escaped(&item.message).0;
    let report = match item.severity {
        Severity::Error => Report::error(),
        Severity::Warning => Report::warning(),
    };
    let report = match at {
        Some((file, span)) => report
            .with_message(message)
            .with_label(Label::primary(file, span)),
        None => report.with_message(format!("{}: {message}", item.position())),
    };
    let report = match &item.help {
        Some(help) => report.with_note(format!("help: {}", escaped(help).0)),
        None => report,
    };
    let config = term::Config::default();
    if !colour {
        return term::emit_into_string(&config, files, &report).ok();
    }
    let mut styled = term::termcolor::Ansi::new(Vec::new());
    term::emit_to_write_style(&mut styled, &config, files, &report).ok()?;
    String::from_utf8(styled.into_inner()).ok()
}

/// How many characters of a source line are shown around a mistake; a longer line is cut to
/// this many, marked `…` where it was cut (a summary can be thousands of characters on one
/// line, and its marker as long).
const WINDOW: usize = 160;
/// How many of them come before the mistake.
const WINDOW_LEAD: usize = 50;

/// The one source line of a mistake, cut to [`WINDOW`] characters around it, as a file of its
/// own that numbers its line and columns as the whole file does.
struct Window {
    file: SimpleFile<String, String>,
    /// The line's number in the whole file.
    line: usize,
    /// How many characters of the line come before the window's first shown one.
    skipped: usize,
}

impl Window {
    /// The window around `span` of `file`, and `span` in it; `None` when the line is short
    /// enough to show whole.
    fn around(
        file: &SimpleFile<String, String>,
        span: &Range<usize>,
    ) -> Option<(Window, Range<usize>)> {
        let text = file.source();
        let start = span.start.min(text.len());
        let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text
            .get(start..)?
            .find('\n')
            .map_or(text.len(), |i| start + i);
        let line = text.get(line_start..line_end)?;
        let chars: Vec<usize> = line.char_indices().map(|(at, _)| at).collect();
        if chars.len() <= WINDOW {
            return None;
        }
        let column = chars.partition_point(|&at| at < start - line_start);
        let first = column.saturating_sub(WINDOW_LEAD);
        let last = (first + WINDOW).min(chars.len());
        let byte = |c: usize| chars.get(c).copied().unwrap_or(line.len());
        let (from, to) = (byte(first), byte(last));
        let lead = if first > 0 { "…" } else { "" };
        let tail = if last < chars.len() { "…" } else { "" };
        let shown = format!("{lead}{}{tail}", line.get(from..to)?);
        let inside = |at: usize| lead.len() + at.saturating_sub(line_start).clamp(from, to) - from;
        let span = inside(start)..inside(span.end.min(line_end)).max(inside(start));
        let window = Window {
            file: SimpleFile::new(file.name().clone(), shown),
            line: text.get(..line_start)?.matches('\n').count() + 1,
            skipped: first - lead.chars().count().min(first),
        };
        Some((window, span))
    }
}

impl<'a> Files<'a> for Window {
    type FileId = ();
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<String, FilesError> {
        Ok(self.file.name().clone())
    }

    fn source(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(self.file.source())
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, FilesError> {
        self.file.line_index((), byte_index)
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, FilesError> {
        Ok(self.line + line_index)
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        Ok(self.file.column_number((), line_index, byte_index)? + self.skipped)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, FilesError> {
        self.file.line_range((), line_index)
    }
}

/// `text` with each control character but line breaks and tabs written as `\u{1b}`, and, for
/// each one, where it was and how many bytes longer the text is from there on.
fn escaped(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut moved = Vec::new();
    for (at, c) in text.char_indices() {
        if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
            let escape = format!("\\u{{{:x}}}", u32::from(c));
            let growth = moved.last().map_or(0, |&(_, g)| g) + escape.len() - c.len_utf8();
            out.push_str(&escape);
            moved.push((at, growth));
        } else {
            out.push(c);
        }
    }
    (out, moved)
}

/// `span` of the original text, in the escaped text: each end moves by the growth of the
/// escapes before it.
fn shifted(moved: &[(usize, usize)], span: &Range<usize>) -> Range<usize> {
    let at = |offset: usize| {
        let before = moved.partition_point(|&(at, _)| at < offset);
        let growth = before
            .checked_sub(1)
            .and_then(|i| moved.get(i))
            .map_or(0, |&(_, growth)| growth);
        offset + growth
    };
    at(span.start)..at(span.end)
}

/// The JSON shape of one diagnostic, for `briefbot check --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    pub(crate) severity: Severity,
    pub(crate) file: String,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) message: &'a str,
    pub(crate) help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonDiagnostic {
            severity: d.severity,
            file: d.path.display().to_string(),
            line: d.location.map(|l| l.line),
            column: d.location.map(|l| l.column),
            message: &d.message,
            help: d.help.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_characters_not_bytes() {
        let text = "a\nçé = 1\n";
        assert_eq!(Location::of(text, 0), Location { line: 1, column: 1 });
        let at = text.find('=').unwrap_or(0);
        assert_eq!(Location::of(text, at), Location { line: 2, column: 4 });
    }

    /// The diagnostics of one mistake at `span` of a brief whose text is `text`.
    fn one_mistake(
        text: String,
        span: Range<usize>,
        message: &str,
        help: Option<&str>,
    ) -> Diagnostics {
        let mut diagnostics = Diagnostics::default();
        diagnostics.add_file(
            Path::new("briefs/06-x.md"),
            text,
            vec![FileError {
                span,
                message: message.into(),
                help: help.map(String::from),
            }],
        );
        diagnostics
    }

    #[test]
    fn control_characters_of_a_brief_are_shown_escaped_and_the_marker_stays_under_its_mistake() {
        let text = "title = \"\u{1b}]0;owned\u{7}\u{1b}[2J Paris\"\nsumary = 1\n".to_string();
        let at = text.find("sumary").expect("the mistake");
        let shown = one_mistake(
            text,
            at..at + 6,
            "unknown key `sumary` near \u{1b}[2J",
            None,
        )
        .render();
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert!(
            shown.contains("unknown key `sumary` near \\u{1b}[2J"),
            "{shown}"
        );
        assert!(shown.contains("2 │ sumary = 1"), "{shown}");
        assert!(shown.contains("  │ ^^^^^^"), "{shown}");
    }

    #[test]
    fn spans_move_by_the_escapes_before_them() {
        let (text, moved) = escaped("a\u{1b}b\u{7}c");
        assert_eq!(text, "a\\u{1b}b\\u{7}c");
        assert_eq!(shifted(&moved, &(0..1)), 0..1);
        assert_eq!(shifted(&moved, &(2..3)), 7..8, "b, after one escape");
        assert_eq!(shifted(&moved, &(4..5)), 13..14, "c, after both");
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_its_mistake_with_its_real_column() {
        let line = format!("title = \"{}\"", "word ".repeat(1000));
        let at = line.len() / 2;
        let text = format!("+++\n{line}\n");
        let shown = one_mistake(text, 4 + at..4 + line.len(), "too long", None).render();
        let column = line[..at].chars().count() + 1;
        assert!(
            shown.contains(&format!("briefs/06-x.md:2:{column}")),
            "the real column: {shown}"
        );
        for printed in shown.lines() {
            assert!(printed.chars().count() <= WINDOW + 10, "{printed}");
        }
        assert!(shown.contains("2 │ …") && shown.contains("…\n"), "{shown}");
    }

    #[test]
    fn in_colour_the_same_text_with_styles_and_still_no_escape_from_the_brief() {
        let text = "title = \"\u{1b}]0;owned\u{7}\"\nsumary = 1\n".to_string();
        let at = text.find("sumary").expect("the mistake");
        let help = Some("did you mean `summary`?");
        let diagnostics = one_mistake(text, at..at + 6, "unknown key `sumary`", help);
        let coloured = diagnostics.render_coloured();
        assert!(coloured.contains("\u{1b}["), "styled: {coloured:?}");
        assert!(!coloured.contains("\u{1b}]0;owned"), "{coloured:?}");
        // Without its styles, the coloured text is the plain one.
        let mut plain = String::new();
        let mut rest = coloured.as_str();
        while let Some(at) = rest.find("\u{1b}[") {
            plain.push_str(&rest[..at]);
            rest = rest[at..].split_once('m').map_or("", |(_, after)| after);
        }
        plain.push_str(rest);
        assert_eq!(plain, diagnostics.render());
    }
}
