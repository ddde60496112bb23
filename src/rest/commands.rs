//! The application's command list in one server or globally, read and replaced whole.

use serde_json::Value;
use serenity::all::{ApplicationId, GuildId};
use serenity::http::{LightMethod, Route};

use super::Rest;
use super::outcome::Failure;

/// Where commands are registered: one server (instant, for testing and private bots) or
/// every server the bot is in (global).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Guild(u64),
    Global,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Guild(id) => write!(f, "server {id}"),
            Scope::Global => write!(f, "all servers (global)"),
        }
    }
}

impl Rest {
    /// The commands Discord has in `scope`, as JSON (whatever fields Discord adds or leaves
    /// out).
    pub(crate) async fn command_list(&self, scope: Scope) -> Result<Vec<Value>, Failure> {
        let route = self.commands_route(scope).await?;
        self.send(route, LightMethod::Get, None::<&Value>, None)
            .await
    }

    /// Replaces the command list of `scope` with `commands`. Sending the same list twice
    /// changes nothing.
    pub(crate) async fn put_command_list(
        &self,
        scope: Scope,
        commands: &Value,
    ) -> Result<(), Failure> {
        let route = self.commands_route(scope).await?;
        self.send::<Value>(route, LightMethod::Put, Some(commands), None)
            .await
            .map(drop)
    }

    async fn commands_route(&self, scope: Scope) -> Result<Route<'static>, Failure> {
        let application_id = ApplicationId::new(self.application_id().await?);
        Ok(match scope {
            Scope::Guild(id) => Route::GuildCommands {
                application_id,
                guild_id: GuildId::new(id),
            },
            Scope::Global => Route::Commands { application_id },
        })
    }
}
