//! The commands briefbot offers, defined once: the command-line parser, the Discord request
//! parser and (for registration) the command builders all read this table. Most are slash
//! commands, typed in the message box; "Brief me" is a message command, found in a message's
//! Apps menu.

use super::views::search::MAX_QUERY_CHARS;

/// The kind of value an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionKind {
    Integer,
    String,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct OptionSpec {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) kind: OptionKind,
    pub(crate) required: bool,
    /// Whether Discord asks briefbot for suggestions while the user types.
    pub(crate) autocomplete: bool,
    /// The smallest value an integer option accepts.
    pub(crate) min: Option<i64>,
    /// The most characters a string option accepts in Discord's box. Only Discord enforces it:
    /// a longer value (over HTTP from elsewhere, from `briefbot ask`) still reaches the command.
    pub(crate) max_length: Option<usize>,
}

/// How a command is invoked, as Discord's application command types have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum CommandType {
    /// A slash command (`CHAT_INPUT`, type 1): a name typed after `/`, with a description
    /// and options.
    #[default]
    ChatInput,
    /// A message command (`MESSAGE`, type 3): in a message's Apps menu, acting on that
    /// message. Discord shows it without a description, and it has no options; its name may
    /// have capitals and spaces.
    Message,
    /// A type briefbot defines no command of (a user command, an activity's entry point).
    Other,
}

impl CommandType {
    /// The type Discord's number names.
    pub(crate) fn from_code(code: u64) -> CommandType {
        match code {
            1 => CommandType::ChatInput,
            3 => CommandType::Message,
            _ => CommandType::Other,
        }
    }
}

/// Which command a row is: `Invocation::into_command` matches on it exhaustively, so a new
/// row with a new kind does not compile until the core handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommandKind {
    Latest,
    Round,
    Positions,
    Author,
    Rounds,
    Search,
    BriefMe,
    About,
    Reload,
    Follow,
    Setup,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct CommandSpec {
    pub(crate) kind: CommandKind,
    /// A slash command or a message command.
    pub(crate) command_type: CommandType,
    pub(crate) name: &'static str,
    /// What the command does: Discord shows it under a slash command's name; a message
    /// command is registered without it, and only briefbot's own listings show it.
    pub(crate) description: &'static str,
    /// A slash command's options (a message command has none).
    pub(crate) options: &'static [OptionSpec],
    /// Only members who may manage the server see and use it.
    pub(crate) admin: bool,
}

const TRACK: OptionSpec = OptionSpec {
    name: "track",
    description: "Which negotiation track (only needed when there are several)",
    kind: OptionKind::String,
    required: false,
    autocomplete: true,
    min: None,
    max_length: None,
};

const fn round_option(required: bool, description: &'static str) -> OptionSpec {
    OptionSpec {
        name: if required { "number" } else { "round" },
        description,
        kind: OptionKind::Integer,
        required,
        autocomplete: true,
        min: Some(1),
        max_length: None,
    }
}

/// Every command, in the order `/help`-like listings show them.
pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        kind: CommandKind::Latest,
        command_type: CommandType::ChatInput,
        name: "latest",
        description: "The newest round's briefing card",
        options: &[TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Round,
        command_type: CommandType::ChatInput,
        name: "round",
        description: "One round's briefing card",
        options: &[round_option(true, "The round number"), TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Positions,
        command_type: CommandType::ChatInput,
        name: "positions",
        description: "Where the parties stand: one party round by round, or every party in a round",
        options: &[
            OptionSpec {
                name: "party",
                description: "A party, to follow its stance round by round",
                kind: OptionKind::String,
                required: false,
                autocomplete: true,
                min: None,
                max_length: None,
            },
            round_option(false, "The round (default: the latest)"),
            TRACK,
        ],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Author,
        command_type: CommandType::ChatInput,
        name: "author",
        description: "About a brief's author (default: the latest round's)",
        options: &[OptionSpec {
            name: "name",
            description: "The author",
            kind: OptionKind::String,
            required: false,
            autocomplete: true,
            min: None,
            max_length: None,
        }],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Rounds,
        command_type: CommandType::ChatInput,
        name: "rounds",
        description: "The timeline: every round with its date, place and headline",
        options: &[TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Search,
        command_type: CommandType::ChatInput,
        name: "search",
        description: "Find the rounds that mention something",
        options: &[
            OptionSpec {
                name: "query",
                description: "Words to look for: a place, a person, an idea",
                kind: OptionKind::String,
                required: true,
                autocomplete: false,
                min: None,
                max_length: Some(MAX_QUERY_CHARS),
            },
            TRACK,
        ],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::BriefMe,
        command_type: CommandType::Message,
        name: "Brief me",
        description: "The round that best explains a message, shown only to you",
        options: &[],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::About,
        command_type: CommandType::ChatInput,
        name: "about",
        description: "What briefbot covers and who publishes it",
        options: &[],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Reload,
        command_type: CommandType::ChatInput,
        name: "reload",
        description: "Load the briefs folder again now and show what was loaded, or the mistakes",
        options: &[],
        admin: true,
    },
    CommandSpec {
        kind: CommandKind::Follow,
        command_type: CommandType::ChatInput,
        name: "follow",
        description: "Get pinged here for a track's new rounds, or stop: toggles this server's follow role",
        options: &[TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Setup,
        command_type: CommandType::ChatInput,
        name: "setup",
        description: "Choose where this server gets a track's new rounds, and the role they ping",
        options: &[TRACK],
        admin: true,
    },
];

pub(crate) fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

impl CommandSpec {
    /// Offered in servers that installed briefbot, and nowhere else: an admin command, or one
    /// that acts in the server as the bot (`/follow` gives roles, which a bot installed to a
    /// person's account, not a member of the server, cannot).
    pub(crate) fn servers_only(&self) -> bool {
        self.admin || self.kind == CommandKind::Follow
    }

    /// Offered only where the operator turned it on (`[setup] enabled`): registered then, and
    /// left out of the listings otherwise.
    pub(crate) fn is_optional(&self) -> bool {
        self.kind == CommandKind::Setup
    }

    pub(crate) fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// `/round number:… [track:…]`, for usage messages; a message command says where it is.
    pub(crate) fn usage(&self) -> String {
        if self.command_type != CommandType::ChatInput {
            return format!("{} (a message's menu → Apps)", self.name);
        }
        let mut out = format!("/{}", self.name);
        for option in self.options {
            if option.required {
                out.push_str(&format!(" {}:…", option.name));
            } else {
                out.push_str(&format!(" [{}:…]", option.name));
            }
        }
        out
    }

    /// How a listing names it, in Markdown: `` `/latest` ``, or `` `Brief me` `` and where
    /// to find it.
    pub(crate) fn label(&self) -> String {
        match self.command_type {
            CommandType::ChatInput => format!("`/{}`", self.name),
            CommandType::Message | CommandType::Other => {
                format!(
                    "`{}` (right-click or long-press a message → Apps)",
                    self.name
                )
            }
        }
    }
}

/// Every command's usage, one per line (`/setup`, which only some deployments offer, aside).
pub(crate) fn usage() -> String {
    COMMANDS
        .iter()
        .filter(|c| !c.is_optional())
        .map(|c| format!("  {:<42} {}", c.usage(), c.description))
        .collect::<Vec<_>>()
        .join("\n")
}
