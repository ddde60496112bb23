//! The announcement state in PostgreSQL, against a real server the tests start: the store
//! behaves as the state file does; several instances on one database announce each new round
//! once; a holder killed between its post and its record is taken over without a second post;
//! a database stopped and started again while running loses and repeats nothing; a database
//! that cannot be reached stops the bot with its URL, never its password.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::announce::{NEWS, add_round, edits_of, posts_to, settings, state_dir, until};
use crate::common::discord_stub::{DiscordStub, rest_for};
use crate::common::postgres::{self, PgServer, TestDatabase};
use crate::common::{child_lines, child_test, live, shipped_copy};
use briefbot::config::{AnnounceMode, DatabaseUrl};
use briefbot::library::RoundId;
use briefbot::live::announce::database::Database;
use briefbot::live::announce::state::{Announced, Pending, Shows, State, StateError, StateFile};
use briefbot::live::announce::store::StateStore;
use briefbot::live::announce::{Contender, Role, Settings};
use briefbot::live::{Reloader, Trigger};

fn url(database: &str) -> DatabaseUrl {
    DatabaseUrl::parse(database).expect("a database URL")
}

/// Announcing to `NEWS` with the state in `database`, checking the lock every 100 ms.
fn on_database(dir: &Path, database: &str) -> Settings {
    Settings {
        database: Some(url(database)),
        takeover_grace: Duration::from_millis(300),
        lock_check: Duration::from_millis(100),
        ..settings(dir, &[NEWS], None)
    }
}

pub(crate) async fn contend(
    stub: &DiscordStub,
    reloader: &Arc<Reloader>,
    settings: Settings,
) -> Contender {
    let database = settings.database.clone().expect("a database");
    Contender::start(stub.rest(), reloader.clone(), settings, &database)
        .await
        .expect("the contender starts")
}

fn role(contender: &Contender) -> Option<Role> {
    contender.role().get()
}

/// Every change the announcer makes, in order, each saved and read back whole.
async fn exercise(store: &dyn StateStore) {
    assert_eq!(
        store.load().await.expect("load"),
        None,
        "nothing before the first start"
    );
    let mut current = State::empty();
    let mut step = |change: fn(&mut State)| {
        let mut next = current.clone();
        change(&mut next);
        let before = std::mem::replace(&mut current, next.clone());
        (before, next)
    };
    let steps: Vec<fn(&mut State)> = vec![
        |s| {
            s.known
                .entry("syria-israel".into())
                .or_default()
                .extend([1, 2, 5]);
            s.known.entry("lebanon".into()).or_default().insert(3);
        },
        |s| {
            s.known.entry("syria-israel".into()).or_default().insert(6);
            s.pending.push(Pending::new("syria-israel", 6, 11));
            s.pending.push(Pending::new("syria-israel", 6, 12));
            s.pending.push(Pending::new("syria-israel", 6, 13));
        },
        |s| {
            let first = s.pending[0].clone();
            s.attempt(&first, 1_700_000_000_000);
        },
        |s| {
            let first = s.pending[0].clone();
            s.posted(&first, 901, "card-6".into());
        },
        |s| {
            let first = s.pending[0].clone();
            s.deliver_as(
                &first,
                Announced {
                    message: 901,
                    card: "card-6".into(),
                    mode: AnnounceMode::Thread,
                    thread: Some(901),
                    crossposted: true,
                },
            );
        },
        |s| {
            let second = s.pending[0].clone();
            s.deliver(&second, 902, "card-6".into());
            let third = s.pending[0].clone();
            s.drop_pending(&third);
        },
        |s| {
            let round = RoundId {
                track: "syria-israel".into(),
                number: 6,
            };
            s.shown(&round, 11, &Shows::Card("card-6b".into()));
            s.shown(&round, 12, &Shows::Withdrawn);
            s.reported_failure = Some("failure-fingerprint".into());
            // The failure's note for the errors channel, recorded with it.
            s.note(
                "failure:failure-fingerprint".into(),
                r#"{"embeds":[{"title":"Brief reload failed"}]}"#.into(),
            );
        },
        |s| s.note_attempt("failure:failure-fingerprint", 1_700_000_000_500),
        |s| {
            // Posted; the folder loads again, and the "fixed" note waits.
            s.noted("failure:failure-fingerprint");
            s.note("fixed:failure-fingerprint".into(), "{}".into());
            s.reported_failure = None;
        },
        |s| {
            // A track gone for good, forgotten; the note posted.
            s.known.remove("lebanon");
            s.noted("fixed:failure-fingerprint");
        },
    ];
    for change in &steps {
        let (before, next) = step(*change);
        store.save(&before, &next).await.expect("save");
        assert_eq!(
            store.load().await.expect("load").as_ref(),
            Some(&next),
            "read back after the change"
        );
    }
}

