//! The commands as Discord registers them (slash commands, and the "Brief me" message
//! command), built from the same table the core parses (`commands::spec`), and registered
//! only when what Discord has differs.

use serde_json::{Value, json};
use serenity::all::{
    CommandOptionType, CreateCommand, CreateCommandOption, InstallationContext, InteractionContext,
    Permissions,
};
use tracing::info;

use crate::commands::spec::{COMMANDS, CommandSpec, CommandType, OptionKind};
use crate::config::Config;
use crate::rest::{Failure, Rest};

pub use crate::rest::Scope;

/// What a registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Discord already had exactly these commands; nothing was sent.
    Unchanged,
    /// The command set was replaced (one bulk PUT).
    Updated { commands: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// Said once: `failure` is part of the message, not a source to print again.
    #[error("could not register the commands for {scope}: {failure}")]
    Discord { scope: String, failure: Failure },
    #[error(
        "could not register the commands for {scope}: Discord did not answer clearly ({failure}), and the command list read back afterwards is not briefbot's; run `briefbot register` again"
    )]
    NotConfirmed { scope: String, failure: Failure },
}

/// Which commands a deployment offers: every reader's and admin's command, and `/setup`
/// where the operator turned it on (`[setup] enabled`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offered {
    pub setup: bool,
}

impl Offered {
    pub fn of(config: &Config) -> Offered {
        Offered {
            setup: config.setup.enabled,
        }
    }
}

/// Every command offered, as serenity's builder.
pub(crate) fn commands(offered: Offered) -> Vec<CreateCommand> {
    COMMANDS
        .iter()
        .filter(|spec| offered.setup || !spec.is_optional())
        .map(command)
        .collect()
}

fn command(spec: &CommandSpec) -> CreateCommand {
    // An admin command is for a server's managers, and `/follow` acts as the bot in the
    // server: installed with the bot in a server and offered there only. The reader commands
    // can also be installed by a person to their own account, and used in servers, in DMs
    // with the bot and in any DM or group DM.
    let (contexts, installs) = if spec.servers_only() {
        (
            vec![InteractionContext::Guild],
            vec![InstallationContext::Guild],
        )
    } else {
        (
            vec![
                InteractionContext::Guild,
                InteractionContext::BotDm,
                InteractionContext::PrivateChannel,
            ],
            vec![InstallationContext::Guild, InstallationContext::User],
        )
    };
    let mut command = CreateCommand::new(spec.name)
        .contexts(contexts)
        .integration_types(installs);
    command = match spec.command_type {
        // A slash command has a description; Discord shows a message command without one.
        CommandType::ChatInput => command
            .kind(serenity::all::CommandType::ChatInput)
            .description(spec.description),
        CommandType::Message | CommandType::Other => {
            command.kind(serenity::all::CommandType::Message)
        }
    };
    if spec.admin {
        command = command.default_member_permissions(Permissions::MANAGE_GUILD);
    }
    for option in spec.options {
        let kind = match option.kind {
            OptionKind::Integer => CommandOptionType::Integer,
            OptionKind::String => CommandOptionType::String,
        };
        let mut built = CreateCommandOption::new(kind, option.name, option.description)
            .required(option.required)
            .set_autocomplete(option.autocomplete);
        if let Some(min) = option.min.and_then(|m| u64::try_from(m).ok()) {
            built = built.min_int_value(min);
        }
        if let Some(max) = option.max_length.and_then(|m| u16::try_from(m).ok()) {
            built = built.max_length(max);
        }
        command = command.add_option(built);
    }
    command
}

/// The command list as the JSON body of the registration PUT.
///
/// serenity writes `default_member_permissions` as a string (as Discord's prose documentation
/// shows it); Discord's published request schema types it as an integer, and Discord reads
/// either, so the integer the schema names is what is sent. A message command is sent without
/// the empty option list serenity writes for every command: it has no options.
pub fn to_json() -> Value {
    to_json_of(Offered::default())
}

/// The list of the commands `offered`, as the JSON body of the registration PUT.
pub fn to_json_of(offered: Offered) -> Value {
    let mut json = serde_json::to_value(commands(offered)).unwrap_or_default();
    for command in json.as_array_mut().into_iter().flatten() {
        let message_command = command["type"] == json!(3);
        if let (true, Some(fields)) = (message_command, command.as_object_mut()) {
            fields.remove("options");
        }
        let bits = command["default_member_permissions"]
            .as_str()
            .and_then(|s| s.parse::<u64>().ok());
        if let Some(bits) = bits {
            command["default_member_permissions"] = json!(bits);
        }
    }
    json
}

