//! Calendar dates: ISO `YYYY-MM-DD` parsing and printing, month arithmetic
//! with the end-of-month clamp, day counts, and the Umm al-Qura Hijri year
//! that the zakat hawl is measured in. All calendar rules come from
//! `icu_calendar`; this module only gives them the domain's names.
//!
//! ```
//! use mizan::date::CivilDate;
//! let start: CivilDate = "2025-03-01".parse().unwrap();
//! assert_eq!(start.hijri_year_later().unwrap().to_string(), "2026-02-18");
//! let jan31: CivilDate = "2026-01-31".parse().unwrap();
//! assert_eq!(jan31.add_months(1).unwrap().to_string(), "2026-02-28");
//! ```

use std::fmt;
use std::str::FromStr;

use icu_calendar::cal::Hijri;
use icu_calendar::options::{DateAddOptions, Overflow};
use icu_calendar::types::DateDuration;
use icu_calendar::{Date, Iso};

/// A Gregorian (ISO) calendar date.
///
/// A small `Copy` value ordered by time; it is the type the domain models
/// hold, and it converts to `icu_calendar`'s `Date<Iso>` for arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    year: i16,
    month: u8,
    day: u8,
}

/// Why a date string or a date computation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not `YYYY-MM-DD`, or not a real day (`2026-02-30`).
    Invalid(String),
    /// Outside the years this program computes with.
    OutOfRange(String),
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Invalid(s) => write!(f, "{s:?} is not a date of the form YYYY-MM-DD"),
            DateError::OutOfRange(s) => write!(
                f,
                "{s} is outside the supported years {FIRST_YEAR}..={LAST_YEAR}"
            ),
        }
    }
}

impl std::error::Error for DateError {}

/// The first Gregorian year accepted in input.
pub const FIRST_YEAR: i16 = 1900;
/// The last Gregorian year accepted in input (a 420-month contract that
/// starts then still ends before 2200).
pub const LAST_YEAR: i16 = 2150;

