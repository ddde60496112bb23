//! The stand-in's channels, threads, forum posts and crossposts: `GET /channels/{id}` with
//! each channel's type, threads started from messages, forum posts with their starter
//! message, thread listings, a message read back with its flags and thread, and crossposts
//! within a per-channel limit answered with 429 and `retry_after` beyond it.

use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{APPLICATION_ID, STUB_GUILD, StubState, in_channel, stored_message};

/// The answer to a request about channels, threads and crossposts; none for another request.
pub(super) async fn answer(
    state: &StubState,
    method: &Method,
    path: &str,
    body: &Value,
) -> Option<Response> {
    let parts: Vec<&str> = path.strip_prefix("/api/v10/")?.split('/').collect();
    let id = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok());
    let answer = match (method.as_str(), parts.as_slice()) {
        ("GET", ["channels", _]) => describe_channel(state, id(1)?),
        ("GET", ["channels", _, "messages", _]) => read_message(state, id(1)?, id(3)?),
        ("POST", ["channels", _, "messages", _, "threads"]) => {
            start_thread(state, id(1)?, id(3)?, body).await
        }
        ("POST", ["channels", _, "messages", _, "crosspost"]) => {
            crosspost(state, id(1)?, id(3)?).await
        }
        ("POST", ["channels", _, "threads"]) => forum_post(state, id(1)?, body).await,
        ("PATCH", ["channels", _]) => rename_thread(state, id(1)?, body)?,
        ("GET", ["channels", _, "threads", "archived", "public"]) => {
            let forum = id(1)?.to_string();
            let threads = listed(state, |t| {
                t["parent_id"] == json!(forum) && t["thread_metadata"]["archived"] == json!(true)
            });
            axum::Json(json!({"threads": threads, "members": [], "has_more": false}))
                .into_response()
        }
        ("GET", ["guilds", _, "threads", "active"]) => {
            let guild = id(1)?.to_string();
            let threads = listed(state, |t| {
                t["guild_id"] == json!(guild) && t["thread_metadata"]["archived"] == json!(false)
            });
            axum::Json(json!({"threads": threads, "members": []})).into_response()
        }
        _ => return None,
    };
    Some(answer)
}

fn guild_of(state: &StubState, channel: u64) -> u64 {
    state
        .channel_guilds
        .lock()
        .expect("lock")
        .get(&channel)
        .copied()
        .unwrap_or(STUB_GUILD)
}

/// `GET /channels/{id}`: a text channel, an announcement channel (5) or a forum (15) with
/// its tags, in the server the test placed it in.
fn describe_channel(state: &StubState, channel: u64) -> Response {
    let news = state.news_channels.lock().expect("lock").contains(&channel);
    let tags = state.forums.lock().expect("lock").get(&channel).cloned();
    let kind = match (&tags, news) {
        (Some(_), _) => 15,
        (None, true) => 5,
        (None, false) => 0,
    };
    let mut described = json!({
        "id": channel.to_string(),
        "type": kind,
        "guild_id": guild_of(state, channel).to_string(),
        "name": "announcements",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "topic": null,
        "last_message_id": null,
        "parent_id": null,
        "rate_limit_per_user": 0
    });
    if let Some(tags) = tags {
        described["available_tags"] = tags
            .iter()
            .map(|(id, name)| {
                json!({"id": id.to_string(), "name": name, "moderated": false,
                       "emoji_id": null, "emoji_name": null})
            })
            .collect();
    }
    axum::Json(described).into_response()
}

fn refused(status: StatusCode, code: u64, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": code, "message": message})),
    )
        .into_response()
}

fn unknown_message() -> Response {
    refused(StatusCode::NOT_FOUND, 10008, "Unknown Message")
}

/// Runs `change` on message `message` of `channel`, if there is one.
fn with_message<T>(
    state: &StubState,
    channel: u64,
    message: u64,
    change: impl FnOnce(&mut Value) -> T,
) -> Option<T> {
    let mut messages = state.messages.lock().expect("lock");
    messages
        .iter_mut()
        .find(|m| in_channel(m, channel) && m["id"] == json!(message.to_string()))
        .map(change)
}

fn read_message(state: &StubState, channel: u64, message: u64) -> Response {
    match with_message(state, channel, message, |m| m.clone()) {
        Some(found) => axum::Json(found).into_response(),
        None => unknown_message(),
    }
}

/// A thread as Discord describes it.
fn thread(state: &StubState, id: u64, parent: u64, name: &str, tags: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "type": 11,
        "guild_id": guild_of(state, parent).to_string(),
        "parent_id": parent.to_string(),
        "owner_id": APPLICATION_ID.to_string(),
        "name": name,
        "applied_tags": tags,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "thread_metadata": {"archived": false, "auto_archive_duration": 10080,
                            "archive_timestamp": "2026-11-27T12:00:00.000000+00:00",
                            "locked": false}
    })
}

