//! The offline tools for editors: `ask` (a reply exactly as the bot would send it, from a
//! command line), `check` (every mistake in a briefs folder) and `new` (a round file to fill
//! in). The same core as the bot, with no Discord and no running bot.

pub mod ask;
pub mod check;
pub mod line;
pub mod new;
