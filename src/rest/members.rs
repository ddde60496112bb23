//! A server member's roles: the follow role given and taken.

use serenity::all::{GuildId, RoleId, UserId};

use super::outcome::Failure;
use super::{Rest, id};

impl Rest {
    /// Gives (`give`) or takes role `role` of member `user` in server `server`, with `reason`
    /// for the server's audit log. Giving a role twice, or taking it twice, is the same as
    /// once, so the caller may send it again after an unclear answer.
    pub(crate) async fn change_role(
        &self,
        server: u64,
        user: u64,
        role: u64,
        give: bool,
        reason: &str,
    ) -> Result<(), Failure> {
        let (server, user, role): (GuildId, UserId, RoleId) = (id(server)?, id(user)?, id(role)?);
        let changed = if give {
            self.http
                .add_member_role(server, user, role, Some(reason))
                .await
        } else {
            self.http
                .remove_member_role(server, user, role, Some(reason))
                .await
        };
        changed.map_err(|error| Failure::of(&error))
    }
}
