//! One request, sent as serenity sends it, with its answer read whole and given a kind.
//!
//! Against Discord itself a request goes through serenity's rate limiter (shared by every
//! call of the process), which waits out a 429 on its own. With `[discord] api_url`, where
//! the limiter is off, it is sent directly, so that a 429's `retry_after` can be read. Either
//! way a success whose body is not what the caller expects is `Unreadable` (the request went
//! through), and a request gets no longer than the client's timeout to be answered.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serenity::http::{LightMethod, Request, Route};

use super::Rest;
use super::outcome::Failure;

impl Rest {
    /// `method` on `route` with `body` as JSON and `params` in the query; the answer read as
    /// `T` (an empty answer, 204, reads as JSON null). Its outcome is counted in the metrics.
    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        route: Route<'_>,
        method: LightMethod,
        body: Option<&(impl Serialize + ?Sized)>,
        params: Option<Vec<(&'static str, String)>>,
    ) -> Result<T, Failure> {
        self.counted(self.send_once(route, method, body, params).await)
    }

    /// `sent`, its outcome counted in the metrics: every request to Discord goes through here.
    pub(super) fn counted<T>(&self, sent: Result<T, Failure>) -> Result<T, Failure> {
        self.metrics
            .rest(sent.as_ref().map_or_else(Failure::label, |_| "ok"));
        sent
    }

    /// `send`, uncounted.
    async fn send_once<T: DeserializeOwned>(
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
        let request = Request::new(route, method).body(body).params(params);
        let text = if self.http.ratelimiter.is_some() {
            let answered = tokio::time::timeout(self.timeout, async {
                let response = self.http.request(request).await?;
                Ok::<_, serenity::Error>(response.bytes().await?.to_vec())
            })
            .await
            .map_err(|_| Failure::Unknown {
                reason: "no answer in time".to_string(),
            })?;
            answered.map_err(|error| Failure::of(&error))?
        } else {
            self.send_directly(request).await?
        };
        let text: &[u8] = if text.is_empty() { b"null" } else { &text };
        serde_json::from_slice(text).map_err(|error| Failure::Unreadable {
            reason: error.to_string(),
            body: serde_json::from_slice(text).ok(),
        })
    }

    /// Sends `request` past serenity's (disabled) rate limiter, reading a refusal whole.
    async fn send_directly(&self, request: Request<'_>) -> Result<Vec<u8>, Failure> {
        let built = request
            .build(&self.direct, self.http.token(), self.http.proxy.as_deref())
            .map_err(|error| Failure::of(&error))?
            .timeout(self.timeout);
        let response = built
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
        Ok(text.to_vec())
    }
}

/// The `Retry-After` header (seconds) of a 429.
fn retry_after_header(response: &reqwest::Response) -> Option<std::time::Duration> {
    let seconds: f64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    std::time::Duration::try_from_secs_f64(seconds).ok()
}
