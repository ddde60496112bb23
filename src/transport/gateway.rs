//! `briefbot run`: the bot over Discord's gateway. A thin adapter: serenity delivers
//! interactions, the handler answers them, and the answer is sent over REST; commands are
//! registered on start. A stop closes the shards and lets replies in flight finish.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serenity::all::{
    ClientBuilder, Context, Event, EventHandler, GatewayIntents, RawEventHandler, Ready,
    async_trait,
};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, error, info, warn};

use super::handler::{self, Handler};
use super::interaction::Interaction;
pub(crate) use super::interaction::redact;
use super::registration::{self, Scope};
use super::served::{Outcome, served};
use super::wire;
use crate::config::{Config, Shards};
use crate::rest::{Failure, Rest};

/// How long the first reply may take to send: Discord drops an interaction that is not
/// answered within 3 s, and an apology after that would be refused too.
pub(crate) const REPLY_DEADLINE: Duration = Duration::from_millis(2500);

/// How long a stop waits for replies in flight: a later reply is useless to Discord anyway.
const DRAIN: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("could not start the Discord client: {0}")]
    Client(serenity::Error),
    #[error("the Discord connection ended with an error: {0}")]
    Connection(serenity::Error),
}

/// The gateway client, built but not yet connected.
pub(crate) struct Gateway {
    client: serenity::Client,
    rest: Rest,
    shards: Shards,
    in_flight: TaskTracker,
    handler: Arc<Handler>,
}

impl Gateway {
    /// Builds the client; nothing connects until `run`. Interactions are answered, and
    /// commands registered, through `rest`.
    pub(crate) async fn new(
        config: &Config,
        rest: Rest,
        handler: Arc<Handler>,
    ) -> Result<Gateway, GatewayError> {
        let in_flight = TaskTracker::new();
        let events = Events {
            rest: rest.clone(),
            handler: handler.clone(),
            scopes: scopes(config),
            offered: registration::Offered::of(config),
            in_flight: in_flight.clone(),
        };
        // Interactions need no gateway intents: they arrive whatever the intents are. Servers
        // that set themselves up need to hear of channels, roles and servers going away (the
        // Guilds intent, which Discord grants every bot).
        let intents = if handler.sets_up_servers() {
            GatewayIntents::GUILDS
        } else {
            GatewayIntents::empty()
        };
        let client = ClientBuilder::new_with_http(rest.for_gateway(), intents)
            .event_handler(events)
            .raw_event_handler(Unparsed {
                rest: rest.clone(),
                handler: handler.clone(),
                in_flight: in_flight.clone(),
            })
            .await
            .map_err(GatewayError::Client)?;
        Ok(Gateway {
            client,
            shards: config.discord.shards.clone(),
            in_flight,
            handler,
            rest,
        })
    }

    /// The REST client the gateway answers through, to share (the announcer posts with it).
    pub(crate) fn rest(&self) -> Rest {
        self.rest.clone()
    }

    /// Connects and serves until `stop` is cancelled (in production: SIGINT or SIGTERM);
    /// then stops the shards, waits up to three seconds for replies in flight and as long for
    /// deferred answers still to be edited, and returns.
    pub(crate) async fn run(mut self, stop: CancellationToken) -> Result<(), GatewayError> {
        let shard_manager = self.client.shard_manager.clone();
        let result = tokio::select! {
            result = start(&mut self.client, &self.shards) => result.map_err(GatewayError::Connection),
            _ = stop.cancelled() => {
                info!("shutting down: closing the gateway connections");
                shard_manager.shutdown_all().await;
                Ok(())
            }
        };
        self.in_flight.close();
        if tokio::time::timeout(DRAIN, self.in_flight.wait())
            .await
            .is_err()
        {
            warn!("some replies were still in flight after 3 s");
        }
        self.handler.finish(DRAIN).await;
        result
    }
}

