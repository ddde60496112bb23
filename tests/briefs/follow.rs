//! Following, in the pure core: `/follow` and the Follow button become a role change or a
//! private notice from where they were asked, and the Follow button shows on a round card
//! only in a server with a follow role for the card's track, and on every announcement that
//! pings followers.

use crate::common::{assert_within_discord_limits, fixtures, shipped};
use briefbot::commands::{self, Action, Answer, Command, Origin, Request, RoleChange, notices};
use briefbot::reply::{Message, Reply};
use serde_json::Value;

const SERVER: u64 = 1_214_230_875_340_931_074;
const MEMBER: u64 = 1_117_007_747_481_731_076;
const FOLLOW_ROLE: u64 = 1_300_000_000_000_000_001;

/// A member of a server whose follow roles are `roles`, holding `held`.
fn in_server(roles: &[(&str, u64)], held: &[u64]) -> Origin {
    Origin {
        server: Some(SERVER),
        user: Some(MEMBER),
        roles: held.to_vec(),
        follow_roles: roles.iter().map(|(t, r)| (t.to_string(), *r)).collect(),
    }
}

fn in_a_dm() -> Origin {
    Origin {
        user: Some(MEMBER),
        ..Origin::default()
    }
}

fn follow(track: Option<&str>) -> Request {
    Request::Command(Command::Follow {
        track: track.map(str::to_string),
    })
}

fn reply(answer: Answer) -> Reply {
    match answer {
        Answer::Reply(reply) => reply,
        Answer::Do(action) => panic!("an action, not a reply: {action:?}"),
    }
}

fn json(reply: &Reply) -> Value {
    let json = reply.fit().to_json();
    assert_within_discord_limits(&json);
    json
}

