//! What both workloads' lessons share: random inputs out to the edges
//! (figures, identifiers, days, amounts as an input may hold them), and
//! the buffered I/O lessons' document and its two writers.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::CivilDate;
use crate::lab::api::ensure;

// ---- Random inputs
/// A figure as the rules produce them (at most `max_scale` places), over
/// the whole range from zero to far beyond any real amount.
pub fn figure(max_scale: u32) -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::new(1, 2)),
        (0i64..1_000_000, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s)),
        (0i64..i64::MAX, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s)),
        (i64::MIN..0, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<u64>(), any::<u32>(), 0..=max_scale).prop_map(|(lo, hi, s)| {
            Decimal::from_i128_with_scale(i128::from(lo) | (i128::from(hi) << 64), s)
        }),
    ]
}

/// An identifier: the generator's shape, any printable text, Arabic.
pub fn identifier() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Z][0-9]{7}", "\\PC{0,40}", Just("Zaid-زيد".to_owned()),]
}

/// A day between 1900 and about 2146.
pub fn day() -> impl Strategy<Value = CivilDate> + Clone {
    (0i64..90_000).prop_map(|n| {
        CivilDate::from_day_number(CivilDate::new(1900, 1, 1).unwrap().day_number() + n).unwrap()
    })
}

/// A decimal as input may hold it: at most 10 places and 16 digits before
/// the point, often small, sometimes as large as allowed.
pub fn input_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        (1i64..10_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        (0u32..=10).prop_flat_map(|s| {
            (0i128..10i128.pow(16 + s), Just(s))
                .prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
        }),
        // The largest an input may be, at every number of places.
        (0u32..=10).prop_map(|s| Decimal::from_i128_with_scale(10i128.pow(16 + s) - 1, s)),
    ]
}

/// What to do to each of `n` lines: keep it, or replace its amount.
pub fn edits(n: usize) -> impl Strategy<Value = Vec<Option<Decimal>>> {
    proptest::collection::vec(proptest::option::weighted(0.15, input_decimal()), n)
}

// ---- Buffered I/O: a document, where it goes, and its two writers

/// Where a document goes.
#[derive(Debug)]
pub enum Destination {
    /// A file of its own, made for this input and removed with it.
    File(PathBuf),
    /// The process's standard output (`MIZAN_IO_TO=stdout`).
    Stdout,
}

/// A document to write, as the lines it is written in, each without its
/// newline.
#[derive(Debug, Deserialize)]
#[serde(from = "Lines")]
pub struct Document {
    /// The lines.
    pub lines: Vec<String>,
    /// Where they go.
    pub to: Destination,
}

/// A document as it is saved and read back: its lines (where it goes is
/// chosen again when it is read).
#[derive(Deserialize)]
pub struct Lines {
    /// The lines, each without its newline.
    pub lines: Vec<String>,
}

impl From<Lines> for Document {
    fn from(lines: Lines) -> Document {
        Document::new(lines.lines)
    }
}

impl Serialize for Document {
    /// Its lines, as [`Lines`] reads them back.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct LinesRef<'a> {
            lines: &'a [String],
        }
        LinesRef { lines: &self.lines }.serialize(serializer)
    }
}

impl Document {
    /// A document of these lines to a file of its own, or to standard
    /// output when `MIZAN_IO_TO` is `stdout`.
    pub fn new(lines: Vec<String>) -> Document {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let to = if std::env::var("MIZAN_IO_TO").is_ok_and(|to| to == "stdout") {
            Destination::Stdout
        } else {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            Destination::File(
                std::env::temp_dir()
                    .join(format!("mizan-buffered-io-{}-{n}.txt", std::process::id())),
            )
        };
        Document { lines, to }
    }

    /// What reached the destination: the file's bytes, read back (nothing
    /// for standard output).
    pub fn written(&self) -> Vec<u8> {
        match &self.to {
            Destination::File(path) => std::fs::read(path).expect("the file just written"),
            Destination::Stdout => Vec::new(),
        }
    }
}

