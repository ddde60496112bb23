//! `briefbot state import` and `briefbot state export` as an operator runs them, against a
//! throwaway PostgreSQL: a state file goes into the database and comes back out the same,
//! an import never overwrites a state or runs beside an announcing instance unasked, errors
//! say what to do, and the database's password is never printed. And `briefbot announce`
//! with a state database posts a round once and records it there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use briefbot::config::DatabaseUrl;
use briefbot::live::announce::database::Database;
use briefbot::live::announce::state::{State, StateFile};
use serde_json::Value;

use crate::announce::{DESK, NEWS, add_round, post_attempts, posts_to, text};
use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN, DiscordStub};
use crate::common::postgres::{self, TestDatabase, psql};
use crate::common::shipped_copy;

/// A forum channel, for a delivered forum post.
const FORUM: u64 = 4_444_444_444_444_444;

/// An announcements.json as a deployment that has run for a while has it: rounds known in two
/// tracks, one announcement whose message Discord confirmed while its thread is still to come,
/// and delivered ones in each mode, with a thread, a crosspost, a withdrawal and a card.
fn realistic_state() -> String {
    format!(
        r#"{{
  "version": 1,
  "known": {{
    "river-talks": [1, 2, 4],
    "syria-israel": [1, 2, 3, 4, 5, 6, 7, 8, 9]
  }},
  "pending": [
    {{
      "track": "syria-israel",
      "round": 9,
      "channel": {DESK},
      "first_attempt_ms": 1764000000123,
      "message": 1300000000000000009,
      "card": "9f1c0a55e2b3d4c6"
    }}
  ],
  "delivered": [
    {{
      "track": "syria-israel",
      "round": 7,
      "channel": {NEWS},
      "message": 1300000000000000007,
      "card": "7a7a7a7a7a7a7a7a",
      "crossposted": true
    }},
    {{
      "track": "syria-israel",
      "round": 7,
      "channel": {DESK},
      "message": 1300000000000000017,
      "card": "7a7a7a7a7a7a7a7a",
      "mode": "thread",
      "thread": 1300000000000000017
    }},
    {{
      "track": "river-talks",
      "round": 4,
      "channel": {FORUM},
      "message": 1300000000000000024,
      "card": "4b4b4b4b4b4b4b4b",
      "mode": "forum",
      "thread": 1300000000000000024
    }},
    {{
      "track": "syria-israel",
      "round": 8,
      "channel": {NEWS},
      "message": 1300000000000000008,
      "card": "8c8c8c8c8c8c8c8c",
      "withdrawn": true
    }},
    {{
      "track": "syria-israel",
      "round": 6,
      "channel": {NEWS},
      "message": 1300000000000000006
    }}
  ],
  "reported_failure": "e3b0c44298fc1c14"
}}
"#
    )
}

/// What `realistic_state` holds, as the commands sum it up.
const REALISTIC_SUMMARY: &str = "12 known rounds in 2 tracks, 1 pending, 5 delivered";

/// A folder with a config (briefs and state beside it, no database in it) and the state
/// folder, empty.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.toml"),
        "briefs_dir = \"briefs\"\nstate_dir = \"state\"\n",
    )
    .expect("config");
    std::fs::create_dir_all(dir.path().join("state")).expect("state folder");
    dir
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("state").join("announcements.json")
}

