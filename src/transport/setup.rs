//! `/setup`'s steps carried out against Discord: each choice checked before it is saved (the
//! bot's permissions in the chosen channel, computed as Discord does; a follow role safe to
//! hand out), saved in the servers' settings, and the panel drawn again with what happened.
//! Test posts are deleted a minute later, or at once when briefbot stops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use serenity::all::Permissions;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, warn};

use crate::commands::setup::{ChosenChannel, ChosenRole, Outcome, Panel, SetupAsk, Step, Way};
use crate::config::{AnnounceMode, AnnounceTarget, FollowRole};
use crate::live::setup::{ServerSetting, ServerSettings, Setup, SetupError};
use crate::permissions::{self, Member, Posting, Server};
use crate::rest::{ChannelDetails, Failure, Rest};

/// How long a test post stays before briefbot deletes it.
pub(crate) const TEST_POST_LIFETIME: Duration = Duration::from_secs(60);

/// Whether servers may set themselves up in this process.
#[derive(Default)]
pub enum SetupState {
    /// `[setup]` is not turned on.
    #[default]
    Unconfigured,
    /// Turned on, but this process cannot keep the settings: why.
    Off(String),
    On(Arc<Setup>),
}

/// What `/setup` needs beyond the core: the settings, the operator's own targets and roles
/// (shown read-only), and the test posts still to delete.
#[derive(Default)]
pub(crate) struct ServerSetup {
    pub(crate) state: SetupState,
    pub(crate) operator_targets: Vec<AnnounceTarget>,
    pub(crate) operator_roles: Vec<FollowRole>,
    /// The server of each operator channel, asked of Discord once.
    channel_servers: Mutex<HashMap<u64, Option<u64>>>,
    /// briefbot's own user id, asked once.
    me: OnceCell<u64>,
    cleanup: TaskTracker,
    stopping: CancellationToken,
}

/// What a step is checked against: the server's roles, briefbot's roles, the admin's.
struct Facts {
    server: Server,
    bot: Member,
    admin: Member,
}

impl ServerSetup {
    pub(crate) fn new(
        state: SetupState,
        operator_targets: Vec<AnnounceTarget>,
        operator_roles: Vec<FollowRole>,
    ) -> ServerSetup {
        ServerSetup {
            state,
            operator_targets,
            operator_roles,
            ..ServerSetup::default()
        }
    }

    /// The settings, when servers may set themselves up here.
    pub(crate) fn settings(&self) -> Option<&Arc<Setup>> {
        match &self.state {
            SetupState::On(setup) => Some(setup),
            _ => None,
        }
    }

    /// Deletes the test posts still waiting, at once, and waits for them up to `within`.
    pub(crate) async fn finish(&self, within: Duration) {
        self.stopping.cancel();
        self.cleanup.close();
        let _ = tokio::time::timeout(within, self.cleanup.wait()).await;
    }

    /// briefbot's own user id.
    pub(crate) async fn me(&self, rest: &Rest) -> Result<u64, Failure> {
        self.me.get_or_try_init(|| rest.own_user()).await.copied()
    }

    /// Carries out `ask` for the admin `admin` and draws the panel after it.
    pub(crate) async fn carry_out(
        &self,
        setup: &Setup,
        rest: &Rest,
        ask: &SetupAsk,
        admin: Member,
    ) -> Panel {
        let outcome = match ask.step {
            Step::Show => None,
            step => Some(match self.facts(rest, ask, admin).await {
                Ok(facts) => self.step(setup, rest, ask, step, &facts).await,
                Err(outcome) => outcome,
            }),
        };
        self.panel(setup, rest, ask, outcome).await
    }

    /// The server's roles and members as Discord has them now.
    async fn facts(&self, rest: &Rest, ask: &SetupAsk, admin: Member) -> Result<Facts, Outcome> {
        let unread = |failure: &Failure| Outcome::Refused {
            what: "Nothing was changed".to_string(),
            why: vec![format!(
                "briefbot could not read this server's roles from Discord ({failure}); try again in a minute"
            )],
        };
        // An answer that briefbot is not in the server is not taken at its word here: the
        // interaction itself came from the server.
        let server = rest.server(ask.server).await.map_err(|f| unread(&f))?;
        let me = self.me(rest).await.map_err(|f| unread(&f))?;
        let bot = rest.member(ask.server, me).await.map_err(|f| unread(&f))?;
        Ok(Facts { server, bot, admin })
    }

