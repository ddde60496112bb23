//! Rounds saved while the state database was away, against a real PostgreSQL: an instance
//! that stood by meanwhile announces each reload's rounds after it, late rather than never,
//! each reload held to the flood limit on its own; rounds no running instance saw arrive are
//! held back loudly (a warning naming them, the errors channel's note, the `briefbot announce`
//! line for each). The announcer says in its log when it announces, stands by, takes over,
//! loses and regains the lock.

use std::path::Path;
use std::time::Duration;

use crate::announce::{
    CapturedLogs, ERRORS, LIMIT, NEWS, add_round, posts_to, settings, state_dir, until,
};
use crate::common::discord_stub::DiscordStub;
use crate::common::postgres::{self, PgServer};
use crate::common::{live, shipped_copy};
use crate::shared_state::contend;
use briefbot::config::DatabaseUrl;
use briefbot::live::Trigger;
use briefbot::live::announce::{Role, Settings};

/// Announcing to `NEWS`, notes to `ERRORS`, the state in `database`, the lock checked every
/// 100 ms.
fn on_database(dir: &Path, database: &str) -> Settings {
    Settings {
        database: Some(DatabaseUrl::parse(database).expect("a database URL")),
        takeover_grace: Duration::from_millis(300),
        lock_check: Duration::from_millis(100),
        ..settings(dir, &[NEWS], Some(ERRORS))
    }
}

fn titles(stub: &DiscordStub, channel: u64) -> Vec<String> {
    posts_to(stub, channel)
        .iter()
        .map(|p| {
            p["embeds"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn logged(logs: &CapturedLogs, text: &str) -> Vec<String> {
    logs.lines()
        .into_iter()
        .filter(|line| line.contains(text))
        .collect()
}

#[tokio::test]
async fn rounds_saved_one_at_a_time_while_the_database_was_down_are_each_announced_after_it() {
    let logs = CapturedLogs::start();
    let Some(server) = PgServer::start() else {
        return;
    };
    let database = server.create_database("briefbot_outage");
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let reloader = live(&briefs);
    let contender = contend(&stub, &reloader, on_database(&state_dir(&dir), &database)).await;
    until("the first start's record", || contender.state().is_some()).await;
    assert_eq!(
        logged(&logs, "holds the announcer's lock: this instance announces").len(),
        1
    );

    server.stop();
    until("the holder to notice and stand by", || {
        contender.role().get() == Some(Role::Standby)
    })
    .await;
    // Four rounds, each saved and served on its own, more together than the flood limit.
    const { assert!(4 > LIMIT, "the four together would be held back") };
    for (n, place) in [(6, "Geneva"), (7, "Rome"), (8, "Oslo"), (9, "Doha")] {
        add_round(&briefs, n, &format!("{place} round"));
        reloader.reload(Trigger::Files).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(posts_to(&stub, NEWS).is_empty(), "nothing posted blind");

    server.start_again();
    until("the four rounds posted once the database is back", || {
        posts_to(&stub, NEWS).len() == 4
    })
    .await;
    until("all four recorded as delivered", || {
        contender
            .state()
            .is_some_and(|s| s.pending.is_empty() && s.delivered.len() == 4)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        titles(&stub, NEWS),
        ["Geneva round", "Rome round", "Oslo round", "Doha round"],
        "each once, in the order they came"
    );
    assert!(posts_to(&stub, ERRORS).is_empty(), "nothing was held back");
    assert_eq!(
        logged(&logs, "no longer holds the announcer's lock").len(),
        1,
        "the lost lock is told"
    );
    assert_eq!(
        logged(
            &logs,
            "regained the announcer's lock: this instance announces again"
        )
        .len(),
        1,
        "the regained lock is told"
    );
    contender.stop().await;
}

#[tokio::test]
async fn rounds_no_running_instance_saw_arrive_are_held_back_loudly() {
    let logs = CapturedLogs::start();
    let Some(database) = postgres::database() else {
        return;
    };
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let first = contend(
        &stub,
        &live(&briefs),
        on_database(&state_dir(&dir), database.url()),
    )
    .await;
    until("the first start's record", || first.state().is_some()).await;
    first.stop().await;

    // Saved while no instance ran: every instance starts after them.
    for n in 6..10 {
        add_round(&briefs, n, &format!("Imported round {n}"));
    }
    let reloader = live(&briefs);
    let later = contend(
        &stub,
        &reloader,
        on_database(&state_dir(&dir), database.url()),
    )
    .await;
    until("the rounds recorded as known", || {
        later
            .state()
            .is_some_and(|s| s.known["syria-israel"].len() == 5 && s.notes.is_empty())
    })
    .await;
    until("the note in the errors channel", || {
        posts_to(&stub, ERRORS).len() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(posts_to(&stub, NEWS).is_empty(), "none announced");
    assert_eq!(titles(&stub, ERRORS), ["New rounds not announced"]);

    let warning = logged(&logs, "max_new_per_reload");
    assert_eq!(warning.len(), 1, "{warning:#?}");
    assert!(warning[0].contains(" WARN "), "{}", warning[0]);
    assert!(
        warning[0]
            .contains("held_back=syria-israel/6, syria-israel/7, syria-israel/8, syria-israel/9"),
        "the warning names them: {}",
        warning[0]
    );
    for n in 6..10 {
        let hint = format!("briefbot announce --track syria-israel --round {n}");
        assert_eq!(logged(&logs, &hint).len(), 1, "the hint for round {n}");
    }
    later.stop().await;
}

#[tokio::test]
async fn standing_by_and_taking_over_are_logged() {
    let logs = CapturedLogs::start();
    let Some(database) = postgres::database() else {
        return;
    };
    let stub = DiscordStub::start().await;
    let (dir, briefs) = shipped_copy();
    let first = contend(
        &stub,
        &live(&briefs),
        on_database(&state_dir(&dir), database.url()),
    )
    .await;
    until("the first to announce", || {
        first.role().get() == Some(Role::Active)
    })
    .await;
    let second = contend(
        &stub,
        &live(&briefs),
        on_database(&state_dir(&dir), database.url()),
    )
    .await;
    until("the second to stand by", || {
        !logged(&logs, "this one stands by and takes over if it goes").is_empty()
    })
    .await;
    assert_eq!(second.role().get(), Some(Role::Standby));

    first.stop().await;
    until("the second to take over", || {
        second.role().get() == Some(Role::Active)
    })
    .await;
    let took_over = logged(
        &logs,
        "took over the announcer's lock from another instance",
    );
    assert_eq!(took_over.len(), 1, "{took_over:#?}");
    assert!(
        took_over[0].contains(r#"role="active""#),
        "{}",
        took_over[0]
    );
    second.stop().await;
}
