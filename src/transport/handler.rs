//! The one way in: every interaction, from the gateway or over HTTP, is answered here. The
//! handler carries out the actions (`/reload`, and giving or taking a follow role through the
//! REST client), owns the panic guard and every fallback reply; the transports only read
//! interactions in and send the bytes out.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, Span, error, info, warn};

use super::interaction::{Interaction, Kind, redact};
use super::served::Outcome as Served;
use super::setup::{AtFollow, ServerSetup, SetupState, unsafe_at_follow};
use crate::commands::setup::{self as panel, SetupAsk};
use crate::commands::{self, Action, Answer, Command, Origin, Request, RoleChange, notices};
use crate::config::{AnnounceTarget, FollowRole};
use crate::library::Library;
use crate::live::{Outcome, Reloader, Trigger};
use crate::permissions::Member;
use crate::reply::Reply;
use crate::rest::{Failure, Rest};

/// The body of the answer to Discord's PING.
const PONG: &[u8] = br#"{"type":1}"#;

/// How long `/reload` waits for the load before answering that it is still going: Discord
/// drops an interaction not answered within 3 s, and sending the answer takes time too.
const RELOAD_ANSWER_WITHIN: Duration = Duration::from_millis(1500);

/// How long a follow waits for Discord to change the role before answering that it is on
/// its way (a deferred answer, edited with the outcome): the same margin as `/reload`'s.
const FOLLOW_ANSWER_WITHIN: Duration = Duration::from_millis(1500);

/// How long after deferring the outcome waits at least before it edits the deferred answer:
/// the deferral is sent after the handler returns, and an edit that overtook it would find
/// no answer to edit.
const EDIT_NOT_BEFORE: Duration = Duration::from_secs(1);

/// The answer "briefbot is thinking", seen only by the member who asked (type 5, ephemeral).
const DEFERRED_PRIVATELY: &[u8] = br#"{"type":5,"data":{"flags":64}}"#;

/// The answer to a component whose message is edited later (type 6): the panel stays as it
/// is until the step is done.
const DEFERRED_UPDATE: &[u8] = br#"{"type":6}"#;

/// How long a `/setup` step waits for Discord before answering "thinking…": the same margin
/// as a follow's.
const SETUP_ANSWER_WITHIN: Duration = Duration::from_millis(1500);

/// Answers interactions from the snapshot the reloader serves.
pub struct Handler {
    reloader: Arc<Reloader>,
    cache: ReplyCache,
    roles: FollowRoles,
    /// Servers' own settings (`/setup`).
    setup: Arc<ServerSetup>,
    /// Answers still to be edited after a deferral, waited for when briefbot stops.
    later: TaskTracker,
}

/// What following needs beyond the core: every server's follow roles (`[[follow]]`), and the
/// REST client that gives and takes them, which `briefbot serve` without a token lacks.
#[derive(Default)]
struct FollowRoles {
    table: Vec<FollowRole>,
    rest: Option<Rest>,
}

impl Handler {
    pub fn new(reloader: Arc<Reloader>) -> Handler {
        Handler {
            reloader,
            cache: ReplyCache::default(),
            roles: FollowRoles::default(),
            setup: Arc::new(ServerSetup::default()),
            later: TaskTracker::new(),
        }
    }

    /// The same handler, letting servers set themselves up (`state`), with the operator's own
    /// targets shown read-only in `/setup`. Call after `with_follow_roles`.
    pub fn with_setup(mut self, state: SetupState, targets: Vec<AnnounceTarget>) -> Handler {
        self.setup = Arc::new(ServerSetup::new(state, targets, self.roles.table.clone()));
        self
    }

    /// The same handler, with the follow roles of `[[follow]]` given and taken through `rest`
    /// (`None`: briefbot runs without its token, and says so to a member who asks to follow).
    pub fn with_follow_roles(mut self, table: Vec<FollowRole>, rest: Option<Rest>) -> Handler {
        self.roles = FollowRoles { table, rest };
        self
    }

    /// Whether servers may set themselves up here (`/setup` on), so what goes away in a
    /// server matters.
    pub(crate) fn sets_up_servers(&self) -> bool {
        self.setup.settings().is_some()
    }

