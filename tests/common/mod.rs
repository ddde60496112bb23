//! Helpers shared by briefbot's integration tests: loading the shipped and fixture briefs,
//! checking a reply's JSON against Discord's limits and published schema, a throwaway
//! PostgreSQL per test (`postgres`), and the tests not run for a missing system package
//! (`needs`).
#![allow(dead_code)] // each test binary uses its own subset

pub mod discord_stub;
pub mod needs;
pub mod postgres;
pub mod signing;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use briefbot::library::{Library, LoadOptions};
use briefbot::live::Reloader;
use briefbot::transport::Handler;
use serde_json::Value;

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The shipped `briefs/`, as config.toml configures them.
pub fn shipped() -> Library {
    load(&repo("briefs"), "syria-israel")
}

/// The shipped briefs behind a reloader, as the running bot holds them.
pub fn shipped_live() -> Arc<Reloader> {
    live(&repo("briefs"))
}

/// The briefs in `dir` behind a reloader that reloads from there.
pub fn live(dir: &Path) -> Arc<Reloader> {
    Reloader::new(
        load(dir, "syria-israel"),
        dir.to_path_buf(),
        shipped_options(),
    )
}

/// The one interaction handler, answering from what `reloader` serves.
pub fn handler(reloader: Arc<Reloader>) -> Arc<Handler> {
    Arc::new(Handler::new(reloader))
}

/// Waits until `check` answers true, looking every 5 ms, for at most `limit`; panics naming
/// `what` when it never does. Returns how long it took. For conditions that no event marks
/// (a file's effect on a watcher, a post reaching the stand-in), instead of sleeping.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = tokio::time::Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Every line a child process writes to a pipe, read as it comes (a full pipe would stop
/// the child).
pub struct Lines {
    lines: Arc<std::sync::Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Lines {
    /// Starts reading `stream` on a thread of its own.
    pub fn collect(stream: impl std::io::Read + Send + 'static) -> Lines {
        let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stream)
                .lines()
                .map_while(Result::ok)
            {
                sink.lock().expect("lock").push(line);
            }
        });
        Lines { lines, reader }
    }

    /// Whether a line read so far matches.
    pub fn any(&self, matches: impl Fn(&str) -> bool) -> bool {
        self.lines.lock().expect("lock").iter().any(|l| matches(l))
    }

    /// Every line, once the stream has ended (the child has exited).
    pub fn all(self) -> String {
        let _ = self.reader.join();
        self.lines.lock().expect("lock").join("\n")
    }
}

/// A running briefbot child process, with its stderr read as it comes (a full pipe would stop
/// it); killed if the test ends before it is stopped.
pub struct Running {
    child: std::process::Child,
    logs: Option<Lines>,
}

impl Running {
    /// Spawns `command`, whose stderr must be piped.
    pub fn start(command: &mut std::process::Command) -> Running {
        let mut child = command.spawn().expect("start briefbot");
        let logs = Lines::collect(child.stderr.take().expect("stderr"));
        Running {
            child,
            logs: Some(logs),
        }
    }

    /// What it has logged so far.
    pub fn logs(&self) -> &Lines {
        self.logs.as_ref().expect("logs")
    }