    async fn step(
        &self,
        setup: &Setup,
        rest: &Rest,
        ask: &SetupAsk,
        step: Step,
        facts: &Facts,
    ) -> Outcome {
        match step {
            Step::Show => Outcome::Done("Nothing changed.".to_string()),
            Step::Channel(channel) => self.choose_channel(setup, rest, ask, facts, channel).await,
            Step::Thread(on) => threads(setup, rest, ask, facts, on).await,
            Step::Role(role) => choose_role(setup, rest, ask, facts, role).await,
            Step::CreateRole => create_role(setup, rest, ask, facts).await,
            Step::TestPost => self.test_post(setup, rest, ask, facts).await,
            Step::Stop => saved(
                change_row(setup, ask, |row| {
                    row.channel = None;
                    row.channel_off = None;
                    row.mode = AnnounceMode::Message;
                })
                .await,
                format!(
                    "New rounds of {} are no longer posted in this server (the operator's own channels aside).",
                    ask.track_name
                ),
            ),
            Step::NoRole => saved(
                change_row(setup, ask, |row| {
                    row.role = None;
                    row.role_off = None;
                })
                .await,
                format!(
                    "Announcements of {} ping no one here now; the role itself is left as it is.",
                    ask.track_name
                ),
            ),
        }
    }

    async fn choose_channel(
        &self,
        setup: &Setup,
        rest: &Rest,
        ask: &SetupAsk,
        facts: &Facts,
        channel: u64,
    ) -> Outcome {
        let refused = |why: String| Outcome::Refused {
            what: format!("New rounds cannot go to <#{channel}>"),
            why: vec![why],
        };
        let details = match rest.channel_details(channel).await {
            Ok(details) => details,
            Err(failure) => return refused(channel_unreadable(&failure)),
        };
        if details.guild != Some(ask.server) {
            return refused("that channel is not in this server".to_string());
        }
        let current = setup.current();
        // A channel announces one way, whichever track: one this server already announces
        // another track in keeps its way; otherwise this track's choice of threads holds.
        let threads = current
            .settings
            .of_server(ask.server)
            .find(|r| r.channel == Some(channel) && r.track != ask.track)
            .or_else(|| current.settings.get(ask.server, &ask.track))
            .is_some_and(|r| r.mode == AnnounceMode::Thread);
        let Some((mode, way)) = mode_for(details.kind, threads) else {
            return refused(
                "new rounds go to a text, announcement or forum channel; choose one of those"
                    .to_string(),
            );
        };
        if let Some(why) = missing(facts, &details, posting_of(mode)) {
            return refused(why);
        }
        let cap = setup.config().max_targets_per_server;
        let (server, track, user) = (ask.server, ask.track.clone(), ask.user);
        // The cap is checked on the settings as stored at the moment of the change, so two
        // admins at once cannot pass it together.
        let done = setup
            .change_with(move |s| {
                let others = s
                    .of_server(server)
                    .filter(|r| r.track != track && r.live_channel().is_some())
                    .count();
                if others >= cap {
                    return Err(others);
                }
                let row = s.entry(server, &track);
                row.channel = Some(channel);
                row.channel_off = None;
                row.mode = mode;
                stamp(row, user);
                s.set_mode(server, channel, mode);
                Ok(())
            })
            .await;
        let role = match &done {
            Ok((Err(others), _)) => {
                return refused(format!(
                    "this server already announces {} in its own channels, the most briefbot's operator allows; stop one of them first",
                    crate::library::plural(*others, "track")
                ));
            }
            Ok((Ok(()), settings)) => settings
                .get(ask.server, &ask.track)
                .and_then(|r| r.live_role()),
            Err(_) => None,
        };
        info!(server = ask.server, track = %ask.track, channel, mode = mode.name(), "a server chose where new rounds go");
        saved(
            done.map(|(_, settings)| settings),
            format!(
                "New rounds of {} will go to <#{channel}>, {}.{}",
                ask.track_name,
                way.words(),
                ping_note(facts, role, &details)
            ),
        )
    }