    /// A channel was deleted: switched off where a server chose it.
    pub(crate) async fn channel_gone(&self, channel: u64) {
        if let Some(setup) = self.setup.settings()
            && let Err(error) = setup.channel_gone(channel).await
        {
            error!(%error, channel, "cannot switch off a deleted channel");
        }
    }

    /// briefbot was removed from a server: what the server chose is switched off.
    pub(crate) async fn server_gone(&self, server: u64) {
        if let Some(setup) = self.setup.settings()
            && let Err(error) = setup.server_gone(server).await
        {
            error!(%error, server, "cannot switch off the settings of a server briefbot left");
        }
    }

    /// A role was deleted: switched off where a server chose it as a follow role.
    pub(crate) async fn role_gone(&self, server: u64, role: u64) {
        if let Some(setup) = self.setup.settings()
            && let Err(error) = setup.role_gone(server, role).await
        {
            error!(%error, server, role, "cannot switch off a deleted follow role");
        }
    }

    pub(crate) fn reloader(&self) -> &Arc<Reloader> {
        &self.reloader
    }

    /// Waits up to `within` for the answers still to be edited after a deferral (a slow role
    /// change), so a stop does not leave a member with "thinking…"; says whether all were.
    pub async fn finish(&self, within: Duration) -> bool {
        self.setup.finish(within).await;
        self.later.close();
        let finished = tokio::time::timeout(within, self.later.wait())
            .await
            .is_ok();
        if !finished {
            warn!("some deferred answers were still to be edited at the stop");
        }
        finished
    }

    /// The JSON body of the interaction response, and what it is (an answer, a deferral, an
    /// apology). Never panics and never fails: a bug in the core is logged and answered with
    /// an apology of the kind Discord accepts there.
    pub(crate) async fn answer(&self, interaction: &Interaction) -> (Bytes, Served) {
        let autocomplete = interaction.kind.is_autocomplete();
        let request = match &interaction.kind {
            Kind::Ping => return (Bytes::from_static(PONG), Served::Answered),
            Kind::Request(request) => request,
            Kind::Malformed { error, .. } => {
                warn!(%error, "a request briefbot does not understand; are the registered commands out of date?");
                let reply = if autocomplete {
                    commands::no_choices()
                } else {
                    commands::bad_request(error)
                };
                return guarded(autocomplete, || reply);
            }
            Kind::Unreadable { why, .. } => {
                error!(interaction = interaction.id, error = %why, "an interaction briefbot could not read");
                return (apology(autocomplete), Served::Apology);
            }
            Kind::Unsupported => return guarded(false, commands::unsupported),
        };
        let library = self.reloader.current();
        let origin = self.origin(interaction);
        let followable = origin.followable();
        if let Some(cached) = self.cache.get(&library, &followable, request) {
            return (cached, Served::Answered);
        }
        let answer = catch_unwind(AssertUnwindSafe(|| {
            commands::answer(&library, request, &origin)
        }));
        match answer {
            Ok(Answer::Reply(reply)) => {
                let (json, served) = guarded(autocomplete, || reply);
                if served == Served::Answered && cacheable(request) {
                    self.cache
                        .put(&library, followable, request.clone(), json.clone());
                }
                (json, served)
            }
            Ok(Answer::Do(Action::Reload)) => self.reload(interaction).await,
            Ok(Answer::Do(Action::Follow(change))) => self.follow(interaction, change).await,
            Ok(Answer::Do(Action::Setup(ask))) => self.server_setup(interaction, ask).await,
            Err(_) => {
                error!("the command core panicked; answered with an apology");
                (apology(autocomplete), Served::Apology)
            }
        }
    }

    /// `/reload`: the permission checked again (a server can show the command to anyone it
    /// likes), the folder loaded, the outcome worded. A reload longer than Discord waits for
    /// an answer goes on, and the answer says so. Never cached: it is an action.
    async fn reload(&self, interaction: &Interaction) -> (Bytes, Served) {
        if !interaction.may_manage() {
            warn!("/reload refused: the member may not manage the server");
            return guarded(false, notices::reload_not_allowed);
        }
        let reloader = self.reloader.clone();
        let reload = tokio::spawn(async move { reloader.reload(Trigger::Command).await });
        let outcome = tokio::time::timeout(RELOAD_ANSWER_WITHIN, reload).await;
        let crashed = matches!(outcome, Ok(Err(_)));
        let (json, served) = guarded(false, || match outcome {
            Ok(Ok(Outcome::Loaded { library, added })) => notices::reloaded(&library, &added),
            Ok(Ok(Outcome::Failed { failure, serving })) => {
                notices::reload_failed(&failure, &serving)
            }
            Ok(Err(_)) => commands::something_went_wrong(),
            Err(_) => notices::reload_slow(),
        });
        (json, if crashed { Served::Apology } else { served })
    }

