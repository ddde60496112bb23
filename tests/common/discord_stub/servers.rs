//! The stand-in's servers: each server's owner and roles (`GET /guilds/{id}`, `GET
//! /guilds/{g}/roles`), its members (`GET /guilds/{g}/members/{u}`), roles made and moved as
//! Discord allows the bot (`POST`/`PATCH /guilds/{g}/roles`), channels described with their
//! names and overwrites or gone, messages and threads taken away, and the application the
//! token belongs to (`GET /oauth2/applications/@me`).

use std::sync::atomic::Ordering;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{APPLICATION_ID, StubState, bot_user, in_channel};

/// Discord's permission bits the stand-in needs itself.
pub const VIEW_CHANNEL: u64 = 1 << 10;
pub const SEND_MESSAGES: u64 = 1 << 11;
pub const EMBED_LINKS: u64 = 1 << 14;
pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
pub const MENTION_EVERYONE: u64 = 1 << 17;
pub const MANAGE_ROLES: u64 = 1 << 28;
pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
pub const ADMINISTRATOR: u64 = 1 << 3;

/// What @everyone may do in a server `add_server` makes.
pub const EVERYONE_PERMISSIONS: u64 =
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY;

/// What briefbot's own role may do in a server `add_server` makes: what it needs to announce,
/// start threads and hand out follow roles.
pub const BOT_ROLE_PERMISSIONS: u64 = EVERYONE_PERMISSIONS
    | MANAGE_ROLES
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
    | MENTION_EVERYONE;

/// The owner of every server `add_server` makes: someone other than the bot.
pub const SERVER_OWNER: u64 = 111_111_111_111_111_111;

/// A server as the stand-in keeps it.
#[derive(Debug, Clone)]
pub struct StubServer {
    pub owner: u64,
    pub name: String,
    /// Discord's role objects, @everyone (the server's id) among them.
    pub roles: Vec<Value>,
}

/// A channel's name, type and overwrites, as `set_channel` placed them.
#[derive(Debug, Clone)]
pub struct StubChannel {
    pub kind: u8,
    pub name: String,
    pub overwrites: Vec<Value>,
}

/// A role object as Discord answers it.
pub fn role(id: u64, name: &str, position: i64, permissions: u64, managed: bool) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "position": position,
        "permissions": permissions.to_string(),
        "managed": managed,
        "mentionable": false,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "flags": 0
    })
}

/// The id of briefbot's own role in a server `add_server` made.
pub fn bot_role_of(guild: u64) -> u64 {
    guild + 1
}

fn refused(status: StatusCode, code: u64, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": code, "message": message})),
    )
        .into_response()
}

fn unknown_guild() -> Response {
    refused(StatusCode::NOT_FOUND, 10004, "Unknown Guild")
}

/// Discord's answer for a channel that is not there (or no longer).
pub fn unknown_channel() -> Response {
    refused(StatusCode::NOT_FOUND, 10003, "Unknown Channel")
}

fn missing_permissions() -> Response {
    refused(StatusCode::FORBIDDEN, 50013, "Missing Permissions")
}

