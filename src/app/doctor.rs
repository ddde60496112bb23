//! `briefbot doctor`: a deployment checked against Discord, one check after another, each
//! with ✓ or ✗ and, for ✗, the fix in an operator's words: the token and the application it
//! belongs to, the public key and the Interactions Endpoint URL, the commands Discord has,
//! every announcement channel (there, of the right kind, with the permissions briefbot needs),
//! every follow role (safe to hand out), the state (database or folder) and the briefs.
//!
//! The facts are gathered from Discord and the machine; turning them into checks is done by
//! plain functions, tested below without either.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};
use serenity::all::Permissions;

use super::App;
use super::args::Format;
use crate::config::{AnnounceMode, Config, env};
use crate::library::Library;
use crate::library::plural;
use crate::live::announce::database;
use crate::live::setup::{ServerSettings, Setup};
use crate::permissions;
use crate::rest::{Application, ChannelDetails, Failure, Rest, Scope, TokenError};
use crate::transport::registration::Offered;
use crate::transport::setup::{mode_for, posting_of};
use crate::transport::{gateway, registration};

/// One check: what it is about, whether it passed, and the fix when it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Check {
    /// Stable, for monitoring: `token`, `application`, `public_key`, `interactions_endpoint`,
    /// `commands`, `announce_target`, `follow_role`, `state`, `briefs`.
    key: &'static str,
    /// Which one, when a deployment has several of a kind: `server 123`, `channel 456`.
    subject: Option<String>,
    verdict: Verdict,
    detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Passed,
    Failed {
        fix: String,
    },
    /// Not checked, for the reason the detail gives; neither passed nor failed.
    Skipped,
}

impl Check {
    fn passed(key: &'static str, subject: Option<String>, detail: String) -> Check {
        Check {
            key,
            subject,
            verdict: Verdict::Passed,
            detail,
        }
    }

    fn failed(key: &'static str, subject: Option<String>, detail: String, fix: String) -> Check {
        Check {
            key,
            subject,
            verdict: Verdict::Failed { fix },
            detail,
        }
    }

    fn skipped(key: &'static str, detail: String) -> Check {
        Check {
            key,
            subject: None,
            verdict: Verdict::Skipped,
            detail,
        }
    }

    fn is_failed(&self) -> bool {
        matches!(self.verdict, Verdict::Failed { .. })
    }
}

/// An announcement channel to check, and where it was configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetToCheck {
    pub channel: u64,
    pub mode: AnnounceMode,
    /// Where it comes from, for the fix: `config.toml [announce]`.
    pub source: String,
}

/// A follow role to check, and where it was configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleToCheck {
    pub server: u64,
    pub track: String,
    pub role: u64,
    /// Where it comes from, for the fix: `config.toml [[follow]]`.
    pub source: String,
}

impl App {
    /// `briefbot doctor`: every check, printed in `format`; exit status 1 when any failed.
    pub fn doctor(&self, format: Format) -> anyhow::Result<ExitCode> {
        let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
        let checks = runtime.block_on(self.diagnose());
        match format {
            Format::Text => print!("{}", to_text(&checks)),
            Format::Json => println!("{}", to_json(&checks)),
        }
        Ok(if checks.iter().any(Check::is_failed) {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        })
    }

    /// Every check, in order: Discord's (when there is a token), the state, the briefs.
    async fn diagnose(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        match self.token() {
            Ok(token) => self.discord_checks(&self.rest(&token), &mut checks).await,
            Err(error) => {
                checks.push(no_token(&error));
                checks.push(Check::skipped(
                    "discord",
                    "the checks against Discord are skipped: without the token briefbot cannot ask Discord".to_string(),
                ));
            }
        }
        checks.push(self.state_check().await);
        checks.push(self.briefs_check());
        checks
    }

    /// The token, the application, its key and endpoint, the commands, the announcement
    /// channels and the follow roles, as Discord has them.
    async fn discord_checks(&self, rest: &Rest, checks: &mut Vec<Check>) {
        let bot = match rest.own_user().await {
            Ok(bot) => {
                checks.push(Check::passed(
                    "token",
                    None,
                    format!("Discord accepts the token (briefbot's user is {bot})"),
                ));
                bot
            }
            Err(failure) => {
                checks.push(token_refused(&failure));
                checks.push(Check::skipped(
                    "discord",
                    "the other checks against Discord are skipped: they would all fail the same way".to_string(),
                ));
                return;
            }
        };
        match rest.application().await {
            Ok(application) => {
                checks.push(application_check(
                    self.config.discord.application_id,
                    &application,
                ));
                let key = self.public_key();
                checks.push(public_key_check(key.as_ref(), &application.verify_key));
                checks.push(endpoint_check(
                    key.is_some(),
                    application.interactions_endpoint_url.as_deref(),
                ));
            }
            Err(failure) => checks.push(Check::failed(
                "application",
                None,
                format!("cannot read the application the token belongs to: {failure}"),
                retry_fix(),
            )),
        }
        for scope in gateway::scopes(&self.config) {
            let existing = rest.command_list(scope).await;
            checks.push(commands_check(
                scope,
                existing.as_deref(),
                Offered::of(&self.config),
            ));
        }
        let servers = self.servers_settings(checks).await;
        for target in targets(&self.config, &self.source.to_string(), &servers) {
            checks.push(target_check(rest, bot, &target).await);
        }
        for role in follow_roles(&self.config, &self.source.to_string(), &servers) {
            checks.push(follow_check(rest, bot, &role).await);
        }
    }