    /// Where an interaction came from, for the core: its server's follow roles (the
    /// operator's, then those the server chose for other tracks), the member and their roles.
    fn origin(&self, interaction: &Interaction) -> Origin {
        let follow_roles = match interaction.guild {
            Some(server) => {
                let mut roles: Vec<(String, u64)> = self
                    .roles
                    .table
                    .iter()
                    .filter(|f| f.server == server)
                    .map(|f| (f.track.clone(), f.role))
                    .collect();
                if let Some(setup) = self.setup.settings() {
                    let current = setup.current();
                    roles.extend(
                        current
                            .in_force
                            .follow_roles_beside(&self.roles.table)
                            .into_iter()
                            .filter(|f| f.server == server)
                            .map(|f| (f.track, f.role)),
                    );
                }
                roles
            }
            None => Vec::new(),
        };
        Origin {
            server: interaction.guild,
            user: interaction.user,
            roles: interaction.roles.clone(),
            follow_roles,
        }
    }

    /// Whether `role` is the one a server chose with `/setup` (not the operator's): such a
    /// role is checked again at every follow, and switched off when Discord says it is gone.
    fn chosen_by_server(&self, change: &RoleChange) -> bool {
        !self
            .roles
            .table
            .iter()
            .any(|f| f.server == change.server && f.track == change.track)
    }

