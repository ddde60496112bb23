//! A stand-in for Discord's REST API on loopback: records every request serenity sends and
//! answers like Discord would, so tests see exactly what the bot sends without the internet.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use briefbot::config::DiscordConfig;
use briefbot::rest::{Rest, Token};
use serde_json::{Value, json};

mod modes;
pub mod quirks;
pub mod servers;

pub use servers::{StubChannel, StubServer};

/// One request as the stub received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
}

#[derive(Default)]
pub struct StubState {
    pub requests: Mutex<Vec<Recorded>>,
    /// The commands Discord "has", as it would return them.
    pub commands: Mutex<Vec<Value>>,
    /// Interaction ids whose first callback is refused with 400, as Discord refuses a bad reply.
    pub refuse_first_callback: Mutex<HashSet<String>>,
    /// INTERACTION_CREATE payloads the gateway sends after READY.
    pub interactions: Mutex<Vec<Value>>,
    /// What the bot sent over the gateway (IDENTIFY, heartbeats).
    pub gateway_frames: Mutex<Vec<Value>>,
    pub addr: Mutex<Option<SocketAddr>>,
    /// Every message posted to a channel, as Discord stored it (oldest first).
    pub messages: Mutex<Vec<Value>>,
    /// Channels where the bot may not post: Discord answers 403 Missing Permissions.
    pub forbidden_channels: Mutex<HashSet<u64>>,
    /// When set, a post is stored but never answered, like a confirmation lost in a crash.
    pub hold_posts: AtomicBool,
    pub message_counter: AtomicU64,
    /// The server each channel belongs to, as `GET /channels/{id}` answers it; a channel not
    /// here is in `STUB_GUILD`.
    pub channel_guilds: Mutex<HashMap<u64, u64>>,
    /// Members' roles as changed through `PUT`/`DELETE /guilds/{g}/members/{u}/roles/{r}`,
    /// by (server, member).
    pub member_roles: Mutex<HashMap<(u64, u64), HashSet<u64>>>,
    /// Roles above the bot's highest role: changing one is refused with 403 (50013).
    pub roles_above_bot: Mutex<HashSet<u64>>,
    /// How long a role change takes to answer.
    pub role_delay: Mutex<std::time::Duration>,
    /// Announcement channels (type 5): their messages can be crossposted.
    pub news_channels: Mutex<HashSet<u64>>,
    /// Forum channels (type 15), with their tags as (id, name).
    pub forums: Mutex<HashMap<u64, Vec<(u64, String)>>>,
    /// Every thread, started from a message or posted in a forum, as Discord describes it.
    pub threads: Mutex<Vec<Value>>,
    /// When set, a thread (from a message, or a forum post) is made but never answered.
    pub hold_threads: AtomicBool,
    /// When set, a crosspost is made but never answered.
    pub hold_crossposts: AtomicBool,
    /// Each crosspost Discord took: channel, message, when.
    pub crossposts: Mutex<Vec<(u64, u64, Instant)>>,
    /// Discord's crosspost limit per channel (how many in what window); beyond it, 429 with
    /// the seconds until the oldest leaves the window. None: no limit.
    pub crosspost_limit: Mutex<Option<(usize, Duration)>>,
    /// Answers that are not a clean yes or no, for the requests they match (see `quirks`).
    pub quirks: Mutex<Vec<quirks::Quirk>>,
    /// Each request a quirk applied to: method and path.
    pub quirks_applied: Mutex<Vec<(String, String)>>,
    /// Servers with their owner and roles (`add_server`); a server not here is unknown to
    /// `GET /guilds/{id}`, and its members' role changes are not checked against its roles.
    pub servers: Mutex<HashMap<u64, StubServer>>,
    /// Channels' names, types and overwrites (`set_channel`), as `GET /channels/{id}` adds them.
    pub channels: Mutex<HashMap<u64, StubChannel>>,
    /// Channels that are gone: reading one, or posting there, is 404 Unknown Channel.
    pub deleted_channels: Mutex<HashSet<u64>>,
    /// Makes the ids of roles created through `POST /guilds/{g}/roles` distinct.
    pub role_counter: AtomicU64,
    /// The application's public key; `VERIFY_KEY` when unset.
    pub verify_key: Mutex<Option<String>>,
    /// The application's Interactions Endpoint URL; none by default.
    pub endpoint_url: Mutex<Option<String>>,
    /// When set, a request not authorised with `Bot <this token>` is refused with 401.
    pub accepted_token: Mutex<Option<String>>,
    /// Dispatch events for the live gateway sessions, and those queued for the next one.
    pub events: GatewayEvents,
}

