//! A stand-in for Discord's REST API on loopback: records every request serenity sends and
//! answers like Discord would, so tests see exactly what the bot sends without the internet.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use serenity::all::{ApplicationId, Http, HttpBuilder};

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
}

pub struct DiscordStub {
    pub addr: SocketAddr,
    pub state: Arc<StubState>,
}

pub const APPLICATION_ID: u64 = 775_799_577_604_522_054;

impl DiscordStub {
    pub async fn start() -> DiscordStub {
        let state = Arc::new(StubState::default());
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        DiscordStub { addr, state }
    }

    /// Serenity's client pointed at the stub. The rate limiter must be off, or serenity
    /// ignores the proxy and talks to discord.com.
    pub fn http(&self) -> Http {
        HttpBuilder::new("MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.fake-signature-for-tests-only-0123456789")
            .proxy(format!("http://{}", self.addr))
            .ratelimiter_disabled(true)
            .application_id(ApplicationId::new(APPLICATION_ID))
            .build()
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

async fn handle(
    State(state): State<Arc<StubState>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = uri.path().to_string();
    state.requests.lock().expect("lock").push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
    });

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
                command["type"] = json!(1);
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