    /// A step of `/setup`: refused for a member who may not manage the server (a server can
    /// show the command to anyone it likes), or where set-up is off; otherwise carried out
    /// against Discord and answered with the panel, "thinking…" first when Discord is slow.
    async fn server_setup(&self, interaction: &Interaction, ask: SetupAsk) -> (Bytes, Served) {
        let update = !matches!(interaction.kind, Kind::Request(Request::Command(_)));
        if !interaction.may_manage() {
            warn!("/setup refused: the member may not manage the server");
            return guarded(false, || {
                Reply::notice("Only members who can manage this server may use /setup.")
            });
        }
        let setup = match &self.setup.state {
            SetupState::Unconfigured => {
                return guarded(false, || {
                    Reply::notice(
                        "Server set-up is not turned on for this briefbot: its operator chooses where new rounds are announced.",
                    )
                });
            }
            SetupState::Off(why) => {
                let why = why.clone();
                return guarded(false, move || {
                    Reply::notice(format!(
                        "Server set-up is off in this briefbot ({why}). Its operator can turn it on."
                    ))
                });
            }
            SetupState::On(setup) => setup.clone(),
        };
        if !setup.config().allows(ask.server) {
            return guarded(false, || {
                Reply::notice(
                    "briefbot's operator has not opened set-up for this server. Ask them to add it to [setup] servers.",
                )
            });
        }
        let Some(rest) = self.roles.rest.clone() else {
            return guarded(false, || {
                Reply::notice(
                    "briefbot runs without its bot token here, so it cannot check or post anything in this server; tell its operator.",
                )
            });
        };
        let admin = Member {
            id: interaction.user.unwrap_or_default(),
            roles: interaction.roles.clone(),
        };
        let server_setup = self.setup.clone();
        let mut work = tokio::spawn({
            let rest = rest.clone();
            async move { server_setup.carry_out(&setup, &rest, &ask, admin).await }
        });
        match tokio::time::timeout(SETUP_ANSWER_WITHIN, &mut work).await {
            Ok(Ok(found)) => guarded(false, || panel::panel(&found, update)),
            Ok(Err(_)) => {
                error!("a /setup step did not finish");
                (apology(false), Served::Apology)
            }
            Err(_) => {
                self.edit_later(interaction, rest, "/setup", async move {
                    match work.await {
                        Ok(found) => panel::panel(&found, true),
                        Err(_) => commands::something_went_wrong(),
                    }
                });
                let deferral: &'static [u8] = if update {
                    DEFERRED_UPDATE
                } else {
                    DEFERRED_PRIVATELY
                };
                (Bytes::from_static(deferral), Served::Deferred)
            }
        }
    }

    /// Edits the answer of `interaction`, deferred now, with the reply `reply` comes to: not
    /// before the deferral can have reached Discord, in the interaction's span (its lines
    /// carry its id), and waited for when briefbot stops. `what` names it in the logs.
    fn edit_later(
        &self,
        interaction: &Interaction,
        rest: Rest,
        what: &'static str,
        reply: impl std::future::Future<Output = Reply> + Send + 'static,
    ) {
        let deferred_at = tokio::time::Instant::now();
        let token = interaction.token.clone();
        let application = interaction.application;
        let edit = async move {
            let reply = reply.await;
            tokio::time::sleep_until(deferred_at + EDIT_NOT_BEFORE).await;
            match rest
                .edit_answer(application, &token, edit_body(&reply))
                .await
            {
                Ok(()) => info!("the deferred answer to {what} was edited"),
                Err(error) => error!(
                    error = %redact(&error, &token),
                    "could not edit the deferred answer to {what}"
                ),
            }
        };
        self.later.spawn(edit.instrument(Span::current()));
    }

    /// `/follow` or a Follow button: the role given or taken through the REST client, and the
    /// outcome worded privately. A role change Discord is slow with is answered "thinking…"
    /// (deferred) in time, and the answer is edited with the outcome once it is known.
    async fn follow(&self, interaction: &Interaction, change: RoleChange) -> (Bytes, Served) {
        let Some(rest) = self.roles.rest.clone() else {
            warn!(
                server = change.server,
                "a member asked to follow a track, but briefbot runs without its bot token and cannot change roles"
            );
            return guarded(false, notices::follow_unavailable);
        };
        if interaction.may_manage_roles() == Some(false) {
            warn!(
                server = change.server,
                "cannot give or take follow roles: briefbot lacks the Manage Roles permission in this server"
            );
            return guarded(false, notices::follow_needs_manage_roles);
        }
        // A role a server chose with /setup is checked again first: an admin may have given it
        // permissions, or moved it, since; one Discord says is gone is switched off.
        let check = self.chosen_by_server(&change).then(|| self.setup.clone());
        let mut call = tokio::spawn(checked_change_role(rest.clone(), change.clone(), check));
        match tokio::time::timeout(FOLLOW_ANSWER_WITHIN, &mut call).await {
            Ok(done) => guarded(false, || follow_outcome(&change, done)),
            Err(_) => {
                self.edit_later(interaction, rest, "a follow", async move {
                    follow_outcome(&change, call.await)
                });
                (Bytes::from_static(DEFERRED_PRIVATELY), Served::Deferred)
            }
        }
    }
}

/// Why a role change failed.
#[derive(Debug, thiserror::Error)]
enum RoleError {
    /// Discord refused for a missing permission although briefbot may manage roles: the
    /// role is above briefbot's highest role.
    #[error("Discord refused to change role {role}: it is above briefbot's highest role")]
    AboveBot { role: u64 },
    #[error("could not change the role: {0}")]
    Discord(Failure),
    /// A role a server chose is not safe to hand out any more: why.
    #[error("the follow role is not safe to hand out: {}", .0.join("; "))]
    Unsafe(Vec<String>),
    /// A role a server chose no longer exists (switched off).
    #[error("the follow role was deleted")]
    Gone,
}

/// `change_role`, after checking that a role a server chose (`check`) is still there and
/// still safe to hand out: no permissions, not managed, below briefbot's highest role.
async fn checked_change_role(
    rest: Rest,
    change: RoleChange,
    check: Option<Arc<ServerSetup>>,
) -> Result<(), RoleError> {
    let Some(setup) = check else {
        return change_role(rest, change).await;
    };
    // Giving is checked; taking away never is, so a member can always leave a role that
    // became unsafe since.
    if change.join {
        let me = setup.me(&rest).await.map_err(RoleError::Discord)?;
        match unsafe_at_follow(&rest, me, change.server, change.role).await {
            Ok(AtFollow::Safe) => {}
            Ok(AtFollow::Gone) => return Err(gone(&setup, &change).await),
            Ok(AtFollow::Unsafe(why)) => return Err(RoleError::Unsafe(why)),
            Err(failure) => return Err(RoleError::Discord(failure)),
        }
    }
    match change_role(rest, change.clone()).await {
        Err(RoleError::Discord(failure)) if failure.is_role_gone() => {
            Err(gone(&setup, &change).await)
        }
        other => other,
    }
}

