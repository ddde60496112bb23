//! Announcements: a new round's card posted once in each configured channel, and a failed
//! reload's mistakes posted to the editors' channel once per distinct failure.
//!
//! The delivery guarantee, step by step (the README states it for operators):
//! 1. A round is new when its track and number are not in the state file. On the very first
//!    start (no state file) every round already there is recorded, and nothing is posted.
//! 2. When a snapshot with new rounds is served, one pending announcement per channel is
//!    written to the state file before anything is posted.
//! 3. Before a post, the time of the first attempt is written. The announcement is recorded as
//!    delivered, with its message id, only after Discord confirms the post.
//! 4. A pending announcement that was attempted before (the process died, or the confirmation
//!    was lost) is first looked for among the channel's messages since that attempt; if
//!    briefbot's post is there it is recorded, not posted again.
//!
//! Each channel has its own worker, so a channel that fails (deleted, no permission,
//! rate-limited) is retried with backoff while the others go on.

pub mod state;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serenity::all::{ChannelId, Http, HttpError, MessageId, MessagePagination, Nonce, UserId};
use tokio::sync::{Notify, OnceCell, watch};
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

use crate::commands::notices;
use crate::config::Config;
use crate::library::Library;
use crate::reload::{Reloader, Status};
use state::{Pending, State, StateError, StateFile};

/// How long to wait before retrying a channel that failed: doubling from `first` up to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_secs(5),
            max: Duration::from_secs(10 * 60),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failure in a row (1 for the first).
    pub fn after(&self, failures: u32) -> Duration {
        let doubled = self
            .first
            .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(30)));
        doubled.min(self.max)
    }
}

/// Where to post, and where to remember what was posted.
#[derive(Debug, Clone)]
pub struct Settings {
    pub channels: Vec<u64>,
    pub errors_channel: Option<u64>,
    pub state_dir: PathBuf,
    pub backoff: Backoff,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            channels: config.announce.channels.clone(),
            errors_channel: config.announce.errors_channel,
            state_dir: config.state_dir.clone(),
            backoff: Backoff::default(),
        }
    }
}

