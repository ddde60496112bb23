//! `briefbot check`: loads a briefs folder and reports the outcome for an editor (text with
//! source lines) or for an editors' CI (JSON). Pure formatting over the library's result.

use serde::Serialize;

use crate::library::diagnostics::{Diagnostic, JsonDiagnostic};
use crate::library::{Counts, LoadError, plural};

/// The outcome of checking a folder.
pub struct Report {
    pub counts: Counts,
    pub error: Option<LoadError>,
}

impl Report {
    /// The report of a load: how many files it read, and its mistakes if it failed.
    pub fn new(result: Result<Counts, LoadError>) -> Report {
        match result {
            Ok(counts) => Report {
                counts,
                error: None,
            },
            Err(error) => Report {
                counts: error.counts,
                error: Some(error),
            },
        }
    }

    pub fn is_clean(&self) -> bool {
        self.error.is_none()
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.error.as_ref().map_or(&[], |e| e.diagnostics.items())
    }

    /// `checked 3 briefs, 1 author: 2 errors`, or `checked 3 briefs (1 draft, 1 embargoed),
    /// 1 author: no errors` when some valid briefs are not served yet.
    pub fn summary(&self) -> String {
        let outcome = match self.diagnostics().len() {
            0 => "no errors".to_string(),
            n => plural(n, "error"),
        };
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
        let rendered = self
            .error
            .as_ref()
            .map(|e| e.diagnostics.render())
            .unwrap_or_default();
        format!("{rendered}{}\n", self.summary())
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
            diagnostics: Vec<JsonDiagnostic<'a>>,
        }
        let diagnostics: Vec<JsonDiagnostic> = self.diagnostics().iter().map(Into::into).collect();
        let json = Json {
            ok: self.is_clean(),
            briefs: self.counts.briefs,
            authors: self.counts.authors,
            drafts: self.counts.drafts,
            embargoed: self.counts.embargoed,
            errors: diagnostics.len(),
            diagnostics,
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    }
}
