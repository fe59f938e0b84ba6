//! JSON Lines streams: the context on the first line, then one record a
//! line, read in blocks of whole lines by a reader thread, assessed on
//! every core and written in input order by the writer thread as it goes,
//! in memory that does not grow with the file. The first block's records
//! are kept, to hoist from; in every later block a part's lines are read,
//! checked, computed and written in one pass, into one kept record. A bad
//! record is a [`Reject`]: it stops the run, or with `--rejects` goes to
//! the rejects file while the rest go on.

use std::fs;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context as _, Result, bail};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::Serialize;

use super::command::{Options, Summary, progress_bar};
use super::domain::Domain;
use super::output::{Output, SpareBuffers, send, with_writer};
use super::parts::per_part;
use super::source::{input_name, skip_bom};
use crate::input::{InputError, parse_json};
use crate::json::JsonWriter;

/// A record that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// Its line in the input (1-based).
    pub line: u64,
    /// Its index among the records (0-based, as `payers[3]`).
    pub record: u64,
    /// Its id, where one could be read.
    pub id: Option<String>,
    /// The field at fault, within the record (`assets[1].karat`), or empty.
    pub field: String,
    /// What is wrong.
    pub error: String,
    /// The line itself.
    pub input: String,
}

/// The records a part of a stream's block sees first (see `stream_part`):
/// the first block's first records, from which every part of every later
/// block builds its engine state (`Domain::part`: murabaha's schedule
/// sized for the longest term and the most payments among them; zakat's
/// part needs none). Not measured. Every murabaha part scans the whole
/// sample as it starts, and the sample is kept, cloned, for the run; a
/// smaller one costs less but may miss the longest contracts, whose
/// schedules then grow as they are computed. A file whose first records are unlike the
/// rest (sorted by term) would want a sample from further in.
const SAMPLE: usize = 1024;

/// A block of whole lines, as the reader thread reads it.
struct BlockOfLines {
    /// The line number of its first line (1-based).
    first_line: u64,
    bytes: Vec<u8>,
    /// Whether the input ends inside this block's last line (no newline).
    unterminated: bool,
}

/// What one part of a block wrote: its results' text, how many records
/// it wrote, and the records it rejected.
struct PartOutput {
    text: String,
    written: u64,
    rejects: Vec<Reject>,
}

/// One part of a block, parsed: the records that parsed and passed their
/// checks, and for each line in order, its record's index there or why it
/// failed.
struct ParsedPart<R> {
    records: Vec<R>,
    slots: Vec<Result<usize, Reject>>,
}

/// Where a part of a stream's block stands, and what it does with a
/// failure.
#[derive(Clone, Copy)]
struct PartInStream {
    /// The index of its first line's record.
    first_record: u64,
    /// The input's last line, where it has no newline.
    unterminated_line: Option<u64>,
    /// Whether the run stops at the first failure.
    stop: bool,
}

/// A line read for its record's id alone, to name a record that cannot
/// be read.
#[derive(serde::Deserialize)]
struct IdOnly {
    id: String,
}

impl Reject {
    fn describe(&self, records: &str) -> String {
        let id = match &self.id {
            Some(id) => format!(", id {id:?}"),
            None => String::new(),
        };
        let at = if self.field.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.field)
        };
        format!(
            "line {} ({records}[{}]{id}): {at}{}",
            self.line, self.record, self.error
        )
    }
}

impl PartOutput {
    /// Nothing done yet, the text to be written into `buffer`.
    fn empty(buffer: String) -> PartOutput {
        PartOutput {
            text: buffer,
            written: 0,
            rejects: Vec::new(),
        }
    }
}