fn id_of(value: &Value) -> u64 {
    value["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or(0)
}

fn position_of(value: &Value) -> i64 {
    value["position"].as_i64().unwrap_or(0)
}

fn permissions_of(value: &Value) -> u64 {
    value["permissions"]
        .as_str()
        .and_then(|bits| bits.parse().ok())
        .unwrap_or(0)
}

/// The roles `user` holds in `guild` (@everyone aside), as the stand-in keeps them.
fn held_roles(state: &StubState, guild: u64, user: u64) -> Vec<u64> {
    let mut held: Vec<u64> = state
        .member_roles
        .lock()
        .expect("lock")
        .get(&(guild, user))
        .map(|roles| roles.iter().copied().collect())
        .unwrap_or_default();
    held.sort_unstable();
    held
}

/// What the bot may do anywhere in `server`, and its highest role's position: worked out
/// here from the roles, as Discord does, not by briefbot's own rules.
fn bot_standing(state: &StubState, guild: u64, server: &StubServer) -> (u64, i64) {
    let held = held_roles(state, guild, APPLICATION_ID);
    let mut bits = 0;
    let mut highest = 0;
    for role in &server.roles {
        let id = id_of(role);
        if id == guild || held.contains(&id) {
            bits |= permissions_of(role);
        }
        if held.contains(&id) {
            highest = highest.max(position_of(role));
        }
    }
    if bits & ADMINISTRATOR != 0 {
        bits = u64::MAX;
    }
    (bits, highest)
}

/// Whether `guild` is a server `add_server` made, and if so whether it has `role`: the role
/// changes of members answer Unknown Role for one it lacks.
pub(super) fn lacks_role(state: &StubState, guild: u64, role: u64) -> bool {
    state
        .servers
        .lock()
        .expect("lock")
        .get(&guild)
        .is_some_and(|server| !server.roles.iter().any(|r| id_of(r) == role))
}

/// The answer to a request about servers, their roles and members, deleted channels,
/// messages and threads, and the application; none for another request.
pub(super) fn answer(
    state: &StubState,
    method: &Method,
    path: &str,
    body: &Value,
) -> Option<Response> {
    let parts: Vec<&str> = path.strip_prefix("/api/v10/")?.split('/').collect();
    let id = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok());
    let answer = match (method.as_str(), parts.as_slice()) {
        ("GET", ["oauth2", "applications", "@me"]) => application(state),
        ("GET", ["guilds", _]) => guild(state, id(1)?),
        ("GET", ["guilds", _, "roles"]) => roles(state, id(1)?),
        ("GET", ["guilds", _, "channels"]) => channels(state, id(1)?),
        ("GET", ["guilds", _, "members", _]) => member(state, id(1)?, id(3)?),
        ("POST", ["guilds", _, "roles"]) => create_role(state, id(1)?, body),
        ("PATCH", ["guilds", _, "roles"]) => move_roles(state, id(1)?, body),
        ("GET", ["channels", _]) | ("POST", ["channels", _, "messages"])
            if state
                .deleted_channels
                .lock()
                .expect("lock")
                .contains(&id(1)?) =>
        {
            unknown_channel()
        }
        ("DELETE", ["channels", _, "messages", _]) => delete_message(state, id(1)?, id(3)?),
        ("DELETE", ["channels", _]) => delete_thread(state, id(1)?),
        _ => return None,
    };
    Some(answer)
}

/// `GET /oauth2/applications/@me`: the application, with its public key and endpoint URL.
fn application(state: &StubState) -> Response {
    let verify_key = state.verify_key.lock().expect("lock").clone();
    let verify_key = verify_key.unwrap_or_else(|| super::VERIFY_KEY.to_string());
    let endpoint = state.endpoint_url.lock().expect("lock").clone();
    axum::Json(json!({
        "id": APPLICATION_ID.to_string(),
        "name": "briefbot",
        "icon": null,
        "description": "",
        "type": null,
        "rpc_origins": [],
        "bot_public": true,
        "bot_require_code_grant": false,
        "bot": bot_user(),
        "owner": {"id": SERVER_OWNER.to_string(), "username": "owner", "discriminator": "0",
                  "global_name": null, "avatar": null},
        "team": null,
        "verify_key": verify_key,
        "flags": 0,
        "flags_new": "0",
        "redirect_uris": [],
        "interactions_endpoint_url": endpoint,
        "role_connections_verification_url": null,
        "approximate_guild_count": state.servers.lock().expect("lock").len(),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": []
    }))
    .into_response()
}