/// `briefbot state …` in `dir`, with `DATABASE_URL` set to `database` (or unset), and no
/// Discord token.
fn briefbot(dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .arg("--config")
        .arg(dir.join("config.toml"))
        .args(args)
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("BRIEFBOT_STATE_DIR")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .env_remove("DATABASE_URL");
    if let Some(url) = database {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("run briefbot")
}

/// The URL's password, which no output may show.
fn password_of(database: &TestDatabase) -> String {
    let url = url::Url::parse(database.url()).expect("the test database's URL");
    let password = url.password().unwrap_or_default().to_string();
    assert!(
        password.len() >= 8,
        "the test URL carries a password to look for"
    );
    password
}

/// The URL as briefbot shows it: without the password.
fn shown(database: &TestDatabase) -> String {
    DatabaseUrl::parse(database.url())
        .expect("the test database's URL")
        .shown()
}

/// Asserts that `output` succeeded, and shows nothing of `password`.
fn succeeded(output: &Output, password: &str) {
    assert!(
        output.status.success(),
        "status {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    assert_no_password(output, password);
}

/// Asserts that `output` failed with one line of error, last (returned), and shows nothing
/// of `password`.
fn failed(output: &Output, password: &str) -> String {
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert_no_password(output, password);
    // `announce` logs (sqlx's notices among them) before its error; the error is one line.
    let stderr = text(&output.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "one line of error: {stderr}");
    assert_eq!(stderr.lines().last(), errors.first().copied(), "{stderr}");
    errors[0].to_string()
}

fn assert_no_password(output: &Output, password: &str) {
    for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        assert!(
            !text(stream).contains(password),
            "the password appears on {name}: {}",
            text(stream)
        );
    }
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

#[test]
fn an_imported_state_file_exports_back_the_same() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let dir = workspace();
    let original = dir.path().join("announcements.json");
    std::fs::write(&original, realistic_state()).expect("write the state file");

    let imported = briefbot(
        dir.path(),
        Some(database.url()),
        &["state", "import", "--from", "announcements.json"],
    );
    succeeded(&imported, &password);
    assert_eq!(
        text(&imported.stdout),
        format!(
            "imported announcements.json into {}: {REALISTIC_SUMMARY}\n",
            shown(&database)
        )
    );
    // The announcer's lock was let go.
    assert_eq!(
        psql(
            database.url(),
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        )
        .expect("psql"),
        "0"
    );

    // To the state folder, the default.
    let exported = briefbot(dir.path(), Some(database.url()), &["state", "export"]);
    succeeded(&exported, &password);
    let written = state_file(dir.path());
    assert_eq!(
        text(&exported.stdout),
        format!(
            "exported {} into {}: {REALISTIC_SUMMARY}\n",
            shown(&database),
            written.display()
        )
    );
    let before = StateFile::at(&original)
        .load()
        .expect("the original loads")
        .expect("a state");
    let after = StateFile::at(&written)
        .load()
        .expect("the export loads")
        .expect("a state");
    assert_eq!(after, before);
    assert_eq!(
        json(&std::fs::read(&written).expect("read the export")),
        json(realistic_state().as_bytes())
    );
    let no_temporary_file_left = std::fs::read_dir(dir.path().join("state"))
        .expect("list the state folder")
        .count()
        == 1;
    assert!(no_temporary_file_left);

    // Once written, the file is not overwritten unasked.
    std::fs::write(&written, "{}").expect("change the export");
    let again = briefbot(dir.path(), Some(database.url()), &["state", "export"]);
    let error = failed(&again, &password);
    assert!(
        error.contains(&format!("{} exists already", written.display()))
            && error.contains("--replace"),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&written).expect("read"), "{}");
    let replaced = briefbot(
        dir.path(),
        Some(database.url()),
        &["state", "export", "--replace"],
    );
    succeeded(&replaced, &password);
    assert_eq!(
        StateFile::at(&written).load().expect("loads"),
        Some(before.clone())
    );

    // `--to -`: the JSON on standard output, the summary on standard error.
    let out = briefbot(
        dir.path(),
        Some(database.url()),
        &["state", "export", "--to", "-"],
    );
    succeeded(&out, &password);
    let state: State = serde_json::from_slice(&out.stdout).expect("a state on stdout");
    assert_eq!(state, before);
    assert_eq!(
        text(&out.stderr),
        format!(
            "exported {} into standard output: {REALISTIC_SUMMARY}\n",
            shown(&database)
        )
    );
}

#[test]
fn a_second_import_overwrites_the_database_only_with_replace() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let dir = workspace();
    std::fs::write(state_file(dir.path()), realistic_state()).expect("write the state file");

    let first = briefbot(dir.path(), Some(database.url()), &["state", "import"]);
    succeeded(&first, &password);

    // Another state, smaller: refused without --replace, and the database keeps the first.
    let smaller = dir.path().join("smaller.json");
    std::fs::write(
        &smaller,
        r#"{"version": 1, "known": {"syria-israel": [1, 2]}}"#,
    )
    .expect("write");
    let refused = briefbot(
        dir.path(),
        Some(database.url()),
        &["state", "import", "--from", "smaller.json"],
    );
    let error = failed(&refused, &password);
    assert!(
        error.contains(&format!(
            "the state database {} already holds an announcement state ({REALISTIC_SUMMARY})",
            shown(&database)
        )) && error.contains("--replace"),
        "{error}"
    );
    assert_eq!(
        psql(database.url(), "SELECT count(*) FROM briefbot_known").expect("psql"),
        "12"
    );

    let replaced = briefbot(
        dir.path(),
        Some(database.url()),
        &["state", "import", "--from", "smaller.json", "--replace"],
    );
    succeeded(&replaced, &password);
    assert!(
        text(&replaced.stdout).ends_with(": 2 known rounds in 1 track, 0 pending, 0 delivered\n"),
        "{}",
        text(&replaced.stdout)
    );
    let out = briefbot(
        dir.path(),
        Some(database.url()),
        &["state", "export", "--to", "-"],
    );
    succeeded(&out, &password);
    assert_eq!(
        json(&out.stdout),
        serde_json::json!({
            "version": 1,
            "known": {"syria-israel": [1, 2]},
            "pending": [],
            "delivered": [],
            "reported_failure": null
        })
    );
}

