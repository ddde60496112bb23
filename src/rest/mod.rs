//! Every call briefbot makes to Discord's REST API, and what each answer means.
//!
//! `Rest` is the one REST client of a process, built once from the token and `[discord]`:
//! one serenity client (and with it one rate limiter) for the announcer, the handler's role
//! changes and deferred answers, the gateway's interaction answers and the registration of
//! commands. Its operations (`messages`, `threads`, `members`, `interactions`, `commands`)
//! send what serenity would send, read each answer whole and give it a kind (`Failure`:
//! refused, rate limited, accepted but unreadable, unknown), so that each caller decides per
//! operation what each kind means. `retry` is the one backoff for what is retried.
//!
//! Nothing outside this module names serenity's HTTP layer, reqwest, a route or one of
//! Discord's error codes. Below `live` and `transport`, above nothing but `config` (and Discord's permission rules).

mod channels;
mod commands;
mod interactions;
mod members;
mod messages;
mod outcome;
mod retry;
mod send;
mod servers;
mod threads;
mod token;

pub(crate) use channels::{ChannelInfo, ChannelKind};
pub use commands::Scope;
pub(crate) use messages::Seen;
pub use outcome::Failure;
pub use retry::Backoff;
pub(crate) use retry::pause;
pub use servers::{Application, ChannelDetails};
pub use token::{Token, TokenError};

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{ApplicationId, Http, HttpBuilder};

use crate::config::DiscordConfig;
use crate::metrics::Metrics;

/// Far longer than Discord takes to answer when it is well; an answer later than this is
/// taken as lost (the request may still have landed).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The REST client of a process. Cheap to clone: clones share the serenity client, its rate
/// limiter and the connection pool.
#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    /// For `[discord] api_url`, where serenity's rate limiter is off: requests are sent
    /// directly, so a 429's `retry_after` can be read (serenity would drop it).
    direct: reqwest::Client,
    /// How long a request may take to be answered.
    timeout: Duration,
    /// Where each request's outcome is counted.
    metrics: Metrics,
}

impl Rest {
    /// The client for `token`, with the configured application id and, when `[discord]
    /// api_url` is set, requests sent there instead of to Discord (a shared rate-limiting
    /// proxy, or a Discord-compatible server), whose rate limits then apply.
    pub fn new(token: &Token, discord: &DiscordConfig) -> Rest {
        Rest {
            http: Arc::new(serenity_client(token, discord)),
            direct: reqwest::Client::new(),
            timeout: ANSWER_TIMEOUT,
            metrics: Metrics::new(),
        }
    }

    /// The same client, counting each request's outcome in `metrics` (the process's).
    pub fn with_metrics(self, metrics: Metrics) -> Rest {
        Rest { metrics, ..self }
    }

    /// The same client, giving each request `timeout` to be answered.
    pub(crate) fn with_timeout(&self, timeout: Duration) -> Rest {
        Rest {
            timeout,
            ..self.clone()
        }
    }

    /// A serenity client, with this one's token, application id and base URL, for the
    /// gateway to connect with (it asks Discord where to connect, once). Every call briefbot
    /// makes goes through this `Rest`, not through that client.
    pub(crate) fn for_gateway(&self) -> Http {
        let mut builder = HttpBuilder::new(self.http.token());
        if let Some(id) = self.http.application_id() {
            builder = builder.application_id(id);
        }
        if let Some(url) = &self.http.proxy {
            builder = builder.proxy(url.as_str()).ratelimiter_disabled(true);
        }
        builder.build()
    }

    /// The application id, asked of Discord when `[discord]` does not set it.
    pub(crate) async fn application_id(&self) -> Result<u64, Failure> {
        if let Some(id) = self.http.application_id() {
            return Ok(id.get());
        }
        let app = self.http.get_current_application_info().await;
        let app = self.counted(app.map_err(|error| Failure::of(&error)))?;
        self.http.set_application_id(app.id);
        Ok(app.id.get())
    }

    /// The id of briefbot's own user.
    pub(crate) async fn own_user(&self) -> Result<u64, Failure> {
        let user = self.http.get_current_user().await;
        self.counted(
            user.map(|user| user.id.get())
                .map_err(|error| Failure::of(&error)),
        )
    }
}

/// A Discord id as serenity's id type; refused (never sent) when it is zero, which Discord
/// never gives and serenity's types cannot hold.
pub(super) fn id<T: From<std::num::NonZeroU64>>(id: u64) -> Result<T, Failure> {
    std::num::NonZeroU64::new(id)
        .map(T::from)
        .ok_or_else(|| Failure::Refused {
            status: 0,
            code: 0,
            message: "an id of zero, which Discord never sends".to_string(),
            details: Vec::new(),
        })
}

fn serenity_client(token: &Token, discord: &DiscordConfig) -> Http {
    let mut builder = HttpBuilder::new(token.expose());
    if let Some(id) = discord.application_id {
        builder = builder.application_id(ApplicationId::new(id));
    }
    if let Some(url) = &discord.api_url {
        // serenity sends to the proxy only with its own rate limiter off.
        builder = builder
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}
