//! The tracks the settings name that the briefs do not have: a `[[follow]]` entry whose track
//! has no round served pings no one. It may be configured before its first brief, so it is
//! not refused; it is warned about, naming the line, when briefbot starts and again after
//! every reload while it lasts, so the warning is seen where the logs are read, and ends
//! when a round of the track is served.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::Reloader;
use crate::config::{Config, Place};
use crate::library::{Library, suggest};

/// Warns of the `[[follow]]` tracks of `config` that `reloader`'s library does not have, as
/// [`warn_of_missing`] does, until `stop`: the task `Live` runs.
pub(crate) fn watch(
    config: &Config,
    reloader: &Arc<Reloader>,
    stop: &CancellationToken,
) -> impl Future<Output = ()> + Send + 'static {
    warn_of_missing(config.follow_tracks(), reloader.clone(), stop.clone())
}

/// Warns of each track of `follow` (a track and where it was configured) that `reloader`'s
/// library does not have: now, and after each reload, until `stop`.
pub async fn warn_of_missing(
    follow: Vec<(String, Place)>,
    reloader: Arc<Reloader>,
    stop: CancellationToken,
) {
    if follow.is_empty() {
        return;
    }
    // Subscribed first, so that no reload falls between the first look and the next.
    let mut reloads = reloader.subscribe();
    warn_for(&follow, &reloader.current());
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            changed = reloads.changed() => {
                if changed.is_err() {
                    return;
                }
                let serving = reloads.borrow_and_update().serving.clone();
                warn_for(&follow, &serving);
            }
        }
    }
}

/// One warning for each entry of `follow` whose track `library` does not have.
fn warn_for(follow: &[(String, Place)], library: &Library) {
    for (track, place) in follow {
        if let Some(message) = missing(track, place, library) {
            warn!(%place, track, "{message}");
        }
    }
}

/// What is said of `track`, configured at `place`, when `library` has no round of it.
pub(crate) fn missing(track: &str, place: &Place, library: &Library) -> Option<String> {
    if library.track(track).is_some() {
        return None;
    }
    let ids: Vec<&str> = library.tracks().iter().map(|t| t.id.as_str()).collect();
    let hint = match suggest::closest(track, ids.iter().copied()) {
        Some(near) => format!("; did you mean \"{near}\"?"),
        None if ids.is_empty() => "; the briefs folder has no rounds yet".to_string(),
        None => format!("; the tracks are {}", ids.join(", ")),
    };
    let at = match place {
        Place::Default => String::new(),
        place => format!("{place}: "),
    };
    Some(format!(
        "{at}the [[follow]] track \"{track}\" has no rounds in the briefs, so its role is pinged by no announcement until one is served{hint}"
    ))
}