/// Gateway dispatch events a test sends (`DiscordStub::dispatch`): every live session
/// subscribes; with none, they wait for the next session's READY.
pub struct GatewayEvents {
    pub live: tokio::sync::broadcast::Sender<(String, Value)>,
    pub queued: Mutex<Vec<(String, Value)>>,
}

impl Default for GatewayEvents {
    fn default() -> GatewayEvents {
        GatewayEvents {
            live: tokio::sync::broadcast::channel(256).0,
            queued: Mutex::new(Vec::new()),
        }
    }
}

/// The application's public key the stand-in answers unless a test sets another: 32 bytes
/// in hex, as Discord shows it.
pub const VERIFY_KEY: &str = "3f4e5d6c7b8a99a8b7c6d5e4f3021100ffeeddccbbaa99887766554433221100";

/// The server of a channel the test did not place in one.
pub const STUB_GUILD: u64 = 909_090_909_090_909_090;

impl StubState {
    /// The stand-in gateway's websocket URL.
    fn gateway_url(&self) -> String {
        let addr = self.addr.lock().expect("lock").map(|a| a.to_string());
        format!("ws://{}/gateway", addr.unwrap_or_default())
    }
}

pub struct DiscordStub {
    pub addr: SocketAddr,
    pub state: Arc<StubState>,
}

pub const APPLICATION_ID: u64 = 775_799_577_604_522_054;

