//! The interaction response JSON Discord receives, drawn as Discord draws it: the bot's
//! message with its embeds (colour bar, title, description, fields, footer) and button rows.
//! It reads the JSON, not the `Reply`, so the page shows exactly what Discord is sent.

use serde_json::Value;

use super::markdown::{escape, to_html};
use super::site::Site;

/// Discord's callback type for a message that replaces the one the button sits on.
const UPDATE_MESSAGE: u64 = 7;
/// The message flag of a reply only its asker sees.
const EPHEMERAL: u64 = 64;
/// Discord's button style numbers, as CSS class names.
const STYLES: [(u64, &str); 4] = [
    (1, "primary"),
    (2, "secondary"),
    (3, "success"),
    (4, "danger"),
];

/// Where a message's buttons lead: the press pages of `site`, held or not.
#[derive(Clone, Copy)]
pub(crate) struct Buttons<'a> {
    pub(crate) site: &'a dyn Site,
    pub(crate) held: bool,
}

/// One interaction response as the page shows it; `pressable` turns enabled buttons into
/// links to the pages of their presses.
pub(crate) fn response(json: &Value, pressable: Option<Buttons>) -> String {
    let data = &json["data"];
    let updates = json["type"].as_u64() == Some(UPDATE_MESSAGE);
    let ephemeral = data["flags"].as_u64().is_some_and(|f| f & EPHEMERAL != 0);
    let mut html = String::from("<article class=\"message\"");
    if updates {
        html.push_str(" data-update=\"true\"");
    }
    html.push_str(
        "><div class=\"avatar\" aria-hidden=\"true\">B</div><div class=\"message-body\">\
         <header><span class=\"author\">briefbot</span><span class=\"app-tag\">APP</span>",
    );
    if updates {
        html.push_str("<span class=\"note\">message updated in place</span>");
    }
    html.push_str("</header>");
    if let Some(content) = data["content"].as_str() {
        html.push_str(&format!(
            "<div class=\"content markdown\">{}</div>",
            to_html(content)
        ));
    }
    let carried = data["embeds"][0]["title"].as_str().unwrap_or_default();
    for embed_json in data["embeds"].as_array().into_iter().flatten() {
        html.push_str(&embed(embed_json));
    }
    for row in data["components"].as_array().into_iter().flatten() {
        html.push_str(&action_row(row, carried, pressable));
    }
    if ephemeral {
        html.push_str(
            "<div class=\"ephemeral\"><span class=\"eye\" aria-hidden=\"true\">👁</span> \
             Only you can see this · <span class=\"dismiss\">Dismiss message</span></div>",
        );
    }
    html.push_str("</div></article>\n");
    html
}

fn embed(embed: &Value) -> String {
    let bar = embed["color"]
        .as_u64()
        .map(|c| format!(" style=\"border-left-color:#{:06x}\"", c & 0xff_ffff))
        .unwrap_or_default();
    let mut html = format!("<div class=\"embed\"{bar}>");
    if let Some(title) = embed["title"].as_str().filter(|t| !t.is_empty()) {
        let title = escape(title);
        match embed["url"].as_str().filter(|u| is_web(u)) {
            Some(url) => html.push_str(&format!(
                "<div class=\"embed-title\"><a href=\"{}\" rel=\"noopener noreferrer\" \
                 target=\"_blank\">{title}</a></div>",
                escape(url)
            )),
            None => html.push_str(&format!("<div class=\"embed-title\">{title}</div>")),
        }
    }
    if let Some(description) = embed["description"].as_str().filter(|d| !d.is_empty()) {
        html.push_str(&format!(
            "<div class=\"embed-description markdown\">{}</div>",
            to_html(description)
        ));
    }
    let fields = embed["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if !fields.is_empty() {
        html.push_str("\n<div class=\"embed-fields\">\n");
        for (field, span) in fields.iter().zip(columns(fields)) {
            html.push_str(&format!(
                "<div class=\"embed-field\" style=\"grid-column:span {span}\">\
                 <div class=\"field-name markdown\">{}</div>\
                 <div class=\"field-value markdown\">{}</div></div>\n",
                to_html(field["name"].as_str().unwrap_or_default()),
                to_html(field["value"].as_str().unwrap_or_default()),
            ));
        }
        html.push_str("</div>");
    }
    if let Some(footer) = embed["footer"]["text"].as_str().filter(|f| !f.is_empty()) {
        html.push_str(&format!(
            "<div class=\"embed-footer\">{}</div>",
            escape(footer)
        ));
    }
    html.push_str("</div>\n");
    html
}

