//! What a user asked, whatever the transport: built from serenity's interaction types, or
//! from a command line such as `/positions party:Syria round:5` for `briefbot ask`.

use serenity::all::{
    CommandDataOptionValue, CommandInteraction, ComponentInteraction, Permissions,
};

use super::spec::{self, CommandSpec, OptionKind};

/// One request to the command core.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Request {
    Command(Command),
    /// The user is typing `option` of `command`; `partial` is what they typed so far.
    Autocomplete {
        command: String,
        option: String,
        partial: String,
        /// The track option, when the user already filled it in.
        track: Option<String>,
    },
    /// A button was pressed; its `custom_id` carries the state.
    Press(String),
}

/// A slash command with its options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    Latest {
        track: Option<String>,
    },
    Round {
        number: i64,
        track: Option<String>,
    },
    Positions {
        party: Option<String>,
        round: Option<i64>,
        track: Option<String>,
    },
    Author {
        name: Option<String>,
    },
    Rounds {
        track: Option<String>,
    },
    About,
    /// Load the briefs folder again (an admin command). `may_manage` says whether the member
    /// who asked may manage the server, as Discord reports their permissions; it is checked
    /// again at run time, since a server can change who sees the command.
    Reload {
        may_manage: bool,
    },
}

/// Whether Discord's permission bits allow an admin command: Manage Server or Administrator.
pub fn may_manage(permissions: u64) -> bool {
    Permissions::from_bits_truncate(permissions)
        .intersects(Permissions::MANAGE_GUILD | Permissions::ADMINISTRATOR)
}

/// Why a request could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("unknown command `/{0}`")]
    UnknownCommand(String),
    #[error("`/{command}` has no option `{option}`")]
    UnknownOption { command: String, option: String },
    #[error("`{option}` must be {expected}, found \"{found}\"")]
    WrongType {
        option: String,
        expected: &'static str,
        found: String,
    },
    #[error("`/{command}` needs `{option}`")]
    Missing { command: String, option: String },
    #[error("`/{command}` takes no more values, found \"{found}\"")]
    Extra { command: String, found: String },
    #[error("`/{command}` was given `{option}` twice")]
    Repeated { command: String, option: String },
    #[error("nothing to complete: end the command line with `option:` and the text typed so far")]
    NothingFocused,
    #[error("a command line starts with `/` and a command name")]
    Empty,
    #[error("this interaction is not a command")]
    NotACommand,
}

/// An option's value as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Integer(i64),
    String(String),
}

/// A command name and its options, before they are checked against the command's spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invocation {
    pub name: String,
    pub options: Vec<(String, Value)>,
    /// The option being typed, for autocomplete, with its partial text.
    pub focused: Option<(String, String)>,
}

/// An interaction read straight from Discord's JSON (the HTTP endpoint's fast path): only
/// the fields a request needs are read, everything else is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Ping,
    Request(Request),
    /// A command or autocomplete request that does not fit briefbot's commands.
    Bad {
        autocomplete: bool,
        error: RequestError,
    },
    /// An interaction kind briefbot does not handle (a modal submission).
    Unsupported,
}

mod wire {
    //! The few fields of an interaction payload that make a request.
    use serde::Deserialize;
    use std::borrow::Cow;

    #[derive(Deserialize)]
    pub struct Envelope<'a> {
        #[serde(rename = "type")]
        pub kind: u8,
        #[serde(borrow, default)]
        pub data: Option<Data<'a>>,
        /// Present in a server: the member who asked, with their permissions.
        #[serde(borrow, default)]
        pub member: Option<Member<'a>>,
    }

    #[derive(Deserialize)]
    pub struct Member<'a> {
        /// Discord's permission bits as a decimal string.
        #[serde(borrow, default)]
        pub permissions: Option<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    pub struct Data<'a> {
        #[serde(borrow, default)]
        pub name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub custom_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub options: Vec<Opt<'a>>,
    }

    #[derive(Deserialize)]
    pub struct Opt<'a> {
        #[serde(borrow)]
        pub name: Cow<'a, str>,
        #[serde(borrow, default)]
        pub value: Option<Value<'a>>,
        #[serde(default)]
        pub focused: bool,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub enum Value<'a> {
        Integer(i64),
        Number(f64),
        Boolean(bool),
        #[serde(borrow)]
        String(Cow<'a, str>),
    }
}

