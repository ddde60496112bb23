//! The `briefbot` binary as editors and operators use it: `check` in text and JSON, `new`,
//! `ask`, config errors, and `serve` reloading end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{Lines, eventually};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn briefbot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(args)
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .env_remove("BRIEFBOT_DEFAULT_TRACK")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .output()
        .expect("run briefbot")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A copy of the shipped config and briefs in a fresh folder, for commands that write.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo().join("config.toml"), dir.path().join("config.toml")).expect("config");
    crate::common::copy_tree(&repo().join("briefs"), &dir.path().join("briefs"));
    dir
}

#[test]
fn check_passes_on_the_shipped_briefs() {
    let output = briefbot(&repo(), &["check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(stdout(&output), "checked 1 brief, 1 author: no errors\n");
}

#[test]
fn check_reports_every_error_with_source_lines_and_exits_1() {
    let output = briefbot(
        &repo(),
        &["check", "tests/fixtures/briefs-invalid/several_broken"],
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn check_json_gives_file_line_column_and_message() {
    let output = briefbot(
        &repo(),
        &[
            "check",
            "--format",
            "json",
            "tests/fixtures/briefs-invalid/unknown_key",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"], 1);
    let first = &json["diagnostics"][0];
    assert_eq!(
        first["file"],
        "tests/fixtures/briefs-invalid/unknown_key/01-geneva.md"
    );
    assert_eq!(first["line"], 8);
    assert_eq!(first["column"], 1);
    assert_eq!(
        first["message"],
        "unknown key `sumary` in a brief; did you mean `summary`?"
    );
}

#[test]
fn check_github_annotates_each_mistake_on_its_line_relative_to_the_checkout() {
    // An absolute folder, as a workflow might pass it: annotations still name the file
    // from the current folder (the checkout), where GitHub looks for it.
    let folder = repo().join("tests/fixtures/briefs-invalid/list_missing_comma");
    let folder = folder.to_str().expect("a UTF-8 path");
    let output = briefbot(&repo(), &["check", "--format", "github", folder]);
    assert_eq!(output.status.code(), Some(1));
    let file = "tests/fixtures/briefs-invalid/list_missing_comma";
    assert_eq!(
        stdout(&output),
        format!(
            "::error file={file}/01-one-line.md,line=9,col=29,title=briefbot check::\
             a comma is missing between list items%0Ahelp: separate list items with commas: \
             `key_points = [\"First point.\", \"Second point.\", \"Third point.\"]`\n\
             ::error file={file}/02-lines.md,line=10,col=17,title=briefbot check::\
             a comma is missing between list items%0Ahelp: end the item's line with a comma: \
             `\"First point.\",`\n\
             checked 2 briefs, 1 author: 2 errors\n"
        )
    );
}

#[test]
fn check_github_of_clean_briefs_prints_only_the_summary_and_exits_0() {
    let output = briefbot(&repo(), &["check", "--format", "github", "briefs"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(stdout(&output), "checked 1 brief, 1 author: no errors\n");
}

#[test]
fn new_writes_a_scaffold_that_check_rejects_until_filled_in() {
    let dir = workspace();
    let output = briefbot(dir.path(), &["new", "--round", "6", "--place", "Abu Dhabi"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.path().join("briefs/syria-israel/06-abu-dhabi.md");
    assert!(stdout(&output).contains("briefs/syria-israel/06-abu-dhabi.md"));

    let output = briefbot(dir.path(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    for key in [
        "title",
        "date",
        "author",
        "summary",
        "key_points",
        "status",
        "party",
        "stance",
    ] {
        let expected = format!("`{key}` is still a placeholder from `briefbot new`");
        assert!(
            messages.contains(&expected.as_str()),
            "check names `{key}`: {messages:#?}"
        );
    }
    assert!(messages.contains(&"the briefing still holds a placeholder from `briefbot new`"));

    // Filled in, the scaffold is a valid brief: the template teaches the real format.
    let filled = std::fs::read_to_string(&path)
        .expect("scaffold")
        .replace(
            "\"TODO: the day the round concluded, as YYYY-MM-DD without quotes\"",
            "2026-02-03",
        )
        .replace(
            "\"TODO: the author's file name in authors/, such as omar-safadi\"",
            "\"omar-safadi\"",
        )
        .replace(
            "\"TODO: a party's name or alias from parties.toml\"",
            "\"Syria\"",
        )
        .replace(
            "\"TODO: its https:// address, or remove url\"",
            "\"https://example.org/\"",
        )
        .replace("TODO: ", "Filled in: ");
    std::fs::write(&path, filled).expect("write");
    let output = briefbot(dir.path(), &["check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(stdout(&output), "checked 2 briefs, 1 author: no errors\n");
}

#[test]
fn new_takes_the_next_free_round_even_while_the_last_one_is_unfinished() {
    let dir = workspace();
    let first = briefbot(dir.path(), &["new", "--place", "Geneva"]);
    assert!(first.status.success(), "{}", stdout(&first));
    assert!(
        stdout(&first).contains("06-geneva.md (round 6 of syria-israel)"),
        "{}",
        stdout(&first)
    );
    // 06-geneva.md still holds placeholders, so the folder does not load; its number is
    // still taken.
    let second = briefbot(dir.path(), &["new", "--place", "Rome"]);
    assert!(second.status.success(), "{}", stdout(&second));
    assert!(
        dir.path().join("briefs/syria-israel/07-rome.md").is_file(),
        "{}",
        stdout(&second)
    );
    // The scaffold shows, commented out, what else a brief may hold.
    let text = std::fs::read_to_string(dir.path().join("briefs/syria-israel/07-rome.md"))
        .expect("scaffold");
    for line in [
        "# draft = true",
        "# publish_at = ",
        "# representatives = [",
        "# [[corrections]]",
    ] {
        assert!(text.contains(line), "{line} in the scaffold");
    }
}

#[test]
fn new_author_writes_an_author_file_that_check_reads() {
    let dir = workspace();
    let output = briefbot(
        dir.path(),
        &["new", "author", "lina-haddad", "--name", "Lina Haddad"],
    );
    assert!(output.status.success(), "{}", stdout(&output));
    let path = dir.path().join("briefs/authors/lina-haddad.toml");
    let text = std::fs::read_to_string(&path).expect("author file");
    assert!(text.contains("name = \"Lina Haddad\""), "{text}");

    let check = briefbot(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "the bio is still a placeholder"
    );
    assert!(
        stdout(&check).contains("authors/lina-haddad.toml"),
        "{}",
        stdout(&check)
    );

    std::fs::write(
        &path,
        text.replace("TODO: a few sentences", "Lina Haddad writes"),
    )
    .expect("fill in");
    let check = briefbot(dir.path(), &["check"]);
    assert!(check.status.success(), "{}", stdout(&check));
    assert_eq!(stdout(&check), "checked 1 brief, 2 authors: no errors\n");

    let again = briefbot(dir.path(), &["new", "author", "lina-haddad"]);
    assert_eq!(again.status.code(), Some(2));
    let refused = briefbot(dir.path(), &["new", "author", "Lina_Haddad"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("`Lina_Haddad` must be lower-case"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn ask_says_a_round_is_held_and_answers_as_published_with_include_held() {
    let drafts = repo().join("tests/fixtures/briefs-drafts");
    let ask = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .args(args)
            .current_dir(std::env::temp_dir())
            .env_remove("BRIEFBOT_CONFIG")
            .env("BRIEFBOT_BRIEFS_DIR", &drafts)
            .env("BRIEFBOT_DEFAULT_TRACK", "syria-israel")
            .output()
            .expect("run briefbot")
    };
    let held = ask(&["ask", "/round 6"]);
    assert!(held.status.success());
    assert!(
        stdout(&held).contains("There is no round 6"),
        "{}",
        stdout(&held)
    );
    let note = String::from_utf8_lossy(&held.stderr);
    assert!(
        note.contains("round 6 of syria-israel is a draft") && note.contains("--include-held"),
        "{note}"
    );

    let published = ask(&["ask", "--include-held", "/round 6"]);
    assert!(published.status.success());
    assert!(
        stdout(&published).contains("**Round 6 · 3 February 2026 · Geneva**"),
        "{}",
        stdout(&published)
    );
    assert!(published.stderr.is_empty());

    // Round 5's card changes too (its "next round" button leads to round 6 once published);
    // the shipped briefs, with nothing held, have no note.
    let paris = ask(&["ask", "/round 5"]);
    assert!(String::from_utf8_lossy(&paris.stderr).contains("round 6 of syria-israel"));
    let shipped = briefbot(&repo(), &["ask", "/round 5"]);
    assert!(
        shipped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&shipped.stderr)
    );
}

#[test]
fn new_never_overwrites_a_round_file() {
    let dir = workspace();
    assert!(
        briefbot(dir.path(), &["new", "--round", "6"])
            .status
            .success()
    );
    let output = briefbot(dir.path(), &["new", "--round", "6"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("06-round.md already exists"), "{stderr}");
}

#[test]
fn new_refuses_a_round_that_already_exists() {
    let dir = workspace();
    let output = briefbot(dir.path(), &["new", "--round", "5", "--place", "Rome"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "round 5 of track `syria-israel` already exists in briefs/syria-israel/05-paris.md"
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("briefs/syria-israel/05-rome.md").exists());
}

#[test]
fn a_missing_config_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = briefbot(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: config file config.toml not found"),
        "{stderr}"
    );
}

#[test]
fn check_of_a_named_folder_needs_no_config_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let briefs = repo().join("tests/fixtures/briefs-valid");
    let briefs = briefs.to_str().expect("utf-8 path");
    let output = briefbot(dir.path(), &["check", briefs]);
    // Without a config there is no default track, so the one fixture without `track` fails.
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("missing required key `track` in a brief"));
    assert!(stdout(&output).ends_with("checked 5 briefs, 2 authors: 1 error\n"));
}

#[test]
fn a_malformed_config_names_the_key_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config.toml"), "briefs_dir = 5\n").expect("write");
    let output = briefbot(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: config.toml:1:14:"), "{stderr}");
}

#[test]
fn ask_renders_the_latest_card_as_terminal_text() {
    let output = briefbot(&repo(), &["ask", "/latest"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert!(text.starts_with(
        "━━ Paris round ends with a proposal for a joint, demilitarized economic zone ━━\n"
    ));
    assert!(
        text.contains("[◀ Previous (off)] [Next ▶ (off)] [Positions] [Author] [More]"),
        "{text}"
    );
    assert!(
        text.contains("Positions → --press round:syria-israel:5:positions"),
        "{text}"
    );
}

#[test]
fn ask_json_prints_the_interaction_response() {
    let output = briefbot(&repo(), &["ask", "--json", "/round 5"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(json["type"], 4);
    assert_eq!(
        json["data"]["allowed_mentions"]["parse"],
        serde_json::json!([])
    );
}

#[test]
fn ask_press_follows_a_button() {
    let output = briefbot(
        &repo(),
        &["ask", "--press", "round:syria-israel:5:positions"],
    );
    assert!(output.status.success());
    assert!(
        stdout(&output).starts_with("━━ Positions: Paris round"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn ask_complete_lists_suggestions() {
    let output = briefbot(&repo(), &["ask", "--complete", "/positions party:sy"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "Syria  → Syria\n");
}

#[test]
fn ask_with_a_bad_command_line_lists_the_commands() {
    let output = briefbot(&repo(), &["ask", "/weather"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: unknown command `/weather`\ncommands:\n"),
        "{stderr}"
    );
    assert!(stderr.contains("/round number:…"), "{stderr}");
}

/// What the core answers to `request`, as `ask --json` prints it.
fn core_json(request: briefbot::commands::Request) -> serde_json::Value {
    briefbot::commands::respond(&crate::common::shipped(), &request)
        .fit()
        .to_json()
}

fn ask_json(args: &[&str]) -> serde_json::Value {
    let output = briefbot(&repo(), &[&["ask", "--json"], args].concat());
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

#[test]
fn ask_search_looks_for_the_rest_of_the_line() {
    use briefbot::commands::{Command, Request};
    let search = |query: &str, track: Option<&str>| {
        core_json(Request::Command(Command::Search {
            query: query.into(),
            track: track.map(str::to_string),
        }))
    };
    assert_eq!(
        ask_json(&["/search economic zone"]),
        search("economic zone", None)
    );
    assert_eq!(
        ask_json(&["/search query:\"economic zone\""]),
        search("economic zone", None)
    );
    assert_eq!(
        ask_json(&["/search economic zone track:syria-israel"]),
        search("economic zone", Some("syria-israel"))
    );
    let output = briefbot(&repo(), &["ask", "/search economic zone"]);
    assert!(output.status.success());
    let text = briefbot::commands::respond(
        &crate::common::shipped(),
        &Request::Command(Command::Search {
            query: "economic zone".into(),
            track: None,
        }),
    )
    .fit()
    .to_text();
    assert!(stdout(&output).starts_with(&text), "{}", stdout(&output));
}

#[test]
fn ask_message_runs_brief_me_on_the_text() {
    use briefbot::commands::{Command, Request};
    let text = "Did anyone follow the Paris talks? Something about an economic zone";
    assert_eq!(
        ask_json(&["--message", text]),
        core_json(Request::Command(Command::BriefMe { text: text.into() }))
    );
}

/// `briefbot ask` run offline: no token anywhere, and any attempt to reach the network sent
/// to a proxy that does not exist.
fn ask_offline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .arg("ask")
        .args(args)
        .current_dir(repo())
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .env_remove("BRIEFBOT_DEFAULT_TRACK")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .output()
        .expect("run briefbot")
}

#[test]
fn ask_search_economic_zone_prints_round_5_offline() {
    let output = ask_offline(&["/search economic zone"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert!(
        text.starts_with(
            "━━ 🔎 economic zone ━━\n\n\
             ▸ 1. Round 5 · 6 January 2026 · Paris\n  \
             **Paris round ends with a proposal for a joint, demilitarized economic zone**\n  \
             …round proposed a \"jointly-administered and demilitarized **economic** **zone**\" \
             on the Syrian-Israeli border.\n\n\
             — 1 round matches · page 1 of 1\n"
        ),
        "{text}"
    );
    // The one result opens with a button; one page, so nothing to turn.
    assert!(
        text.contains("[Round 5]\n  Round 5 → --press open:syria-israel:5\n"),
        "{text}"
    );
    assert!(!text.contains("--title"), "{text}");
}

#[test]
fn ask_message_prints_the_card_of_round_5_for_a_message_about_paris() {
    let output = ask_offline(&["--message", "What did Witkoff agree in Paris?"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let card = ask_offline(&["/round 5"]);
    assert!(card.status.success());
    // Privately, what it is, and then round 5's card with its buttons, as /round 5 shows it.
    assert_eq!(
        stdout(&output),
        format!(
            "(only you can see this)\n\
             The briefing that best matches this message: Round 5 · 6 January 2026 · Paris.\n{}",
            stdout(&card)
        )
    );
    assert!(
        stdout(&card).starts_with(
            "━━ Paris round ends with a proposal for a joint, demilitarized economic zone ━━\n\
             **Round 5 · 6 January 2026 · Paris**\n"
        ),
        "{}",
        stdout(&card)
    );
}

#[test]
fn ask_press_with_a_title_turns_a_search_page() {
    use briefbot::commands::Request;
    assert_eq!(
        ask_json(&["--press", "search::2", "--title", "🔎 economic zone"]),
        core_json(Request::Press {
            custom_id: "search::2".into(),
            carried: Some("🔎 economic zone".into()),
        })
    );
    assert_eq!(
        ask_json(&["--press", "search::2"]),
        core_json(Request::press("search::2"))
    );
}

#[test]
fn ask_refuses_a_search_without_a_query_and_flags_that_do_not_go_together() {
    let output = briefbot(&repo(), &["ask", "/search"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: `/search` needs `query`\ncommands:\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Brief me (a message's menu → Apps)"),
        "{stderr}"
    );
    assert!(stderr.contains("--message"), "{stderr}");
    for args in [
        &["ask", "--title", "🔎 economic zone"][..],
        &["ask", "--message", "text", "/latest"],
        &["ask", "--message", "text", "--press", "search::2"],
    ] {
        let output = briefbot(&repo(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn ask_help_names_the_flags_for_brief_me_and_search_pages() {
    let output = briefbot(&repo(), &["ask", "--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    for flag in [
        "--message <TEXT>",
        "--title <TEXT>",
        "/search economic zone",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
}

#[test]
fn register_dry_run_prints_the_commands_without_a_token_or_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = briefbot(dir.path(), &["register", "--dry-run"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let names: Vec<&str> = json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "latest",
            "round",
            "positions",
            "author",
            "rounds",
            "search",
            "Brief me",
            "about",
            "reload",
            "follow"
        ]
    );
    let commands = json.as_array().expect("a list");
    // `/reload` is for a server's managers: hidden from others by default, never in DMs.
    let reload = &json[8];
    assert_eq!(reload["default_member_permissions"], 32);
    assert_eq!(reload["contexts"], serde_json::json!([0]));
    assert_eq!(reload["integration_types"], serde_json::json!([0]));
    assert!(json[0]["default_member_permissions"].is_null());
    // `/follow` gives a role as the bot, which only a server install can: offered in servers
    // only, to every member.
    let follow = &json[9];
    assert_eq!(follow["contexts"], serde_json::json!([0]));
    assert_eq!(follow["integration_types"], serde_json::json!([0]));
    assert!(follow["default_member_permissions"].is_null());
    assert_eq!(follow["options"][0]["name"], "track");
    assert_eq!(follow["options"][0]["autocomplete"], true);
    // The reader commands can be installed to a server or to a person's account, and used in
    // servers, DMs with the bot and any DM or group DM.
    for reader in &commands[..8] {
        assert_eq!(reader["contexts"], serde_json::json!([0, 1, 2]), "{reader}");
        assert_eq!(
            reader["integration_types"],
            serde_json::json!([0, 1]),
            "{reader}"
        );
        assert!(reader["default_member_permissions"].is_null(), "{reader}");
    }
    // Every slash command says so; "Brief me" is a message command (type 3), in a message's
    // Apps menu, with no description or options.
    for command in commands {
        let expected = if command["name"] == "Brief me" { 3 } else { 1 };
        assert_eq!(command["type"], expected, "{command}");
    }
    let brief_me = &json[6];
    assert!(brief_me["description"].is_null(), "{brief_me}");
    assert!(brief_me["options"].is_null(), "{brief_me}");
    // Discord keeps a query within what a results title can show.
    let search = &json[5];
    assert_eq!(search["options"][0]["name"], "query");
    assert_eq!(search["options"][0]["type"], 3);
    assert_eq!(search["options"][0]["required"], true);
    assert_eq!(
        search["options"][0]["max_length"],
        briefbot::commands::views::search::MAX_QUERY_CHARS
    );
    assert_eq!(search["options"][1]["name"], "track");
    assert_eq!(search["options"][1]["autocomplete"], true);
}

#[test]
fn run_without_a_token_stops_before_connecting() {
    let output = briefbot(&repo(), &["run"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no Discord token: set DISCORD_TOKEN"),
        "{stderr}"
    );
}

#[test]
fn serve_with_announcements_but_no_token_says_what_is_missing() {
    let dir = workspace();
    let config = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    std::fs::write(
        dir.path().join("config.toml"),
        config.replace("channels = []", "channels = [1234567890123]"),
    )
    .expect("config");
    let key = crate::common::signing::public_key_hex(&crate::common::signing::test_key());
    let output = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .env("DISCORD_PUBLIC_KEY", key)
        .output()
        .expect("run briefbot");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[announce] is configured, and posting announcements needs the bot token"),
        "{stderr}"
    );
}

#[test]
fn the_token_never_appears_in_errors_or_logs() {
    let token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-signature-for-tests-only-0123456789";
    // A valid-looking token and a broken briefs folder: the bot stops before connecting.
    let output = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["run", "--log-format", "json"])
        .current_dir(repo())
        .env("DISCORD_TOKEN", token)
        .env("RUST_LOG", "trace")
        .env(
            "BRIEFBOT_BRIEFS_DIR",
            "tests/fixtures/briefs-invalid/several_broken",
        )
        .output()
        .expect("run briefbot");
    assert_eq!(output.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("5 errors in the briefs folder"), "{all}");
    assert!(!all.contains("fake-signature"), "the token leaked: {all}");

    let output = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .arg("run")
        .current_dir(repo())
        .env("DISCORD_TOKEN", "secret-but-malformed")
        .output()
        .expect("run briefbot");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("malformed"), "{all}");
    assert!(
        !all.contains("secret-but-malformed"),
        "the token leaked: {all}"
    );
}

/// A free loopback port (bound, then released for briefbot to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn signal(child: &std::process::Child, signal: i32) {
    crate::common::send_signal(child.id(), signal);
}

/// `briefbot serve` as deployed: the watcher brings a new round in while it serves, SIGHUP
/// reloads instead of ending the process, SIGTERM stops it cleanly; its logs, written to a
/// pipe as under systemd, carry no colour codes.
#[cfg(unix)]
#[tokio::test]
async fn serve_reloads_when_a_brief_is_added_and_on_sighup() {
    let dir = workspace();
    let addr = format!("127.0.0.1:{}", free_port());
    let key = crate::common::signing::public_key_hex(&crate::common::signing::test_key());
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["serve", "--listen", &addr])
        .current_dir(dir.path())
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("BRIEFBOT_BRIEFS_DIR")
        .env_remove("DISCORD_TOKEN")
        .env_remove("RUST_LOG")
        .env("DISCORD_PUBLIC_KEY", key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start briefbot serve");
    let logs = Lines::collect(child.stderr.take().expect("stderr"));
    let health = || async {
        match reqwest::get(format!("http://{addr}/healthz")).await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    };
    eventually("serve to start", Duration::from_secs(10), || async {
        health().await == "ok: 1 round\n"
    })
    .await;
    std::fs::write(
        dir.path().join("briefs/syria-israel/06-geneva.md"),
        crate::common::round_brief(6, "Geneva round"),
    )
    .expect("write round 6");
    eventually(
        "the new round to be served",
        Duration::from_secs(5),
        || async { health().await == "ok: 2 rounds\n" },
    )
    .await;

    signal(&child, libc::SIGHUP);
    let reloaded_on_signal =
        || logs.any(|l| l.contains("briefs reloaded") && l.contains("trigger=Signal"));
    eventually("the reload on SIGHUP", Duration::from_secs(5), || {
        std::future::ready(reloaded_on_signal())
    })
    .await;
    assert!(
        child.try_wait().expect("status").is_none(),
        "SIGHUP must reload, not end the process"
    );
    assert_eq!(health().await, "ok: 2 rounds\n");

    signal(&child, libc::SIGTERM);
    let stopped = eventually("serve to stop on SIGTERM", Duration::from_secs(5), || {
        std::future::ready(child.try_wait().expect("status").is_some())
    });
    stopped.await;
    let status = child.wait().expect("status");
    assert!(status.success(), "{status}");
    let logs = logs.all();
    assert!(logs.contains("serving interactions"), "{logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "colour codes in piped logs: {logs:?}"
    );
}

#[test]
fn the_track_of_a_search_autocompletes_as_every_other_track() {
    let search = briefbot(
        &repo(),
        &["ask", "--complete", "/search economic zone track:sy"],
    );
    let latest = briefbot(&repo(), &["ask", "--complete", "/latest track:sy"]);
    assert!(search.status.success() && latest.status.success());
    assert_eq!(stdout(&search), stdout(&latest));
    assert!(
        stdout(&search).contains("→ syria-israel"),
        "{}",
        stdout(&search)
    );
}

#[test]
fn serve_starts_from_the_environment_alone_and_says_which_version_started() {
    use std::io::{BufRead, BufReader};
    // A container: no config.toml, every setting from variables.
    let dir = tempfile::tempdir().expect("tempdir");
    let key = crate::common::signing::public_key_hex(&crate::common::signing::test_key());
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(dir.path())
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .env("DISCORD_PUBLIC_KEY", key)
        .env("BRIEFBOT_BRIEFS_DIR", repo().join("briefs"))
        .env("BRIEFBOT_DEFAULT_TRACK", "syria-israel")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start briefbot serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().expect("a first line").expect("text");
    let first: serde_json::Value = serde_json::from_str(&first).expect("a JSON log line");
    assert_eq!(
        first["fields"]["version"],
        env!("CARGO_PKG_VERSION"),
        "{first}"
    );
    assert_eq!(
        first["fields"]["settings"],
        "the environment (no config.toml)"
    );
    let serving = lines
        .map_while(Result::ok)
        .find(|line| line.contains("serving interactions"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(serving.is_some(), "serve started without a config file");
}

#[test]
fn version_is_printed_with_the_commit_it_was_built_from() {
    let output = briefbot(&repo(), &["--version"]);
    assert!(output.status.success());
    // The checkout's commit, as git names it; `unknown` outside a git checkout.
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |output| String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        );
    assert_eq!(
        stdout(&output).trim(),
        format!("briefbot {} (commit {commit})", env!("CARGO_PKG_VERSION"))
    );
}

/// Every subcommand starts from the environment alone, in a folder without `config.toml` (a
/// container's, an editors' CI's): none asks for the config file, and each goes on to its
/// own work, or to the error of its own that the settings lead to.
#[cfg(unix)]
#[tokio::test]
async fn every_subcommand_starts_from_the_environment_alone() {
    use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN, DiscordStub};
    use std::io::{BufRead, BufReader};
    const NEWS: u64 = 1_111_111_111_111_111;
    let stub = DiscordStub::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Not `briefs`, so that only the variable can name it.
    let briefs = dir.path().join("shipped-briefs");
    crate::common::copy_tree(&repo().join("briefs"), &briefs);
    let settings = [
        ("BRIEFBOT_BRIEFS_DIR", briefs.display().to_string()),
        ("BRIEFBOT_DEFAULT_TRACK", "syria-israel".to_string()),
        (
            "BRIEFBOT_STATE_DIR",
            dir.path().join("state").display().to_string(),
        ),
        ("BRIEFBOT_APPLICATION_ID", APPLICATION_ID.to_string()),
        ("BRIEFBOT_API_URL", format!("http://{}", stub.addr)),
        ("BRIEFBOT_ANNOUNCE_CHANNELS", NEWS.to_string()),
        ("DISCORD_TOKEN", BOT_TOKEN.to_string()),
    ];
    // The environment holds these settings and nothing else.
    let command = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_briefbot"));
        command
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .envs(settings.iter().map(|(var, value)| (var, value)));
        command
    };
    // Off the runtime's thread, so the stand-in keeps answering.
    let run = |args: &[&str]| {
        let mut command = command(args);
        async move {
            tokio::task::spawn_blocking(move || command.output().expect("run briefbot"))
                .await
                .expect("joined")
        }
    };
    let asks_for_the_file = |output: &Output| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        stderr.contains("config file") && stderr.contains("not found")
    };
    assert!(!dir.path().join("config.toml").exists());

    let checked = run(&["check"]).await;
    assert!(!asks_for_the_file(&checked));
    assert_eq!(stdout(&checked), "checked 1 brief, 1 author: no errors\n");
    assert!(checked.status.success());

    let asked = run(&["ask", "/latest"]).await;
    assert!(!asks_for_the_file(&asked));
    assert!(
        stdout(&asked).starts_with("━━ Paris round ends with a proposal"),
        "{}",
        stdout(&asked)
    );

    let printed = run(&["register", "--dry-run"]).await;
    assert!(!asks_for_the_file(&printed));
    assert!(printed.status.success());

    let registered = run(&["register"]).await;
    assert!(!asks_for_the_file(&registered));
    assert_eq!(
        stdout(&registered),
        "all servers (global): registered 10 commands\n",
        "{}",
        String::from_utf8_lossy(&registered.stderr)
    );

    let announced = run(&["announce", "--round", "5"]).await;
    assert!(!asks_for_the_file(&announced));
    assert!(
        stdout(&announced).starts_with(&format!(
            "round 5 of `syria-israel`: announced in channel {NEWS} (message "
        )),
        "{}{}",
        stdout(&announced),
        String::from_utf8_lossy(&announced.stderr)
    );
    assert_eq!(stub.posts(NEWS).len(), 1);

    let exported = run(&["state", "export", "--to", "-"]).await;
    assert!(!asks_for_the_file(&exported));
    assert_eq!(exported.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&exported.stderr)
            .starts_with("error: no state database is configured"),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );

    // The preview starts, says where, and stops on SIGTERM.
    let mut preview = command(&["preview", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start briefbot preview");
    let out = preview.stdout.take().expect("stdout");
    let first = tokio::task::spawn_blocking(move || BufReader::new(out).lines().next())
        .await
        .expect("joined");
    let first = first.and_then(Result::ok).unwrap_or_default();
    // Serving (and so listening for SIGTERM) once it answers.
    if let Some(page) = first.split(" at ").nth(1).map(str::to_string) {
        eventually("the preview to answer", Duration::from_secs(10), || async {
            reqwest::get(&page).await.is_ok()
        })
        .await;
    }
    signal(&preview, libc::SIGTERM);
    let previewed = preview.wait_with_output().expect("preview stops");
    assert!(!asks_for_the_file(&previewed));
    assert!(
        first.starts_with(&format!(
            "previewing {} at http://127.0.0.1:",
            briefs.display()
        )),
        "{first}{}",
        String::from_utf8_lossy(&previewed.stderr)
    );
    assert!(previewed.status.success(), "{}", previewed.status);

    let written = run(&["new", "--round", "6", "--place", "Geneva"]).await;
    assert!(!asks_for_the_file(&written));
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert!(briefs.join("syria-israel/06-geneva.md").exists());
}

#[test]
fn ask_message_in_arabic_or_hebrew_finds_the_paris_round() {
    // The shipped parties.toml names Syria and Israel in Arabic and Hebrew; «وإسرائيل» and
    // «לישראל» carry a prefix the alias does not.
    let card = ask_offline(&["/round 5"]);
    assert!(card.status.success());
    for message in [
        "محادثات باريس بين سوريا وإسرائيل",
        "השיחות בפריז בין סוריה לישראל",
    ] {
        let output = ask_offline(&["--message", message]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            stdout(&output),
            format!(
                "(only you can see this)\n\
                 The briefing that best matches this message: Round 5 · 6 January 2026 · Paris.\n{}",
                stdout(&card)
            ),
            "{message}"
        );
    }
}

#[test]
fn positions_of_a_party_named_in_arabic_or_hebrew() {
    let english = ask_offline(&["/positions party:Syria"]);
    assert!(english.status.success());
    assert!(stdout(&english).starts_with("━━ 🇸🇾 Syria, round by round ━━"));
    for name in ["سوريا", "סוריה"] {
        let output = ask_offline(&[format!("/positions party:{name}").as_str()]);
        assert_eq!(stdout(&output), stdout(&english), "{name}");
    }
    let israel = ask_offline(&["/positions party:Israel"]);
    for name in ["إسرائيل", "ישראל"] {
        let output = ask_offline(&[format!("/positions party:{name}").as_str()]);
        assert_eq!(stdout(&output), stdout(&israel), "{name}");
    }
}

/// Round 5 as round `number` of no named track, for the track rule's tests.
fn round_without_track(number: u32) -> String {
    let paris =
        std::fs::read_to_string(repo().join("briefs/syria-israel/05-paris.md")).expect("round 5");
    paris
        .replacen("track = \"syria-israel\"\n", "", 1)
        .replacen("round = 5\n", &format!("round = {number}\n"), 1)
}

#[test]
fn check_gives_one_verdict_in_the_repository_and_in_a_bare_checkout() {
    // At home: the repository's config.toml is read.
    let home = briefbot(&repo(), &["check"]);
    // In a pull request's workflow: the briefs alone, no config.
    let bare = tempfile::tempdir().expect("tempdir");
    crate::common::copy_tree(&repo().join("briefs"), &bare.path().join("briefs"));
    // A round without a `track` line, in its track's folder.
    std::fs::write(
        bare.path().join("briefs/syria-israel/06-abu-dhabi.md"),
        round_without_track(6),
    )
    .expect("write");
    let ci = briefbot(bare.path(), &["check", "briefs"]);
    assert!(ci.status.success(), "{}", stdout(&ci));
    assert_eq!(stdout(&ci), "checked 2 briefs, 1 author: no errors\n");
    assert!(home.status.success(), "{}", stdout(&home));
    assert_eq!(stdout(&home), "checked 1 brief, 1 author: no errors\n");
}

#[test]
fn a_round_takes_its_track_from_its_line_else_its_folder_else_the_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let briefs = dir.path().join("briefs");
    crate::common::copy_tree(&repo().join("briefs/authors"), &briefs.join("authors"));
    std::fs::write(
        briefs.join("tracks.toml"),
        "default = \"syria-israel\"\n\n[[track]]\nid = \"syria-israel\"\nname = \"Syria–Israel talks\"\n\n[[track]]\nid = \"gulf\"\nname = \"Gulf talks\"\n",
    )
    .expect("tracks.toml");
    let write = |path: &str, text: String| {
        let path = briefs.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, text).expect("write");
    };
    // In the gulf folder: the gulf track, at any depth under it.
    write("gulf/2026/01-doha.md", round_without_track(1));
    // In a folder organised another way: the default track.
    write("archive/02-cairo.md", round_without_track(2));
    // Directly in the briefs folder: the default track.
    write("03-amman.md", round_without_track(3));
    // Its own line wins over its folder.
    write(
        "gulf/04-muscat.md",
        round_without_track(4).replacen("round = 4\n", "track = \"syria-israel\"\nround = 4\n", 1),
    );
    let library = briefbot::library::Library::load(&briefs, &Default::default())
        .unwrap_or_else(|e| panic!("loads:\n{}", e.diagnostics.render()));
    let numbers = |track: &str| -> Vec<u32> {
        library
            .track(track)
            .map(|t| t.rounds.iter().map(|r| r.number).collect())
            .unwrap_or_default()
    };
    assert_eq!(numbers("gulf"), [1]);
    assert_eq!(numbers("syria-israel"), [2, 3, 4]);
    assert_eq!(library.track_name("gulf"), "Gulf talks");

    // Without tracks.toml's default, a file outside a track's folder says what to do.
    std::fs::write(
        briefs.join("tracks.toml"),
        "[[track]]\nid = \"gulf\"\nname = \"Gulf talks\"\n",
    )
    .expect("tracks.toml");
    let output = briefbot(dir.path(), &["check", "--format", "json", "briefs"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let files: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(files, ["briefs/03-amman.md", "briefs/archive/02-cairo.md"]);
    assert_eq!(
        json["diagnostics"][0]["help"],
        "write the track the round belongs to, such as `track = \"syria-israel\"`; or list the track in the briefs folder's tracks.toml and put the file in the track's folder, or name a `default` track there"
    );
}

#[test]
fn a_default_track_only_the_config_knows_is_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::copy_tree(&repo().join("briefs"), &dir.path().join("briefs"));
    std::fs::remove_file(dir.path().join("briefs/tracks.toml")).expect("remove");
    std::fs::write(
        dir.path().join("config.toml"),
        "briefs_dir = \"briefs\"\ndefault_track = \"syria-israel\"\n",
    )
    .expect("config");
    let output = briefbot(dir.path(), &["check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains("warning: briefs: the default track `syria-israel` comes from the config (`default_track` or BRIEFBOT_DEFAULT_TRACK), which a check elsewhere does not see"),
        "{text}"
    );
    assert!(
        text.ends_with("checked 1 brief, 1 author: no errors, 1 warning\n"),
        "{text}"
    );
}

#[test]
fn markdown_discord_does_not_draw_is_a_warning_on_its_line() {
    let dir = workspace();
    let path = dir.path().join("briefs/syria-israel/05-paris.md");
    let mut text = std::fs::read_to_string(&path).expect("round 5");
    let first = text.lines().count() + 2;
    text.push_str("\n#### Background\n\n| Party | Stance |\n|---|---|\n| Israel | wait |\n\nSee ![the map](https://example.org/map.png) and <b>this</b>.\n");
    std::fs::write(&path, text).expect("write");
    let output = briefbot(dir.path(), &["check", "--format", "github"]);
    // Warnings never fail the check: the round is still served.
    assert!(output.status.success(), "{}", stdout(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    let at = |line: usize, col: usize| {
        format!(
            "::warning file=briefs/syria-israel/05-paris.md,line={line},col={col},title=briefbot check::"
        )
    };
    let expected = [
        (
            at(first, 1),
            "Discord draws headings down to `###`; a `####` heading shows as written, hashes and all%0Ahelp: use `###`, or bold text on a line of its own: `**Background**`",
        ),
        (
            at(first + 2, 1),
            "Discord does not draw tables: members would see this table as lines of `|` and `-`%0Ahelp: write each row as a list item instead, such as `- **Israel**: withdrawal in stages`",
        ),
        (
            at(first + 6, 5),
            "Discord does not show images in a card's text: members would see `![…](…)`%0Ahelp: link to it instead: `[the map](https://example.org/map.png)`",
        ),
        (
            at(first + 6, 49),
            "Discord does not draw HTML: members would see `<b>` as written%0Ahelp: use Markdown: `**bold**`, `*italic*`, `[a link](https://…)`, a blank line for a new paragraph",
        ),
        (
            at(first + 6, 56),
            "Discord does not draw HTML: members would see `</b>` as written%0Ahelp: use Markdown: `**bold**`, `*italic*`, `[a link](https://…)`, a blank line for a new paragraph",
        ),
    ];
    for (line, (prefix, message)) in lines.iter().zip(&expected) {
        assert_eq!(line, &format!("{prefix}{message}"));
    }
    assert_eq!(lines.len(), expected.len() + 1, "{lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("checked 1 brief, 1 author: no errors, 5 warnings")
    );
}