impl CivilDate {
    /// A checked constructor.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        // The text only for an error: a date made in a loop allocates nothing.
        let text = || format!("{year:04}-{month:02}-{day:02}");
        if !(i32::from(FIRST_YEAR)..=i32::from(LAST_YEAR)).contains(&year) {
            return Err(DateError::OutOfRange(text()));
        }
        Date::try_new_iso(year, month, day).map_err(|_| DateError::Invalid(text()))?;
        Ok(CivilDate {
            year: year as i16,
            month,
            day,
        })
    }

    /// The year.
    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    fn to_icu(self) -> Date<Iso> {
        Date::try_new_iso(self.year(), self.month, self.day)
            .expect("a CivilDate is always a valid ISO date")
    }

    fn from_icu(date: Date<Iso>) -> Result<Self, DateError> {
        let year = date.year().extended_year();
        let month = date.month().ordinal;
        let day = date.day_of_month().0;
        CivilDate::new(year, month, day)
    }

    /// Days since 0001-01-01 (the Rata Die count), for day differences.
    pub fn day_number(self) -> i64 {
        self.to_icu().to_rata_die().to_i64_date()
    }

    /// The date `day_number` days after 0001-01-01 (the inverse of
    /// [`CivilDate::day_number`]).
    pub fn from_day_number(day_number: i64) -> Result<Self, DateError> {
        let rata_die = icu_calendar::types::RataDie::new(day_number);
        Self::from_icu(Date::from_rata_die(rata_die, Iso))
    }

    /// The signed number of days from `self` to `later`.
    pub fn days_until(self, later: CivilDate) -> i64 {
        later.day_number() - self.day_number()
    }

    /// `self` plus `months` calendar months, the day clamped to the end of a
    /// shorter month (2026-01-31 + 1 month = 2026-02-28).
    pub fn add_months(self, months: u32) -> Result<Self, DateError> {
        let months = i32::try_from(months)
            .map_err(|_| DateError::OutOfRange(format!("{self} + {months} months")))?;
        self.shift_months(months)
    }

    /// `self` less `months` calendar months, clamped like
    /// [`CivilDate::add_months`].
    pub fn sub_months(self, months: u32) -> Result<Self, DateError> {
        let months = i32::try_from(months)
            .map_err(|_| DateError::OutOfRange(format!("{self} - {months} months")))?;
        self.shift_months(-months)
    }

    fn shift_months(self, months: i32) -> Result<Self, DateError> {
        let mut options = DateAddOptions::default();
        options.overflow = Some(Overflow::Constrain);
        let date = self
            .to_icu()
            .try_added_with_options(DateDuration::for_months(months), options)
            .map_err(|_| DateError::OutOfRange(format!("{self} + {months} months")))?;
        Self::from_icu(date)
    }

    /// The same day and month one Gregorian year later, 29 February clamped
    /// to 28 February.
    pub fn gregorian_year_later(self) -> Result<Self, DateError> {
        self.add_months(12)
    }

    /// The same Hijri day and month one Hijri year later in the Umm al-Qura
    /// calendar, as a Gregorian date. Where that day does not exist (day 30
    /// of a month that has 29 days that year) the last day of the month is
    /// taken: `icu_calendar`'s `Constrain` overflow is exactly that clamp.
    pub fn hijri_year_later(self) -> Result<Self, DateError> {
        let mut options = DateAddOptions::default();
        options.overflow = Some(Overflow::Constrain);
        let hijri = self.to_icu().to_calendar(Hijri::new_umm_al_qura());
        let later = hijri
            .try_added_with_options(DateDuration::for_years(1), options)
            .map_err(|_| DateError::OutOfRange(format!("{self} + 1 Hijri year")))?;
        Self::from_icu(later.to_calendar(Iso))
    }

    /// [`CivilDate::day_number`] by integer arithmetic alone (the
    /// days-from-civil algorithm of Howard Hinnant, "chrono-Compatible
    /// Low-Level Date Algorithms"): no calendar object is built. The
    /// optimized forms use it; a test holds it to `day_number` on every day
    /// of the supported years.
    pub fn day_number_arith(self) -> i64 {
        // Unsigned arithmetic: a `CivilDate`'s year is at least 1900, and
        // unsigned divisions by constants are a multiplication and a shift.
        let (month, day) = (u32::from(self.month), u32::from(self.day));
        let year = self.year as u32 - u32::from(month <= 2);
        let era = year / 400;
        let year_of_era = year % 400;
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        // The algorithm counts from 1970-01-01 less 719,468 days; that day
        // is day 719,163 of the count from 0001-01-01.
        i64::from(era * 146_097 + day_of_era) - 719_468 + 719_163
    }

    /// [`CivilDate::add_months`] by integer arithmetic alone, the day
    /// clamped to the month's end; `None` past [`LAST_YEAR`]. A test holds it
    /// to `add_months`.
    pub fn add_months_arith(self, months: u32) -> Option<Self> {
        let index = (self.year as u32 * 12 + u32::from(self.month) - 1).checked_add(months)?;
        let (year, month) = (index / 12, (index % 12 + 1) as u8);
        if year > LAST_YEAR as u32 {
            return None;
        }
        let year = year as i16;
        let day = self.day.min(days_in_month(year, month));
        Some(CivilDate { year, month, day })
    }

    /// This date in the Umm al-Qura calendar as (year, month, day).
    pub fn to_hijri(self) -> (i32, u8, u8) {
        let hijri = self.to_icu().to_calendar(Hijri::new_umm_al_qura());
        (
            hijri.year().extended_year(),
            hijri.month().ordinal,
            hijri.day_of_month().0,
        )
    }
}