    /// Posts a test in the chosen channel, as an announcement would be made there (pinging
    /// no one), and deletes it a minute later. What briefbot lacks there is said before
    /// anything is posted; a test it could not delete again is not made.
    async fn test_post(
        &self,
        setup: &Setup,
        rest: &Rest,
        ask: &SetupAsk,
        facts: &Facts,
    ) -> Outcome {
        let current = setup.current();
        let Some(row) = current.settings.get(ask.server, &ask.track) else {
            return no_channel_yet();
        };
        let Some(channel) = row.live_channel() else {
            return no_channel_yet();
        };
        let failed = |why: String| Outcome::Refused {
            what: format!("The test post in <#{channel}> failed"),
            why: vec![why],
        };
        let details = match rest.channel_details(channel).await {
            Ok(details) => details,
            Err(failure) => {
                if failure.is_channel_gone()
                    && let Err(error) = setup.channel_gone(channel).await
                {
                    error!(%error, "cannot switch off a deleted channel");
                }
                return failed(channel_unreadable(&failure));
            }
        };
        let mode = row.mode;
        if let Some(why) = missing(facts, &details, posting_of(mode)) {
            return failed(why);
        }
        // Deleting a thread (a forum post is one) takes Manage Threads, which announcing does
        // not: a test thread briefbot could not delete is not made.
        let may_delete_threads = facts
            .server
            .channel_permissions(&facts.bot, &details.overwrites)
            .contains(Permissions::MANAGE_THREADS);
        if mode == AnnounceMode::Forum && !may_delete_threads {
            return failed(format!(
                "a test post in a forum is a thread, and briefbot could not delete it again without Manage Threads in <#{channel}> (real announcements do not need it): allow it there for the test, or wait for the first round"
            ));
        }
        let text = format!(
            "🧪 **Test post from briefbot**: new rounds of {} will be announced here. This message is deleted in a minute.",
            ask.track_name
        );
        let body = json!({"content": text, "allowed_mentions": {"parse": []}});
        let mut untested = String::new();
        let made = match mode {
            AnnounceMode::Forum => {
                // The track's tag, as an announcement takes it (a forum may require one).
                let tags: Vec<String> = match rest.channel(channel).await {
                    Ok(info) => info
                        .tags
                        .iter()
                        .filter(|(_, tag)| tag.eq_ignore_ascii_case(&ask.track))
                        .map(|(id, _)| id.to_string())
                        .take(1)
                        .collect(),
                    Err(_) => Vec::new(),
                };
                rest.create_forum_post(
                    channel,
                    &json!({"name": "briefbot test post", "message": body, "applied_tags": tags}),
                )
                .await
                .map(Made::Thread)
            }
            AnnounceMode::Message => {
                posted(rest.post_json(channel, &body).await).map(Made::Message)
            }
            AnnounceMode::Thread if !may_delete_threads => {
                untested = format!(
                    " Its thread was not tried: briefbot could not delete a test thread without Manage Threads in <#{channel}>; announcements start theirs with Create Public Threads, which briefbot has."
                );
                posted(rest.post_json(channel, &body).await).map(Made::Message)
            }
            AnnounceMode::Thread => match posted(rest.post_json(channel, &body).await) {
                Ok(message) => match rest
                    .start_thread(channel, message, "briefbot test post", 60)
                    .await
                {
                    Ok(thread) => Ok(Made::MessageAndThread(message, thread)),
                    Err(failure) => {
                        self.delete_later(
                            rest.clone(),
                            channel,
                            Made::Message(message),
                            Duration::ZERO,
                        );
                        Err(failure)
                    }
                },
                Err(failure) => Err(failure),
            },
        };
        match made {
            Ok(made) => {
                self.delete_later(rest.clone(), channel, made, TEST_POST_LIFETIME);
                Outcome::Done(format!(
                    "A test post is in <#{channel}>; it is deleted in a minute. New rounds will look like a card there, pinging {}.{untested}{}",
                    row.live_role()
                        .map_or("no one".to_string(), |r| format!("<@&{r}>")),
                    ping_note(facts, row.live_role(), &details)
                ))
            }
            Err(failure) => {
                warn!(server = ask.server, channel, %failure, "a /setup test post failed");
                failed(match &failure {
                    f if f.is_channel_gone() => "the channel no longer exists, or briefbot can no longer see it; choose another".to_string(),
                    f if f.may_have_happened() => format!(
                        "Discord did not confirm it ({failure}); if a test post shows in <#{channel}>, delete it by hand"
                    ),
                    _ => format!("Discord refused it: {failure}"),
                })
            }
        }
    }

