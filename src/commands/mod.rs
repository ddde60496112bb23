//! The command core: `(&Library, &Request) → Reply`, pure. No I/O, no clock, no Discord
//! calls, so every reply is tested and benchmarked as a plain function. Transports (gateway,
//! HTTP endpoint, `briefbot ask`) only translate requests in and replies out.

pub mod autocomplete;
pub mod cards;
pub mod custom_id;
pub mod notices;
pub mod request;
pub mod spec;

use crate::library::{Author, Library, Round, Track};
use crate::reply::Reply;
use crate::suggest;
use custom_id::{Target, View};
pub use request::{Command, Request, RequestError};

/// Answers one request from one library snapshot.
pub fn respond(library: &Library, request: &Request) -> Reply {
    match request {
        Request::Command(command) => run(library, command),
        Request::Autocomplete {
            command,
            option,
            partial,
            track,
        } => Reply::Choices(autocomplete::suggest(
            library,
            command,
            option,
            partial,
            track.as_deref(),
        )),
        Request::Press(custom_id) => press(library, custom_id),
    }
}

/// The polite answer to a request that could not be understood.
pub fn bad_request(error: &RequestError) -> Reply {
    Reply::notice(format!(
        "Sorry, I did not understand that: {error}.\nCommands:\n{}",
        spec::usage()
    ))
}

/// The answer when something failed on briefbot's side: never "the application did not respond".
pub fn something_went_wrong() -> Reply {
    Reply::notice("Something went wrong on briefbot's side; it has been logged. Please try again.")
}

/// The answer to an interaction kind briefbot does not handle (a modal submission).
pub fn unsupported() -> Reply {
    Reply::notice("briefbot does not handle this kind of interaction.")
}

/// The answer to an autocomplete request that failed or could not be understood: Discord
/// accepts only choices there, so it gets none rather than a message it would reject.
pub fn no_choices() -> Reply {
    Reply::Choices(Vec::new())
}

fn run(library: &Library, command: &Command) -> Reply {
    let answer = match command {
        Command::Latest { track } => latest(library, track.as_deref()),
        Command::Round { number, track } => round(library, *number, track.as_deref()),
        Command::Positions {
            party,
            round,
            track,
        } => positions(library, party.as_deref(), *round, track.as_deref()),
        Command::Author { name } => author(library, name.as_deref()),
        Command::Rounds { track } => find_track(library, track.as_deref())
            .map(|t| Reply::message(cards::timeline(library, t))),
        Command::About => Ok(Reply::message(cards::about(library))),
        // Reloading is I/O, which the transports do (see `reload::answer`); the core only
        // words the outcome.
        Command::Reload { .. } => Ok(notices::reload_offline()),
    };
    answer.unwrap_or_else(|notice| notice)
}

/// A private notice instead of the answer: a missing round, an unknown track or party.
type Answer = Result<Reply, Reply>;

fn find_track<'l>(library: &'l Library, id: Option<&str>) -> Result<&'l Track, Reply> {
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

fn find_round<'l>(library: &'l Library, track: &'l Track, number: i64) -> Result<&'l Round, Reply> {
    u32::try_from(number)
        .ok()
        .and_then(|n| track.round(n))
        .ok_or_else(|| Reply::notice(missing_round(library, track, &number.to_string())))
}

/// "There is no round 9 in `syria-israel`. The rounds there are: …", newest first and capped,
/// so the notice stays readable (and within Discord's 2000 characters) for a long track.
fn missing_round(library: &Library, track: &Track, number: &str) -> String {
    const SHOWN: usize = 10;
    let mut lines: Vec<String> = track
        .rounds
        .iter()
        .rev()
        .take(SHOWN)
        .map(|r| format!("• {}", cards::round_line(library, r)))
        .collect();
    if track.rounds.len() > SHOWN {
        lines.push(format!(
            "…and {} earlier: see /rounds",
            track.rounds.len() - SHOWN
        ));
    }
    format!(
        "There is no round {number} in `{}`. The rounds there are:\n{}",
        track.id,
        lines.join("\n")
    )
}

fn latest(library: &Library, track: Option<&str>) -> Answer {
    let track = find_track(library, track)?;
    let round = track
        .latest()
        .ok_or_else(|| Reply::notice("There are no briefs yet."))?;
    Ok(Reply::message(cards::round_card(library, track, round)))
}

fn round(library: &Library, number: i64, track: Option<&str>) -> Answer {
    let track = find_track(library, track)?;
    let round = find_round(library, track, number)?;
    Ok(Reply::message(cards::round_card(library, track, round)))
}

fn positions(
    library: &Library,
    party: Option<&str>,
    number: Option<i64>,
    track: Option<&str>,
) -> Answer {
    let track = find_track(library, track)?;
    let Some(party) = party else {
        let round = match number {
            Some(n) => find_round(library, track, n)?,
            None => track
                .latest()
                .ok_or_else(|| Reply::notice("There are no briefs yet."))?,
        };
        return Ok(Reply::message(cards::round_positions(
            library, track, round,
        )));
    };
    let name = find_party(library, track, party)?;
    match number {
        Some(n) => {
            let round = find_round(library, track, n)?;
            cards::party_in_round(library, track, round, &name)
                .map(Reply::message)
                .ok_or_else(|| {
                    Reply::notice(format!(
                        "Round {} of `{}` records no position for {name}. Try /positions round:{}.",
                        round.number, track.id, round.number
                    ))
                })
        }
        None if track
            .rounds
            .iter()
            .any(|r| r.positions.iter().any(|p| p.party == name)) =>
        {
            Ok(Reply::message(cards::party_timeline(library, track, &name)))
        }
        None => Err(Reply::notice(format!(
            "No round in `{}` records a position for {name}.",
            track.id
        ))),
    }
}

