//! The bot: `run` (over the gateway) and `serve` (Discord's interactions as signed HTTP
//! POSTs), wired alike: the briefs behind one reloader, one handler, the live updates, and
//! the transport between them and Discord.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tracing::{info, warn};

use super::{App, LOG_TARGET};
use crate::live::{Hangups, Reloader};
use crate::logs::LogFormat;
use crate::rest::{Token, TokenError};
use crate::transport::gateway::Gateway;
use crate::transport::health::Health;
use crate::transport::http::{self, Endpoint, PublicKey};
use crate::transport::setup::SetupState;
use crate::transport::{Handler, scrape, stop_on_signals};

/// How the bot hears from Discord.
enum Transport {
    /// `run`: the gateway, which connects with the bot token.
    Gateway,
    /// `serve`: signed HTTP POSTs on `listen`, checked against the application's key.
    Http {
        key: Box<PublicKey>,
        listen: SocketAddr,
    },
}

/// The transport, made and waiting for the live updates to start before it serves.
enum Ready {
    Gateway(Gateway),
    Http {
        key: Box<PublicKey>,
        listen: SocketAddr,
        handler: Arc<Handler>,
    },
}

impl App {
    /// `briefbot run`: serves Discord over the gateway until SIGINT or SIGTERM.
    pub fn run(self, logs: LogFormat) -> anyhow::Result<ExitCode> {
        self.start_logs(logs, "gateway", "serving Discord over the gateway");
        // The token is checked before anything connects; it is never logged.
        let token = self.token()?;
        self.serve_discord(Transport::Gateway, Some(token))
    }

    /// `briefbot serve`: serves Discord's interactions as signed HTTP POSTs on `listen`
    /// (default: `[serve] listen`) until SIGINT or SIGTERM.
    pub fn serve(self, listen: Option<SocketAddr>, logs: LogFormat) -> anyhow::Result<ExitCode> {
        self.start_logs(
            logs,
            "http",
            "serving Discord as an HTTP interactions endpoint",
        );
        let key = Box::new(PublicKey::from_env_or(
            self.config.discord.public_key.as_deref(),
        )?);
        let token = self.serve_token()?;
        let listen = listen.unwrap_or(self.config.serve.listen);
        self.serve_discord(Transport::Http { key, listen }, token)
    }

    /// The token `serve` needs. Posting announcements needs the bot token; answering over
    /// HTTP does not, and without it follow roles cannot be given (a member who asks is told
    /// so).
    fn serve_token(&self) -> anyhow::Result<Option<Token>> {
        if self.config.announce.is_enabled() {
            return Ok(Some(self.token().context(
                "[announce] is configured, and posting announcements needs the bot token",
            )?));
        }
        if self.config.setup.enabled {
            return Ok(Some(self.token().context(
                "[setup] is on, and checking servers' choices and announcing there needs the bot token",
            )?));
        }
        if self.config.follow.is_empty() {
            return Ok(None);
        }
        match self.token() {
            Ok(token) => Ok(Some(token)),
            Err(TokenError::Missing) => {
                tracing::warn!(
                    target: LOG_TARGET,
                    "[[follow]] roles are configured, but without the bot token (DISCORD_TOKEN) briefbot cannot give them: /follow and Follow buttons will say so"
                );
                Ok(None)
            }
            Err(error) => Err(anyhow::Error::new(error)
                .context("[[follow]] roles are configured, and giving them needs the bot token")),
        }
    }