#[tokio::test]
async fn the_state_file_stores_every_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = StateFile::in_dir(&state_dir(&dir)).expect("state folder");
    exercise(&file).await;
}

#[tokio::test]
async fn the_state_database_stores_every_change_as_the_file_does() {
    let Some(database) = postgres::database() else {
        return;
    };
    let store = Database::open(&url(database.url())).await.expect("connect");
    assert!(
        store.try_lock().await.expect("lock"),
        "no one else holds it"
    );
    exercise(&store).await;

    // The migrations (the state, the errors channel's notes, the servers' own settings) are
    // recorded once each: a second start applies nothing again.
    let again = Database::open(&url(database.url()))
        .await
        .expect("connect again");
    assert_eq!(
        postgres::psql(database.url(), "SELECT count(*) FROM _sqlx_migrations").expect("psql"),
        "3"
    );

    // Another connection, without the lock, is refused every write, even one that changes
    // nothing: an instance that lost the lock posts nothing on its behalf.
    assert!(!again.try_lock().await.expect("ask"), "the lock is taken");
    let state = again.load().await.expect("load").expect("a state");
    let error = again
        .save(&state, &state)
        .await
        .expect_err("not the holder");
    assert!(matches!(error, StateError::NotHolder { .. }), "{error}");
    assert!(
        !error.to_string().contains(postgres_password(&database)),
        "{error}"
    );
}

fn postgres_password(database: &TestDatabase) -> &str {
    database.server().map_or("(external)", PgServer::password)
}

