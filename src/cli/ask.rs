//! `briefbot ask`: the offline preview. Renders exactly what the bot would answer, as
//! terminal text or as the interaction response JSON Discord would receive.

use super::line;
use crate::commands::{self, Request, RequestError};
use crate::library::Library;

/// What to ask: a command line, a button press, or autocomplete for a command line's last option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Line(String),
    Press(String),
    Complete(String),
}

/// The reply to `question`, as text for a terminal or as Discord's JSON.
pub fn ask(library: &Library, question: &Question, json: bool) -> Result<String, RequestError> {
    let request = match question {
        Question::Line(text) => line::parse(text)?,
        Question::Press(custom_id) => Request::press(custom_id.clone()),
        Question::Complete(text) => line::parse_completion(text)?,
    };
    let reply = commands::respond(library, &request).fit();
    Ok(if json {
        // The reply's JSON is built from plain values; pretty-printing it cannot fail.
        serde_json::to_string_pretty(&reply.to_json()).unwrap_or_default() + "\n"
    } else {
        reply.to_text()
    })
}