/// Why one delivery attempt failed; the worker logs it and retries later.
#[derive(Debug, thiserror::Error)]
enum DeliveryError {
    #[error("Discord: {0}")]
    Discord(#[from] serenity::Error),
    #[error("{0}")]
    State(#[from] StateError),
}

/// The state file and its copy in memory; the copy changes only once the file has.
struct Store {
    state: State,
    file: StateFile,
}

/// What the workers share.
struct Shared {
    http: Arc<Http>,
    reloader: Arc<Reloader>,
    /// Read briefly by anyone; changed only by the holder of `writer`.
    store: Mutex<Store>,
    /// One change of the state at a time, held while the file is written (off the async
    /// threads), so no change is lost to another written at the same moment.
    writer: tokio::sync::Mutex<()>,
    /// The generation of the last reload whose new rounds are recorded, and of the last
    /// whose outcome the errors worker has fully acted on: once these reach a reload's
    /// generation, everything about it is decided (tests wait on them).
    rounds_recorded: AtomicU64,
    errors_handled: AtomicU64,
    backoff: Backoff,
    /// briefbot's own user, to recognise its posts in a channel's history.
    me: OnceCell<UserId>,
    stop: watch::Sender<bool>,
}

/// The running announcer: one worker per channel, one for the errors channel, and one that
/// follows the reloads.
pub struct Announcer {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
    /// Held while the announcer runs: a second briefbot on the same state folder would
    /// announce everything again.
    _lock: std::fs::File,
}

impl Announcer {
    /// Reads (or on the very first start, writes) the state file, then starts posting what is
    /// pending and what later reloads add. Errors are about the state file: the announcer
    /// cannot keep its promise without it, so briefbot does not start.
    pub fn start(
        http: Arc<Http>,
        reloader: Arc<Reloader>,
        settings: Settings,
    ) -> Result<Announcer, StateError> {
        let file = StateFile::in_dir(&settings.state_dir)?;
        let lock = file.lock()?;
        let mut settings = settings;
        settings.channels.sort_unstable();
        settings.channels.dedup();
        // Subscribed before the first look, so no reload between the two is missed.
        let status = reloader.subscribe();
        let state = match file.load()? {
            Some(mut state) => {
                let before = state.pending.len();
                state
                    .pending
                    .retain(|p| settings.channels.contains(&p.channel));
                if state.pending.len() != before {
                    warn!(
                        dropped = before - state.pending.len(),
                        "pending announcements for channels no longer in [announce] channels are dropped"
                    );
                    file.save(&state)?;
                }
                state
            }
            None => {
                let library = reloader.current();
                let state = State::baseline(&library);
                file.save(&state)?;
                info!(
                    rounds = library.rounds().count(),
                    file = %file.path().display(),
                    "first start: the rounds already there are recorded, not announced"
                );
                state
            }
        };
        let (stop, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            http,
            reloader,
            store: Mutex::new(Store { state, file }),
            writer: tokio::sync::Mutex::new(()),
            rounds_recorded: AtomicU64::new(u64::MAX),
            errors_handled: AtomicU64::new(u64::MAX),
            backoff: settings.backoff,
            me: OnceCell::new(),
            stop,
        });
        let mut wakes = HashMap::new();
        let mut tasks = Vec::new();
        for channel in &settings.channels {
            let wake = Arc::new(Notify::new());
            wakes.insert(*channel, wake.clone());
            tasks.push(tokio::spawn(channel_worker(shared.clone(), *channel, wake)));
        }
        tasks.push(tokio::spawn(follow_reloads(
            shared.clone(),
            settings.channels.clone(),
            wakes,
            status.clone(),
        )));
        if let Some(channel) = settings.errors_channel {
            tasks.push(tokio::spawn(errors_worker(shared.clone(), channel, status)));
        }
        Ok(Announcer {
            shared,
            tasks,
            _lock: lock,
        })
    }

    /// Whether the new rounds of reload `generation` (see `Reloader::generation`), or of a
    /// later one, are recorded and queued.
    pub fn has_recorded(&self, generation: u64) -> bool {
        reached(&self.shared.rounds_recorded, generation)
    }

    /// Whether the errors channel's worker has fully acted on reload `generation`, or a later
    /// one: posted what it had to, and waits.
    pub fn has_reported(&self, generation: u64) -> bool {
        reached(&self.shared.errors_handled, generation)
    }

    /// Announcements not yet confirmed by Discord.
    pub fn pending(&self) -> usize {
        self.shared.state(|s| s.pending.len())
    }

    /// A copy of the state as last written.
    pub fn state(&self) -> State {
        self.shared.state(State::clone)
    }

    /// Stops the workers, giving a post in flight up to three seconds to be confirmed.
    pub async fn stop(self) {
        self.shared.stop.send_replace(true);
        let all = futures_join(self.tasks);
        if tokio::time::timeout(Duration::from_secs(3), all)
            .await
            .is_err()
        {
            warn!(
                "an announcement was still in flight at shutdown; it is checked on the next start"
            );
        }
    }
}

/// Whether a generation counter (`u64::MAX` until the first) is at `generation` or later.
fn reached(counter: &AtomicU64, generation: u64) -> bool {
    let done = counter.load(Ordering::SeqCst);
    done != u64::MAX && done >= generation
}

async fn futures_join(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

impl Shared {
    fn state<T>(&self, read: impl FnOnce(&State) -> T) -> T {
        read(&self.store().state)
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(store) => store,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Changes the state, file first: the copy in memory changes only once the file is
    /// written, and the write (two fsyncs) runs on a blocking thread.
    async fn update<T>(&self, change: impl FnOnce(&mut State) -> T) -> Result<T, StateError> {
        let _turn = self.writer.lock().await;
        let (current, file) = {
            let store = self.store();
            (store.state.clone(), store.file.clone())
        };
        let mut next = current.clone();
        let out = change(&mut next);
        if next != current {
            let written = next.clone();
            let path = file.path().to_path_buf();
            tokio::task::spawn_blocking(move || file.save(&written))
                .await
                .map_err(|_| StateError::Write {
                    path,
                    source: std::io::Error::other("the thread writing the state file failed"),
                })??;
            self.store().state = next;
        }
        Ok(out)
    }

    /// Records the rounds of `library` and queues the new ones for every channel.
    async fn observe(
        &self,
        library: &Library,
        channels: &[u64],
    ) -> Result<Vec<(String, u32)>, StateError> {
        self.update(|state| {
            let added = state.learn(library);
            for (track, round) in &added {
                for channel in channels {
                    state.pending.push(Pending {
                        track: track.clone(),
                        round: *round,
                        channel: *channel,
                        first_attempt_ms: None,
                    });
                }
            }
            added
        })
        .await
    }

    /// Waits for the next reload's outcome; false if the announcer was stopped (or the
    /// reloader is gone).
    async fn next_status(&self, status: &mut watch::Receiver<Status>) -> bool {
        tokio::select! {
            changed = status.changed() => changed.is_ok(),
            _ = self.stopped() => false,
        }
    }

    /// Resolves when the announcer is told to stop.
    async fn stopped(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|stop| *stop).await;
    }

    /// Waits `wait`, or until `early` is notified (a reload: permissions may have been fixed
    /// meanwhile); false if the announcer was stopped.
    async fn pause(&self, wait: Duration, early: Option<&Notify>) -> bool {
        let woken = async {
            match early {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            _ = woken => true,
            _ = self.stopped() => false,
        }
    }

    async fn me(&self) -> Result<UserId, serenity::Error> {
        self.me
            .get_or_try_init(|| async { self.http.get_current_user().await.map(|u| u.id) })
            .await
            .copied()
    }

    /// One attempt to deliver `pending`: found in the channel, or posted and recorded.
    async fn deliver(&self, pending: &Pending) -> Result<(), DeliveryError> {
        let channel = ChannelId::new(pending.channel);
        if let Some(since) = pending.first_attempt_ms
            && let Some(message) = self.find_own_post(channel, pending, since).await?
        {
            info!(
                channel = pending.channel,
                track = %pending.track,
                round = pending.round,
                message = message.get(),
                "the announcement was posted before a restart; recorded, not posted again"
            );
            self.update(|state| state.deliver(pending, message.get()))
                .await?;
            return Ok(());
        }
        let library = self.reloader.current();
        let Some(message) = library
            .track(&pending.track)
            .and_then(|track| notices::announcement(&library, track, pending.round))
        else {
            // Removed since it was queued; `next_pending` skips it until it is back.
            return Ok(());
        };
        self.update(|state| state.attempt(pending, unix_ms()))
            .await?;
        // Discord also drops a repeat of the same nonce within a few minutes: a second guard,
        // beside the history check, for a post whose answer was lost.
        let nonce = crate::reload::fingerprint(&format!(
            "{}/{}/{}",
            pending.track, pending.round, pending.channel
        ));
        let posted = channel
            .send_message(
                &self.http,
                message
                    .to_create_message()
                    .nonce(Nonce::String(nonce))
                    .enforce_nonce(true),
            )
            .await?;
        self.update(|state| state.deliver(pending, posted.id.get()))
            .await?;
        info!(
            channel = pending.channel,
            track = %pending.track,
            round = pending.round,
            message = posted.id.get(),
            "new round announced"
        );
        Ok(())
    }

    /// briefbot's announcement of `pending` among the channel's messages since a little
    /// before `since_ms`, if it is there.
    async fn find_own_post(
        &self,
        channel: ChannelId,
        pending: &Pending,
        since_ms: u64,
    ) -> Result<Option<MessageId>, serenity::Error> {
        const PAGE: u8 = 100;
        const PAGES: usize = 20;
        // This machine's clock and Discord's may differ: look from well before the attempt.
        const SLACK_MS: u64 = 15 * 60 * 1000;
        let me = self.me().await?;
        let marker = notices::announcement_marker(&pending.track, pending.round);
        let mut after = MessageId::new(snowflake_at(since_ms.saturating_sub(SLACK_MS)));
        for _ in 0..PAGES {
            let page = self
                .http
                .get_messages(channel, Some(MessagePagination::After(after)), Some(PAGE))
                .await?;
            if let Some(found) = page
                .iter()
                .find(|m| m.author.id == me && m.content.starts_with(&marker))
            {
                return Ok(Some(found.id));
            }
            match page.iter().map(|m| m.id).max() {
                Some(last) if page.len() == usize::from(PAGE) => after = last,
                _ => return Ok(None),
            }
        }
        warn!(
            channel = channel.get(),
            "more than 2000 messages since the last attempt; posting without finding the earlier one"
        );
        Ok(None)
    }
}

/// Whether Discord refused a request as malformed (HTTP 400): the same request would be
/// refused again. Permissions (403), a missing channel (404), rate limits (429) and outages
/// (5xx, network) may pass later.
fn is_refused_as_invalid(error: &serenity::Error) -> bool {
    matches!(
        error,
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response))
            if response.status_code.as_u16() == 400
    )
}

/// The first snowflake Discord could have given a message at `ms` (Unix milliseconds).
fn snowflake_at(ms: u64) -> u64 {
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    (ms.saturating_sub(DISCORD_EPOCH_MS) << 22).max(1)
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Records each snapshot's rounds and wakes the channel workers when there are new ones.
async fn follow_reloads(
    shared: Arc<Shared>,
    channels: Vec<u64>,
    wakes: HashMap<u64, Arc<Notify>>,
    mut status: watch::Receiver<Status>,
) {
    loop {
        let (serving, generation) = {
            let current = status.borrow_and_update();
            (current.serving.clone(), current.generation)
        };
        let mut failures = 0;
        loop {
            match shared.observe(&serving, &channels).await {
                Ok(added) => {
                    if !added.is_empty() {
                        info!(rounds = ?added, channels = channels.len(), "new rounds to announce");
                    }
                    break;
                }
                Err(error) => {
                    failures += 1;
                    let wait = shared.backoff.after(failures);
                    error!(%error, retry_in_ms = wait.as_millis() as u64, "cannot record the new rounds");
                    if !shared.pause(wait, None).await {
                        return;
                    }
                }
            }
        }
        shared.rounds_recorded.store(generation, Ordering::SeqCst);
        // Woken after every snapshot: a round whose brief came back may be postable again.
        for wake in wakes.values() {
            wake.notify_one();
        }
        if !shared.next_status(&mut status).await {
            return;
        }
    }
}

/// Posts one channel's pending announcements in order; on a failure waits (longer each time)
/// and tries again, while the other channels' workers go on.
async fn channel_worker(shared: Arc<Shared>, channel: u64, wake: Arc<Notify>) {
    let mut failures = 0;
    loop {
        if *shared.stop.borrow() {
            return;
        }
        let library = shared.reloader.current();
        let Some(pending) = shared.state(|s| s.next_pending(channel, &library)) else {
            tokio::select! {
                _ = wake.notified() => continue,
                _ = shared.stopped() => return,
            }
        };
        match shared.deliver(&pending).await {
            Ok(()) => failures = 0,
            Err(DeliveryError::Discord(error)) if is_refused_as_invalid(&error) => {
                // The message itself is wrong (a bug: replies are fitted to Discord's limits):
                // sending it again cannot help, and it must not hold up the rounds after it.
                error!(
                    channel,
                    track = %pending.track,
                    round = pending.round,
                    %error,
                    "Discord refused the announcement as invalid; it is dropped, not retried"
                );
                if let Err(error) = shared.update(|state| state.drop_pending(&pending)).await {
                    error!(%error, "cannot record the dropped announcement");
                }
            }
            Err(error) => {
                failures += 1;
                let wait = shared.backoff.after(failures);
                warn!(
                    channel,
                    track = %pending.track,
                    round = pending.round,
                    %error,
                    attempt = failures,
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

/// Posts each distinct failed reload to the errors channel, and "fixed" once the briefs load
/// again.
async fn errors_worker(shared: Arc<Shared>, channel: u64, mut status: watch::Receiver<Status>) {
    let mut failures = 0;
    loop {
        let current = status.borrow_and_update().clone();
        let reported = shared.state(|s| s.reported_failure.clone());
        let post = match (&current.failure, &reported) {
            (Some(failure), reported) if reported.as_deref() != Some(&failure.fingerprint) => {
                Some((
                    notices::failure_report(failure, &current.serving),
                    Some(failure.fingerprint.clone()),
                ))
            }
            (None, Some(_)) => Some((notices::recovered(&current.serving), None)),
            _ => None,
        };
        let Some((message, now_reported)) = post else {
            shared
                .errors_handled
                .store(current.generation, Ordering::SeqCst);
            if !shared.next_status(&mut status).await {
                return;
            }
            continue;
        };
        match ChannelId::new(channel)
            .send_message(&shared.http, message.to_create_message())
            .await
        {
            Ok(_) => {
                failures = 0;
                info!(channel, failure = ?now_reported, "reload status posted to the errors channel");
                let recorded = shared
                    .update(|s| s.reported_failure = now_reported.clone())
                    .await;
                if let Err(error) = recorded {
                    // Remembered in memory at least, so it is not posted again before a restart.
                    error!(%error, "cannot record the posted reload status");
                    shared.store().state.reported_failure = now_reported;
                }
            }
            Err(error) => {
                failures += 1;
                let wait = shared.backoff.after(failures);
                warn!(channel, %error, retry_in_ms = wait.as_millis() as u64, "could not post to the errors channel; will retry");
                // The whole wait, whatever reloads happen meanwhile; then the latest outcome.
                if !shared.pause(wait, None).await {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff {
            first: Duration::from_secs(5),
            max: Duration::from_secs(60),
        };
        let waits: Vec<u64> = (1..=6).map(|n| backoff.after(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff.after(1000), Duration::from_secs(60));
    }

    #[test]
    fn snowflakes_start_at_discords_epoch() {
        // 2015-01-01T00:00:01Z is one second after Discord's epoch.
        assert_eq!(snowflake_at(1_420_070_401_000), 1000 << 22);
        assert_eq!(snowflake_at(0), 1);
    }
}
