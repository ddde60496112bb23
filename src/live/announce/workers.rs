//! The announcer's workers: one follows the reloads and records what each made new or
//! changed, and one per channel posts its pending announcements in order, then makes the
//! edits waiting there, retrying what failed while the other channels go on.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::{Notify, watch};
use tracing::{error, info, warn};

use super::delivery::deliver;
use super::edits::{Reviewed, edit, next_edit, review};
use super::policy::AfterPost;
use super::shared::{Shared, listed, named};
use crate::library::RoundId;
use crate::live::reloader::Status;

/// Records each snapshot's rounds and wakes the channel workers when there are new ones.
/// Rounds held back (too many new at once) are logged, and noted for the errors channel in
/// the same write that records them. A change of the servers' own settings is followed too:
/// a new channel gets its worker, and what a channel no longer wants is forgotten.
pub(super) async fn follow_reloads(shared: Arc<Shared>, mut status: watch::Receiver<Status>) {
    let mut servers = shared.setup.as_ref().map(|s| s.subscribe());
    loop {
        let (serving, generation) = {
            let current = status.borrow_and_update();
            (current.serving.clone(), current.generation)
        };
        if let Some(servers) = servers.as_mut() {
            servers.borrow_and_update();
        }
        let retry_in_ms = |wait: std::time::Duration| wait.as_millis() as u64;
        let targets = shared.refresh_targets();
        start_workers(&shared);
        let dropped = shared
            .backoff
            .until_ok(
                &shared.stop,
                || shared.drop_unwanted(),
                |error, _, wait| error!(%error, retry_in_ms = retry_in_ms(wait), "cannot record what no channel wants any more"),
            )
            .await;
        match dropped {
            None => return,
            Some(0) => {}
            Some(dropped) => info!(
                dropped,
                "pending announcements for channels that no longer take them are dropped"
            ),
        }
        let observed = shared
            .backoff
            .until_ok(
                &shared.stop,
                || shared.observe(&serving),
                |error, _, wait| error!(%error, retry_in_ms = retry_in_ms(wait), "cannot record the new rounds"),
            )
            .await;
        let Some(observed) = observed else {
            return;
        };
        if !observed.queued.is_empty() {
            info!(
                rounds = %listed(&observed.queued),
                channels = targets.channels.len(),
                "new rounds to announce"
            );
        }
        for batch in &observed.held_back {
            held_back_loudly(&shared, batch);
        }
        let reviewed = shared
            .backoff
            .until_ok(
                &shared.stop,
                || review(&shared, &serving),
                |error, _, wait| error!(%error, retry_in_ms = retry_in_ms(wait), "cannot record what the announcements show"),
            )
            .await;
        match reviewed {
            None => return,
            Some(Reviewed::Queued(rounds)) => {
                if !rounds.is_empty() {
                    info!(rounds = %listed(&rounds), "announced rounds changed; their announcements are edited");
                }
            }
            Some(Reviewed::HeldBack(rounds)) => {
                let limit = shared.max_new_per_reload;
                warn!(
                    rounds = rounds.len(),
                    limit,
                    left = %listed(&rounds),
                    "{} announced rounds changed at once, more than [announce] max_new_per_reload = {limit}: their announcements are left as they are",
                    rounds.len()
                );
            }
        }
        shared.rounds_recorded.store(generation, Ordering::SeqCst);
        // Woken after every snapshot: a round whose brief came back may be postable again.
        for wake in shared.wakes() {
            wake.notify_one();
        }
        shared.notes_wake.notify_one();
        if !shared.next_change(&mut status, &mut servers).await {
            return;
        }
    }
}

/// A worker for each channel that gets new rounds and has none yet.
pub(super) fn start_workers(shared: &Arc<Shared>) {
    let channels = shared.targets().channel_ids();
    let mut workers = shared.workers.lock().unwrap_or_else(|p| p.into_inner());
    for channel in channels {
        if workers.contains_key(&channel) {
            continue;
        }
        let wake = Arc::new(Notify::new());
        workers.insert(channel, wake.clone());
        shared
            .tasks
            .spawn(channel_worker(shared.clone(), channel, wake));
    }
}