/// The number of days in a Gregorian month.
fn days_in_month(year: i16, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The year, month and day of `YYYY-MM-DD` (four, two and two ASCII
/// digits, two hyphens, nothing else), not yet judged as a date.
#[inline]
pub fn ymd(bytes: &[u8]) -> Option<(i32, u8, u8)> {
    let text: &[u8; 10] = bytes.try_into().ok()?;
    let digit = |i: usize| text[i].wrapping_sub(b'0');
    let shape_ok = text[4] == b'-'
        && text[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| digit(i) < 10);
    if !shape_ok {
        return None;
    }
    let year = [0, 1, 2, 3]
        .iter()
        .fold(0i32, |year, &i| year * 10 + i32::from(digit(i)));
    Some((year, digit(5) * 10 + digit(6), digit(8) * 10 + digit(9)))
}

impl FromStr for CivilDate {
    type Err = DateError;

    /// Parses exactly `YYYY-MM-DD`.
    fn from_str(text: &str) -> Result<Self, DateError> {
        let invalid = || DateError::Invalid(text.to_owned());
        let (year, month, day) = ymd(text.as_bytes()).ok_or_else(invalid)?;
        match CivilDate::new(year, month, day) {
            Err(DateError::Invalid(_)) => Err(invalid()),
            other => other,
        }
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for CivilDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CivilDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CivilDate {
        s.parse().unwrap()
    }

    /// Every day of the supported years, in order.
    fn every_day() -> impl Iterator<Item = CivilDate> {
        let first = d("1900-01-01").day_number();
        let last = d("2150-12-31").day_number();
        (first..=last).map(|n| CivilDate::from_day_number(n).unwrap())
    }

    #[test]
    fn day_number_arith_agrees_on_every_supported_day() {
        let mut days = 0;
        for date in every_day() {
            assert_eq!(date.day_number_arith(), date.day_number(), "{date}");
            days += 1;
        }
        assert_eq!(days, 91_676);
        assert_eq!(d("1900-01-01").day_number_arith(), 693_596);
    }

    #[test]
    fn add_months_arith_agrees_with_the_calendar() {
        for date in every_day().step_by(3) {
            for months in [0, 1, 2, 11, 12, 13, 59, 119, 420] {
                assert_eq!(
                    date.add_months_arith(months),
                    date.add_months(months).ok(),
                    "{date} + {months}"
                );
            }
        }
        assert_eq!(d("2150-12-31").add_months_arith(1), None);
        assert_eq!(d("2024-01-31").add_months_arith(1), Some(d("2024-02-29")));
        assert_eq!(d("2100-01-31").add_months_arith(1), Some(d("2100-02-28")));
    }

    #[test]
    fn parse_and_print() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-01T00:00",
            "",
        ] {
            assert_eq!(
                bad.parse::<CivilDate>(),
                Err(DateError::Invalid(bad.into()))
            );
        }
        assert_eq!(
            "1899-12-31".parse::<CivilDate>(),
            Err(DateError::OutOfRange("1899-12-31".into()))
        );
    }

    #[test]
    fn month_arithmetic_clamps() {
        let cases = [
            ("2026-01-31", 1, "2026-02-28"),
            ("2028-01-31", 1, "2028-02-29"),
            ("2026-01-31", 2, "2026-03-31"),
            ("2026-03-31", 1, "2026-04-30"),
            ("2026-12-15", 1, "2027-01-15"),
            ("2026-01-31", 0, "2026-01-31"),
            ("2026-05-31", 419, "2061-04-30"),
        ];
        for (start, months, expected) in cases {
            assert_eq!(
                d(start).add_months(months).unwrap(),
                d(expected),
                "{start}+{months}"
            );
        }
        assert_eq!(
            d("2024-02-29").gregorian_year_later().unwrap(),
            d("2025-02-28")
        );
    }

    #[test]
    fn day_counts() {
        assert_eq!(d("2026-01-01").days_until(d("2026-12-31")), 364);
        assert_eq!(d("2024-01-01").days_until(d("2025-01-01")), 366);
        assert_eq!(d("2026-03-01").days_until(d("2026-02-01")), -28);
    }

    #[test]
    fn hijri_year() {
        // ZAKAT.md: 1 Ramadan 1446 → 1 Ramadan 1447.
        assert_eq!(d("2025-03-01").to_hijri(), (1446, 9, 1));
        assert_eq!(d("2026-02-18").to_hijri(), (1447, 9, 1));
        assert_eq!(d("2025-03-01").hijri_year_later().unwrap(), d("2026-02-18"));
    }
}
