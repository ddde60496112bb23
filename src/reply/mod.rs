//! What a command answers, before any transport sends it: messages with embeds and buttons,
//! or autocomplete choices. Discord's limits are enforced once, by `Reply::fit` (`fit.rs`),
//! and only a fitted reply can be rendered (`render.rs`): as serenity's builder, as the JSON
//! Discord receives, or as terminal text. Depends on no other briefbot module but `limits`.

mod fit;
mod render;
mod text;

pub use fit::{Fitted, FittedMessage};
pub(crate) use fit::{pack, pack_within};
pub(crate) use text::{cut_at_grapheme, truncate};

/// The answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A new message (callback type 4); ephemeral ones only the asker sees.
    Message { message: Message, ephemeral: bool },
    /// The message the pressed button sits on, replaced (callback type 7).
    Update(Message),
    /// Autocomplete suggestions (callback type 8).
    Choices(Vec<Choice>),
}

/// A message: optional text, embeds, select menus (each in a row of its own, first) and rows
/// of buttons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub(crate) content: Option<String>,
    pub embeds: Vec<Embed>,
    pub menus: Vec<Menu>,
    pub rows: Vec<Vec<Button>>,
}

/// A select menu of the server's channels or roles, whose `custom_id` carries the state
/// needed to answer a choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub custom_id: String,
    pub(crate) placeholder: String,
    pub(crate) picks: Picks,
    /// What the menu shows as chosen.
    pub(crate) chosen: Option<u64>,
}

/// What a menu offers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Picks {
    /// Channels of these Discord channel types.
    Channels(Vec<u8>),
    Roles,
}

impl Message {
    /// The text above the embeds, if any: an announcement's first line, for one.
    pub fn content(&self) -> Option<&str> {
        self.content.as_deref()
    }
}

/// An embed (Discord's card).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    pub title: String,
    pub(crate) description: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) footer: Option<String>,
    pub(crate) color: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) value: String,
}

/// A button whose `custom_id` carries the whole state needed to answer its press.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub(crate) label: String,
    pub custom_id: String,
    pub(crate) style: Style,
    pub(crate) disabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Primary,
    Secondary,
}

/// One autocomplete suggestion: what the user sees, and the value the option gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub(crate) name: String,
    pub(crate) value: ChoiceValue,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChoiceValue {
    Integer(i64),
    String(String),
}

impl Field {
    /// Characters Discord counts towards the 6000 of a message.
    pub(crate) fn size(&self) -> usize {
        crate::limits::chars(&self.name) + crate::limits::chars(&self.value)
    }

    pub(crate) fn new(name: impl Into<String>, value: impl Into<String>) -> Field {
        Field {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl Button {
    pub(crate) fn new(label: impl Into<String>, custom_id: impl Into<String>) -> Button {
        Button {
            label: label.into(),
            custom_id: custom_id.into(),
            style: Style::Secondary,
            disabled: false,
        }
    }

    pub(crate) fn primary(self) -> Button {
        Button {
            style: Style::Primary,
            ..self
        }
    }

    pub(crate) fn disabled(self, disabled: bool) -> Button {
        Button { disabled, ..self }
    }
}

impl Reply {
    /// A short private answer: a missing round, an unknown party, a stale button.
    pub(crate) fn notice(text: impl Into<String>) -> Reply {
        Reply::Message {
            message: Message {
                content: Some(text.into()),
                ..Message::default()
            },
            ephemeral: true,
        }
    }

    /// A public message.
    pub(crate) fn message(message: Message) -> Reply {
        Reply::Message {
            message,
            ephemeral: false,
        }
    }
}
