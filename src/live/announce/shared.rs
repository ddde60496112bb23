//! What the announcer's workers share: the state store and its copy in memory, written one
//! change at a time, the REST client, and the stop signal.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, OnceCell, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::error;

use super::policy::{AfterPost, after_post};
use super::settings::{CrosspostLimit, Settings};
use super::state::{Pending, State, StateError};
use super::store::StateStore;
use super::targets::Targets;
use crate::commands::notices;
use crate::config::{AnnounceMode, follow_role};
use crate::library::{Library, RoundId, fingerprint};
use crate::live::reloader::{Reloader, Status};
use crate::live::setup::{Setup, Snapshot};
use crate::reply::Message;
use crate::rest::{Backoff, ChannelInfo, Failure, Rest};

/// The state store and its copy in memory; the copy changes only once the store has.
pub(super) struct Store {
    pub(crate) state: State,
    pub(crate) backend: Arc<dyn StateStore>,
}

/// The rounds one snapshot made new, and what became of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Observed {
    /// Queued for every channel.
    pub(crate) queued: Vec<RoundId>,
    /// Batches of more than `max_new_per_reload` rounds that arrived together: recorded as
    /// known, none queued. The first may be the rounds that were there when this process
    /// started.
    pub(crate) held_back: Vec<Vec<RoundId>>,
}

/// What the workers share.
pub(super) struct Shared {
    /// Every request the announcer sends goes through here, so each answer is read for what
    /// it means and none waits longer than `answer_timeout`.
    pub(crate) rest: Rest,
    pub(crate) reloader: Arc<Reloader>,
    /// Read briefly by anyone; changed only by the holder of `writer`.
    pub(crate) store: Mutex<Store>,
    /// One change of the state at a time, held while the store is written, so no change is
    /// lost to another written at the same moment.
    pub(crate) writer: tokio::sync::Mutex<()>,
    /// How long after an attempt another instance may still be posting it: a pending
    /// announcement attempted more recently than this is looked for only once it has passed
    /// (zero with a state file, which one process owns).
    pub(crate) takeover_grace: Duration,
    /// The generation of the last reload whose new rounds are recorded, and of the last
    /// whose outcome the errors worker has fully acted on: once these reach a reload's
    /// generation, everything about it is decided (tests wait on them).
    pub(crate) rounds_recorded: AtomicU64,
    pub(crate) errors_handled: AtomicU64,
    pub(crate) backoff: Backoff,
    /// More new rounds than this in one snapshot are recorded, not announced.
    pub(crate) max_new_per_reload: usize,
    /// The operator's settings, which the servers' own are added to.
    pub(crate) operator: Settings,
    /// The servers' own settings (`/setup`), when they may set themselves up.
    pub(crate) setup: Option<Arc<Setup>>,
    /// Where new rounds go now, how, and the role each announcement pings.
    pub(crate) targets: Mutex<Targets>,
    /// The worker of each channel, woken when there is something to post.
    pub(crate) workers: Mutex<HashMap<u64, Arc<Notify>>>,
    /// Every worker, waited for when the announcer stops.
    pub(crate) tasks: TaskTracker,
    /// What Discord says of each channel looked up (its server, whether it is an
    /// announcement channel or a forum), asked once per process.
    pub(crate) channels: Mutex<HashMap<u64, ChannelInfo>>,
    /// Per announcement channel, when its recent crossposts went, oldest first.
    pub(crate) crossposts: Mutex<HashMap<u64, VecDeque<Instant>>>,
    pub(crate) crosspost_limit: CrosspostLimit,
    /// The editors' channel, where notes go.
    pub(crate) errors_channel: Option<u64>,
    /// Woken when a note is recorded for the errors channel.
    pub(crate) notes_wake: Notify,
    /// briefbot's own user, to recognise its posts in a channel's history.
    pub(crate) me: OnceCell<u64>,

