//! Results held in memory for output that cannot be taken back (a pipe,
//! a terminal, `/dev/null`) until the whole document is known good: each
//! record's result packed by its domain where it has a packed form (a
//! plain zakat assessment: its figures and its id, some 65 bytes against
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

/// Records a segment: the unit written out at a time (some 390 KB of a
/// pretty zakat assessment's text). Small, so that few buffers are in
/// flight between the cores and the writer, and those few are written
/// into again; large enough that handing one over costs little beside
/// formatting it.
const SEGMENT: usize = 1024;

/// One task's results, held: a tag a record, then its packed form or its
/// text.
pub struct Held {
    /// The records' tags and forms, in order.
    bytes: Vec<u8>,
    /// Room to write one record's text in before it is copied in.
    scratch: String,
    /// Whether the output is indented.
    pretty: bool,
    /// Records held.
    records: usize,
    /// Where each segment's first record starts in `bytes`.
    marks: Vec<usize>,
}

impl Held {
    /// Room for `capacity` bytes of results, to be written `pretty` or
    /// not.
    pub(super) fn with_capacity(capacity: usize, pretty: bool) -> Held {
        Held {
            bytes: Vec::with_capacity(capacity),
            scratch: String::new(),
            pretty,
            records: 0,
            marks: Vec::new(),
        }
    }

    /// Bytes held.
    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Marks where the next record starts, at a segment's start.
    fn next_record(&mut self) {
        if self.records.is_multiple_of(SEGMENT) {
            self.marks.push(self.bytes.len());
        }
        self.records += 1;
    }

    /// The byte ranges of its segments, in order.
    pub(super) fn segments(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let ends = self.marks.iter().skip(1).copied().chain([self.bytes.len()]);
        self.marks
            .iter()
            .copied()
            .zip(ends)
            .map(|(start, end)| start..end)
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
        self.next_record();
        self.bytes.push(TEXT);
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(self.scratch.as_bytes());
        Ok(())
    }

    /// Where a domain packs its next record, which its `unpack` reads back
    /// (see [`Held::write`]).
    pub fn packed(&mut self) -> &mut Vec<u8> {
        self.next_record();
        self.bytes.push(PACKED);
        &mut self.bytes
    }

    /// Writes the records held in `segment` (one of [`Held::segments`])
    /// into `out` as elements of the output's record array, the first
    /// with no comma before it if `first`; `unpack` writes one packed
    /// record from the start of the bytes it is given and says how many it
    /// read.
    pub(super) fn write(
        &self,
        segment: std::ops::Range<usize>,
        out: &mut String,
        mut first: bool,
        mut unpack: impl FnMut(&[u8], &mut JsonWriter<'_>) -> usize,
    ) {
        let mut at = segment.start;
        while at < segment.end {
            let tag = self.bytes[at];
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
            let held = held(pretty);
            for segment in held.segments() {
                held.write(segment, &mut written, first, unpack);
            }
            assert_eq!(written, direct, "pretty {pretty}, first {first}");
        }
        let compact = held(false);
        let mut written = String::new();
        compact.write(0..compact.len(), &mut written, false, unpack);
        assert_eq!(written, r#",7,"text",9"#);
        // Three tags, two packed bytes, a text's length (4) and its 6 bytes.
        assert_eq!(compact.len(), 3 + 2 + 4 + 6);
    }

    #[test]
    fn segments_split_the_records_and_write_them_whole() {
        let mut held = Held::with_capacity(0, false);
        for n in 0..SEGMENT * 2 + 3 {
            held.packed().push((n % 200) as u8);
        }
        let segments: Vec<_> = held.segments().collect();
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[1], SEGMENT * 2..SEGMENT * 4);
        assert_eq!(segments[2].end, held.len());
        let (mut whole, mut in_segments) = (String::new(), String::new());
        held.write(0..held.len(), &mut whole, true, unpack);
        for (idx, segment) in segments.into_iter().enumerate() {
            held.write(segment, &mut in_segments, idx == 0, unpack);
        }
        assert_eq!(in_segments, whole);
        assert!(whole.starts_with("0,1,2,") && whole.ends_with(",48,49,50"));
    }
}
