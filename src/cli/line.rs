//! The command line of `briefbot ask`: `/round 5`, `/round number:5`,
//! `/positions party:United States round:5`, read into the same `Invocation` the Discord
//! front ends build, so offline answers are the bot's answers.

use crate::commands::spec::{self, CommandSpec, CommandType, OptionKind, OptionSpec};
use crate::commands::{Invocation, Request, RequestError, Value};

/// A command line: `/round 5`, `/round number:5`, `/positions party:United States round:5`.
pub fn parse(line: &str) -> Result<Request, RequestError> {
    invocation(line)?.into_command().map(Request::Command)
}

/// A command line whose last option is being typed: `/positions party:Sy`.
pub fn parse_completion(line: &str) -> Result<Request, RequestError> {
    let mut invocation = invocation(line)?;
    let spec = spec::command(&invocation.name)
        .ok_or_else(|| RequestError::UnknownCommand(invocation.name.clone()))?;
    let (name, value) = invocation
        .options
        .pop()
        .ok_or(RequestError::NothingFocused)?;
    let partial = match value {
        Value::Integer(n) => n.to_string(),
        Value::String(s) => s,
    };
    spec.option(&name)
        .ok_or_else(|| RequestError::UnknownOption {
            command: spec.name.to_string(),
            option: name.clone(),
        })?;
    invocation.focused = Some((name, partial));
    invocation.into_autocomplete()
}

/// Splits a command line into its command and options. A word `name:value` starts the
/// option `name` when the command has one; other words fill the command's options in
/// order, or continue the text of the string option before them. A number and a track are
/// one word each, so `/search economic track:syria-israel zone` looks for "economic zone".
fn invocation(line: &str) -> Result<Invocation, RequestError> {
    let line = line.trim();
    let rest = line.strip_prefix('/').ok_or(RequestError::Empty)?;
    let mut words = split_words(rest).into_iter();
    let name = words
        .next()
        .filter(|n| !n.is_empty())
        .ok_or(RequestError::Empty)?
        .to_lowercase();
    let spec = spec::command(&name)
        .filter(|s| s.command_type == CommandType::ChatInput)
        .ok_or_else(|| RequestError::UnknownCommand(name.clone()))?;
    let mut options: Vec<(String, String)> = Vec::new();
    // The string option whose text the next word continues, by its place in `options`.
    let mut running: Option<usize> = None;
    // A one-word option given as `name:`, whose value is the next word.
    let mut waiting: Option<usize> = None;
    for word in words {
        if let Some((key, value)) = word.split_once(':')
            && let Some(option) = spec.option(&key.to_lowercase())
        {
            if options.iter().any(|(n, _)| n == option.name) {
                return Err(RequestError::Repeated {
                    command: name.clone(),
                    option: option.name.to_string(),
                });
            }
            options.push((option.name.to_string(), value.to_string()));
            let at = options.len() - 1;
            waiting = None;
            if !is_one_word(option) {
                running = Some(at);
            } else if value.is_empty() {
                waiting = Some(at);
            } else if option.kind == OptionKind::Integer {
                running = None;
            }
            continue;
        }
        if let Some(at) = waiting.take() {
            options[at].1 = word;
            if options_kind(spec, &options[at].0) == Some(OptionKind::Integer) {
                running = None;
            }
            continue;
        }
        if let Some(text) = running.and_then(|at| options.get_mut(at)).map(|(_, t)| t) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&word);
            continue;
        }
        let next = spec
            .options
            .iter()
            .find(|o| !options.iter().any(|(n, _)| n == o.name))
            .ok_or_else(|| RequestError::Extra {
                command: name.clone(),
                found: word.clone(),
            })?;
        options.push((next.name.to_string(), word));
        if !is_one_word(next) {
            running = Some(options.len() - 1);
        }
    }
    let options = options
        .into_iter()
        .map(|(name, text)| {
            let value = match text.trim().parse::<i64>() {
                Ok(n) if options_kind(spec, &name) == Some(OptionKind::Integer) => {
                    Value::Integer(n)
                }
                _ => Value::String(text),
            };
            (name, value)
        })
        .collect();
    Ok(Invocation {
        name,
        options,
        ..Invocation::default()
    })
}

/// A number, or a track (a slug, which has no spaces): the option takes one word, and the
/// words after it go on with the text before it.
fn is_one_word(option: &OptionSpec) -> bool {
    option.kind == OptionKind::Integer || option.name == "track"
}

fn options_kind(spec: &CommandSpec, name: &str) -> Option<OptionKind> {
    spec.option(name).map(|o| o.kind)
}

