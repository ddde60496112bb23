//! Answers to interactions: the first answer (the callback), and the edit of a deferred one.

use std::num::NonZeroU64;

use serde_json::value::RawValue;
use serenity::all::{ApplicationId, InteractionId};
use serenity::http::{LightMethod, Request, Route};

use super::Rest;
use super::outcome::Failure;

impl Rest {
    /// Answers interaction `id` with the response whose JSON is `body`. Discord takes one
    /// answer per interaction; `Failure::is_interaction_gone` says when a second would be
    /// refused too (already answered, or expired).
    pub(crate) async fn answer_interaction(
        &self,
        id: u64,
        token: &str,
        body: &[u8],
    ) -> Result<(), Failure> {
        let Some(id) = NonZeroU64::new(id).map(InteractionId::from) else {
            return Err(Failure::Refused {
                status: 0,
                code: 0,
                message: "an interaction id of zero".to_string(),
                details: Vec::new(),
            });
        };
        let json: Box<RawValue> =
            serde_json::from_slice(body).map_err(|error| Failure::Refused {
                status: 0,
                code: 0,
                message: format!("briefbot could not write the answer: {error}"),
                details: Vec::new(),
            })?;
        let sent = self
            .http
            .create_interaction_response(id, token, &json, Vec::new())
            .await;
        self.counted(sent.map_err(|error| Failure::of(&error)))
    }

    /// Edits the deferred answer of the interaction with `token` (`PATCH
    /// /webhooks/{application}/{token}/messages/@original`) to the message whose JSON is
    /// `body`. The application id comes with the interaction; the client's own is the
    /// fallback.
    pub(crate) async fn edit_answer(
        &self,
        application: Option<u64>,
        token: &str,
        body: Vec<u8>,
    ) -> Result<(), Failure> {
        let application_id = application
            .and_then(NonZeroU64::new)
            .map(ApplicationId::from)
            .or_else(|| self.http.application_id())
            .ok_or_else(|| Failure::Refused {
                status: 0,
                code: 0,
                message: "the application id is not known".to_string(),
                details: Vec::new(),
            })?;
        let request = Request::new(
            Route::WebhookOriginalInteractionResponse {
                application_id,
                token,
            },
            LightMethod::Patch,
        )
        .body(Some(body));
        let sent = self.http.request(request).await.map(drop);
        self.counted(sent.map_err(|error| Failure::of(&error)))
    }
}