    /// Stops it with SIGTERM and returns everything it logged.
    pub fn stop(mut self) -> String {
        send_signal(self.child.id(), libc::SIGTERM);
        let _ = self.child.wait();
        self.logs.take().map(Lines::all).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tests/fixtures/briefs-valid`: two tracks, rounds 1, 2 and 4 in one of them.
pub fn fixtures() -> Library {
    load(&repo("tests/fixtures/briefs-valid"), "river-talks")
}

/// One round whose brief carries three corrections, written out of date order.
pub fn corrected() -> Library {
    load(&repo("tests/fixtures/briefs-corrections"), "river-talks")
}

pub fn load(dir: &Path, default_track: &str) -> Library {
    let options = LoadOptions {
        default_track: Some(default_track.to_string()),
    };
    match Library::load(dir, &options) {
        Ok(library) => library,
        Err(error) => panic!(
            "{} must load:\n{}",
            dir.display(),
            error.diagnostics.render()
        ),
    }
}

/// Every interaction fixture briefbot answers, with the callback type of its reply.
pub const ANSWERED: [(&str, u64); 10] = [
    ("slash-latest.json", 4),
    ("slash-round-5.json", 4),
    ("slash-round-9.json", 4),
    ("slash-positions-party.json", 4),
    ("slash-author.json", 4),
    ("slash-about.json", 4),
    ("autocomplete-round-number.json", 8),
    ("autocomplete-positions-party.json", 8),
    ("button-positions.json", 7),
    ("button-stale.json", 4),
];

/// The same interactions from a DM with the bot (`context` 1) or a group DM (`context` 2),
/// where briefbot is installed to the user's account: no server, no member, a `user`.
/// Each is answered exactly as its server twin, the fixture without the `dm-` prefix.
pub const IN_DMS: [&str; 8] = [
    "dm-slash-latest.json",
    "dm-slash-round-5.json",
    "dm-slash-positions-party.json",
    "dm-slash-author.json",
    "dm-slash-about.json",
    "dm-slash-search.json",
    "dm-autocomplete-round-number.json",
    "dm-button-positions.json",
];

/// The interactions answered by the search views: `/search` and "Brief me" (a message
/// command, with the message it was used on) in a server and in DMs, and a page button on a
/// results message, whose first embed's title carries the query. What the replies say is the
/// views' business; every transport must read each to the same request and send what the
/// core answers, a new message (4) or the results message replaced (7).
pub const SEARCHING: [&str; 5] = [
    "slash-search.json",
    "dm-slash-search.json",
    "message-brief-me.json",
    "dm-message-brief-me.json",
    "button-search-page.json",
];

/// A fixture as JSON, to change before it is sent.
pub fn payload_json(name: &str) -> Value {
    serde_json::from_str(&payload(name)).expect("fixture JSON")
}

/// `message-brief-me.json` without the message it was used on (`data.resolved` left out).
pub fn brief_me_without_its_message() -> Value {
    let mut raw = payload_json("message-brief-me.json");
    if let Some(data) = raw["data"].as_object_mut() {
        data.remove("resolved");
    }
    raw
}

/// `slash-search.json` with `query` set to `query`, as Discord (which bounds its length)
/// would never send it, but a request from elsewhere might.
pub fn search_for(query: &str) -> Value {
    let mut raw = payload_json("slash-search.json");
    raw["data"]["options"][0]["value"] = Value::String(query.to_string());
    raw
}

/// A brief for round `number` of the shipped track, made from the shipped round 5 with a new
/// number and title, as an editor would start one.
pub fn round_brief(number: u32, title: &str) -> String {
    let shipped =
        std::fs::read_to_string(repo("briefs/syria-israel/05-paris.md")).expect("round 5");
    let title_line = shipped
        .lines()
        .find(|l| l.starts_with("title = "))
        .expect("a title line")
        .to_string();
    shipped
        .replacen("round = 5\n", &format!("round = {number}\n"), 1)
        .replacen(&title_line, &format!("title = {title:?}"), 1)
}

/// A copy of the shipped briefs in a temporary folder, to change freely.
pub fn shipped_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let briefs = dir.path().join("briefs");
    copy_tree(&repo("briefs"), &briefs);
    (dir, briefs)
}

/// The load options of the shipped config.
pub fn shipped_options() -> LoadOptions {
    LoadOptions {
        default_track: Some("syria-israel".to_string()),
    }
}

/// This test binary started again to run only the ignored test `name` (`module::test`), which
/// reads its `lines` from the variable `var` ([`child_lines`]); its output is dropped. The
/// crash tests kill such a child in the middle of a delivery.
pub fn child_test(name: &str, var: &str, lines: &[String]) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--ignored", "--nocapture"])
        .env(var, lines.join("\n"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the child")
}

/// The `count` lines a child test was given in `var`; none when this is not a child (the
/// ignored test then returns at once).
pub fn child_lines(var: &str, count: usize) -> Option<Vec<String>> {
    let spec = std::env::var(var).ok()?;
    let lines: Vec<String> = spec.split('\n').map(str::to_string).collect();
    assert_eq!(
        lines.len(),
        count,
        "{var} must hold {count} lines: {spec:?}"
    );
    Some(lines)
}

/// Copies a folder tree, for tests that change briefs without touching the repository.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A Discord payload from `tests/fixtures/discord/`.
pub fn payload(name: &str) -> String {
    std::fs::read_to_string(repo("tests/fixtures/discord").join(name)).expect("fixture payload")
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// Asserts every limit Discord puts on an interaction response, including the ones its
/// schema does not express (6000 characters across embeds, 5 rows, unique custom_ids,
/// choice values), and that nothing can ping anyone.
pub fn assert_within_discord_limits(response: &Value) {
    let kind = response["type"].as_u64().expect("a callback type");
    let data = &response["data"];
    match kind {
        4 | 7 => assert_message_limits(data),
        8 => {
            let choices = data["choices"].as_array().expect("choices");
            assert!(choices.len() <= 25, "{} choices", choices.len());
            for choice in choices {
                let name = chars(&choice["name"]);
                assert!(
                    (1..=100).contains(&name),
                    "choice name of {name} characters"
                );
                if let Some(text) = choice["value"].as_str() {
                    assert!(
                        (1..=100).contains(&text.chars().count()),
                        "choice value {text:?}"
                    );
                }
            }
        }
        other => panic!("unexpected callback type {other}"),
    }
    assert_matches_schema(response);
}

fn assert_message_limits(data: &Value) {
    assert_eq!(
        data["allowed_mentions"]["parse"],
        serde_json::json!([]),
        "mentions must be suppressed"
    );
    assert!(chars(&data["content"]) <= 2000);
    let embeds = data["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10);
    let mut total = 0;
    for embed in &embeds {
        let title = chars(&embed["title"]);
        let description = chars(&embed["description"]);
        let footer = chars(&embed["footer"]["text"]);
        let author = chars(&embed["author"]["name"]);
        assert!(title <= 256, "title of {title}");
        assert!(description <= 4096, "description of {description}");
        assert!(footer <= 2048, "footer of {footer}");
        assert!(author <= 256, "author of {author}");
        total += title + description + footer + author;
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        assert!(fields.len() <= 25, "{} fields", fields.len());
        for field in &fields {
            let (name, value) = (chars(&field["name"]), chars(&field["value"]));
            assert!((1..=256).contains(&name), "field name of {name}");
            assert!((1..=1024).contains(&value), "field value of {value}");
            total += name + value;
        }
        assert!(
            title + description + fields.len() > 0,
            "an embed needs some text"
        );
    }
    assert!(total <= 6000, "embeds total {total} characters");
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    assert!(rows.len() <= 5, "{} rows", rows.len());
    let mut ids = HashSet::new();
    for row in &rows {
        let buttons = row["components"].as_array().expect("row components");
        assert!(
            (1..=5).contains(&buttons.len()),
            "{} buttons in a row",
            buttons.len()
        );
        for button in buttons {
            let id = button["custom_id"].as_str().expect("custom_id");
            assert!((1..=100).contains(&id.chars().count()), "custom_id {id:?}");
            assert!(
                ids.insert(id.to_string()),
                "custom_id {id} used twice in one message"
            );
            assert!(chars(&button["label"]) <= 80);
        }
    }
    let has_text = chars(&data["content"]) > 0 || !embeds.is_empty();
    assert!(has_text, "a message needs content or an embed");
}

const DEFS: [&str; 5] = [
    "CreateMessageInteractionCallbackRequest",
    "UpdateMessageInteractionCallbackRequest",
    "ApplicationCommandAutocompleteCallbackRequest",
    "PongInteractionCallbackRequest",
    "ApplicationCommandCreateRequest",
];

/// A validator per definition of Discord's published schema for interaction callbacks
/// (extracted from its OpenAPI spec), compiled once per test binary.
fn validators() -> &'static Vec<(&'static str, jsonschema::Validator)> {
    static VALIDATORS: OnceLock<Vec<(&'static str, jsonschema::Validator)>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let text = std::fs::read_to_string(repo("tests/fixtures/discord/callbacks.schema.json"))
            .expect("schema");
        let schema: Value = serde_json::from_str(&text).expect("schema JSON");
        DEFS.iter()
            .map(|def| {
                let mut root = schema.clone();
                root["$ref"] = Value::String(format!("#/$defs/{def}"));
                (
                    *def,
                    jsonschema::validator_for(&root).expect("the schema compiles"),
                )
            })
            .collect()
    })
}

/// Validates a response against the schema's definition for its callback type.
pub fn assert_matches_schema(response: &Value) {
    let def = match response["type"].as_u64() {
        Some(4) => "CreateMessageInteractionCallbackRequest",
        Some(7) => "UpdateMessageInteractionCallbackRequest",
        Some(8) => "ApplicationCommandAutocompleteCallbackRequest",
        Some(1) => "PongInteractionCallbackRequest",
        other => panic!("no schema for callback type {other:?}"),
    };
    assert_valid(def, response);
}

/// Validates `value` against `#/$defs/<def>` of the schema.
pub fn assert_valid(def: &str, value: &Value) {
    let (_, validator) = validators()
        .iter()
        .find(|(d, _)| *d == def)
        .expect("a known definition");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{def} rejects the reply: {errors:#?}\n{value:#}"
    );
}

/// Marks every file under `dir` as written an hour ago, as files are in a folder that has
/// been served for a while (a file written in the last seconds is always read again).
pub fn age(dir: &Path) {
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            age(&path);
        } else {
            std::fs::File::options()
                .append(true)
                .open(&path)
                .expect("open")
                .set_modified(an_hour_ago)
                .expect("set the modification time");
        }
    }
}

/// Loads the folder again, as a reload does, or panics with every mistake found.
pub fn reload(folder: &mut briefbot::library::Folder) -> Library {
    folder
        .load()
        .unwrap_or_else(|e| panic!("loads:\n{}", e.diagnostics.render()))
}

/// Sends `signal` (`libc::SIGHUP`, `libc::SIGTERM`) to the process `pid`, as `kill` would,
/// without needing the `kill` program.
pub fn send_signal(pid: u32, signal: i32) {
    let pid = i32::try_from(pid).expect("a process id fits an i32");
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    let sent = unsafe { libc::kill(pid, signal) };
    assert_eq!(
        sent,
        0,
        "signal {signal} to process {pid}: {}",
        std::io::Error::last_os_error()
    );
}