    /// The servers' own settings (`/setup`), when `[setup]` turns them on: read as every
    /// instance reads them, with a check saying so; none when off or unreadable.
    async fn servers_settings(&self, checks: &mut Vec<Check>) -> ServerSettings {
        if !self.config.setup.enabled {
            return ServerSettings::default();
        }
        match Setup::read(&self.config).await {
            Ok(stored) => {
                // What is in force: the servers `[setup]` allows, each within the cap.
                let settings = stored.in_force(&self.config.setup);
                let servers: std::collections::BTreeSet<u64> =
                    settings.rows.iter().map(|r| r.server).collect();
                let off = settings
                    .rows
                    .iter()
                    .filter(|r| r.channel_off.is_some() || r.role_off.is_some())
                    .count();
                checks.push(Check::passed(
                    "setup",
                    None,
                    format!(
                        "the servers' own settings (/setup) are readable: {} set up, {} switched off by briefbot (their admins see why in /setup)",
                        plural(servers.len(), "server"),
                        plural(off, "setting")
                    ),
                ));
                settings
            }
            Err(error) => {
                checks.push(Check::failed(
                    "setup",
                    None,
                    format!("cannot read the servers' own settings: {error}"),
                    "see the state check below; servers' channels and roles are not checked until the settings can be read".to_string(),
                ));
                ServerSettings::default()
            }
        }
    }

    /// The public key `serve` would use, and where it comes from: `DISCORD_PUBLIC_KEY`, else
    /// `[discord] public_key` (as `serve` reads them).
    fn public_key(&self) -> Option<(&'static str, String)> {
        env::var("DISCORD_PUBLIC_KEY")
            .map(|key| ("DISCORD_PUBLIC_KEY", key))
            .or_else(|| {
                self.config
                    .discord
                    .public_key
                    .clone()
                    .filter(|key| !key.trim().is_empty())
                    .map(|key| ("[discord] public_key", key))
            })
    }

    /// The state database reachable and migrated, or the state folder writable.
    async fn state_check(&self) -> Check {
        let Some(url) = &self.config.database else {
            return state_folder_check(&self.config.state_dir);
        };
        let shown = url.shown();
        match database::unapplied_migrations(url).await {
            Ok(missing) if missing.is_empty() => Check::passed(
                "state",
                None,
                format!("the state database {shown} is reachable and has every migration"),
            ),
            Ok(missing) => Check::failed(
                "state",
                None,
                format!(
                    "the state database {shown} lacks {} of this briefbot's migrations: {}",
                    missing.len(),
                    missing.join(", ")
                ),
                "start briefbot once (every start applies them: `sudo systemctl restart briefbot`), or stop the older briefbot that still runs against it".to_string(),
            ),
            // The error names the database as `shown` does: never its password.
            Err(error) => Check::failed(
                "state",
                None,
                format!("cannot use the state database: {error}"),
                "check `[state] url` or DATABASE_URL (in /etc/briefbot/environment with the Debian package), that PostgreSQL runs and this machine reaches it, and the user's password".to_string(),
            ),
        }
    }

    /// The briefs folder loads, as `briefbot check` loads it.
    fn briefs_check(&self) -> Check {
        let dir = &self.config.briefs_dir;
        match Library::load(dir, &self.config.load_options()) {
            Ok(library) => Check::passed(
                "briefs",
                None,
                format!(
                    "the briefs in {} load: {} in {}",
                    dir.display(),
                    plural(library.round_count(), "round"),
                    plural(library.tracks().len(), "track")
                ),
            ),
            Err(error) => Check::failed(
                "briefs",
                None,
                format!(
                    "the briefs in {} do not load: {}",
                    dir.display(),
                    plural(error.diagnostics.len(), "error")
                ),
                "run `briefbot check` to see each mistake with its file and line".to_string(),
            ),
        }
    }
}

/// The announcement channels to check: the config's `[announce]`, then the channels servers
/// chose with `/setup` (where the config names a channel too, its entry is the one used).
pub(crate) fn targets(
    config: &Config,
    source: &str,
    servers: &ServerSettings,
) -> Vec<TargetToCheck> {
    let mut targets: Vec<TargetToCheck> = config
        .announce
        .all_targets()
        .into_iter()
        .map(|target| TargetToCheck {
            channel: target.channel,
            mode: target.mode,
            source: format!("{source} [announce]"),
        })
        .collect();
    for row in &servers.rows {
        let Some(channel) = row.live_channel() else {
            continue;
        };
        if targets.iter().any(|t| t.channel == channel) {
            continue;
        }
        targets.push(TargetToCheck {
            channel,
            mode: row.mode,
            source: format!("{SETUP_SOURCE} {} (track {})", row.server, row.track),
        });
    }
    targets
}

