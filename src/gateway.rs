//! `briefbot run`: the bot over Discord's gateway. A thin adapter: serenity delivers
//! interactions, `dispatch` answers them from the current library snapshot; commands are
//! registered on start; SIGINT/SIGTERM stop the shards and let in-flight replies finish.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use serenity::all::{
    ApplicationId, ClientBuilder, Context, EventHandler, GatewayIntents, Http, HttpBuilder,
    Interaction, Ready, async_trait,
};
use tokio::sync::{Notify, mpsc};
use tracing::{error, info, warn};

use crate::config::{Config, Shards};
use crate::dispatch;
use crate::library::Library;
use crate::registration::{self, Scope};
use crate::token::Token;

/// The library snapshot every request reads; a reload swaps in a new one atomically.
pub type SharedLibrary = Arc<ArcSwap<Library>>;

/// Counts replies being worked on, so shutdown can wait for them.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while one interaction is answered.
pub struct InFlightGuard<'a>(&'a InFlight);

impl InFlight {
    pub fn enter(&self) -> InFlightGuard<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self)
    }

    /// Waits until no reply is in flight, or `limit` has passed.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            while self.count.load(Ordering::SeqCst) > 0 {
                let notified = self.idle.notified();
                if self.count.load(Ordering::SeqCst) == 0 {
                    break;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// serenity's event handler: registration on ready, every interaction to `dispatch`.
pub struct Handler {
    pub library: SharedLibrary,
    pub scopes: Vec<Scope>,
    pub in_flight: Arc<InFlight>,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let shard = ready.shard.map(|s| s.id.0).unwrap_or(0);
        info!(user = %ready.user.name, guilds = ready.guilds.len(), shard, "connected to Discord");
        // Every shard gets a ready event; registering is one shard's job.
        if shard == 0 {
            register_all(&ctx.http, &self.scopes).await;
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let _guard = self.in_flight.enter();
        let library = self.library.load_full();
        dispatch::answer(&ctx.http, &library, &interaction).await;
    }
}

/// Registers the commands in every scope, logging the outcome; a failure is logged and the
/// bot keeps running with whatever Discord already has.
pub async fn register_all(http: &Http, scopes: &[Scope]) {
    for scope in scopes {
        match registration::register(http, *scope).await {
            Ok(outcome) => info!(%scope, ?outcome, "commands registered"),
            Err(error) => error!(%error, "command registration failed"),
        }
    }
}

/// The scopes the config asks for: each guild, or global when there are none.
pub fn scopes(config: &Config) -> Vec<Scope> {
    if config.discord.guild_ids.is_empty() {
        vec![Scope::Global]
    } else {
        config
            .discord
            .guild_ids
            .iter()
            .map(|id| Scope::Guild(*id))
            .collect()
    }
}

/// Serenity's REST client for `token`, with the application id when it is configured.
pub fn http(token: &Token, config: &Config) -> Http {
    let mut builder = HttpBuilder::new(token.expose());
    if let Some(id) = config.discord.application_id {
        builder = builder.application_id(ApplicationId::new(id));
    }
    builder.build()
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("could not start the Discord client: {0}")]
    Client(serenity::Error),
    #[error("the Discord connection ended with an error: {0}")]
    Connection(serenity::Error),
}

/// Connects and serves until `shutdown` resolves (in production: SIGINT or SIGTERM, see
/// `shutdown_signal`); then stops the shards, waits up to ten seconds for replies in
/// flight, and returns.
pub async fn run(
    config: &Config,
    http: Http,
    library: SharedLibrary,
    unparsed: mpsc::UnboundedReceiver<serde_json::Value>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), GatewayError> {
    let in_flight = Arc::new(InFlight::default());
    let handler = Handler {
        library,
        scopes: scopes(config),
        in_flight: in_flight.clone(),
    };
    // Interactions need no gateway intents: they arrive whatever the intents are.
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .map_err(GatewayError::Client)?;
    tokio::spawn(rescue_unparsed(client.http.clone(), unparsed));

    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        info!("shutting down: closing the gateway connections");
        shards.shutdown_all().await;
    });

    let result = match &config.discord.shards {
        Shards::One => client.start().await,
        Shards::Auto => client.start_autosharded().await,
        Shards::Range { first, last, total } => {
            client
                .start_shard_range(
                    Range {
                        start: *first,
                        end: last + 1,
                    },
                    *total,
                )
                .await
        }
    };
    if !in_flight.wait_idle(Duration::from_secs(10)).await {
        warn!("some replies were still in flight after 10 s");
    }
    result.map_err(GatewayError::Connection)
}

/// Answers the interactions serenity could not parse (see `logs::Rescue`).
async fn rescue_unparsed(
    http: Arc<Http>,
    mut unparsed: mpsc::UnboundedReceiver<serde_json::Value>,
) {
    while let Some(raw) = unparsed.recv().await {
        dispatch::answer_unparsed(&http, &raw, "serenity could not parse the payload").await;
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (systemd, containers).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(error) => {
                    error!(%error, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_waits_for_replies_in_flight() {
        let in_flight = Arc::new(InFlight::default());
        let guard_owner = in_flight.clone();
        let worker = tokio::spawn(async move {
            let _guard = guard_owner.enter();
            tokio::time::sleep(Duration::from_millis(50)).await;
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(in_flight.wait_idle(Duration::from_secs(2)).await);
        assert!(worker.is_finished());
    }

    #[tokio::test]
    async fn shutdown_gives_up_after_the_limit() {
        let in_flight = InFlight::default();
        let _stuck = in_flight.enter();
        assert!(!in_flight.wait_idle(Duration::from_millis(20)).await);
    }
}
