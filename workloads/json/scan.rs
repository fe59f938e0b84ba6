//! Finding the records in a JSON document without parsing them: the
//! structural scan that lets a document's records be parsed on every core.
//!
//! The scan only finds where things are. It checks nothing a parser
//! would: every byte it passes over is parsed afterwards (the context with
//! an empty record array, each record on its own), and anything it does
//! not expect (a key with an escape, the record field twice, a byte that
//! cannot start a value) makes it give up, so that the caller hands the
//! whole document to the reference parser, which reports the problem.

use std::ops::Range;

/// A document split at its records.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    /// The document with its record array emptied (`"payers":[]`): the
    /// context, which the reference parser reads as a whole document.
    pub context: Vec<u8>,
    /// Where each record's text is in the document, in order.
    pub records: Vec<Range<usize>>,
}

/// Splits a document (one object) at the elements of its top-level array
/// field `field`; `None` where the scan gives up.
pub fn split(text: &[u8], field: &str) -> Option<Split> {
    let mut at = skip_ws(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let mut array: Option<(Range<usize>, Vec<Range<usize>>)> = None;
    loop {
        at = skip_ws(text, at);
        match text.get(at)? {
            // An empty object, or a trailing comma the parser refuses.
            b'}' => {
                at += 1;
                break;
            }
            b'"' => {}
            _ => return None,
        }
        let key;
        (key, at) = key_at(text, at)?;
        if key == field.as_bytes() {
            if array.is_some() || text.get(at) != Some(&b'[') {
                return None;
            }
            let (end, records) = elements(text, at)?;
            array = Some((at..end, records));
            at = end;
        } else {
            at = value_end(text, at)?;
        }
        at = skip_ws(text, at);
        match text.get(at)? {
            b',' => at += 1,
            b'}' => {
                at += 1;
                break;
            }
            _ => return None,
        }
    }
    if skip_ws(text, at) != text.len() {
        return None;
    }
    let (span, records) = array?;
    let mut context = Vec::with_capacity(text.len() - span.len() + 2);
    context.extend_from_slice(&text[..span.start]);
    context.extend_from_slice(b"[]");
    context.extend_from_slice(&text[span.end..]);
    Some(Split { context, records })
}

/// Where a document's record array lies, when it is the document's last
/// field: found by reading the fields before it and looking at the bytes
/// after it from the end, without reading the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The index of the array's `[`.
    pub open: usize,
    /// The index of the `]` that the document's last `}` follows: the
    /// array's own, unless the document is not what it seems (which the
    /// reading of the records finds out).
    pub close: usize,
}

impl Region {
    /// The document with its record array emptied, as [`split`] gives it.
    pub fn context(&self, text: &[u8]) -> Vec<u8> {
        let mut context = Vec::with_capacity(self.open + 1 + text.len() - self.close);
        context.extend_from_slice(&text[..=self.open]);
        context.extend_from_slice(&text[self.close..]);
        context
    }

    /// The index of the first non-blank byte inside the array.
    pub fn first(&self, text: &[u8]) -> usize {
        skip_ws(text, self.open + 1)
    }
}