    /// Announcements whose messages wait for an edit, as the last snapshot's review found
    /// them (recomputed by each review, and at every start).
    pub(crate) edits: Mutex<Vec<Stale>>,
    pub(crate) stop: CancellationToken,
}

impl Shared {
    /// The announcer's shared part, for `settings`, with `state` as last read from `file`.
    pub(crate) fn new(
        rest: Rest,
        reloader: Arc<Reloader>,
        store: Store,
        settings: &Settings,
    ) -> Shared {
        let shared = Shared {
            rest: rest.with_timeout(settings.answer_timeout),
            reloader,
            store: Mutex::new(store),
            writer: tokio::sync::Mutex::new(()),
            takeover_grace: settings.takeover_grace,
            rounds_recorded: AtomicU64::new(u64::MAX),
            errors_handled: AtomicU64::new(u64::MAX),
            backoff: settings.backoff,
            max_new_per_reload: settings.max_new_per_reload,
            operator: settings.clone(),
            setup: settings.setup.clone(),
            targets: Mutex::new(Targets::of(
                settings,
                settings.setup.as_ref().map(|s| s.current()).as_deref(),
            )),
            workers: Mutex::new(HashMap::new()),
            tasks: TaskTracker::new(),
            channels: Mutex::new(HashMap::new()),
            crossposts: Mutex::new(HashMap::new()),
            crosspost_limit: settings.crossposts,
            errors_channel: settings.errors_channel,
            notes_wake: Notify::new(),
            me: OnceCell::new(),
            edits: Mutex::new(Vec::new()),
            stop: CancellationToken::new(),
        };
        shared.count_pending(&shared.store().state);
        shared
    }