    /// Deletes what a test post made after `after`, or at once when briefbot stops.
    fn delete_later(&self, rest: Rest, channel: u64, made: Made, after: Duration) {
        let stopping = self.stopping.clone();
        self.cleanup.spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(after) => {}
                _ = stopping.cancelled() => {}
            }
            let deleted = match made {
                Made::Message(message) => rest.delete_message(channel, message).await,
                Made::Thread(thread) => rest.delete_thread(thread).await,
                Made::MessageAndThread(message, thread) => {
                    let thread = rest.delete_thread(thread).await;
                    rest.delete_message(channel, message).await.and(thread)
                }
            };
            match deleted {
                Ok(()) => info!(channel, "the /setup test post was deleted"),
                Err(failure) if failure.is_gone() => {}
                Err(failure) => warn!(channel, %failure, "could not delete a /setup test post; delete it by hand"),
            }
        });
    }

    /// The panel of `ask`'s track in its server, as the settings are now.
    async fn panel(
        &self,
        setup: &Setup,
        rest: &Rest,
        ask: &SetupAsk,
        outcome: Option<Outcome>,
    ) -> Panel {
        let current = setup.current();
        let row = current.settings.get(ask.server, &ask.track);
        let operator_channels = self.operator_channels(rest, ask.server).await;
        Panel {
            track: ask.track.clone(),
            track_name: ask.track_name.clone(),
            channel: row.and_then(|r| {
                Some(ChosenChannel {
                    id: r.channel?,
                    way: way_of(r.mode),
                    off: r.channel_off.clone(),
                    operator_too: operator_channels.iter().any(|(c, _)| Some(*c) == r.channel),
                })
            }),
            role: row.and_then(|r| {
                Some(ChosenRole {
                    id: r.role?,
                    off: r.role_off.clone(),
                })
            }),
            operator_channels,
            operator_role: crate::config::follow_role(&self.operator_roles, ask.server, &ask.track),
            outcome,
            targets: current.settings.targets_in(ask.server),
            cap: setup.config().max_targets_per_server,
        }
    }

    /// The operator's targets in `server`, each channel's server asked of Discord once.
    async fn operator_channels(&self, rest: &Rest, server: u64) -> Vec<(u64, Way)> {
        let mut found = Vec::new();
        for target in &self.operator_targets {
            let known = self
                .channel_servers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&target.channel)
                .copied();
            let guild = match known {
                Some(guild) => guild,
                None => match rest.channel_details(target.channel).await {
                    Ok(details) => {
                        self.channel_servers
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(target.channel, details.guild);
                        details.guild
                    }
                    // Not known now; asked again next time.
                    Err(_) => None,
                },
            };
            if guild == Some(server) {
                found.push((target.channel, way_of(target.mode)));
            }
        }
        found
    }
}

/// A post Discord took although its answer could not be read is made all the same, and
/// has its id.
fn posted(sent: Result<u64, Failure>) -> Result<u64, Failure> {
    sent.or_else(|failure| failure.created_id().ok_or(failure))
}

/// What a test post made, to delete.
enum Made {
    Message(u64),
    Thread(u64),
    MessageAndThread(u64, u64),
}

fn no_channel_yet() -> Outcome {
    Outcome::Refused {
        what: "No test post was sent".to_string(),
        why: vec!["choose a channel for new rounds first".to_string()],
    }
}

/// Makes `edit` on the row of `ask`'s server and track, as stored now, stamped with who
/// asked and when; the settings after it.
async fn change_row(
    setup: &Setup,
    ask: &SetupAsk,
    edit: impl FnOnce(&mut ServerSetting) + Send + 'static,
) -> Result<ServerSettings, SetupError> {
    let (server, track, user) = (ask.server, ask.track.clone(), ask.user);
    setup
        .change(move |s| {
            let row = s.entry(server, &track);
            edit(row);
            stamp(row, user);
        })
        .await
}

