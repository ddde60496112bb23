//! People and the whole library: an author's bio with the rounds they wrote, and what the
//! bot covers and who publishes it.

use super::{COLOR, back_to_card, byline, position, round_line};
use crate::library::{Author, Library, Round, Track, plural};
use crate::limits;
use crate::reply::{Embed, Field, Message, pack, pack_within};

/// An author's bio, and the rounds they wrote.
pub(crate) fn author_card(
    library: &Library,
    author: &Author,
    from: Option<(&Track, &Round)>,
) -> Message {
    let mut fields: Vec<Field> = position(author)
        .map(|p| Field::new("Position", p))
        .into_iter()
        .collect();
    fields.extend(pack(
        "Education",
        author.education.iter().map(|e| format!("• {e}")),
    ));
    fields.extend(pack(
        "Expertise",
        author.expertise.iter().map(|e| format!("• {e}")),
    ));
    fields.extend(pack("Links", author.links.iter().cloned()));
    let written = library
        .rounds_by(&author.slug)
        .map(|r| format!("{} — {}", round_line(library, r), r.title));
    fields.extend(pack("Briefs", written));
    let embed = Embed {
        title: author.name.clone(),
        description: author.bio.clone(),
        fields,
        color: Some(COLOR),
        ..Embed::default()
    };
    let rows = match from {
        Some((track, round)) => vec![vec![back_to_card(track, round)]],
        None => Vec::new(),
    };
    Message {
        embeds: vec![embed],
        rows,
        ..Message::default()
    }
}

/// What the bot covers and who publishes it.
pub(crate) fn about(library: &Library) -> Message {
    let publishers = library.publishers();
    let tracks = library.tracks().iter().map(|t| match t.latest() {
        Some(latest) => format!(
            "• {}: {}, latest {}",
            library.track_name(&t.id),
            plural(t.rounds.len(), "round"),
            round_line(library, latest)
        ),
        None => format!("• {}", library.track_name(&t.id)),
    });
    let mut fields = pack("Tracks", tracks);
    // With hundreds of authors only the first fit; the rest are not written out.
    let room = limits::EMBEDS_TOTAL.saturating_sub(fields.iter().map(Field::size).sum());
    let authors = library.authors().iter().map(|a| byline("• ", a));
    fields.extend(pack_within("Authors", authors, room));
    // Members are shown what they can use; `/reload` is for the server's managers.
    let commands = crate::commands::spec::COMMANDS
        .iter()
        .filter(|c| !c.admin)
        .map(|c| format!("{} {}", c.label(), c.description));
    fields.extend(pack("Commands", commands));
    let by = match publishers {
        [] => String::new(),
        names => format!(", written by {}", names.join(", ")),
    };
    let embed = Embed {
        title: "About briefbot".to_string(),
        description: format!(
            "Curated, sourced briefings on negotiation rounds{by}. {} so far.",
            plural(library.round_count(), "round")
        ),
        fields,
        footer: (!publishers.is_empty()).then(|| format!("Published by {}", publishers.join(", "))),
        color: Some(COLOR),
    };
    Message {
        embeds: vec![embed],
        ..Message::default()
    }
}
