//! The one REST client to Discord, built from the token, the application id and the base
//! URL: the gateway, the announcer, `serve` and `register` all use it. Below `live` and
//! `transport`, above nothing but `config`.

mod call;
mod outcome;
mod token;

pub use call::Caller;
pub use outcome::{FALLBACK_WAIT, Failure, code};
pub use token::{Token, TokenError};

use serenity::all::{ApplicationId, Http, HttpBuilder};

use crate::config::DiscordConfig;

/// Serenity's REST client for `token`, with the configured application id and, when
/// `[discord] api_url` is set, requests sent there instead of to Discord (a shared
/// rate-limiting proxy, or a Discord-compatible server), whose rate limits then apply.
pub fn client(token: &Token, discord: &DiscordConfig) -> Http {
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
