//! What a command answers, before any transport sends it: messages with embeds and buttons,
//! or autocomplete choices. Discord's size limits are enforced here, once, for every reply;
//! `to_response` turns a reply into serenity's builder, which serialises to Discord's JSON.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateAutocompleteResponse, CreateButton,
    CreateEmbed, CreateEmbedAuthor, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage,
};
use unicode_segmentation::UnicodeSegmentation;

use crate::limits::{self, chars};

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

/// A message: optional text, embeds and rows of buttons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    pub rows: Vec<Vec<Button>>,
}

/// An embed (Discord's card).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    pub title: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub author: Option<String>,
    pub footer: Option<String>,
    pub color: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

/// A button whose `custom_id` carries the whole state needed to answer its press.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub label: String,
    pub custom_id: String,
    pub style: Style,
    pub disabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Primary,
    Secondary,
}

/// One autocomplete suggestion: what the user sees, and the value the option gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub name: String,
    pub value: ChoiceValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceValue {
    Integer(i64),
    String(String),
}

/// Discord's limit for a button label.
const BUTTON_LABEL: usize = 80;
/// Discord's limit for an autocomplete choice's string value.
const CHOICE_VALUE: usize = 100;
/// What stands in for a text Discord requires but a brief left empty.
const EMPTY: &str = "—";

impl Field {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Field {
        Field {
            name: name.into(),
            value: value.into(),
            inline: false,
        }
    }

    pub fn inline(name: impl Into<String>, value: impl Into<String>) -> Field {
        Field {
            inline: true,
            ..Field::new(name, value)
        }
    }
}

impl Button {
    pub fn new(label: impl Into<String>, custom_id: impl Into<String>) -> Button {
        Button {
            label: label.into(),
            custom_id: custom_id.into(),
            style: Style::Secondary,
            disabled: false,
        }
    }

    pub fn primary(self) -> Button {
        Button {
            style: Style::Primary,
            ..self
        }
    }

    pub fn disabled(self, disabled: bool) -> Button {
        Button { disabled, ..self }
    }
}

impl Reply {
    /// A short private answer: a missing round, an unknown party, a stale button.
    pub fn notice(text: impl Into<String>) -> Reply {
        Reply::Message {
            message: Message {
                content: Some(text.into()),
                ..Message::default()
            },
            ephemeral: true,
        }
    }

    /// A public message.
    pub fn message(message: Message) -> Reply {
        Reply::Message {
            message,
            ephemeral: false,
        }
    }

    /// The reply cut down to what Discord accepts, whatever the briefs hold.
    pub fn fit(self) -> Reply {
        match self {
            Reply::Message { message, ephemeral } => Reply::Message {
                message: message.fit(),
                ephemeral,
            },
            Reply::Update(message) => Reply::Update(message.fit()),
            Reply::Choices(choices) => Reply::Choices(fit_choices(choices)),
        }
    }

    /// Serenity's interaction response for this reply, fitted to Discord's limits. Every
    /// message refuses to ping anyone: text in a brief can never mention @everyone.
    pub fn to_response(&self) -> CreateInteractionResponse {
        match self.clone().fit() {
            Reply::Message { message, ephemeral } => {
                CreateInteractionResponse::Message(message.to_builder().ephemeral(ephemeral))
            }
            Reply::Update(message) => {
                CreateInteractionResponse::UpdateMessage(message.to_builder())
            }
            Reply::Choices(choices) => {
                let response =
                    choices
                        .into_iter()
                        .fold(CreateAutocompleteResponse::new(), |r, c| match c.value {
                            ChoiceValue::Integer(n) => r.add_int_choice(c.name, n),
                            ChoiceValue::String(s) => r.add_string_choice(c.name, s),
                        });
                CreateInteractionResponse::Autocomplete(response)
            }
        }
    }

    /// The JSON body Discord receives for this reply.
    pub fn to_json(&self) -> serde_json::Value {
        // Serenity's builders hold only strings, numbers and flags: serialising cannot fail.
        serde_json::to_value(self.to_response()).unwrap_or_default()
    }

    /// The reply as readable terminal text, for `briefbot ask`.
    pub fn to_text(&self) -> String {
        match self.clone().fit() {
            Reply::Message { message, ephemeral } => {
                let note = if ephemeral {
                    "(only you can see this)\n"
                } else {
                    ""
                };
                format!("{note}{}", message.to_text())
            }
            Reply::Update(message) => message.to_text(),
            Reply::Choices(choices) => choices
                .iter()
                .map(|c| match &c.value {
                    ChoiceValue::Integer(n) => format!("{}  → {n}\n", c.name),
                    ChoiceValue::String(s) => format!("{}  → {s}\n", c.name),
                })
                .collect(),
        }
    }
}

