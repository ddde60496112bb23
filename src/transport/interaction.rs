//! One interaction, whichever way it arrived: the transport-neutral value both transports
//! build (the gateway from serenity's types, or from the raw JSON serenity could not read;
//! the HTTP endpoint from the raw JSON, in `wire`) and the one handler answers.

use serenity::all::{
    CommandDataOptionValue, CommandInteraction, CommandType as SerenityType,
    ComponentInteractionDataKind, Permissions, ResolvedTarget,
};

use crate::commands::spec::CommandType;
use crate::commands::{Invocation, Request, RequestError, Value};

/// An interaction as the handler needs it. Its `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq)]
pub struct Interaction {
    /// Discord's id of the interaction (0 when it could not be read).
    pub id: u64,
    /// The interaction token: lets anyone answer as briefbot for 15 minutes, so it is used to
    /// answer and never logged.
    pub token: String,
    pub kind: Kind,
    /// What the logs call it: the command's name, or the button's `custom_id`.
    pub(crate) name: String,
    /// The server it came from; `None` in a DM.
    pub guild: Option<u64>,
    /// The permission bits of the member who asked, as Discord reports them in a server.
    pub permissions: Option<u64>,
    /// Who asked (the member in a server, the user in a DM).
    pub(crate) user: Option<u64>,
    /// The roles of the member who asked; none in a DM.
    pub(crate) roles: Vec<u64>,
    /// briefbot's own permission bits where it was asked (`app_permissions`).
    pub(crate) app_permissions: Option<u64>,
    /// briefbot's application id, as the interaction names it: a later edit of the answer
    /// goes to its webhook.
    pub(crate) application: Option<u64>,
}

/// What was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Discord checking the HTTP endpoint.
    Ping,
    /// A command, an autocomplete or a button press briefbot understands.
    Request(Request),
    /// A command or autocomplete that does not fit briefbot's commands (the registered
    /// commands are out of date).
    Malformed {
        autocomplete: bool,
        error: RequestError,
    },
    /// An interaction whose data neither serenity nor briefbot's own reader could read.
    Unreadable { autocomplete: bool, why: String },
    /// An interaction kind briefbot does not handle (a modal submission).
    Unsupported,
}

impl Kind {
    /// An autocomplete interaction, which Discord accepts only choices for.
    pub(crate) fn is_autocomplete(&self) -> bool {
        match self {
            Kind::Request(request) => matches!(request, Request::Autocomplete { .. }),
            Kind::Malformed { autocomplete, .. } | Kind::Unreadable { autocomplete, .. } => {
                *autocomplete
            }
            Kind::Ping | Kind::Unsupported => false,
        }
    }

    /// One word for the logs.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Kind::Ping => "ping",
            Kind::Request(Request::Command(_)) => "command",
            Kind::Request(Request::Autocomplete { .. }) => "autocomplete",
            Kind::Request(Request::Press { .. }) => "button",
            Kind::Request(Request::Choose { .. }) => "menu",
            Kind::Malformed { .. } => "malformed",
            Kind::Unreadable { .. } => "unreadable",
            Kind::Unsupported => "other",
        }
    }
}

impl std::fmt::Debug for Interaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interaction")
            .field("id", &self.id)
            .field("token", &"[interaction token]")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("guild", &self.guild)
            .field("permissions", &self.permissions)
            .field("user", &self.user)
            .field("roles", &self.roles)
            .field("app_permissions", &self.app_permissions)
            .field("application", &self.application)
            .finish()
    }
}

impl Interaction {
    /// The caller may run an admin command: Manage Server or Administrator.
    pub fn may_manage(&self) -> bool {
        self.permissions.is_some_and(|bits| {
            Permissions::from_bits_truncate(bits)
                .intersects(Permissions::MANAGE_GUILD | Permissions::ADMINISTRATOR)
        })
    }

    /// briefbot may give and take roles where it was asked: Manage Roles or Administrator.
    /// `None` when Discord did not say (it always does in a server).
    pub(crate) fn may_manage_roles(&self) -> Option<bool> {
        self.app_permissions.map(|bits| {
            Permissions::from_bits_truncate(bits)
                .intersects(Permissions::MANAGE_ROLES | Permissions::ADMINISTRATOR)
        })
    }

