//! The timeline of a track: every round, newest first, one line each.

use super::{COLOR, round_line};
use crate::commands::custom_id::{Target, View};
use crate::library::{Library, Track, plural};
use crate::reply::{Button, Embed, Message};

/// Every round of a track, newest first, one line each.
pub fn timeline(library: &Library, track: &Track) -> Message {
    let lines = track
        .rounds
        .iter()
        .rev()
        .map(|r| format!("**{}** — {}", round_line(library, r), r.title))
        .collect::<Vec<_>>();
    let embed = Embed {
        title: format!("{}: {}", track.id, plural(track.rounds.len(), "round")),
        description: lines.join("\n"),
        color: Some(COLOR),
        footer: Some("Open one with /round".to_string()),
        ..Embed::default()
    };
    let rows = match track.latest() {
        Some(latest) => vec![vec![
            Button::new(
                format!("Latest: round {}", latest.number),
                Target::new(&track.id, latest.number, View::Card).to_string(),
            )
            .primary(),
        ]],
        None => Vec::new(),
    };
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}
