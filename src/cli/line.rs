//! The command line of `briefbot ask`: `/round 5`, `/round number:5`,
//! `/positions party:United States round:5`, read into the same `Invocation` the Discord
//! front ends build, so offline answers are the bot's answers.

use crate::commands::spec::{self, OptionKind};
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
/// order, or continue the text of the string option before them.
fn invocation(line: &str) -> Result<Invocation, RequestError> {
    let line = line.trim();
    let rest = line.strip_prefix('/').ok_or(RequestError::Empty)?;
    let mut words = split_words(rest).into_iter();
    let name = words
        .next()
        .filter(|n| !n.is_empty())
        .ok_or(RequestError::Empty)?
        .to_lowercase();
    let spec = spec::command(&name).ok_or_else(|| RequestError::UnknownCommand(name.clone()))?;
    let mut options: Vec<(String, String)> = Vec::new();
    // The option whose text the next word continues (a string, or one given as `name:`).
    let mut open: Option<OptionKind> = None;
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
            open = (option.kind == OptionKind::String || value.is_empty()).then_some(option.kind);
            continue;
        }
        if let (Some(kind), Some((_, text))) = (open, options.last_mut()) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&word);
            open = (kind == OptionKind::String).then_some(kind);
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
        open = (next.kind == OptionKind::String).then_some(next.kind);
    }
    let options = options
        .into_iter()
        .map(|(name, text)| {
            let value = match text.trim().parse::<i64>() {
                Ok(n)
                    if spec
                        .option(&name)
                        .is_some_and(|o| o.kind == OptionKind::Integer) =>
                {
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
        focused: None,
    })
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
