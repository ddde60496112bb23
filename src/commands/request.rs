//! What a user asked, whatever the transport: a typed `Request`, checked against the command
//! table (`spec`). Front ends (the gateway's serenity types, the HTTP endpoint's raw JSON, the
//! command line of `briefbot ask`) each build an `Invocation`; this module does the rest.

use super::spec::{self, CommandKind, CommandSpec, OptionKind};

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
    Press {
        custom_id: String,
        /// The title of the first embed of the message the button sits on, as Discord sends
        /// it with the press. A search page button reads its query from there (the query can
        /// be longer than a `custom_id`); every other button ignores it.
        carried: Option<String>,
    },
}

impl Request {
    /// A press of the button `custom_id` on a message whose title carries nothing it needs.
    pub fn press(custom_id: impl Into<String>) -> Request {
        Request::Press {
            custom_id: custom_id.into(),
            carried: None,
        }
    }
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
    /// Load the briefs folder again (an admin command): not a view of the library but an
    /// action, which `commands::answer` hands to the transports' handler.
    Reload,
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

impl Invocation {
    fn spec(&self) -> Result<&'static CommandSpec, RequestError> {
        spec::command(&self.name).ok_or_else(|| RequestError::UnknownCommand(self.name.clone()))
    }

    /// Checks the options against the command's spec and builds the typed command.
    pub fn into_command(self) -> Result<Command, RequestError> {
        let spec = self.spec()?;
        let args = Args::check(spec, &self.options)?;
        // Exhaustive: a new kind of command does not compile until it is wired here.
        Ok(match spec.kind {
            CommandKind::Latest => Command::Latest {
                track: args.string("track"),
            },
            CommandKind::Round => Command::Round {
                number: args
                    .integer("number")
                    .ok_or_else(|| RequestError::Missing {
                        command: spec.name.to_string(),
                        option: "number".to_string(),
                    })?,
                track: args.string("track"),
            },
            CommandKind::Positions => Command::Positions {
                party: args.string("party"),
                round: args.integer("round"),
                track: args.string("track"),
            },
            CommandKind::Author => Command::Author {
                name: args.string("name"),
            },
            CommandKind::Rounds => Command::Rounds {
                track: args.string("track"),
            },
            CommandKind::About => Command::About,
            CommandKind::Reload => Command::Reload,
        })
    }

    pub fn into_autocomplete(self) -> Result<Request, RequestError> {
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
