//! The timeline of a track: every round, newest first, one line each.

use super::{COLOR, round_line};
use crate::commands::custom_id::{Target, View};
use crate::library::{Library, Track, plural};
use crate::limits;
use crate::reply::{Button, Embed, Message};

/// Every round of a track, newest first, one line each.
pub fn timeline(library: &Library, track: &Track) -> Message {
    // Only what the description can show is written: a long track's older rounds would be
    // cut by `Reply::fit` anyway, and the cut depends only on the text up to the limit and
    // the character after it.
    let mut description = String::new();
    let mut shown = 0;
    for round in track.newest_first() {
        if shown > limits::EMBED_DESCRIPTION {
            break;
        }
        if !description.is_empty() {
            description.push('\n');
        }
        let line = format!("**{}** — {}", round_line(library, round), round.title);
        shown += limits::chars(&line) + 1;
        description.push_str(&line);
    }
    let embed = Embed {
        title: format!("{}: {}", track.id, plural(track.rounds.len(), "round")),
        description,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Date, Round};
    use crate::reply::{Reply, truncate};

    fn round(number: u32) -> Round {
        Round {
            track: "long-talks".into(),
            number,
            title: format!("Round {number} ends with a communiqué on the {number}th point"),
            date: Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            location: Some("Geneva".into()),
            author: "a".into(),
            summary: String::new(),
            key_points: Vec::new(),
            status: None,
            sources: Vec::new(),
            positions: Vec::new(),
            body: String::new(),
            path: Default::default(),
        }
    }

    #[test]
    fn a_long_timeline_shows_what_every_line_written_out_would_show() {
        let library = Library::from_parts((1..=500).map(round).collect(), vec![], vec![], None);
        let track = library.track("long-talks").expect("track");
        let every_line = track
            .newest_first()
            .map(|r| format!("**{}** — {}", round_line(&library, r), r.title))
            .collect::<Vec<_>>()
            .join("\n");
        let fitted = Reply::message(timeline(&library, track)).fit();
        let Reply::Message { message, .. } = fitted.reply() else {
            panic!("a message");
        };
        assert_eq!(
            message.embeds[0].description,
            truncate(&every_line, limits::EMBED_DESCRIPTION)
        );
    }
}
