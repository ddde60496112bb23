//! A fitted reply in the forms it leaves briefbot: serenity's interaction response (which
//! serialises to exactly the JSON Discord expects), that JSON, a channel message for an
//! announcement, and terminal text for `briefbot ask`. Every message refuses to ping anyone:
//! text in a brief can never mention @everyone.

use serenity::all::{
    ButtonStyle, ChannelType, CreateActionRow, CreateAllowedMentions, CreateAutocompleteResponse,
    CreateButton, CreateEmbed, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, CreateSelectMenu, CreateSelectMenuKind,
    EditMessage, RoleId,
};

use super::fit::{Fitted, FittedMessage};
use super::{Button, ChoiceValue, Embed, Menu, Message, Picks, Reply, Style};

impl Fitted {
    /// Serenity's interaction response for this reply.
    pub(crate) fn to_response(&self) -> CreateInteractionResponse {
        match self.reply() {
            Reply::Message { message, ephemeral } => {
                CreateInteractionResponse::Message(response_message(message).ephemeral(*ephemeral))
            }
            Reply::Update(message) => {
                CreateInteractionResponse::UpdateMessage(response_message(message))
            }
            Reply::Choices(choices) => {
                let response = choices
                    .iter()
                    .fold(CreateAutocompleteResponse::new(), |r, c| match &c.value {
                        ChoiceValue::Integer(n) => r.add_int_choice(&c.name, *n),
                        ChoiceValue::String(s) => r.add_string_choice(&c.name, s),
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

    /// The same JSON as bytes, as the HTTP endpoint sends it and the gateway posts it.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_response()).unwrap_or_default()
    }

    /// The reply as readable terminal text, for `briefbot ask`.
    pub fn to_text(&self) -> String {
        match self.reply() {
            Reply::Message { message, ephemeral } => {
                let note = if *ephemeral {
                    "(only you can see this)\n"
                } else {
                    ""
                };
                format!("{note}{}", message_text(message))
            }
            Reply::Update(message) => message_text(message),
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

impl FittedMessage {
    /// The message to post in a channel (an announcement); like every reply, it pings no one.
    pub fn to_create_message(&self) -> CreateMessage {
        self.to_create_message_pinging(None)
    }

    /// The message to post in a channel, where `role` (an announcement's follow role), and
    /// nothing else, may ping: not @everyone, @here, users or other roles written in a brief.
    pub(crate) fn to_create_message_pinging(&self, role: Option<u64>) -> CreateMessage {
        let message = self.message();
        let mentions = CreateAllowedMentions::new().roles(role.map(RoleId::new));
        let builder = CreateMessage::new()
            .allowed_mentions(mentions)
            .embeds(message.embeds.iter().map(embed_builder).collect())
            .components(action_rows(message));
        match &message.content {
            Some(content) => builder.content(content),
            None => builder,
        }
    }

    /// The same message as an edit of one already posted (an announcement brought up to
    /// date). Discord never pings for an edit; it is sent allowing no mention all the same.
    pub(crate) fn to_edit_message(&self) -> EditMessage {
        let message = self.message();
        let builder = EditMessage::new()
            .allowed_mentions(CreateAllowedMentions::new())
            .embeds(message.embeds.iter().map(embed_builder).collect())
            .components(action_rows(message));
        match &message.content {
            Some(content) => builder.content(content),
            None => builder,
        }
    }
}

fn response_message(message: &Message) -> CreateInteractionResponseMessage {
    let builder = CreateInteractionResponseMessage::new()
        .allowed_mentions(CreateAllowedMentions::new())
        .embeds(message.embeds.iter().map(embed_builder).collect())
        .components(action_rows(message));
    match &message.content {
        Some(content) => builder.content(content),
        None => builder,
    }
}

fn action_rows(message: &Message) -> Vec<CreateActionRow> {
    let menus = message
        .menus
        .iter()
        .map(|menu| CreateActionRow::SelectMenu(menu_builder(menu)));
    let buttons = message
        .rows
        .iter()
        .map(|row| CreateActionRow::Buttons(row.iter().map(button_builder).collect()));
    menus.chain(buttons).collect()
}

fn menu_builder(menu: &Menu) -> CreateSelectMenu {
    // What is chosen now is said in the message itself, not as the menu's default: serenity
    // writes a default's id as a number, where Discord's schema has a snowflake string.
    let kind = match &menu.picks {
        Picks::Channels(types) => CreateSelectMenuKind::Channel {
            channel_types: Some(types.iter().map(|t| ChannelType::from(*t)).collect()),
            default_channels: None,
        },
        Picks::Roles => CreateSelectMenuKind::Role {
            default_roles: None,
        },
    };
    CreateSelectMenu::new(&menu.custom_id, kind)
        .placeholder(&menu.placeholder)
        .min_values(1)
        .max_values(1)
}

fn embed_builder(embed: &Embed) -> CreateEmbed {
    let mut builder = CreateEmbed::new();
    if !embed.title.is_empty() {
        builder = builder.title(&embed.title);
    }
    if !embed.description.is_empty() {
        builder = builder.description(&embed.description);
    }
    if let Some(footer) = &embed.footer {
        builder = builder.footer(CreateEmbedFooter::new(footer));
    }
    if let Some(color) = embed.color {
        builder = builder.color(color);
    }
    builder.fields(
        embed
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str(), false)),
    )
}

fn button_builder(button: &Button) -> CreateButton {
    let style = match button.style {
        Style::Primary => ButtonStyle::Primary,
        Style::Secondary => ButtonStyle::Secondary,
    };
    CreateButton::new(&button.custom_id)
        .label(&button.label)
        .style(style)
        .disabled(button.disabled)
}

fn message_text(message: &Message) -> String {
    let mut out = String::new();
    if let Some(content) = &message.content {
        out.push_str(content);
        out.push('\n');
    }
    for embed in &message.embeds {
        out.push_str(&embed_text(embed));
    }
    for menu in &message.menus {
        let chosen = match (&menu.picks, menu.chosen) {
            (Picks::Channels(_), Some(id)) => format!(" (now <#{id}>)"),
            (Picks::Roles, Some(id)) => format!(" (now <@&{id}>)"),
            (_, None) => String::new(),
        };
        out.push_str(&format!(
            "\n[{}{chosen}] → --choose {} ID\n",
            menu.placeholder, menu.custom_id
        ));
    }
    for row in &message.rows {
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

fn embed_text(embed: &Embed) -> String {
    let mut out = String::new();
    if !embed.title.is_empty() {
        out.push_str(&format!("━━ {} ━━\n", embed.title));
    }
    if !embed.description.is_empty() {
        out.push_str(&format!("{}\n", embed.description));
    }
    for field in &embed.fields {
        out.push_str(&format!("\n▸ {}\n", field.name));
        for line in field.value.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(footer) = &embed.footer {
        out.push_str(&format!("\n— {footer}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_suppresses_mentions() {
        let json = Reply::notice("@everyone look").fit().to_json();
        assert_eq!(
            json["data"]["allowed_mentions"]["parse"],
            serde_json::json!([])
        );
        assert_eq!(json["data"]["flags"], 64);
    }

    #[test]
    fn a_channel_message_lets_only_the_given_role_ping() {
        let message = Message {
            content: Some("@everyone <@&999> <@123> <@&5>".to_string()),
            ..Message::default()
        };
        let fitted = message.fit();
        let json = |role| serde_json::to_value(fitted.to_create_message_pinging(role)).unwrap();
        assert_eq!(
            json(Some(5))["allowed_mentions"],
            serde_json::json!({"parse": [], "users": [], "roles": ["5"]})
        );
        assert_eq!(
            json(None)["allowed_mentions"],
            serde_json::json!({"parse": [], "users": [], "roles": []})
        );
        assert_eq!(
            serde_json::to_value(fitted.to_create_message()).unwrap(),
            json(None)
        );
    }
}
