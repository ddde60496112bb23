//! `briefbot announce --track T --round N`: an operator posts a chosen round (one held back
//! because too many came at once, say) through the same exactly-once delivery as the bot.
//! It takes the state folder's lock (or, with a state database, the announcer's lock in it),
//! so it never runs beside a bot announcing from the same state: two processes posting from
//! one state could post twice.

use std::sync::Arc;

use super::database::Database;
use super::delivery::deliver;
use super::settings::Settings;
use super::shared::{DeliveryError, Shared, Store};
use super::state::{Pending, State, StateError, StateFile};
use super::store::StateStore;
use super::targets::Targets;
use crate::library::{Library, RoundId, suggest};
use crate::live::reloader::Reloader;
use crate::rest::Rest;

/// Why a round could not be announced by hand at all.
#[derive(Debug, thiserror::Error)]
pub enum ByHandError {
    #[error("there is no track `{track}`{hint}")]
    UnknownTrack { track: String, hint: String },
    #[error("track `{track}` has no round {round}; {hint}")]
    UnknownRound {
        track: String,
        round: u32,
        hint: String,
    },
    #[error(
        "[announce] channels and [[announce.target]] are empty in the config, so there is nowhere to announce; add the channel ids there"
    )]
    NoChannels,
    #[error("a running briefbot is announcing from the state folder {} (it holds announcements.lock); stop the bot, run `briefbot announce` again, then start the bot. Both announcing from one state folder could post a round twice", dir.display())]
    BotRunning { dir: std::path::PathBuf },
    /// `place` is the database's URL without its password.
    #[error(
        "a running briefbot is announcing from the state database {place} (it holds the announcer's lock); stop every instance that uses this database, run `briefbot announce` again, then start them. Both announcing from one state could post a round twice"
    )]
    BotRunningOnDatabase { place: String },
    #[error(transparent)]
    State(#[from] StateError),
}

/// What became of the announcement in one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Posted now (or found among the channel's messages, posted by an attempt that was cut
    /// short), and recorded.
    Announced { channel: u64, message: u64 },
    /// The state already records it: not posted again.
    AlreadyAnnounced { channel: u64, message: u64 },
    /// Discord did not take it (no permission, rate-limited, down): it stays queued in the
    /// state, so the bot posts it when it runs, or this can be run again.
    Failed { channel: u64, error: String },
    /// Discord refused it as malformed: dropped, as the bot drops it.
    Refused { channel: u64, error: String },
}

impl Delivery {
    pub(crate) fn is_done(&self) -> bool {
        matches!(
            self,
            Delivery::Announced { .. } | Delivery::AlreadyAnnounced { .. }
        )
    }
}

/// That `library` has round `round` of track `track`; otherwise the error names the nearest
/// tracks or rounds there are.
pub(crate) fn check_round(library: &Library, track: &str, round: u32) -> Result<(), ByHandError> {
    let Some(found) = library.track(track) else {
        let ids: Vec<&str> = library.tracks().iter().map(|t| t.id.as_str()).collect();
        let near = suggest::ranked(track, ids.iter().copied());
        let hint = match near.first() {
            Some(near) => format!("; did you mean `{near}`? (tracks: {})", listed(&ids)),
            None if ids.is_empty() => "; the briefs folder has no rounds".to_string(),
            None => format!("; the tracks are {}", listed(&ids)),
        };
        return Err(ByHandError::UnknownTrack {
            track: track.to_string(),
            hint,
        });
    };
    if found.round(round).is_some() {
        return Ok(());
    }
    const NEAREST: usize = 5;
    let mut numbers: Vec<u32> = found.rounds.iter().map(|r| r.number).collect();
    numbers.sort_by_key(|n| (n.abs_diff(round), *n));
    numbers.truncate(NEAREST);
    numbers.sort_unstable();
    let numbers: Vec<String> = numbers.iter().map(u32::to_string).collect();
    let hint = if found.rounds.len() <= NEAREST {
        format!("its rounds are {}", numbers.join(", "))
    } else {
        format!(
            "the nearest of its {} rounds are {}",
            found.rounds.len(),
            numbers.join(", ")
        )
    };
    Err(ByHandError::UnknownRound {
        track: track.to_string(),
        round,
        hint,
    })
}

/// "`a`, `b`, `c`", at most ten, then "and N more".
fn listed(ids: &[&str]) -> String {
    const SHOWN: usize = 10;
    let mut shown: Vec<String> = ids.iter().take(SHOWN).map(|id| format!("`{id}`")).collect();
    if ids.len() > SHOWN {
        shown.push(format!("and {} more", ids.len() - SHOWN));
    }
    shown.join(", ")
}

