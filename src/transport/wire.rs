//! Reading an interaction straight from Discord's JSON: only the fields a request needs, so a
//! field Discord adds or changes (which serenity 0.12.5 may refuse) does not stop an answer.
//! The HTTP endpoint reads every request this way, and the gateway the payloads serenity
//! could not parse.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::interaction::{Interaction, Kind, command_kind, message_text};
use crate::commands::spec::CommandType;
use crate::commands::{Invocation, Request, Value};

/// Why a body is not an interaction briefbot can answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAnInteraction {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("not an interaction briefbot handles: {0}")]
    Other(String),
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    token: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    guild_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    application_id: Option<Cow<'a, str>>,
    /// briefbot's own permission bits where it was asked, as a decimal string.
    #[serde(borrow, default)]
    app_permissions: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<Data<'a>>,
    /// Present in a server: the member who asked, with their permissions and roles.
    #[serde(borrow, default)]
    member: Option<Member<'a>>,
    /// Present in a DM: the user who asked.
    #[serde(borrow, default)]
    user: Option<User<'a>>,
    /// A button's: the message it sits on, read only for its title (see `Message::read`).
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
}

/// A message, as far as briefbot reads one: its text and its embeds' text.
#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    embeds: Vec<Embed<'a>>,
}

#[derive(Deserialize)]
struct Embed<'a> {
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    fields: Vec<EmbedField<'a>>,
}

#[derive(Deserialize)]
struct EmbedField<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Cow<'a, str>,
}

impl<'a> Message<'a> {
    /// Reads a message for the little briefbot takes from it. A message is no part of what a
    /// button or a command needs to be understood, so one of a shape briefbot does not expect
    /// counts as absent rather than making the whole interaction unreadable.
    fn read(raw: &'a RawValue) -> Option<Message<'a>> {
        serde_json::from_str(raw.get()).ok()
    }

    /// The text a message command reads (see `message_text`).
    fn text(&self) -> String {
        message_text(
            std::iter::once(self.content.as_deref().unwrap_or_default()).chain(
                self.embeds.iter().flat_map(|embed| {
                    [embed.title.as_deref(), embed.description.as_deref()]
                        .into_iter()
                        .flatten()
                        .chain(
                            embed
                                .fields
                                .iter()
                                .flat_map(|f| [f.name.as_ref(), f.value.as_ref()]),
                        )
                }),
            ),
        )
    }
}

#[derive(Deserialize)]
struct Member<'a> {
    /// Discord's permission bits as a decimal string.
    #[serde(borrow, default)]
    permissions: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    roles: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    user: Option<User<'a>>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
}

/// A snowflake as Discord writes it, a decimal string.
fn id(text: &str) -> Option<u64> {
    text.parse().ok()
}

#[derive(Deserialize)]
struct Data<'a> {
    /// A command's type: 1 a slash command (also when left out), 3 a message command.
    #[serde(rename = "type", default)]
    kind: Option<u64>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    /// A message command's: the id of the message it was used on.
    #[serde(borrow, default)]
    target_id: Option<Cow<'a, str>>,
    /// A message command's: the message it was used on, under `messages`, by its id.
    #[serde(borrow, default)]
    resolved: Option<Resolved<'a>>,
    #[serde(borrow, default)]
    custom_id: Option<Cow<'a, str>>,
    /// A component's: 2 a button, 6 a role menu, 8 a channel menu.
    #[serde(default)]
    component_type: Option<u64>,
    /// A menu's: the ids chosen.
    #[serde(borrow, default)]
    values: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    options: Vec<Opt<'a>>,
}

#[derive(Deserialize)]
struct Resolved<'a> {
    #[serde(borrow, default)]
    messages: HashMap<String, &'a RawValue>,
}

#[derive(Deserialize)]
struct Opt<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Option<OptValue<'a>>,
    #[serde(default)]
    focused: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OptValue<'a> {
    Integer(i64),
    Number(f64),
    Boolean(bool),
    #[serde(borrow)]
    String(Cow<'a, str>),
}

/// The few fields every interaction has, to answer one whose data cannot be read.
#[derive(Deserialize)]
struct Minimal {
    #[serde(rename = "type")]
    kind: Option<u64>,
    id: Option<String>,
    token: Option<String>,
}

/// Reads an interaction payload.
pub fn read(body: &[u8]) -> Result<Interaction, NotAnInteraction> {
    match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) => from_envelope(envelope),
        Err(error) => unreadable(body, error.to_string()),
    }
}

