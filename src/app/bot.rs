//! The bot: `run` (over the gateway) and `serve` (Discord's interactions as HTTP POSTs).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tracing::info;

use super::{LOG_TARGET, load_folder};
use crate::config::Config;
use crate::live::{Hangups, Live, Reloader};
use crate::rest::{Rest, Token, TokenError};
use crate::transport::gateway::Gateway;
use crate::transport::http::{self, Endpoint, PublicKey};
use crate::transport::{Handler, stop_on_signals};

/// `briefbot run`: serves Discord over the gateway until SIGINT or SIGTERM.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    // The token is checked before anything connects; it is never logged.
    let token = Token::from_env()?;
    let (runtime, hangups) = runtime()?;
    let (library, folder) = load_folder(config)?;
    info!(
        target: LOG_TARGET,
        rounds = library.round_count(),
        tracks = library.tracks().len(),
        folder = %config.briefs_dir.display(),
        "briefs loaded"
    );
    runtime.block_on(async {
        let stop = stop_on_signals();
        let reloader = Reloader::with_folder(library, folder);
        // One REST client for the process: the handler's role changes, the gateway's
        // answers and registration, and the announcer share it and its rate limiter.
        let rest = Rest::new(&token, &config.discord);
        let handler = Arc::new(
            Handler::new(reloader.clone())
                .with_follow_roles(config.follow.clone(), Some(rest.clone())),
        );
        let gateway = Gateway::new(config, rest, handler).await?;
        // A bot split over several processes announces from one: with a state file, the
        // one with shard 0; with a state database, whichever holds its lock.
        let announces = config.database.is_some() || config.discord.shards.includes_first();
        if !announces && config.announce.is_enabled() {
            info!(target: LOG_TARGET, "announcements are posted by the process that runs shard 0, not this one");
        }
        let live = Live::start(
            config,
            &reloader,
            hangups,
            announces.then(|| gateway.rest()),
        )
        .await?;
        let result = gateway.run(stop).await;
        live.stop().await;
        anyhow::Ok(result?)
    })?;
    info!(target: LOG_TARGET, "stopped");
    Ok(ExitCode::SUCCESS)
}

/// `briefbot serve`: serves Discord's interactions as signed HTTP POSTs until SIGINT or
/// SIGTERM.
pub fn serve(config: &Config, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    let key = PublicKey::from_env_or(config.discord.public_key.as_deref())?;
    // Posting announcements needs the bot token; answering over HTTP does not, and
    // without it follow roles cannot be given (a member who asks is told so).
    let token = if config.announce.is_enabled() {
        Some(
            Token::from_env().context(
                "[announce] is configured, and posting announcements needs the bot token",
            )?,
        )
    } else if config.follow.is_empty() {
        None
    } else {
        match Token::from_env() {
            Ok(token) => Some(token),
            Err(TokenError::Missing) => {
                tracing::warn!(
                    target: LOG_TARGET,
                    "[[follow]] roles are configured, but without the bot token (DISCORD_TOKEN) briefbot cannot give them: /follow and Follow buttons will say so"
                );
                None
            }
            Err(error) => {
                return Err(anyhow::Error::new(error).context(
                    "[[follow]] roles are configured, and giving them needs the bot token",
                ));
            }
        }
    };
    let (runtime, hangups) = runtime()?;
    let (library, folder) = load_folder(config)?;
    info!(target: LOG_TARGET, rounds = library.round_count(), folder = %config.briefs_dir.display(), "briefs loaded");
    let listen = listen.unwrap_or(config.serve.listen);
    runtime.block_on(async {
        let stop = stop_on_signals();
        let reloader = Reloader::with_folder(library, folder);
        let rest = token.map(|t| Rest::new(&t, &config.discord));
        let live = Live::start(config, &reloader, hangups, rest.clone()).await?;
        let handler = Handler::new(reloader).with_follow_roles(config.follow.clone(), rest);
        let endpoint =
            Arc::new(Endpoint::new(key, Arc::new(handler)).with_announcer(live.announcer_role()));
        let settings = http::ServeSettings {
            max_connections: config.serve.max_connections.get(),
            ..http::ServeSettings::default()
        };
        let served = http::serve(listen, endpoint, settings, stop).await;
        live.stop().await;
        served.with_context(|| format!("cannot serve on {listen}"))
    })?;
    info!(target: LOG_TARGET, "stopped");
    Ok(ExitCode::SUCCESS)
}

/// The async runtime of `run` and `serve`, and SIGHUP listened for from this moment on, so
/// a reload signal while briefbot is still starting is not fatal.
fn runtime() -> anyhow::Result<(tokio::runtime::Runtime, Hangups)> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let hangups = {
        let _inside = runtime.enter();
        Hangups::listen()
    };
    Ok((runtime, hangups))
}