impl DiscordStub {
    pub async fn start() -> DiscordStub {
        let state = Arc::new(StubState::default());
        let app = Router::new()
            .route("/api/v10/gateway", get(gateway_url))
            .route("/gateway", get(gateway))
            .fallback(handle)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                quirks::apply,
            ))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        *state.addr.lock().expect("lock") = Some(addr);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        DiscordStub { addr, state }
    }

    /// briefbot's REST client pointed at the stub.
    pub fn rest(&self) -> Rest {
        rest_for(self.addr)
    }

    /// The messages posted to `channel`, oldest first.
    #[allow(dead_code)]
    pub fn posts(&self, channel: u64) -> Vec<Value> {
        self.state
            .messages
            .lock()
            .expect("lock")
            .iter()
            .filter(|m| in_channel(m, channel))
            .cloned()
            .collect()
    }

    /// From now on, `quirk` applies to the requests it matches.
    #[allow(dead_code)]
    pub fn quirk(&self, quirk: quirks::Quirk) {
        self.state.quirks.lock().expect("lock").push(quirk);
    }

    /// How many requests a quirk applied to so far.
    #[allow(dead_code)]
    pub fn quirks_applied(&self) -> usize {
        self.state.quirks_applied.lock().expect("lock").len()
    }

    /// A server `guild` with @everyone, and briefbot's own (managed) role held by the bot,
    /// owned by `SERVER_OWNER`; answers the id of briefbot's role.
    #[allow(dead_code)]
    pub fn add_server(&self, guild: u64) -> u64 {
        let bot_role = servers::bot_role_of(guild);
        let server = StubServer {
            owner: servers::SERVER_OWNER,
            name: format!("server {guild}"),
            roles: vec![
                servers::role(guild, "@everyone", 0, servers::EVERYONE_PERMISSIONS, false),
                servers::role(
                    bot_role,
                    "briefbot",
                    10,
                    servers::BOT_ROLE_PERMISSIONS,
                    true,
                ),
            ],
        };
        self.state
            .servers
            .lock()
            .expect("lock")
            .insert(guild, server);
        self.give_member_roles(guild, APPLICATION_ID, &[bot_role]);
        bot_role
    }

    /// A role in `guild` (made with `add_server`), with its place and permission bits.
    #[allow(dead_code)]
    pub fn add_role(
        &self,
        guild: u64,
        id: u64,
        name: &str,
        position: i64,
        permissions: u64,
        managed: bool,
    ) {
        let mut servers = self.state.servers.lock().expect("lock");
        let server = servers
            .get_mut(&guild)
            .expect("a server made with add_server");
        server.roles.retain(|r| r["id"] != json!(id.to_string()));
        server
            .roles
            .push(servers::role(id, name, position, permissions, managed));
    }

    /// `user` holds `roles` in `guild` too (and is a member of it).
    #[allow(dead_code)]
    pub fn give_member_roles(&self, guild: u64, user: u64, roles: &[u64]) {
        self.state
            .member_roles
            .lock()
            .expect("lock")
            .entry((guild, user))
            .or_default()
            .extend(roles.iter().copied());
    }

    /// `channel` is in `guild`, of Discord's type `kind` (0 text, 5 announcement, 15 forum,
    /// 16 media), named `name`, with these `permission_overwrites`
    /// (`{id, type: 0 role | 1 member, allow, deny}`, bits as strings).
    #[allow(dead_code)]
    pub fn set_channel(
        &self,
        channel: u64,
        guild: u64,
        kind: u8,
        name: &str,
        overwrites: Vec<Value>,
    ) {
        self.state
            .channel_guilds
            .lock()
            .expect("lock")
            .insert(channel, guild);
        if kind == 5 {
            self.state
                .news_channels
                .lock()
                .expect("lock")
                .insert(channel);
        }
        if kind == 15 || kind == 16 {
            self.state
                .forums
                .lock()
                .expect("lock")
                .entry(channel)
                .or_default();
        }
        self.state.channels.lock().expect("lock").insert(
            channel,
            StubChannel {
                kind,
                name: name.to_string(),
                overwrites,
            },
        );
    }

    /// Sends the gateway dispatch event `event` with `data` to every live session; with none,
    /// the next session gets it after READY.
    #[allow(dead_code)]
    pub fn dispatch(&self, event: &str, data: Value) {
        let events = &self.state.events;
        // Hold the queue while deciding, so a session starting now sees the event once.
        let mut queued = events.queued.lock().expect("lock");
        if events.live.receiver_count() == 0 {
            queued.push((event.to_string(), data));
        } else {
            let _ = events.live.send((event.to_string(), data));
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().expect("lock").clone()
    }

    pub fn callbacks(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/callback"))
            .collect()
    }
}

/// A bot token's shape, for tests only: never a real one.
pub const BOT_TOKEN: &str =
    "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-signature-for-tests-only-0123456789";

/// The `[discord]` settings of a bot whose REST requests go to a stub at `addr`.
pub fn discord_config(addr: SocketAddr) -> DiscordConfig {
    DiscordConfig {
        application_id: Some(APPLICATION_ID),
        api_url: Some(format!("http://{addr}")),
        ..DiscordConfig::default()
    }
}

/// briefbot's REST client pointed at a stub at `addr` (also from a child process), built as
/// the bot builds it from `[discord] api_url`.
pub fn rest_for(addr: SocketAddr) -> Rest {
    let token = Token::from_lookup(|var| (var == "DISCORD_TOKEN").then(|| BOT_TOKEN.to_string()))
        .expect("a well-formed test token");
    Rest::new(&token, &discord_config(addr))
}