/// Words separated by spaces; double quotes keep spaces inside one word.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Command;

    fn line(text: &str) -> Result<Request, RequestError> {
        parse(text)
    }

    #[test]
    fn positional_and_named_options_mean_the_same() {
        let expected = Request::Command(Command::Round {
            number: 5,
            track: None,
        });
        assert_eq!(line("/round 5"), Ok(expected.clone()));
        assert_eq!(line("/round number:5"), Ok(expected.clone()));
        assert_eq!(line("  /ROUND   number:5 "), Ok(expected));
    }

    #[test]
    fn string_options_run_on_until_the_next_option() {
        assert_eq!(
            line("/positions party:United States round:5"),
            Ok(Request::Command(Command::Positions {
                party: Some("United States".into()),
                round: Some(5),
                track: None
            }))
        );
        assert_eq!(
            line("/positions party:\"United States\""),
            Ok(Request::Command(Command::Positions {
                party: Some("United States".into()),
                round: None,
                track: None
            }))
        );
    }

    #[test]
    fn a_space_after_the_colon_is_forgiven() {
        assert_eq!(
            line("/round number: 5"),
            Ok(Request::Command(Command::Round {
                number: 5,
                track: None
            }))
        );
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert_eq!(
            line("/round number:5 number:6"),
            Err(RequestError::Repeated {
                command: "round".into(),
                option: "number".into()
            })
        );
        assert_eq!(
            line("/weather"),
            Err(RequestError::UnknownCommand("weather".into()))
        );
        assert_eq!(line("latest"), Err(RequestError::Empty));
        assert_eq!(
            line("/round"),
            Err(RequestError::Missing {
                command: "round".into(),
                option: "number".into()
            })
        );
        assert_eq!(
            line("/round five"),
            Err(RequestError::WrongType {
                option: "number".into(),
                expected: "a whole number",
                found: "five".into()
            })
        );
        assert_eq!(
            line("/about now"),
            Err(RequestError::Extra {
                command: "about".into(),
                found: "now".into()
            })
        );
    }

    fn search(query: &str, track: Option<&str>) -> Result<Request, RequestError> {
        Ok(Request::Command(Command::Search {
            query: query.into(),
            track: track.map(str::to_string),
        }))
    }

    #[test]
    fn a_search_query_is_the_rest_of_the_line_without_its_track() {
        let zone = search("economic zone", None);
        assert_eq!(line("/search economic zone"), zone);
        assert_eq!(line("/search query:economic zone"), zone);
        assert_eq!(line("/search query:\"economic zone\""), zone);
        assert_eq!(line("/search \"economic zone\""), zone);
        let in_track = search("economic zone", Some("syria-israel"));
        assert_eq!(line("/search economic zone track:syria-israel"), in_track);
        assert_eq!(line("/search track:syria-israel economic zone"), in_track);
        assert_eq!(line("/search economic track:syria-israel zone"), in_track);
        assert_eq!(line("/search economic zone track: syria-israel"), in_track);
        // Words with a colon that name no option are words of the query.
        assert_eq!(line("/search round:5 talks"), search("round:5 talks", None));
    }

    #[test]
    fn a_blank_or_overlong_query_is_left_to_the_search_to_answer() {
        assert_eq!(line("/search query:"), search("", None));
        let long = "zone ".repeat(100);
        assert_eq!(line(&format!("/search {long}")), search(long.trim(), None));
        assert_eq!(
            line("/search"),
            Err(RequestError::Missing {
                command: "search".into(),
                option: "query".into()
            })
        );
    }

    #[test]
    fn a_track_is_one_word_and_the_words_after_it_fill_the_next_option() {
        assert_eq!(
            line("/positions track:syria-israel Syria"),
            Ok(Request::Command(Command::Positions {
                party: Some("Syria".into()),
                round: None,
                track: Some("syria-israel".into())
            }))
        );
    }

    #[test]
    fn a_message_command_is_not_a_command_line() {
        assert_eq!(
            line("/brief me"),
            Err(RequestError::UnknownCommand("brief".into()))
        );
        assert_eq!(
            line("/Brief me"),
            Err(RequestError::UnknownCommand("brief".into()))
        );
    }

    #[test]
    fn a_completion_line_focuses_its_last_option() {
        assert_eq!(
            parse_completion("/positions party:Sy"),
            Ok(Request::Autocomplete {
                command: "positions".into(),
                option: "party".into(),
                partial: "Sy".into(),
                track: None
            })
        );
    }
}