impl Drop for Document {
    fn drop(&mut self) {
        if let Destination::File(path) = &self.to {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The same document in pieces of about 64 KiB, each cut at a line's end
/// (its newline left for `writeln!` to add).
pub fn in_pieces(lines: Vec<String>) -> Vec<String> {
    const PIECE: usize = 64 * 1024;
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for line in lines {
        if !piece.is_empty() {
            if piece.len() + line.len() >= PIECE {
                pieces.push(std::mem::take(&mut piece));
            } else {
                piece.push('\n');
            }
        }
        piece.push_str(&line);
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// Up to 2,000 lines, empty, short, long (up to 10,000 characters, more
/// than a `BufWriter`'s buffer) and non-ASCII, in a file of their own.
pub fn arbitrary_document() -> BoxedStrategy<Document> {
    let line = prop_oneof![
        4 => "\\PC{0,40}",
        1 => Just(String::new()),
        1 => (0usize..10_000).prop_map(|n| "x".repeat(n)),
    ];
    proptest::collection::vec(line, 0..2_000)
        .prop_map(Document::new)
        .boxed()
}

/// The invariant: the file holds each line and its newline (nothing, for
/// standard output).
pub fn each_line_and_its_newline(input: &Document, file: &Vec<u8>) -> Result<(), String> {
    if matches!(input.to, Destination::Stdout) {
        return Ok(());
    }
    let expected: Vec<u8> = input
        .lines
        .iter()
        .flat_map(|l| [l.as_bytes(), b"\n"].concat())
        .collect();
    ensure(&expected == file, || {
        "the file is not the lines, each with its newline".to_owned()
    })
}

// ANCHOR: write_limit
/// The speed of light: the whole document handed to the kernel in one
/// write, and read back. Any form must at least move the same bytes.
pub fn write_limit(input: &Document) -> u64 {
    let bytes = input.lines.iter().map(|l| l.len() + 1).sum();
    let mut document = Vec::with_capacity(bytes);
    for line in &input.lines {
        document.extend_from_slice(line.as_bytes());
        document.push(b'\n');
    }
    if let Destination::File(path) = &input.to {
        std::fs::write(path, &document).expect("a temporary file is writable");
    }
    input.written().len() as u64
}
// ANCHOR_END: write_limit

// ANCHOR: unbuffered
/// Every line written straight to the file, or printed.
pub fn unbuffered(input: &Document) -> Vec<u8> {
    match &input.to {
        Destination::File(path) => {
            let mut file = File::create(path).expect("a temporary file is writable");
            for line in &input.lines {
                writeln!(file, "{line}").expect("the write succeeds");
            }
        }
        Destination::Stdout => {
            for line in &input.lines {
                println!("{line}");
            }
        }
    }
    input.written()
}
// ANCHOR_END: unbuffered

// ANCHOR: buffered
/// The same lines through a `BufWriter`: one system call per block.
pub fn buffered(input: &Document) -> Vec<u8> {
    match &input.to {
        Destination::File(path) => {
            let file = File::create(path).expect("a temporary file is writable");
            write_lines(BufWriter::new(file), &input.lines).expect("the writes succeed");
        }
        Destination::Stdout => {
            let stdout = io::stdout().lock();
            write_lines(BufWriter::new(stdout), &input.lines).expect("the writes succeed");
        }
    }
    input.written()
}

/// Writes every line and its newline, then flushes: a `BufWriter` reports
/// a failed write only when it flushes, so the flush is not optional.
fn write_lines(mut out: impl Write, lines: &[String]) -> io::Result<()> {
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()
}
// ANCHOR_END: buffered

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_writes_the_same_bytes() {
        let lines = vec!["one".to_owned(), String::new(), "ثلاثة".to_owned()];
        let input = Document::new(lines.clone());
        assert_eq!(unbuffered(&input), "one\n\nثلاثة\n".as_bytes());
        assert_eq!(buffered(&input), "one\n\nثلاثة\n".as_bytes());
        assert_eq!(write_limit(&input), 16);
        let path = match &input.to {
            Destination::File(path) => path.clone(),
            Destination::Stdout => unreachable!("the tests write files"),
        };
        drop(input);
        assert!(!path.exists(), "the file goes with its input");
        // The same bytes in pieces.
        let pieces = Document::new(in_pieces(lines));
        assert_eq!(pieces.lines, ["one\n\nثلاثة"]);
        assert_eq!(unbuffered(&pieces), "one\n\nثلاثة\n".as_bytes());
        assert!(unbuffered(&Document::new(vec![])).is_empty());
    }

    #[test]
    fn pieces_are_cut_at_line_ends_near_64_kib() {
        let lines: Vec<String> = (0..10_000).map(|n| format!("line {n:>20}")).collect();
        let whole: usize = lines.iter().map(|l| l.len() + 1).sum();
        let pieces = in_pieces(lines);
        let total: usize = pieces.iter().map(|p| p.len() + 1).sum();
        assert_eq!(total, whole);
        assert_eq!(pieces.len(), whole.div_ceil(64 * 1024));
        assert!(pieces.iter().all(|p| p.len() < 64 * 1024));
    }
}
