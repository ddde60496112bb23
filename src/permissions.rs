//! Discord's permission rules, computed as Discord computes them: what a member may do in a
//! server and in one channel (roles, then the channel's overwrites), where a role stands, and
//! when a role is safe to hand out to anyone who asks. Pure: the facts come in as values
//! (from the REST client, or a test), so `/setup`, `/follow` and `briefbot doctor` agree.

use serde::Deserialize;
use serenity::all::Permissions;

/// A server's role, as far as permissions go.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Role {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(default)]
    pub name: String,
    /// Higher is more powerful; @everyone is 0.
    #[serde(default)]
    pub position: i64,
    #[serde(deserialize_with = "bits")]
    pub permissions: u64,
    /// Held by an integration (another bot's own role, a booster role): Discord gives and
    /// takes it, no one else may.
    #[serde(default)]
    pub managed: bool,
    #[serde(default)]
    pub mentionable: bool,
}

/// A server: its owner (who may do anything) and its roles, @everyone among them (its id is
/// the server's).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Server {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(deserialize_with = "snowflake")]
    pub owner_id: u64,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// Whom a channel's overwrite is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverwriteFor {
    Role,
    Member,
}

/// One of a channel's permission overwrites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overwrite {
    pub id: u64,
    pub kind: OverwriteFor,
    pub allow: u64,
    pub deny: u64,
}

/// A member of a server, as far as permissions go: who, and which roles (@everyone aside).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Member {
    pub id: u64,
    pub roles: Vec<u64>,
}

/// How briefbot announces in a channel, as far as the permissions it needs there go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posting {
    /// A message (in a text or an announcement channel, whose own posts briefbot may
    /// crosspost with Send Messages alone).
    Message,
    /// A message with a public thread started from it.
    Thread,
    /// A post in a forum channel (Send Messages there creates posts).
    Forum,
}

/// What briefbot needs in a channel to announce there: to see it, to post a card (embeds),
/// and to read its history, where it looks for its own posts before posting again after an
/// unclear answer. A thread under the card takes Create Public Threads; briefbot writes
/// nothing inside it, so Send Messages in Threads is not asked for (Discord does not need it
/// to start a thread from a message).
pub fn needed(posting: Posting) -> Permissions {
    let base = Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::EMBED_LINKS
        | Permissions::READ_MESSAGE_HISTORY;
    match posting {
        Posting::Message | Posting::Forum => base,
        Posting::Thread => base | Permissions::CREATE_PUBLIC_THREADS,
    }
}

/// A permission a check found missing, by the name Discord's settings show.
pub fn name_of(permission: Permissions) -> &'static str {
    const NAMES: &[(Permissions, &str)] = &[
        (Permissions::VIEW_CHANNEL, "View Channel"),
        (Permissions::SEND_MESSAGES, "Send Messages"),
        (Permissions::EMBED_LINKS, "Embed Links"),
        (Permissions::CREATE_PUBLIC_THREADS, "Create Public Threads"),
        (
            Permissions::SEND_MESSAGES_IN_THREADS,
            "Send Messages in Threads",
        ),
        (Permissions::MANAGE_ROLES, "Manage Roles"),
        (Permissions::MANAGE_GUILD, "Manage Server"),
        (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
        (
            Permissions::MENTION_EVERYONE,
            "Mention @everyone, @here, and All Roles",
        ),
        (Permissions::MANAGE_MESSAGES, "Manage Messages"),
        (Permissions::MANAGE_THREADS, "Manage Threads"),
    ];
    NAMES
        .iter()
        .find(|(bit, _)| *bit == permission)
        .map_or("a permission", |(_, name)| name)
}

impl Server {
    /// The role with `id`, if the server has it.
    pub fn role(&self, id: u64) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// What `member` may do anywhere in the server: @everyone's permissions and every role's
    /// together; everything for the owner or an administrator.
    pub fn base_permissions(&self, member: &Member) -> Permissions {
        if member.id == self.owner_id {
            return Permissions::all();
        }
        let mut bits = self.role(self.id).map_or(0, |r| r.permissions);
        for role in &member.roles {
            if let Some(role) = self.role(*role) {
                bits |= role.permissions;
            }
        }
        let permissions = Permissions::from_bits_truncate(bits);
        if permissions.contains(Permissions::ADMINISTRATOR) {
            Permissions::all()
        } else {
            permissions
        }
    }