/// `role` made the row's follow role, switched on.
fn follow_with(role: u64) -> impl FnOnce(&mut ServerSetting) + Send + 'static {
    move |row| {
        row.role = Some(role);
        row.role_off = None;
    }
}

/// Records who changed a row, and when.
fn stamp(row: &mut ServerSetting, user: u64) {
    row.changed_by = user;
    row.changed_at_ms = crate::live::clock::unix_ms();
}

/// `done` when the change was saved; otherwise that nothing was, and why.
fn saved(result: Result<ServerSettings, crate::live::setup::SetupError>, done: String) -> Outcome {
    match result {
        Ok(_) => Outcome::Done(done),
        Err(error) => {
            error!(%error, "a /setup choice could not be saved");
            Outcome::Refused {
                what: "Nothing was saved".to_string(),
                why: vec![
                    "briefbot could not save the setting just now; try again in a minute, and if it keeps failing, tell briefbot's operator".to_string(),
                ],
            }
        }
    }
}

/// The mode a channel of Discord type `kind` takes (forum → a post; announcement or text →
/// a message, with a thread under it when chosen), and how the admin is told of it.
pub(crate) fn mode_for(kind: u8, threads: bool) -> Option<(AnnounceMode, Way)> {
    match (kind, threads) {
        (15 | 16, _) => Some((AnnounceMode::Forum, Way::Forum)),
        (0 | 5, true) => Some((AnnounceMode::Thread, Way::Thread)),
        (5, false) => Some((AnnounceMode::Message, Way::Crosspost)),
        (0, false) => Some((AnnounceMode::Message, Way::Message)),
        _ => None,
    }
}

fn way_of(mode: AnnounceMode) -> Way {
    match mode {
        AnnounceMode::Message => Way::Message,
        AnnounceMode::Thread => Way::Thread,
        AnnounceMode::Forum => Way::Forum,
    }
}

/// How announcing in `mode` posts, as far as the permissions it needs go.
pub(crate) fn posting_of(mode: AnnounceMode) -> Posting {
    match mode {
        AnnounceMode::Message => Posting::Message,
        AnnounceMode::Thread => Posting::Thread,
        AnnounceMode::Forum => Posting::Forum,
    }
}

/// What Discord's answer about a channel means for the admin.
fn channel_unreadable(failure: &Failure) -> String {
    if failure.is_channel_gone() || failure.is_missing_permissions() || failure.is_missing_access()
    {
        "briefbot cannot see that channel: give briefbot's role View Channel there (the channel's settings → Permissions)".to_string()
    } else {
        format!("Discord did not say what that channel is ({failure}); try again in a minute")
    }
}

/// The permissions briefbot lacks in `channel` to announce there as `posting`, in words with
/// the fix; none when it has them all.
fn missing(facts: &Facts, channel: &ChannelDetails, posting: Posting) -> Option<String> {
    let has = facts
        .server
        .channel_permissions(&facts.bot, &channel.overwrites);
    let lacking = permissions::needed(posting) - has;
    if lacking.is_empty() {
        return None;
    }
    let base = facts.server.base_permissions(&facts.bot);
    let by_overwrite = base.contains(lacking);
    let whose = if by_overwrite {
        format!(
            "<#{}>'s own permissions deny it: in the channel's settings → Permissions, allow them for briefbot's role",
            channel.id
        )
    } else {
        "give them to briefbot's role in Server Settings → Roles, or in the channel's settings → Permissions".to_string()
    };
    Some(format!(
        "briefbot lacks {} in <#{}>; {whose}",
        permissions::listed(lacking),
        channel.id
    ))
}

/// A warning when announcements in `channel` would show `role` without notifying its
/// members: Discord notifies a role only when it is mentionable or the sender may mention
/// every role there. Empty when they will be notified.
fn ping_note(facts: &Facts, role: Option<u64>, channel: &ChannelDetails) -> String {
    let Some(role) = role else {
        return String::new();
    };
    let mentionable = facts.server.role(role).is_some_and(|r| r.mentionable);
    let may_mention_all = facts
        .server
        .channel_permissions(&facts.bot, &channel.overwrites)
        .contains(Permissions::MENTION_EVERYONE);
    if mentionable || may_mention_all {
        return String::new();
    }
    format!(
        " Discord will not notify <@&{role}>'s members yet: in Server Settings → Roles → the role, turn on \"Allow anyone to @mention this role\" (or let briefbot \"Mention @everyone, @here and All Roles\" in <#{}>).",
        channel.id
    )
}

