//! JSON written by hand, byte for byte as `serde_json` writes it: the
//! domain commands' fast output.
//!
//! `serde_json::to_writer_pretty` spends most of its time in `core::fmt`
//! (a `Decimal`'s `Display` for every figure, through a `String` each) and
//! in its generic map machinery. [`JsonWriter`] writes the same layout
//! (two-space indentation, `"key": value`, `[]` and `{}` for empty ones;
//! or the compact form) with the digit writers of [`crate::text`], into a
//! `String` that a part of the output owns. The tests hold every record
//! writer to `serde_json`'s text of the same value.

pub mod scan;

use rust_decimal::Decimal;

use crate::date::CivilDate;

/// A newline and spaces for indentation, sliced rather than pushed one
/// by one.
const NEWLINE_INDENT: &str = "\n                                                                ";

/// Writes JSON values into a `String`, in `serde_json`'s pretty or compact
/// layout.
#[derive(Debug)]
pub struct JsonWriter<'a> {
    out: &'a mut String,
    pretty: bool,
    depth: usize,
    /// Whether the container being written has no entry yet.
    first: bool,
}

impl<'a> JsonWriter<'a> {
    /// A writer at the top level of a document.
    pub fn new(out: &'a mut String, pretty: bool) -> Self {
        JsonWriter {
            out,
            pretty,
            depth: 0,
            first: true,
        }
    }

    /// A writer inside an array that is open at `depth` (1 for the top
    /// level's own fields' values): `first` when no element of the array
    /// has been written yet, in this part of the output or an earlier one.
    pub fn inside_array(out: &'a mut String, pretty: bool, depth: usize, first: bool) -> Self {
        JsonWriter {
            out,
            pretty,
            depth,
            first,
        }
    }

