//! Whole numbers in the settings, each with the range that makes sense for it: one message
//! for every way a value can be out of it (negative, too large, a fraction, text), in an
//! operator's words rather than serde's types (`usize`, `i128`).

use std::fmt;
use std::ops::RangeInclusive;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};

/// `[serve] max_connections`: at least one (with none, `serve` would never answer), and at
/// most 65536, far beyond what Discord's traffic needs and what one process's open files
/// usually allow.
pub(crate) const MAX_CONNECTIONS: RangeInclusive<u64> = 1..=65_536;

/// `[announce] max_new_per_reload`: 0 announces nothing by itself; beyond 1000 rounds at
/// once is a flood whatever the limit says.
pub(crate) const MAX_NEW_PER_RELOAD: RangeInclusive<u64> = 0..=1000;

/// `[discord] shards`: a count, or a range's `total`.
pub(crate) const SHARDS: RangeInclusive<u64> = 1..=65_536;

/// The message's end, after the setting's name, for a value out of `range`.
fn refused(range: &RangeInclusive<u64>, written: &str) -> String {
    format!(
        "must be a whole number from {} to {}, found {written}",
        range.start(),
        range.end()
    )
}

/// The number that `text` (a variable's value) writes, if it is in `range`; or why not.
pub(crate) fn parse(text: &str, range: &RangeInclusive<u64>) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| refused(range, &format!("\"{text}\"")))
}

/// Reads a whole number in `range` for the setting `key` (`` `serve.max_connections` ``), its
/// errors naming it: toml gives them the value's line and column.
#[derive(Clone)]
pub(super) struct Whole {
    pub(super) key: &'static str,
    pub(super) range: RangeInclusive<u64>,
}

impl Whole {
    fn refuse<E: Error>(&self, written: &str) -> E {
        E::custom(format!("{} {}", self.key, refused(&self.range, written)))
    }
}

impl<'de> DeserializeSeed<'de> for Whole {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Whole {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a whole number for {}", self.key)
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<u64, E> {
        u64::try_from(n)
            .ok()
            .filter(|n| self.range.contains(n))
            .ok_or_else(|| self.refuse(&n.to_string()))
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<u64, E> {
        Some(n)
            .filter(|n| self.range.contains(n))
            .ok_or_else(|| self.refuse(&n.to_string()))
    }

    fn visit_i128<E: Error>(self, n: i128) -> Result<u64, E> {
        Err(self.refuse(&n.to_string()))
    }

    fn visit_u128<E: Error>(self, n: u128) -> Result<u64, E> {
        Err(self.refuse(&n.to_string()))
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<u64, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<u64, E> {
        Err(self.refuse(&format!("\"{text}\"")))
    }

    fn visit_bool<E: Error>(self, value: bool) -> Result<u64, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(self.refuse("a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(self.refuse("a table"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_is_a_whole_number_in_its_range() {
        assert_eq!(parse(" 64 ", &MAX_CONNECTIONS), Ok(64));
        assert_eq!(parse("0", &MAX_NEW_PER_RELOAD), Ok(0));
        for refused in ["0", "-1", "65537", "1.5", "many", "", "4294967296000"] {
            assert_eq!(
                parse(refused, &MAX_CONNECTIONS),
                Err(format!(
                    "must be a whole number from 1 to 65536, found \"{refused}\""
                ))
            );
        }
    }
}