/// The follow roles to check: the config's `[[follow]]`, then those servers chose with
/// `/setup` (the config's wins for the same server and track).
pub(crate) fn follow_roles(
    config: &Config,
    source: &str,
    servers: &ServerSettings,
) -> Vec<RoleToCheck> {
    let mut roles: Vec<RoleToCheck> = config
        .follow
        .iter()
        .map(|follow| RoleToCheck {
            server: follow.server,
            track: follow.track.clone(),
            role: follow.role,
            source: format!("{source} [[follow]]"),
        })
        .collect();
    roles.extend(
        servers
            .follow_roles_beside(&config.follow)
            .into_iter()
            .map(|follow| RoleToCheck {
                source: format!("{SETUP_SOURCE} {} (track {})", follow.server, follow.track),
                server: follow.server,
                track: follow.track,
                role: follow.role,
            }),
    );
    roles
}

/// What briefbot would register (`/setup` too where `[setup]` turns it on), compared with
/// what Discord has: the one place that asks.
fn commands_stale(existing: &[Value], offered: Offered) -> bool {
    registration::differs_from(existing, offered)
}

/// How many commands briefbot would register.
fn commands_wanted(offered: Offered) -> usize {
    registration::to_json_of(offered)
        .as_array()
        .map_or(0, Vec::len)
}

/// Where the token goes, for an operator.
const TOKEN_PLACES: &str = "with the Debian package, write it to /etc/briefbot/discord-token (`sudo install -m 600 /dev/stdin /etc/briefbot/discord-token`) and run `sudo briefbot-admin doctor`; elsewhere set DISCORD_TOKEN, or DISCORD_TOKEN_FILE to a file that holds it";

fn no_token(error: &TokenError) -> Check {
    // The error names the variable or file, never the token.
    Check::failed(
        "token",
        None,
        error.to_string(),
        format!(
            "copy the token from the Developer Portal → your application → Bot (Reset Token shows a new one); {TOKEN_PLACES}"
        ),
    )
}

fn token_refused(failure: &Failure) -> Check {
    match failure {
        Failure::Refused { status: 401, .. } => Check::failed(
            "token",
            None,
            "Discord refused the token (401 Unauthorized): it was reset, revoked or mistyped"
                .to_string(),
            format!(
                "in the Developer Portal → your application → Bot, Reset Token and copy the new one; {TOKEN_PLACES}; then restart briefbot"
            ),
        ),
        failure => Check::failed(
            "token",
            None,
            format!("cannot ask Discord who the token belongs to: {failure}"),
            retry_fix(),
        ),
    }
}

fn retry_fix() -> String {
    "check that this machine reaches Discord over HTTPS (or `[discord] api_url`, when set), then run `briefbot doctor` again".to_string()
}

/// The token's application against `[discord] application_id`.
fn application_check(configured: Option<u64>, application: &Application) -> Check {
    let id = application.id;
    match configured {
        Some(configured) if configured != id => Check::failed(
            "application",
            None,
            format!(
                "the token belongs to application {id}, but `[discord] application_id` is {configured}"
            ),
            format!(
                "set `application_id = \"{id}\"` under [discord] in config.toml (the Developer Portal shows it under General Information → Application ID), or use the token of application {configured}"
            ),
        ),
        Some(_) => Check::passed(
            "application",
            None,
            format!("the token belongs to application {id}, as `[discord] application_id` says"),
        ),
        None => Check::passed(
            "application",
            None,
            format!(
                "the token belongs to application {id} (`[discord] application_id` is not set: briefbot asks Discord)"
            ),
        ),
    }
}