impl Message {
    fn fit(mut self) -> Message {
        self.content = self
            .content
            .map(|c| truncate(&c, limits::MESSAGE_CONTENT))
            .filter(|c| !c.is_empty());
        self.embeds.truncate(limits::EMBEDS_PER_MESSAGE);
        self.embeds = self.embeds.into_iter().map(Embed::fit).collect();
        fit_total(&mut self.embeds);
        self.rows = self
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .filter(|b| !b.custom_id.is_empty() && chars(&b.custom_id) <= limits::CUSTOM_ID)
                    .take(limits::BUTTONS_PER_ROW)
                    .map(|b| Button {
                        label: truncate(&b.label, BUTTON_LABEL),
                        ..b
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|row| !row.is_empty())
            .take(limits::ROWS_PER_MESSAGE)
            .collect();
        if self.content.is_none() && self.embeds.is_empty() {
            self.content = Some(EMPTY.to_string());
        }
        self
    }

    /// The message to post in a channel (an announcement), fitted to Discord's limits; like
    /// every reply, it pings no one.
    pub fn to_create_message(&self) -> CreateMessage {
        let message = self.clone().fit();
        let builder = CreateMessage::new()
            .allowed_mentions(CreateAllowedMentions::new())
            .embeds(message.embed_builders())
            .components(message.action_rows());
        match &message.content {
            Some(content) => builder.content(content),
            None => builder,
        }
    }

    fn to_builder(&self) -> CreateInteractionResponseMessage {
        let builder = CreateInteractionResponseMessage::new()
            .allowed_mentions(CreateAllowedMentions::new())
            .embeds(self.embed_builders())
            .components(self.action_rows());
        match &self.content {
            Some(content) => builder.content(content),
            None => builder,
        }
    }

    fn embed_builders(&self) -> Vec<CreateEmbed> {
        self.embeds.iter().map(Embed::to_builder).collect()
    }

    fn action_rows(&self) -> Vec<CreateActionRow> {
        self.rows
            .iter()
            .map(|row| CreateActionRow::Buttons(row.iter().map(Button::to_builder).collect()))
            .collect()
    }

    fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(content) = &self.content {
            out.push_str(content);
            out.push('\n');
        }
        for embed in &self.embeds {
            out.push_str(&embed.to_text());
        }
        for row in &self.rows {
            let labels: Vec<String> = row
                .iter()
                .map(|b| {
                    if b.disabled {
                        format!("[{} (off)]", b.label)
                    } else {
                        format!("[{}]", b.label)
                    }
                })
                .collect();
            out.push_str(&format!("\n{}\n", labels.join(" ")));
            for button in row.iter().filter(|b| !b.disabled) {
                out.push_str(&format!(
                    "  {} → --press {}\n",
                    button.label, button.custom_id
                ));
            }
        }
        out
    }
}

impl Embed {
    fn fit(mut self) -> Embed {
        self.title = truncate(&self.title, limits::EMBED_TITLE);
        self.description = truncate(&self.description, limits::EMBED_DESCRIPTION);
        self.author = self
            .author
            .map(|a| truncate(&a, limits::AUTHOR_NAME))
            .filter(|a| !a.is_empty());
        self.footer = self
            .footer
            .map(|f| truncate(&f, limits::FOOTER_TEXT))
            .filter(|f| !f.is_empty());
        self.fields.truncate(limits::EMBED_FIELDS);
        for field in &mut self.fields {
            field.name = non_empty(truncate(&field.name, limits::FIELD_NAME));
            field.value = non_empty(truncate(&field.value, limits::FIELD_VALUE));
        }
        if self.title.is_empty() && self.description.is_empty() && self.fields.is_empty() {
            self.description = EMPTY.to_string();
        }
        self
    }

    /// Characters Discord counts towards the 6000 of a message.
    pub fn size(&self) -> usize {
        chars(&self.title)
            + chars(&self.description)
            + self.author.as_deref().map_or(0, chars)
            + self.footer.as_deref().map_or(0, chars)
            + self
                .fields
                .iter()
                .map(|f| chars(&f.name) + chars(&f.value))
                .sum::<usize>()
    }

    fn to_builder(&self) -> CreateEmbed {
        let mut embed = CreateEmbed::new();
        if !self.title.is_empty() {
            embed = embed.title(&self.title);
        }
        if !self.description.is_empty() {
            embed = embed.description(&self.description);
        }
        if let Some(author) = &self.author {
            embed = embed.author(CreateEmbedAuthor::new(author));
        }
        if let Some(footer) = &self.footer {
            embed = embed.footer(CreateEmbedFooter::new(footer));
        }
        if let Some(color) = self.color {
            embed = embed.color(color);
        }
        embed.fields(
            self.fields
                .iter()
                .map(|f| (f.name.as_str(), f.value.as_str(), f.inline)),
        )
    }

    fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(author) = &self.author {
            out.push_str(&format!("{author}\n"));
        }
        if !self.title.is_empty() {
            out.push_str(&format!("━━ {} ━━\n", self.title));
        }
        if !self.description.is_empty() {
            out.push_str(&format!("{}\n", self.description));
        }
        for field in &self.fields {
            out.push_str(&format!("\n▸ {}\n", field.name));
            for line in field.value.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if let Some(footer) = &self.footer {
            out.push_str(&format!("\n— {footer}\n"));
        }
        out
    }
}

