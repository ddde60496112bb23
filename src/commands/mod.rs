//! The command core: `(&Library, &Request) → Reply`, pure. No I/O, no clock, no Discord
//! calls, so every reply is tested and benchmarked as a plain function. A command that needs
//! something done (`/reload`, `/follow`) is answered with an `Action`, which the transports'
//! handler carries out. Depends on `library` and `reply` only.

pub(crate) mod autocomplete;
pub(crate) mod custom_id;
pub(crate) mod follow;
mod lookup;
pub mod notices;
mod request;
pub mod setup;
pub mod spec;
pub mod views;

use crate::library::{Library, plural};
use crate::reply::Reply;
use custom_id::{FollowTrack, Open, SearchPage, Target, TimelinePage, View};
pub use follow::{Origin, RoleChange};
use lookup::{OrNotice, find_party, find_round, find_track, missing_round};
pub use request::{Command, Request, RequestError};
pub(crate) use request::{Invocation, Value};

/// What the core makes of a request: a reply, or something to do first.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Reply(Reply),
    Do(Action),
}

/// Something only the running bot can do; its handler does it, and words the result with
/// `notices`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Load the briefs folder again (`/reload`), for a member who may manage the server.
    Reload,
    /// Give a member a track's follow role, or take it away (`/follow`, a Follow button).
    Follow(RoleChange),
    /// A step of `/setup`, checked against Discord and saved by the handler.
    Setup(setup::SetupAsk),
}

/// What to do about one request, from one library snapshot, for whoever asked where
/// `origin` says: the Follow button shows on the cards of tracks that can be followed there.
pub fn answer(library: &Library, request: &Request, origin: &Origin) -> Answer {
    let view = || Answer::Reply(follow::offer(respond(library, request), origin));
    match request {
        Request::Command(Command::Reload) => Answer::Do(Action::Reload),
        Request::Command(Command::Follow { track }) => {
            follow::follow(library, track.as_deref(), origin)
        }
        Request::Command(Command::Setup { track }) => {
            setup::setup(library, track.as_deref(), setup::Step::Show, origin)
        }
        Request::Choose { custom_id, values } => match setup::parse(custom_id, values) {
            Some((track, step)) => setup::setup(library, Some(&track), step, origin),
            None => Answer::Reply(stale_menu()),
        },
        Request::Press { custom_id, .. } if setup::is_panel(custom_id) => {
            match setup::parse(custom_id, &[]) {
                Some((track, step)) => setup::setup(library, Some(&track), step, origin),
                None => Answer::Reply(stale_menu()),
            }
        }
        Request::Press { custom_id, .. } => match FollowTrack::parse(custom_id) {
            Some(button) => follow::follow(library, Some(&button.track), origin),
            None => view(),
        },
        _ => view(),
    }
}

/// A menu briefbot did not make, or made by an older version it no longer reads.
fn stale_menu() -> Reply {
    Reply::notice("This menu is out of date; run the command again.")
}

/// Whether a request is `/setup`'s (the command, or its panel's components), whose answer
/// depends on the server and is never the same twice.
pub(crate) fn is_setup(request: &Request) -> bool {
    match request {
        Request::Command(Command::Setup { .. }) | Request::Choose { .. } => true,
        Request::Press { custom_id, .. } => setup::is_panel(custom_id),
        _ => false,
    }
}

/// Whether a request is about following (`/follow`, a Follow button), whose answer depends
/// on who asked and where, not only on the request.
pub(crate) fn is_follow(request: &Request) -> bool {
    match request {
        Request::Command(Command::Follow { .. }) => true,
        Request::Press { custom_id, .. } => FollowTrack::parse(custom_id).is_some(),
        _ => false,
    }
}

/// The reply to one request from one library snapshot. An action is answered with what it
/// would do (`briefbot ask "/reload"`, where nothing is running to reload).
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
        Request::Press { custom_id, carried } => press(library, custom_id, carried.as_deref()),
        Request::Choose { .. } => stale_menu(),
    }
}

/// The polite answer to a request that could not be understood.
pub fn bad_request(error: &RequestError) -> Reply {
    if let RequestError::NoMessage { command } = error {
        return Reply::notice(format!(
            "Discord did not send the message you used {command} on, so there is nothing to \
             brief you on. Please try again, or use /search with a few words from it."
        ));
    }
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
pub(crate) fn unsupported() -> Reply {
    Reply::notice("briefbot does not handle this kind of interaction.")
}

/// The answer to an autocomplete request that failed or could not be understood: Discord
/// accepts only choices there, so it gets none rather than a message it would reject.
pub fn no_choices() -> Reply {
    Reply::Choices(Vec::new())
}

/// The apology for a failure on briefbot's side, of the kind Discord accepts in that place.
pub(crate) fn apology(autocomplete: bool) -> Reply {
    if autocomplete {
        no_choices()
    } else {
        something_went_wrong()
    }
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
        Command::Author { name } => lookup::author(library, name.as_deref()),
        Command::Rounds { track } => find_track(library, track.as_deref())
            .map(|t| Reply::message(views::timeline(library, t, 1))),
        Command::Search { query, track } => match track {
            Some(id) => find_track(library, Some(id))
                .map(|track| views::search::search(library, query, Some(track))),
            None => Ok(views::search::search(library, query, None)),
        },
        Command::BriefMe { text } => Ok(views::search::brief_me(library, text)),
        Command::About => Ok(Reply::message(views::about(library))),
        Command::Reload => Ok(notices::reload_offline()),
        Command::Follow { .. } => Ok(notices::follow_offline()),
        Command::Setup { .. } => Ok(Reply::notice(
            "/setup lets a server's admins choose where new rounds go in their server; it works in the running bot, when the operator turns it on ([setup] in config.toml).",
        )),
    };
    answer.unwrap_or_else(|notice| notice)
}

