//! What a user asked, whatever the transport: a typed `Request`, checked against the command
//! table (`spec`). Front ends (the gateway's serenity types, the HTTP endpoint's raw JSON, the
//! command line of `briefbot ask`) each build an `Invocation`; this module does the rest.

use super::spec::{self, CommandKind, CommandSpec, CommandType, OptionKind};

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
    /// Something was chosen in a select menu (a channel, a role): the menu's `custom_id`
    /// carries the state, `values` the ids chosen.
    Choose {
        custom_id: String,
        values: Vec<u64>,
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

/// A command with its options.
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
    /// `/search query [track]`. The query as typed (trimmed): an empty or overlong one is
    /// the search view's to answer, not a malformed request.
    Search {
        query: String,
        track: Option<String>,
    },
    /// The "Brief me" message command: the text of the message it was used on (its content,
    /// then each embed's title, description and fields, one per line).
    BriefMe {
        text: String,
    },
    About,
    /// Load the briefs folder again (an admin command): not a view of the library but an
    /// action, which `commands::answer` hands to the transports' handler.
    Reload,
    /// `/follow [track]`: give the member this server's follow role of the track, or take it
    /// away when they have it. An action too, for the handler to carry out.
    Follow {
        track: Option<String>,
    },
    /// `/setup [track]`: a server's admins choose where the track's new rounds go there, and
    /// the role they ping. An action, for the handler to carry out against Discord.
    Setup {
        track: Option<String>,
    },
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
    /// A message command arrived without the message it was used on.
    #[error("`{command}` came without the message it was used on")]
    NoMessage { command: String },
    #[error("a command line starts with `/` and a command name")]
    Empty,
}

/// An option's value as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Integer(i64),
    String(String),
}

/// A command name and its options, before they are checked against the command's spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Invocation {
    pub(crate) name: String,
    /// A slash command (the default) or a message command: a name means a command of its
    /// type only.
    pub(crate) command_type: CommandType,
    pub(crate) options: Vec<(String, Value)>,
    /// The option being typed, for autocomplete, with its partial text.
    pub(crate) focused: Option<(String, String)>,
    /// A message command's: the text of the message it was used on, when it came with the
    /// interaction.
    pub(crate) message: Option<String>,
}

impl Invocation {
    fn spec(&self) -> Result<&'static CommandSpec, RequestError> {
        spec::command(&self.name)
            .filter(|spec| spec.command_type == self.command_type)
            .ok_or_else(|| RequestError::UnknownCommand(self.name.clone()))
    }

    /// Checks the options against the command's spec and builds the typed command.
    pub(crate) fn into_command(self) -> Result<Command, RequestError> {
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
            CommandKind::Search => Command::Search {
                // Present (Args::check saw to it), perhaps blank: the view answers that.
                query: args.text("query").unwrap_or_default(),
                track: args.string("track"),
            },
            CommandKind::BriefMe => Command::BriefMe {
                text: self.message.ok_or_else(|| RequestError::NoMessage {
                    command: spec.name.to_string(),
                })?,
            },
            CommandKind::About => Command::About,
            CommandKind::Reload => Command::Reload,
            CommandKind::Follow => Command::Follow {
                track: args.string("track"),
            },
            CommandKind::Setup => Command::Setup {
                track: args.string("track"),
            },
        })
    }

    pub(crate) fn into_autocomplete(self) -> Result<Request, RequestError> {
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

    /// A string option's value, trimmed; `None` when it is missing or blank.
    fn string(&self, name: &str) -> Option<String> {
        self.text(name).filter(|s| !s.is_empty())
    }

    /// A string option's value, trimmed, even when that leaves nothing.
    fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s) => Some(s.trim().to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(name: &str, command_type: CommandType) -> Invocation {
        Invocation {
            name: name.to_string(),
            command_type,
            ..Invocation::default()
        }
    }

    #[test]
    fn a_message_command_carries_its_message_or_says_it_did_not_come() {
        let mut brief_me = invocation("Brief me", CommandType::Message);
        assert_eq!(
            brief_me.clone().into_command(),
            Err(RequestError::NoMessage {
                command: "Brief me".into()
            })
        );
        brief_me.message = Some("Talks resume in Paris".into());
        assert_eq!(
            brief_me.into_command(),
            Ok(Command::BriefMe {
                text: "Talks resume in Paris".into()
            })
        );
    }

    #[test]
    fn a_name_is_a_command_of_its_own_type_only() {
        for (name, command_type) in [
            ("Brief me", CommandType::ChatInput),
            ("latest", CommandType::Message),
            ("latest", CommandType::Other),
        ] {
            assert_eq!(
                invocation(name, command_type).into_command(),
                Err(RequestError::UnknownCommand(name.into())),
                "{name} as {command_type:?}"
            );
        }
    }

    #[test]
    fn any_query_reaches_the_search_whatever_its_length() {
        let long = "a".repeat(super::super::views::search::MAX_QUERY_CHARS * 30);
        for query in ["", "  ", "economic zone", long.as_str()] {
            let search = Invocation {
                options: vec![("query".into(), Value::String(query.into()))],
                ..invocation("search", CommandType::ChatInput)
            };
            assert_eq!(
                search.into_command(),
                Ok(Command::Search {
                    query: query.trim().into(),
                    track: None
                })
            );
        }
    }
}
