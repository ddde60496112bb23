//! Answers that are not a clean yes or no, as Discord (or a slow network) gives them: a
//! request refused with 429 and `retry_after`, one carried out whose answer lacks a field
//! serenity requires, one carried out whose answer comes too late, and one carried out and
//! answered 502. Each quirk applies to
//! requests of one method whose path starts with a prefix, a number of times.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::StubState;

/// What happens to a matching request.
#[derive(Debug, Clone)]
pub enum Misbehaviour {
    /// Refused with 429 and this `retry_after` in the body; nothing is done.
    RateLimited(Duration),
    /// Done, and answered with this field taken out of the answer (of every element, when
    /// the answer is a list): an answer serenity cannot read.
    Without(&'static str),
    /// Done, and answered only after this long (past the caller's timeout).
    LateBy(Duration),
    /// Done, and answered 502 Bad Gateway, as a proxy does whose upstream answered too late.
    DoneThenBadGateway,
    /// Not done: refused with this status and Discord's JSON error.
    Refused(u16, Value),
}

#[derive(Debug, Clone)]
pub struct Quirk {
    pub method: &'static str,
    pub prefix: String,
    pub misbehaviour: Misbehaviour,
    /// How many more matching requests it applies to.
    pub times: usize,
}

impl Quirk {
    /// `misbehaviour` for the next `times` `method` requests whose path starts with `prefix`
    /// (after `/api/v10`).
    pub fn new(
        method: &'static str,
        prefix: &str,
        misbehaviour: Misbehaviour,
        times: usize,
    ) -> Quirk {
        Quirk {
            method,
            prefix: format!("/api/v10{prefix}"),
            misbehaviour,
            times,
        }
    }
}

/// The quirk that applies to this request, used up by one.
fn take(state: &StubState, method: &str, path: &str) -> Option<Misbehaviour> {
    let mut quirks = state.quirks.lock().expect("lock");
    let quirk = quirks
        .iter_mut()
        .find(|q| q.times > 0 && q.method == method && path.starts_with(&q.prefix))?;
    quirk.times -= 1;
    state
        .quirks_applied
        .lock()
        .expect("lock")
        .push((method.to_string(), path.to_string()));
    Some(quirk.misbehaviour.clone())
}

/// The stand-in's layer that applies the quirks around its usual answers.
pub async fn apply(State(state): State<Arc<StubState>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let Some(misbehaviour) = take(&state, &method, &path) else {
        return next.run(request).await;
    };
    match misbehaviour {
        Misbehaviour::RateLimited(wait) => {
            let body = json!({"message": "You are being rate limited.", "retry_after": wait.as_secs_f64(), "global": false});
            (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
        }
        Misbehaviour::Without(field) => {
            let answer = next.run(request).await;
            let (parts, body) = answer.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            match &mut value {
                Value::Object(fields) => {
                    fields.remove(field);
                }
                Value::Array(items) => {
                    for item in items.iter_mut().filter_map(Value::as_object_mut) {
                        item.remove(field);
                    }
                }
                _ => {}
            }
            let bytes = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
            let mut parts = parts;
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(bytes))
        }
        Misbehaviour::Refused(status, error) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(error)).into_response()
        }
        Misbehaviour::DoneThenBadGateway => {
            let _done = next.run(request).await;
            (StatusCode::BAD_GATEWAY, "upstream timed out").into_response()
        }
        Misbehaviour::LateBy(delay) => {
            let answer = next.run(request).await;
            tokio::time::sleep(delay).await;
            answer
        }
    }
}