/// The configured public key (and where it is set) against the application's.
fn public_key_check(configured: Option<&(&'static str, String)>, discord: &str) -> Check {
    let Some((from, key)) = configured else {
        return Check::skipped(
            "public_key",
            "public key: not configured; only `briefbot serve` needs it".to_string(),
        );
    };
    if key.trim().eq_ignore_ascii_case(discord.trim()) {
        return Check::passed(
            "public_key",
            None,
            format!("the public key from {from} is the application's"),
        );
    }
    Check::failed(
        "public_key",
        None,
        format!(
            "the public key from {from} ({}) is not the application's ({discord}): `briefbot serve` would refuse every interaction Discord sends",
            key.trim()
        ),
        format!(
            "copy the Public Key from the Developer Portal → General Information into {from}, then restart briefbot"
        ),
    )
}

/// The Interactions Endpoint URL Discord has, against how briefbot is set up: `serve` (a
/// public key configured) needs one; `run` gets nothing while there is one.
fn endpoint_check(serve: bool, url: Option<&str>) -> Check {
    let key = "interactions_endpoint";
    match (serve, url) {
        (true, Some(url)) => Check::passed(
            key,
            None,
            format!("Discord sends interactions to {url} (for `briefbot serve`)"),
        ),
        (true, None) => Check::failed(
            key,
            None,
            "a public key is configured for `briefbot serve`, but the application has no Interactions Endpoint URL: Discord sends interactions over the gateway, which `serve` does not read".to_string(),
            "in the Developer Portal → General Information → Interactions Endpoint URL, enter the https:// address that reaches `briefbot serve` (…/interactions) and save; or, to use the gateway (`briefbot run`), remove the public key from the configuration".to_string(),
        ),
        (false, Some(url)) => Check::failed(
            key,
            None,
            format!(
                "Discord sends interactions to {url}, not over the gateway; `briefbot run` will get none"
            ),
            "clear the Interactions Endpoint URL in the Developer Portal → General Information, or run `briefbot serve` behind that URL and set `[discord] public_key`".to_string(),
        ),
        (false, None) => Check::passed(
            key,
            None,
            "no Interactions Endpoint URL: Discord sends interactions over the gateway, to `briefbot run`".to_string(),
        ),
    }
}

/// The commands Discord has in `scope` against briefbot's.
fn commands_check(scope: Scope, existing: Result<&[Value], &Failure>, offered: Offered) -> Check {
    let (subject, register) = match scope {
        Scope::Global => ("global".to_string(), "briefbot register".to_string()),
        Scope::Guild(id) => (
            format!("server {id}"),
            format!("briefbot register --guild {id}"),
        ),
    };
    let existing = match existing {
        Ok(existing) => existing,
        Err(failure) => {
            let fix = match failure {
                Failure::Refused { status: 403, .. } => format!(
                    "briefbot is not in {scope}, or was added without the applications.commands scope: add it again with the install link (Developer Portal → Installation)"
                ),
                _ => retry_fix(),
            };
            return Check::failed(
                "commands",
                Some(subject),
                format!("cannot read the commands of {scope}: {failure}"),
                fix,
            );
        }
    };
    if commands_stale(existing, offered) {
        let names: Vec<&str> = existing.iter().filter_map(|c| c["name"].as_str()).collect();
        let has = if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        };
        return Check::failed(
            "commands",
            Some(subject),
            format!(
                "{scope}: the commands Discord has ({has}) differ from the {} briefbot registers",
                commands_wanted(offered)
            ),
            format!("run `{register}`"),
        );
    }
    Check::passed(
        "commands",
        Some(subject),
        format!(
            "{scope}: Discord has briefbot's {} commands",
            existing.len()
        ),
    )
}

/// What Discord says of an announcement channel, as far as briefbot's permissions there go.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TargetFacts {
    name: String,
    kind: u8,
    /// What briefbot may do anywhere in the server (its roles together).
    base: Permissions,
    /// What briefbot may do in the channel, its overwrites applied.
    here: Permissions,
    /// The channel's overwrites that apply to briefbot and deny something: what, and for
    /// whom (`@everyone`, `@briefbot`, `briefbot itself`).
    denied_by: Vec<(Permissions, String)>,
}

/// Gathers the facts of `target` from Discord and turns them into its check.
async fn target_check(rest: &Rest, bot: u64, target: &TargetToCheck) -> Check {
    let subject = Some(format!("channel {}", target.channel));
    let channel = match rest.channel_details(target.channel).await {
        Ok(channel) => channel,
        Err(failure) => return channel_unreadable(target, &failure),
    };
    let Some(guild) = channel.guild else {
        return Check::failed(
            "announce_target",
            subject,
            format!(
                "channel {} is not a server's channel (a DM?)",
                target.channel
            ),
            format!(
                "announce in a server's text, announcement or forum channel: correct the channel id in {}",
                target.source
            ),
        );
    };
    let standing = async {
        let server = rest.server(guild).await?;
        let member = rest.member(guild, bot).await?;
        Ok::<_, Failure>((server, member))
    };
    let (server, member) = match standing.await {
        Ok(found) => found,
        Err(failure) => return not_in_server(target, guild, &failure),
    };
    let facts = TargetFacts {
        base: server.base_permissions(&member),
        here: server.channel_permissions(&member, &channel.overwrites),
        denied_by: denied_by(&channel, guild, bot, &member.roles, |role| {
            server.role(role).map(|r| r.name.clone())
        }),
        name: channel.name,
        kind: channel.kind,
    };
    target_verdict(target, &facts)
}