impl Button {
    fn to_builder(&self) -> CreateButton {
        let style = match self.style {
            Style::Primary => ButtonStyle::Primary,
            Style::Secondary => ButtonStyle::Secondary,
        };
        CreateButton::new(&self.custom_id)
            .label(non_empty(self.label.clone()))
            .style(style)
            .disabled(self.disabled)
    }
}

/// Keeps all embeds of a message within 6000 characters together: drops fields from the end
/// of the last embed that has any, then shortens descriptions, until the message fits.
fn fit_total(embeds: &mut [Embed]) {
    let total = |embeds: &[Embed]| embeds.iter().map(Embed::size).sum::<usize>();
    while total(embeds) > limits::EMBEDS_TOTAL {
        if let Some(embed) = embeds.iter_mut().rev().find(|e| e.fields.len() > 1) {
            embed.fields.pop();
            continue;
        }
        let excess = total(embeds) - limits::EMBEDS_TOTAL;
        let Some(embed) = embeds.iter_mut().rev().find(|e| chars(&e.description) > 1) else {
            // Only titles, footers and single fields remain: shorten the longest text.
            shorten_largest_field(embeds, excess);
            continue;
        };
        let keep = chars(&embed.description).saturating_sub(excess).max(1);
        embed.description = truncate(&embed.description, keep);
    }
}

fn shorten_largest_field(embeds: &mut [Embed], excess: usize) {
    let texts = embeds.iter_mut().flat_map(|e| {
        let fields = e
            .fields
            .iter_mut()
            .flat_map(|f| [&mut f.name, &mut f.value]);
        [&mut e.title]
            .into_iter()
            .chain(fields)
            .chain(e.footer.as_mut())
            .chain(e.author.as_mut())
    });
    if let Some(longest) = texts.max_by_key(|t| chars(t)) {
        let keep = chars(longest).saturating_sub(excess).max(1);
        *longest = truncate(longest, keep);
    }
}

fn fit_choices(choices: Vec<Choice>) -> Vec<Choice> {
    choices
        .into_iter()
        .filter(|c| match &c.value {
            // A value cut short would select something else: leave such a choice out.
            ChoiceValue::String(s) => !s.is_empty() && chars(s) <= CHOICE_VALUE,
            ChoiceValue::Integer(_) => true,
        })
        .map(|c| Choice {
            name: non_empty(truncate(&c.name, limits::CHOICE_NAME)),
            ..c
        })
        .take(limits::AUTOCOMPLETE_CHOICES)
        .collect()
}

fn non_empty(text: String) -> String {
    if text.trim().is_empty() {
        EMPTY.to_string()
    } else {
        text
    }
}

/// `text` cut to at most `max` characters: at a word boundary when there is one in the last
/// part, never inside a grapheme (an emoji flag, a letter with its combining marks), and
/// ending with "…" when anything was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let mut end = 0;
    let mut used = 0;
    for (index, grapheme) in text.grapheme_indices(true) {
        let size = chars(grapheme);
        if used + size > budget {
            break;
        }
        used += size;
        end = index + grapheme.len();
    }
    let kept = &text[..end];
    // End at a word boundary: right here if the next character is a space, else at the last
    // space, unless that would throw away more than half of what fits.
    let at_boundary = text[end..].starts_with(char::is_whitespace);
    let kept = match kept.rfind(char::is_whitespace) {
        Some(space) if !at_boundary && chars(&kept[..space]) * 2 >= used => &kept[..space],
        _ => kept,
    };
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_at_a_word_and_adds_an_ellipsis() {
        assert_eq!(truncate("the quick brown fox", 12), "the quick…");
        assert_eq!(truncate("hello world", 10), "hello…");
        assert_eq!(truncate("aaaaaaaaaaaaaaa bb cc", 19), "aaaaaaaaaaaaaaa bb…");
        assert_eq!(truncate("abcdefghijklmnopqrstuvwxyz", 10), "abcdefghi…");
        assert_eq!(truncate("short", 10), "short");
        assert!(chars(&truncate(&"word ".repeat(500), 1024)) <= 1024);
    }

    #[test]
    fn truncate_never_splits_a_grapheme() {
        let flags = "🇸🇾🇮🇱🇺🇸";
        assert_eq!(truncate(flags, 4), "🇸🇾…");
        let combining = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(truncate(combining, 3), "e\u{301}…");
    }

    #[test]
    fn a_message_never_exceeds_six_thousand_characters() {
        let field = Field::new("name", "v".repeat(1024));
        let embed = Embed {
            title: "t".into(),
            description: "d".repeat(4096),
            fields: vec![field; 25],
            ..Embed::default()
        };
        let message = Message {
            embeds: vec![embed.clone(), embed],
            ..Message::default()
        }
        .fit();
        let total: usize = message.embeds.iter().map(Embed::size).sum();
        assert!(total <= limits::EMBEDS_TOTAL, "{total}");
    }

    #[test]
    fn every_message_suppresses_mentions() {
        let reply = Reply::notice("@everyone look");
        let json = reply.to_json();
        assert_eq!(
            json["data"]["allowed_mentions"]["parse"],
            serde_json::json!([])
        );
        assert_eq!(json["data"]["flags"], 64);
    }
}