/// A role a server chose that Discord no longer has: switched off where it was chosen.
async fn gone(setup: &ServerSetup, change: &RoleChange) -> RoleError {
    if let Some(settings) = setup.settings()
        && let Err(error) = settings.role_gone(change.server, change.role).await
    {
        error!(%error, "cannot switch off a deleted follow role");
    }
    RoleError::Gone
}

/// How many times a role change is sent when Discord gives no clear answer or asks to wait:
/// giving a role twice, or taking it twice, is the same as once.
const ROLE_ATTEMPTS: usize = 3;

/// The longest wait for a rate limit before a role change is given up: the member is
/// waiting for the answer.
const ROLE_WAIT_MAX: Duration = Duration::from_secs(5);

/// Gives or takes the role, with a reason for the server's audit log. The change is
/// idempotent, so one without a clear answer (a timeout, a 5xx) or rate limited is sent
/// again, a few times at most.
async fn change_role(rest: Rest, change: RoleChange) -> Result<(), RoleError> {
    let reason = if change.join {
        format!(
            "asked to follow {} (follow button or /follow)",
            change.track
        )
    } else {
        format!(
            "asked to unfollow {} (follow button or /follow)",
            change.track
        )
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let changed = rest
            .change_role(
                change.server,
                change.user,
                change.role,
                change.join,
                &reason,
            )
            .await;
        let failure = match changed {
            Ok(()) => return Ok(()),
            Err(failure) => failure,
        };
        match failure {
            // Discord took it; only its answer is not what serenity expects.
            Failure::Unreadable { .. } => return Ok(()),
            Failure::Refused { .. } if failure.is_missing_permissions() => {
                return Err(RoleError::AboveBot { role: change.role });
            }
            Failure::RateLimited { retry_after }
                if attempt < ROLE_ATTEMPTS && retry_after <= ROLE_WAIT_MAX =>
            {
                tokio::time::sleep(retry_after).await;
            }
            Failure::Unknown { .. } if attempt < ROLE_ATTEMPTS => {
                info!(server = change.server, role = change.role, %failure, attempt, "the role change had no clear answer; sending it again (giving a role twice changes nothing)");
            }
            failure => return Err(RoleError::Discord(failure)),
        }
    }
}

/// The private answer to a role change's outcome, with one log line for a failure.
fn follow_outcome(
    change: &RoleChange,
    done: Result<Result<(), RoleError>, tokio::task::JoinError>,
) -> Reply {
    match done {
        Ok(Ok(())) if change.join => notices::followed(&change.track_name),
        Ok(Ok(())) => notices::unfollowed(&change.track_name),
        Ok(Err(RoleError::AboveBot { role })) => {
            warn!(
                server = change.server,
                role,
                "cannot give or take a follow role: it is above briefbot's highest role; move it below briefbot's role"
            );
            notices::follow_role_above_bot(role)
        }
        Ok(Err(RoleError::Unsafe(why))) => {
            warn!(server = change.server, role = change.role, why = %why.join("; "), "a follow role a server chose is not safe to hand out; not given");
            Reply::notice(format!(
                "This server's follow role for {} cannot be handed out as it is: {}. A server admin can fix it, or choose another role, with /setup.",
                change.track_name,
                why.join("; ")
            ))
        }
        Ok(Err(RoleError::Gone)) => Reply::notice(format!(
            "This server's follow role for {} was deleted. A server admin can choose or create another with /setup.",
            change.track_name
        )),
        Ok(Err(error)) => {
            warn!(server = change.server, role = change.role, %error, "a follow role change failed");
            notices::follow_failed()
        }
        Err(error) => {
            error!(%error, "the follow role change did not finish");
            notices::follow_failed()
        }
    }
}