    /// What `member` may do in a channel with `overwrites`: the base permissions, then the
    /// @everyone overwrite, the member's roles' overwrites together, the member's own, in
    /// that order; then what Discord takes away implicitly (nothing without View Channel; no
    /// embeds or mentions without Send Messages).
    pub fn channel_permissions(&self, member: &Member, overwrites: &[Overwrite]) -> Permissions {
        let base = self.base_permissions(member);
        if base.contains(Permissions::ADMINISTRATOR) {
            return Permissions::all();
        }
        let mut bits = base.bits();
        let apply = |bits: &mut u64, allow: u64, deny: u64| {
            *bits &= !deny;
            *bits |= allow;
        };
        if let Some(everyone) = overwrites
            .iter()
            .find(|o| o.kind == OverwriteFor::Role && o.id == self.id)
        {
            apply(&mut bits, everyone.allow, everyone.deny);
        }
        let (mut allow, mut deny) = (0, 0);
        for overwrite in overwrites
            .iter()
            .filter(|o| o.kind == OverwriteFor::Role && member.roles.contains(&o.id))
        {
            allow |= overwrite.allow;
            deny |= overwrite.deny;
        }
        apply(&mut bits, allow, deny);
        if let Some(own) = overwrites
            .iter()
            .find(|o| o.kind == OverwriteFor::Member && o.id == member.id)
        {
            apply(&mut bits, own.allow, own.deny);
        }
        let mut permissions = Permissions::from_bits_truncate(bits);
        if !permissions.contains(Permissions::VIEW_CHANNEL) {
            return Permissions::empty();
        }
        if !permissions.contains(Permissions::SEND_MESSAGES) {
            permissions.remove(
                Permissions::EMBED_LINKS
                    | Permissions::ATTACH_FILES
                    | Permissions::MENTION_EVERYONE
                    | Permissions::SEND_TTS_MESSAGES,
            );
        }
        permissions
    }

    /// The position of `member`'s highest role (0, @everyone's, when they have none); the
    /// owner stands above every role.
    pub fn highest_position(&self, member: &Member) -> i64 {
        if member.id == self.owner_id {
            return i64::MAX;
        }
        member
            .roles
            .iter()
            .filter_map(|id| self.role(*id))
            .map(|r| r.position)
            .max()
            .unwrap_or(0)
    }

    /// Why `role` may not be handed out to whoever asks by `bot`, for a `chooser` (the admin
    /// choosing it in `/setup`; `None` when it is given at a `/follow`): each reason, in
    /// words with its fix. Empty when it is safe.
    pub fn unsafe_follow_role(
        &self,
        role: u64,
        bot: &Member,
        chooser: Option<&Member>,
    ) -> Vec<String> {
        let Some(found) = self.role(role) else {
            return vec![format!(
                "the role <@&{role}> no longer exists in this server; choose another or create one"
            )];
        };
        let mut why = Vec::new();
        if role == self.id {
            why.push(
                "@everyone is every member already; choose or create a role of its own".to_string(),
            );
            return why;
        }
        if found.managed {
            why.push(format!(
                "<@&{role}> is managed by an integration (a bot's or a booster role), so no one may give it; create a role for followers instead"
            ));
        }
        let permissions = Permissions::from_bits_truncate(found.permissions);
        if !permissions.is_empty() {
            why.push(format!(
                "<@&{role}> grants permissions ({}), and anyone may take a follow role; remove them in Server Settings → Roles, or create a role for followers",
                listed(permissions)
            ));
        }
        let bot_may = self.base_permissions(bot);
        if !bot_may.contains(Permissions::MANAGE_ROLES) {
            why.push(
                "briefbot lacks the Manage Roles permission, so it cannot give the role; grant it to briefbot's role in Server Settings → Roles"
                    .to_string(),
            );
        }
        if found.position >= self.highest_position(bot) {
            why.push(format!(
                "<@&{role}> is not below briefbot's highest role, so briefbot cannot give it; drag briefbot's role above it in Server Settings → Roles"
            ));
        }
        if let Some(chooser) = chooser {
            let may = self.base_permissions(chooser);
            if !may.contains(Permissions::MANAGE_ROLES) {
                why.push(
                    "you need the Manage Roles permission to choose who may hand out a role"
                        .to_string(),
                );
            } else if found.position >= self.highest_position(chooser) {
                why.push(format!(
                    "<@&{role}> is not below your own highest role, so you could not give it yourself; choose a lower role"
                ));
            }
        }
        why
    }
}