/// Says, at warning level, that `batch` came at once, more than the flood limit allows, so
/// none of it is announced; with the command that announces each by hand.
fn held_back_loudly(shared: &Shared, batch: &[RoundId]) {
    let limit = shared.max_new_per_reload;
    warn!(
        rounds = batch.len(),
        limit,
        held_back = %listed(batch),
        "{} new rounds at once, more than [announce] max_new_per_reload = {limit}: recorded, none announced",
        batch.len()
    );
    for round in batch {
        info!(
            round = %named(&round.track, round.number),
            "to announce it by hand: briefbot announce --track {} --round {}",
            round.track,
            round.number
        );
    }
}

/// Posts one channel's pending announcements in order, then makes the edits waiting there;
/// on a failure waits (longer each time) and tries again, while the other channels' workers
/// go on. New posts and edits keep separate failure counts: a stuck edit never delays a new
/// round.
pub(super) async fn channel_worker(shared: Arc<Shared>, channel: u64, wake: Arc<Notify>) {
    let mut posts = shared.backoff.counter();
    let mut edits = shared.backoff.counter();
    loop {
        if shared.stop.is_cancelled() {
            return;
        }
        let library = shared.reloader.current();
        let Some(pending) = shared.state(|s| s.next_pending(channel, &library)) else {
            // New rounds first; then the announcements that wait for an edit.
            if let Some(stale) = next_edit(&shared, channel) {
                match edit(&shared, &stale).await {
                    Ok(()) => edits.succeeded(),
                    Err(error) => {
                        if let Some(wait) = error.rate_limited() {
                            if !shared.pause(wait, None).await {
                                return;
                            }
                            continue;
                        }
                        shared.reloader.metrics().edit("failed");
                        let wait = edits.failed();
                        warn!(
                            channel,
                            round = %named(&stale.round.track, stale.round.number),
                            %error,
                            attempt = edits.failures(),
                            retry_in_ms = wait.as_millis() as u64,
                            "could not edit the announcement; will retry"
                        );
                        if !shared.pause(wait, Some(&wake)).await {
                            return;
                        }
                    }
                }
                continue;
            }
            tokio::select! {
                _ = wake.notified() => continue,
                _ = shared.stopped() => return,
            }
        };
        let error = match deliver(&shared, &pending, &library).await {
            Ok(()) => {
                posts.succeeded();
                continue;
            }
            Err(error) => error,
        };
        match error.verdict() {
            Some(AfterPost::WaitThenRetry(wait)) => {
                info!(
                    channel,
                    round = %named(&pending.track, pending.round),
                    wait_ms = wait.as_millis() as u64,
                    "Discord asks to wait before the next request; waiting"
                );
                if !shared.pause(wait, None).await {
                    return;
                }
            }
            Some(AfterPost::Drop) => {
                // The message itself is wrong (a bug: replies are fitted to Discord's limits):
                // sending it again cannot help, and it must not hold up the rounds after it.
                error!(
                    channel,
                    round = %named(&pending.track, pending.round),
                    %error,
                    "the announcement is dropped, not retried"
                );
                shared.counted(channel, "dropped");
                if let Err(error) = shared.update(|state| state.drop_pending(&pending)).await {
                    error!(%error, "cannot record the dropped announcement");
                }
            }
            _ if shared.switched_off_if_gone(channel, &error).await => {}
            _ => {
                shared.counted(channel, "failed");
                let wait = posts.failed();
                warn!(
                    channel,
                    round = %named(&pending.track, pending.round),
                    %error,
                    attempt = posts.failures(),
                    retry_in_ms = wait.as_millis() as u64,
                    "could not announce the round; will retry"
                );
                if !shared.pause(wait, Some(&wake)).await {
                    return;
                }
            }
        }
    }
}
