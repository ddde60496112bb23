//! The timeline of a track: every round, newest first, one line each, in pages of
//! `PER_PAGE` rounds with ◀ ▶ buttons, so a track of hundreds of rounds is read whole.

use super::{COLOR, round_line};
use crate::commands::custom_id::{Target, TimelinePage, View};
use crate::library::{Library, Track, plural};
use crate::reply::{Button, Embed, Message};

/// Rounds on one page of a timeline: a line is under 100 characters, so a page stays far
/// below Discord's 4096 and reads comfortably.
pub(crate) const PER_PAGE: usize = 20;

/// How many pages the timeline of `track` has (at least one).
pub(crate) fn timeline_pages(track: &Track) -> usize {
    track.rounds.len().div_ceil(PER_PAGE).max(1)
}

/// Page `page` (from 1; a page past the end shows the last) of a track's rounds, newest first.
pub(crate) fn timeline(library: &Library, track: &Track, page: usize) -> Message {
    let pages = timeline_pages(track);
    let page = page.clamp(1, pages);
    let description = track
        .newest_first()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|round| format!("**{}** — {}", round_line(library, round), round.title))
        .collect::<Vec<_>>()
        .join("\n");
    let footer = if pages > 1 {
        format!("Open one with /round · page {page} of {pages}")
    } else {
        "Open one with /round".to_string()
    };
    let embed = Embed {
        title: format!(
            "{}: {}",
            library.track_name(&track.id),
            plural(track.rounds.len(), "round")
        ),
        description,
        color: Some(COLOR),
        footer: Some(footer),
        ..Embed::default()
    };
    let mut row = Vec::new();
    if pages > 1 {
        let to = |page| TimelinePage::new(&track.id, page).to_string();
        row.push(Button::new("◀ Newer", to(page.saturating_sub(1).max(1))).disabled(page == 1));
        row.push(Button::new("Older ▶", to((page + 1).min(pages))).disabled(page == pages));
    }
    if let Some(latest) = track.latest() {
        row.push(
            Button::new(
                format!("Latest: round {}", latest.number),
                Target::new(&track.id, latest.number, View::Card).to_string(),
            )
            .primary(),
        );
    }
    Message {
        embeds: vec![embed],
        rows: if row.is_empty() {
            Vec::new()
        } else {
            vec![row]
        },
        ..Message::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Date, Round};
    use crate::reply::Reply;

    fn round(number: u32) -> Round {
        let title = format!("Round {number} ends with a communiqué on the {number}th point");
        Round {
            date: Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            ..Round::example("long-talks", number, &title, "Geneva")
        }
    }

    #[test]
    fn a_long_timeline_is_read_in_pages_and_loses_no_round() {
        let library = Library::from_parts((1..=45).map(round).collect(), vec![], vec![], None);
        let track = library.track("long-talks").expect("track");
        assert_eq!(timeline_pages(track), 3);
        let mut seen = Vec::new();
        for page in 1..=3 {
            let message = timeline(&library, track, page);
            let Reply::Message { message, .. } = Reply::message(message).fit().reply().clone()
            else {
                panic!("a message");
            };
            let embed = &message.embeds[0];
            assert_eq!(
                embed.footer.as_deref(),
                Some(format!("Open one with /round · page {page} of 3").as_str())
            );
            for line in embed.description.lines() {
                let number: u32 = line
                    .split("Round ")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .expect("a round number");
                seen.push(number);
            }
            let row = &message.rows[0];
            assert_eq!(row.len(), 3, "◀, ▶ and the latest round");
            assert_eq!(row[0].disabled, page == 1);
            assert_eq!(row[1].disabled, page == 3);
            for button in &row[..2] {
                assert!(TimelinePage::parse(&button.custom_id).is_some());
            }
        }
        assert_eq!(
            seen,
            (1..=45).rev().collect::<Vec<_>>(),
            "every round once, newest first"
        );
        // A page past the end (the track got shorter) shows the last one.
        assert_eq!(timeline(&library, track, 9), timeline(&library, track, 3));
    }
}
