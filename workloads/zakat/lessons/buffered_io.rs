//! `zakat/buffered-io`: writing the receipts, line by line, to where they
//! go: a file (the lab's run), or standard output (`MIZAN_IO_TO=stdout`,
//! for `scripts/syscalls`).
//!
//! - naive: `writeln!` straight into the `File`, or `println!`: every line
//!   is a `write` system call of its own (two, for `writeln!` on a `File`:
//!   the line and then its newline), and `println!` locks standard output
//!   for every line and flushes it at every newline;
//! - optimized: the same `writeln!` into a `BufWriter` around the file, or
//!   around standard output locked once: a system call per 8 KiB.
//!
//! The contrast is the same document in 64 KiB pieces: each write is then
//! larger than the buffer, which `BufWriter` passes straight through, and
//! the system calls are few either way.
//!
//! Every form reads the file back, so that the check compares the bytes on
//! disk; under `MIZAN_IO_TO=stdout` nothing is read back.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::lab::lesson::{Contrast, ContrastInput, LessonDef, Limit, SPEED_OF_LIGHT, Scale};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Document, Vec<u8>> = LessonDef {
    id: "zakat/buffered-io",
    why: "A File in Rust is not buffered: every writeln! to it goes to the kernel, as a write \
          for the line and another for its newline, and each system call costs far more than \
          copying a line. println! is line-buffered and takes the standard output's lock on \
          every call, so it too makes a system call per line. A BufWriter gathers the lines in \
          memory and hands the kernel a block at a time: {speedup} for the same bytes on \
          disk, the calls down from nearly two a line to one a block (scripts/syscalls \
          counts them with strace). The contrast is output that is already written in large \
          pieces: there BufWriter passes each piece straight through and buys nothing \
          ({contrast.speedup}).",
    build,
    elements: |input| input.lines.len() as u64,
    naive,
    optimized,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::document),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "64 KiB pieces",
        scale: Scale::Default,
        input: ContrastInput::Build(pieces),
    }),
};

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
#[derive(Debug)]
pub struct Document {
    /// The lines.
    pub lines: Vec<String>,
    /// Where they go.
    pub to: Destination,
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

/// The receipts of the string-building lesson's population, as lines.
pub fn receipt_lines(scale: Scale, seed: u64) -> Vec<String> {
    // A tenth of the string-building lesson's payers: the naive form makes
    // two system calls a line.
    let smaller = scale.smaller().unwrap_or(Scale::Tiny);
    let receipts = (super::string_building::LESSON.build)(smaller, seed);
    super::string_building::optimized(&receipts)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn build(scale: Scale, seed: u64) -> Document {
    Document::new(receipt_lines(scale, seed))
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

fn pieces(scale: Scale, seed: u64) -> Document {
    Document::new(in_pieces(receipt_lines(scale, seed)))
}

// ANCHOR: limit
/// The speed of light: the whole document handed to the kernel in one
/// write, and read back. Any form must at least move the same bytes.
pub fn limit(input: &Document) -> u64 {
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
// ANCHOR_END: limit

// ANCHOR: naive
/// Every line written straight to the file, or printed.
pub fn naive(input: &Document) -> Vec<u8> {
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
// ANCHOR_END: naive

// ANCHOR: optimized
/// The same lines through a `BufWriter`: one system call per block.
pub fn optimized(input: &Document) -> Vec<u8> {
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
// ANCHOR_END: optimized

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_writes_the_same_bytes() {
        let lines = vec!["one".to_owned(), String::new(), "ثلاثة".to_owned()];
        let input = Document::new(lines.clone());
        assert_eq!(naive(&input), "one\n\nثلاثة\n".as_bytes());
        assert_eq!(optimized(&input), "one\n\nثلاثة\n".as_bytes());
        assert_eq!(limit(&input), 16);
        let path = match &input.to {
            Destination::File(path) => path.clone(),
            Destination::Stdout => unreachable!("the tests write files"),
        };
        drop(input);
        assert!(!path.exists(), "the file goes with its input");
        // The same bytes in pieces.
        let pieces = Document::new(in_pieces(lines));
        assert_eq!(pieces.lines, ["one\n\nثلاثة"]);
        assert_eq!(naive(&pieces), "one\n\nثلاثة\n".as_bytes());
        assert!(naive(&Document::new(vec![])).is_empty());
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
