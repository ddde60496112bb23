//! Where servers' settings live: one interface, two homes. `servers.json` in the state folder
//! serves one process (it holds the file's lock); a table in the state database (`[state]
//! url`) serves any number, each change made in one transaction on what the table holds then,
//! so two admins on two instances never undo each other's choice.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection, Row};

use super::model::{ServerSetting, ServerSettings};
use crate::config::{AnnounceMode, DatabaseUrl};
use crate::live::announce::database::{connect, migrated};
use crate::live::announce::state::write_atomically;

/// A store's answer, later.
pub(crate) type Stored<'a, T> = Pin<Box<dyn Future<Output = Result<T, SetupError>> + Send + 'a>>;

/// A change to the settings, made on what the store holds at that moment.
pub(crate) type Change = Box<dyn FnOnce(&mut ServerSettings) + Send>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read or write the servers' settings {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error(
        "{path}:{line}:{column}: the servers' settings file is not valid: {message}; restore it from a backup, or remove it (every server then sets itself up again)"
    )]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "another briefbot process uses the servers' settings in {dir}; one process at a time can keep them in a file: to run several, keep the state in PostgreSQL ([state] url)"
    )]
    Locked { dir: PathBuf },
    /// `place` is the database's URL without its password.
    #[error("the servers' settings in the state database {place}: {message}")]
    Database { place: String, message: String },
}

/// The settings' home.
pub(crate) trait SettingsStore: Send + Sync {
    /// Where they are, for logs: a file's path, or a database's URL without its password.
    fn place(&self) -> String;

    /// The settings as stored now.
    fn load(&self) -> Stored<'_, ServerSettings>;

    /// Applies `change` to the settings as stored now and stores the outcome, whole or not at
    /// all; the settings after it.
    fn change(&self, change: Change) -> Stored<'_, ServerSettings>;
}

/// `servers.json` in the state folder, held by this process (`servers.lock`).
pub(crate) struct SettingsFile {
    dir: PathBuf,
    path: PathBuf,
    /// What the file holds: this process is its only writer.
    current: Mutex<ServerSettings>,
    _lock: std::fs::File,
}

/// The file as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    version: u32,
    servers: Vec<ServerSetting>,
}

impl SettingsFile {
    pub(crate) const NAME: &'static str = "servers.json";

    /// The file in `dir` (created if need be), taken for this process and read.
    pub(crate) fn open(dir: &Path) -> Result<SettingsFile, SetupError> {
        let failed = |path: &Path, error: std::io::Error| SetupError::File {
            path: path.to_path_buf(),
            message: error.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
        let lock_path = dir.join("servers.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| failed(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(SetupError::Locked {
                    dir: dir.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(failed(&lock_path, error)),
        }
        let path = dir.join(SettingsFile::NAME);
        let current = read_file(&path)?;
        Ok(SettingsFile {
            dir: dir.to_path_buf(),
            path,
            current: Mutex::new(current),
            _lock: lock,
        })
    }

    fn current(&self) -> std::sync::MutexGuard<'_, ServerSettings> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The settings a file holds; none when there is no file.
pub(crate) fn read_file(path: &Path) -> Result<ServerSettings, SetupError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(ServerSettings::default());
        }
        Err(error) => {
            return Err(SetupError::File {
                path: path.to_path_buf(),
                message: error.to_string(),
            });
        }
    };
    let form: FileForm = serde_json::from_str(&text).map_err(|error| SetupError::Invalid {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    })?;
    let mut settings = ServerSettings { rows: form.servers };
    settings.tidy();
    Ok(settings)
}

impl SettingsStore for SettingsFile {
    fn place(&self) -> String {
        self.path.display().to_string()
    }

    fn load(&self) -> Stored<'_, ServerSettings> {
        let settings = self.current().clone();
        Box::pin(async move { Ok(settings) })
    }

    fn change(&self, change: Change) -> Stored<'_, ServerSettings> {
        Box::pin(async move {
            // One writer in this process; the file is small and written whole.
            let mut current = self.current();
            let mut next = current.clone();
            change(&mut next);
            next.tidy();
            if next != *current {
                let form = FileForm {
                    version: 1,
                    servers: next.rows.clone(),
                };
                let text = serde_json::to_vec_pretty(&form).unwrap_or_default();
                write_atomically(&self.dir, &self.path, &text).map_err(|error| {
                    SetupError::File {
                        path: self.path.clone(),
                        message: error.to_string(),
                    }
                })?;
                *current = next.clone();
            }
            Ok(next)
        })
    }
}

/// The table `briefbot_server_settings` in the state database, over a connection of its own
/// (opened again after it was lost).
pub(crate) struct SettingsTable {
    url: DatabaseUrl,
    /// Apply briefbot's migrations on connecting (a running bot); not when only looking
    /// (`briefbot doctor` must change nothing).
    migrate: bool,
    connection: tokio::sync::Mutex<Option<PgConnection>>,
}

/// How long a change waits for another instance's change of the table before it gives up,
/// and how long any statement may run: a stuck transaction elsewhere must not stall this
/// instance's reads and its admins' steps.
const LOCK_TIMEOUT: &str = "SET lock_timeout = '5s'";
const STATEMENT_TIMEOUT: &str = "SET statement_timeout = '10s'";
/// The longest one read or change may take, whatever the network does.
const WORK_TIMEOUT: Duration = Duration::from_secs(15);

impl SettingsTable {
    /// The table a running bot reads and writes; briefbot's migrations applied on connecting.
    pub(crate) fn new(url: &DatabaseUrl) -> SettingsTable {
        SettingsTable {
            url: url.clone(),
            migrate: true,
            connection: tokio::sync::Mutex::new(None),
        }
    }

