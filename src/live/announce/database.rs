//! The announcement state in PostgreSQL (`[state] url`), and the lock that lets one instance
//! announce at a time.
//!
//! One dedicated connection per instance, never one borrowed from a pool: a session-level
//! advisory lock belongs to the connection that took it, so the instance that holds the lock
//! writes through that very connection, and each write checks, in its own transaction, that
//! the lock is still held. When the connection is lost, so is the lock: PostgreSQL releases
//! it, a standby takes it, and every later write of the old holder fails.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{Connection, PgConnection, Row};
use tokio::sync::Mutex;

use super::state::{Delivered, Note, Pending, State, StateError};
use super::store::{StateStore, Stored};
use crate::config::{AnnounceMode, DatabaseUrl};

/// The migrations, applied at every start (each once; sqlx records them in
/// `_sqlx_migrations` and refuses a database changed by a newer briefbot).
static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("src/live/announce/migrations");

/// The advisory lock of the announcer: `pg_try_advisory_lock(LOCK_SPACE, LOCK_ANNOUNCER)`.
/// The space is "BRBF" in ASCII, so it stays clear of other programs' locks on the database.
const LOCK_SPACE: i32 = 0x4252_4246;
const LOCK_ANNOUNCER: i32 = 1;

/// Whether this connection holds the announcer's lock. A two-key advisory lock shows in
/// `pg_locks` as `classid`, `objid` and `objsubid = 2`.
const HOLDS_LOCK: &str = "SELECT EXISTS (SELECT 1 FROM pg_locks \
     WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() \
     AND classid = 1112687174 AND objid = 1 AND objsubid = 2)";

// HOLDS_LOCK spells the two keys out; they must stay the same numbers.
const _: () = assert!(LOCK_SPACE == 1_112_687_174 && LOCK_ANNOUNCER == 1);

/// A connect that hangs (a firewall that drops packets) fails after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The state database, over one connection of this instance's own.
pub struct Database {
    connection: Mutex<PgConnection>,
    /// The URL without its password.
    place: String,
}

impl Database {
    /// Connects to `url` and applies the migrations. Errors name the URL without its
    /// password.
    pub async fn open(url: &DatabaseUrl) -> Result<Database, StateError> {
        let (connection, place) = migrated(url).await?;
        Ok(Database {
            connection: Mutex::new(connection),
            place,
        })
    }

    fn failed(&self, error: impl std::fmt::Display) -> StateError {
        StateError::Database {
            place: self.place.clone(),
            message: error.to_string(),
        }
    }