/// A permission overwrite as Discord describes it: for a role (`member` false) or a member.
#[allow(dead_code)]
pub fn overwrite(id: u64, member: bool, allow: u64, deny: u64) -> Value {
    json!({"id": id.to_string(), "type": u8::from(member), "allow": allow.to_string(),
           "deny": deny.to_string()})
}

/// The bot user, as Discord describes it.
fn bot_user() -> Value {
    json!({"id": APPLICATION_ID.to_string(), "username": "briefbot", "discriminator": "0",
           "global_name": null, "avatar": null, "bot": true})
}

/// A message as Discord returns it, with an id made from the current time as Discord's are.
fn stored_message(state: &StubState, channel: u64, body: &Value) -> Value {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let sequence = state.message_counter.fetch_add(1, Ordering::SeqCst) % 4096;
    let id = ((ms - 1_420_070_400_000) << 22) | sequence;
    json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": bot_user(),
        "content": body["content"].as_str().unwrap_or_default(),
        "timestamp": "2026-11-27T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds").filter(|e| !e.is_null()).cloned().unwrap_or_else(|| json!([])),
        "pinned": false,
        "type": 0
    })
}

fn in_channel(message: &Value, channel: u64) -> bool {
    message["channel_id"]
        .as_str()
        .and_then(|id| id.parse::<u64>().ok())
        == Some(channel)
}

