//! Where a document's bytes come from: its file mapped into memory whole
//! ([`InputBytes`], [`load`]), or standard input read to its end; the
//! UTF-8 byte-order mark some Windows tools put first, skipped (for a
//! document here, for a stream by [`skip_bom`]); and the input's name in
//! messages.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context as _, Result};

/// A whole input: a file mapped into memory (no copy, and no pages
/// faulted in for a buffer), or standard input read to its end.
pub(super) enum InputBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for InputBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        without_bom(match self {
            InputBytes::Mapped(map) => map,
            InputBytes::Read(bytes) => bytes,
        })
    }
}

/// The UTF-8 encoding of U+FEFF, the byte-order mark: RFC 8259 (section
/// 8.1) lets a parser ignore it at a text's start, and Windows PowerShell
/// 5's `Out-File -Encoding utf8` writes it (as Notepad did before Windows
/// 10 1903).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a byte-order mark at their start.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// A stream's source, past the byte-order mark it may start with: its
/// first bytes are read (up to three), and given back unless they are
/// the mark.
pub(super) fn skip_bom(mut source: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut start = Vec::with_capacity(BOM.len());
    (&mut source)
        .take(BOM.len() as u64)
        .read_to_end(&mut start)?;
    if start == BOM {
        return Ok(source);
    }
    Ok(Box::new(io::Cursor::new(start).chain(source)))
}

/// The input at `path` (`-`: standard input), whole.
pub(super) fn load(path: &Path) -> Result<InputBytes> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(InputBytes::Read(bytes));
    }
    let cannot = || format!("cannot read {}", path.display());
    let file = fs::File::open(path).with_context(cannot)?;
    let length = file.metadata().with_context(cannot)?.len();
    if length == 0 || !file.metadata().with_context(cannot)?.is_file() {
        // Nothing to map (or a pipe given by name): read it.
        let mut bytes = Vec::new();
        (&file).read_to_end(&mut bytes).with_context(cannot)?;
        return Ok(InputBytes::Read(bytes));
    }
    // SAFETY: the map is read only, and only while the command runs; a
    // file changed by another program meanwhile can give wrong bytes
    // (caught by the parser as bad input) but not unsafety in this
    // program, which never assumes the bytes stay the same (each piece is
    // parsed once). That is the contract of every tool that maps its
    // input (ripgrep, for one).
    //
    // Not populated: the cores fault its pages in as they read their
    // chunks (the kernel maps a few pages around each fault and reads
    // ahead), where populating maps every page on this thread before the
    // others start, and reads all of a file larger than memory up front.
    // 100,000 payers to /dev/null, `perf stat -r 15`, the two builds
    // alternated three times: 37.0-37.2 ms unpopulated against 37.6-38.9
    // ms populated (2026-12-07, another process holding part of a core).
    let map = unsafe { memmap2::MmapOptions::new().map(&file) }.with_context(cannot)?;
    Ok(InputBytes::Mapped(map))
}

/// The input's name in messages: its path, or "standard input" for `-`.
pub(super) fn input_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives one byte a call, as a slow pipe may.
    struct ByteAtATime(Vec<u8>, usize);

    impl Read for ByteAtATime {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(&byte), Some(slot)) => {
                    *slot = byte;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn through_skip_bom(bytes: &[u8]) -> Vec<u8> {
        let mut read = Vec::new();
        skip_bom(Box::new(ByteAtATime(bytes.to_vec(), 0)))
            .unwrap()
            .read_to_end(&mut read)
            .unwrap();
        read
    }

    #[test]
    fn a_mark_is_skipped_and_anything_else_is_kept() {
        assert_eq!(through_skip_bom(b"\xEF\xBB\xBF{\"a\":1}\n"), b"{\"a\":1}\n");
        assert_eq!(through_skip_bom(b"{\"a\":1}\n"), b"{\"a\":1}\n");
        // Shorter than a mark, a mark's first bytes alone, nothing.
        assert_eq!(through_skip_bom(b"{}"), b"{}");
        assert_eq!(through_skip_bom(b"\xEF\xBB"), b"\xEF\xBB");
        assert_eq!(through_skip_bom(b""), b"");
        // The mark only at the start.
        assert_eq!(through_skip_bom(b"{}\xEF\xBB\xBF"), b"{}\xEF\xBB\xBF");
        assert_eq!(without_bom(b"\xEF\xBB\xBF[]"), b"[]");
        assert_eq!(without_bom(b"[]"), b"[]");
    }
}