/// Two instances on one database: one announces, the other stands by, and a new round is
/// posted once; when the holder stops, the other takes over and posts the next round once.
#[tokio::test]
async fn two_instances_on_one_database_announce_each_round_once() {
    let Some(database) = postgres::database() else {
        return;
    };
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let (first_reloader, second_reloader) = (live(&briefs), live(&briefs));
    let first = contend(
        &stub,
        &first_reloader,
        on_database(&state_dir(&dir), database.url()),
    )
    .await;
    let second = contend(
        &stub,
        &second_reloader,
        on_database(&state_dir(&dir), database.url()),
    )
    .await;
    until("one instance to announce and the other to stand by", || {
        let roles = [role(&first), role(&second)];
        roles.contains(&Some(Role::Active)) && roles.contains(&Some(Role::Standby))
    })
    .await;
    until("the first start's record", || {
        first.state().or(second.state()).is_some()
    })
    .await;

    add_round(&briefs, 6, "Geneva round");
    first_reloader.reload(Trigger::Files).await;
    second_reloader.reload(Trigger::Files).await;
    until("round 6 posted", || posts_to(&stub, NEWS).len() == 1).await;
    let (holder, standby) = if role(&first) == Some(Role::Active) {
        (first, second)
    } else {
        (second, first)
    };
    until("round 6 recorded as delivered", || {
        holder
            .state()
            .is_some_and(|s| s.pending.is_empty() && s.delivered.len() == 1)
    })
    .await;
    assert_eq!(
        standby.state(),
        None,
        "the standby keeps no state of its own"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posts_to(&stub, NEWS).len(), 1, "posted once");

    // The holder stops (a deploy): the standby takes over within about a lock check.
    holder.stop().await;
    until("the standby to take over", || {
        role(&standby) == Some(Role::Active)
    })
    .await;
    add_round(&briefs, 7, "Rome round");
    first_reloader.reload(Trigger::Files).await;
    second_reloader.reload(Trigger::Files).await;
    until("round 7 posted", || posts_to(&stub, NEWS).len() == 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posts = posts_to(&stub, NEWS);
    let titles: Vec<&str> = posts
        .iter()
        .map(|p| p["embeds"][0]["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(titles, ["Geneva round", "Rome round"], "each once");
    let state = standby.state().expect("the new holder's state");
    assert_eq!(state.delivered.len(), 2);
    standby.stop().await;
}

/// Where the killed child finds the stand-in, the briefs, the state folder and the database.
const CHILD_ENV: &str = "BRIEFBOT_TEST_DATABASE_CHILD";

/// Run only as a child of the test below (which kills it); returns at once otherwise.
#[test]
#[ignore = "run by the_holder_killed_between_post_and_record_is_taken_over_without_a_second_post"]
fn child_holds_the_lock_until_killed() {
    let Some(lines) = child_lines(CHILD_ENV, 4) else {
        return;
    };
    let [addr, briefs, state, database] = &lines[..] else {
        unreachable!("four lines");
    };
    let addr = addr.parse().expect("address");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let settings = on_database(Path::new(state), database);
        let _contender = Contender::start(
            rest_for(addr),
            live(Path::new(briefs)),
            settings,
            &url(database),
        )
        .await
        .expect("the child contends");
        std::future::pending::<()>().await;
    });
}

#[tokio::test]
async fn the_holder_killed_between_post_and_record_is_taken_over_without_a_second_post() {
    let Some(database) = postgres::database() else {
        return;
    };
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let state = state_dir(&dir);
    // The first start records round 5, then lets go of the lock.
    let first = contend(&stub, &live(&briefs), on_database(&state, database.url())).await;
    until("the first start's record", || first.state().is_some()).await;
    first.stop().await;

    // Round 6 is added; the child takes the lock and posts it, Discord keeps the post, and
    // the child is killed before the confirmation reaches it.
    add_round(&briefs, 6, "Geneva round");
    stub.state.hold_posts.store(true, Ordering::SeqCst);
    let mut child = child_test(
        "shared_state::child_holds_the_lock_until_killed",
        CHILD_ENV,
        &[
            stub.addr.to_string(),
            briefs.display().to_string(),
            state.display().to_string(),
            database.url().to_string(),
        ],
    );
    until("the child's post to reach Discord", || {
        posts_to(&stub, NEWS).len() == 1
    })
    .await;
    // This instance stands by while the child holds the lock.
    let second = contend(&stub, &live(&briefs), on_database(&state, database.url())).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        role(&second),
        Some(Role::Standby),
        "the child holds the lock"
    );
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    stub.state.hold_posts.store(false, Ordering::SeqCst);

    // PostgreSQL releases the dead child's lock; this instance takes over, finds the child's
    // post in the channel, and records it rather than posting again.
    until("the takeover", || role(&second) == Some(Role::Active)).await;
    until("round 6 recorded as delivered", || {
        second
            .state()
            .is_some_and(|s| s.pending.is_empty() && s.delivered.len() == 1)
    })
    .await;
    let posts = posts_to(&stub, NEWS);
    assert_eq!(posts.len(), 1, "posted once in total");
    let recorded = second.state().expect("state").delivered[0].message;
    assert_eq!(
        recorded.to_string(),
        posts[0]["id"].as_str().unwrap_or_default()
    );
    second.stop().await;
}