/// The message of `reply` as an edit sends it: the response's `data`, without the flags an
/// edit may not change.
fn edit_body(reply: &Reply) -> Vec<u8> {
    let mut json = reply.fit().to_json();
    let mut data = json["data"].take();
    if let Some(fields) = data.as_object_mut() {
        fields.remove("flags");
    }
    serde_json::to_vec(&data).unwrap_or_default()
}

/// The apology for a failure on briefbot's side, as the JSON body Discord accepts there.
pub(crate) fn apology(autocomplete: bool) -> Bytes {
    Bytes::from(commands::apology(autocomplete).fit().to_json_bytes())
}

/// A reply fitted and serialised, with a bug anywhere in that answered by the apology.
fn guarded(autocomplete: bool, reply: impl FnOnce() -> Reply) -> (Bytes, Served) {
    match catch_unwind(AssertUnwindSafe(|| reply().fit().to_json_bytes())) {
        Ok(json) => (Bytes::from(json), Served::Answered),
        Err(_) => {
            error!("building the reply panicked; answered with an apology");
            (apology(autocomplete), Served::Apology)
        }
    }
}

/// Replies already rendered from the current snapshot. The core is a pure function of the
/// snapshot and the request, so the same request gets the same bytes until a reload swaps
/// the snapshot, which empties the cache. Bounded: it is emptied when full.
#[derive(Default)]
struct ReplyCache {
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    /// The snapshot the replies were rendered from, kept alive so its address is not reused.
    snapshot: Option<Arc<Library>>,
    /// By the tracks that can be followed where the request was made (the Follow button on a
    /// card depends on them), then by request.
    replies: HashMap<Vec<String>, HashMap<Request, Bytes>>,
    entries: usize,
}

const CACHE_ENTRIES: usize = 4096;

/// The longest text a cached request may hold, in bytes (a search query within Discord's
/// bound, in any script, fits).
const CACHE_KEY_TEXT: usize = 4 * commands::views::search::MAX_QUERY_CHARS;

/// Whether a reply is worth keeping: not "Brief me", whose key is a whole message that is
/// seldom asked about twice, nor a search whose query is longer than Discord lets anyone
/// type; either would let 4096 entries hold megabytes. Nor a follow, whose answer depends on
/// the member and the server.
fn cacheable(request: &Request) -> bool {
    if commands::is_follow(request) || commands::is_setup(request) {
        return false;
    }
    match request {
        Request::Command(Command::BriefMe { .. }) => false,
        Request::Command(Command::Search { query, .. }) => query.len() <= CACHE_KEY_TEXT,
        _ => true,
    }
}

impl CacheInner {
    fn is_of(&self, library: &Arc<Library>) -> bool {
        self.snapshot
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, library))
    }
}

impl ReplyCache {
    fn get(
        &self,
        library: &Arc<Library>,
        followable: &[String],
        request: &Request,
    ) -> Option<Bytes> {
        let inner = self.inner.lock().ok()?;
        if inner.is_of(library) {
            inner.replies.get(followable)?.get(request).cloned()
        } else {
            None
        }
    }

    fn put(&self, library: &Arc<Library>, followable: Vec<String>, request: Request, reply: Bytes) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if !inner.is_of(library) || inner.entries >= CACHE_ENTRIES {
            inner.replies.clear();
            inner.entries = 0;
            inner.snapshot = Some(library.clone());
        }
        let replies = inner.replies.entry(followable).or_default();
        let added = replies.insert(request, reply).is_none();
        inner.entries += usize::from(added);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_to_whole_messages_and_overlong_queries_are_not_kept() {
        let search = |query: String| Request::Command(Command::Search { query, track: None });
        assert!(cacheable(&Request::Command(Command::Latest {
            track: None
        })));
        assert!(cacheable(&Request::press("search::2")));
        assert!(cacheable(&search("economic zone".into())));
        assert!(cacheable(&search(
            "é".repeat(commands::views::search::MAX_QUERY_CHARS)
        )));
        assert!(!cacheable(&search("zone ".repeat(1000))));
        assert!(!cacheable(&Request::Command(Command::BriefMe {
            text: "Talks resume in Paris".into()
        })));
        assert!(!cacheable(&Request::Command(Command::Follow {
            track: None
        })));
        assert!(!cacheable(&Request::press("follow:syria-israel")));
    }
}