/// Threads under each announcement, or not, in the chosen channel.
async fn threads(setup: &Setup, rest: &Rest, ask: &SetupAsk, facts: &Facts, on: bool) -> Outcome {
    let current = setup.current();
    let Some(channel) = current
        .settings
        .get(ask.server, &ask.track)
        .and_then(|r| r.live_channel())
    else {
        return no_channel_yet();
    };
    let details = match rest.channel_details(channel).await {
        Ok(details) => details,
        Err(failure) => {
            return Outcome::Refused {
                what: "Threads were not changed".to_string(),
                why: vec![channel_unreadable(&failure)],
            };
        }
    };
    let Some((mode, way)) = mode_for(details.kind, on) else {
        return Outcome::Refused {
            what: "Threads were not changed".to_string(),
            why: vec!["that channel takes no threads".to_string()],
        };
    };
    if mode == AnnounceMode::Forum {
        return Outcome::Refused {
            what: "Threads were not changed".to_string(),
            why: vec!["every post in a forum is a thread already".to_string()],
        };
    }
    if let Some(why) = missing(facts, &details, posting_of(mode)) {
        return Outcome::Refused {
            what: "Threads were not turned on".to_string(),
            why: vec![why],
        };
    }
    let (server, track, user) = (ask.server, ask.track.clone(), ask.user);
    // The channel's way, for every track this server announces there.
    saved(
        setup
            .change(move |s| {
                stamp(s.entry(server, &track), user);
                s.set_mode(server, channel, mode);
            })
            .await,
        format!("New rounds will go to <#{channel}> {}.", way.words()),
    )
}

/// A role chosen to follow the track: saved only when it is safe to hand out.
async fn choose_role(
    setup: &Setup,
    rest: &Rest,
    ask: &SetupAsk,
    facts: &Facts,
    role: u64,
) -> Outcome {
    let refused = |why: Vec<String>| Outcome::Refused {
        what: format!("<@&{role}> was not made the follow role"),
        why,
    };
    let mut why = facts
        .server
        .unsafe_follow_role(role, &facts.bot, Some(&facts.admin));
    if why.is_empty() {
        match opened_channels(rest, ask.server, role).await {
            Ok(opened) => why.extend(opened.iter().map(|channel| format!(
                "<@&{role}> is let into <#{channel}> by that channel's permissions, and anyone may take a follow role; choose a role of its own, or create one"
            ))),
            Err(failure) => why.push(format!(
                "briefbot could not read this server's channels from Discord ({failure}) to make sure the role opens none; try again in a minute"
            )),
        }
    }
    if !why.is_empty() {
        info!(
            server = ask.server,
            role, "a follow role was refused in /setup"
        );
        return refused(why);
    }
    let done = change_row(setup, ask, follow_with(role)).await;
    let note = match done
        .as_ref()
        .ok()
        .and_then(|s| s.get(ask.server, &ask.track))
        .and_then(|r| r.live_channel())
    {
        Some(channel) => match rest.channel_details(channel).await {
            Ok(details) => ping_note(facts, Some(role), &details),
            Err(_) => String::new(),
        },
        None => String::new(),
    };
    saved(
        done,
        format!(
            "<@&{role}> is the follow role of {}: members take it with /follow, and each announcement here pings it.{note}",
            ask.track_name
        ),
    )
}

/// The channels of `server` whose overwrites let `role` in.
async fn opened_channels(rest: &Rest, server: u64, role: u64) -> Result<Vec<u64>, Failure> {
    let channels: Vec<(u64, Vec<permissions::Overwrite>)> = rest
        .server_channels(server)
        .await?
        .into_iter()
        .map(|c| (c.id, c.overwrites))
        .collect();
    Ok(permissions::opened_by(role, &channels))
}