    /// Takes the announcer's lock if no other instance holds it; true when this one holds it
    /// now. Held until the connection closes.
    pub async fn try_lock(&self) -> Result<bool, StateError> {
        let mut connection = self.connection.lock().await;
        sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1, $2)")
            .bind(LOCK_SPACE)
            .bind(LOCK_ANNOUNCER)
            .fetch_one(&mut *connection)
            .await
            .map_err(|e| self.failed(e))
    }

    /// Lets go of the lock (a clean stop, or a holder that gave up): the next standby need
    /// not wait for this connection to close.
    pub async fn unlock(&self) -> Result<(), StateError> {
        let mut connection = self.connection.lock().await;
        sqlx::query("SELECT pg_advisory_unlock_all()")
            .execute(&mut *connection)
            .await
            .map(drop)
            .map_err(|e| self.failed(e))
    }

    /// Runs `work` holding the announcer's lock, then lets go whatever happened, so an
    /// instance waiting for the lock takes over at once (`briefbot state import`, `briefbot
    /// announce`). `None`, and `work` not run, when another instance holds it.
    pub(crate) async fn locked<T, E: From<StateError>>(
        &self,
        work: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<Option<T>, E> {
        if !self.try_lock().await? {
            return Ok(None);
        }
        let done = work.await;
        let unlocked = self.unlock().await;
        let done = done?;
        unlocked?;
        Ok(Some(done))
    }

    /// Whether this instance still holds the lock: false, or an error, once the connection
    /// was lost (and with it the lock).
    pub(crate) async fn holds_lock(&self) -> Result<bool, StateError> {
        let mut connection = self.connection.lock().await;
        sqlx::query_scalar::<_, bool>(HOLDS_LOCK)
            .fetch_one(&mut *connection)
            .await
            .map_err(|e| self.failed(e))
    }

    /// Replaces whatever state the database holds with `state` (`briefbot state import`),
    /// under the announcer's lock, which the caller must hold.
    pub(crate) async fn replace(&self, state: &State) -> Result<(), StateError> {
        let mut connection = self.connection.lock().await;
        let mut transaction = connection.begin().await.map_err(|e| self.failed(e))?;
        self.check_holder(&mut transaction).await?;
        for table in [
            "briefbot_known",
            "briefbot_pending",
            "briefbot_delivered",
            "briefbot_notes",
            "briefbot_announcer",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *transaction)
                .await
                .map_err(|e| self.failed(e))?;
        }
        write_changes(&mut transaction, &State::empty(), state)
            .await
            .map_err(|e| self.failed(e))?;
        transaction.commit().await.map_err(|e| self.failed(e))
    }

    async fn check_holder(&self, connection: &mut PgConnection) -> Result<(), StateError> {
        let held = sqlx::query_scalar::<_, bool>(HOLDS_LOCK)
            .fetch_one(&mut *connection)
            .await
            .map_err(|e| self.failed(e))?;
        if held {
            Ok(())
        } else {
            Err(StateError::NotHolder {
                place: self.place.clone(),
            })
        }
    }

    async fn read(&self) -> Result<Option<State>, StateError> {
        let mut connection = self.connection.lock().await;
        let mut transaction = connection.begin().await.map_err(|e| self.failed(e))?;
        // One snapshot for all four tables.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.failed(e))?;
        let state = read_state(&mut transaction)
            .await
            .map_err(|e| self.failed(e))?;
        transaction.commit().await.map_err(|e| self.failed(e))?;
        Ok(state)
    }

    async fn write(&self, current: &State, next: &State) -> Result<(), StateError> {
        let mut connection = self.connection.lock().await;
        let mut transaction = connection.begin().await.map_err(|e| self.failed(e))?;
        self.check_holder(&mut transaction).await?;
        write_changes(&mut transaction, current, next)
            .await
            .map_err(|e| self.failed(e))?;
        transaction.commit().await.map_err(|e| self.failed(e))
    }
}

impl StateStore for Database {
    fn place(&self) -> String {
        self.place.clone()
    }

    fn load(&self) -> Stored<'_, Option<State>> {
        Box::pin(self.read())
    }

    fn save<'a>(&'a self, current: &'a State, next: &'a State) -> Stored<'a, ()> {
        Box::pin(self.write(current, next))
    }
}

/// A connection of its own to `url`, and the URL without its password for messages; no
/// migration applied.
pub(crate) async fn connect(url: &DatabaseUrl) -> Result<(PgConnection, String), StateError> {
    let place = url.shown();
    let failed = |message: String| StateError::Database {
        place: place.clone(),
        message,
    };
    let options = PgConnectOptions::from_str(url.secret())
        .map_err(|error| failed(format!("the URL cannot be used: {error}")))?
        .application_name("briefbot");
    let connection = tokio::time::timeout(CONNECT_TIMEOUT, async {
        PgConnection::connect_with(&options).await
    })
    .await
    .map_err(|_| {
        failed(format!(
            "cannot connect: no answer within {} s",
            CONNECT_TIMEOUT.as_secs()
        ))
    })?
    .map_err(|error| failed(format!("cannot connect: {error}")))?;
    Ok((connection, place))
}