/// The database goes away while the bot runs: commands are still answered from the library,
/// nothing is posted blind, and once the database is back the round added meanwhile is
/// posted once.
#[tokio::test]
async fn the_database_stopped_and_started_again_loses_and_repeats_nothing() {
    // A server of this test's own, to stop and start.
    let Some(server) = PgServer::start() else {
        return;
    };
    let database = server.create_database("briefbot_restart");
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let contender = contend(&stub, &reloader, on_database(&state_dir(&dir), &database)).await;
    until("the first start's record", || contender.state().is_some()).await;

    server.stop();
    until("the holder to notice and stand by", || {
        role(&contender) == Some(Role::Standby)
    })
    .await;
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    assert_eq!(
        reloader.current().round_count(),
        2,
        "the library is served without the database"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(posts_to(&stub, NEWS).is_empty(), "nothing posted blind");

    server.start_again();
    until("round 6 posted once the database is back", || {
        posts_to(&stub, NEWS).len() == 1
    })
    .await;
    assert_eq!(role(&contender), Some(Role::Active));
    until("round 6 recorded as delivered", || {
        contender
            .state()
            .is_some_and(|s| s.pending.is_empty() && s.delivered.len() == 1)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(posts_to(&stub, NEWS).len(), 1);
    contender.stop().await;
}

/// A corrected round's announcement is edited once, and a restart on the same database does
/// not edit it again: what each message shows is in the database too.
#[tokio::test]
async fn an_edit_is_recorded_in_the_database_and_not_made_again_after_a_restart() {
    let Some(database) = postgres::database() else {
        return;
    };
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let settings = || on_database(&state_dir(&dir), database.url());
    let contender = contend(&stub, &reloader, settings()).await;
    until("the first start's record", || contender.state().is_some()).await;
    add_round(&briefs, 6, "Geneva round");
    reloader.reload(Trigger::Files).await;
    until("round 6 delivered", || {
        contender
            .state()
            .is_some_and(|s| s.pending.is_empty() && s.delivered.len() == 1)
    })
    .await;

    add_round(&briefs, 6, "Geneva round, corrected");
    reloader.reload(Trigger::Files).await;
    until("the announcement edited", || edits_of(&stub).len() == 1).await;
    until("the edit recorded", || {
        contender
            .state()
            .is_some_and(|s| s.delivered[0].card.is_some() && edits_of(&stub).len() == 1)
    })
    .await;
    contender.stop().await;

    let again = contend(&stub, &live(&briefs), settings()).await;
    until("the restart to announce", || {
        role(&again) == Some(Role::Active)
    })
    .await;
    until("the restart's state", || again.state().is_some()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(edits_of(&stub).len(), 1, "not edited again");
    assert_eq!(posts_to(&stub, NEWS).len(), 1, "not posted again");
    again.stop().await;
}

/// `briefbot serve`, with every setting from the environment, as two instances in containers
/// would run it.
fn serve(dir: &Path, stub: &DiscordStub, database: &str, addr: &str) -> std::process::Child {
    use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN};
    let key = crate::common::signing::public_key_hex(&crate::common::signing::test_key());
    std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["serve", "--listen", addr])
        .current_dir(dir)
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN_FILE")
        .env("BRIEFBOT_BRIEFS_DIR", dir.join("briefs"))
        .env("BRIEFBOT_DEFAULT_TRACK", "syria-israel")
        .env("BRIEFBOT_STATE_DIR", dir.join("state"))
        .env("BRIEFBOT_APPLICATION_ID", APPLICATION_ID.to_string())
        .env("BRIEFBOT_API_URL", format!("http://{}", stub.addr))
        .env("BRIEFBOT_ANNOUNCE_CHANNELS", NEWS.to_string())
        .env("DISCORD_PUBLIC_KEY", key)
        .env("DISCORD_TOKEN", BOT_TOKEN)
        .env("DATABASE_URL", database)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start briefbot serve")
}

async fn health(addr: &str) -> String {
    match reqwest::get(format!("http://{addr}/healthz")).await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn free_address() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    format!("127.0.0.1:{port}")
}

/// Two `serve` processes on one database: `/healthz` says which announces; a new round is
/// posted once; the announcing one killed with SIGKILL, the other says `active` within
/// seconds and posts the next round, once; no log line shows the database password.
#[cfg(unix)]
#[tokio::test]
async fn two_serve_processes_share_one_database_and_the_survivor_of_a_kill_announces() {
    let Some(database) = postgres::database() else {
        return;
    };
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let addrs = [free_address(), free_address()];
    let mut children: Vec<std::process::Child> = addrs
        .iter()
        .map(|addr| serve(dir.path(), &stub, database.url(), addr))
        .collect();
    let roles = || async { [health(&addrs[0]).await, health(&addrs[1]).await] };
    let mut active = None;
    let started = tokio::time::Instant::now();
    while active.is_none() {
        let [a, b] = roles().await;
        let both = [a.as_str(), b.as_str()];
        if both.contains(&"ok: 1 round\nannouncer: active\n")
            && both.contains(&"ok: 1 round\nannouncer: standby\n")
        {
            active = both.iter().position(|h| h.ends_with("active\n"));
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "one active and one standby, found {both:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let active = active.expect("an active instance");
    let survivor = 1 - active;

    // Both instances' watchers see the new round; one posts it.
    add_round(&briefs, 6, "Geneva round");
    until("round 6 posted", || posts_to(&stub, NEWS).len() == 1).await;

    let mut killed = children.remove(active);
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reaped");
    let took_over = crate::common::eventually(
        "the survivor to take over",
        Duration::from_secs(15),
        || async {
            health(&addrs[survivor])
                .await
                .ends_with("announcer: active\n")
        },
    )
    .await;
    add_round(&briefs, 7, "Rome round");
    until("round 7 posted", || posts_to(&stub, NEWS).len() == 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let titles: Vec<String> = posts_to(&stub, NEWS)
        .iter()
        .map(|p| {
            p["embeds"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(titles, ["Geneva round", "Rome round"], "each round once");

    let mut survivor = children.remove(0);
    survivor.kill().expect("stop");
    survivor.wait().expect("reaped");
    let mut logs = String::new();
    for mut child in [killed, survivor] {
        if let Some(mut stderr) = child.stderr.take() {
            use std::io::Read;
            let _ = stderr.read_to_string(&mut logs);
        }
    }
    assert!(logs.contains("holds the announcer's lock"), "{logs}");
    if let Some(server) = database.server() {
        assert!(
            !logs.contains(server.password()),
            "the password is never logged"
        );
    }
    eprintln!("takeover after SIGKILL: {took_over:?}");
}

/// A database that cannot be reached stops `serve` at once, with its URL and without its
/// password.
#[test]
fn an_unreachable_database_stops_serve_with_its_url_and_no_password() {
    let stub_addr = "127.0.0.1:9"; // never contacted: the database is asked first
    let (dir, _briefs) = shipped_copy();
    let closed = free_address();
    let database = format!("postgres://briefbot:hunter2-secret@{closed}/briefbot");
    use crate::common::discord_stub::{APPLICATION_ID, BOT_TOKEN};
    let key = crate::common::signing::public_key_hex(&crate::common::signing::test_key());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_briefbot"))
        .args(["serve", "--listen", &free_address()])
        .current_dir(dir.path())
        .env_remove("BRIEFBOT_CONFIG")
        .env_remove("RUST_LOG")
        .env("BRIEFBOT_BRIEFS_DIR", dir.path().join("briefs"))
        .env("BRIEFBOT_DEFAULT_TRACK", "syria-israel")
        .env("BRIEFBOT_APPLICATION_ID", APPLICATION_ID.to_string())
        .env("BRIEFBOT_API_URL", format!("http://{stub_addr}"))
        .env("BRIEFBOT_ANNOUNCE_CHANNELS", NEWS.to_string())
        .env("DISCORD_PUBLIC_KEY", key)
        .env("DISCORD_TOKEN", BOT_TOKEN)
        .env("DATABASE_URL", &database)
        .output()
        .expect("run briefbot serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "the state database postgres://briefbot@{closed}/briefbot: cannot connect"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