/// Reads, computes and writes a JSON Lines stream: a reader thread reads
/// blocks, this one computes them on every core, the writer thread writes
/// them; the rejects file, with `--rejects`, is committed with the run.
pub(super) fn stream<D: Domain>(options: &Options, output: &mut Output) -> Result<Summary> {
    let name = input_name(&options.input);
    let (source, length): (Box<dyn Read + Send>, Option<u64>) = if options.input.as_os_str() == "-"
    {
        (Box::new(io::stdin()), None)
    } else {
        let file = fs::File::open(&options.input)
            .with_context(|| format!("cannot read {}", options.input.display()))?;
        let length = file.metadata().ok().map(|m| m.len());
        (Box::new(file), length)
    };
    let source = skip_bom(source).with_context(|| format!("cannot read {name}"))?;
    let mut rejects_file = match &options.rejects {
        Some(path) => Some(Output::open(Some(path))?),
        None => None,
    };
    let bar = progress_bar(options, length, "bytes");
    // Two blocks read ahead, waiting behind the one being computed. The
    // depth was not measured; reading is the quick side from the page
    // cache (the tool chapter: 324 MB read in 0.04 s, against 0.52 s for
    // a million payers' stream whole), so more blocks ahead would hold
    // more memory for nothing. Input that comes in bursts (a slow disk, a
    // pipe from another program) would want more.
    let (sender, blocks) = sync_channel(2);
    let block_size = options.chunk_bytes.unwrap_or(D::BLOCK_BYTES).max(1);
    let reader = std::thread::spawn(move || read_blocks(source, block_size, sender));
    let result = stream_blocks::<D>(options, &name, &blocks, output, rejects_file.as_mut(), &bar);
    // The reader stops once the receiver is gone.
    drop(blocks);
    let _ = reader.join();
    bar.finish_and_clear();
    let summary = result?;
    if let Some(file) = rejects_file {
        file.commit()?;
    }
    Ok(summary)
}

