//! Suggestions while a user types an option: rounds that exist, parties by name or alias,
//! authors, tracks. Best matches first; `Reply::fit` keeps Discord's 25.

use crate::library::{Library, Track, fold};
use crate::limits;
use crate::reply::{Choice, ChoiceValue};

/// Choices for `option` of `command`, given the text typed so far.
pub(crate) fn suggest(
    library: &Library,
    command: &str,
    option: &str,
    partial: &str,
    track: Option<&str>,
) -> Vec<Choice> {
    let track = match track {
        Some(id) => library.track(&id.trim().to_lowercase()),
        None => library.main_track(),
    };
    let partial = partial.trim().to_lowercase();
    // `Reply::fit` leaves out choices Discord would refuse, then keeps the best 25.
    match (command, option) {
        (_, "number" | "round") => track.map(|t| rounds(t, &partial)).unwrap_or_default(),
        (_, "party") => parties(library, track, &partial),
        ("author", "name") => authors(library, &partial),
        (_, "track") => tracks(library, &partial),
        _ => Vec::new(),
    }
}

/// Rounds as choices: "Round 5 — Paris, 6 January 2026" → 5. What was typed ranks them: the
/// round with exactly that number first, then the rounds whose number starts with it, then
/// those whose place or headline holds it; newest first within each, and every round, newest
/// first, while nothing is typed.
fn rounds(track: &Track, partial: &str) -> Vec<Choice> {
    let exact = partial.parse::<u32>().ok().and_then(|n| track.round(n));
    let starting = track.newest_first().filter(|r| {
        number_starts_with(r.number, partial) && exact.is_none_or(|e| e.number != r.number)
    });
    // The key holds the place and the headline, lower-cased, apart: typed words never hold
    // the separator, so they match within one or the other.
    let mentioning = track
        .newest_first_with_keys()
        .filter(|(r, key)| !number_starts_with(r.number, partial) && key.contains(partial))
        .map(|(r, _)| r);
    exact
        .into_iter()
        .chain(starting)
        .chain(mentioning)
        // Discord shows 25; the rest would only be written to be dropped.
        .take(limits::AUTOCOMPLETE_CHOICES)
        .map(|r| {
            let name = match &r.location {
                Some(place) => format!("Round {} — {place}, {}", r.number, r.date.written()),
                None => format!("Round {} — {}", r.number, r.date.written()),
            };
            Choice {
                name,
                value: ChoiceValue::Integer(i64::from(r.number)),
            }
        })
        .collect()
}

/// Names that start with the text first, then names that contain it, then aliases.
fn parties(library: &Library, track: Option<&Track>, partial: &str) -> Vec<Choice> {
    // (canonical name, aliases): from parties.toml, or else the names the briefs use.
    let known: Vec<(String, Vec<String>)> = if library.parties().is_empty() {
        let mut names: Vec<String> = track
            .into_iter()
            .flat_map(|t| t.rounds.iter())
            .flat_map(|r| r.positions.iter().map(|p| p.party.clone()))
            .collect();
        names.sort();
        names.dedup();
        names.into_iter().map(|n| (n, Vec::new())).collect()
    } else {
        library
            .parties()
            .iter()
            .map(|p| (p.name.clone(), p.aliases.clone()))
            .collect()
    };
    let mut ranked: Vec<(u8, Choice)> = known
        .iter()
        .filter_map(|(name, aliases)| {
            let rank = if fold::starts_with(name, partial) {
                0
            } else if fold::contains(name, partial) {
                1
            } else {
                let alias = aliases.iter().find(|a| fold::contains(a, partial))?;
                let choice = Choice {
                    name: format!("{name} ({alias})"),
                    value: ChoiceValue::String(name.clone()),
                };
                return Some((2, choice));
            };
            Some((
                rank,
                Choice {
                    name: name.clone(),
                    value: ChoiceValue::String(name.clone()),
                },
            ))
        })
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked.into_iter().map(|(_, c)| c).collect()
}

fn authors(library: &Library, partial: &str) -> Vec<Choice> {
    let mut ranked: Vec<(u8, Choice)> = library
        .authors()
        .iter()
        .filter_map(|a| {
            let rank = if fold::starts_with(&a.name, partial) || a.slug.starts_with(partial) {
                0
            } else if fold::contains(&a.name, partial) || a.slug.contains(partial) {
                1
            } else {
                return None;
            };
            Some((
                rank,
                Choice {
                    name: a.name.clone(),
                    value: ChoiceValue::String(a.slug.clone()),
                },
            ))
        })
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked.into_iter().map(|(_, c)| c).collect()
}

fn tracks(library: &Library, partial: &str) -> Vec<Choice> {
    library
        .tracks()
        .iter()
        .filter(|t| {
            t.id.contains(partial) || library.track_name(&t.id).to_lowercase().contains(partial)
        })
        .map(|t| Choice {
            // The reader picks by name; the option's value stays the id.
            name: format!(
                "{} ({})",
                library.track_name(&t.id),
                crate::library::plural(t.rounds.len(), "round")
            ),
            value: ChoiceValue::String(t.id.clone()),
        })
        .collect()
}

/// Whether `number` written in decimal starts with `digits`, without writing it to a string.
fn number_starts_with(number: u32, digits: &str) -> bool {
    let mut written = [0u8; 10];
    let mut start = written.len();
    let mut rest = number;
    loop {
        start -= 1;
        written[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    written[start..].starts_with(digits.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Round;

    fn round(number: u32, place: &str) -> Round {
        Round::example("t", number, &format!("Round {number} in {place}"), place)
    }

    #[test]
    fn the_round_typed_comes_first_then_numbers_starting_with_it_then_words() {
        let rounds = vec![
            round(1, "Paris"),
            round(3, "Room 12 talks"),
            round(12, "Geneva"),
            round(120, "Rome"),
            round(125, "Oslo"),
        ];
        let library = Library::from_parts(rounds, vec![], vec![], None);
        let track = library.track("t").expect("track");
        let numbers = |typed: &str| -> Vec<i64> {
            super::rounds(track, typed)
                .into_iter()
                .map(|c| match c.value {
                    ChoiceValue::Integer(n) => n,
                    ChoiceValue::String(_) => -1,
                })
                .collect()
        };
        assert_eq!(numbers("12"), [12, 125, 120, 3]);
        assert_eq!(numbers(""), [125, 120, 12, 3, 1]);
        assert_eq!(numbers("rome"), [120]);
        assert_eq!(numbers("99"), Vec::<i64>::new());
    }

    #[test]
    fn a_number_starts_with_what_its_decimal_form_starts_with() {
        for (number, digits) in [
            (0, "0"),
            (5, ""),
            (251, "25"),
            (4_000_000_000, "40"),
            (12, "2"),
        ] {
            assert_eq!(
                number_starts_with(number, digits),
                number.to_string().starts_with(digits),
                "{number} {digits}"
            );
        }
    }
}