/// The canonical name of the party a user typed: by name or alias, else a notice with the
/// closest names.
fn find_party(library: &Library, track: &Track, typed: &str) -> Result<String, Reply> {
    if let Some(party) = library.party(typed) {
        return Ok(party.name.clone());
    }
    let mut names: Vec<&str> = track
        .rounds
        .iter()
        .flat_map(|r| r.positions.iter().map(|p| p.party.as_str()))
        .collect();
    names.extend(library.parties().iter().map(|p| p.name.as_str()));
    names.sort_unstable();
    names.dedup();
    if let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(typed.trim())) {
        return Ok(name.to_string());
    }
    let aliases = library
        .parties()
        .iter()
        .flat_map(|p| p.aliases.iter().map(String::as_str))
        .chain(names.iter().copied());
    let near: Vec<&str> = suggest::ranked(typed, aliases)
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

fn author(library: &Library, name: Option<&str>) -> Answer {
    let Some(name) = name else {
        let track = find_track(library, None)?;
        let round = track
            .latest()
            .ok_or_else(|| Reply::notice("There are no briefs yet."))?;
        let author = library
            .author(&round.author)
            .ok_or_else(|| Reply::notice("The latest brief names no known author."))?;
        return Ok(Reply::message(cards::author_card(library, author, None)));
    };
    let typed = name.trim().to_lowercase();
    let exact = library
        .authors()
        .iter()
        .find(|a| a.slug == typed || a.name.to_lowercase() == typed);
    let partial: Vec<&Author> = library
        .authors()
        .iter()
        .filter(|a| a.name.to_lowercase().contains(&typed))
        .collect();
    match (exact, partial.as_slice()) {
        (Some(author), _) | (None, &[author]) => {
            Ok(Reply::message(cards::author_card(library, author, None)))
        }
        (None, []) => {
            let names: Vec<&str> = library.authors().iter().map(|a| a.name.as_str()).collect();
            let hint = suggest::closest(&typed, names.iter().copied())
                .map(|n| format!(" Did you mean {n}?"))
                .unwrap_or_default();
            Err(Reply::notice(format!(
                "I know no author called “{}”.{hint} Authors: {}.",
                name.trim(),
                names.join(", ")
            )))
        }
        (None, several) => {
            let names: Vec<&str> = several.iter().map(|a| a.name.as_str()).collect();
            Err(Reply::notice(format!(
                "Several authors match “{}”: {}. Which one?",
                name.trim(),
                names.join(", ")
            )))
        }
    }
}

/// A button press: the view its `custom_id` names, replacing the message it sits on.
fn press(library: &Library, custom_id: &str) -> Reply {
    let Some(target) = Target::parse(custom_id) else {
        return Reply::notice(
            "This button is from an older version of briefbot and no longer works. Try /latest.",
        );
    };
    let Some(track) = library.track(&target.track) else {
        return Reply::notice(format!(
            "The track `{}` is no longer in the library. Try /latest.",
            target.track
        ));
    };
    // ◀ and ▶ are resolved from the number alone, so they still work after the round the
    // message shows was removed.
    match target.view {
        View::Prev => {
            return match track.previous(target.round) {
                Some(r) => Reply::Update(cards::round_card(library, track, r)),
                None => Reply::notice(format!(
                    "There is no round before round {} in `{}`.",
                    target.round, track.id
                )),
            };
        }
        View::Next => {
            return match track.next(target.round) {
                Some(r) => Reply::Update(cards::round_card(library, track, r)),
                None => Reply::notice(format!(
                    "Round {} is the latest round in `{}`.",
                    target.round, track.id
                )),
            };
        }
        _ => {}
    }
    let Some(round) = track.round(target.round) else {
        return Reply::notice(missing_round(library, track, &target.round.to_string()));
    };
    match target.view {
        View::Author => match library.author(&round.author) {
            Some(author) => {
                Reply::Update(cards::author_card(library, author, Some((track, round))))
            }
            None => Reply::notice(format!(
                "The author of round {} is no longer in the library.",
                round.number
            )),
        },
        View::More(page) => match cards::briefing_page(library, track, round, page) {
            Some(message) => Reply::Update(message),
            None => Reply::notice(format!(
                "The briefing of round {} has {} now; the brief has changed. Try /round {}.",
                round.number,
                crate::library::plural(cards::briefing_pages(&round.body).len(), "page"),
                round.number
            )),
        },
        View::Positions => Reply::Update(cards::round_positions(library, track, round)),
        View::Card | View::Prev | View::Next => {
            Reply::Update(cards::round_card(library, track, round))
        }
    }
}