/// The blocks as they come: the context from the first line that is not
/// blank, then each block's parts read, checked, computed and written in
/// order, a failure stopping the run or going to the rejects file.
fn stream_blocks<D: Domain>(
    options: &Options,
    name: &str,
    blocks: &Receiver<io::Result<BlockOfLines>>,
    output: &mut Output,
    mut rejects_file: Option<&mut Output>,
    bar: &ProgressBar,
) -> Result<Summary> {
    let read =
        |block: io::Result<BlockOfLines>| block.with_context(|| format!("cannot read {name}"));
    // The context: the first line that is not blank.
    let (input, first) = loop {
        let Ok(block) = blocks.recv() else {
            bail!(
                "bad input in {name}: the stream is empty (its first line must be the context: \
                 the document's fields but `{}`)",
                D::RECORDS
            );
        };
        let block = read(block)?;
        let lines = lines_of(&block);
        let Some(&(line, text)) = lines.first() else {
            bar.inc(block.bytes.len() as u64);
            continue;
        };
        let text = std::str::from_utf8(text).map_err(|_| {
            anyhow::anyhow!("bad input in {name}: line {line} (the context) is not UTF-8")
        })?;
        let input = D::parse_context(text)
            .map_err(|e| anyhow::anyhow!("bad input in {name}: line {line} (the context): {e}"))?;
        break (input, block);
    };
    let stop = options.rejects.is_none();
    let mut summary = Summary::default();
    let mut shared: Option<D::Shared<'_>> = None;
    // The first records, for each part's own state (`Domain::part`).
    let mut sample: Vec<D::Record> = Vec::new();
    let mut next_record: u64 = 0;
    let mut pending = Some(first);
    let spares = SpareBuffers::default();
    with_writer(output, &spares, |writer| {
        let mut head = String::new();
        let mut w = JsonWriter::new(&mut head, false);
        w.begin_object();
        D::head(&input, &mut w);
        w.end_object();
        if head != "{}" {
            head.push('\n');
            if !send(writer, vec![head]) {
                return Ok(());
            }
        }
        let mut first_block = true;
        loop {
            let block = match pending.take() {
                Some(block) => block,
                None => match blocks.recv() {
                    Ok(block) => read(block)?,
                    Err(_) => return Ok(()),
                },
            };
            let (all_lines, newlines) = lines_and_newlines(&block);
            let lines = if first_block {
                &all_lines[1..]
            } else {
                &all_lines[..]
            };
            first_block = false;
            let last_line = block.first_line + newlines;
            let unterminated_line = block.unterminated.then_some(last_line);
            let first_record = next_record;
            next_record += lines.len() as u64;
            let per_part = per_part(lines.len());
            let parts: Vec<PartOutput> = match &shared {
                // Every block after the first: a part's lines read, checked,
                // computed and written in one pass, into one record.
                Some(shared) => lines
                    .par_chunks(per_part)
                    .enumerate()
                    .map(|(part_idx, lines)| {
                        let first = first_record + (part_idx * per_part) as u64;
                        let at = PartInStream {
                            first_record: first,
                            unterminated_line,
                            stop,
                        };
                        stream_part::<D>(&input, shared, &sample, lines, at, spares.take())
                    })
                    .collect(),
                // The first: every record read and kept, to hoist from.
                None => {
                    let parsed: Vec<ParsedPart<D::Record>> = lines
                        .par_chunks(per_part)
                        .enumerate()
                        .map(|(part_idx, lines)| {
                            let first = first_record + (part_idx * per_part) as u64;
                            parse_part::<D>(&input, lines, first, unterminated_line, stop)
                        })
                        .collect();
                    let records = || parsed.iter().flat_map(|part| part.records.iter());
                    sample = records().take(SAMPLE).cloned().collect();
                    let shared = shared.insert(D::shared(&input, options.engine, records()));
                    parsed
                        .into_par_iter()
                        .zip(lines.par_chunks(per_part))
                        .enumerate()
                        .map(|(part_idx, (parsed, lines))| {
                            let first = first_record + (part_idx * per_part) as u64;
                            write_part::<D>(shared, parsed, lines, first, stop, spares.take())
                        })
                        .collect()
                }
            };
            bar.inc(block.bytes.len() as u64);
            let mut texts = Vec::with_capacity(parts.len());
            let mut failure = None;
            for part in parts {
                summary.written += part.written;
                texts.push(part.text);
                if stop {
                    if let Some(first) = part.rejects.first() {
                        failure = Some(first.describe(D::RECORDS));
                        break;
                    }
                    continue;
                }
                summary.rejected += part.rejects.len() as u64;
                if let Some(file) = rejects_file.as_deref_mut() {
                    let out = file.destination();
                    for reject in &part.rejects {
                        serde_json::to_writer(&mut *out, reject)?;
                        out.write_all(b"\n")?;
                    }
                }
            }
            if !send(writer, texts) {
                return Ok(());
            }
            if let Some(failure) = failure {
                bail!("bad input in {name}: {failure}");
            }
        }
    })?;
    Ok(summary)
}

/// Reads `source` in blocks of whole lines of about `size` bytes.
fn read_blocks(
    mut source: Box<dyn Read + Send>,
    size: usize,
    sender: SyncSender<io::Result<BlockOfLines>>,
) {
    let mut carry: Vec<u8> = Vec::new();
    let mut first_line = 1;
    loop {
        let mut bytes = std::mem::take(&mut carry);
        let start = bytes.len();
        bytes.reserve(size);
        let read = (&mut source).take(size as u64).read_to_end(&mut bytes);
        let read = match read {
            Ok(read) => read,
            Err(e) => {
                let _ = sender.send(Err(e));
                return;
            }
        };
        if read == 0 {
            if !bytes.is_empty() {
                let unterminated = bytes.last() != Some(&b'\n');
                let _ = sender.send(Ok(BlockOfLines {
                    first_line,
                    bytes,
                    unterminated,
                }));
            }
            return;
        }
        // Cut after the last newline; a line longer than a block is read on.
        match bytes[start..].iter().rposition(|&b| b == b'\n') {
            Some(at) => {
                carry = bytes.split_off(start + at + 1);
                let lines = count_lines(&bytes);
                let block = BlockOfLines {
                    first_line,
                    bytes,
                    unterminated: false,
                };
                first_line += lines;
                if sender.send(Ok(block)).is_err() {
                    return;
                }
            }
            None => carry = bytes,
        }
    }
}