/// Builds the client and serves until `stop` is cancelled.
pub async fn run(
    config: &Config,
    rest: Rest,
    handler: Arc<Handler>,
    stop: CancellationToken,
) -> Result<(), GatewayError> {
    Gateway::new(config, rest, handler).await?.run(stop).await
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

/// serenity's event handler: registration on ready, every interaction to the handler.
struct Events {
    rest: Rest,
    handler: Arc<Handler>,
    scopes: Vec<Scope>,
    offered: registration::Offered,
    in_flight: TaskTracker,
}

#[async_trait]
impl EventHandler for Events {
    async fn ready(&self, _: Context, ready: Ready) {
        let shard = ready.shard.map(|s| s.id.0).unwrap_or(0);
        info!(user = %ready.user.name, guilds = ready.guilds.len(), shard, "connected to Discord");
        // Every shard gets a ready event; registering is one shard's job.
        if shard == 0 {
            register_all(&self.rest, &self.scopes, self.offered).await;
        }
    }

    async fn interaction_create(&self, _: Context, interaction: serenity::all::Interaction) {
        let interaction = Interaction::from_serenity(&interaction);
        self.in_flight
            .track_future(answer(&self.rest, &self.handler, &interaction))
            .await;
    }
}

/// Interactions serenity could not parse (Discord added or changed a field) reach no event
/// handler: serenity turns them into `Event::Unknown`. They are read here the way the HTTP
/// endpoint reads every request, and answered like any other.
struct Unparsed {
    rest: Rest,
    handler: Arc<Handler>,
    in_flight: TaskTracker,
}

#[async_trait]
impl RawEventHandler for Unparsed {
    async fn raw_event(&self, _: Context, event: Event) {
        let unknown = match event {
            Event::Unknown(unknown) => unknown,
            Event::ChannelDelete(deleted) => {
                self.handler.channel_gone(deleted.channel.id.get()).await;
                return;
            }
            // A server that is only unavailable (an outage) comes back: nothing is switched off.
            Event::GuildDelete(left) if !left.guild.unavailable => {
                self.handler.server_gone(left.guild.id.get()).await;
                return;
            }
            Event::GuildRoleDelete(deleted) => {
                self.handler
                    .role_gone(deleted.guild_id.get(), deleted.role_id.get())
                    .await;
                return;
            }
            _ => return,
        };
        if unknown.kind != "INTERACTION_CREATE" {
            return;
        }
        // `Event::Unknown` keeps no error: what serenity refused is asked of its parser again,
        // so the operator learns which field Discord (or a server posing as it) changed.
        let refused = serenity::all::Interaction::deserialize(&unknown.value)
            .err()
            .map(|error| error.to_string());
        let read = serde_json::to_vec(&unknown.value)
            .map_err(|e| e.to_string())
            .and_then(|body| wire::read(&body).map_err(|e| e.to_string()));
        match read {
            Ok(interaction) => {
                info!(
                    interaction = interaction.id,
                    serenity_error = refused.as_deref().map(tracing::field::display),
                    "serenity could not parse an interaction; briefbot's own reader read it"
                );
                self.in_flight
                    .track_future(answer(&self.rest, &self.handler, &interaction))
                    .await
            }
            Err(error) => {
                error!(
                    interaction = unknown.value.get("id").and_then(|id| id.as_str()),
                    serenity_error = refused.as_deref().map(tracing::field::display),
                    %error,
                    "an interaction neither serenity nor briefbot could read; it cannot be answered"
                )
            }
        }
    }
}

/// Registers the commands in every scope, logging the outcome; a failure is logged and the
/// bot keeps running with whatever Discord already has.
pub(crate) async fn register_all(rest: &Rest, scopes: &[Scope], offered: registration::Offered) {
    for scope in scopes {
        // The server's id under a key of its own, as every id in the logs.
        let (kind, server) = match scope {
            Scope::Guild(id) => ("server", Some(*id)),
            Scope::Global => ("global", None),
        };
        match registration::register_offered(rest, *scope, offered).await {
            Ok(registration::Outcome::Updated { commands }) => {
                info!(scope = %kind, server, commands, "commands registered")
            }
            Ok(registration::Outcome::Unchanged) => {
                info!(scope = %kind, server, "commands already up to date")
            }
            Err(error) => error!(scope = %kind, server, %error, "command registration failed"),
        }
    }
}

/// The scopes the config asks for: each guild, or global when there are none.
pub(crate) fn scopes(config: &Config) -> Vec<Scope> {
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

/// Answers one interaction over Discord's REST API: the handler's answer, and, if Discord
/// refuses it, the apology instead, so the user is never left waiting. One line says what
/// became of it.
pub async fn answer(rest: &Rest, handler: &Handler, interaction: &Interaction) {
    async {
        let started = Instant::now();
        let (body, answered) = handler.answer(interaction).await;
        // A PING comes only over HTTP; there is nothing to send here.
        let outcome = if matches!(interaction.kind, super::interaction::Kind::Ping) {
            answered
        } else {
            send(rest, interaction, &body, answered).await
        };
        let metrics = handler.reloader().metrics();
        served(metrics, interaction, outcome, started.elapsed());
    }
    .instrument(interaction.span())
    .await
}

/// Sends `body`, which is `answered`; when Discord refuses it (so nothing was sent), sends
/// the apology once. What reached Discord.
async fn send(rest: &Rest, interaction: &Interaction, body: &[u8], answered: Outcome) -> Outcome {
    if interaction.id == 0 || interaction.token.is_empty() {
        error!("an interaction without an id or token cannot be answered");
        return Outcome::Unanswered;
    }
    let (id, token) = (interaction.id, interaction.token.as_str());
    let first = tokio::time::timeout(REPLY_DEADLINE, rest.answer_interaction(id, token, body));
    let failure = match first.await {
        Ok(Ok(())) => return answered,
        Ok(Err(failure)) => failure,
        Err(_) => {
            error!(
                "Discord did not take the reply within 2.5 s; the interaction has likely expired"
            );
            return Outcome::Unanswered;
        }
    };
    // Discord takes one answer per interaction: after a refusal nothing was sent, and after
    // an unclear answer an apology is refused if the reply landed. Either way the member is
    // never answered twice.
    match &failure {
        Failure::Unreadable { .. } => {
            info!(failure = %redact(&failure, token), "Discord took the reply; its answer could not be read");
            return answered;
        }
        Failure::Unknown { .. } => error!(
            failure = %redact(&failure, token),
            "no clear answer to the reply; an apology follows, which Discord refuses if the reply landed"
        ),
        _ => {
            error!(failure = %redact(&failure, token), code = failure.code(), "Discord refused the reply")
        }
    }
    if failure.is_interaction_gone() {
        return Outcome::Unanswered;
    }
    let apology = handler::apology(interaction.kind.is_autocomplete());
    match rest.answer_interaction(id, token, &apology).await {
        Ok(()) => {
            info!("answered with an apology instead");
            Outcome::Apology
        }
        Err(failure) => {
            error!(
                failure = %redact(&failure, token),
                "Discord refused the apology too"
            );
            Outcome::Unanswered
        }
    }
}