/// A role for the track's followers, made (or found, when an earlier attempt made it), with
/// no permissions and placed just below briefbot's own role.
async fn create_role(setup: &Setup, rest: &Rest, ask: &SetupAsk, facts: &Facts) -> Outcome {
    let refused = |why: String| Outcome::Refused {
        what: "No follow role was created".to_string(),
        why: vec![why],
    };
    if !facts
        .server
        .base_permissions(&facts.admin)
        .contains(Permissions::MANAGE_ROLES)
    {
        return refused("you need the Manage Roles permission to create roles".to_string());
    }
    if !facts
        .server
        .base_permissions(&facts.bot)
        .contains(Permissions::MANAGE_ROLES)
    {
        return refused("briefbot lacks the Manage Roles permission; grant it to briefbot's role in Server Settings → Roles".to_string());
    }
    let name: String = ask.track_name.chars().take(100).collect();
    let bot_top = facts.server.highest_position(&facts.bot);
    // A role of the track's name that is safe to hand out and opens no channel is taken as
    // the one an earlier press made (its answer lost), rather than a second being made.
    let opened: Vec<(u64, Vec<permissions::Overwrite>)> = match rest
        .server_channels(ask.server)
        .await
    {
        Ok(channels) => channels.into_iter().map(|c| (c.id, c.overwrites)).collect(),
        Err(failure) => {
            return refused(format!(
                "briefbot could not read this server's channels from Discord ({failure}); try again in a minute"
            ));
        }
    };
    let ours = |server: &Server| {
        server
            .roles
            .iter()
            .find(|r| {
                r.name == name
                    && r.position < bot_top
                    && server.unsafe_follow_role(r.id, &facts.bot, None).is_empty()
                    && permissions::opened_by(r.id, &opened).is_empty()
            })
            .map(|r| r.id)
    };
    let role = match ours(&facts.server) {
        Some(role) => role,
        None => match rest.create_role(ask.server, &name).await {
            Ok(role) => role,
            Err(failure) if failure.may_have_happened() => {
                // The role may be there: looked for by name before anything else is tried.
                match rest.server(ask.server).await.ok().as_ref().and_then(ours) {
                    Some(role) => role,
                    None => {
                        return refused(format!(
                            "Discord did not confirm the new role ({failure}); press the button again: briefbot uses the role if it was made"
                        ));
                    }
                }
            }
            Err(failure) if failure.is_missing_permissions() => {
                return refused(
                    "Discord refused: briefbot lacks the Manage Roles permission".to_string(),
                );
            }
            Err(failure) => return refused(format!("Discord refused it: {failure}")),
        },
    };
    // Just below briefbot's own role; a server where that fails keeps the role where Discord
    // put it, which is below briefbot's too.
    if bot_top > 1
        && let Err(failure) = rest.move_role(ask.server, role, bot_top - 1).await
    {
        warn!(server = ask.server, role, %failure, "could not place the new follow role just below briefbot's");
    }
    saved(
        change_row(setup, ask, follow_with(role)).await,
        format!(
            "Created <@&{role}>, with no permissions, just below briefbot's role: members take it with /follow, and each announcement here pings it."
        ),
    )
}

/// Whether a follow role `/follow` is about to give is still safe to hand out.
pub(crate) enum AtFollow {
    Safe,
    /// The server no longer has it.
    Gone,
    /// It gained permissions, or was moved above briefbot's role, since it was chosen: why.
    Unsafe(Vec<String>),
}

/// Checks a follow role a server chose again, as `/follow` is about to give it.
pub(crate) async fn unsafe_at_follow(
    rest: &Rest,
    me: u64,
    server: u64,
    role: u64,
) -> Result<AtFollow, Failure> {
    let facts = rest.server(server).await?;
    if facts.role(role).is_none() {
        return Ok(AtFollow::Gone);
    }
    let bot = rest.member(server, me).await?;
    let why = facts.unsafe_follow_role(role, &bot, None);
    Ok(if why.is_empty() {
        AtFollow::Safe
    } else {
        AtFollow::Unsafe(why)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_kind_decides_the_mode() {
        assert_eq!(mode_for(15, true), Some((AnnounceMode::Forum, Way::Forum)));
        assert_eq!(
            mode_for(5, false),
            Some((AnnounceMode::Message, Way::Crosspost))
        );
        assert_eq!(mode_for(0, true), Some((AnnounceMode::Thread, Way::Thread)));
        assert_eq!(mode_for(2, false), None);
    }
}