/// The parts of a command that registration sets, in one comparable shape, from either our
/// builders or what Discord returns (which adds ids, versions and defaults).
fn comparable(command: &Value) -> Value {
    let options: Vec<Value> = command["options"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            json!({
                "type": o["type"],
                "name": o["name"],
                "description": o["description"],
                "required": o["required"].as_bool().unwrap_or(false),
                "autocomplete": o["autocomplete"].as_bool().unwrap_or(false),
                "min_value": o["min_value"].as_f64(),
                "max_length": o["max_length"].as_u64(),
            })
        })
        .collect();
    // Discord may leave `contexts` out of a guild command; `differs` then does not compare it.
    let contexts = command["contexts"].as_array().map(|list| {
        let mut list: Vec<u64> = list.iter().filter_map(Value::as_u64).collect();
        list.sort_unstable();
        list
    });
    let permissions = match &command["default_member_permissions"] {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    let mut integration_types: Vec<u64> = command["integration_types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    integration_types.sort_unstable();
    // Discord may leave `integration_types` out too (serenity then reads an empty list).
    let integration_types = (!integration_types.is_empty()).then_some(integration_types);
    json!({
        "integration_types": integration_types,
        "name": command["name"],
        // Discord answers "" for a message command's description, which is sent without one.
        "description": command["description"].as_str().unwrap_or_default(),
        "type": command["type"].as_u64().unwrap_or(1),
        "options": options,
        "contexts": contexts,
        "default_member_permissions": permissions,
    })
}

/// Whether `existing` (Discord's list, as JSON) differs from the commands briefbot defines.
#[cfg(test)]
pub(crate) fn differs(existing: &[Value]) -> bool {
    differs_from(existing, Offered::default())
}

/// Whether `existing` (Discord's list, as JSON) differs from the commands `offered`.
pub(crate) fn differs_from(existing: &[Value], offered: Offered) -> bool {
    let wanted: Vec<Value> = to_json_of(offered)
        .as_array()
        .into_iter()
        .flatten()
        .map(comparable)
        .collect();
    if wanted.len() != existing.len() {
        return true;
    }
    existing.iter().map(comparable).any(|have| {
        let Some(mut want) = wanted
            .iter()
            .find(|w| w["name"] == have["name"] && w["type"] == have["type"])
            .cloned()
        else {
            return true;
        };
        // What Discord leaves out of its answer is not compared.
        for optional in ["contexts", "integration_types"] {
            if have[optional].is_null() {
                want[optional] = Value::Null;
            }
        }
        want != have
    })
}

/// Registers the commands in `scope` unless Discord already has exactly them.
///
/// The list is read and written as plain JSON, not serenity's command type: a list Discord
/// took is taken, whatever fields its answer has or lacks. The PUT replaces the whole list, so
/// sending it twice changes nothing: a 429 is waited out and the PUT sent again, and one
/// without a clear answer (a timeout, a 5xx) is confirmed by reading the list back.
pub async fn register(rest: &Rest, scope: Scope) -> Result<Outcome, RegistrationError> {
    register_offered(rest, scope, Offered::default()).await
}

/// `register`, of the commands `offered`.
pub async fn register_offered(
    rest: &Rest,
    scope: Scope,
    offered: Offered,
) -> Result<Outcome, RegistrationError> {
    let fail = |failure| RegistrationError::Discord {
        scope: scope.to_string(),
        failure,
    };
    let existing = rest.command_list(scope).await.map_err(fail)?;
    if !differs_from(&existing, offered) {
        return Ok(Outcome::Unchanged);
    }
    let commands = to_json_of(offered);
    let updated = Outcome::Updated {
        commands: commands.as_array().map_or(0, Vec::len),
    };
    let mut attempt = 0;
    let failure = loop {
        attempt += 1;
        match rest.put_command_list(scope, &commands).await {
            Ok(()) => return Ok(updated),
            Err(Failure::RateLimited { retry_after }) if attempt < ATTEMPTS => {
                info!(scope = %scope, wait_ms = retry_after.as_millis() as u64, "Discord asks to wait before registering; waiting");
                tokio::time::sleep(retry_after).await;
            }
            Err(failure) => break failure,
        }
    };
    match failure {
        Failure::Unreadable { ref reason, .. } => {
            info!(scope = %scope, %reason, "Discord took the command list; its answer could not be read, which changes nothing");
            Ok(updated)
        }
        Failure::Unknown { .. } => match rest.command_list(scope).await {
            Ok(now) if !differs_from(&now, offered) => {
                info!(scope = %scope, %failure, "the command list had been registered: Discord has it");
                Ok(updated)
            }
            _ => Err(RegistrationError::NotConfirmed {
                scope: scope.to_string(),
                failure,
            }),
        },
        failure => Err(fail(failure)),
    }
}

/// How many times the PUT is sent when Discord asks to wait.
const ATTEMPTS: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_list_does_not_differ_from_itself() {
        let ours: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        assert!(!differs(&ours));
    }

    #[test]
    fn a_changed_description_or_a_missing_command_differs() {
        let mut ours: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        ours[0]["description"] = Value::String("Old text".into());
        assert!(differs(&ours));
        let mut fewer: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        fewer.pop();
        assert!(differs(&fewer));
    }

    #[test]
    fn a_guild_command_without_contexts_matches() {
        let mut ours: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        for command in &mut ours {
            command["contexts"] = Value::Null;
            command["integration_types"] = json!([]);
        }
        assert!(!differs(&ours));
    }

    #[test]
    fn a_message_command_as_discord_returns_it_matches() {
        let mut ours: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        let brief_me = ours
            .iter_mut()
            .find(|c| c["type"] == json!(3))
            .expect("a message command");
        brief_me["description"] = json!("");
        brief_me["options"] = json!([]);
        assert!(!differs(&ours));
    }

    #[test]
    fn a_query_without_its_length_bound_or_a_command_of_another_type_differs() {
        let ours: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        let search = ours
            .iter()
            .position(|c| c["name"] == "search")
            .expect("/search");
        let mut unbounded = ours.clone();
        unbounded[search]["options"][0]["max_length"] = Value::Null;
        assert!(differs(&unbounded));
        let mut retyped = ours.clone();
        retyped[search]["type"] = json!(3);
        assert!(differs(&retyped));
    }

    #[test]
    fn discord_defaults_and_ids_do_not_count_as_differences() {
        let mut ours: Vec<Value> = to_json().as_array().cloned().unwrap_or_default();
        for command in &mut ours {
            command["id"] = json!("1");
            command["version"] = json!("2");
            command["application_id"] = json!("3");
            command["nsfw"] = json!(false);
        }
        assert!(!differs(&ours));
    }
}
