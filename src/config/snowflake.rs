//! Discord ids (snowflakes) wherever the settings take one: in `config.toml` as digits,
//! quoted or not (`channels = [123456789012345678]`, `server = "123456789012345678"`), in a
//! variable as digits. One rule for all of them: an id carries the moment it was made in its
//! bits above the 22 lowest, so it is at least 2^22, and Discord keeps ids as signed 64-bit
//! numbers, so it is below 2^63.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};

/// The smallest Discord id: 2^22, an id made in Discord's first millisecond.
pub(crate) const SMALLEST: u64 = 1 << 22;

/// Every Discord id is below 2^63.
pub(crate) const TOO_LARGE: u64 = 1 << 63;

/// The id that `text` writes (digits, with blanks around them left out), or why it is none:
/// the message's end, after the setting's name.
pub fn parse(text: &str) -> Result<u64, String> {
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused(&format!("\"{text}\""), ""));
    }
    // More digits than a u64 holds is too large, as a number that fits but is 2^63 or more.
    let id = digits.parse::<u64>().unwrap_or(u64::MAX);
    in_range(id, &format!("\"{text}\""))
}

/// `id` if it can be a Discord id; `written` is how the message shows it.
fn in_range(id: u64, written: &str) -> Result<u64, String> {
    if id < SMALLEST {
        Err(refused(
            written,
            &format!(
                ", too small for one: Discord ids are {SMALLEST} or more; copy it from Discord with Developer Mode on (right-click, Copy ID)"
            ),
        ))
    } else if id >= TOO_LARGE {
        Err(refused(
            written,
            &format!(", too large for one: Discord ids are below {TOO_LARGE}"),
        ))
    } else {
        Ok(id)
    }
}

fn refused(written: &str, why: &str) -> String {
    format!("must be a Discord id (digits, such as \"123456789012345678\"), found {written}{why}")
}

/// Reads one id for the setting `key` (`` `announce.channels` ``), its errors naming it:
/// toml gives them the value's line and column.
#[derive(Clone, Copy)]
pub(super) struct Id(pub(super) &'static str);

impl<'de> DeserializeSeed<'de> for Id {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Id {
    fn refuse<E: Error>(self, written: &str, why: &str) -> E {
        E::custom(format!("{} {}", self.0, refused(written, why)))
    }

    fn checked<E: Error>(self, id: u64, written: &str) -> Result<u64, E> {
        in_range(id, written).map_err(|message| E::custom(format!("{} {message}", self.0)))
    }
}

impl<'de> Visitor<'de> for Id {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a Discord id for {}", self.0)
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<u64, E> {
        match u64::try_from(n) {
            Ok(id) => self.checked(id, &n.to_string()),
            Err(_) => Err(self.refuse(&n.to_string(), "")),
        }
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<u64, E> {
        self.checked(n, &n.to_string())
    }

    fn visit_i128<E: Error>(self, n: i128) -> Result<u64, E> {
        match u64::try_from(n) {
            Ok(id) => self.checked(id, &n.to_string()),
            // Beyond a u64: too large, as any id of 2^63 or more.
            Err(_) if n > 0 => self.checked(u64::MAX, &n.to_string()),
            Err(_) => Err(self.refuse(&n.to_string(), "")),
        }
    }

    fn visit_u128<E: Error>(self, n: u128) -> Result<u64, E> {
        self.visit_i128(i128::try_from(n).unwrap_or(i128::MAX))
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<u64, E> {
        parse(text).map_err(|message| E::custom(format!("{} {message}", self.0)))
    }

    fn visit_bool<E: Error>(self, value: bool) -> Result<u64, E> {
        Err(self.refuse(&value.to_string(), ""))
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<u64, E> {
        Err(self.refuse(&value.to_string(), ""))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(self.refuse("a list", ""))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(self.refuse("a table", ""))
    }
}

/// Reads a list of ids for the setting `key`, each checked where it is written.
#[derive(Clone, Copy)]
pub(super) struct Ids(pub(super) &'static str);

impl<'de> DeserializeSeed<'de> for Ids {
    type Value = Vec<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<u64>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Ids {
    fn refuse<E: Error>(self, written: &str) -> E {
        E::custom(format!(
            "{} must be a list of Discord ids, such as [\"123456789012345678\"], found {written}",
            self.0
        ))
    }
}

impl<'de> Visitor<'de> for Ids {
    type Value = Vec<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of Discord ids for {}", self.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
        let mut ids = Vec::new();
        while let Some(id) = seq.next_element_seed(Id(self.0))? {
            ids.push(id);
        }
        Ok(ids)
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<Vec<u64>, E> {
        Err(self.refuse(&n.to_string()))
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<Vec<u64>, E> {
        Err(self.refuse(&n.to_string()))
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<Vec<u64>, E> {
        Err(self.refuse(&format!("\"{text}\"")))
    }

    fn visit_bool<E: Error>(self, value: bool) -> Result<Vec<u64>, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<Vec<u64>, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Vec<u64>, A::Error> {
        Err(self.refuse("a table"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_digits_from_two_to_the_22_to_below_two_to_the_63() {
        assert_eq!(parse("123456789012345678"), Ok(123_456_789_012_345_678));
        assert_eq!(parse(" 4194304 "), Ok(SMALLEST));
        assert_eq!(parse("9223372036854775807"), Ok(TOO_LARGE - 1));
        for refused in ["", "12x", "-5", "1.5", "0x400000"] {
            let message = parse(refused).expect_err(refused);
            assert!(
                message.starts_with("must be a Discord id (digits"),
                "{message}"
            );
        }
        let message = parse("12").expect_err("tiny");
        assert!(
            message.contains("found \"12\", too small for one"),
            "{message}"
        );
        assert!(parse("4194303").is_err());
        for large in ["9223372036854775808", "99999999999999999999999"] {
            let message = parse(large).expect_err(large);
            assert!(message.contains("too large for one"), "{message}");
        }
    }
}
