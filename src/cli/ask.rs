//! `briefbot ask`: the offline preview. Renders exactly what the bot would answer, as
//! terminal text or as the interaction response JSON Discord would receive.

use super::line;
use crate::commands::custom_id::SearchPage;
use crate::commands::spec::CommandType;
use crate::commands::{self, Invocation, Request, RequestError};
use crate::library::Library;
use crate::reply::{Fitted, Reply};

/// The name of the message command `--message` runs.
const BRIEF_ME: &str = "Brief me";

/// What to ask: a command line, a button press, autocomplete for a command line's last
/// option, or "Brief me" on a message's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Line(String),
    /// A button's `custom_id`, and the title of the first embed of the message it sits on,
    /// which Discord sends with a press (a search page button reads its query there).
    Press {
        custom_id: String,
        title: Option<String>,
    },
    Complete(String),
    /// The "Brief me" message command, used on a message with this text.
    Message(String),
}

/// The reply to `question`, as text for a terminal or as Discord's JSON.
pub fn ask(library: &Library, question: &Question, json: bool) -> Result<String, RequestError> {
    let request = request(question)?;
    let reply = commands::respond(library, &request).fit();
    Ok(if json {
        // The reply's JSON is built from plain values; pretty-printing it cannot fail.
        serde_json::to_string_pretty(&reply.to_json()).unwrap_or_default() + "\n"
    } else {
        reply.to_text() + &search_page_hint(&reply)
    })
}

/// The request a question makes, as the bot would receive it from Discord.
pub fn request(question: &Question) -> Result<Request, RequestError> {
    match question {
        Question::Line(text) => line::parse(text),
        Question::Press { custom_id, title } => Ok(Request::Press {
            custom_id: custom_id.clone(),
            carried: title.clone(),
        }),
        Question::Complete(text) => line::parse_completion(text),
        Question::Message(text) => Invocation {
            name: BRIEF_ME.to_string(),
            command_type: CommandType::Message,
            message: Some(text.clone()),
            ..Invocation::default()
        }
        .into_command()
        .map(Request::Command),
    }
}

/// A search page button reads its query from the title of the message it sits on, which a
/// `--press` alone does not carry: how to press one offline.
fn search_page_hint(reply: &Fitted) -> String {
    let message = match reply.reply() {
        Reply::Message { message, .. } | Reply::Update(message) => message,
        Reply::Choices(_) => return String::new(),
    };
    let title = message.embeds.first().map_or("", |e| e.title.as_str());
    let page = message
        .rows
        .iter()
        .flatten()
        .find(|b| !b.disabled && SearchPage::parse(&b.custom_id).is_some());
    match page {
        Some(button) if !title.is_empty() => format!(
            "\nSearch pages read the query from this message's title; to turn one here:\n  \
             briefbot ask --press {} --title {}\n",
            button.custom_id,
            shell_quoted(title)
        ),
        _ => String::new(),
    }
}

/// `text` in single quotes, for a POSIX shell.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Command;
    use crate::reply::{Button, Embed, Message};

    #[test]
    fn a_message_question_is_brief_me_on_its_text() {
        assert_eq!(
            request(&Question::Message("Talks in Paris".into())),
            Ok(Request::Command(Command::BriefMe {
                text: "Talks in Paris".into()
            }))
        );
    }

    #[test]
    fn a_press_carries_the_title_given() {
        assert_eq!(
            request(&Question::Press {
                custom_id: "search::2".into(),
                title: Some("🔎 economic zone".into())
            }),
            Ok(Request::Press {
                custom_id: "search::2".into(),
                carried: Some("🔎 economic zone".into())
            })
        );
    }

    #[test]
    fn a_results_message_says_how_to_turn_its_pages() {
        let results = Reply::message(Message {
            embeds: vec![Embed {
                title: "🔎 Barrack's 'plan'".into(),
                ..Embed::default()
            }],
            rows: vec![vec![
                Button::new("◀", "search::1").disabled(true),
                Button::new("▶", "search:syria-israel:2"),
            ]],
            ..Message::default()
        });
        assert_eq!(
            search_page_hint(&results.fit()),
            "\nSearch pages read the query from this message's title; to turn one here:\n  \
             briefbot ask --press search:syria-israel:2 --title '🔎 Barrack'\\''s '\\''plan'\\'''\n"
        );
        let card = Reply::message(Message {
            embeds: vec![Embed {
                title: "Round 5".into(),
                ..Embed::default()
            }],
            rows: vec![vec![Button::new("Positions", "round:x:5:positions")]],
            ..Message::default()
        });
        assert_eq!(search_page_hint(&card.fit()), "");
    }
}
