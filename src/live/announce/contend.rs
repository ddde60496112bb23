//! Several instances, one announcer: with a state database, every instance that has
//! `[announce]` competes for the database's announcer lock. The holder announces; the others
//! stand by, asking again every `lock_check`, and one of them takes over within about that
//! long once the holder dies or loses its connection (PostgreSQL then releases the lock).
//!
//! The holder makes sure it still holds the lock every `lock_check`, and each of its writes
//! checks it again in the same transaction; a holder that lost it stops its workers (a post
//! is only ever made after a write that succeeded) and stands by, reconnecting with backoff.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::announcer::Announcer;
use super::database::Database;
use super::settings::Settings;
use super::shared::Shared;
use super::state::{State, StateError};
use crate::config::DatabaseUrl;
use crate::live::reloader::Reloader;
use crate::rest::Backoff;
use crate::rest::Rest;

/// The part this instance plays in announcing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// It announces: it holds the lock (or owns the state file).
    Active,
    /// Another instance announces; this one takes over if that one goes.
    Standby,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Active => "active",
            Role::Standby => "standby",
        }
    }
}

/// The role as it is now, shared with `/healthz`; none where `[announce]` is not set.
#[derive(Debug, Clone, Default)]
pub struct AnnouncerRole(Arc<AtomicU8>);

// 0, the default: this instance does not announce at all.
const STANDBY: u8 = 1;
const ACTIVE: u8 = 2;

impl AnnouncerRole {
    /// An instance that announces on its own (a state file): always active.
    pub(crate) fn active() -> AnnouncerRole {
        AnnouncerRole(Arc::new(AtomicU8::new(ACTIVE)))
    }

    pub fn get(&self) -> Option<Role> {
        match self.0.load(Ordering::SeqCst) {
            ACTIVE => Some(Role::Active),
            STANDBY => Some(Role::Standby),
            _ => None,
        }
    }

    fn set(&self, role: Role) {
        let value = match role {
            Role::Active => ACTIVE,
            Role::Standby => STANDBY,
        };
        self.0.store(value, Ordering::SeqCst);
    }
}

/// The competition for the announcer's lock, while it runs.
pub struct Contender {
    role: AnnouncerRole,
    stop: CancellationToken,
    task: JoinHandle<()>,
    /// The running announcer's shared part, while this instance is the holder.
    current: Arc<Mutex<Option<Arc<Shared>>>>,
}

impl Contender {
    /// Connects to the database and applies its migrations, then competes for the lock in the
    /// background. Fails when the database cannot be reached or migrated now: an operator who
    /// configured a database wants to hear at once that it is not there.
    pub async fn start(
        rest: Rest,
        reloader: Arc<Reloader>,
        settings: Settings,
        url: &DatabaseUrl,
    ) -> Result<Contender, StateError> {
        let first = Database::open(url).await?;
        info!(database = %url, "the announcement state is in the database; competing to announce");
        let role = AnnouncerRole::default();
        role.set(Role::Standby);
        let stop = CancellationToken::new();
        let current = Arc::new(Mutex::new(None));
        let task = tokio::spawn(contend(
            Contest {
                rest,
                reloader,
                settings,
                url: url.clone(),
                role: role.clone(),
                stop: stop.clone(),
                current: current.clone(),
            },
            first,
        ));
        Ok(Contender {
            role,
            stop,
            task,
            current,
        })
    }

    /// Whether this instance announces now, shared with `/healthz`.
    pub fn role(&self) -> AnnouncerRole {
        self.role.clone()
    }

    /// The state as the running announcer last wrote it; none while standing by.
    pub fn state(&self) -> Option<State> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().map(|shared| shared.state(State::clone))
    }

    /// Stops announcing (a post in flight gets up to three seconds) and releases the lock, so
    /// a standby takes over at once.
    pub async fn stop(self) {
        self.stop.cancel();
        if self.task.await.is_err() {
            error!("the announcer's contest for the lock ended abnormally");
        }
    }
}

/// What the contest runs with.
struct Contest {
    rest: Rest,
    reloader: Arc<Reloader>,
    settings: Settings,
    url: DatabaseUrl,
    role: AnnouncerRole,
    stop: CancellationToken,
    current: Arc<Mutex<Option<Arc<Shared>>>>,
}

impl Contest {
    /// Waits `wait`; false when told to stop meanwhile.
    async fn pause(&self, wait: Duration) -> bool {
        crate::rest::pause(wait, &self.stop, None).await
    }

    fn publish(&self, shared: Option<Arc<Shared>>) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = shared;
    }
}

