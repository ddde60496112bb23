//! Discord's limits, enforced once for every reply and announcement: `Reply::fit` and
//! `Message::fit` are the only ways to a value that can be rendered, so nothing reaches
//! Discord unfitted and nothing is fitted twice. Also the helpers views use to stay within
//! the limits gracefully (`pack`, `pack_within`) before the hard cuts here apply.

use super::text::truncate;
use super::{Button, Choice, ChoiceValue, Embed, Field, Message, Reply};
use crate::limits::{self, chars};

/// Discord's limit for a button label.
const BUTTON_LABEL: usize = 80;
/// Discord's limit for an autocomplete choice's string value.
const CHOICE_VALUE: usize = 100;
/// What stands in for a text Discord requires but a brief left empty.
const EMPTY: &str = "—";

/// A reply cut down to what Discord accepts, whatever the briefs hold. Only `Reply::fit`
/// makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted(Reply);

/// A message (an announcement) cut down to what Discord accepts. Only `Message::fit` makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedMessage(Message);

impl Fitted {
    pub(crate) fn reply(&self) -> &Reply {
        &self.0
    }
}

impl FittedMessage {
    pub(crate) fn message(&self) -> &Message {
        &self.0
    }
}

impl Reply {
    /// The reply within Discord's limits.
    pub fn fit(&self) -> Fitted {
        Fitted(match self {
            Reply::Message { message, ephemeral } => Reply::Message {
                message: fit_message(message.clone()),
                ephemeral: *ephemeral,
            },
            Reply::Update(message) => Reply::Update(fit_message(message.clone())),
            Reply::Choices(choices) => Reply::Choices(fit_choices(choices.clone())),
        })
    }
}

impl Message {
    /// The message within Discord's limits.
    pub fn fit(&self) -> FittedMessage {
        FittedMessage(fit_message(self.clone()))
    }
}

/// A select menu's placeholder.
const MENU_PLACEHOLDER: usize = 150;

fn fit_message(mut message: Message) -> Message {
    message.content = message
        .content
        .map(|c| truncate(&c, limits::MESSAGE_CONTENT))
        .filter(|c| !c.is_empty());
    message.embeds.truncate(limits::EMBEDS_PER_MESSAGE);
    message.embeds = message.embeds.into_iter().map(fit_embed).collect();
    fit_total(&mut message.embeds);
    message.rows = message
        .rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .filter(|b| !b.custom_id.is_empty() && chars(&b.custom_id) <= limits::CUSTOM_ID)
                .take(limits::BUTTONS_PER_ROW)
                .map(|b| Button {
                    label: non_empty(truncate(&b.label, BUTTON_LABEL)),
                    ..b
                })
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    message
        .menus
        .retain(|m| !m.custom_id.is_empty() && chars(&m.custom_id) <= limits::CUSTOM_ID);
    for menu in &mut message.menus {
        menu.placeholder = truncate(&menu.placeholder, MENU_PLACEHOLDER);
    }
    // Menus and button rows share the message's five rows; menus come first.
    message.menus.truncate(limits::ROWS_PER_MESSAGE);
    message
        .rows
        .truncate(limits::ROWS_PER_MESSAGE - message.menus.len());
    if message.content.is_none() && message.embeds.is_empty() {
        message.content = Some(EMPTY.to_string());
    }
    message
}

fn fit_embed(mut embed: Embed) -> Embed {
    embed.title = truncate(&embed.title, limits::EMBED_TITLE);
    embed.description = truncate(&embed.description, limits::EMBED_DESCRIPTION);
    embed.footer = embed
        .footer
        .map(|f| truncate(&f, limits::FOOTER_TEXT))
        .filter(|f| !f.is_empty());
    embed.fields.truncate(limits::EMBED_FIELDS);
    for field in &mut embed.fields {
        field.name = non_empty(truncate(&field.name, limits::FIELD_NAME));
        field.value = non_empty(truncate(&field.value, limits::FIELD_VALUE));
    }
    if embed.title.is_empty() && embed.description.is_empty() && embed.fields.is_empty() {
        embed.description = EMPTY.to_string();
    }
    embed
}

