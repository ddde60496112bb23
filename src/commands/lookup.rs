//! Finding what a user named: a track, a round, a party, an author. Each either finds it
//! or answers with a private notice that says what there is, with the closest names.

use super::views;
use crate::library::suggest;
use crate::library::{Author, Library, Round, Track, fold};
use crate::limits;
use crate::reply::Reply;

/// A private notice instead of the answer: a missing round, an unknown track or party.
pub(super) type OrNotice = Result<Reply, Reply>;

pub(super) fn find_track<'l>(library: &'l Library, id: Option<&str>) -> Result<&'l Track, Reply> {
    let Some(id) = id else {
        return library
            .main_track()
            .ok_or_else(|| Reply::notice("There are no briefs yet."));
    };
    let wanted = id.trim().to_lowercase();
    library.track(&wanted).ok_or_else(|| {
        let ids: Vec<&str> = library.tracks().iter().map(|t| t.id.as_str()).collect();
        let hint = suggest::closest(&wanted, ids.iter().copied())
            .map(|near| format!(" Did you mean `{near}`?"))
            .unwrap_or_default();
        Reply::notice(format!(
            "There is no track `{id}`.{hint} Tracks: {}.",
            ids.join(", ")
        ))
    })
}

pub(super) fn find_round<'l>(
    library: &'l Library,
    track: &'l Track,
    number: i64,
) -> Result<&'l Round, Reply> {
    u32::try_from(number)
        .ok()
        .and_then(|n| track.round(n))
        .ok_or_else(|| Reply::notice(missing_round(library, track, &number.to_string())))
}

/// "There is no round 9 in `syria-israel`. The rounds there are: …", newest first and capped,
/// so the notice stays readable (and within Discord's 2000 characters) for a long track.
pub(super) fn missing_round(library: &Library, track: &Track, number: &str) -> String {
    const SHOWN: usize = 10;
    let mut lines: Vec<String> = track
        .rounds
        .iter()
        .rev()
        .take(SHOWN)
        .map(|r| format!("• {}", views::round_line(library, r)))
        .collect();
    if track.rounds.len() > SHOWN {
        lines.push(format!(
            "…and {} earlier: see /rounds",
            track.rounds.len() - SHOWN
        ));
    }
    format!(
        "There is no round {number} in {}. The rounds there are:\n{}",
        library.track_name(&track.id),
        lines.join("\n")
    )
}

/// The canonical name of the party a user typed: by name or alias, else a notice with the
/// closest names.
pub(super) fn find_party(library: &Library, track: &Track, typed: &str) -> Result<String, Reply> {
    if let Some(party) = library.party(typed) {
        return Ok(party.name.clone());
    }
    // With parties.toml, every position already names one of its parties (the loader
    // resolves aliases), so the briefs need not be searched.
    let mut names: Vec<&str> = if library.parties().is_empty() {
        track
            .rounds
            .iter()
            .flat_map(|r| r.positions.iter().map(|p| p.party.as_str()))
            .collect()
    } else {
        library.parties().iter().map(|p| p.name.as_str()).collect()
    };
    names.sort_unstable();
    names.dedup();
    if let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(typed.trim())) {
        return Ok(name.to_string());
    }
    let near: Vec<&str> = if library.parties().is_empty() {
        suggest::ranked(typed, names.iter().copied())
    } else {
        suggest::ranked_lowered(typed, library.party_suggestions())
    }
    .into_iter()
    .map(|n| library.party(n).map_or(n, |p| p.name.as_str()))
    .collect();
    let hint = match near.first() {
        Some(first) => format!(" Did you mean {first}?"),
        None => String::new(),
    };
    Err(Reply::notice(format!(
        "I know no party called “{}”.{hint} Parties: {}.",
        typed.trim(),
        names.join(", ")
    )))
}

pub(super) fn author(library: &Library, name: Option<&str>) -> OrNotice {
    let Some(name) = name else {
        let track = find_track(library, None)?;
        let round = track
            .latest()
            .ok_or_else(|| Reply::notice("There are no briefs yet."))?;
        let author = library
            .author(&round.author)
            .ok_or_else(|| Reply::notice("The latest brief names no known author."))?;
        return Ok(Reply::message(views::author_card(library, author, None)));
    };
    let typed = name.trim().to_lowercase();
    let exact = library.author(&typed).or_else(|| {
        library
            .authors()
            .iter()
            .find(|a| fold::equals(&a.name, &typed))
    });
    if let Some(author) = exact {
        return Ok(Reply::message(views::author_card(library, author, None)));
    }
    let partial: Vec<&Author> = library
        .authors()
        .iter()
        .filter(|a| fold::contains(&a.name, &typed))
        .collect();
    match partial.as_slice() {
        &[author] => Ok(Reply::message(views::author_card(library, author, None))),
        [] => {
            let hint = suggest::ranked_lowered(&typed, library.author_suggestions())
                .first()
                .map(|n| format!(" Did you mean {n}?"))
                .unwrap_or_default();
            let mut text = format!("I know no author called “{}”.{hint} Authors: ", name.trim());
            list_within(&mut text, library.authors().iter().map(|a| a.name.as_str()));
            text.push('.');
            Err(Reply::notice(text))
        }
        several => {
            let names: Vec<&str> = several.iter().map(|a| a.name.as_str()).collect();
            Err(Reply::notice(format!(
                "Several authors match “{}”: {}. Which one?",
                name.trim(),
                names.join(", ")
            )))
        }
    }
}

/// Appends `items`, comma-separated, to a notice, stopping once it is past what a message
/// shows (`Reply::fit` cuts the rest, and the cut depends only on the text up to the limit and
/// just after it): with hundreds of authors, the names past the limit are not written at all.
fn list_within<'a>(text: &mut String, items: impl Iterator<Item = &'a str>) {
    const ENOUGH: usize = limits::MESSAGE_CONTENT + 16;
    let mut length = limits::chars(text);
    for (i, item) in items.enumerate() {
        if length > ENOUGH {
            return;
        }
        if i > 0 {
            text.push_str(", ");
            length += 2;
        }
        text.push_str(item);
        length += limits::chars(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::truncate;

    #[test]
    fn a_list_stopped_past_the_limit_shows_what_the_whole_list_would() {
        let names: Vec<String> = (0..300)
            .map(|i| format!("Author Number {i} Née Østergård"))
            .collect();
        let start = "I know no author called “x”. Authors: ".to_string();
        let mut short = start.clone();
        list_within(&mut short, names.iter().map(String::as_str));
        short.push('.');
        let whole = format!("{start}{}.", names.join(", "));
        assert!(short.len() < whole.len());
        assert_eq!(
            truncate(&short, limits::MESSAGE_CONTENT),
            truncate(&whole, limits::MESSAGE_CONTENT)
        );
    }
}
