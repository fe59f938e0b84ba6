//! Results held in memory for output that cannot be taken back (a pipe,
//! a terminal, `/dev/null`) until the whole document is known good: each
//! record's result packed by its domain where it has a packed form (a
//! plain zakat assessment: its figures and its id, some 70 bytes against
//! the 383 of its pretty text), its text otherwise; written out only
//! after the first pass, into buffers the writer hands back. What it saves
//! is memory touched for the first time: every page of held text was a
//! page fault and a page the kernel zeroed.

use crate::input::InputError;
use crate::json::JsonWriter;

/// A record's text follows: its length (four bytes), then the text.
const TEXT: u8 = 0;
/// A record packed by its domain follows ([`Held::packed`]).
const PACKED: u8 = 1;

/// One task's results, held: a tag a record, then its packed form or its
/// text.
pub struct Held {
    /// The records' tags and forms, in order.
    bytes: Vec<u8>,
    /// Room to write one record's text in before it is copied in.
    scratch: String,
    /// Whether the output is indented.
    pretty: bool,
}

impl Held {
    /// Room for `capacity` bytes of results, to be written `pretty` or
    /// not.
    pub(super) fn with_capacity(capacity: usize, pretty: bool) -> Held {
        Held {
            bytes: Vec::with_capacity(capacity),
            scratch: String::new(),
            pretty,
        }
    }

    /// Bytes held.
    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Holds the text `write` writes as one element of the output's
    /// record array; nothing when it fails.
    pub fn text(
        &mut self,
        write: impl FnOnce(&mut JsonWriter<'_>) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        self.scratch.clear();
        // The first element of its array: no comma before it, which the
        // writing adds where one is due.
        write(&mut JsonWriter::inside_array(
            &mut self.scratch,
            self.pretty,
            2,
            true,
        ))?;
        let len = u32::try_from(self.scratch.len()).expect("a record's text is under 4 GiB");
        self.bytes.push(TEXT);
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(self.scratch.as_bytes());
        Ok(())
    }

    /// Where a domain packs its next record, which its `unpack` reads back
    /// (see [`Held::write`]).
    pub fn packed(&mut self) -> &mut Vec<u8> {
        self.bytes.push(PACKED);
        &mut self.bytes
    }

    /// Writes every record held into `out` as elements of the output's
    /// record array, the first with no comma before it if `first`;
    /// `unpack` writes one packed record from the start of the bytes it is
    /// given and says how many it read.
    pub(super) fn write(
        &self,
        out: &mut String,
        mut first: bool,
        mut unpack: impl FnMut(&[u8], &mut JsonWriter<'_>) -> usize,
    ) {
        let mut at = 0;
        while let Some(&tag) = self.bytes.get(at) {
            at += 1;
            if tag == TEXT {
                let len = u32::from_le_bytes(
                    self.bytes[at..at + 4]
                        .try_into()
                        .expect("four bytes of length"),
                ) as usize;
                at += 4;
                if !first {
                    out.push(',');
                }
                out.push_str(
                    std::str::from_utf8(&self.bytes[at..at + len])
                        .expect("the text held was a String"),
                );
                at += len;
            } else {
                let mut w = JsonWriter::inside_array(out, self.pretty, 2, first);
                at += unpack(&self.bytes[at..], &mut w);
            }
            first = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A packed record in these tests: one byte, written as that number.
    fn unpack(bytes: &[u8], w: &mut JsonWriter<'_>) -> usize {
        w.element();
        w.number(u64::from(bytes[0]));
        1
    }

    fn held(pretty: bool) -> Held {
        let mut held = Held::with_capacity(0, pretty);
        held.packed().push(7);
        held.text(|w| {
            w.element();
            w.string("text");
            Ok(())
        })
        .unwrap();
        let failed = held.text(|w| {
            w.element();
            w.string("half");
            Err(InputError::new("payers[2]", "refused"))
        });
        assert!(failed.is_err());
        held.packed().push(9);
        held
    }

    #[test]
    fn held_records_are_written_as_their_writer_writes_them_and_a_failure_holds_nothing() {
        for (pretty, first) in [(true, true), (true, false), (false, true), (false, false)] {
            let mut direct = String::new();
            let mut w = JsonWriter::inside_array(&mut direct, pretty, 2, first);
            w.element();
            w.number(7);
            w.element();
            w.string("text");
            w.element();
            w.number(9);
            let mut written = String::new();
            held(pretty).write(&mut written, first, unpack);
            assert_eq!(written, direct, "pretty {pretty}, first {first}");
        }
        let compact = held(false);
        let mut written = String::new();
        compact.write(&mut written, false, unpack);
        assert_eq!(written, r#",7,"text",9"#);
        // Three tags, two packed bytes, a text's length (4) and its 6 bytes.
        assert_eq!(compact.len(), 3 + 2 + 4 + 6);
    }
}
