//! Fast text for the optimized forms: numbers and dates written straight
//! into a `String`, without `core::fmt` and without allocating, producing
//! exactly the text of the readable formatting (`money::format_fixed`,
//! `CivilDate`'s `Display`, `format!("{:>w$}")`). The tests hold them to it.

use rust_decimal::Decimal;

use crate::money::format_fixed;

/// Spaces to pad from: one `push_str` of a slice instead of a loop of
/// `push(' ')`, one a column. With the digit pairs below, this took the
/// optimized murabaha statements from 56 to 43 ms a run (`mizan run`,
/// 5,000 contracts); a single `push` of a character costs no more than a
/// `push_str` of one (measured the same way).
const SPACES: &str = "                                                                ";

/// The two-digit numbers 00 to 99, written out: a byte pair each.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
40414243444546474849505152535455565758596061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `n` (below 100) as two digits.
fn pair(n: u32) -> &'static str {
    let at = 2 * n as usize;
    &PAIRS[at..at + 2]
}

/// Writes `n` spaces.
fn pad(out: &mut String, mut n: usize) {
    while n > 0 {
        let chunk = n.min(SPACES.len());
        out.push_str(&SPACES[..chunk]);
        n -= chunk;
    }
}

/// Writes `value` with exactly `dp` places (at most 18) from its integer
/// mantissa, without allocating; the same text as `format_fixed(value, dp)`.
pub fn write_fixed(out: &mut String, value: Decimal, dp: u32) {
    push_fixed_right_aligned(out, value, dp, 0);
}

/// Writes `value` with `dp` places (at most 18) right-aligned in `width`
/// columns, as `format!("{:>width$}", format_fixed(value, dp))` does.
pub fn push_fixed_right_aligned(out: &mut String, value: Decimal, dp: u32, width: usize) {
    let scale = value.scale();
    let units = (scale <= dp && dp <= 18)
        .then(|| value.mantissa().checked_mul(10i128.pow(dp - scale)))
        .flatten();
    let Some(units) = units else {
        // More places than asked for, or a value near `Decimal::MAX`:
        // never the case for figures the rules have rounded; kept exact all
        // the same.
        push_right_aligned(out, &format_fixed(value, dp), width);
        return;
    };
    push_magnitude(out, units < 0, units.unsigned_abs(), dp, width);
}

/// Writes `units × 10^-dp` (a fixed-point count, such as cents) with `dp`
/// places (at most 18), without allocating: the text `format_fixed` gives
/// the same value as a `Decimal`.
pub fn write_units(out: &mut String, units: i64, dp: u32) {
    push_units_right_aligned(out, units, dp, 0);
}

/// Writes `units × 10^-dp` right-aligned in `width` columns.
pub fn push_units_right_aligned(out: &mut String, units: i64, dp: u32, width: usize) {
    push_magnitude(out, units < 0, u128::from(units.unsigned_abs()), dp, width);
}

fn push_magnitude(out: &mut String, negative: bool, units: u128, dp: u32, width: usize) {
    let unit = 10u128.pow(dp);
    // Money fits a u64 many times over; the narrower division is several
    // times cheaper than u128's.
    let (whole, mut fraction) = match u64::try_from(units) {
        Ok(units) => (u128::from(units / unit as u64), units % unit as u64),
        Err(_) => (units / unit, (units % unit) as u64),
    };
    let mut whole_digits = itoa::Buffer::new();
    let whole = whole_digits.format(whole);
    let len = usize::from(negative) + whole.len() + 1 + dp as usize;
    pad(out, width.saturating_sub(len));
    if negative {
        out.push('-');
    }
    out.push_str(whole);
    out.push('.');
    if dp == 2 {
        // Cents, by far the most common: one pair, no loop.
        out.push_str(pair(fraction as u32));
        return;
    }
    let mut fraction_digits = [b'0'; 18];
    for slot in fraction_digits[..dp as usize].iter_mut().rev() {
        *slot = b'0' + (fraction % 10) as u8;
        fraction /= 10;
    }
    out.push_str(std::str::from_utf8(&fraction_digits[..dp as usize]).expect("ASCII digits"));
}

/// Writes a date as `YYYY-MM-DD` (years 1900–2150, as `CivilDate` holds).
pub fn write_date(out: &mut String, date: crate::date::CivilDate) {
    let year = date.year() as u32;
    out.push_str(pair(year / 100));
    out.push_str(pair(year % 100));
    out.push('-');
    out.push_str(pair(u32::from(date.month())));
    out.push('-');
    out.push_str(pair(u32::from(date.day())));
}

/// Writes `text` right-aligned in `width` columns, as `format!("{text:>width$}")`
/// does for ASCII text.
pub fn push_right_aligned(out: &mut String, text: &str, width: usize) {
    pad(out, width.saturating_sub(text.len()));
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_fixed_matches_format_fixed() {
        for text in [
            "0",
            "0.5",
            "12.34",
            "1234567.8",
            "-3.05",
            "7",
            "0.001",
            "99.999",
            "0.07",
            "999999999999.99",
            "79228162514264337593543950335",
            "0.0066666667",
            "0.01",
            "-0.09",
            "100",
        ] {
            let value: Decimal = text.parse().unwrap();
            for dp in [2, 3, 10] {
                let mut out = String::new();
                write_fixed(&mut out, value, dp);
                assert_eq!(out, format_fixed(value, dp), "{text} to {dp}");
                for width in [0, 5, 12, 40, 100] {
                    let mut out = String::from("x");
                    push_fixed_right_aligned(&mut out, value, dp, width);
                    assert_eq!(out, format!("x{:>width$}", format_fixed(value, dp)));
                }
            }
        }
    }

    #[test]
    fn write_units_matches_format_fixed() {
        for units in [0, 1, -1, 5, 99, 100, 123_456, -90, i64::MAX, i64::MIN] {
            for dp in [2, 3, 10] {
                let value = Decimal::new(units, dp);
                let mut out = String::new();
                write_units(&mut out, units, dp);
                assert_eq!(out, format_fixed(value, dp), "{units} at {dp}");
                let mut out = String::new();
                push_units_right_aligned(&mut out, units, dp, 14);
                assert_eq!(out, format!("{:>14}", format_fixed(value, dp)));
            }
        }
    }

    #[test]
    fn write_date_matches_display() {
        for text in ["1900-01-01", "2026-02-18", "2150-12-31", "2009-10-05"] {
            let date: crate::date::CivilDate = text.parse().unwrap();
            let mut out = String::new();
            write_date(&mut out, date);
            assert_eq!(out, text);
        }
    }

    #[test]
    fn right_alignment_matches_format() {
        for (text, width) in [("7", 3), ("123", 3), ("1234", 3), ("", 2), ("x", 150)] {
            let mut out = String::new();
            push_right_aligned(&mut out, text, width);
            assert_eq!(out, format!("{text:>width$}"));
        }
    }
}