/// The overwrites of `channel` that apply to briefbot (`bot`, holding `roles` in `guild`)
/// and deny something, named for whom they are. Discord's ids are unique across roles and
/// users, so an id says which kind of overwrite it is.
fn denied_by(
    channel: &ChannelDetails,
    guild: u64,
    bot: u64,
    roles: &[u64],
    role_name: impl Fn(u64) -> Option<String>,
) -> Vec<(Permissions, String)> {
    channel
        .overwrites
        .iter()
        .filter(|o| o.deny != 0)
        .filter_map(|o| {
            let whom = if o.id == guild {
                "@everyone".to_string()
            } else if o.id == bot {
                "briefbot itself".to_string()
            } else if roles.contains(&o.id) {
                format!("@{}", role_name(o.id).unwrap_or_else(|| o.id.to_string()))
            } else {
                return None;
            };
            Some((Permissions::from_bits_truncate(o.deny), whom))
        })
        .collect()
}

fn channel_unreadable(target: &TargetToCheck, failure: &Failure) -> Check {
    let subject = Some(format!("channel {}", target.channel));
    match failure {
        Failure::Refused {
            status: 404 | 403, ..
        } => Check::failed(
            "announce_target",
            subject,
            format!(
                "channel {} does not exist or briefbot cannot see it ({failure})",
                target.channel
            ),
            format!(
                "check the channel id in {} (in Discord, with Developer Mode on in Settings → Advanced: right-click the channel → Copy Channel ID), that briefbot is in that server, and that its role may View Channel there",
                target.source
            ),
        ),
        failure => Check::failed(
            "announce_target",
            subject,
            format!("cannot read channel {}: {failure}", target.channel),
            retry_fix(),
        ),
    }
}

fn not_in_server(target: &TargetToCheck, guild: u64, failure: &Failure) -> Check {
    Check::failed(
        "announce_target",
        Some(format!("channel {}", target.channel)),
        format!(
            "cannot read briefbot's roles in server {guild}, where channel {} is: {failure}",
            target.channel
        ),
        match failure {
            Failure::Refused {
                status: 404 | 403, ..
            } => "add briefbot to that server with its install link (Developer Portal → Installation), or announce in a channel of a server it is in".to_string(),
            _ => retry_fix(),
        },
    )
}

/// The permissions briefbot needs to announce in `mode`: the same rule `/setup` checks a
/// server's choice against (docs/announcements.md, "Permissions").
fn needed(mode: AnnounceMode) -> Permissions {
    permissions::needed(posting_of(mode))
}

/// Discord's names of `permissions`, as its settings show them.
fn names(permissions: Permissions) -> String {
    permissions::listed(permissions)
}

fn kind_words(kind: u8) -> &'static str {
    match kind {
        0 => "a text channel",
        5 => "an announcement channel",
        15 => "a forum",
        16 => "a media channel",
        2 => "a voice channel",
        4 => "a category",
        10..=12 => "a thread",
        13 => "a stage channel",
        _ => "a channel of another kind",
    }
}

/// Whether a channel of Discord's type `kind` takes announcements in `mode`: whether the
/// mode that channel would take, as `/setup` gives it, is `mode`.
fn fits(mode: AnnounceMode, kind: u8) -> bool {
    mode_for(kind, mode == AnnounceMode::Thread).is_some_and(|(taken, _)| taken == mode)
}

/// An announcement channel's check from its facts: the right kind for the mode, and every
/// permission the mode needs, each missing one with what takes it away.
fn target_verdict(target: &TargetToCheck, facts: &TargetFacts) -> Check {
    let subject = Some(format!("channel {}", target.channel));
    let mode = target.mode.name();
    let place = format!("#{} ({})", facts.name, target.channel);
    if !fits(target.mode, facts.kind) {
        let wanted = match target.mode {
            AnnounceMode::Forum => "a forum",
            _ => "a text or announcement channel",
        };
        return Check::failed(
            "announce_target",
            subject,
            format!(
                "{place} is {}, and mode \"{mode}\" needs {wanted}",
                kind_words(facts.kind)
            ),
            format!(
                "in {}, give channel {} the mode that fits it (\"forum\" for a forum, \"message\" or \"thread\" for a text or announcement channel), or choose another channel",
                target.source, target.channel
            ),
        );
    }
    let needed = needed(target.mode);
    let missing = needed - facts.here;
    if missing.is_empty() {
        return Check::passed(
            "announce_target",
            subject,
            format!(
                "{place}: briefbot may announce there ({mode}: {})",
                names(needed)
            ),
        );
    }
    let mut reasons = Vec::new();
    let mut in_channel = Permissions::empty();
    let mut in_server = Permissions::empty();
    let mut overwriters: Vec<&str> = Vec::new();
    for bit in missing.iter() {
        let name = names(bit);
        if !facts.base.contains(bit) {
            in_server |= bit;
            reasons.push(format!("{name} (not granted to briefbot's roles)"));
        } else if let Some((_, whom)) = facts.denied_by.iter().find(|(deny, _)| deny.contains(bit))
        {
            in_channel |= bit;
            if !overwriters.contains(&whom.as_str()) {
                overwriters.push(whom);
            }
            reasons.push(format!(
                "{name} (denied by an overwrite on #{} for {whom})",
                facts.name
            ));
        } else if !facts.here.contains(Permissions::VIEW_CHANNEL) {
            reasons.push(format!("{name} (goes with View Channel)"));
        } else {
            reasons.push(format!("{name} (goes with Send Messages)"));
        }
    }
    let mut fixes = Vec::new();
    if !in_channel.is_empty() {
        fixes.push(format!(
            "in Discord, #{} → Edit Channel → Permissions → {} → allow {} (or clear the ✗ there)",
            facts.name,
            overwriters.join(" and "),
            names(in_channel)
        ));
    }
    if !in_server.is_empty() {
        fixes.push(format!(
            "in Server Settings → Roles → briefbot, grant {}",
            names(in_server)
        ));
    }
    if fixes.is_empty() {
        fixes.push(format!(
            "in Discord, #{} → Edit Channel → Permissions → briefbot's role → allow {}",
            facts.name,
            names(missing)
        ));
    }
    if missing.contains(Permissions::READ_MESSAGE_HISTORY) {
        fixes.push(
            "briefbot reads its own messages there so that it never posts a round twice"
                .to_string(),
        );
    }
    Check::failed(
        "announce_target",
        subject,
        format!(
            "{place}{}: briefbot cannot announce there ({mode}); it lacks {}",
            chosen_by(&target.source),
            reasons.join(", ")
        ),
        fixes.join("; "),
    )
}