/// `GET /guilds/{id}`: the server as Discord describes it, owner and roles included.
fn guild(state: &StubState, guild: u64) -> Response {
    let servers = state.servers.lock().expect("lock");
    let Some(server) = servers.get(&guild) else {
        return unknown_guild();
    };
    axum::Json(json!({
        "id": guild.to_string(),
        "name": server.name,
        "icon": null,
        "description": null,
        "home_header": null,
        "splash": null,
        "discovery_splash": null,
        "features": [],
        "banner": null,
        "owner_id": server.owner.to_string(),
        "application_id": null,
        "region": "deprecated",
        "afk_channel_id": null,
        "afk_timeout": 300,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "roles": server.roles,
        "default_message_notifications": 0,
        "mfa_level": 0,
        "explicit_content_filter": 0,
        "max_presences": null,
        "max_members": 500_000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": null,
        "safety_alerts_channel_id": null,
        "public_updates_channel_id": null,
        "premium_progress_bar_enabled": false,
        "nsfw": false,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": null
    }))
    .into_response()
}

/// `GET /guilds/{id}/roles`.
fn roles(state: &StubState, guild: u64) -> Response {
    let servers = state.servers.lock().expect("lock");
    match servers.get(&guild) {
        Some(server) => axum::Json(server.roles.clone()).into_response(),
        None => unknown_guild(),
    }
}

/// `GET /guilds/{id}/channels`: the channels `set_channel` placed in the server, with their
/// names, types and overwrites.
fn channels(state: &StubState, guild: u64) -> Response {
    if !state.servers.lock().expect("lock").contains_key(&guild) {
        return unknown_guild();
    }
    let guilds = state.channel_guilds.lock().expect("lock").clone();
    let deleted = state.deleted_channels.lock().expect("lock").clone();
    let listed: Vec<Value> = state
        .channels
        .lock()
        .expect("lock")
        .iter()
        .filter(|(id, _)| guilds.get(id) == Some(&guild) && !deleted.contains(id))
        .map(|(id, channel)| {
            json!({
                "id": id.to_string(),
                "type": channel.kind,
                "guild_id": guild.to_string(),
                "name": channel.name,
                "position": 0,
                "permission_overwrites": channel.overwrites,
            })
        })
        .collect();
    axum::Json(listed).into_response()
}

/// `GET /guilds/{g}/members/{u}`: the bot, the owner and anyone given roles are members.
fn member(state: &StubState, guild: u64, user: u64) -> Response {
    let owner = match state.servers.lock().expect("lock").get(&guild) {
        Some(server) => server.owner,
        None => return unknown_guild(),
    };
    let known = user == APPLICATION_ID
        || user == owner
        || state
            .member_roles
            .lock()
            .expect("lock")
            .contains_key(&(guild, user));
    if !known {
        return refused(StatusCode::NOT_FOUND, 10007, "Unknown Member");
    }
    let user_object = if user == APPLICATION_ID {
        bot_user()
    } else {
        json!({"id": user.to_string(), "username": format!("user{user}"), "discriminator": "0",
               "global_name": null, "avatar": null})
    };
    let roles: Vec<String> = held_roles(state, guild, user)
        .iter()
        .map(u64::to_string)
        .collect();
    axum::Json(json!({
        "user": user_object,
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": roles,
        "joined_at": "2026-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "communication_disabled_until": null,
        "pending": false,
        "deaf": false,
        "mute": false,
        "flags": 0
    }))
    .into_response()
}

/// `POST /guilds/{g}/roles`: a new role at position 1 (above @everyone, the others moved up),
/// as Discord places it; refused without Manage Roles.
fn create_role(state: &StubState, guild: u64, body: &Value) -> Response {
    let mut servers = state.servers.lock().expect("lock");
    let Some(server) = servers.get_mut(&guild) else {
        return unknown_guild();
    };
    let (bits, _) = bot_standing(state, guild, server);
    if bits & MANAGE_ROLES == 0 {
        return missing_permissions();
    }
    let id = 800_000_000_000_000_000 + state.role_counter.fetch_add(1, Ordering::SeqCst);
    let permissions = match &body["permissions"] {
        Value::String(text) => text.parse().unwrap_or(0),
        Value::Number(number) => number.as_u64().unwrap_or(0),
        _ => 0,
    };
    let name = body["name"].as_str().unwrap_or("new role");
    for role in &mut server.roles {
        if id_of(role) != guild {
            role["position"] = json!(position_of(role) + 1);
        }
    }
    let mut created = role(id, name, 1, permissions, false);
    created["mentionable"] = json!(body["mentionable"].as_bool().unwrap_or(false));
    server.roles.push(created.clone());
    axum::Json(created).into_response()
}

