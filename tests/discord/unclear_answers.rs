//! Registration and follow-role changes when Discord's answer is not a clean yes: the command
//! list taken although the answer lacks the `id` serenity requires, a 429 waited out, a PUT
//! answered 502 confirmed by reading the list back; a role change answered 502 sent again
//! (a role given twice is given once). Each ends with one effect and a true answer.

use std::time::{Duration, Instant};

use crate::common::discord_stub::quirks::{Misbehaviour, Quirk};
use crate::common::discord_stub::{APPLICATION_ID, DiscordStub};
use crate::common::{payload_json, shipped_live};
use briefbot::config::FollowRole;
use briefbot::transport::interaction::Interaction;
use briefbot::transport::registration::{self, Outcome, Scope};
use briefbot::transport::{Handler, gateway};
use serde_json::json;
use std::sync::Arc;

const GUILD: u64 = 290_926_798_626_357_999;

fn commands_path() -> String {
    format!("/applications/{APPLICATION_ID}/guilds/{GUILD}/commands")
}

fn puts(stub: &DiscordStub) -> usize {
    stub.requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
        .count()
}

#[tokio::test]
async fn the_command_list_is_registered_once_whatever_discord_answers() {
    let misbehaviours = [
        Misbehaviour::Without("id"),
        Misbehaviour::RateLimited(Duration::from_millis(300)),
        Misbehaviour::DoneThenBadGateway,
    ];
    for misbehaviour in misbehaviours {
        let stub = DiscordStub::start().await;
        let http = stub.rest();
        stub.quirk(Quirk::new("PUT", &commands_path(), misbehaviour.clone(), 1));
        let started = Instant::now();
        let outcome = registration::register(&http, Scope::Guild(GUILD)).await;
        assert_eq!(
            outcome.expect("registered"),
            Outcome::Updated { commands: 10 },
            "{misbehaviour:?}"
        );
        assert_eq!(stub.quirks_applied(), 1, "{misbehaviour:?}");
        assert_eq!(puts(&stub), 1, "{misbehaviour:?}: one list sent through");
        if let Misbehaviour::RateLimited(wait) = misbehaviour {
            assert!(started.elapsed() >= wait, "the wait was kept");
        }
        // A restart finds Discord up to date and sends nothing.
        let again = registration::register(&http, Scope::Guild(GUILD)).await;
        assert_eq!(
            again.expect("checked"),
            Outcome::Unchanged,
            "{misbehaviour:?}"
        );
        assert_eq!(puts(&stub), 1, "{misbehaviour:?}");
    }
}

#[tokio::test]
async fn a_refused_registration_says_discords_message_once() {
    let stub = DiscordStub::start().await;
    // Discord refuses the PUT; the stand-in's own answer is the refusal below.
    stub.quirk(Quirk::new(
        "PUT",
        &commands_path(),
        Misbehaviour::Refused(
            400,
            json!({"code": 50035, "message": "Invalid Form Body", "errors": {"0": {"name": {"_errors": [{"code": "APPLICATION_COMMAND_INVALID_NAME", "message": "Command name is invalid"}]}}}}),
        ),
        1,
    ));
    let error = registration::register(&stub.rest(), Scope::Guild(GUILD))
        .await
        .expect_err("refused");
    let text = format!("{:#}", anyhow::Error::from(error));
    assert!(
        text.starts_with(&format!(
            "could not register the commands for server {GUILD}: Discord refused it (HTTP 400, code 50035): Invalid Form Body (0.name: Command name is invalid)"
        )),
        "{text}"
    );
    assert_eq!(
        text.matches("Invalid Form Body").count(),
        1,
        "said once: {text}"
    );
}

const SERVER: u64 = 1_214_230_875_340_931_074;
const MEMBER: u64 = 1_117_007_747_481_731_076;
const FOLLOW_ROLE: u64 = 1_300_000_000_000_000_001;
const PERMISSIONS: u64 = 442_368 | (1 << 28);

#[tokio::test]
async fn a_role_change_answered_502_is_sent_again_and_the_member_is_told_it_worked() {
    let stub = DiscordStub::start().await;
    let handler = Arc::new(Handler::new(shipped_live()).with_follow_roles(
        vec![FollowRole {
            server: SERVER,
            track: "syria-israel".into(),
            role: FOLLOW_ROLE,
        }],
        Some(stub.rest()),
    ));
    let path = format!("/guilds/{SERVER}/members/{MEMBER}/roles/{FOLLOW_ROLE}");
    stub.quirk(Quirk::new(
        "PUT",
        &path,
        Misbehaviour::DoneThenBadGateway,
        1,
    ));
    let mut raw = payload_json("slash-latest.json");
    raw["data"]["name"] = json!("follow");
    raw["token"] = json!("FIXTURE_INTERACTION_TOKEN_SLASH_FOLLOW");
    raw["app_permissions"] = json!(PERMISSIONS.to_string());
    raw["member"]["roles"] = json!([]);
    let parsed: serenity::all::Interaction =
        serde_json::from_value(raw).expect("serenity parses the payload");
    gateway::answer(&stub.rest(), &handler, &Interaction::from_serenity(&parsed)).await;

    let callbacks = stub.callbacks();
    assert_eq!(callbacks.len(), 1, "one answer");
    assert_eq!(
        callbacks[0].body["data"]["content"],
        "You'll be pinged for new rounds of Syria–Israel talks."
    );
    let held = stub
        .state
        .member_roles
        .lock()
        .expect("lock")
        .get(&(SERVER, MEMBER))
        .cloned();
    assert_eq!(
        held.into_iter().flatten().collect::<Vec<_>>(),
        [FOLLOW_ROLE]
    );
    assert_eq!(stub.quirks_applied(), 1);
}