/// ", chosen with /setup in server …", for what a server chose; nothing for the config's.
fn chosen_by(source: &str) -> String {
    if source.starts_with(SETUP_SOURCE) {
        format!(", chosen with {source}")
    } else {
        String::new()
    }
}

/// How the doctor names what a server chose: "/setup in server 123 (track t)".
const SETUP_SOURCE: &str = "/setup in server";

/// Gathers a follow role's server from Discord and turns it into its check.
async fn follow_check(rest: &Rest, bot: u64, role: &RoleToCheck) -> Check {
    let standing = async {
        let server = rest.server(role.server).await?;
        let member = rest.member(role.server, bot).await?;
        Ok::<_, Failure>((server, member))
    };
    match standing.await {
        Ok((server, member)) => {
            let name = server.role(role.role).map(|r| r.name.clone());
            let reasons = server.unsafe_follow_role(role.role, &member, None);
            // Discord notifies a role's members only when it is mentionable or the sender may
            // mention every role: otherwise announcements show it and nobody is pinged.
            let silent = server.role(role.role).is_some_and(|r| !r.mentionable)
                && !server
                    .base_permissions(&member)
                    .contains(Permissions::MENTION_EVERYONE);
            if reasons.is_empty() && silent {
                return silent_role(role, name.as_deref());
            }
            follow_verdict(role, name.as_deref(), &reasons)
        }
        Err(failure) => Check::failed(
            "follow_role",
            Some(format!("role {} in server {}", role.role, role.server)),
            format!(
                "cannot read server {}, where the follow role of {} is: {failure}",
                role.server, role.track
            ),
            match failure {
                Failure::Refused {
                    status: 404 | 403, ..
                } => format!(
                    "add briefbot to server {} with its install link, or correct the server id in {}",
                    role.server, role.source
                ),
                _ => retry_fix(),
            },
        ),
    }
}

/// A follow role announcements show without notifying its members.
fn silent_role(role: &RoleToCheck, name: Option<&str>) -> Check {
    let shown = name.map_or_else(|| role.role.to_string(), |name| format!("@{name}"));
    Check::failed(
        "follow_role",
        Some(format!("role {} in server {}", role.role, role.server)),
        format!(
            "the follow role {shown} ({}) for {} in server {}{} notifies no one: it is not mentionable, and briefbot may not mention every role",
            role.role,
            role.track,
            role.server,
            chosen_by(&role.source)
        ),
        format!(
            "in Server Settings → Roles → {shown}, turn on \"Allow anyone to @mention this role\" (or give briefbot's role \"Mention @everyone, @here and All Roles\")"
        ),
    )
}

/// A follow role's check from why it is not safe to hand out (none: it is).
fn follow_verdict(role: &RoleToCheck, name: Option<&str>, reasons: &[String]) -> Check {
    let subject = Some(format!("role {} in server {}", role.role, role.server));
    let shown = name.map_or_else(|| role.role.to_string(), |name| format!("@{name}"));
    let what = format!(
        "the follow role {shown} ({}) for {} in server {}{}",
        role.role,
        role.track,
        role.server,
        chosen_by(&role.source)
    );
    if reasons.is_empty() {
        return Check::passed(
            "follow_role",
            subject,
            format!("{what}: briefbot can give it, and it grants nothing"),
        );
    }
    // The reasons are written for Discord, where a role's mention shows its name.
    let mention = format!("<@&{}>", role.role);
    let reasons: Vec<String> = reasons
        .iter()
        .map(|reason| reason.replace(&mention, &shown))
        .collect();
    Check::failed(
        "follow_role",
        subject,
        format!("{what} cannot be handed out safely"),
        format!(
            "{} (or give another role in {})",
            reasons.join("; and "),
            role.source
        ),
    )
}

