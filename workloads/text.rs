//! Fast text for the optimized forms: numbers and dates written straight
//! into a `String`, without `core::fmt` and without allocating, producing
//! exactly the text of the readable formatting (`money::format_fixed`,
//! `CivilDate`'s `Display`, `format!("{:>w$}")`). The tests hold them to it.
//!
//! One idea (the readable formatting written without `core::fmt`), about
//! 600 lines and their tests.

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

/// The same pairs as arrays, to copy into a byte buffer.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let bytes = PAIRS.as_bytes();
    let mut table = [[0u8; 2]; 100];
    let mut n = 0;
    while n < 100 {
        table[n] = [bytes[2 * n], bytes[2 * n + 1]];
        n += 1;
    }
    table
};

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
    match i64::try_from(units) {
        Ok(units) => push_units_right_aligned(out, units, dp, width),
        Err(_) => push_magnitude(out, units < 0, units.unsigned_abs(), dp, width),
    }
}

/// Writes `units × 10^-dp` (a fixed-point count, such as cents) with `dp`
/// places (at most 18), without allocating: the text `format_fixed` gives
/// the same value as a `Decimal`.
#[inline]
pub fn write_units(out: &mut String, units: i64, dp: u32) {
    write_units_between(out, units, dp, None);
}

/// Writes `units × 10^-dp` as [`write_units`] does, between two `quote`
/// bytes when there is one (a JSON string).
#[inline(always)]
pub fn write_units_between(out: &mut String, units: i64, dp: u32, quote: Option<u8>) {
    assert!(dp <= 18, "at most 18 places");
    // Written from the end backwards (no length to work out first), then
    // pushed as one copy of a constant size where it is short enough.
    // The text ends at END; the longest (a sign, 19 digits, a point and
    // two quotes) starts at END - 23, and a 32-byte copy from the shortest
    // one's start stays within the buffer.
    const END: usize = 48;
    let mut buffer = [0u8; END + 32];
    let mut at = END;
    if let Some(quote) = quote {
        at -= 1;
        buffer[at] = quote;
    }
    let mut n = units.unsigned_abs();
    for _ in 0..dp / 2 {
        at -= 2;
        buffer[at..at + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if dp % 2 == 1 {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    at -= 1;
    buffer[at] = b'.';
    while n >= 100 {
        at -= 2;
        buffer[at..at + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if n >= 10 {
        at -= 2;
        buffer[at..at + 2].copy_from_slice(&DIGIT_PAIRS[n as usize]);
    } else {
        at -= 1;
        buffer[at] = b'0' + n as u8;
    }
    if units < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    if let Some(quote) = quote {
        at -= 1;
        buffer[at] = quote;
    }
    let len = END - at;
    if len <= 32 {
        let block: &[u8; 32] = buffer[at..at + 32].try_into().expect("32 bytes");
        // SAFETY: digits, a point, a sign, the quote (ASCII by the
        // callers: a `"`) and zeros.
        debug_assert!(block.is_ascii());
        unsafe { push_ascii_prefix(out, block, len) };
    } else {
        // SAFETY: as above.
        out.push_str(unsafe { std::str::from_utf8_unchecked(&buffer[at..END]) });
    }
}

/// Appends the first `n` bytes of `block`, a block of a constant size: the
/// whole block copied into room reserved for it (a few instructions, where
/// a copy of `n` bytes is a call to `memcpy`), then the length set to
/// take only `n` of them. The domain commands write some forty of these a
/// contract's instalment.
///
/// # Safety
///
/// `block[..n]` must be ASCII (so that the `String` stays UTF-8).
#[inline(always)]
pub unsafe fn push_ascii_prefix<const N: usize>(out: &mut String, block: &[u8; N], n: usize) {
    assert!(n <= N);
    debug_assert!(block[..n].is_ascii());
    out.reserve(N);
    // SAFETY: `reserve` made room for `N` bytes past the length, and all
    // `N` are written before the length grows by `n <= N` over them; the
    // caller promises that those `n` are ASCII.
    unsafe {
        let bytes = out.as_mut_vec();
        let len = bytes.len();
        std::ptr::copy_nonoverlapping(block.as_ptr(), bytes.as_mut_ptr().add(len), N);
        bytes.set_len(len + n);
    }
}

/// Writes `n` in decimal, as `itoa` and `Display` do.
#[inline]
pub fn write_count(out: &mut String, n: u64) {
    if n < 1000 {
        // A day count, an instalment's number: one to three digits.
        let n = n as usize;
        let mut buffer = [0u8; 4];
        let len = if n < 10 {
            buffer[0] = b'0' + n as u8;
            1
        } else if n < 100 {
            buffer[..2].copy_from_slice(&DIGIT_PAIRS[n]);
            2
        } else {
            buffer[0] = b'0' + (n / 100) as u8;
            buffer[1..3].copy_from_slice(&DIGIT_PAIRS[n % 100]);
            3
        };
        // SAFETY: digits and zeros.
        unsafe { push_ascii_prefix(out, &buffer, len) };
    } else {
        out.push_str(itoa::Buffer::new().format(n));
    }
}

/// Writes `units × 10^-dp` right-aligned in `width` columns.
pub fn push_units_right_aligned(out: &mut String, units: i64, dp: u32, width: usize) {
    let mut buffer = [0u8; UNITS_TEXT];
    let text = units_text(&mut buffer, units, dp);
    pad(out, width.saturating_sub(text.len()));
    out.push_str(text);
}

/// Room for an `i64` with a sign, a point and a leading zero.
const UNITS_TEXT: usize = 32;

/// `units × 10^-dp` as text, written into `buffer` (see [`put_units_into`])
/// so that the caller pushes it in one piece.
fn units_text(buffer: &mut [u8; UNITS_TEXT], units: i64, dp: u32) -> &str {
    let len = put_units_into(buffer, units, dp);
    let text = &buffer[..len];
    debug_assert!(text.is_ascii());
    // SAFETY: `put_units_into` writes only ASCII digits, a point and a
    // sign. Validating the text again was a tenth of the zakat pipeline's
    // profile when its receipts were written this way.
    unsafe { std::str::from_utf8_unchecked(text) }
}

/// The length of `units × 10^-dp` as text: sign, whole digits (at least
/// one), point, places.
#[inline]
fn units_len(units: i64, dp: u32) -> usize {
    let digits = units
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |log| log + 1)
        .max(dp + 1) as usize;
    usize::from(units < 0) + digits + 1
}

/// Writes `units × 10^-dp` (at most 18 places) at the start of `text`, two
/// digits at a time from the right, and returns its length: the one digit
/// writer of both sinks.
#[inline]
fn put_units_into(text: &mut [u8; UNITS_TEXT], units: i64, dp: u32) -> usize {
    assert!(dp <= 18, "at most 18 places");
    let len = units_len(units, dp);
    let negative = usize::from(units < 0);
    let mut n = units.unsigned_abs();
    let mut at = len;
    for _ in 0..dp / 2 {
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if dp % 2 == 1 {
        at -= 1;
        text[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    at -= 1;
    text[at] = b'.';
    while at >= negative + 2 {
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if at == negative + 1 {
        text[at - 1] = b'0' + n as u8;
    }
    if negative == 1 {
        text[0] = b'-';
    }
    len
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
#[inline]
pub fn write_date(out: &mut String, date: crate::date::CivilDate) {
    let year = date.year() as usize;
    let mut text = *b"0000-00-00";
    text[..2].copy_from_slice(&DIGIT_PAIRS[year / 100 % 100]);
    text[2..4].copy_from_slice(&DIGIT_PAIRS[year % 100]);
    text[5..7].copy_from_slice(&DIGIT_PAIRS[usize::from(date.month()) % 100]);
    text[8..].copy_from_slice(&DIGIT_PAIRS[usize::from(date.day()) % 100]);
    // SAFETY: digits and hyphens.
    unsafe { push_ascii_prefix(out, &text, text.len()) };
}

/// Writes `text` right-aligned in `width` columns, as `format!("{text:>width$}")`
/// does for ASCII text.
pub fn push_right_aligned(out: &mut String, text: &str, width: usize) {
    pad(out, width.saturating_sub(text.len()));
    out.push_str(text);
}

/// Where the optimized writers put text: a `String`, or a [`Record`].
pub trait Sink {
    /// Appends `text`.
    fn put(&mut self, text: &str);

    /// Appends `units × 10^-DP` as [`write_units`] writes it.
    fn put_units<const DP: u32>(&mut self, units: i64) {
        let mut buffer = [0u8; UNITS_TEXT];
        self.put(units_text(&mut buffer, units, DP));
    }

    /// Appends `units × 10^-DP` right-aligned in `width` columns, as
    /// [`push_units_right_aligned`] writes it.
    fn put_units_aligned<const DP: u32>(&mut self, units: i64, width: usize) {
        let mut buffer = [0u8; UNITS_TEXT];
        self.put_aligned(units_text(&mut buffer, units, DP), width);
    }

    /// Appends `text` right-aligned in `width` columns, as
    /// [`push_right_aligned`] writes it.
    fn put_aligned(&mut self, text: &str, width: usize) {
        let mut n = width.saturating_sub(text.len());
        while n > 0 {
            let chunk = n.min(SPACES.len());
            self.put(&SPACES[..chunk]);
            n -= chunk;
        }
        self.put(text);
    }

    /// Appends a few ASCII bytes (a currency code).
    fn put_ascii<const N: usize>(&mut self, bytes: [u8; N]) {
        self.put(std::str::from_utf8(&bytes).expect("ASCII"));
    }

    /// Appends a date as [`write_date`] writes it.
    fn put_date(&mut self, date: crate::date::CivilDate) {
        let year = date.year() as u32;
        for piece in [
            pair(year / 100),
            pair(year % 100),
            "-",
            pair(u32::from(date.month())),
            "-",
            pair(u32::from(date.day())),
        ] {
            self.put(piece);
        }
    }
}

impl Sink for String {
    #[inline]
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// The most bytes a [`Record`] holds.
pub const RECORD_CAPACITY: usize = 2048;

/// One record's text (a receipt, a statement row) built on the stack and
/// handed to its `String` in one piece.
///
/// `push_str` on a `String` checks the capacity and calls `memcpy` for
/// every piece, however short: a receipt is some forty pieces. Here a
/// literal piece is a copy of known size, which the compiler inlines as a
/// few moves, and numbers and dates are written in place. The caller makes
/// sure the record fits (a piece that does not fit panics, like any slice
/// index out of bounds).
pub struct Record {
    bytes: [u8; RECORD_CAPACITY],
    len: usize,
}

impl Default for Record {
    fn default() -> Record {
        Record {
            bytes: [0; RECORD_CAPACITY],
            len: 0,
        }
    }
}

impl Record {
    /// The text so far.
    pub fn as_str(&self) -> &str {
        let bytes = &self.bytes[..self.len];
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: the record holds only what `Sink`'s methods wrote: whole
        // `&str`s, ASCII digits, points, signs and dashes, and bytes
        // `put_ascii` checked; a concatenation of UTF-8 texts is UTF-8.
        // Validating it again took a tenth of the zakat pipeline's
        // instructions.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// Empties the record.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// `n` spaces: a copy of constant size, of which `n` bytes are kept.
    #[inline]
    fn pad(&mut self, n: usize) {
        const SOME: usize = 16;
        if n <= SOME {
            let start = self.len;
            self.bytes[start..start + SOME].copy_from_slice(&SPACES.as_bytes()[..SOME]);
            self.len += n;
        } else {
            self.take(n).fill(b' ');
        }
    }

    /// The next `n` bytes, to write in place.
    #[inline]
    fn take(&mut self, n: usize) -> &mut [u8] {
        let start = self.len;
        self.len += n;
        &mut self.bytes[start..start + n]
    }
}

impl Sink for Record {
    #[inline]
    fn put(&mut self, text: &str) {
        self.take(text.len()).copy_from_slice(text.as_bytes());
    }

    #[inline]
    fn put_ascii<const N: usize>(&mut self, bytes: [u8; N]) {
        assert!(bytes.is_ascii(), "ASCII");
        self.take(N).copy_from_slice(&bytes);
    }

    #[inline]
    fn put_aligned(&mut self, text: &str, width: usize) {
        self.pad(width.saturating_sub(text.len()));
        self.put(text);
    }

    #[inline]
    fn put_units_aligned<const DP: u32>(&mut self, units: i64, width: usize) {
        self.pad(width.saturating_sub(units_len(units, DP)));
        self.put_units::<DP>(units);
    }

    #[inline]
    fn put_units<const DP: u32>(&mut self, units: i64) {
        if units == 0 {
            // The commonest figure on a receipt (no debts, no treasure,
            // nothing due): one copy.
            self.put(&"0.000000000000000000"[..2 + DP as usize]);
            return;
        }
        // The text is built in a small array, then all of the array is
        // copied (a copy of constant size, a couple of vector moves) and
        // only the text's length kept: cheaper than a copy of the text's
        // own length, which is a call to memcpy.
        let mut text = [0u8; UNITS_TEXT];
        let len = put_units_into(&mut text, units, DP);
        let start = self.len;
        self.bytes[start..start + UNITS_TEXT].copy_from_slice(&text);
        self.len += len;
    }

    #[inline]
    fn put_date(&mut self, date: crate::date::CivilDate) {
        let year = date.year() as u32;
        let out = self.take(10);
        out.copy_from_slice(b"0000-00-00");
        for (at, two) in [
            (0, year / 100),
            (2, year % 100),
            (5, u32::from(date.month())),
            (8, u32::from(date.day())),
        ] {
            out[at..at + 2].copy_from_slice(pair(two).as_bytes());
        }
    }
}

/// A text made of parts written apart (on different threads, say) and
/// never joined: compared, hashed and written out as the one text the parts
/// make end to end. Joining a run's receipts into one `String` would copy
/// them all once more, and fault in a second buffer as large.
#[derive(Clone, Default)]
pub struct Document {
    parts: Vec<String>,
}

impl Document {
    /// The document the parts make, in order.
    pub fn from_parts(parts: Vec<String>) -> Document {
        Document { parts }
    }

    /// The length of the whole text, in bytes.
    pub fn len(&self) -> usize {
        self.parts.iter().map(String::len).sum()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of the text, a part at a time, without the empty parts.
    fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        self.parts
            .iter()
            .map(|p| p.as_bytes())
            .filter(|p| !p.is_empty())
    }
}

impl From<String> for Document {
    fn from(text: String) -> Document {
        Document { parts: vec![text] }
    }
}

impl std::fmt::Display for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parts.iter().try_for_each(|part| f.write_str(part))
    }
}

impl serde::Serialize for Document {
    /// As the one text it is (a lesson's output is compared as it prints).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Document").field(&self.to_string()).finish()
    }
}

impl PartialEq for Document {
    fn eq(&self, other: &Document) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let (mut mine, mut theirs) = (self.chunks(), other.chunks());
        let (mut a, mut b): (&[u8], &[u8]) = (&[], &[]);
        loop {
            if a.is_empty() {
                a = mine.next().unwrap_or_default();
            }
            if b.is_empty() {
                b = theirs.next().unwrap_or_default();
            }
            if a.is_empty() || b.is_empty() {
                // Equal lengths: both ran out together.
                return true;
            }
            let n = a.len().min(b.len());
            if a[..n] != b[..n] {
                return false;
            }
            (a, b) = (&a[n..], &b[n..]);
        }
    }
}

impl Eq for Document {}

impl std::hash::Hash for Document {
    /// Hashes the text in blocks of a fixed size, whatever the parts, so
    /// that equal documents hash equal.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        const BLOCK: usize = 4096;
        let mut block = [0u8; BLOCK];
        let mut filled = 0;
        for mut chunk in self.chunks() {
            while !chunk.is_empty() {
                let n = chunk.len().min(BLOCK - filled);
                block[filled..filled + n].copy_from_slice(&chunk[..n]);
                (filled, chunk) = (filled + n, &chunk[n..]);
                if filled == BLOCK {
                    state.write(&block);
                    filled = 0;
                }
            }
        }
        state.write(&block[..filled]);
        state.write_usize(self.len());
    }
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

    /// Every figure to three precisions and a date, through any sink.
    fn sample<S: Sink>(out: &mut S, units: i64) {
        out.put_units::<2>(units);
        out.put(" | ");
        out.put_units::<3>(units);
        out.put(" | ");
        out.put_units::<10>(units);
        out.put(" on ");
        out.put_date("2026-02-18".parse().unwrap());
        out.put_units_aligned::<2>(units, 12);
        out.put_aligned("x", 5);
        out.put_aligned("unpaid", 70);
    }

    #[test]
    fn a_record_and_a_string_write_what_format_fixed_writes() {
        for units in [
            0,
            1,
            -1,
            5,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            123_456,
            -90,
            i64::MAX,
            i64::MIN,
        ] {
            let expected = format!(
                "{} | {} | {} on 2026-02-18{:>12}{:>5}{:>70}",
                format_fixed(Decimal::new(units, 2), 2),
                format_fixed(Decimal::new(units, 3), 3),
                format_fixed(Decimal::new(units, 10), 10),
                format_fixed(Decimal::new(units, 2), 2),
                "x",
                "unpaid"
            );
            let mut record = Record::default();
            sample(&mut record, units);
            assert_eq!(record.as_str(), expected, "{units}");
            let mut text = String::new();
            sample(&mut text, units);
            assert_eq!(text, expected, "{units}");
        }
    }

    #[test]
    fn a_document_is_its_text_however_it_is_cut() {
        use std::hash::{BuildHasher, RandomState};
        let text = "ZAKAT RECEIPT 1\n\n".repeat(700);
        let state = RandomState::new();
        let hash = |d: &Document| state.hash_one(d);
        let whole = Document::from(text.clone());
        for cuts in [
            vec![0, 0],
            vec![1],
            vec![5000, 5001, 9000],
            vec![text.len()],
        ] {
            let mut parts = Vec::new();
            let mut from = 0;
            for cut in cuts {
                parts.push(text[from..cut].to_owned());
                from = cut;
            }
            parts.push(text[from..].to_owned());
            let document = Document::from_parts(parts);
            assert_eq!(document, whole);
            assert_eq!(document.to_string(), text);
            assert_eq!(hash(&document), hash(&whole));
        }
        let mut changed = text.clone();
        changed.replace_range(9000..9001, "X");
        assert_ne!(Document::from(changed), whole);
        assert_ne!(Document::from(text[1..].to_owned()), whole);
        assert_eq!(
            Document::default(),
            Document::from_parts(vec![String::new(); 3])
        );
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