/// A block's lines with their numbers, blank ones left out.
fn lines_of(block: &BlockOfLines) -> Vec<(u64, &[u8])> {
    lines_and_newlines(block).0
}

/// [`lines_of`], and the newlines in the block.
fn lines_and_newlines(block: &BlockOfLines) -> (Vec<(u64, &[u8])>, u64) {
    let bytes = &block.bytes[..];
    // Room for a line every 128 bytes: more lines than either domain's
    // block holds (the tool chapter's files have some 324 bytes a payer
    // and 2,170 a contract), so the vector is not grown while it fills.
    let mut lines = Vec::with_capacity(bytes.len() / 128);
    let mut start = 0;
    let mut line = block.first_line;
    // The newlines found a vector at a time (memchr), not byte by byte.
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        let text = &bytes[start..end];
        if !text.iter().all(u8::is_ascii_whitespace) {
            lines.push((line, text));
        }
        line += 1;
        start = end + 1;
    }
    // The last segment ends the block, not a newline.
    (lines, line - block.first_line - 1)
}

/// The newlines in `bytes`.
fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Reads, checks, computes and writes one part of a block's lines in one
/// pass, each line read into the one record the part keeps (its strings'
/// and vectors' room reused), where [`parse_part`] and then [`write_part`]
/// keep every record of the part between two passes: the same text and
/// the same rejects, in line order (up to the first, with `stop`).
fn stream_part<D: Domain>(
    input: &D::Input,
    shared: &D::Shared<'_>,
    sample: &[D::Record],
    lines: &[(u64, &[u8])],
    at: PartInStream,
    buffer: String,
) -> PartOutput {
    let mut done = PartOutput::empty(buffer);
    let mut part = D::part(shared, sample);
    let mut kept: Option<D::Record> = None;
    for (idx, &(line, text)) in lines.iter().enumerate() {
        let reject = |id: Option<String>, e: InputError| {
            reject_at(line, at.first_record + idx as u64, id, e, text)
        };
        let failure = match read_line::<D>(text, &mut kept, at.unterminated_line == Some(line)) {
            Ok(record) => D::check(input, record)
                .and_then(|()| {
                    let mut w = JsonWriter::new(&mut done.text, false);
                    D::write(&mut part, record, &mut w)
                })
                .err()
                .map(|e| reject(Some(D::id(record).to_string()), e)),
            Err((id, e)) => Some(reject(id, e)),
        };
        match failure {
            None => {
                done.text.push('\n');
                done.written += 1;
            }
            Some(failure) => {
                done.rejects.push(failure);
                if at.stop {
                    break;
                }
            }
        }
    }
    done
}

/// Parses and checks one part of a block's lines (up to the first failure,
/// with `stop`).
fn parse_part<D: Domain>(
    input: &D::Input,
    lines: &[(u64, &[u8])],
    first_record: u64,
    unterminated_line: Option<u64>,
    stop: bool,
) -> ParsedPart<D::Record> {
    let mut parsed = ParsedPart {
        records: Vec::with_capacity(lines.len()),
        slots: Vec::with_capacity(lines.len()),
    };
    for (idx, &(line, text)) in lines.iter().enumerate() {
        let reject = |id: Option<String>, e: InputError| {
            reject_at(line, first_record + idx as u64, id, e, text)
        };
        let mut kept = None;
        let slot = match read_line::<D>(text, &mut kept, unterminated_line == Some(line)) {
            Ok(record) => match D::check(input, record) {
                Ok(()) => {
                    parsed.records.extend(kept);
                    Ok(parsed.records.len() - 1)
                }
                Err(e) => Err(reject(Some(D::id(record).to_string()), e)),
            },
            Err((id, e)) => Err(reject(id, e)),
        };
        let failed = slot.is_err();
        parsed.slots.push(slot);
        if stop && failed {
            break;
        }
    }
    parsed
}