/// The state folder exists and is writable, or can be made: a probe file is created there
/// and removed again.
fn state_folder_check(dir: &Path) -> Check {
    let shown = dir.display();
    let fix = format!(
        "make it writable by the user briefbot runs as (`sudo chown briefbot: {shown}`; the Debian units use /var/lib/briefbot, which systemd makes), or set `state_dir` in config.toml; run doctor as that user (`sudo briefbot-admin doctor`)"
    );
    if dir.is_dir() {
        return match tempfile::Builder::new()
            .prefix(".briefbot-doctor-")
            .tempfile_in(dir)
        {
            Ok(_probe) => Check::passed(
                "state",
                None,
                format!("the state folder {shown} is writable"),
            ),
            Err(error) => Check::failed(
                "state",
                None,
                format!("the state folder {shown} is not writable: {error}"),
                fix,
            ),
        };
    }
    if dir.exists() {
        return Check::failed(
            "state",
            None,
            format!("the state folder {shown} is a file, not a folder"),
            "set `state_dir` in config.toml to a folder".to_string(),
        );
    }
    // The nearest folder that exists is where briefbot would make it; a relative folder's
    // ancestors end in "", which is the current folder.
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let parent = absolute.ancestors().skip(1).find(|a| a.is_dir());
    let writable = parent.is_some_and(|p| {
        tempfile::Builder::new()
            .prefix(".briefbot-doctor-")
            .tempfile_in(p)
            .is_ok()
    });
    match parent {
        Some(parent) if writable => Check::passed(
            "state",
            None,
            format!(
                "the state folder {shown} does not exist yet; briefbot makes it ({} is writable)",
                parent.display()
            ),
        ),
        _ => Check::failed(
            "state",
            None,
            format!("the state folder {shown} does not exist, and cannot be made"),
            fix,
        ),
    }
}

/// One line per check (its fix indented below a ✗), and a summary.
fn to_text(checks: &[Check]) -> String {
    let mut text = String::new();
    for check in checks {
        match &check.verdict {
            Verdict::Passed => text.push_str(&format!("✓ {}\n", check.detail)),
            Verdict::Failed { fix } => {
                text.push_str(&format!("✗ {}\n    fix: {fix}\n", check.detail));
            }
            Verdict::Skipped => text.push_str(&format!("- {}\n", check.detail)),
        }
    }
    let counted = checks
        .iter()
        .filter(|c| c.verdict != Verdict::Skipped)
        .count();
    let failed = checks.iter().filter(|c| c.is_failed()).count();
    if failed == 0 {
        text.push_str(&format!("all {counted} checks passed\n"));
    } else {
        text.push_str(&format!("{failed} of {counted} checks failed\n"));
    }
    text
}

