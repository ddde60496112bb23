//! From a Discord interaction to the core's reply and back, shared by every transport: which
//! request an interaction is, the reply (a panic in the core becomes a polite notice), and
//! the one error path that makes sure a user never sees "The application did not respond".

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use serenity::all::{CreateInteractionResponse, Http, HttpError, Interaction, InteractionId};
use tracing::{Instrument, error, info, info_span, warn};

use std::sync::Arc;

use crate::commands::{self, Command, Request};
use crate::library::Library;
use crate::reload::{self, Reloader};
use crate::reply::Reply;

/// What a log line says about an interaction: its kind, command and server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub kind: &'static str,
    pub command: String,
    pub guild: Option<String>,
}

impl Summary {
    pub fn of(interaction: &Interaction) -> Summary {
        let id = interaction.id().to_string();
        match interaction {
            Interaction::Command(c) | Interaction::Autocomplete(c) => Summary {
                id,
                kind: if matches!(interaction, Interaction::Command(_)) {
                    "command"
                } else {
                    "autocomplete"
                },
                command: c.data.name.clone(),
                guild: c.guild_id.map(|g| g.to_string()),
            },
            Interaction::Component(c) => Summary {
                id,
                kind: "button",
                command: c.data.custom_id.clone(),
                guild: c.guild_id.map(|g| g.to_string()),
            },
            Interaction::Ping(_) => Summary {
                id,
                kind: "ping",
                ..Summary::default()
            },
            _ => Summary {
                id,
                kind: "other",
                ..Summary::default()
            },
        }
    }
}

/// The reply to an interaction, or `None` for a PING (which only the HTTP endpoint gets,
/// and answers with a PONG of its own). Never panics: a bug in the core is logged and
/// answered with an apology of the kind Discord accepts for that interaction.
pub fn reply_to(library: &Library, interaction: &Interaction) -> Option<Reply> {
    let autocomplete = matches!(interaction, Interaction::Autocomplete(_));
    let answer = catch_unwind(AssertUnwindSafe(|| match interaction {
        Interaction::Command(command) => Some(match Request::from_command(command) {
            Ok(request) => commands::respond(library, &request),
            Err(error) => {
                warn!(%error, "a command briefbot does not know; are the registered commands out of date?");
                commands::bad_request(&error)
            }
        }),
        Interaction::Autocomplete(command) => Some(match Request::from_autocomplete(command) {
            Ok(request) => commands::respond(library, &request),
            Err(error) => {
                warn!(%error, "an autocomplete request briefbot does not understand");
                commands::no_choices()
            }
        }),
        Interaction::Component(component) => Some(commands::respond(
            library,
            &Request::from_component(component),
        )),
        Interaction::Ping(_) => None,
        _ => Some(Reply::notice(
            "briefbot does not handle this kind of interaction.",
        )),
    }));
    answer.unwrap_or_else(|_| {
        error!("the command core panicked; answered with an apology");
        Some(fallback(autocomplete))
    })
}

/// The apology for a failure on briefbot's side, of the kind Discord accepts in that place.
pub fn fallback(autocomplete: bool) -> Reply {
    if autocomplete {
        commands::no_choices()
    } else {
        commands::something_went_wrong()
    }
}

/// How long the first reply may take to send: Discord drops an interaction that is not
/// answered within 3 s, and an apology after that would be refused too.
pub const REPLY_DEADLINE: Duration = Duration::from_millis(2500);