/// Connect, stand by until the lock is this instance's, announce while it is, and start over
/// when it is lost; until told to stop.
async fn contend(contest: Contest, first: Database) {
    let contest = Arc::new(contest);
    let check = contest.settings.lock_check;
    let mut reconnects = Backoff {
        first: check,
        max: check.saturating_mul(30),
    }
    .counter();
    let mut connection = Some(first);
    // Whether this instance announced before and lost the lock: its next hold regains it.
    let mut lost_before = false;
    loop {
        let database = match connection.take() {
            Some(database) => database,
            None => match Database::open(&contest.url).await {
                Ok(database) => {
                    if reconnects.failures() > 0 {
                        info!(database = %contest.url, "the state database is reachable again");
                    }
                    reconnects.succeeded();
                    database
                }
                Err(error) => {
                    let wait = reconnects.failed();
                    warn!(%error, retry_in_ms = wait.as_millis() as u64, "cannot reach the state database; nothing is announced until it is back (commands are still answered)");
                    if !contest.pause(wait).await {
                        return;
                    }
                    continue;
                }
            },
        };
        let database = Arc::new(database);
        let how = match stand_by(contest.clone(), database.clone()).await {
            Waited::Holder { .. } if lost_before => {
                "regained the announcer's lock: this instance announces again"
            }
            Waited::Holder {
                after_another: true,
            } => {
                "took over the announcer's lock from another instance (it stopped or lost its connection): this instance announces now"
            }
            Waited::Holder {
                after_another: false,
            } => "holds the announcer's lock: this instance announces",
            Waited::Stopped => return,
            Waited::Lost(error) => {
                warn!(%error, "lost the connection to the state database while standing by; reconnecting");
                continue;
            }
        };
        let held = hold(contest.clone(), database.clone(), how).await;
        release(database).await;
        contest.role.set(Role::Standby);
        match held {
            Held::Stopped => return,
            Held::Lost(why) => {
                warn!(
                    why,
                    "this instance no longer holds the announcer's lock: announcing stopped, standing by"
                );
                lost_before = true;
                reconnects.succeeded();
                if !contest.pause(reconnects.failed()).await {
                    return;
                }
            }
        }
    }
}

enum Waited {
    /// The lock is this instance's now; `after_another` when another instance held it while
    /// this one waited.
    Holder {
        after_another: bool,
    },
    Stopped,
    Lost(StateError),
}

/// Asks for the lock every `lock_check` until this instance holds it.
async fn stand_by(contest: Arc<Contest>, database: Arc<Database>) -> Waited {
    let mut told = false;
    loop {
        match database.try_lock().await {
            Ok(true) => {
                return Waited::Holder {
                    after_another: told,
                };
            }
            Ok(false) => {
                if !told {
                    info!(
                        role = "standby",
                        "another instance holds the announcer's lock and announces; this one stands by and takes over if it goes"
                    );
                    told = true;
                }
                contest.role.set(Role::Standby);
            }
            Err(error) => return Waited::Lost(error),
        }
        if !contest.pause(contest.settings.lock_check).await {
            return Waited::Stopped;
        }
    }
}

enum Held {
    Stopped,
    Lost(String),
}

/// Announces while this instance holds the lock, checking it every `lock_check`; `how` says
/// how it came to hold it, for the log.
async fn hold(contest: Arc<Contest>, database: Arc<Database>, how: &str) -> Held {
    let announcer = match Announcer::start_on(
        contest.rest.clone(),
        contest.reloader.clone(),
        &contest.settings,
        database.clone(),
    )
    .await
    {
        Ok(announcer) => announcer,
        Err(error) => return Held::Lost(format!("cannot start announcing: {error}")),
    };
    contest.role.set(Role::Active);
    contest.publish(Some(announcer.shared.clone()));
    info!(role = "active", "{how}");
    let check = contest.settings.lock_check;
    let held = loop {
        if !contest.pause(check).await {
            break Held::Stopped;
        }
        // A connection that hangs counts as lost: the lock is not to be relied on.
        match tokio::time::timeout(check.max(Duration::from_secs(1)) * 5, database.holds_lock())
            .await
        {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => break Held::Lost("the lock was released".to_string()),
            Ok(Err(error)) => break Held::Lost(error.to_string()),
            Err(_) => break Held::Lost("the database stopped answering".to_string()),
        }
    };
    contest.publish(None);
    announcer.stop().await;
    // Its pending announcements are the next holder's to count.
    contest.reloader.metrics().no_pending();
    held
}

/// Lets go of the lock if the connection still has it, so a standby need not wait for the
/// connection to close; a dead connection has let go already.
async fn release(database: Arc<Database>) {
    let released = tokio::time::timeout(Duration::from_secs(2), database.unlock()).await;
    if let Ok(Err(error)) = released {
        warn!(%error, "could not release the announcer's lock; it goes with the connection");
    }
}
