//! The slash commands briefbot offers, defined once: the command-line parser, the Discord
//! request parser and (for registration) the command builders all read this table.

/// The kind of value an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Integer,
    String,
}

#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: OptionKind,
    pub required: bool,
    /// Whether Discord asks briefbot for suggestions while the user types.
    pub autocomplete: bool,
    /// The smallest value an integer option accepts.
    pub min: Option<i64>,
}

/// Which command a row is: `Invocation::into_command` matches on it exhaustively, so a new
/// row with a new kind does not compile until the core handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    Latest,
    Round,
    Positions,
    Author,
    Rounds,
    About,
    Reload,
}

#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub kind: CommandKind,
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
    /// Only members who may manage the server see and use it.
    pub admin: bool,
}

const TRACK: OptionSpec = OptionSpec {
    name: "track",
    description: "Which negotiation track (only needed when there are several)",
    kind: OptionKind::String,
    required: false,
    autocomplete: true,
    min: None,
};

const fn round_option(required: bool, description: &'static str) -> OptionSpec {
    OptionSpec {
        name: if required { "number" } else { "round" },
        description,
        kind: OptionKind::Integer,
        required,
        autocomplete: true,
        min: Some(1),
    }
}

/// Every command, in the order `/help`-like listings show them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        kind: CommandKind::Latest,
        name: "latest",
        description: "The newest round's briefing card",
        options: &[TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Round,
        name: "round",
        description: "One round's briefing card",
        options: &[round_option(true, "The round number"), TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Positions,
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
            },
            round_option(false, "The round (default: the latest)"),
            TRACK,
        ],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Author,
        name: "author",
        description: "About a brief's author (default: the latest round's)",
        options: &[OptionSpec {
            name: "name",
            description: "The author",
            kind: OptionKind::String,
            required: false,
            autocomplete: true,
            min: None,
        }],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Rounds,
        name: "rounds",
        description: "The timeline: every round with its date, place and headline",
        options: &[TRACK],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::About,
        name: "about",
        description: "What briefbot covers and who publishes it",
        options: &[],
        admin: false,
    },
    CommandSpec {
        kind: CommandKind::Reload,
        name: "reload",
        description: "Load the briefs folder again now and show what was loaded, or the mistakes",
        options: &[],
        admin: true,
    },
];

pub fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

impl CommandSpec {
    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// `/round number [track]`, for usage messages.
    pub fn usage(&self) -> String {
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
}

/// Every command's usage, one per line.
pub fn usage() -> String {
    COMMANDS
        .iter()
        .map(|c| format!("  {:<42} {}", c.usage(), c.description))
        .collect::<Vec<_>>()
        .join("\n")
}