/// A connection of its own to `url`, with briefbot's migrations applied (each once; sqlx
/// records them in `_sqlx_migrations`).
pub(crate) async fn migrated(url: &DatabaseUrl) -> Result<(PgConnection, String), StateError> {
    let (mut connection, place) = connect(url).await?;
    // `run_direct` on the connection itself: sqlx's `run` takes an `Acquire`, whose future
    // the compiler cannot prove `Send` for every lifetime.
    MIGRATIONS
        .run_direct(&mut connection)
        .await
        .map_err(|error| StateError::Database {
            place: place.clone(),
            message: format!("cannot apply briefbot's migrations: {error}"),
        })?;
    Ok((connection, place))
}

/// The migrations of this briefbot that the database at `url` has not had yet, by their
/// descriptions; nothing is changed (`briefbot doctor`). Every start applies them.
pub async fn unapplied_migrations(url: &DatabaseUrl) -> Result<Vec<String>, StateError> {
    let (mut connection, place) = connect(url).await?;
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut connection)
        .await
        .map_err(|error| StateError::Database {
            place: place.clone(),
            message: error.to_string(),
        })?;
    let applied: Vec<i64> = if exists {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut connection)
            .await
            .map_err(|error| StateError::Database {
                place: place.clone(),
                message: error.to_string(),
            })?
    } else {
        Vec::new()
    };
    Ok(MIGRATIONS
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| format!("{} {}", m.version, m.description))
        .collect())
}

/// Why a value cannot go into (or come out of) a column.
#[derive(Debug, thiserror::Error)]
enum Unfit {
    #[error("{0}")]
    Sql(#[from] sqlx::Error),
    #[error("{what} {value} does not fit the database's column")]
    Range { what: &'static str, value: String },
}

fn id(what: &'static str, value: u64) -> Result<i64, Unfit> {
    i64::try_from(value).map_err(|_| Unfit::Range {
        what,
        value: value.to_string(),
    })
}

fn unsigned<T: TryFrom<i64>>(what: &'static str, value: i64) -> Result<T, Unfit> {
    T::try_from(value).map_err(|_| Unfit::Range {
        what,
        value: value.to_string(),
    })
}

fn mode_named(name: &str) -> AnnounceMode {
    match name {
        "thread" => AnnounceMode::Thread,
        "forum" => AnnounceMode::Forum,
        _ => AnnounceMode::Message,
    }
}

/// The whole state, or `None` before the first start wrote it.
async fn read_state(connection: &mut PgConnection) -> Result<Option<State>, Unfit> {
    let Some(announcer) =
        sqlx::query("SELECT reported_failure FROM briefbot_announcer WHERE singleton")
            .fetch_optional(&mut *connection)
            .await?
    else {
        return Ok(None);
    };
    let mut state = State::empty();
    state.reported_failure = announcer.try_get("reported_failure")?;
    for row in sqlx::query("SELECT track, round FROM briefbot_known ORDER BY track, round")
        .fetch_all(&mut *connection)
        .await?
    {
        let track: String = row.try_get("track")?;
        let round = unsigned("round", row.try_get("round")?)?;
        state.known.entry(track).or_default().insert(round);
    }
    for row in sqlx::query(
        "SELECT track, round, channel, first_attempt_ms, message, card \
         FROM briefbot_pending ORDER BY seq",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        state.pending.push(pending_of(&row)?);
    }
    for row in sqlx::query(
        "SELECT track, round, channel, message, card, withdrawn, mode, thread, crossposted \
         FROM briefbot_delivered ORDER BY seq",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        state.delivered.push(delivered_of(&row)?);
    }
    for row in sqlx::query("SELECT key, message, first_attempt_ms FROM briefbot_notes ORDER BY seq")
        .fetch_all(&mut *connection)
        .await?
    {
        state.notes.push(Note {
            key: row.try_get("key")?,
            message: row.try_get("message")?,
            first_attempt_ms: optional_id("first_attempt_ms", row.try_get("first_attempt_ms")?)?,
        });
    }
    state.version = state.needed_version();
    Ok(Some(state))
}

fn optional_id(what: &'static str, value: Option<i64>) -> Result<Option<u64>, Unfit> {
    value.map(|v| unsigned(what, v)).transpose()
}

fn pending_of(row: &PgRow) -> Result<Pending, Unfit> {
    Ok(Pending {
        track: row.try_get("track")?,
        round: unsigned("round", row.try_get("round")?)?,
        channel: unsigned("channel", row.try_get("channel")?)?,
        first_attempt_ms: optional_id("first_attempt_ms", row.try_get("first_attempt_ms")?)?,
        message: optional_id("message", row.try_get("message")?)?,
        card: row.try_get("card")?,
    })
}

fn delivered_of(row: &PgRow) -> Result<Delivered, Unfit> {
    let mode: String = row.try_get("mode")?;
    Ok(Delivered {
        track: row.try_get("track")?,
        round: unsigned("round", row.try_get("round")?)?,
        channel: unsigned("channel", row.try_get("channel")?)?,
        message: unsigned("message", row.try_get("message")?)?,
        card: row.try_get("card")?,
        withdrawn: row.try_get("withdrawn")?,
        mode: mode_named(&mode),
        thread: optional_id("thread", row.try_get("thread")?)?,
        crossposted: row.try_get("crossposted")?,
    })
}

type Key<'a> = (&'a str, u32, u64);

fn pending_key(p: &Pending) -> Key<'_> {
    (&p.track, p.round, p.channel)
}

