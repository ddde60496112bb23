//! Discord's size limits, named once so the loader and the reply builders agree on them.
//! Pure constants: nothing here knows about files, commands or transports.

/// Embed title.
pub(crate) const EMBED_TITLE: usize = 256;
/// Embed description.
pub(crate) const EMBED_DESCRIPTION: usize = 4096;
/// Fields in one embed.
pub(crate) const EMBED_FIELDS: usize = 25;
/// Embed field name.
pub(crate) const FIELD_NAME: usize = 256;
/// Embed field value.
pub(crate) const FIELD_VALUE: usize = 1024;
/// Embed footer text.
pub(crate) const FOOTER_TEXT: usize = 2048;
/// Embed author name.
pub(crate) const AUTHOR_NAME: usize = 256;
/// All embeds of one message together.
pub(crate) const EMBEDS_TOTAL: usize = 6000;
/// Embeds in one message.
pub(crate) const EMBEDS_PER_MESSAGE: usize = 10;
/// Plain message content.
pub(crate) const MESSAGE_CONTENT: usize = 2000;
/// A component's `custom_id`.
pub(crate) const CUSTOM_ID: usize = 100;
/// Buttons in one action row.
pub(crate) const BUTTONS_PER_ROW: usize = 5;
/// Action rows in one message.
pub(crate) const ROWS_PER_MESSAGE: usize = 5;
/// Choices in one autocomplete reply.
pub(crate) const AUTOCOMPLETE_CHOICES: usize = 25;
/// An autocomplete choice's name.
pub(crate) const CHOICE_NAME: usize = 100;

/// Length as Discord counts it for these limits: Unicode scalar values.
pub(crate) fn chars(text: &str) -> usize {
    text.chars().count()
}