/// `Some(may_manage)` when the interaction is `/reload`, which is answered by reloading, not
/// by the pure core.
pub fn reload_request(interaction: &Interaction) -> Option<bool> {
    match interaction {
        Interaction::Command(command) if command.data.name == "reload" => {
            match Request::from_command(command) {
                Ok(Request::Command(Command::Reload { may_manage })) => Some(may_manage),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Answers an interaction over Discord's REST API (the gateway transport) from the snapshot
/// served now, or by reloading for `/reload`: sends the reply and, if Discord refuses it,
/// the apology instead, so the user is never left waiting.
pub async fn answer(http: &Http, reloader: &Arc<Reloader>, interaction: &Interaction) {
    let summary = Summary::of(interaction);
    let span = info_span!(
        "interaction",
        id = %summary.id,
        kind = summary.kind,
        command = %summary.command,
        guild = summary.guild.as_deref().unwrap_or("-"),
    );
    async {
        let started = Instant::now();
        let autocomplete = matches!(interaction, Interaction::Autocomplete(_));
        let response = match reload_request(interaction) {
            Some(may_manage) => Some(reload::answer(reloader, may_manage).await.to_response()),
            None => {
                let library = reloader.current();
                // Building the response is inside the guard too: a bug there still gets the
                // apology.
                catch_unwind(AssertUnwindSafe(|| {
                    reply_to(&library, interaction).map(|r| r.to_response())
                }))
                .unwrap_or_else(|_| {
                    error!("building the reply panicked; answering with an apology");
                    Some(fallback(autocomplete).to_response())
                })
            }
        };
        let Some(response) = response else { return };
        send(
            http,
            interaction.id(),
            token_of(interaction),
            &response,
            autocomplete,
        )
        .await;
        info!(
            elapsed_us = started.elapsed().as_micros() as u64,
            "answered"
        );
    }
    .instrument(span)
    .await
}

fn token_of(interaction: &Interaction) -> &str {
    match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => &c.token,
        Interaction::Component(c) => &c.token,
        Interaction::Modal(m) => &m.token,
        Interaction::Ping(p) => &p.token,
        _ => "",
    }
}

/// Discord's codes for "this interaction was already answered" and "it has expired": an
/// apology would be refused too.
const ALREADY_ANSWERED: isize = 40060;
const UNKNOWN_INTERACTION: isize = 10062;

/// Sends `response`; when Discord refuses it (so nothing was sent), sends the apology once.
async fn send(
    http: &Http,
    id: InteractionId,
    token: &str,
    response: &CreateInteractionResponse,
    autocomplete: bool,
) {
    let first = tokio::time::timeout(
        REPLY_DEADLINE,
        http.create_interaction_response(id, token, response, Vec::new()),
    );
    let error = match first.await {
        Ok(Ok(())) => return,
        Ok(Err(error)) => error,
        Err(_) => {
            error!(
                "Discord did not take the reply within 2.5 s; the interaction has likely expired"
            );
            return;
        }
    };
    let code = discord_code(&error);
    error!(error = %redact(&error, token), ?code, "Discord refused the reply");
    if matches!(code, Some(ALREADY_ANSWERED | UNKNOWN_INTERACTION)) {
        return;
    }
    let apology = fallback(autocomplete).to_response();
    match http
        .create_interaction_response(id, token, &apology, Vec::new())
        .await
    {
        Ok(()) => info!("answered with an apology instead"),
        Err(error) => error!(error = %redact(&error, token), "Discord refused the apology too"),
    }
}

fn discord_code(error: &serenity::Error) -> Option<isize> {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            Some(response.error.code)
        }
        _ => None,
    }
}

/// An error's text with the interaction token taken out: request errors name the callback
/// URL, which holds it, and the token lets anyone answer as briefbot for 15 minutes.
pub fn redact(error: &dyn std::fmt::Display, token: &str) -> String {
    let text = error.to_string();
    if token.is_empty() {
        text
    } else {
        text.replace(token, "[interaction token]")
    }
}

/// Answers an interaction payload that serenity could not parse (Discord added or changed a
/// field): logged with its id, and answered with the apology when its id and token can be
/// read, so it is never dropped silently.
pub async fn answer_unparsed(http: &Http, raw: &serde_json::Value, parse_error: &str) {
    let id = raw["id"]
        .as_str()
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|id| *id != 0);
    let token = raw["token"].as_str();
    let kind = raw["type"].as_u64();
    error!(
        interaction = id.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
        kind,
        error = parse_error,
        "an interaction serenity could not parse"
    );
    let (Some(id), Some(token)) = (id, token) else {
        return;
    };
    // Type 1 is a PING, which needs no apology; type 4 is autocomplete, which takes choices only.
    if kind == Some(1) {
        return;
    }
    let apology = fallback(kind == Some(4)).to_response();
    if let Err(error) = http
        .create_interaction_response(InteractionId::new(id), token, &apology, Vec::new())
        .await
    {
        error!(%error, "could not answer the unparsed interaction");
    }
}
