//! A calendar day (`Date`), as briefs write it: checked against the calendar, counted from
//! 1970 and named by its weekday, with no date library.

use std::fmt;

/// A calendar day, as briefs write it (`date = 2026-01-06`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl From<toml::value::Date> for Date {
    fn from(d: toml::value::Date) -> Self {
        Date {
            year: d.year,
            month: d.month,
            day: d.day,
        }
    }
}

impl Date {
    /// The day, when the calendar has it (a 30 February has none).
    pub fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        let (year, month, day) = (
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        );
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days).contains(&day)).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's
    /// `days_from_civil`), so no date library is needed for one conversion.
    pub fn days_since_epoch(&self) -> i64 {
        let (year, month, day) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day as readers write it: "6 January 2026". A round's date is a day on the calendar,
    /// not a moment, so it is written out rather than sent as one of Discord's timestamps,
    /// which each reader's client would shift into their own time zone (and so, for some,
    /// onto the day before or after).
    pub fn written(self) -> Written {
        Written(self)
    }

    /// The day of the week, by Sakamoto's method (Gregorian calendar).
    pub fn weekday(&self) -> &'static str {
        const OFFSETS: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        const NAMES: [&str; 7] = [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ];
        let month = usize::from(self.month.clamp(1, 12));
        let year = u32::from(self.year).saturating_sub(u32::from(month < 3));
        let day = u32::from(self.day);
        let index = (year + year / 4 - year / 100 + year / 400 + OFFSETS[month - 1] + day) % 7;
        NAMES[index as usize]
    }
}

/// ISO 8601, as in the files: `2026-01-06`. What editors read (diagnostics, `check`) and what
/// the index matches; readers see `Date::written`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The months as readers write them, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A day as readers write it: "6 January 2026" (`Date::written`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written(Date);

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Date { year, month, day } = self.0;
        // A `Date` is checked against the calendar when read; one built otherwise with a
        // month out of range still shows, as its number.
        match MONTHS.get(usize::from(month).wrapping_sub(1)) {
            Some(name) => write!(f, "{day} {name} {year}"),
            None => write!(f, "{day} {month} {year}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn a_day_is_written_as_readers_write_it() {
        let written = |y, m, d| Date::new(y, m, d).expect("a day").written().to_string();
        assert_eq!(written(2026, 1, 6), "6 January 2026");
        assert_eq!(written(2024, 2, 29), "29 February 2024");
        assert_eq!(written(1999, 12, 31), "31 December 1999");
        // The files and the index keep ISO 8601.
        assert_eq!(
            Date::new(2026, 1, 6).expect("a day").to_string(),
            "2026-01-06"
        );
    }
}