/// `PATCH /guilds/{g}/roles` with `[{id, position}]`: each role moved, those at or above its
/// new place shifted up so that positions stay distinct (@everyone stays at 0); refused when a role would reach
/// the bot's highest role, or already stands at or above it.
fn move_roles(state: &StubState, guild: u64, body: &Value) -> Response {
    let mut servers = state.servers.lock().expect("lock");
    let Some(server) = servers.get_mut(&guild) else {
        return unknown_guild();
    };
    let (bits, highest) = bot_standing(state, guild, server);
    if bits & MANAGE_ROLES == 0 {
        return missing_permissions();
    }
    for change in body.as_array().into_iter().flatten() {
        let role: u64 = change["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .or_else(|| change["id"].as_u64())
            .unwrap_or(0);
        let wanted = change["position"].as_i64().unwrap_or(1).max(1);
        let Some(current) = server.roles.iter().find(|r| id_of(r) == role) else {
            return refused(StatusCode::NOT_FOUND, 10011, "Unknown Role");
        };
        if role == guild || wanted >= highest || position_of(current) >= highest {
            return missing_permissions();
        }
        // The role takes its place; those at or above it move up as far as needed for every
        // position to stay distinct.
        let mut others: Vec<&mut Value> = server
            .roles
            .iter_mut()
            .filter(|r| id_of(r) != guild)
            .collect();
        others.sort_by_key(|r| position_of(r));
        let mut free = wanted + 1;
        for other in others {
            if id_of(other) == role {
                other["position"] = json!(wanted);
            } else if position_of(other) >= wanted {
                let at = position_of(other).max(free);
                other["position"] = json!(at);
                free = at + 1;
            }
        }
    }
    axum::Json(server.roles.clone()).into_response()
}

/// `DELETE /channels/{c}/messages/{m}`: the message is gone (204); an unknown one is a 404.
fn delete_message(state: &StubState, channel: u64, message: u64) -> Response {
    let mut messages = state.messages.lock().expect("lock");
    let before = messages.len();
    messages.retain(|m| !(in_channel(m, channel) && m["id"] == json!(message.to_string())));
    if messages.len() == before {
        return refused(StatusCode::NOT_FOUND, 10008, "Unknown Message");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `DELETE /channels/{id}` for a thread or forum post: it is gone, and answered as it was.
fn delete_thread(state: &StubState, thread: u64) -> Response {
    let mut threads = state.threads.lock().expect("lock");
    let Some(at) = threads
        .iter()
        .position(|t| t["id"] == json!(thread.to_string()))
    else {
        return unknown_channel();
    };
    let removed = threads.remove(at);
    state
        .messages
        .lock()
        .expect("lock")
        .retain(|m| !in_channel(m, thread));
    axum::Json(removed).into_response()
}

/// `GET /channels/{id}` as `modes` answers it, with the name, type and overwrites
/// `set_channel` gave the channel.
pub(super) async fn described(state: &StubState, channel: u64, answer: Response) -> Response {
    let Some(details) = state.channels.lock().expect("lock").get(&channel).cloned() else {
        return answer;
    };
    let (parts, body) = answer.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if value.is_object() {
        value["name"] = json!(details.name);
        value["type"] = json!(details.kind);
        value["permission_overwrites"] = Value::Array(details.overwrites);
    }
    let mut parts = parts;
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        axum::body::Body::from(serde_json::to_vec(&value).unwrap_or_default()),
    )
}
