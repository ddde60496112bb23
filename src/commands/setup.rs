//! `/setup`: a server's admins choose, one track at a time, where its new rounds go in their
//! server and which role they ping. The core reads the request and draws the private panel;
//! checking each choice against Discord and saving it is the handler's (an `Action`), which
//! hands back what it found as a `Panel` to draw. Every component keeps its state in its
//! `custom_id` (`setup:<track>:<what>`), so a choice is answered by any instance, any time.

use super::lookup::find_track;
use super::{Action, Answer, Origin};
use crate::library::Library;
use crate::reply::{Button, Embed, Menu, Message, Picks, Reply};

/// Discord's channel types a new round can go to: text, announcement, forum.
pub const CHANNEL_TYPES: [u8; 3] = [0, 5, 15];

/// What an admin did in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `/setup`: the panel as it is.
    Show,
    /// A channel chosen for new rounds.
    Channel(u64),
    /// A role chosen to follow the track.
    Role(u64),
    /// "Create a follow role".
    CreateRole,
    /// In a text or announcement channel: a thread under each announcement, or not.
    Thread(bool),
    /// "Send a test post".
    TestPost,
    /// "Stop announcing here".
    Stop,
    /// "No follow role".
    NoRole,
}

/// A `/setup` step for the handler to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupAsk {
    pub server: u64,
    pub user: u64,
    pub track: String,
    pub track_name: String,
    pub step: Step,
}

const PREFIX: &str = "setup";

/// The `custom_id` of `what` in the panel of `track`.
fn id(track: &str, what: &str) -> String {
    format!("{PREFIX}:{track}:{what}")
}

/// Reads a panel component's `custom_id` (with the values a menu sent): the track and step;
/// `None` for anything else.
pub(crate) fn parse(custom_id: &str, values: &[u64]) -> Option<(String, Step)> {
    let mut parts = custom_id.split(':');
    if parts.next()? != PREFIX {
        return None;
    }
    let track = parts.next()?.to_string();
    let step = match (parts.next()?, parts.next()) {
        ("channel", None) => Step::Channel(*values.first()?),
        ("role", None) => Step::Role(*values.first()?),
        ("newrole", None) => Step::CreateRole,
        ("thread", Some("on")) => Step::Thread(true),
        ("thread", Some("off")) => Step::Thread(false),
        ("test", None) => Step::TestPost,
        ("stop", None) => Step::Stop,
        ("norole", None) => Step::NoRole,
        _ => return None,
    };
    parts.next().is_none().then_some((track, step))
}

/// Whether a `custom_id` is the panel's.
pub(crate) fn is_panel(custom_id: &str) -> bool {
    custom_id
        .split(':')
        .next()
        .is_some_and(|prefix| prefix == PREFIX)
}

/// `/setup [track]` or a panel component: the step for the handler, or a private notice (a
/// DM, an unknown track).
pub(crate) fn setup(library: &Library, track: Option<&str>, step: Step, origin: &Origin) -> Answer {
    let (Some(server), Some(user)) = (origin.server, origin.user) else {
        return Answer::Reply(Reply::notice(
            "/setup sets up announcements in a server; use it there, as one of its admins.",
        ));
    };
    let wanted = track.map(|t| t.trim().to_lowercase());
    let track = match find_track(library, wanted.as_deref()) {
        Ok(track) => track.id.clone(),
        // A track the panel named may have no brief served right now; its id is enough.
        Err(_)
            if step != Step::Show && wanted.as_deref().is_some_and(crate::library::is_track_id) =>
        {
            wanted.unwrap_or_default()
        }
        Err(notice) => return Answer::Reply(notice),
    };
    Answer::Do(Action::Setup(SetupAsk {
        server,
        user,
        track_name: library.track_name(&track).to_string(),
        track,
        step,
    }))
}

/// How new rounds are announced in the chosen channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    Message,
    Thread,
    Forum,
    /// A message in an announcement channel, crossposted to the servers that follow it.
    Crosspost,
}

/// The channel a server chose for a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenChannel {
    pub id: u64,
    pub way: Way,
    /// Switched off by briefbot, and why.
    pub off: Option<String>,
    /// The operator's config announces in this same channel, and its entry is the one used.
    pub operator_too: bool,
}

/// The role a server chose for a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenRole {
    pub id: u64,
    pub off: Option<String>,
}

/// What the last step came to, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: what changed.
    Done(String),
    /// Not done: why, each reason with its fix.
    Refused { what: String, why: Vec<String> },
}

/// Everything the panel shows, as the handler found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub track: String,
    pub track_name: String,
    pub channel: Option<ChosenChannel>,
    pub role: Option<ChosenRole>,
    /// The operator's targets in this server (read-only): channel and how.
    pub operator_channels: Vec<(u64, Way)>,
    /// The operator's follow role of this track here, which wins over the server's.
    pub operator_role: Option<u64>,
    pub outcome: Option<Outcome>,
    /// How many tracks the server announces in its own channels, and the most allowed.
    pub targets: usize,
    pub cap: usize,
}

impl Way {
    /// How the admin is told of it: "as a message", "as a post in the forum".
    pub fn words(self) -> &'static str {
        match self {
            Way::Message => "as a message",
            Way::Thread => "as a message with a discussion thread under it",
            Way::Forum => "as a post in the forum",
            Way::Crosspost => {
                "as a message, crossposted to the servers that follow this announcement channel"
            }
        }
    }
}