impl Incoming {
    /// Reads an interaction payload. `Err` when it is not JSON or not an interaction at all.
    pub fn from_json(body: &[u8]) -> Result<Incoming, serde_json::Error> {
        let envelope: wire::Envelope = serde_json::from_slice(body)?;
        let invocation = |data: &wire::Data| {
            let mut invocation = Invocation {
                name: data.name.as_deref().unwrap_or_default().to_string(),
                ..Invocation::default()
            };
            for option in &data.options {
                let value = match &option.value {
                    Some(wire::Value::String(s)) if option.focused => {
                        invocation.focused = Some((option.name.to_string(), s.to_string()));
                        continue;
                    }
                    Some(wire::Value::Integer(n)) if option.focused => {
                        invocation.focused = Some((option.name.to_string(), n.to_string()));
                        continue;
                    }
                    Some(wire::Value::Integer(n)) => Value::Integer(*n),
                    Some(wire::Value::String(s)) => Value::String(s.to_string()),
                    Some(wire::Value::Number(n)) => Value::String(n.to_string()),
                    Some(wire::Value::Boolean(b)) => Value::String(b.to_string()),
                    None => continue,
                };
                invocation.options.push((option.name.to_string(), value));
            }
            invocation
        };
        Ok(match (envelope.kind, envelope.data.as_ref()) {
            (1, _) => Incoming::Ping,
            (2, Some(data)) => match invocation(data).into_command() {
                Ok(Command::Reload { .. }) => {
                    let permissions = envelope
                        .member
                        .as_ref()
                        .and_then(|m| m.permissions.as_deref())
                        .and_then(|p| p.parse::<u64>().ok());
                    Incoming::Request(Request::Command(Command::Reload {
                        may_manage: permissions.is_some_and(may_manage),
                    }))
                }
                Ok(command) => Incoming::Request(Request::Command(command)),
                Err(error) => Incoming::Bad {
                    autocomplete: false,
                    error,
                },
            },
            (4, Some(data)) => match invocation(data).into_autocomplete() {
                Ok(request) => Incoming::Request(request),
                Err(error) => Incoming::Bad {
                    autocomplete: true,
                    error,
                },
            },
            (3, Some(data)) => match &data.custom_id {
                Some(id) => Incoming::Request(Request::Press(id.to_string())),
                None => return Err(serde::de::Error::missing_field("custom_id")),
            },
            (5, _) => Incoming::Unsupported,
            (2..=4, None) => return Err(serde::de::Error::missing_field("data")),
            (kind, _) => {
                return Err(serde::de::Error::custom(format!(
                    "unknown interaction type {kind}"
                )));
            }
        })
    }
}

impl Request {
    /// A slash command interaction (`INTERACTION_CREATE` of type 2).
    pub fn from_command(interaction: &CommandInteraction) -> Result<Request, RequestError> {
        let mut command = Invocation::from_interaction(interaction).into_command()?;
        if let Command::Reload {
            may_manage: allowed,
        } = &mut command
        {
            *allowed = interaction
                .member
                .as_ref()
                .and_then(|m| m.permissions)
                .is_some_and(|p| may_manage(p.bits()));
        }
        Ok(Request::Command(command))
    }

    /// An autocomplete interaction (type 4).
    pub fn from_autocomplete(interaction: &CommandInteraction) -> Result<Request, RequestError> {
        Invocation::from_interaction(interaction).into_autocomplete()
    }

    /// A button press (type 3).
    pub fn from_component(interaction: &ComponentInteraction) -> Request {
        Request::Press(interaction.data.custom_id.clone())
    }

    /// A command line: `/round 5`, `/round number:5`, `/positions party:United States round:5`.
    pub fn parse_line(line: &str) -> Result<Request, RequestError> {
        Invocation::parse_line(line)?
            .into_command()
            .map(Request::Command)
    }

    /// A command line whose last option is being typed: `/positions party:Sy`.
    pub fn parse_completion(line: &str) -> Result<Request, RequestError> {
        let mut invocation = Invocation::parse_line(line)?;
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
}

impl Invocation {
    fn from_interaction(interaction: &CommandInteraction) -> Invocation {
        let mut invocation = Invocation {
            name: interaction.data.name.clone(),
            ..Invocation::default()
        };
        for option in &interaction.data.options {
            let value = match &option.value {
                CommandDataOptionValue::Autocomplete { value, .. } => {
                    invocation.focused = Some((option.name.clone(), value.clone()));
                    continue;
                }
                CommandDataOptionValue::Integer(n) => Value::Integer(*n),
                CommandDataOptionValue::Number(n) => Value::String(n.to_string()),
                CommandDataOptionValue::String(s) => Value::String(s.clone()),
                CommandDataOptionValue::Boolean(b) => Value::String(b.to_string()),
                // briefbot registers no other kinds; an unexpected one is reported as a mismatch.
                other => Value::String(format!("{:?}", other.kind())),
            };
            invocation.options.push((option.name.clone(), value));
        }
        invocation
    }