/// Announces `round` in each of `settings.channels`, and each channel a server chose for its
/// track (`settings.setup`), once: recorded in the state (the state
/// file, or the state database when `settings.database` names one) as pending before it is
/// posted and as delivered once Discord confirms, exactly as the bot does; a channel where
/// the state already records it is skipped. On the very first use (no state yet) every round
/// there is recorded first, as the bot's first start does.
pub async fn announce_by_hand(
    rest: Rest,
    reloader: Arc<Reloader>,
    settings: &Settings,
    round: &RoundId,
) -> Result<Vec<Delivery>, ByHandError> {
    check_round(&reloader.current(), &round.track, round.number)?;
    // The operator's channels, and those servers chose for the round's track.
    let servers = settings.setup.as_ref().map(|s| s.current());
    let channels = Targets::of(settings, servers.as_deref()).channels_for(&round.track);
    if channels.is_empty() {
        return Err(ByHandError::NoChannels);
    }
    match &settings.database {
        Some(url) => {
            let database = Arc::new(Database::open(url).await?);
            // Held to the end: no instance starts announcing from this database meanwhile.
            let announced = database.locked(async {
                let store = first_or_stored(database.clone(), &reloader).await?;
                let shared = Shared::new(rest, reloader.clone(), store, settings);
                announce_from(shared, &channels, round).await
            });
            announced
                .await?
                .ok_or_else(|| ByHandError::BotRunningOnDatabase { place: url.shown() })
        }
        None => {
            let file = StateFile::in_dir(&settings.state_dir)?;
            // Held to the end: the bot cannot start announcing from this folder meanwhile.
            let _lock = file.lock().map_err(|error| match error {
                StateError::Locked { dir } => ByHandError::BotRunning { dir },
                other => ByHandError::State(other),
            })?;
            let store = first_or_stored(Arc::new(file), &reloader).await?;
            announce_from(
                Shared::new(rest, reloader, store, settings),
                &channels,
                round,
            )
            .await
        }
    }
}

/// The state `backend` holds; on the very first use, every round served now, recorded whole
/// before anything else, as an instance's first start records it.
async fn first_or_stored(
    backend: Arc<dyn StateStore>,
    reloader: &Reloader,
) -> Result<Store, StateError> {
    let state = match backend.load().await? {
        Some(state) => state,
        None => {
            let baseline = State::baseline(&reloader.current());
            backend.save(&State::empty(), &baseline).await?;
            baseline
        }
    };
    Ok(Store { state, backend })
}

/// Announces `round` in `channels` from `shared`, whose store this process holds.
async fn announce_from(
    shared: Shared,
    channels: &[u64],
    round: &RoundId,
) -> Result<Vec<Delivery>, ByHandError> {
    let delivered = |state: &State, channel: u64| {
        state
            .delivered
            .iter()
            .find(|d| d.channel == channel && d.track == round.track && d.round == round.number)
            .map(|d| d.message)
    };
    // Known, and queued for each channel that does not have it yet: written before any post.
    let queued = shared
        .update(|state| {
            state
                .known
                .entry(round.track.clone())
                .or_default()
                .insert(round.number);
            let mut queued = Vec::new();
            for &channel in channels {
                if delivered(state, channel).is_some() {
                    continue;
                }
                let wanted = Pending::new(&round.track, round.number, channel);
                let pending = match state.pending_now(&wanted) {
                    Some(waiting) => waiting.clone(),
                    None => {
                        state.pending.push(wanted.clone());
                        wanted
                    }
                };
                queued.push(pending);
            }
            queued
        })
        .await?;
    let mut outcomes = Vec::new();
    for &channel in channels {
        let Some(pending) = queued.iter().find(|p| p.channel == channel) else {
            let message = shared.state(|s| delivered(s, channel)).unwrap_or_default();
            outcomes.push(Delivery::AlreadyAnnounced { channel, message });
            continue;
        };
        let outcome = match deliver_waiting_out_rate_limits(&shared, pending).await {
            Ok(()) => match shared.state(|s| delivered(s, channel)) {
                Some(message) => Delivery::Announced { channel, message },
                None => Delivery::Failed {
                    channel,
                    error: "the round was removed from the briefs meanwhile".to_string(),
                },
            },
            Err(error) if error.is_invalid() => {
                shared.update(|state| state.drop_pending(pending)).await?;
                Delivery::Refused {
                    channel,
                    error: error.to_string(),
                }
            }
            Err(error) => Delivery::Failed {
                channel,
                error: error.to_string(),
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// `Shared::deliver`, with Discord's 429s waited out as the bot waits them out (an
/// announcement channel's crossposts are limited per hour) instead of reported as failures.
async fn deliver_waiting_out_rate_limits(
    shared: &Shared,
    pending: &Pending,
) -> Result<(), DeliveryError> {
    loop {
        // A crosspost resumes from the record of its post, not from the first attempt.
        let now = shared
            .state(|s| s.pending_now(pending).cloned())
            .unwrap_or_else(|| pending.clone());
        match deliver(shared, &now, &shared.reloader.current()).await {
            Err(error) if error.rate_limited().is_some() => {
                let retry_after = error.rate_limited().unwrap_or_default();
                tracing::info!(
                    channel = pending.channel,
                    wait_ms = retry_after.as_millis() as u64,
                    "Discord asks to wait before the next request; waiting"
                );
                tokio::time::sleep(retry_after).await;
            }
            other => return other,
        }
    }
}