#[test]
fn an_import_naming_a_track_or_a_round_that_cannot_exist_is_refused_and_changes_nothing() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let dir = workspace();
    std::fs::write(state_file(dir.path()), realistic_state()).expect("write the state file");
    succeeded(
        &briefbot(dir.path(), Some(database.url()), &["state", "import"]),
        &password,
    );
    let held = || {
        let out = briefbot(
            dir.path(),
            Some(database.url()),
            &["state", "export", "--to", "-"],
        );
        succeeded(&out, &password);
        json(&out.stdout)
    };
    let before = held();

    let bad = dir.path().join("bad.json");
    for (file, at, message) in [
        (
            "{\"version\": 1,\n  \"known\": {\"Syria Israel\": [1, 2]}}",
            "2:26",
            "\"Syria Israel\" cannot be a track: a track id is lower-case letters, digits and dashes, at most 32 of them, as the briefs write it",
        ),
        (
            "{\"version\": 1,\n  \"known\": {\"syria-israel\": [0]}}",
            "2:31",
            "round 0 cannot be a round: rounds are numbered from 1",
        ),
    ] {
        std::fs::write(&bad, file).expect("write");
        let refused = briefbot(
            dir.path(),
            Some(database.url()),
            &["state", "import", "--from", "bad.json", "--replace"],
        );
        let error = failed(&refused, &password);
        assert_eq!(
            error,
            format!(
                "error: bad.json:{at}: the state file is not valid: {message}; nothing was imported: correct it and run `briefbot state import` again"
            )
        );
        assert_eq!(held(), before, "the database's state is as it was");
    }
}

#[tokio::test]
async fn an_import_is_refused_while_an_instance_holds_the_announcers_lock() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let dir = workspace();
    std::fs::write(state_file(dir.path()), realistic_state()).expect("write the state file");

    let url = DatabaseUrl::parse(database.url()).expect("the test database's URL");
    let instance = Database::open(&url).await.expect("open the database");
    assert!(
        instance.try_lock().await.expect("try_lock"),
        "the lock is free"
    );

    let refused = briefbot(dir.path(), Some(database.url()), &["state", "import"]);
    let error = failed(&refused, &password);
    assert!(
        error.contains(&format!(
            "a briefbot instance is announcing from the state database {}",
            shown(&database)
        )) && error.contains("stop every instance that uses this database first"),
        "{error}"
    );
    assert_eq!(
        psql(database.url(), "SELECT count(*) FROM briefbot_announcer").expect("psql"),
        "0",
        "nothing was written"
    );

    // Once the instance stops, the import goes through.
    instance.unlock().await.expect("unlock");
    let imported = briefbot(dir.path(), Some(database.url()), &["state", "import"]);
    succeeded(&imported, &password);
}

#[test]
fn an_export_from_a_database_without_a_state_is_refused() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let dir = workspace();
    let refused = briefbot(dir.path(), Some(database.url()), &["state", "export"]);
    let error = failed(&refused, &password);
    assert!(
        error.contains(&format!(
            "the state database {} holds no announcement state yet: nothing to export",
            shown(&database)
        )),
        "{error}"
    );
    assert!(!state_file(dir.path()).exists());
}

#[test]
fn without_a_database_both_commands_name_the_key_and_the_variable() {
    let dir = workspace();
    std::fs::write(state_file(dir.path()), realistic_state()).expect("write the state file");
    for args in [["state", "import"], ["state", "export"]] {
        let output = briefbot(dir.path(), None, &args);
        let error = failed(&output, "no password here");
        assert!(
            error.contains("no state database is configured")
                && error.contains("`[state] url`")
                && error.contains("DATABASE_URL"),
            "{args:?}: {error}"
        );
    }
}

#[test]
fn a_damaged_state_file_is_refused_with_its_location() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let dir = workspace();
    let damaged = state_file(dir.path());
    // A comma missing after the second round, on line 3.
    std::fs::write(
        &damaged,
        "{\n  \"version\": 1,\n  \"known\": {\"syria-israel\": [1, 2 3]}\n}\n",
    )
    .expect("write");
    let refused = briefbot(dir.path(), Some(database.url()), &["state", "import"]);
    let error = failed(&refused, &password);
    assert!(
        error.contains(&format!("{}:3:", damaged.display()))
            && error.contains("the state file is not valid"),
        "{error}"
    );
    assert_eq!(
        psql(
            database.url(),
            "SELECT count(*) FROM pg_tables WHERE tablename = 'briefbot_announcer'"
        )
        .expect("psql"),
        "0",
        "refused before connecting"
    );
}