fn channel_of(path: &str) -> Option<u64> {
    path.strip_prefix("/api/v10/channels/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// `GET /gateway`: where the websocket is, as Discord answers it.
async fn gateway_url(State(state): State<Arc<StubState>>) -> axum::Json<Value> {
    axum::Json(json!({ "url": state.gateway_url() }))
}

/// A minimal gateway: HELLO, then READY after IDENTIFY, then the queued interactions;
/// heartbeats are acknowledged.
async fn gateway(State(state): State<Arc<StubState>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| gateway_session(state, socket))
}

async fn gateway_session(state: Arc<StubState>, mut socket: WebSocket) {
    let send = |value: Value| Message::Text(value.to_string().into());
    // Subscribed before anything else, so no event a test sends from now on is missed; they
    // wait in the receiver until READY has gone out.
    let mut events = {
        let _queue = state.events.queued.lock().expect("lock");
        state.events.live.subscribe()
    };
    if socket
        .send(send(json!({"op": 10, "d": {"heartbeat_interval": 41_250}})))
        .await
        .is_err()
    {
        return;
    }
    let mut sequence = 0;
    let mut ready = false;
    loop {
        let message = tokio::select! {
            message = socket.recv() => message,
            event = events.recv(), if ready => {
                let Ok((name, data)) = event else {
                    continue;
                };
                sequence += 1;
                let frame = json!({"op": 0, "t": name, "s": sequence, "d": data});
                if socket.send(send(frame)).await.is_err() {
                    return;
                }
                continue;
            }
        };
        let Some(Ok(message)) = message else {
            return;
        };
        let Message::Text(text) = message else {
            continue;
        };
        let frame: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
        state
            .gateway_frames
            .lock()
            .expect("lock")
            .push(frame.clone());
        match frame["op"].as_u64() {
            Some(1) => {
                let _ = socket.send(send(json!({"op": 11, "d": null}))).await;
            }
            Some(2) => {
                let url = state.gateway_url();
                sequence += 1;
                let ready_event = json!({"op": 0, "s": sequence, "t": "READY", "d": {
                    "v": 10,
                    "user": bot_user(),
                    "guilds": [],
                    "session_id": "stub-session",
                    "resume_gateway_url": url,
                    "shard": [0, 1],
                    "application": {"id": APPLICATION_ID.to_string(), "flags": 0}
                }});
                if socket.send(send(ready_event)).await.is_err() {
                    return;
                }
                ready = true;
                let queued: Vec<Value> =
                    state.interactions.lock().expect("lock").drain(..).collect();
                let queued = queued
                    .into_iter()
                    .map(|interaction| ("INTERACTION_CREATE".to_string(), interaction));
                let dispatched: Vec<(String, Value)> = state
                    .events
                    .queued
                    .lock()
                    .expect("lock")
                    .drain(..)
                    .collect();
                for (name, data) in queued.chain(dispatched) {
                    sequence += 1;
                    let event = json!({"op": 0, "s": sequence, "t": name, "d": data});
                    if socket.send(send(event)).await.is_err() {
                        return;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Members' roles (`PUT`/`DELETE /guilds/{g}/members/{u}/roles/{r}`) and edits of an
/// interaction's answer (`PATCH /webhooks/{app}/{token}/messages/@original`); `None` for any
/// other request.
async fn member_roles_and_edits(
    state: &StubState,
    method: &Method,
    path: &str,
    body: &Value,
) -> Option<Response> {
    if method == Method::PATCH && path.starts_with("/api/v10/webhooks/") {
        let edited = path.ends_with("/messages/@original");
        return Some(if edited {
            axum::Json(stored_message(state, 0, body)).into_response()
        } else {
            StatusCode::NOT_FOUND.into_response()
        });
    }
    let ids: Vec<u64> = {
        let rest = path.strip_prefix("/api/v10/guilds/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        match parts.as_slice() {
            [guild, "members", user, "roles", role] => [guild, user, role]
                .iter()
                .map(|id| id.parse().ok())
                .collect::<Option<Vec<u64>>>()?,
            _ => return None,
        }
    };
    let (guild, user, role) = (ids[0], ids[1], ids[2]);
    if method != Method::PUT && method != Method::DELETE {
        return None;
    }
    let delay = *state.role_delay.lock().expect("lock");
    tokio::time::sleep(delay).await;
    if servers::lacks_role(state, guild, role) {
        let error = json!({"code": 10011, "message": "Unknown Role"});
        return Some((StatusCode::NOT_FOUND, axum::Json(error)).into_response());
    }
    if state.roles_above_bot.lock().expect("lock").contains(&role) {
        let error = json!({"code": 50013, "message": "Missing Permissions"});
        return Some((StatusCode::FORBIDDEN, axum::Json(error)).into_response());
    }
    let mut roles = state.member_roles.lock().expect("lock");
    let held = roles.entry((guild, user)).or_default();
    if method == Method::PUT {
        held.insert(role);
    } else {
        held.remove(&role);
    }
    Some(StatusCode::NO_CONTENT.into_response())
}

async fn handle(
    State(state): State<Arc<StubState>>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = uri.path().to_string();
    state.requests.lock().expect("lock").push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
    });
    let accepted = state.accepted_token.lock().expect("lock").clone();
    if let Some(token) = accepted {
        let sent = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        if sent != Some(format!("Bot {token}").as_str()) {
            let error = json!({"code": 0, "message": "401: Unauthorized"});
            return (StatusCode::UNAUTHORIZED, axum::Json(error)).into_response();
        }
    }
    if let Some(answer) = servers::answer(&state, &method, &path, &body) {
        return answer;
    }

    if let Some(response) = member_roles_and_edits(&state, &method, &path, &body).await {
        return response;
    }
    if path.ends_with("/callback") && method == Method::POST {
        let id = path.split('/').nth(4).unwrap_or_default().to_string();
        if state
            .refuse_first_callback
            .lock()
            .expect("lock")
            .remove(&id)
        {
            let error = json!({"code": 50035, "message": "Invalid Form Body", "errors": {}});
            return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
        }
        return StatusCode::NO_CONTENT.into_response();
    }
    if path == "/api/v10/users/@me" && method == Method::GET {
        return axum::Json(bot_user()).into_response();
    }
    if let Some(answer) = modes::answer(&state, &method, &path, &body).await {
        return match channel_of(&path).filter(|_| method == Method::GET) {
            Some(channel) if path.ends_with(&format!("/channels/{channel}")) => {
                servers::described(&state, channel, answer).await
            }
            _ => answer,
        };
    }
    if let Some(channel) = channel_of(&path).filter(|_| path.ends_with("/messages")) {
        if method == Method::POST {
            if state
                .forbidden_channels
                .lock()
                .expect("lock")
                .contains(&channel)
            {
                let error = json!({"code": 50013, "message": "Missing Permissions"});
                return (StatusCode::FORBIDDEN, axum::Json(error)).into_response();
            }
            let message = stored_message(&state, channel, &body);
            state.messages.lock().expect("lock").push(message.clone());
            if state.hold_posts.load(Ordering::SeqCst) {
                // Stored, never confirmed: the process waiting for the answer is killed.
                std::future::pending::<()>().await;
            }
            return axum::Json(message).into_response();
        }
        if method == Method::GET {
            // `?after=ID&limit=N`: the N messages right after ID, newest first, as Discord does.
            let query = uri.query().unwrap_or_default();
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse::<u64>().ok())
            };
            let after = param("after").unwrap_or(0);
            let limit = param("limit").unwrap_or(50) as usize;
            let mut page: Vec<Value> = state
                .messages
                .lock()
                .expect("lock")
                .iter()
                .filter(|m| in_channel(m, channel))
                .filter(|m| {
                    m["id"]
                        .as_str()
                        .and_then(|id| id.parse::<u64>().ok())
                        .is_some_and(|id| id > after)
                })
                .take(limit)
                .cloned()
                .collect();
            page.reverse();
            return axum::Json(Value::Array(page)).into_response();
        }
    }
    if let Some(response) = edit_message(&state, &method, &path, &body) {
        return response;
    }
    if path.ends_with("/commands") && method == Method::GET {
        let commands = state.commands.lock().expect("lock").clone();
        return axum::Json(Value::Array(commands)).into_response();
    }
    if path.ends_with("/commands") && method == Method::PUT {
        // Discord answers with the commands as stored: ids, versions and the rest added.
        let stored: Vec<Value> = body
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, command)| {
                let mut command = command.clone();
                command["id"] = json!((1_000 + i).to_string());
                command["application_id"] = json!(APPLICATION_ID.to_string());
                command["version"] = json!("1");
                // Discord returns permissions as a string, whichever form it was sent in.
                if let Some(bits) = command["default_member_permissions"].as_u64() {
                    command["default_member_permissions"] = json!(bits.to_string());
                }
                // A command sent without a type is a slash command; Discord gives a message
                // command, sent without a description, an empty one.
                if command["type"].is_null() {
                    command["type"] = json!(1);
                }
                if command["description"].is_null() {
                    command["description"] = json!("");
                }
                command
            })
            .collect();
        *state.commands.lock().expect("lock") = stored.clone();
        return axum::Json(Value::Array(stored)).into_response();
    }
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"code": 0, "message": "404: Not Found"})),
    )
        .into_response()
}

/// `PATCH /channels/{c}/messages/{m}`: the stored message takes the fields sent (content,
/// embeds, components), as Discord edits it; an unknown message is a 404.
fn edit_message(state: &StubState, method: &Method, path: &str, body: &Value) -> Option<Response> {
    if method != Method::PATCH {
        return None;
    }
    let channel = channel_of(path)?;
    let message = path
        .strip_prefix(&format!("/api/v10/channels/{channel}/messages/"))?
        .to_string();
    let mut messages = state.messages.lock().expect("lock");
    let Some(stored) = messages
        .iter_mut()
        .find(|m| in_channel(m, channel) && m["id"] == json!(message))
    else {
        let error = json!({"code": 10008, "message": "Unknown Message"});
        return Some((StatusCode::NOT_FOUND, axum::Json(error)).into_response());
    };
    for field in ["content", "embeds", "components"] {
        if let Some(value) = body.get(field) {
            stored[field] = value.clone();
        }
    }
    stored["edited_timestamp"] = json!("2026-11-28T12:00:00.000000+00:00");
    Some(axum::Json(stored.clone()).into_response())
}