    /// The table, only read: nothing is applied or written.
    pub(crate) fn reading(url: &DatabaseUrl) -> SettingsTable {
        SettingsTable {
            migrate: false,
            ..SettingsTable::new(url)
        }
    }

    fn failed(&self, error: impl std::fmt::Display) -> SetupError {
        SetupError::Database {
            place: self.url.shown(),
            message: error.to_string(),
        }
    }

    /// Runs `work` on the connection, made (and the migrations applied, unless only reading)
    /// when there is none; a failed or timed-out connection is dropped, so the next call
    /// connects again.
    async fn with_connection<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, SetupError> {
        let mut held = self.connection.lock().await;
        if held.is_none() {
            let (mut connection, _) = if self.migrate {
                migrated(&self.url).await
            } else {
                connect(&self.url).await
            }
            .map_err(|e| self.failed(e))?;
            for setting in [LOCK_TIMEOUT, STATEMENT_TIMEOUT] {
                sqlx::query(setting)
                    .execute(&mut connection)
                    .await
                    .map_err(|e| self.failed(e))?;
            }
            *held = Some(connection);
        }
        let Some(connection) = held.as_mut() else {
            return Err(self.failed("no connection"));
        };
        match tokio::time::timeout(WORK_TIMEOUT, work(connection)).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(error)) => {
                *held = None;
                Err(self.failed(error))
            }
            Err(_) => {
                *held = None;
                Err(self.failed(format!("no answer within {} s", WORK_TIMEOUT.as_secs())))
            }
        }
    }
}

const COLUMNS: &str =
    "server, track, channel, mode, role, channel_off, role_off, changed_by, changed_at_ms";

async fn read_table(connection: &mut PgConnection) -> Result<ServerSettings, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM briefbot_server_settings ORDER BY server, track"
    ))
    .fetch_all(connection)
    .await?;
    let mut settings = ServerSettings::default();
    for row in rows {
        let id = |v: i64| v as u64;
        settings.rows.push(ServerSetting {
            server: id(row.try_get("server")?),
            track: row.try_get("track")?,
            channel: row.try_get::<Option<i64>, _>("channel")?.map(id),
            mode: match row.try_get::<String, _>("mode")?.as_str() {
                "thread" => AnnounceMode::Thread,
                "forum" => AnnounceMode::Forum,
                _ => AnnounceMode::Message,
            },
            role: row.try_get::<Option<i64>, _>("role")?.map(id),
            channel_off: row.try_get("channel_off")?,
            role_off: row.try_get("role_off")?,
            changed_by: id(row.try_get("changed_by")?),
            changed_at_ms: id(row.try_get("changed_at_ms")?),
        });
    }
    settings.tidy();
    Ok(settings)
}

async fn write_row(connection: &mut PgConnection, row: &ServerSetting) -> Result<(), sqlx::Error> {
    // Discord's ids fit in 63 bits; stored as BIGINT, read back the same.
    let id = |v: u64| v as i64;
    sqlx::query(&format!(
        "INSERT INTO briefbot_server_settings ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (server, track) DO UPDATE SET channel = $3, mode = $4, role = $5, \
         channel_off = $6, role_off = $7, changed_by = $8, changed_at_ms = $9"
    ))
    .bind(id(row.server))
    .bind(&row.track)
    .bind(row.channel.map(id))
    .bind(row.mode.name())
    .bind(row.role.map(id))
    .bind(&row.channel_off)
    .bind(&row.role_off)
    .bind(id(row.changed_by))
    .bind(id(row.changed_at_ms))
    .execute(connection)
    .await
    .map(drop)
}

impl SettingsStore for SettingsTable {
    fn place(&self) -> String {
        self.url.shown()
    }

    fn load(&self) -> Stored<'_, ServerSettings> {
        Box::pin(async move {
            if !self.migrate {
                let exists: bool = self
                    .with_connection(async |connection| {
                        sqlx::query_scalar(
                            "SELECT to_regclass('briefbot_server_settings') IS NOT NULL",
                        )
                        .fetch_one(connection)
                        .await
                    })
                    .await?;
                if !exists {
                    return Err(self.failed(
                        "it has no table briefbot_server_settings yet: start this briefbot once, which applies its migrations",
                    ));
                }
            }
            self.with_connection(async |connection| read_table(connection).await)
                .await
        })
    }

    fn change(&self, change: Change) -> Stored<'_, ServerSettings> {
        Box::pin(self.with_connection(async move |connection| {
            let mut transaction = connection.begin().await?;
            // Changes are rare and small: one at a time across every instance, each made on
            // what the table holds once it has its turn.
            sqlx::query("LOCK TABLE briefbot_server_settings IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *transaction)
                .await?;
            let current = read_table(&mut transaction).await?;
            let mut next = current.clone();
            change(&mut next);
            next.tidy();
            for gone in current
                .rows
                .iter()
                .filter(|r| next.get(r.server, &r.track).is_none())
            {
                sqlx::query(
                    "DELETE FROM briefbot_server_settings WHERE server = $1 AND track = $2",
                )
                .bind(gone.server as i64)
                .bind(&gone.track)
                .execute(&mut *transaction)
                .await?;
            }
            for row in next
                .rows
                .iter()
                .filter(|r| current.get(r.server, &r.track) != Some(*r))
            {
                write_row(&mut transaction, row).await?;
            }
            transaction.commit().await?;
            Ok(next)
        }))
    }
}
