//! `briefbot run`: the bot over Discord's gateway. A thin adapter: serenity delivers
//! interactions, `dispatch` answers them from the current library snapshot; commands are
//! registered on start; SIGINT/SIGTERM stop the shards and let in-flight replies finish.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serenity::all::{
    ApplicationId, ClientBuilder, Context, Event, EventHandler, GatewayIntents, Http, HttpBuilder,
    Interaction, RawEventHandler, Ready, async_trait,
};
use tokio::sync::Notify;
use tracing::{error, info, warn};

use crate::config::{Config, Shards};
use crate::dispatch;
use crate::registration::{self, Scope};
use crate::reload::Reloader;
use crate::token::Token;

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
    pub reloader: Arc<Reloader>,
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
        dispatch::answer(&ctx.http, &self.reloader, &interaction).await;
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
/// `shutdown_signal`); then stops the shards, waits up to three seconds for replies in
/// flight (a reply later than that is useless to Discord anyway), and returns.
pub async fn run(
    config: &Config,
    http: Http,
    reloader: Arc<Reloader>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), GatewayError> {
    // Listen for the signal first, so a stop during start-up or an outage is never lost.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(());
    });
    let in_flight = Arc::new(InFlight::default());
    let handler = Handler {
        reloader,
        scopes: scopes(config),
        in_flight: in_flight.clone(),
    };
    // Interactions need no gateway intents: they arrive whatever the intents are.
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .raw_event_handler(Unparsed {
            in_flight: in_flight.clone(),
        })
        .await
        .map_err(GatewayError::Client)?;
    let shards = client.shard_manager.clone();
    let result = tokio::select! {
        result = start(&mut client, &config.discord.shards) => result.map_err(GatewayError::Connection),
        _ = stopped => {
            info!("shutting down: closing the gateway connections");
            shards.shutdown_all().await;
            Ok(())
        }
    };
    if !in_flight.wait_idle(Duration::from_secs(3)).await {
        warn!("some replies were still in flight after 3 s");
    }
    result
}

async fn start(client: &mut serenity::Client, shards: &Shards) -> Result<(), serenity::Error> {
    match shards {
        Shards::One => client.start().await,
        Shards::Auto => client.start_autosharded().await,
        // serenity 0.12.5 reads the range's end as inclusive (`end - start + 1` shards).
        Shards::Range { first, last, total } => {
            client.start_shard_range(*first..*last, *total).await
        }
    }
}

/// Interactions serenity could not parse (Discord added or changed a field) reach no event
/// handler: serenity turns them into `Event::Unknown`. They are answered with an apology here,
/// so none is dropped silently.
struct Unparsed {
    in_flight: Arc<InFlight>,
}

#[async_trait]
impl RawEventHandler for Unparsed {
    async fn raw_event(&self, ctx: Context, event: Event) {
        if let Event::Unknown(unknown) = event
            && unknown.kind == "INTERACTION_CREATE"
        {
            let _guard = self.in_flight.enter();
            dispatch::answer_unparsed(
                &ctx.http,
                &unknown.value,
                "serenity could not parse the payload",
            )
            .await;
        }
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