fn latest(library: &Library, track: Option<&str>) -> OrNotice {
    let track = find_track(library, track)?;
    let round = track
        .latest()
        .ok_or_else(|| Reply::notice("There are no briefs yet."))?;
    Ok(Reply::message(views::round_card(library, track, round)))
}

fn round(library: &Library, number: i64, track: Option<&str>) -> OrNotice {
    let track = find_track(library, track)?;
    let round = find_round(library, track, number)?;
    Ok(Reply::message(views::round_card(library, track, round)))
}

fn positions(
    library: &Library,
    party: Option<&str>,
    number: Option<i64>,
    track: Option<&str>,
) -> OrNotice {
    let track = find_track(library, track)?;
    let Some(party) = party else {
        let round = match number {
            Some(n) => find_round(library, track, n)?,
            None => track
                .latest()
                .ok_or_else(|| Reply::notice("There are no briefs yet."))?,
        };
        return Ok(Reply::message(views::round_positions(
            library, track, round,
        )));
    };
    let name = find_party(library, track, party)?;
    match number {
        Some(n) => {
            let round = find_round(library, track, n)?;
            views::party_in_round(library, track, round, &name)
                .map(Reply::message)
                .ok_or_else(|| {
                    Reply::notice(format!(
                        "Round {} of {} records no position for {name}. Try /positions round:{}.",
                        round.number,
                        library.track_name(&track.id),
                        round.number
                    ))
                })
        }
        None if track
            .rounds
            .iter()
            .any(|r| r.positions.iter().any(|p| p.party == name)) =>
        {
            Ok(Reply::message(views::party_timeline(library, track, &name)))
        }
        None => Err(Reply::notice(format!(
            "No round in {} records a position for {name}.",
            library.track_name(&track.id)
        ))),
    }
}

/// A button press: the view its `custom_id` names, replacing the message it sits on.
/// `carried` is the title of the message's first embed, where search results keep their query.
fn press(library: &Library, custom_id: &str, carried: Option<&str>) -> Reply {
    if FollowTrack::parse(custom_id).is_some() {
        return notices::follow_offline();
    }
    if let Some(page) = SearchPage::parse(custom_id) {
        let track = match page.track.as_deref().map(|id| library.track(id).ok_or(id)) {
            None => None,
            Some(Ok(track)) => Some(track),
            Some(Err(id)) => {
                return Reply::notice(format!(
                    "The track {} is no longer in the library. Try /search again.",
                    library.track_name(id)
                ));
            }
        };
        return views::search::page(library, carried, track, page.page);
    }
    if let Some(open) = Open::parse(custom_id) {
        // A new private message: the list the button sits on stays as it is.
        return match library
            .track(&open.track)
            .and_then(|t| Some((t, t.round(open.round)?)))
        {
            Some((track, round)) => Reply::Message {
                message: views::round_card(library, track, round),
                ephemeral: true,
            },
            None => Reply::notice(format!(
                "Round {} of {} is no longer in the library. Try /search again.",
                open.round,
                library.track_name(&open.track)
            )),
        };
    }
    if let Some(page) = TimelinePage::parse(custom_id) {
        return match library.track(&page.track) {
            Some(track) => Reply::Update(views::timeline(library, track, page.page)),
            None => Reply::notice(format!(
                "The track {} is no longer in the library. Try /rounds.",
                library.track_name(&page.track)
            )),
        };
    }
    let Some(target) = Target::parse(custom_id) else {
        return Reply::notice(
            "This button is from an older version of briefbot and no longer works. Try /latest.",
        );
    };
    let Some(track) = library.track(&target.track) else {
        return Reply::notice(format!(
            "The track {} is no longer in the library. Try /latest.",
            library.track_name(&target.track)
        ));
    };
    // ◀ and ▶ are resolved from the number alone, so they still work after the round the
    // message shows was removed.
    match target.view {
        View::Prev => {
            return match track.previous(target.round) {
                Some(r) => Reply::Update(views::round_card(library, track, r)),
                None => Reply::notice(format!(
                    "There is no round before round {} in {}.",
                    target.round,
                    library.track_name(&track.id)
                )),
            };
        }
        View::Next => {
            return match track.next(target.round) {
                Some(r) => Reply::Update(views::round_card(library, track, r)),
                None => Reply::notice(format!(
                    "Round {} is the latest round in {}.",
                    target.round,
                    library.track_name(&track.id)
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
                Reply::Update(views::author_card(library, author, Some((track, round))))
            }
            None => Reply::notice(format!(
                "The author of round {} is no longer in the library.",
                round.number
            )),
        },
        View::More(page) => match views::briefing_page(library, track, round, page) {
            Some(message) => Reply::Update(message),
            None => Reply::notice(format!(
                "The briefing of round {} has {} now; the brief has changed. Try /round {}.",
                round.number,
                plural(views::briefing_pages(&round.body).len(), "page"),
                round.number
            )),
        },
        View::Positions => Reply::Update(views::round_positions(library, track, round)),
        View::Card | View::Prev | View::Next => {
            Reply::Update(views::round_card(library, track, round))
        }
    }
}