    /// Splits a command line into its command and options. A word `name:value` starts the
    /// option `name` when the command has one; other words fill the command's options in
    /// order, or continue the text of the string option before them.
    fn parse_line(line: &str) -> Result<Invocation, RequestError> {
        let line = line.trim();
        let rest = line.strip_prefix('/').ok_or(RequestError::Empty)?;
        let mut words = split_words(rest).into_iter();
        let name = words
            .next()
            .filter(|n| !n.is_empty())
            .ok_or(RequestError::Empty)?
            .to_lowercase();
        let spec =
            spec::command(&name).ok_or_else(|| RequestError::UnknownCommand(name.clone()))?;
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
                open =
                    (option.kind == OptionKind::String || value.is_empty()).then_some(option.kind);
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

    fn spec(&self) -> Result<&'static CommandSpec, RequestError> {
        spec::command(&self.name).ok_or_else(|| RequestError::UnknownCommand(self.name.clone()))
    }

    /// Checks the options against the command's spec and builds the typed command.
    fn into_command(self) -> Result<Command, RequestError> {
        let spec = self.spec()?;
        let args = Args::check(spec, &self.options)?;
        Ok(match spec.name {
            "latest" => Command::Latest {
                track: args.string("track"),
            },
            "round" => Command::Round {
                number: args
                    .integer("number")
                    .ok_or_else(|| RequestError::Missing {
                        command: spec.name.to_string(),
                        option: "number".to_string(),
                    })?,
                track: args.string("track"),
            },
            "positions" => Command::Positions {
                party: args.string("party"),
                round: args.integer("round"),
                track: args.string("track"),
            },
            "author" => Command::Author {
                name: args.string("name"),
            },
            "rounds" => Command::Rounds {
                track: args.string("track"),
            },
            "reload" => Command::Reload { may_manage: false },
            _ => Command::About,
        })
    }

    fn into_autocomplete(self) -> Result<Request, RequestError> {
        let spec = self.spec()?;
        let (option, partial) = self.focused.clone().ok_or(RequestError::NothingFocused)?;
        let args = Args::check_partial(spec, &self.options)?;
        Ok(Request::Autocomplete {
            command: spec.name.to_string(),
            option,
            partial,
            track: args.string("track"),
        })
    }
}

/// Options checked against a command's spec.
struct Args<'a> {
    options: &'a [(String, Value)],
}

impl<'a> Args<'a> {
    fn check(spec: &CommandSpec, options: &'a [(String, Value)]) -> Result<Args<'a>, RequestError> {
        let args = Args::check_partial(spec, options)?;
        if let Some(missing) = spec
            .options
            .iter()
            .find(|o| o.required && args.get(o.name).is_none())
        {
            return Err(RequestError::Missing {
                command: spec.name.to_string(),
                option: missing.name.to_string(),
            });
        }
        Ok(args)
    }

    /// Like `check`, but required options may still be missing (the user is typing).
    fn check_partial(
        spec: &CommandSpec,
        options: &'a [(String, Value)],
    ) -> Result<Args<'a>, RequestError> {
        for (name, value) in options {
            let option = spec
                .option(name)
                .ok_or_else(|| RequestError::UnknownOption {
                    command: spec.name.to_string(),
                    option: name.clone(),
                })?;
            if let (OptionKind::Integer, Value::String(found)) = (option.kind, value) {
                return Err(RequestError::WrongType {
                    option: name.clone(),
                    expected: "a whole number",
                    found: found.clone(),
                });
            }
        }
        Ok(Args { options })
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.options.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn string(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Integer(n) => Some(n.to_string()),
        }
    }

    fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Integer(n) => Some(*n),
            Value::String(_) => None,
        }
    }
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

    fn line(text: &str) -> Result<Request, RequestError> {
        Request::parse_line(text)
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
            Request::parse_completion("/positions party:Sy"),
            Ok(Request::Autocomplete {
                command: "positions".into(),
                option: "party".into(),
                partial: "Sy".into(),
                track: None
            })
        );
    }
}