    /// The span of every line logged while it is answered, whichever way it came: its id,
    /// kind, command (or button) and server, which a DM has none of.
    pub(crate) fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "interaction",
            id = self.id,
            kind = %self.kind.label(),
            command = %self.name,
            guild = self.guild,
        )
    }

    /// From serenity's parsed interaction (the gateway).
    pub fn from_serenity(interaction: &serenity::all::Interaction) -> Interaction {
        use serenity::all::{Interaction as Serenity, Member, User};
        let asker = |member: Option<&Member>, user: &User, app: Option<Permissions>| Asker {
            permissions: member.and_then(|m| m.permissions).map(|p| p.bits()),
            user: Some(user.id.get()),
            roles: member.map_or_else(Vec::new, |m| m.roles.iter().map(|r| r.get()).collect()),
            app_permissions: app.map(|p| p.bits()),
        };
        let (kind, name, asker, application) = match interaction {
            Serenity::Command(c) => (
                command_kind(invocation(c), false),
                c.data.name.clone(),
                asker(c.member.as_deref(), &c.user, c.app_permissions),
                Some(c.application_id.get()),
            ),
            Serenity::Autocomplete(c) => (
                command_kind(invocation(c), true),
                c.data.name.clone(),
                asker(c.member.as_deref(), &c.user, c.app_permissions),
                Some(c.application_id.get()),
            ),
            Serenity::Component(c) => (
                Kind::Request(match &c.data.kind {
                    ComponentInteractionDataKind::RoleSelect { values } => Request::Choose {
                        custom_id: c.data.custom_id.clone(),
                        values: values.iter().map(|v| v.get()).collect(),
                    },
                    ComponentInteractionDataKind::ChannelSelect { values } => Request::Choose {
                        custom_id: c.data.custom_id.clone(),
                        values: values.iter().map(|v| v.get()).collect(),
                    },
                    _ => Request::Press {
                        custom_id: c.data.custom_id.clone(),
                        carried: c.message.embeds.first().and_then(|e| e.title.clone()),
                    },
                }),
                c.data.custom_id.clone(),
                asker(c.member.as_ref(), &c.user, c.app_permissions),
                Some(c.application_id.get()),
            ),
            Serenity::Ping(p) => (
                Kind::Ping,
                String::new(),
                Asker::default(),
                Some(p.application_id.get()),
            ),
            _ => (Kind::Unsupported, String::new(), Asker::default(), None),
        };
        Interaction {
            id: interaction.id().get(),
            token: interaction.token().to_string(),
            kind,
            name,
            guild: interaction.guild_id().map(|g| g.get()),
            permissions: asker.permissions,
            user: asker.user,
            roles: asker.roles,
            app_permissions: asker.app_permissions,
            application,
        }
    }
}

/// Who asked, and what briefbot may do where they asked, as an interaction reports it.
#[derive(Default)]
pub(super) struct Asker {
    pub(crate) permissions: Option<u64>,
    pub(crate) user: Option<u64>,
    pub(crate) roles: Vec<u64>,
    pub(crate) app_permissions: Option<u64>,
}

/// An error's text with the interaction token taken out: request errors name the callback or
/// webhook URL, which holds it, and the token lets anyone answer as briefbot for 15 minutes.
pub(crate) fn redact(error: &dyn std::fmt::Display, token: &str) -> String {
    let text = error.to_string();
    if token.is_empty() {
        text
    } else {
        text.replace(token, "[interaction token]")
    }
}

/// A command (type 2) or autocomplete (type 4) invocation, checked against the commands.
pub(super) fn command_kind(invocation: Invocation, autocomplete: bool) -> Kind {
    let request = if autocomplete {
        invocation.into_autocomplete()
    } else {
        invocation.into_command().map(Request::Command)
    };
    match request {
        Ok(request) => Kind::Request(request),
        Err(error) => Kind::Malformed {
            autocomplete,
            error,
        },
    }
}

fn invocation(interaction: &CommandInteraction) -> Invocation {
    let data = &interaction.data;
    let command_type = match data.kind {
        SerenityType::ChatInput => CommandType::ChatInput,
        SerenityType::Message => CommandType::Message,
        _ => CommandType::Other,
    };
    // A message command's message comes with the interaction (`data.resolved.messages`), so
    // reading it needs no message-content intent.
    let message = match data.target() {
        Some(ResolvedTarget::Message(message)) => Some(message_text(
            std::iter::once(message.content.as_str()).chain(message.embeds.iter().flat_map(
                |embed| {
                    [embed.title.as_deref(), embed.description.as_deref()]
                        .into_iter()
                        .flatten()
                        .chain(
                            embed
                                .fields
                                .iter()
                                .flat_map(|f| [f.name.as_str(), f.value.as_str()]),
                        )
                },
            )),
        )),
        _ => None,
    };
    let mut invocation = Invocation {
        name: data.name.clone(),
        command_type,
        message,
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

/// The text of a message a message command was used on, from its parts in order: the
/// content, then each embed's title, description and fields' names and values (a post by
/// another bot, a link's preview). Blank parts are left out; the rest are joined by newlines.
pub(super) fn message_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut text = String::new();
    for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(part);
    }
    text
}