/// The channels, of `channels` (each with its overwrites), where an overwrite lets `role` do
/// something: a follow role anyone may take must not open a channel to whoever takes it.
pub fn opened_by(role: u64, channels: &[(u64, Vec<Overwrite>)]) -> Vec<u64> {
    channels
        .iter()
        .filter(|(_, overwrites)| {
            overwrites
                .iter()
                .any(|o| o.kind == OverwriteFor::Role && o.id == role && o.allow != 0)
        })
        .map(|(channel, _)| *channel)
        .collect()
}

/// Permission names as a list for a reader: "Manage Roles, Kick Members".
pub fn listed(permissions: Permissions) -> String {
    let names: Vec<String> = permissions
        .iter()
        .map(|bit| match name_of(bit) {
            "a permission" => bit.get_permission_names().join(", "),
            name => name.to_string(),
        })
        .collect();
    names.join(", ")
}

fn snowflake<'de, D: serde::Deserializer<'de>>(from: D) -> Result<u64, D::Error> {
    let text = String::deserialize(from)?;
    text.parse().map_err(serde::de::Error::custom)
}

fn bits<'de, D: serde::Deserializer<'de>>(from: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Bits {
        Text(String),
        Number(u64),
    }
    match Bits::deserialize(from)? {
        Bits::Text(text) => text.parse().map_err(serde::de::Error::custom),
        Bits::Number(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: u64 = 100;
    const OWNER: u64 = 1;
    const BOT: u64 = 2;
    const ADMIN: u64 = 3;

    fn role(id: u64, position: i64, permissions: Permissions) -> Role {
        Role {
            id,
            name: format!("role {id}"),
            position,
            permissions: permissions.bits(),
            managed: false,
            mentionable: false,
        }
    }

    fn server() -> Server {
        Server {
            id: SERVER,
            owner_id: OWNER,
            roles: vec![
                role(
                    SERVER,
                    0,
                    Permissions::VIEW_CHANNEL
                        | Permissions::SEND_MESSAGES
                        | Permissions::EMBED_LINKS,
                ),
                role(10, 5, Permissions::MANAGE_ROLES),
                role(11, 3, Permissions::empty()),
                role(12, 8, Permissions::MANAGE_ROLES | Permissions::MANAGE_GUILD),
                role(13, 1, Permissions::KICK_MEMBERS),
            ],
        }
    }

    fn member(id: u64, roles: &[u64]) -> Member {
        Member {
            id,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn overwrites_apply_everyone_then_roles_then_the_member() {
        let server = server();
        let bot = member(BOT, &[10]);
        let send = Permissions::SEND_MESSAGES.bits();
        let deny_everyone = Overwrite {
            id: SERVER,
            kind: OverwriteFor::Role,
            allow: 0,
            deny: send,
        };
        let allow_role = Overwrite {
            id: 10,
            kind: OverwriteFor::Role,
            allow: send,
            deny: 0,
        };
        let deny_member = Overwrite {
            id: BOT,
            kind: OverwriteFor::Member,
            allow: 0,
            deny: send,
        };
        let may = |overwrites: &[Overwrite]| server.channel_permissions(&bot, overwrites);
        assert!(may(&[]).contains(Permissions::SEND_MESSAGES));
        let denied = may(std::slice::from_ref(&deny_everyone));
        assert!(!denied.contains(Permissions::SEND_MESSAGES));
        // Embed Links goes with Send Messages, as Discord takes it away implicitly.
        assert!(!denied.contains(Permissions::EMBED_LINKS));
        assert!(
            may(&[deny_everyone.clone(), allow_role.clone()]).contains(Permissions::SEND_MESSAGES)
        );
        assert!(
            !may(&[deny_everyone, allow_role, deny_member]).contains(Permissions::SEND_MESSAGES)
        );
    }

    #[test]
    fn without_view_channel_nothing_else_counts_and_owners_and_admins_may_all() {
        let mut server = server();
        let hidden = Overwrite {
            id: SERVER,
            kind: OverwriteFor::Role,
            allow: 0,
            deny: Permissions::VIEW_CHANNEL.bits(),
        };
        let bot = member(BOT, &[10]);
        assert!(
            server
                .channel_permissions(&bot, std::slice::from_ref(&hidden))
                .is_empty()
        );
        let owner = member(OWNER, &[]);
        assert_eq!(
            server.channel_permissions(&owner, std::slice::from_ref(&hidden)),
            Permissions::all()
        );
        server.roles.push(role(14, 2, Permissions::ADMINISTRATOR));
        let admin = member(ADMIN, &[14]);
        assert_eq!(
            server.channel_permissions(&admin, &[hidden]),
            Permissions::all()
        );
    }

    #[test]
    fn a_follow_role_is_safe_only_without_permissions_below_the_bot_and_the_chooser() {
        let server = server();
        let bot = member(BOT, &[10]);
        let admin = member(ADMIN, &[12]);
        assert!(server.unsafe_follow_role(11, &bot, Some(&admin)).is_empty());
        let everyone = server.unsafe_follow_role(SERVER, &bot, Some(&admin));
        assert!(everyone[0].contains("@everyone"), "{everyone:?}");
        let kicks = server.unsafe_follow_role(13, &bot, None);
        assert!(
            kicks[0].contains("grants permissions (Kick Members)"),
            "{kicks:?}"
        );
        let above = server.unsafe_follow_role(12, &bot, None);
        assert!(
            above
                .iter()
                .any(|w| w.contains("not below briefbot's highest role")),
            "{above:?}"
        );
        // An admin whose highest role is below the role may not choose it.
        let low_admin = member(ADMIN, &[10]);
        let mut higher = server.clone();
        higher.roles.push(role(15, 6, Permissions::empty()));
        let bot_high = member(BOT, &[12]);
        let refused = higher.unsafe_follow_role(15, &bot_high, Some(&low_admin));
        assert!(
            refused
                .iter()
                .any(|w| w.contains("not below your own highest role")),
            "{refused:?}"
        );
        let no_manage = member(ADMIN, &[11]);
        let refused = higher.unsafe_follow_role(15, &bot_high, Some(&no_manage));
        assert!(
            refused.iter().any(|w| w.contains("need the Manage Roles")),
            "{refused:?}"
        );
        let mut managed = server.clone();
        managed.roles.push(Role {
            managed: true,
            ..role(16, 2, Permissions::empty())
        });
        assert!(managed.unsafe_follow_role(16, &bot, None)[0].contains("managed"));
        assert!(server.unsafe_follow_role(999, &bot, None)[0].contains("no longer exists"));
    }

    #[test]
    fn a_role_an_overwrite_allows_something_opens_that_channel() {
        let allow = |role: u64, allow: u64| Overwrite {
            id: role,
            kind: OverwriteFor::Role,
            allow,
            deny: 0,
        };
        let channels = vec![
            (1, vec![allow(7, Permissions::VIEW_CHANNEL.bits())]),
            (2, vec![allow(7, 0), allow(8, 1)]),
            (3, Vec::new()),
        ];
        assert_eq!(opened_by(7, &channels), [1]);
        assert_eq!(opened_by(8, &channels), [2]);
        assert!(opened_by(9, &channels).is_empty());
    }

    #[test]
    fn roles_read_from_discords_json_with_permissions_as_text() {
        let server: Server = serde_json::from_str(
            r#"{"id": "100", "owner_id": "1", "name": "x", "roles": [
                {"id": "100", "name": "@everyone", "position": 0, "permissions": "1024", "managed": false, "mentionable": false, "color": 0}
            ]}"#,
        )
        .expect("a server");
        assert_eq!(server.roles[0].permissions, 1024);
        assert_eq!(server.owner_id, OWNER);
    }
}