/// The checks as one JSON document, for monitoring.
fn to_json(checks: &[Check]) -> Value {
    let listed: Vec<Value> = checks
        .iter()
        .map(|check| {
            let fix = match &check.verdict {
                Verdict::Failed { fix } => Value::String(fix.clone()),
                _ => Value::Null,
            };
            json!({
                "check": check.key,
                "subject": check.subject,
                "ok": !check.is_failed(),
                "skipped": check.verdict == Verdict::Skipped,
                "detail": check.detail,
                "fix": fix,
            })
        })
        .collect();
    json!({
        "ok": !checks.iter().any(Check::is_failed),
        "checks": listed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(mode: AnnounceMode) -> TargetToCheck {
        TargetToCheck {
            channel: 42,
            mode,
            source: "config.toml [announce]".to_string(),
        }
    }

    fn facts(base: Permissions, here: Permissions) -> TargetFacts {
        TargetFacts {
            name: "briefings".to_string(),
            kind: 0,
            base,
            here,
            denied_by: Vec::new(),
        }
    }

    fn fix(check: &Check) -> &str {
        match &check.verdict {
            Verdict::Failed { fix } => fix,
            _ => panic!("not failed: {check:?}"),
        }
    }

    #[test]
    fn a_permission_an_overwrite_denies_is_named_with_the_overwrite_and_the_fix() {
        let all = needed(AnnounceMode::Message);
        let mut found = facts(
            all,
            all - Permissions::SEND_MESSAGES - Permissions::EMBED_LINKS,
        );
        found.denied_by = vec![(Permissions::SEND_MESSAGES, "@briefbot".to_string())];
        let check = target_verdict(&target(AnnounceMode::Message), &found);
        assert!(check.is_failed());
        assert!(
            check.detail.contains(
                "Send Messages (denied by an overwrite on #briefings for @briefbot), Embed Links (goes with Send Messages)"
            ),
            "{check:?}"
        );
        assert!(
            fix(&check).contains(
                "#briefings → Edit Channel → Permissions → @briefbot → allow Send Messages"
            ),
            "{check:?}"
        );
    }

    #[test]
    fn a_permission_the_roles_lack_is_granted_in_the_server_settings() {
        let all = needed(AnnounceMode::Thread);
        let without = all - Permissions::CREATE_PUBLIC_THREADS;
        let check = target_verdict(&target(AnnounceMode::Thread), &facts(without, without));
        assert!(
            check
                .detail
                .contains("Create Public Threads (not granted to briefbot's roles)"),
            "{check:?}"
        );
        assert!(
            fix(&check).contains("Server Settings → Roles → briefbot, grant Create Public Threads")
        );
        let fine = target_verdict(&target(AnnounceMode::Thread), &facts(all, all));
        assert_eq!(fine.verdict, Verdict::Passed);
    }

    #[test]
    fn a_forum_target_needs_a_forum_and_a_message_target_a_text_channel() {
        let all = needed(AnnounceMode::Forum);
        let check = target_verdict(&target(AnnounceMode::Forum), &facts(all, all));
        assert!(
            check
                .detail
                .contains("is a text channel, and mode \"forum\" needs a forum")
        );
        let mut forum = facts(all, all);
        forum.kind = 15;
        assert!(!target_verdict(&target(AnnounceMode::Forum), &forum).is_failed());
        assert!(target_verdict(&target(AnnounceMode::Message), &forum).is_failed());
    }

    #[test]
    fn the_public_key_is_compared_without_case_and_only_when_configured() {
        let key = "ab".repeat(32);
        let configured = ("[discord] public_key", key.to_uppercase());
        assert!(!public_key_check(Some(&configured), &key).is_failed());
        let other = ("DISCORD_PUBLIC_KEY", "cd".repeat(32));
        let wrong = public_key_check(Some(&other), &key);
        assert!(fix(&wrong).contains("into DISCORD_PUBLIC_KEY"));
        assert_eq!(public_key_check(None, &key).verdict, Verdict::Skipped);
    }

    #[test]
    fn the_endpoint_url_must_match_serve_or_run() {
        assert!(endpoint_check(true, None).is_failed());
        assert!(!endpoint_check(true, Some("https://x.example/interactions")).is_failed());
        let run = endpoint_check(false, Some("https://x.example/interactions"));
        assert!(run.detail.contains("`briefbot run` will get none"));
        assert!(!endpoint_check(false, None).is_failed());
    }

    #[test]
    fn an_application_id_that_is_not_the_tokens_names_both() {
        let application = Application {
            id: 7,
            verify_key: String::new(),
            interactions_endpoint_url: None,
        };
        let wrong = application_check(Some(8), &application);
        assert!(wrong.detail.contains("application 7") && wrong.detail.contains("is 8"));
        assert!(!application_check(Some(7), &application).is_failed());
        assert!(!application_check(None, &application).is_failed());
    }

    #[test]
    fn stale_commands_name_the_register_command_for_their_scope() {
        let ours: Vec<Value> = registration::to_json()
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!commands_check(Scope::Global, Ok(&ours), Offered::default()).is_failed());
        let stale = commands_check(Scope::Guild(5), Ok(&ours[1..]), Offered::default());
        assert_eq!(fix(&stale), "run `briefbot register --guild 5`");
        assert_eq!(
            fix(&commands_check(Scope::Global, Ok(&[]), Offered::default())),
            "run `briefbot register`"
        );
    }

    #[test]
    fn a_follow_roles_reasons_name_it_and_say_the_fix() {
        let role = RoleToCheck {
            server: 1,
            track: "syria-israel".to_string(),
            role: 9,
            source: "config.toml [[follow]]".to_string(),
        };
        let check = follow_verdict(
            &role,
            Some("followers"),
            &["<@&9> is not below briefbot's highest role; drag it".to_string()],
        );
        assert!(fix(&check).starts_with("@followers is not below"));
        assert!(!follow_verdict(&role, Some("followers"), &[]).is_failed());
    }

    #[test]
    fn the_text_has_a_fix_under_each_failure_and_a_summary() {
        let checks = vec![
            Check::passed("token", None, "token fine".to_string()),
            Check::skipped("public_key", "not configured".to_string()),
            Check::failed("briefs", None, "broken".to_string(), "run it".to_string()),
        ];
        assert_eq!(
            to_text(&checks),
            "✓ token fine\n- not configured\n✗ broken\n    fix: run it\n1 of 2 checks failed\n"
        );
        let json = to_json(&checks);
        assert_eq!(json["ok"], false);
        assert_eq!(json["checks"][2]["fix"], "run it");
        assert_eq!(json["checks"][0]["fix"], Value::Null);
    }

    #[test]
    fn a_state_folder_is_probed_without_leaving_anything() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(!state_folder_check(dir.path()).is_failed());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        let later = dir.path().join("a/b");
        let check = state_folder_check(&later);
        assert!(check.detail.contains("does not exist yet"), "{check:?}");
        assert!(!later.exists());
    }
}