/// Where the array field `field` of a document lies, if it is the last
/// field of the document's object; `None` where the scan gives up.
pub fn region(text: &[u8], field: &str) -> Option<Region> {
    let mut at = skip_ws(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let open = loop {
        at = skip_ws(text, at);
        if text.get(at) != Some(&b'"') {
            return None;
        }
        let key;
        (key, at) = key_at(text, at)?;
        if key == field.as_bytes() {
            if text.get(at) != Some(&b'[') {
                return None;
            }
            break at;
        }
        at = skip_ws(text, value_end(text, at)?);
        if text.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
    };
    let mut end = text.len();
    let mut back = |wanted: u8| {
        while end > 0 && matches!(text[end - 1], b' ' | b'\n' | b'\r' | b'\t') {
            end -= 1;
        }
        if end == 0 || text[end - 1] != wanted {
            return None;
        }
        end -= 1;
        Some(end)
    };
    back(b'}')?;
    let close = back(b']')?;
    (close > open).then_some(Region { open, close })
}

/// The key whose string opens at `at` (without an escape, which the scan
/// leaves to the parser), and the index of its value after the `:`.
fn key_at(text: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let key_end = string_end(text, at)?;
    let key = &text[at + 1..key_end - 1];
    if key.contains(&b'\\') {
        return None;
    }
    let colon = skip_ws(text, key_end);
    if text.get(colon) != Some(&b':') {
        return None;
    }
    Some((key, skip_ws(text, colon + 1)))
}

/// The index of the first byte at or after `at` that is not white space.
pub fn skip_ws_at(text: &[u8], at: usize) -> usize {
    skip_ws(text, at)
}

/// The elements of the array that opens at `at`, and the index after it.
fn elements(text: &[u8], at: usize) -> Option<(usize, Vec<Range<usize>>)> {
    let mut records = Vec::new();
    let mut at = skip_ws(text, at + 1);
    if text.get(at) == Some(&b']') {
        return Some((at + 1, records));
    }
    loop {
        let end = value_end(text, at)?;
        records.push(at..end);
        at = skip_ws(text, end);
        match text.get(at)? {
            b',' => at = skip_ws(text, at + 1),
            b']' => return Some((at + 1, records)),
            _ => return None,
        }
    }
}

fn skip_ws(text: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = text.get(at) {
        at += 1;
    }
    at
}

/// The index after the string that opens at `at`.
fn string_end(text: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', text.get(i..)?)?;
        if text[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// The bytes that open or close a string, an object or an array.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The index after the value that starts at `at`: a string, an object or
/// array with everything in it, or a scalar up to the next delimiter.
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    match *text.get(at)? {
        b'"' => string_end(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                // A table look-up a byte: the scan's inner loop.
                i += text
                    .get(i..)?
                    .iter()
                    .position(|&b| STRUCTURAL[b as usize])?;
                match text[i] {
                    b'"' => {
                        i = string_end(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                }
                i += 1;
            }
        }
        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
            let mut i = at;
            while let Some(&b) = text.get(i) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                i += 1;
            }
            Some(i)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, field: &str) -> Option<(String, Vec<String>)> {
        let split = split(text.as_bytes(), field)?;
        Some((
            String::from_utf8(split.context).unwrap(),
            split
                .records
                .into_iter()
                .map(|r| text[r].to_string())
                .collect(),
        ))
    }

    #[test]
    fn finds_the_records_and_empties_the_array() {
        let text = r#" { "a": {"x": [1, "]\"}"]}, "payers" : [ {"id": "p,1"} ,{"id":"}"}, 3 ] , "z": null } "#;
        let (context, records) = pieces(text, "payers").unwrap();
        assert_eq!(
            context,
            r#" { "a": {"x": [1, "]\"}"]}, "payers" : [] , "z": null } "#
        );
        assert_eq!(records, [r#"{"id": "p,1"}"#, r#"{"id":"}"}"#, "3"]);
        assert_eq!(
            pieces(r#"{"payers":[]}"#, "payers").unwrap(),
            (r#"{"payers":[]}"#.to_string(), vec![])
        );
    }

    #[test]
    fn finds_a_last_record_array_from_both_ends() {
        let text = br#" { "a": {"x": [1, "]"]}, "payers" : [ {"id": 1} ,{"id":"]"} ] } "#;
        let found = region(text, "payers").unwrap();
        assert_eq!(text[found.open], b'[');
        assert_eq!(&text[found.first(text)..found.first(text) + 3], br#"{"i"#);
        assert_eq!(
            String::from_utf8(found.context(text)).unwrap(),
            r#" { "a": {"x": [1, "]"]}, "payers" : [] } "#
        );
        // Where the bytes from the end are not the array's, the reading of
        // the records finds out: here the region ends at the other array's
        // bracket.
        let text = br#"{"payers":[{"id":1}],"z":[2]}"#;
        assert_eq!(region(text, "payers").unwrap().close, text.len() - 2);
        for text in [
            r#"{"payers":[1],"z":3}"#,
            r#"{"payers":{}}"#,
            r#"{"z":[1]}"#,
            r#"{"payers":[1]"#,
            r#"[{"payers":[1]}]"#,
            r#"{"p\u0061yers":[1]}"#,
        ] {
            assert_eq!(region(text.as_bytes(), "payers"), None, "{text}");
        }
    }

    #[test]
    fn gives_up_on_what_the_parser_must_judge() {
        for text in [
            "",
            "[]",
            r#"{"payers":[1]"#,
            r#"{"payers":[1]} x"#,
            r#"{"payers":[1],"payers":[2]}"#,
            r#"{"pay\u0065rs":[1]}"#,
            r#"{"payers":{}}"#,
            r#"{"other":1}"#,
            r#"{"payers":[1,]}"#,
            r#"{"payers":["open]}"#,
            r#"{"payers":[1] "a":2}"#,
        ] {
            assert_eq!(split(text.as_bytes(), "payers"), None, "{text}");
        }
    }
}