/// A line's record, read into `kept`: by the hand reader into the record
/// already there (its room kept) or into a new one, the whole line; else
/// by the serde path, whose record or error stands. A line that cannot be
/// read leaves `kept` empty and gives its id, where one can be read, and
/// the reference parser's error.
fn read_line<'k, D: Domain>(
    text: &[u8],
    kept: &'k mut Option<D::Record>,
    unterminated: bool,
) -> Result<&'k D::Record, (Option<String>, InputError)> {
    let by_hand = match kept {
        Some(record) => D::read_into(text, 0, record)
            .is_some_and(|end| crate::json::Reader::at(text, end).end().is_some()),
        None => D::read(text).map(|record| *kept = Some(record)).is_some(),
    };
    if !by_hand {
        *kept = serde_json::from_slice::<D::Record>(text).ok();
    }
    match kept {
        Some(record) => Ok(record),
        None => {
            let e = parse_error::<D>(text, unterminated);
            let id = serde_json::from_slice::<IdOnly>(text).ok().map(|r| r.id);
            Err((id, e))
        }
    }
}

#[cold]
fn reject_at(line: u64, record: u64, id: Option<String>, e: InputError, text: &[u8]) -> Reject {
    Reject {
        line,
        record,
        id,
        field: e.path,
        error: e.message,
        input: String::from_utf8_lossy(text).into_owned(),
    }
}

/// Computes and writes one part's records, one a line; a record the
/// engine refuses becomes a reject (the last one, with `stop`).
fn write_part<D: Domain>(
    shared: &D::Shared<'_>,
    parsed: ParsedPart<D::Record>,
    lines: &[(u64, &[u8])],
    first_record: u64,
    stop: bool,
    buffer: String,
) -> PartOutput {
    let mut done = PartOutput::empty(buffer);
    let mut part = D::part(shared, &parsed.records);
    for (idx, slot) in parsed.slots.into_iter().enumerate() {
        let failure = match slot {
            Ok(at) => {
                let record = &parsed.records[at];
                let mut w = JsonWriter::new(&mut done.text, false);
                match D::write(&mut part, record, &mut w) {
                    Ok(()) => {
                        done.text.push('\n');
                        done.written += 1;
                        None
                    }
                    Err(e) => {
                        let (line, text) = lines[idx];
                        let id = Some(D::id(record).to_string());
                        Some(reject_at(line, first_record + idx as u64, id, e, text))
                    }
                }
            }
            Err(reject) => Some(reject),
        };
        if let Some(failure) = failure {
            done.rejects.push(failure);
            if stop {
                break;
            }
        }
    }
    done
}

/// The reference parser's error for a line that `serde_json` refused.
fn parse_error<D: Domain>(text: &[u8], unterminated: bool) -> InputError {
    let Ok(text) = std::str::from_utf8(text) else {
        return InputError::new("", "the line is not valid UTF-8");
    };
    let mut error = match parse_json::<D::Record>(text) {
        Err(e) => e,
        Ok(_) => InputError::new("", "the record cannot be read"),
    };
    // The record is one line: its column is the news, not "line 1".
    if let Some(at) = error.message.rfind(" at line 1 column ") {
        let column = error.message[at + " at line 1 column ".len()..].to_string();
        error.message = format!("{} at column {column}", &error.message[..at]);
    }
    if unterminated && error.message.starts_with("EOF while parsing") {
        error.message = format!(
            "the last line stops before its record ends (a truncated file?): {}",
            error.message
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_hold_whole_lines_and_count_them() {
        let text = b"a\nbb\n\nccc\ndddddddddd\ne".to_vec();
        let (sender, receiver) = sync_channel(100);
        read_blocks(Box::new(io::Cursor::new(text)), 3, sender);
        let blocks: Vec<BlockOfLines> = receiver.iter().map(Result::unwrap).collect();
        let seen: Vec<(u64, String, bool)> = blocks
            .iter()
            .map(|b| {
                (
                    b.first_line,
                    String::from_utf8(b.bytes.clone()).unwrap(),
                    b.unterminated,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, "a\n".to_string(), false),
                (2, "bb\n\n".to_string(), false),
                (4, "ccc\n".to_string(), false),
                (5, "dddddddddd\n".to_string(), false),
                (6, "e".to_string(), true),
            ]
        );
    }
}