fn listed(state: &StubState, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    let threads = state.threads.lock().expect("lock");
    threads.iter().filter(|t| keep(t)).cloned().collect()
}

/// Parks the request forever when `hold` is set: made, never answered, as in a crash.
async fn held(hold: &std::sync::atomic::AtomicBool) {
    if hold.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
}

/// `POST /channels/{c}/messages/{m}/threads`: the thread takes the message's id, and the
/// message shows it; a second one is refused as Discord refuses it.
async fn start_thread(state: &StubState, channel: u64, message: u64, body: &Value) -> Response {
    let name = body["name"].as_str().unwrap_or_default().to_string();
    let started = thread(state, message, channel, &name, &json!([]));
    let outcome = with_message(state, channel, message, |m| {
        if m.get("thread").is_some() {
            return false;
        }
        m["thread"] = started.clone();
        true
    });
    match outcome {
        None => return unknown_message(),
        Some(false) => {
            return refused(
                StatusCode::BAD_REQUEST,
                160004,
                "A thread has already been created for this message",
            );
        }
        Some(true) => {}
    }
    state.threads.lock().expect("lock").push(started.clone());
    held(&state.hold_threads).await;
    axum::Json(started).into_response()
}

/// `POST /channels/{forum}/threads`: a post, whose starter message has the post's id and
/// lives in the post's own channel.
async fn forum_post(state: &StubState, forum: u64, body: &Value) -> Response {
    if !state.forums.lock().expect("lock").contains_key(&forum) {
        return refused(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
    }
    // The starter message's id is made as any message's, then given to the thread.
    let mut starter = stored_message(state, 0, &body["message"]);
    let id: u64 = starter["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("an id");
    starter["channel_id"] = json!(id.to_string());
    let name = body["name"].as_str().unwrap_or_default();
    let mut post = thread(state, id, forum, name, &body["applied_tags"]);
    state.messages.lock().expect("lock").push(starter.clone());
    state.threads.lock().expect("lock").push(post.clone());
    held(&state.hold_threads).await;
    post["message"] = starter;
    axum::Json(post).into_response()
}

/// `POST /channels/{c}/messages/{m}/crosspost`: once per message, and no more than the
/// channel's limit within its window.
async fn crosspost(state: &StubState, channel: u64, message: u64) -> Response {
    if !state.news_channels.lock().expect("lock").contains(&channel) {
        return refused(
            StatusCode::BAD_REQUEST,
            50068,
            "Invalid message type for crosspost",
        );
    }
    let limit = *state.crosspost_limit.lock().expect("lock");
    if let Some((count, window)) = limit {
        let now = Instant::now();
        let crossposts = state.crossposts.lock().expect("lock");
        let recent: Vec<Instant> = crossposts
            .iter()
            .filter(|(c, _, at)| *c == channel && now.duration_since(*at) < window)
            .map(|(_, _, at)| *at)
            .collect();
        if recent.len() >= count
            && let Some(oldest) = recent.iter().min()
        {
            let retry_after = (*oldest + window).duration_since(now).as_secs_f64();
            let body = json!({"message": "You are being rate limited.",
                              "retry_after": retry_after, "global": false});
            return (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
        }
    }
    let outcome = with_message(state, channel, message, |m| {
        let flags = m["flags"].as_u64().unwrap_or(0);
        if flags & 1 != 0 {
            return None;
        }
        m["flags"] = json!(flags | 1);
        Some(m.clone())
    });
    let crossposted = match outcome {
        None => return unknown_message(),
        Some(None) => {
            return refused(
                StatusCode::BAD_REQUEST,
                40033,
                "This message has already been crossposted.",
            );
        }
        Some(Some(crossposted)) => crossposted,
    };
    state
        .crossposts
        .lock()
        .expect("lock")
        .push((channel, message, Instant::now()));
    held(&state.hold_crossposts).await;
    axum::Json(crossposted).into_response()
}

/// `PATCH /channels/{thread}` with a `name`: the thread (a forum post) is renamed; another
/// channel is left to the main handler.
fn rename_thread(state: &StubState, id: u64, body: &Value) -> Option<Response> {
    let mut threads = state.threads.lock().expect("lock");
    let thread = threads
        .iter_mut()
        .find(|t| t["id"] == json!(id.to_string()))?;
    if let Some(name) = body.get("name") {
        thread["name"] = name.clone();
    }
    Some(axum::Json(thread.clone()).into_response())
}
