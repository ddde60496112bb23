//! The briefs folder as an immutable `Library` snapshot: tracks → rounds, authors, parties.
//! Loading is all or nothing. The lowest layer: it knows nothing of Discord, commands,
//! transports or the running bot.

mod brief;
mod date;
pub mod diagnostics;
mod failure;
mod fields;
mod files;
pub(crate) mod fold;
mod load;
mod mistakes;
mod model;
mod people;
mod publication;
pub mod search;
pub(crate) mod suggest;
mod tracks;
mod undrawn;

pub use date::Date;
pub use failure::Failure;
pub(crate) use failure::fingerprint;
pub(crate) use fields::PLACEHOLDER;
pub use load::{Folder, LoadError, LoadOptions};
pub use model::{
    Author, Correction, Counts, Held, Hold, Library, Moment, Party, Position, Role, Round, RoundId,
    Source, Track,
};
pub(crate) use model::{FIRST_ROUND, is_slug, is_track_id, plural, track_id_rule};
pub use tracks::default_track;