    /// The configured mode of `channel`, as the metrics name it.
    fn mode_of(&self, channel: u64) -> &'static str {
        self.mode(channel).name()
    }

    /// How `channel` announces, as configured (or as its server chose).
    pub(crate) fn mode(&self, channel: u64) -> AnnounceMode {
        self.targets().mode_of(channel)
    }

    /// Where new rounds go now.
    pub(crate) fn targets(&self) -> std::sync::MutexGuard<'_, Targets> {
        self.targets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every channel worker's wake.
    pub(crate) fn wakes(&self) -> Vec<Arc<Notify>> {
        self.workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// When Discord says a channel a server chose is gone (deleted, or briefbot removed from
    /// its server), that channel is switched off in the servers' settings, once, and what
    /// waited for it is forgotten: it is not retried. The operator's own channels keep being
    /// retried until fixed. Whether it was switched off.
    pub(crate) async fn switched_off_if_gone(&self, channel: u64, error: &DeliveryError) -> bool {
        let DeliveryError::Discord(failure) = error else {
            return false;
        };
        let Some(setup) = &self.setup else {
            return false;
        };
        if !self.targets().is_servers(channel)
            || !(failure.is_channel_gone() || failure.is_missing_access())
        {
            return false;
        }
        let switched = if failure.is_channel_gone() {
            setup.channel_gone(channel).await
        } else {
            // Missing Access: a lost View Channel waits for a fix, as the operator's own
            // channels do; a server that no longer knows briefbot is gone.
            let servers: Vec<u64> = setup
                .current()
                .settings
                .rows
                .iter()
                .filter(|r| r.live_channel() == Some(channel))
                .map(|r| r.server)
                .collect();
            let mut off = Ok(Vec::new());
            for server in servers {
                match self.rest.server(server).await {
                    Err(failure) if failure.is_server_gone() => {
                        off = setup.server_gone(server).await;
                    }
                    _ => return false,
                }
            }
            off
        };
        if let Err(error) = switched {
            error!(%error, channel, "cannot switch off a server's channel that is gone");
            return false;
        }
        // The worker that saw the failure goes on at once: what waited for the channel is
        // forgotten here, not left for the reload follower to get to after the worker has
        // tried the channel again.
        self.refresh_targets();
        if let Err(error) = self.drop_unwanted().await {
            error!(%error, "cannot forget the announcements of a channel that is gone");
        }
        true
    }

    /// Where new rounds go, worked out again from the servers' settings as they are now.
    pub(crate) fn refresh_targets(&self) -> Targets {
        let snapshot: Option<Arc<Snapshot>> = self.setup.as_ref().map(|s| s.current());
        let targets = Targets::of(&self.operator, snapshot.as_deref());
        *self.targets() = targets.clone();
        targets
    }

    /// An attempt to announce in `channel` ended with `result` (`posted`, `failed`,
    /// `dropped`): counted by the channel's mode.
    pub(crate) fn counted(&self, channel: u64, result: &'static str) {
        let mode = self.mode_of(channel);
        self.reloader.metrics().announcement(mode, result);
    }

    /// The announcements `state` has pending, counted by mode in the metrics.
    fn count_pending(&self, state: &State) {
        let metrics = self.reloader.metrics();
        for mode in [
            AnnounceMode::Message,
            AnnounceMode::Thread,
            AnnounceMode::Forum,
        ] {
            let count = state
                .pending
                .iter()
                .filter(|p| self.mode_of(p.channel) == mode.name())
                .count();
            metrics.pending(mode.name(), count);
        }
    }

    pub(crate) fn state<T>(&self, read: impl FnOnce(&State) -> T) -> T {
        read(&self.store().state)
    }

    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(store) => store,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Changes the state, store first: the copy in memory changes only once the store has
    /// it. A database checks that this instance still announces even when nothing changes,
    /// so an attempt that must precede a post always reaches the store.
    pub(crate) async fn update<T>(
        &self,
        change: impl FnOnce(&mut State) -> T,
    ) -> Result<T, StateError> {
        let _turn = self.writer.lock().await;
        let (current, backend) = {
            let store = self.store();
            (store.state.clone(), store.backend.clone())
        };
        let mut next = current.clone();
        let out = change(&mut next);
        backend.save(&current, &next).await?;
        if next != current {
            self.count_pending(&next);
            self.store().state = next;
        }
        Ok(out)
    }

    /// Records the rounds of `library` and queues the new ones for every channel that takes
    /// their track, batch by batch as they arrived (see `batches`): a batch of more than
    /// `max_new_per_reload` is queued nowhere, ever (its rounds are known now), an operator
    /// announces the ones that matter by hand, and the editors get a note saying so.
    pub(crate) async fn observe(&self, library: &Library) -> Result<Observed, StateError> {
        let arrivals = self.reloader.arrivals();
        let targets = self.targets().clone();
        self.update(|state| {
            let added = state.learn(library);
            let mut observed = Observed::default();
            for batch in batches(&added, &arrivals) {
                if !targets.channels.is_empty() && batch.len() > self.max_new_per_reload {
                    if self.errors_channel.is_some() {
                        let note = notices::held_back(&batch, self.max_new_per_reload);
                        state.note(note_key("held-back", &batch), body_of(&note));
                    }
                    observed.held_back.push(batch);
                    continue;
                }
                for round in &batch {
                    for channel in targets.channels_for(&round.track) {
                        state
                            .pending
                            .push(Pending::new(&round.track, round.number, channel));
                    }
                }
                observed.queued.extend(batch);
            }
            observed
        })
        .await
    }

    /// Forgets the pending announcements no channel wants any more (a server stopped
    /// announcing a track, or its channel was switched off); how many.
    pub(crate) async fn drop_unwanted(&self) -> Result<usize, StateError> {
        let targets = self.targets().clone();
        let unwanted = self.state(|s| {
            s.pending
                .iter()
                .filter(|p| !targets.wants(p.channel, &p.track))
                .count()
        });
        if unwanted == 0 {
            return Ok(0);
        }
        self.update(|state| {
            state.pending.retain(|p| targets.wants(p.channel, &p.track));
        })
        .await?;
        Ok(unwanted)
    }

    /// Waits for the next reload's outcome; false if the announcer was stopped (or the
    /// reloader is gone).
    pub(crate) async fn next_status(&self, status: &mut watch::Receiver<Status>) -> bool {
        tokio::select! {
            changed = status.changed() => changed.is_ok(),
            _ = self.stopped() => false,
        }
    }

    /// Waits for the next reload's outcome or a change of the servers' settings; false if
    /// the announcer was stopped (or the reloader is gone).
    pub(crate) async fn next_change(
        &self,
        status: &mut watch::Receiver<Status>,
        servers: &mut Option<watch::Receiver<Arc<Snapshot>>>,
    ) -> bool {
        let Some(servers) = servers else {
            return self.next_status(status).await;
        };
        tokio::select! {
            changed = status.changed() => changed.is_ok(),
            changed = servers.changed() => changed.is_ok(),
            _ = self.stopped() => false,
        }
    }

    /// Resolves when the announcer is told to stop.
    pub(crate) async fn stopped(&self) {
        self.stop.cancelled().await
    }

    /// Waits `wait`, or until `early` is notified (a reload: permissions may have been fixed
    /// meanwhile); false if the announcer was stopped.
    pub(crate) async fn pause(&self, wait: Duration, early: Option<&Notify>) -> bool {
        crate::rest::pause(wait, &self.stop, early).await
    }

    /// The role to ping when a round of `track` is announced in `channel`: the follow role of
    /// the channel's server for that track, if there is one. Without follow roles, Discord is
    /// not asked which server the channel is in.
    pub(crate) async fn follow_role_for(
        &self,
        channel: u64,
        track: &str,
    ) -> Result<Option<u64>, Failure> {
        let roles = self.targets().follow_roles.clone();
        if !roles.iter().any(|f| f.track == track) {
            return Ok(None);
        }
        let guild = self.channel_info(channel).await?.guild;
        Ok(guild.and_then(|guild| follow_role(&roles, guild, track)))
    }

    /// What Discord says of `channel`: asked once per process, then remembered.
    pub(crate) async fn channel_info(&self, channel: u64) -> Result<ChannelInfo, Failure> {
        let known = self
            .channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&channel)
            .cloned();
        if let Some(info) = known {
            return Ok(info);
        }
        let info = self.rest.channel(channel).await?;
        self.channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(channel, info.clone());
        Ok(info)
    }

    /// briefbot's own user id, asked once.
    pub(crate) async fn me(&self) -> Result<u64, Failure> {
        self.me
            .get_or_try_init(|| self.rest.own_user())
            .await
            .copied()
    }
}