/// How many of a 12-column grid each field takes, as Discord lays them out: a full-width
/// field takes a row of its own, and up to three inline fields in a row share it evenly.
fn columns(fields: &[Value]) -> Vec<usize> {
    let mut spans = Vec::with_capacity(fields.len());
    let mut run = 0;
    let flush = |spans: &mut Vec<usize>, run: &mut usize| {
        let mut left = *run;
        while left > 0 {
            let in_row = left.min(3);
            spans.extend(std::iter::repeat_n(12 / in_row, in_row));
            left -= in_row;
        }
        *run = 0;
    };
    for field in fields {
        if field["inline"].as_bool() == Some(true) {
            run += 1;
        } else {
            flush(&mut spans, &mut run);
            spans.push(12);
        }
    }
    flush(&mut spans, &mut run);
    spans
}

fn action_row(row: &Value, carried: &str, pressable: Option<Buttons>) -> String {
    let mut html = String::from("<div class=\"action-row\">\n");
    for button in row["components"].as_array().into_iter().flatten() {
        let style = button["style"].as_u64().unwrap_or(2);
        let class = STYLES
            .iter()
            .find(|(n, _)| *n == style)
            .map_or("secondary", |(_, name)| name);
        let label = escape(button["label"].as_str().unwrap_or_default());
        let custom_id = button["custom_id"].as_str().unwrap_or_default();
        let disabled = button["disabled"].as_bool() == Some(true);
        let press = match pressable.filter(|_| !disabled) {
            Some(buttons) => buttons.site.press(buttons.held, custom_id, carried),
            None => None,
        };
        // Enabled, yet with no page to lead to (an exported preview that stopped short):
        // said so on the button, rather than a link that leads nowhere.
        let live_only = pressable.is_some() && !disabled && press.is_none();
        if let Some(press) = press {
            html.push_str(&format!(
                "<a class=\"button {class}\" role=\"button\" data-custom-id=\"{}\" \
                 href=\"{}\">{label}</a>\n",
                escape(custom_id),
                escape(&press),
            ));
        } else if live_only {
            html.push_str(&format!(
                "<span class=\"button {class} live-only\" role=\"button\" \
                 aria-disabled=\"true\" data-custom-id=\"{}\" title=\"{}\">{label}</span>\n",
                escape(custom_id),
                super::site::LIVE_ONLY,
            ));
        } else {
            html.push_str(&format!(
                "<span class=\"button {class}{}\" role=\"button\" aria-disabled=\"{disabled}\" \
                 data-custom-id=\"{}\">{label}</span>\n",
                if disabled { " disabled" } else { "" },
                escape(custom_id),
            ));
        }
    }
    html.push_str("</div>\n");
    html
}

fn is_web(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_fields_share_rows_of_three() {
        let inline = json!({"inline": true});
        let full = json!({"inline": false});
        let fields = [
            inline.clone(),
            inline.clone(),
            full,
            inline.clone(),
            inline.clone(),
            inline.clone(),
            inline,
        ];
        assert_eq!(columns(&fields), [6, 6, 12, 4, 4, 4, 12]);
    }

    #[test]
    fn an_ephemeral_update_says_so_and_disabled_buttons_do_nothing() {
        let reply = json!({"type": 7, "data": {"flags": 64, "content": "hi",
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 2, "label": "◀", "custom_id": "a", "disabled": true},
            {"type": 2, "style": 1, "label": "Go", "custom_id": "b:1", "disabled": false}
        ]}]}});
        let buttons = Buttons {
            site: &super::super::site::Live,
            held: false,
        };
        let html = response(&reply, Some(buttons));
        assert!(html.contains("Only you can see this"), "{html}");
        assert!(html.contains("message updated in place"), "{html}");
        assert!(
            html.contains("class=\"button secondary disabled\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"/press?id=b%3A1&amp;carried=\""),
            "{html}"
        );
    }
}
