//! One request to Discord (or `[discord] api_url`) sent as serenity sends it, with its answer
//! read whole: a 429's `retry_after`, a refusal's code, and a success whose body serenity's
//! types would not take are each told apart (see `Failure`), and a request gets no longer
//! than the caller's timeout to answer.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serenity::all::Http;
use serenity::http::{LightMethod, Request, Route};

use super::outcome::Failure;

/// Sends requests with briefbot's token to where its REST client sends them. (No `Debug`:
/// it holds the token.)
#[derive(Clone)]
pub struct Caller {
    token: String,
    proxy: Option<String>,
    client: reqwest::Client,
}

impl Caller {
    /// A caller with `http`'s token and base URL that gives each request `timeout` to be
    /// answered: past it, the outcome is unknown (the request may still land).
    pub fn new(http: &Http, timeout: Duration) -> Caller {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            // Only a TLS backend that fails to start refuses this; a client without the
            // timeout still works, and the caller's own timeout (if any) still applies.
            .unwrap_or_default();
        Caller {
            token: http.token().to_string(),
            proxy: http.proxy.clone(),
            client,
        }
    }

    /// `method` on `route` with `body` as JSON and `params` in the query; the answer read as
    /// `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        route: Route<'_>,
        method: LightMethod,
        body: Option<&(impl Serialize + ?Sized)>,
        params: Option<Vec<(&'static str, String)>>,
    ) -> Result<T, Failure> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|error| Failure::Refused {
                status: 0,
                code: 0,
                message: format!("briefbot could not write the request: {error}"),
                details: Vec::new(),
            })?;
        let request = Request::new(route, method)
            .body(body)
            .params(params)
            .build(&self.client, &self.token, self.proxy.as_deref())
            .map_err(|error| Failure::of(&error))?;
        let response = request
            .send()
            .await
            .map_err(|error| Failure::of(&serenity::Error::from(error)))?;
        let status = response.status();
        let header = retry_after_header(&response);
        let text = response
            .bytes()
            .await
            .map_err(|error| Failure::of(&serenity::Error::from(error)))?;
        if !status.is_success() {
            return Err(Failure::of_answer(status.as_u16(), &text, header));
        }
        // An empty answer (204) reads as JSON null.
        let text: &[u8] = if text.is_empty() { b"null" } else { &text };
        serde_json::from_slice(text).map_err(|error| Failure::Unreadable {
            reason: error.to_string(),
            body: serde_json::from_slice(text).ok(),
        })
    }
}

/// The `Retry-After` header (seconds) of a 429.
fn retry_after_header(response: &reqwest::Response) -> Option<Duration> {
    let seconds: f64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}