fn delivered_key(d: &Delivered) -> Key<'_> {
    (&d.track, d.round, d.channel)
}

/// Writes what changed from `current` to `next`. Every statement may be repeated without
/// harm (inserts that meet their row update it), so a state that is behind what the
/// database holds, after a commit whose answer was lost, still writes correctly.
async fn write_changes(
    connection: &mut PgConnection,
    current: &State,
    next: &State,
) -> Result<(), Unfit> {
    write_known(connection, current, next).await?;

    let before: HashMap<Key, &Pending> = current
        .pending
        .iter()
        .map(|p| (pending_key(p), p))
        .collect();
    let after: BTreeSet<Key> = next.pending.iter().map(pending_key).collect();
    for gone in current
        .pending
        .iter()
        .filter(|p| !after.contains(&pending_key(p)))
    {
        sqlx::query(
            "DELETE FROM briefbot_pending WHERE track = $1 AND round = $2 AND channel = $3",
        )
        .bind(&gone.track)
        .bind(i64::from(gone.round))
        .bind(id("channel", gone.channel)?)
        .execute(&mut *connection)
        .await?;
    }
    for pending in &next.pending {
        if before.get(&pending_key(pending)) == Some(&pending) {
            continue;
        }
        sqlx::query(
            "INSERT INTO briefbot_pending (track, round, channel, first_attempt_ms, message, card) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (track, round, channel) DO UPDATE SET \
             first_attempt_ms = EXCLUDED.first_attempt_ms, message = EXCLUDED.message, \
             card = EXCLUDED.card",
        )
        .bind(&pending.track)
        .bind(i64::from(pending.round))
        .bind(id("channel", pending.channel)?)
        .bind(
            pending
                .first_attempt_ms
                .map(|v| id("first_attempt_ms", v))
                .transpose()?,
        )
        .bind(pending.message.map(|v| id("message", v)).transpose()?)
        .bind(&pending.card)
        .execute(&mut *connection)
        .await?;
    }

    let before: HashMap<Key, &Delivered> = current
        .delivered
        .iter()
        .map(|d| (delivered_key(d), d))
        .collect();
    let after: BTreeSet<Key> = next.delivered.iter().map(delivered_key).collect();
    for gone in current
        .delivered
        .iter()
        .filter(|d| !after.contains(&delivered_key(d)))
    {
        sqlx::query(
            "DELETE FROM briefbot_delivered WHERE track = $1 AND round = $2 AND channel = $3",
        )
        .bind(&gone.track)
        .bind(i64::from(gone.round))
        .bind(id("channel", gone.channel)?)
        .execute(&mut *connection)
        .await?;
    }
    for delivered in &next.delivered {
        if before.get(&delivered_key(delivered)) == Some(&delivered) {
            continue;
        }
        sqlx::query(
            "INSERT INTO briefbot_delivered \
             (track, round, channel, message, card, withdrawn, mode, thread, crossposted) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (track, round, channel) DO UPDATE SET \
             message = EXCLUDED.message, card = EXCLUDED.card, withdrawn = EXCLUDED.withdrawn, \
             mode = EXCLUDED.mode, thread = EXCLUDED.thread, crossposted = EXCLUDED.crossposted",
        )
        .bind(&delivered.track)
        .bind(i64::from(delivered.round))
        .bind(id("channel", delivered.channel)?)
        .bind(id("message", delivered.message)?)
        .bind(&delivered.card)
        .bind(delivered.withdrawn)
        .bind(delivered.mode.name())
        .bind(delivered.thread.map(|v| id("thread", v)).transpose()?)
        .bind(delivered.crossposted)
        .execute(&mut *connection)
        .await?;
    }

    write_notes(connection, current, next).await?;

    // The row that says the state exists, with the last failure told to the errors channel
    // (written whole each time: the announcer may have noted it in memory only).
    sqlx::query(
        "INSERT INTO briefbot_announcer (singleton, reported_failure) VALUES (TRUE, $1) \
         ON CONFLICT (singleton) DO UPDATE SET reported_failure = EXCLUDED.reported_failure",
    )
    .bind(&next.reported_failure)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// The notes queued and posted since `current`. A note never changes but for its first
/// attempt, which is set once.
async fn write_notes(
    connection: &mut PgConnection,
    current: &State,
    next: &State,
) -> Result<(), Unfit> {
    let before: HashMap<&str, &Note> = current.notes.iter().map(|n| (n.key.as_str(), n)).collect();
    let after: BTreeSet<&str> = next.notes.iter().map(|n| n.key.as_str()).collect();
    for gone in current
        .notes
        .iter()
        .filter(|n| !after.contains(n.key.as_str()))
    {
        sqlx::query("DELETE FROM briefbot_notes WHERE key = $1")
            .bind(&gone.key)
            .execute(&mut *connection)
            .await?;
    }
    for note in &next.notes {
        if before.get(note.key.as_str()) == Some(&note) {
            continue;
        }
        sqlx::query(
            "INSERT INTO briefbot_notes (key, message, first_attempt_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET message = EXCLUDED.message, \
             first_attempt_ms = EXCLUDED.first_attempt_ms",
        )
        .bind(&note.key)
        .bind(&note.message)
        .bind(
            note.first_attempt_ms
                .map(|v| id("first_attempt_ms", v))
                .transpose()?,
        )
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// The known rounds added and removed, each kind in one statement (a first start records
/// every round of the library at once).
async fn write_known(
    connection: &mut PgConnection,
    current: &State,
    next: &State,
) -> Result<(), Unfit> {
    let pairs = |state: &State| -> BTreeSet<(String, u32)> {
        state
            .known
            .iter()
            .flat_map(|(track, rounds)| rounds.iter().map(move |r| (track.clone(), *r)))
            .collect()
    };
    let (before, after) = (pairs(current), pairs(next));
    let columns = |set: Vec<&(String, u32)>| -> (Vec<String>, Vec<i64>) {
        set.into_iter()
            .map(|(track, round)| (track.clone(), i64::from(*round)))
            .unzip()
    };
    let (tracks, rounds) = columns(after.difference(&before).collect());
    if !tracks.is_empty() {
        sqlx::query(
            "INSERT INTO briefbot_known (track, round) \
             SELECT * FROM UNNEST($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING",
        )
        .bind(tracks)
        .bind(rounds)
        .execute(&mut *connection)
        .await?;
    }
    let (tracks, rounds) = columns(before.difference(&after).collect());
    if !tracks.is_empty() {
        sqlx::query(
            "DELETE FROM briefbot_known AS k USING UNNEST($1::text[], $2::bigint[]) AS g(track, round) \
             WHERE k.track = g.track AND k.round = g.round",
        )
        .bind(tracks)
        .bind(rounds)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}