fn from_envelope(envelope: Envelope) -> Result<Interaction, NotAnInteraction> {
    let (kind, name) = match (envelope.kind, &envelope.data) {
        (1, _) => (Kind::Ping, String::new()),
        (2 | 4, Some(data)) => (
            command_kind(invocation(data), envelope.kind == 4),
            data.name.as_deref().unwrap_or_default().to_string(),
        ),
        (3, Some(data)) => match &data.custom_id {
            // A role or channel menu: the ids chosen.
            Some(custom_id) if matches!(data.component_type, Some(6 | 8)) => (
                Kind::Request(Request::Choose {
                    custom_id: custom_id.to_string(),
                    values: data.values.iter().filter_map(|v| id(v)).collect(),
                }),
                custom_id.to_string(),
            ),
            Some(id) => (
                Kind::Request(Request::Press {
                    custom_id: id.to_string(),
                    carried: envelope
                        .message
                        .and_then(Message::read)
                        .and_then(|m| m.embeds.into_iter().next())
                        .and_then(|e| e.title)
                        .map(Cow::into_owned),
                }),
                id.to_string(),
            ),
            None => (
                unreadable_kind(3, "missing field `custom_id`"),
                String::new(),
            ),
        },
        (5, _) => (Kind::Unsupported, String::new()),
        (kind @ 2..=4, None) => (unreadable_kind(kind, "missing field `data`"), String::new()),
        (kind, _) => {
            return Err(NotAnInteraction::Other(format!(
                "unknown interaction type {kind}"
            )));
        }
    };
    let member = envelope.member;
    let user = member
        .as_ref()
        .and_then(|m| m.user.as_ref())
        .or(envelope.user.as_ref())
        .and_then(|u| id(&u.id));
    Ok(Interaction {
        id: envelope.id.as_deref().and_then(id).unwrap_or_default(),
        token: envelope.token.map(Cow::into_owned).unwrap_or_default(),
        kind,
        name,
        guild: envelope.guild_id.as_deref().and_then(id),
        permissions: member
            .as_ref()
            .and_then(|m| m.permissions.as_deref())
            .and_then(id),
        user,
        roles: member
            .map(|m| m.roles.iter().filter_map(|r| id(r)).collect())
            .unwrap_or_default(),
        // The permissions serenity knows, as the gateway reads them: newer bits are dropped.
        app_permissions: envelope
            .app_permissions
            .as_deref()
            .and_then(id)
            .map(|bits| serenity::all::Permissions::from_bits_truncate(bits).bits()),
        application: envelope.application_id.as_deref().and_then(id),
    })
}

fn unreadable_kind(kind: u8, why: &str) -> Kind {
    Kind::Unreadable {
        autocomplete: kind == 4,
        why: why.to_string(),
    }
}

/// A body whose fields do not have the shapes briefbot reads: valid JSON that carries a
/// command's, a button's or an autocomplete's id and token is still an interaction, answered
/// with the apology, so the user is not left waiting.
fn unreadable(body: &[u8], why: String) -> Result<Interaction, NotAnInteraction> {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Err(NotAnInteraction::NotJson(why));
    };
    let minimal = serde_json::from_value::<Minimal>(raw).ok();
    match minimal {
        Some(Minimal {
            kind: Some(kind @ 2..=4),
            id: Some(id),
            token: Some(token),
        }) => Ok(Interaction {
            id: id.parse().unwrap_or_default(),
            token,
            kind: Kind::Unreadable {
                autocomplete: kind == 4,
                why,
            },
            name: String::new(),
            guild: None,
            permissions: None,
            user: None,
            roles: Vec::new(),
            app_permissions: None,
            application: None,
        }),
        _ => Err(NotAnInteraction::Other(why)),
    }
}

fn invocation(data: &Data) -> Invocation {
    let command_type = data
        .kind
        .map_or(CommandType::ChatInput, CommandType::from_code);
    let message = match (command_type, &data.target_id, &data.resolved) {
        (CommandType::Message, Some(target), Some(resolved)) => {
            let message = resolved.messages.get(target.as_ref()).copied();
            message.and_then(Message::read).map(|m| m.text())
        }
        _ => None,
    };
    let mut invocation = Invocation {
        name: data.name.as_deref().unwrap_or_default().to_string(),
        command_type,
        message,
        ..Invocation::default()
    };
    for option in &data.options {
        let value = match &option.value {
            Some(OptValue::String(s)) if option.focused => {
                invocation.focused = Some((option.name.to_string(), s.to_string()));
                continue;
            }
            Some(OptValue::Integer(n)) if option.focused => {
                invocation.focused = Some((option.name.to_string(), n.to_string()));
                continue;
            }
            Some(OptValue::Integer(n)) => Value::Integer(*n),
            Some(OptValue::String(s)) => Value::String(s.to_string()),
            Some(OptValue::Number(n)) => Value::String(n.to_string()),
            Some(OptValue::Boolean(b)) => Value::String(b.to_string()),
            None => continue,
        };
        invocation.options.push((option.name.to_string(), value));
    }
    invocation
}