/// A config for `briefbot announce`: the briefs in `briefs`, posts to the stand-in, the state
/// in the database named by DATABASE_URL.
fn announce_config(dir: &Path, briefs: &Path, stub: &DiscordStub) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "briefs_dir = {:?}\ndefault_track = \"syria-israel\"\nstate_dir = \"state\"\n\n[discord]\napplication_id = {APPLICATION_ID}\napi_url = \"http://{}\"\n\n[announce]\nchannels = [{NEWS}, {DESK}]\n",
        briefs.display().to_string(),
        stub.addr,
    );
    std::fs::write(&path, text).expect("config");
    path
}

/// `briefbot announce` with DATABASE_URL, off the runtime's thread so the stand-in keeps
/// answering.
async fn announce(config: &Path, database: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
    command
        .arg("--config")
        .arg(config)
        .arg("announce")
        .args(args)
        .env("DISCORD_TOKEN", BOT_TOKEN)
        .env("DATABASE_URL", database)
        .env_remove("DISCORD_TOKEN_FILE")
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .env_remove("BRIEFBOT_STATE_DIR")
        .env_remove("BRIEFBOT_DEFAULT_TRACK");
    tokio::task::spawn_blocking(move || command.output().expect("run briefbot"))
        .await
        .expect("joined")
}

#[tokio::test]
async fn a_round_announced_by_hand_with_a_database_is_posted_once_and_recorded_there() {
    let Some(database) = postgres::database() else {
        return;
    };
    let password = password_of(&database);
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    add_round(&briefs, 6, "Geneva round");
    let config = announce_config(dir.path(), &briefs, &stub);
    let args = ["--track", "syria-israel", "--round", "6"];

    // While an instance holds the announcer's lock, nothing is posted.
    let url = DatabaseUrl::parse(database.url()).expect("the test database's URL");
    let instance = Database::open(&url).await.expect("open the database");
    assert!(instance.try_lock().await.expect("try_lock"));
    let refused = announce(&config, database.url(), &args).await;
    let error = failed(&refused, &password);
    assert!(
        error.contains(&format!(
            "a running briefbot is announcing from the state database {}",
            shown(&database)
        )) && error.contains("run `briefbot announce` again"),
        "{error}"
    );
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 0);
    instance.unlock().await.expect("unlock");

    let first = announce(&config, database.url(), &args).await;
    succeeded(&first, &password);
    for channel in [NEWS, DESK] {
        let posts = posts_to(&stub, channel);
        assert_eq!(posts.len(), 1, "channel {channel}");
        assert_eq!(posts[0]["embeds"][0]["title"], "Geneva round");
        let id = posts[0]["id"].as_str().unwrap_or_default().to_string();
        assert!(
            text(&first.stdout).contains(&format!(
                "round 6 of `syria-israel`: announced in channel {channel} (message {id})"
            )),
            "{}",
            text(&first.stdout)
        );
        // Recorded in the database, not in a state file.
        assert_eq!(
            psql(
                database.url(),
                &format!(
                    "SELECT message FROM briefbot_delivered \
                     WHERE track = 'syria-israel' AND round = 6 AND channel = {channel}"
                )
            )
            .expect("psql"),
            id
        );
    }
    assert!(!dir.path().join("state").join("announcements.json").exists());
    // The rounds already there were recorded as known on this first use, as a first start
    // records them; nothing waits; and the lock was let go.
    assert_eq!(
        psql(
            database.url(),
            "SELECT string_agg(round::text, ',' ORDER BY round) FROM briefbot_known \
             WHERE track = 'syria-israel'"
        )
        .expect("psql"),
        "5,6"
    );
    assert_eq!(
        psql(database.url(), "SELECT count(*) FROM briefbot_pending").expect("psql"),
        "0"
    );
    assert_eq!(
        psql(
            database.url(),
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        )
        .expect("psql"),
        "0"
    );

    // Again: the database has it, so nothing is posted.
    let second = announce(&config, database.url(), &args).await;
    succeeded(&second, &password);
    assert!(
        text(&second.stdout).contains("already announced in channel"),
        "{}",
        text(&second.stdout)
    );
    assert_eq!(post_attempts(&stub, NEWS) + post_attempts(&stub, DESK), 2);
}