impl Embed {
    /// Characters Discord counts towards the 6000 of a message.
    pub(crate) fn size(&self) -> usize {
        chars(&self.title)
            + chars(&self.description)
            + self.footer.as_deref().map_or(0, chars)
            + self.fields.iter().map(Field::size).sum::<usize>()
    }
}

/// Lines packed into as few fields as fit Discord's 1024 characters each; the first field is
/// called `name`, the rest `name (continued)`. No line is split across fields.
pub(crate) fn pack(name: &str, lines: impl Iterator<Item = String>) -> Vec<Field> {
    pack_within(name, lines, usize::MAX)
}

/// As `pack`, but no more fields once those made hold over `budget` characters (names and
/// values): a message keeps at most 6000, and `fit` drops the fields past that from the end,
/// so lines past the budget need not be written at all. The fields made are exactly the first
/// ones `pack` would make.
pub(crate) fn pack_within(
    name: &str,
    lines: impl Iterator<Item = String>,
    budget: usize,
) -> Vec<Field> {
    let continued = format!("{name} (continued)");
    let mut fields: Vec<Field> = Vec::new();
    // The field being filled (if any), its length, and the characters of the fields made.
    let (mut open, mut value, mut value_chars, mut used) = (false, String::new(), 0, 0);
    let mut close = |fields: &mut Vec<Field>, value: String, value_chars: usize| {
        let field_name = if fields.is_empty() { name } else { &continued };
        used += chars(field_name) + value_chars;
        fields.push(Field::new(field_name, value));
        used > budget
    };
    for line in lines {
        let mut line_chars = chars(&line);
        let line = if line_chars <= limits::FIELD_VALUE {
            line
        } else {
            let cut = truncate(&line, limits::FIELD_VALUE);
            line_chars = chars(&cut);
            cut
        };
        if open && value_chars + 1 + line_chars <= limits::FIELD_VALUE {
            value.push('\n');
            value.push_str(&line);
            value_chars += 1 + line_chars;
            continue;
        }
        if open && close(&mut fields, std::mem::take(&mut value), value_chars) {
            return fields;
        }
        (open, value, value_chars) = (true, line, line_chars);
    }
    if open {
        close(&mut fields, value, value_chars);
    }
    fields
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
            shorten_largest_text(embeds, excess);
            continue;
        };
        let keep = chars(&embed.description).saturating_sub(excess).max(1);
        embed.description = truncate(&embed.description, keep);
    }
}

fn shorten_largest_text(embeds: &mut [Embed], excess: usize) {
    let texts = embeds.iter_mut().flat_map(|e| {
        let fields = e
            .fields
            .iter_mut()
            .flat_map(|f| [&mut f.name, &mut f.value]);
        [&mut e.title]
            .into_iter()
            .chain(fields)
            .chain(e.footer.as_mut())
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let total: usize = message.message().embeds.iter().map(Embed::size).sum();
        assert!(total <= limits::EMBEDS_TOTAL, "{total}");
    }

    #[test]
    fn packing_within_a_budget_makes_the_first_fields_packing_makes() {
        let lines = || {
            (0..300).map(|i| {
                if i % 7 == 0 {
                    String::new()
                } else {
                    format!("• author {i} {}", "y".repeat(i % 50))
                }
            })
        };
        let all = pack("Authors", lines());
        assert!(all.len() > 6);
        for budget in [0, 1, 1500, 6000, 100_000] {
            let some = pack_within("Authors", lines(), budget);
            assert_eq!(some, all[..some.len()], "budget {budget}");
            let size: usize = some.iter().map(|f| chars(&f.name) + chars(&f.value)).sum();
            let without_last: usize = some[..some.len() - 1]
                .iter()
                .map(|f| chars(&f.name) + chars(&f.value))
                .sum();
            assert!(some.len() == all.len() || (size > budget && without_last <= budget));
        }
    }

    #[test]
    fn packed_fields_keep_lines_whole_and_within_limits() {
        let lines = (0..40).map(|i| format!("• point {i} {}", "x".repeat(90)));
        let fields = pack("Key points", lines);
        assert!(fields.len() > 1);
        assert_eq!(fields[1].name, "Key points (continued)");
        assert!(
            fields
                .iter()
                .all(|f| chars(&f.value) <= limits::FIELD_VALUE)
        );
    }
}
