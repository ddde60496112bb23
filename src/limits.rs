//! Discord's size limits, named once so the loader and the reply builders agree on them.
//! Pure constants: nothing here knows about files, commands or transports.

/// Embed title.
pub const EMBED_TITLE: usize = 256;
/// Embed description.
pub const EMBED_DESCRIPTION: usize = 4096;
/// Fields in one embed.
pub const EMBED_FIELDS: usize = 25;
/// Embed field name.
pub const FIELD_NAME: usize = 256;
/// Embed field value.
pub const FIELD_VALUE: usize = 1024;
/// Embed footer text.
pub const FOOTER_TEXT: usize = 2048;
/// Embed author name.
pub const AUTHOR_NAME: usize = 256;
/// All embeds of one message together.
pub const EMBEDS_TOTAL: usize = 6000;
/// Embeds in one message.
pub const EMBEDS_PER_MESSAGE: usize = 10;
/// Plain message content.
pub const MESSAGE_CONTENT: usize = 2000;
/// A component's `custom_id`.
pub const CUSTOM_ID: usize = 100;
/// Buttons in one action row.
pub const BUTTONS_PER_ROW: usize = 5;
/// Action rows in one message.
pub const ROWS_PER_MESSAGE: usize = 5;
/// Choices in one autocomplete reply.
pub const AUTOCOMPLETE_CHOICES: usize = 25;
/// An autocomplete choice's name.
pub const CHOICE_NAME: usize = 100;

/// Length as Discord counts it for these limits: Unicode scalar values.
pub fn chars(text: &str) -> usize {
    text.chars().count()
}
