//! `briefbot check`: loads a briefs folder and reports the outcome for an editor (text with
//! source lines), for an editors' CI (JSON) or for a GitHub pull request (annotations).
//! Pure formatting over the library's result.

use std::path::Path;

use serde::Serialize;

use crate::library::diagnostics::{Diagnostic, Diagnostics, JsonDiagnostic, Severity};
use crate::library::{Counts, LoadError, plural};

/// The outcome of checking a folder.
pub struct Report {
    pub counts: Counts,
    pub error: Option<LoadError>,
    /// What will not look as meant, whether or not the folder loads.
    pub warnings: Diagnostics,
}

impl Report {
    /// The report of a load: how many files it read, its warnings, and its mistakes if it
    /// failed.
    pub fn new(result: Result<(Counts, Diagnostics), LoadError>) -> Report {
        match result {
            Ok((counts, warnings)) => Report {
                counts,
                error: None,
                warnings,
            },
            Err(mut error) => Report {
                counts: error.counts,
                warnings: *std::mem::take(&mut error.warnings),
                error: Some(error),
            },
        }
    }

    /// Whether the folder loads: warnings do not fail a check.
    pub fn is_clean(&self) -> bool {
        self.error.is_none()
    }

    /// The errors, in reading order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.error.as_ref().map_or(&[], |e| e.diagnostics.items())
    }

    /// Every error, then every warning.
    fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics().iter().chain(self.warnings.items())
    }

    /// `checked 3 briefs, 1 author: 2 errors`, or `checked 3 briefs (1 draft, 1 embargoed),
    /// 1 author: no errors, 1 warning` when some valid briefs are not served yet and one
    /// warns.
    pub fn summary(&self) -> String {
        let mut outcome = match self.diagnostics().len() {
            0 => "no errors".to_string(),
            n => plural(n, "error"),
        };
        if !self.warnings.is_empty() {
            outcome.push_str(&format!(", {}", plural(self.warnings.len(), "warning")));
        }
        let Counts {
            drafts, embargoed, ..
        } = self.counts;
        let held = match (drafts, embargoed) {
            (0, 0) => String::new(),
            (drafts, 0) => format!(" ({})", plural(drafts, "draft")),
            (0, embargoed) => format!(" ({embargoed} embargoed)"),
            (drafts, embargoed) => format!(" ({}, {embargoed} embargoed)", plural(drafts, "draft")),
        };
        format!(
            "checked {}{held}, {}: {outcome}",
            plural(self.counts.briefs, "brief"),
            plural(self.counts.authors, "author")
        )
    }

    /// Every diagnostic with its source line and marker, then the summary line.
    pub fn to_text(&self) -> String {
        self.to_text_styled(false)
    }

    /// [`Self::to_text`] with the mistakes in colour, for a terminal.
    pub fn to_text_coloured(&self) -> String {
        self.to_text_styled(true)
    }

    fn to_text_styled(&self, colour: bool) -> String {
        let render = |diagnostics: &Diagnostics| {
            if colour {
                diagnostics.render_coloured()
            } else {
                diagnostics.render()
            }
        };
        let errors = self
            .error
            .as_ref()
            .map(|e| render(&e.diagnostics))
            .unwrap_or_default();
        format!("{errors}{}{}\n", render(&self.warnings), self.summary())
    }

    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            ok: bool,
            briefs: usize,
            authors: usize,
            drafts: usize,
            embargoed: usize,
            errors: usize,
            warnings: usize,
            diagnostics: Vec<JsonDiagnostic<'a>>,
        }
        let diagnostics: Vec<JsonDiagnostic> = self.all().map(Into::into).collect();
        let json = Json {
            ok: self.is_clean(),
            briefs: self.counts.briefs,
            authors: self.counts.authors,
            drafts: self.counts.drafts,
            embargoed: self.counts.embargoed,
            errors: self.diagnostics().len(),
            warnings: self.warnings.len(),
            diagnostics,
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    }

    /// Each mistake as a GitHub Actions workflow command (`::error file=…,line=…,col=…::…`),
    /// so a pull request shows it on the line it is about; then the summary for the log.
    /// Paths are made relative to `root` (the repository's checkout, where the workflow
    /// runs) because GitHub places annotations by the path in the repository.
    pub fn to_github(&self, root: &Path) -> String {
        let mut out = String::new();
        for diagnostic in self.all() {
            out.push_str(&github_annotation(diagnostic, root));
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

/// The title GitHub shows above each annotation.
const ANNOTATION_TITLE: &str = "briefbot check";

/// `::error file=briefs/x.md,line=4,col=12,title=briefbot check::message%0Ahelp: …`, or
/// `::warning …` for a warning.
fn github_annotation(diagnostic: &Diagnostic, root: &Path) -> String {
    let path = diagnostic
        .path
        .strip_prefix(root)
        .unwrap_or(&diagnostic.path);
    let path = path.strip_prefix(".").unwrap_or(path);
    let mut properties = format!("file={}", escape_property(&path.display().to_string()));
    if let Some(at) = diagnostic.location {
        properties.push_str(&format!(",line={},col={}", at.line, at.column));
    }
    properties.push_str(&format!(",title={}", escape_property(ANNOTATION_TITLE)));
    let message = match &diagnostic.help {
        Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
        None => diagnostic.message.clone(),
    };
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("::{command} {properties}::{}", escape_data(&message))
}

/// A workflow command's message: GitHub reads `%`, CR and LF as its own, so they are
/// percent-encoded (a newline then shows as one in the annotation).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (a file name, a title), where `:` would end the
/// properties and `,` would start the next one.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_messages_escape_percent_and_line_breaks() {
        assert_eq!(escape_data("100% sure\r\nnext"), "100%25 sure%0D%0Anext");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn annotation_properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("briefs/a,b:c%.md"),
            "briefs/a%2Cb%3Ac%25.md"
        );
    }
}