/// The private panel: the server's settings for the track, what the operator set here, the
/// outcome of the last step, and the components to change them. A new message for `/setup`,
/// the same message updated for a component (`update`).
pub fn panel(panel: &Panel, update: bool) -> Reply {
    let message = Message {
        content: panel.outcome.as_ref().map(outcome_text),
        embeds: vec![Embed {
            title: format!("Announcements of {} in this server", panel.track_name),
            description: description(panel),
            footer: Some(format!(
                "This server announces {} of at most {} tracks in its own channels. Only admins see this panel.",
                panel.targets, panel.cap
            )),
            ..Embed::default()
        }],
        menus: menus(panel),
        rows: vec![buttons(panel)],
    };
    if update {
        Reply::Update(message)
    } else {
        Reply::Message {
            message,
            ephemeral: true,
        }
    }
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Done(what) => format!("✅ {what}"),
        Outcome::Refused { what, why } => {
            let mut text = format!("❌ {what}");
            for reason in why {
                text.push_str(&format!("\n• {reason}"));
            }
            text
        }
    }
}

fn description(panel: &Panel) -> String {
    let mut lines = Vec::new();
    lines.push(match &panel.channel {
        None => "**Channel:** none yet: choose one below, and new rounds are posted there.".to_string(),
        Some(ChosenChannel { id, off: Some(why), .. }) => format!(
            "**Channel:** <#{id}> is switched off: {why}. Choose a channel again below."
        ),
        Some(ChosenChannel {
            id,
            way,
            operator_too: true,
            ..
        }) => format!(
            "**Channel:** <#{id}> ({}). The operator's settings also name this channel, and theirs are the ones used there.",
            way.words()
        ),
        Some(ChosenChannel { id, way, .. }) => {
            format!("**Channel:** new rounds go to <#{id}>, {}.", way.words())
        }
    });
    lines.push(match (&panel.role, panel.operator_role) {
        (_, Some(role)) => format!(
            "**Follow role:** <@&{role}>, set by the operator; members take it with /follow, and each announcement pings it."
        ),
        (None, None) => "**Follow role:** none: announcements ping no one. Choose a role, or create one.".to_string(),
        (Some(ChosenRole { id, off: Some(why) }), None) => {
            format!("**Follow role:** <@&{id}> is switched off: {why}. Choose or create another.")
        }
        (Some(ChosenRole { id, .. }), None) => format!(
            "**Follow role:** <@&{id}>: members take it with /follow, and each announcement pings it."
        ),
    });
    if !panel.operator_channels.is_empty() {
        let listed: Vec<String> = panel
            .operator_channels
            .iter()
            .map(|(channel, way)| format!("<#{channel}> ({})", way.words()))
            .collect();
        lines.push(format!(
            "**Set by the operator** (every track, not changed here): {}.",
            listed.join(", ")
        ));
    }
    lines.join("\n\n")
}

fn menus(panel: &Panel) -> Vec<Menu> {
    vec![
        Menu {
            custom_id: id(&panel.track, "channel"),
            placeholder: "Choose the channel for new rounds".to_string(),
            picks: Picks::Channels(CHANNEL_TYPES.to_vec()),
            chosen: panel
                .channel
                .as_ref()
                .filter(|c| c.off.is_none())
                .map(|c| c.id),
        },
        Menu {
            custom_id: id(&panel.track, "role"),
            placeholder: "Choose the follow role".to_string(),
            picks: Picks::Roles,
            chosen: panel
                .role
                .as_ref()
                .filter(|r| r.off.is_none())
                .map(|r| r.id),
        },
    ]
}

fn buttons(panel: &Panel) -> Vec<Button> {
    let live_channel = panel.channel.as_ref().filter(|c| c.off.is_none());
    let threads = live_channel.map(|c| c.way);
    let thread_button = match threads {
        Some(Way::Thread) => Button::new("Threads: on", id(&panel.track, "thread:off")),
        Some(Way::Message | Way::Crosspost) => {
            Button::new("Threads: off", id(&panel.track, "thread:on"))
        }
        Some(Way::Forum) | None => {
            Button::new("Threads: off", id(&panel.track, "thread:on")).disabled(true)
        }
    };
    vec![
        Button::new("Create a follow role", id(&panel.track, "newrole")),
        thread_button,
        Button::new("Send a test post", id(&panel.track, "test")).disabled(live_channel.is_none()),
        Button::new("No follow role", id(&panel.track, "norole"))
            .disabled(panel.role.as_ref().is_none_or(|r| r.off.is_some())),
        Button::new("Stop announcing here", id(&panel.track, "stop"))
            .primary()
            .disabled(live_channel.is_none()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_component_of_the_panel_reads_back_as_its_step() {
        let panel = Panel {
            track: "syria-israel".into(),
            track_name: "Syria–Israel talks".into(),
            channel: Some(ChosenChannel {
                id: 5,
                way: Way::Message,
                off: None,
                operator_too: false,
            }),
            role: Some(ChosenRole { id: 6, off: None }),
            operator_channels: Vec::new(),
            operator_role: None,
            outcome: None,
            targets: 1,
            cap: 5,
        };
        let Reply::Message { message, ephemeral } = super::panel(&panel, false) else {
            panic!("a message");
        };
        assert!(ephemeral);
        assert_eq!(
            parse(&message.menus[0].custom_id, &[42]),
            Some(("syria-israel".into(), Step::Channel(42)))
        );
        assert_eq!(
            parse(&message.menus[1].custom_id, &[43]),
            Some(("syria-israel".into(), Step::Role(43)))
        );
        let steps: Vec<Step> = message.rows[0]
            .iter()
            .filter_map(|b| parse(&b.custom_id, &[]).map(|(_, step)| step))
            .collect();
        assert_eq!(
            steps,
            [
                Step::CreateRole,
                Step::Thread(true),
                Step::TestPost,
                Step::NoRole,
                Step::Stop
            ]
        );
        assert_eq!(parse("setup:x:channel", &[]), None);
        assert_eq!(parse("round:x:1:card", &[]), None);
    }
}