    #[inline(always)]
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.out.push(',');
        }
        if self.pretty {
            self.newline();
        }
    }

    /// A newline and the indentation of the current depth, in one piece.
    #[inline(always)]
    fn newline(&mut self) {
        let n = 1 + 2 * self.depth;
        if n <= 32 {
            let block: &[u8; 32] = NEWLINE_INDENT.as_bytes()[..32]
                .try_into()
                .expect("32 bytes");
            // SAFETY: a newline and spaces.
            unsafe { crate::text::push_ascii_prefix(self.out, block, n) };
        } else if n <= NEWLINE_INDENT.len() {
            self.out.push_str(&NEWLINE_INDENT[..n]);
        } else {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    /// Opens an object.
    #[inline]
    pub fn begin_object(&mut self) {
        self.out.push('{');
        self.depth += 1;
        self.first = true;
    }

    /// Closes the object opened last.
    #[inline]
    pub fn end_object(&mut self) {
        self.close('}');
    }

    /// Opens an array.
    #[inline]
    pub fn begin_array(&mut self) {
        self.out.push('[');
        self.depth += 1;
        self.first = true;
    }

    /// Closes the array opened last.
    #[inline]
    pub fn end_array(&mut self) {
        self.close(']');
    }

    #[inline]
    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if !self.first && self.pretty {
            self.newline();
        }
        self.out.push(bracket);
        // The container holds at least the one just closed.
        self.first = false;
    }

    /// Starts an object's field: the separator and `"name": `. `name` is
    /// one of the program's own field names, which need no escaping.
    #[inline(always)]
    pub fn key(&mut self, name: &str) {
        debug_assert!(!needs_escape(name));
        let indent = 2 * self.depth;
        if self.pretty && !self.first && indent + name.len() + 6 <= 64 && name.is_ascii() {
            // A field after the first, pretty: `,`, the newline and
            // indentation, `"name": ` built in one block and pushed as one
            // copy of a constant size (the name, a constant where this is
            // inlined, folds into the block).
            let mut block = [b' '; 64];
            block[0] = b',';
            block[1] = b'\n';
            let at = 2 + indent;
            block[at] = b'"';
            block[at + 1..at + 1 + name.len()].copy_from_slice(name.as_bytes());
            let end = at + 1 + name.len();
            block[end..end + 3].copy_from_slice(b"\": ");
            // SAFETY: a comma, a newline, spaces, quotes, a colon and the
            // name, checked ASCII above.
            unsafe { crate::text::push_ascii_prefix(self.out, &block, end + 3) };
            return;
        }
        self.separate();
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    /// Starts an array's element: the separator.
    #[inline]
    pub fn element(&mut self) {
        self.separate();
    }

    /// A string, escaped as `serde_json` escapes it.
    #[inline]
    pub fn string(&mut self, text: &str) {
        if needs_escape(text) {
            let escaped = serde_json::to_string(text).expect("a string always serializes");
            self.out.push_str(&escaped);
        } else {
            self.out.push('"');
            self.out.push_str(text);
            self.out.push('"');
        }
    }

    /// A decimal string with exactly `dp` places, as
    /// [`crate::money::format_fixed`] writes it.
    pub fn fixed(&mut self, value: Decimal, dp: u32) {
        self.out.push('"');
        crate::text::write_fixed(self.out, value, dp);
        self.out.push('"');
    }

    /// `units × 10^-dp` as a decimal string (cents for `dp` = 2), as
    /// [`JsonWriter::fixed`] writes the same value as a `Decimal`.
    #[inline]
    pub fn units(&mut self, units: i64, dp: u32) {
        crate::text::write_units_between(self.out, units, dp, Some(b'"'));
    }

    /// Money: a decimal string with two places.
    pub fn money(&mut self, value: Decimal) {
        self.fixed(value, crate::money::MONEY_DP);
    }

    /// A date string, `"YYYY-MM-DD"`.
    #[inline]
    pub fn date(&mut self, date: CivilDate) {
        self.out.push('"');
        crate::text::write_date(self.out, date);
        self.out.push('"');
    }

    /// A whole number.
    #[inline]
    pub fn number(&mut self, n: u64) {
        crate::text::write_count(self.out, n);
    }

    /// `true` or `false`.
    #[inline]
    pub fn boolean(&mut self, value: bool) {
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.out.push_str("null");
    }

    /// The text written into, where the writer is in the layout `pretty`
    /// says and `depth` deep (after [`JsonWriter::element`] in an array
    /// opened at depth `depth - 1`, or at the top of a line): a caller that
    /// knows a value's whole layout there writes it as text. `None`
    /// elsewhere. The compact layout is the same at every depth, so a
    /// compact writer matches at any `depth`.
    #[inline]
    pub fn text_at(&mut self, pretty: bool, depth: usize) -> Option<&mut String> {
        (self.pretty == pretty && (!pretty || self.depth == depth)).then_some(&mut *self.out)
    }

    /// Text the caller knows to be JSON already (a `"name"` of an enum).
    pub fn raw(&mut self, json: &str) {
        self.out.push_str(json);
    }
}

/// Whether `serde_json` would escape something in `text`: a quote, a
/// backslash or a control character.
pub(crate) fn needs_escape(text: &str) -> bool {
    text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// Reads the JSON of one record by hand, for the shapes the domain
/// commands expect; `None` for anything else, which the caller then hands
/// to `serde_json` (whose result or error stands).
///
/// It accepts only what `serde_json` accepts and reads it the same way:
/// strings without escapes (an escape, a control character or bad UTF-8
/// gives `None`), integers without fraction or exponent, objects
/// and arrays. A record reader built on it gives `None` for a repeated or
/// unknown field, so that what it returns is what the derived
/// `Deserialize` would have built.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// A reader at index `at` of `bytes`: a value read from the middle of
    /// a document.
    pub fn at(bytes: &'a [u8], at: usize) -> Self {
        Reader { bytes, at }
    }

    /// The index of the next byte to read.
    pub fn position(&self) -> usize {
        self.at
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not white space, not consumed.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        // Compact input has no white space between tokens: one test.
        if let Some(&b) = self.bytes.get(self.at)
            && b > b' '
        {
            return Some(b);
        }
        self.skip_ws();
        self.bytes.get(self.at).copied()
    }

    /// Consumes `byte`, after white space.
    #[inline]
    pub fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Consumes `text` exactly, where it comes next (no white space
    /// skipped): a record reader that expects the layout
    /// `serde_json::to_string` writes checks a key and its punctuation as
    /// one comparison of a constant size.
    #[inline(always)]
    pub fn lit(&mut self, text: &[u8]) -> Option<()> {
        if self.bytes.len() - self.at >= text.len()
            && &self.bytes[self.at..self.at + text.len()] == text
        {
            self.at += text.len();
            Some(())
        } else {
            None
        }
    }

    /// A string with no escapes.
    #[inline(always)]
    pub fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        self.string_body()
    }

    /// The rest of a string with no escapes whose opening quote was
    /// consumed (by [`Reader::lit`]), and its closing quote.
    #[inline(always)]
    pub fn string_body(&mut self) -> Option<&'a str> {
        let rest = &self.bytes[self.at..];
        // Eight bytes at a time up to the first quote, backslash, control
        // character or non-ASCII byte: the reader's inner loop.
        let mut len = 0;
        while len + 8 <= rest.len() {
            // SAFETY: `len + 8 <= rest.len()`: eight bytes in bounds, read
            // unaligned (one load, where a checked slice is several
            // instructions more a word).
            let word = unsafe { std::ptr::read_unaligned(rest.as_ptr().add(len).cast::<u64>()) };
            let stops = ascii_stops(u64::from_le(word));
            if stops != 0 {
                len += (stops.trailing_zeros() / 8) as usize;
                break;
            }
            len += 8;
        }
        while rest
            .get(len)
            .is_some_and(|&b| b != b'"' && b != b'\\' && (0x20..0x80).contains(&b))
        {
            len += 1;
        }
        if rest.get(len)? & 0x80 != 0 {
            // Not ASCII: the slow way, checked as UTF-8.
            len += rest[len..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            let text = std::str::from_utf8(&rest[..len]).ok()?;
            if rest[len] != b'"' {
                return None;
            }
            self.at += len + 1;
            return Some(text);
        }
        if rest[len] != b'"' {
            return None;
        }
        self.at += len + 1;
        // SAFETY: every byte before `len` is ASCII, which is UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(&rest[..len]) })
    }

    /// An integer: an optional minus, then `0` or digits not starting
    /// with `0`; no fraction or exponent.
    #[inline]
    pub fn integer(&mut self) -> Option<i64> {
        self.skip_ws();
        let negative = self.bytes.get(self.at) == Some(&b'-');
        let start = self.at + usize::from(negative);
        let digits = self.bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(self.bytes.len() - start);
        let text = &self.bytes[start..start + digits];
        if digits == 0 || (digits > 1 && text[0] == b'0') || digits > 18 {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.bytes.get(start + digits) {
            return None;
        }
        self.at = start + digits;
        let value = text.iter().fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
        Some(if negative { -value } else { value })
    }

    /// An object: `field` is called with each key, to read its value.
    #[inline]
    pub fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array: `element` is called to read each element.
    #[inline]
    pub fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A date string, as `CivilDate`'s `Deserialize` reads it.
    #[inline]
    pub fn date(&mut self) -> Option<CivilDate> {
        self.eat(b'"')?;
        // `YYYY-MM-DD"`: the digits taken straight to the date, as
        // `FromStr` takes them (no string found first); anything else read
        // as a string and parsed.
        if let Some(text) = self.bytes.get(self.at..self.at + 11)
            && text[10] == b'"'
            && let Some((year, month, day)) = crate::date::ymd(&text[..10])
        {
            self.at += 11;
            return CivilDate::new(year, month, day).ok();
        }
        self.string_body()?.parse().ok()
    }

    /// A decimal string, as the input's value types read it.
    #[inline]
    pub fn decimal(&mut self) -> Option<Decimal> {
        self.eat(b'"')?;
        // The common shape straight from the bytes, up to the closing
        // quote; anything else read as a string and judged whole.
        if let Some((value, len)) = crate::money::leading_decimal(&self.bytes[self.at..])
            && self.bytes.get(self.at + len) == Some(&b'"')
        {
            self.at += len + 1;
            return Some(value);
        }
        self.decimal_judged()
    }

    #[cold]
    #[inline(never)]
    fn decimal_judged(&mut self) -> Option<Decimal> {
        crate::money::parse_decimal(self.string_body()?).ok()
    }

    /// A decimal string that is not negative, as `NonNegative`'s
    /// `Deserialize` reads it (minus zero passes).
    #[inline]
    pub fn non_negative(&mut self) -> Option<crate::input::NonNegative> {
        let value = self.decimal()?;
        (!value.is_sign_negative() || value.is_zero()).then_some(crate::input::NonNegative(value))
    }

    /// Nothing but white space is left.
    pub fn end(&mut self) -> Option<()> {
        (self.peek().is_none()).then_some(())
    }
}

/// The bytes of `word` (little-endian) at which a string without escapes
/// stops being plain ASCII: a quote, a backslash, a control character or
/// a byte of 0x80 and above, each marked by its high bit. Bits above the
/// first marked byte may be wrong (borrows); the first is exact.
#[inline]
fn ascii_stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control | (word & HIGH)
}

/// The fields of one object seen so far, to refuse a repeated one (as the
/// derived `Deserialize` does).
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen(u64);

impl Seen {
    /// Whether field `n` was marked.
    #[inline]
    pub fn has(&self, n: u32) -> bool {
        self.0 & (1u64 << n) != 0
    }

    /// Marks field `n` (below 64); `None` if it was seen before.
    #[inline]
    pub fn mark(&mut self, n: u32) -> Option<()> {
        let bit = 1u64 << n;
        if self.0 & bit != 0 {
            return None;
        }
        self.0 |= bit;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_match_serde_json() {
        let value = serde_json::json!({
            "a": "x\"y\\z\u{1}é",
            "b": [],
            "c": {},
            "d": [{ "e": null, "f": true }, 3],
        });
        for pretty in [true, false] {
            let mut out = String::new();
            let mut w = JsonWriter::new(&mut out, pretty);
            w.begin_object();
            w.key("a");
            w.string("x\"y\\z\u{1}é");
            w.key("b");
            w.begin_array();
            w.end_array();
            w.key("c");
            w.begin_object();
            w.end_object();
            w.key("d");
            w.begin_array();
            w.element();
            w.begin_object();
            w.key("e");
            w.null();
            w.key("f");
            w.boolean(true);
            w.end_object();
            w.element();
            w.number(3);
            w.end_array();
            w.end_object();
            let expected = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            assert_eq!(out, expected, "pretty: {pretty}");
        }
    }

    #[test]
    fn figures_match_the_readable_formatting() {
        for (text, dp) in [
            ("0", 2),
            ("-12.5", 2),
            ("79228162514264337593543950335", 2),
            ("0.0066666667", 10),
            ("100.125", 3),
        ] {
            let value: Decimal = text.parse().unwrap();
            let mut out = String::new();
            JsonWriter::new(&mut out, false).fixed(value, dp);
            assert_eq!(
                out,
                format!("\"{}\"", crate::money::format_fixed(value, dp))
            );
        }
        let mut out = String::new();
        let date = CivilDate::new(1999, 2, 3).unwrap();
        JsonWriter::new(&mut out, false).date(date);
        assert_eq!(out, serde_json::to_string(&date).unwrap());
    }

    #[test]
    fn dates_read_as_their_parser_reads_them() {
        for text in [
            "2024-02-29",
            "2023-02-29",
            "1900-01-01",
            "0000-01-01",
            "9999-12-31",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-1-01",
            "2024-01-1",
            "2024/01/01",
            "2024-01-01x",
            "+024-01-01",
            "2024-01-01 ",
            "",
        ] {
            let quoted = format!("\"{text}\",");
            let mut r = Reader::new(quoted.as_bytes());
            let read = r.date();
            assert_eq!(read, text.parse::<CivilDate>().ok(), "{text:?}");
            if read.is_some() {
                assert_eq!(r.position(), text.len() + 2, "{text:?}");
            }
        }
    }

    #[test]
    fn strings_read_as_serde_reads_them_wherever_they_stop() {
        // Every stop at every place in and around a word of eight bytes.
        let fillers = [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnopq",
        ];
        let stops = [
            "\"",
            "\\\"\"",
            "\u{1}\"",
            "é\"",
            "\u{7f}\"",
            "\u{1f}x\"",
            "",
        ];
        for before in fillers {
            for stop in stops {
                for after in ["", " ", "\"", "abcdefghij\""] {
                    let text = format!("\"{before}{stop}{after}");
                    let mut r = Reader::new(text.as_bytes());
                    let expected = serde_json::Deserializer::from_str(&text)
                        .into_iter::<&str>()
                        .next()
                        .and_then(Result::ok);
                    let read = r.string();
                    // The reader gives up on an escape; otherwise it reads
                    // what serde reads, and stops where serde stops.
                    match (read, expected) {
                        (Some(read), Some(expected)) => {
                            assert_eq!(read, expected, "{text:?}");
                            assert_eq!(r.position(), read.len() + 2, "{text:?}");
                        }
                        (None, _) => assert!(text.contains('\\') || expected.is_none(), "{text:?}"),
                        (Some(read), None) => panic!("{text:?} read as {read:?}"),
                    }
                }
            }
        }
    }
}