/// An announcement whose message no longer shows what the served library would announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stale {
    pub(crate) round: RoundId,
    pub(crate) channel: u64,
}

/// Why one delivery attempt failed; the worker decides from its kind what comes next.
#[derive(Debug, thiserror::Error)]
pub(super) enum DeliveryError {
    #[error("{0}")]
    Discord(Failure),
    #[error("{0}")]
    State(#[from] super::state::StateError),
}

impl From<Failure> for DeliveryError {
    fn from(failure: Failure) -> DeliveryError {
        DeliveryError::Discord(failure)
    }
}

impl DeliveryError {
    /// What Discord's answer calls for, by the post's verdict (`policy`); none for a state
    /// that could not be written (retried with the backoff).
    pub(crate) fn verdict(&self) -> Option<AfterPost> {
        match self {
            DeliveryError::Discord(failure) => Some(after_post(failure)),
            DeliveryError::State(_) => None,
        }
    }

    /// Discord's 429: waited out, not counted as a failure.
    pub(crate) fn rate_limited(&self) -> Option<Duration> {
        match self.verdict() {
            Some(AfterPost::WaitThenRetry(wait)) => Some(wait),
            _ => None,
        }
    }

    /// Discord refused the request as malformed: asking again cannot help.
    pub(crate) fn is_invalid(&self) -> bool {
        self.verdict() == Some(AfterPost::Drop)
    }
}

/// `added` (sorted) in the batches they arrived in: first the rounds that were already there
/// when this process started, then each later snapshot's, as `arrivals` lists them. An
/// instance that announces all along sees one batch per reload; one that becomes the
/// announcer after standing by (an outage of the state database, a takeover) sees each
/// reload it served meanwhile as its own batch, so four rounds saved one at a time are four
/// batches of one, not one of four.
pub(super) fn batches(added: &[RoundId], arrivals: &[Vec<RoundId>]) -> Vec<Vec<RoundId>> {
    let mut left: BTreeSet<&RoundId> = added.iter().collect();
    let mut later = Vec::new();
    for arrival in arrivals {
        let batch: Vec<RoundId> = arrival
            .iter()
            .filter(|round| left.remove(round))
            .cloned()
            .collect();
        if !batch.is_empty() {
            later.push(batch);
        }
    }
    let at_start: Vec<RoundId> = added
        .iter()
        .filter(|round| left.contains(round))
        .cloned()
        .collect();
    let mut all = Vec::new();
    if !at_start.is_empty() {
        all.push(at_start);
    }
    all.extend(later);
    all
}

/// A round as logs name it: `syria-israel/6`.
pub(super) fn named(track: &str, number: u32) -> String {
    format!("{track}/{number}")
}

/// Rounds as logs name them: `syria-israel/6, syria-israel/7`.
pub(super) fn listed(rounds: &[RoundId]) -> String {
    rounds
        .iter()
        .map(|round| named(&round.track, round.number))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key of a note about `rounds`: what it is about, and a fingerprint of which rounds
/// (a batch can hold thousands).
pub(super) fn note_key(what: &str, rounds: &[RoundId]) -> String {
    format!("{what}:{}", fingerprint(&listed(rounds)))
}

/// A note's message as the JSON Discord takes, fitted to its limits; pings no one.
pub(super) fn body_of(note: &Message) -> String {
    serde_json::to_string(&note.fit().to_create_message()).unwrap_or_default()
}

/// Whether a message as Discord has it (`content`, `embeds`) shows the text `sent` (an edit,
/// or a note) sets: its content, and each embed's title and description (Discord adds fields of its own
/// to what it stores, so the rest is not compared).
pub(super) fn shows_text(sent: &Value, content: &str, embeds: &[Value]) -> bool {
    let same_content = sent
        .get("content")
        .and_then(Value::as_str)
        .is_none_or(|sent| sent == content);
    let same_embeds = sent
        .get("embeds")
        .and_then(Value::as_array)
        .is_none_or(|sent| {
            sent.len() == embeds.len()
                && sent.iter().zip(embeds).all(|(sent, now)| {
                    sent.get("title") == now.get("title")
                        && sent.get("description") == now.get("description")
                })
        });
    same_content && same_embeds
}

/// Whether a generation counter (`u64::MAX` until the first) is at `generation` or later.
pub(super) fn reached(counter: &AtomicU64, generation: u64) -> bool {
    let done = counter.load(Ordering::SeqCst);
    done != u64::MAX && done >= generation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(number: u32) -> RoundId {
        RoundId {
            track: "t".to_string(),
            number,
        }
    }

    #[test]
    fn new_rounds_come_in_the_batches_they_arrived_in() {
        let added: Vec<RoundId> = [2, 6, 7, 8, 9].map(round).to_vec();
        // Round 2 was there at the start; 6 and 7 came in one reload, 8 and 9 one each; 5
        // came earlier and is known already; 7 came again after a removal.
        let arrivals = vec![
            vec![round(5)],
            vec![round(6), round(7)],
            vec![round(8)],
            vec![round(9), round(7)],
        ];
        assert_eq!(
            batches(&added, &arrivals),
            [
                vec![round(2)],
                vec![round(6), round(7)],
                vec![round(8)],
                vec![round(9)]
            ]
        );
        assert!(batches(&[], &arrivals).is_empty());
        assert_eq!(batches(&added, &[]), vec![added]);
    }
}