    /// Loads the briefs and serves Discord through `transport` until SIGINT or SIGTERM; with
    /// `token`, gives follow roles and may announce.
    fn serve_discord(self, transport: Transport, token: Option<Token>) -> anyhow::Result<ExitCode> {
        let (runtime, hangups) = runtime()?;
        let reloader = self.reloader()?;
        {
            let library = reloader.current();
            let tracks = matches!(transport, Transport::Gateway).then(|| library.tracks().len());
            info!(
                target: LOG_TARGET,
                rounds = library.round_count(),
                tracks,
                folder = %self.config.briefs_dir.display(),
                "briefs loaded"
            );
            // Once, at start: what `check` warns of never keeps a round from being served,
            // and the editors see it in their own check.
            for warning in library.warnings().items() {
                warn!(target: LOG_TARGET, at = %warning.position(), "{}", warning.message);
            }
        }
        runtime.block_on(self.serve_until_stopped(transport, token, reloader, hangups))?;
        info!(target: LOG_TARGET, "stopped");
        Ok(ExitCode::SUCCESS)
    }

    /// The REST client, the handler, the transport and the live updates, made once each;
    /// serves until SIGINT or SIGTERM, then stops them.
    async fn serve_until_stopped(
        &self,
        transport: Transport,
        token: Option<Token>,
        reloader: Arc<Reloader>,
        hangups: Hangups,
    ) -> anyhow::Result<()> {
        let stop = stop_on_signals();
        let metrics_listener =
            match self.config.metrics.listen {
                Some(listen) => Some(scrape::bind(listen).await.with_context(|| {
                    format!("cannot serve metrics on {listen} ([metrics] listen)")
                })?),
                None => None,
            };
        // One REST client for the process, when there is a token: the handler's role
        // changes, the gateway's answers and registration, and the announcer share it and its
        // rate limiter.
        let rest = token.map(|token| self.rest(&token).with_metrics(reloader.metrics().clone()));
        let servers = self.server_setup().await;
        let settings = match &servers {
            SetupState::On(setup) => Some(setup.clone()),
            _ => None,
        };
        let handler = self.handler(reloader.clone(), rest.clone(), servers);
        let (ready, announcer_rest) = match (transport, rest) {
            (Transport::Gateway, Some(rest)) => {
                let gateway = Gateway::new(&self.config, rest, handler).await?;
                let announcer_rest = self.announces().then(|| gateway.rest());
                (Ready::Gateway(gateway), announcer_rest)
            }
            // `run` reads the token before it starts: not reached.
            (Transport::Gateway, None) => return Err(TokenError::Missing.into()),
            (Transport::Http { key, listen }, rest) => (
                Ready::Http {
                    key,
                    listen,
                    handler,
                },
                rest,
            ),
        };
        let live = self
            .live(&reloader, hangups, announcer_rest, settings.clone())
            .await?;
        let mut health = Health::new(reloader.clone());
        if self.config.announce.is_enabled() || settings.is_some() {
            health = health.with_announcer(live.announcer_role());
        }
        let metrics_served =
            metrics_listener.map(|listener| scrape::spawn(listener, health.clone(), stop.clone()));
        let served = match ready {
            Ready::Gateway(gateway) => gateway.run(stop).await.map_err(anyhow::Error::from),
            Ready::Http {
                key,
                listen,
                handler,
            } => {
                let endpoint = Arc::new(Endpoint::new(*key, handler).with_health(health));
                let settings = http::ServeSettings {
                    max_connections: self.config.serve.max_connections.get(),
                    ..http::ServeSettings::default()
                };
                http::serve(listen, endpoint, settings, stop)
                    .await
                    .with_context(|| format!("cannot serve on {listen}"))
            }
        };
        live.stop().await;
        if let Some(setup) = settings {
            setup.stop();
        }
        if let Some(metrics_served) = metrics_served {
            // Cancelled with the transport: it lets a scrape in flight finish.
            let _ = metrics_served.await;
        }
        served
    }

    /// Whether this gateway process announces. A bot split over several processes announces
    /// from one: with a state file, the one with shard 0; with a state database, whichever
    /// holds its lock.
    fn announces(&self) -> bool {
        let config = &self.config;
        let announces = config.database.is_some() || config.discord.shards.includes_first();
        if !announces && config.announce.is_enabled() {
            info!(
                target: LOG_TARGET,
                "announcements are posted by the process that runs shard 0, not this one"
            );
        }
        announces
    }
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