fn private_text(answer: Answer) -> String {
    let json = json(&reply(answer));
    assert_eq!(json["data"]["flags"], 64, "{json}");
    json["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The custom_ids of every button of a reply's message.
fn buttons(reply: &Reply) -> Vec<String> {
    let message: &Message = match reply {
        Reply::Message { message, .. } | Reply::Update(message) => message,
        Reply::Choices(_) => return Vec::new(),
    };
    message
        .rows
        .iter()
        .flatten()
        .map(|b| b.custom_id.clone())
        .collect()
}

#[test]
fn follow_toggles_the_role_the_member_does_not_have_or_has() {
    let library = shipped();
    let change = |join| {
        Answer::Do(Action::Follow(RoleChange {
            server: SERVER,
            user: MEMBER,
            role: FOLLOW_ROLE,
            track: "syria-israel".into(),
            track_name: "Syria–Israel talks".into(),
            join,
        }))
    };
    let roles = [("syria-israel", FOLLOW_ROLE)];
    // Without a track: the default one.
    assert_eq!(
        commands::answer(&library, &follow(None), &in_server(&roles, &[7])),
        change(true)
    );
    assert_eq!(
        commands::answer(
            &library,
            &follow(Some("Syria-Israel")),
            &in_server(&roles, &[7, FOLLOW_ROLE])
        ),
        change(false)
    );
    // The button of a card or an announcement does the same.
    assert_eq!(
        commands::answer(
            &library,
            &Request::press("follow:syria-israel"),
            &in_server(&roles, &[FOLLOW_ROLE])
        ),
        change(false)
    );
}

#[test]
fn a_track_with_a_follow_role_can_be_followed_before_its_first_brief() {
    let answer = commands::answer(
        &shipped(),
        &follow(Some("gulf")),
        &in_server(&[("gulf", 5)], &[]),
    );
    assert!(
        matches!(&answer, Answer::Do(Action::Follow(c)) if c.track == "gulf" && c.role == 5 && c.join),
        "{answer:?}"
    );
}

#[test]
fn follow_where_it_cannot_work_says_why_privately() {
    let library = shipped();
    assert!(
        private_text(commands::answer(&library, &follow(None), &in_a_dm()))
            .starts_with("Following works in a server: "),
    );
    assert!(
        private_text(commands::answer(
            &library,
            &Request::press("follow:syria-israel"),
            &in_a_dm()
        ))
        .starts_with("Following works in a server: "),
    );
    assert_eq!(
        private_text(commands::answer(
            &library,
            &follow(None),
            &in_server(&[("gulf", 5)], &[])
        )),
        "This server has no follow role for `syria-israel`; a server admin can add one in briefbot's config."
    );
    let typo = private_text(commands::answer(
        &library,
        &follow(Some("syria-isreal")),
        &in_server(&[("syria-israel", FOLLOW_ROLE)], &[]),
    ));
    assert!(
        typo.starts_with("There is no track `syria-isreal`. Did you mean `syria-israel`?"),
        "{typo}"
    );
}

#[test]
fn a_card_shows_the_follow_button_only_in_a_server_with_a_role_for_its_track() {
    let library = shipped();
    let latest = Request::Command(Command::Latest { track: None });
    let card = |origin: &Origin| reply(commands::answer(&library, &latest, origin));

    let here = card(&in_server(&[("syria-israel", FOLLOW_ROLE)], &[]));
    let json = json(&here);
    let rows = json["data"]["components"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "the card's row, then the Follow button's");
    assert_eq!(rows[1]["components"][0]["custom_id"], "follow:syria-israel");
    assert_eq!(rows[1]["components"][0]["label"], "🔔 Follow");

    for (where_, origin) in [
        ("a DM", in_a_dm()),
        ("a server without follow roles", in_server(&[], &[])),
        (
            "a server with a role for another track",
            in_server(&[("gulf", 5)], &[]),
        ),
        ("briefbot ask", Origin::default()),
    ] {
        let card = card(&origin);
        assert!(
            !buttons(&card).iter().any(|id| id.starts_with("follow:")),
            "{where_}"
        );
        assert_eq!(card, commands::respond(&library, &latest), "{where_}");
    }
}

#[test]
fn the_follow_button_stays_as_a_member_moves_between_cards() {
    let library = fixtures();
    let origin = in_server(&[("river-talks", FOLLOW_ROLE)], &[]);
    for custom_id in [
        "round:river-talks:2:prev",
        "round:river-talks:1:next",
        "round:river-talks:2:card",
    ] {
        let pressed = reply(commands::answer(
            &library,
            &Request::press(custom_id),
            &origin,
        ));
        assert!(matches!(pressed, Reply::Update(_)), "{custom_id}");
        assert!(
            buttons(&pressed).contains(&"follow:river-talks".to_string()),
            "{custom_id}"
        );
        json(&pressed);
    }
    // Another track's card has no role here.
    let harbour = reply(commands::answer(
        &library,
        &Request::Command(Command::Latest {
            track: Some("harbour".into()),
        }),
        &origin,
    ));
    assert!(!buttons(&harbour).iter().any(|id| id.starts_with("follow:")));
    // Views that are not a card are left as they are.
    let positions = reply(commands::answer(
        &library,
        &Request::press("round:river-talks:2:positions"),
        &origin,
    ));
    assert!(
        !buttons(&positions)
            .iter()
            .any(|id| id.starts_with("follow:"))
    );
}

#[test]
fn an_announcement_that_pings_followers_carries_the_follow_button() {
    let library = shipped();
    let track = library.track("syria-israel").expect("track");
    let mut message = notices::announcement(&library, track, 5).expect("round 5");
    assert!(message.rows.is_empty());
    notices::ping_followers(
        &mut message,
        "syria-israel",
        "Syria–Israel talks",
        FOLLOW_ROLE,
    );
    assert_eq!(
        message.content(),
        Some(
            "📣 New briefing: round 5 of Syria–Israel talks. Open it with /round 5 track:syria-israel.\n<@&1300000000000000001> New round for followers of Syria–Israel talks."
        )
    );
    let ids: Vec<&str> = message
        .rows
        .iter()
        .flatten()
        .map(|b| b.custom_id.as_str())
        .collect();
    assert_eq!(ids, ["follow:syria-israel"]);
}

#[test]
fn offline_follow_says_what_it_would_do() {
    let library = shipped();
    for request in [follow(None), Request::press("follow:syria-israel")] {
        let text = json(&commands::respond(&library, &request))["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            text.starts_with("/follow gives you, or takes away"),
            "{text}"
        );
    }
}

#[test]
fn an_announcement_is_recognised_whatever_the_track_was_called_and_before_names() {
    let library = shipped();
    let track = library.track("syria-israel").expect("track");
    let message = notices::announcement(&library, track, 5).expect("round 5");
    let content = message.content().unwrap_or_default().to_string();
    assert!(notices::is_announcement_of(&content, "syria-israel", 5));
    // The track renamed since: still the same post.
    let renamed = content.replace("Syria–Israel talks", "Syria–Israel negotiations");
    assert!(notices::is_announcement_of(&renamed, "syria-israel", 5));
    // As briefbot wrote it before tracks had names, with a ping below.
    let before =
        "📣 New briefing: round 5 of `syria-israel`. Open it with /round 5.\n<@&1> New round";
    assert!(notices::is_announcement_of(before, "syria-israel", 5));
    // Another round, another track, or a withdrawn line's marker of another round: not it.
    assert!(!notices::is_announcement_of(&content, "syria-israel", 50));
    assert!(!notices::is_announcement_of(&content, "syria", 5));
    let other = notices::withdrawn("gulf", "Gulf talks", 5);
    assert!(!notices::is_announcement_of(&other, "syria-israel", 5));
    assert!(notices::is_announcement_of(&other, "gulf", 5));
}
