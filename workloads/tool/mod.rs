//! The domain commands at scale: `mizan zakat assess` and `mizan murabaha
//! process` reading a JSON document or a stream of JSON Lines, on every
//! core, writing the same bytes as the reference.
//!
//! Two input forms, one driver ([`run`]) over the two domains ([`Zakat`],
//! [`Murabaha`]):
//!
//! - **A JSON document** (`FORMATS.md`). When the record array is the
//!   document's last field (as `mizan generate` writes it), the command
//!   reads it in one pass (`one_pass`), keeping no record: the array is cut into byte
//!   ranges, each task guesses where its first record starts and reads,
//!   checks, computes and writes the records that start in its range, and
//!   the task before confirms the guess; results go out as their task is
//!   confirmed. Otherwise, or at anything unexpected (a wrong guess, bad
//!   input, a record the hand reader or the engine gives up on, a repeated
//!   id), the structural [`scan`] finds the records, every record is kept,
//!   parsed on every core (by hand, or by `serde_json`), and written in
//!   parts while the next parts are computed; anything unexpected there
//!   sends the whole document to the reference path, which names the
//!   problem as it always has. A document refused prints nothing: output
//!   that is a file (`-o`, or standard output redirected to one) is taken
//!   back to where it stood; output that cannot be taken back (a pipe) is
//!   written only after every record has been read and computed once.
//! - **JSON Lines**: the context on the first line, then one record a line
//!   (`mizan generate --format jsonl` writes it). Read in blocks, assessed
//!   on every core, written in input order as it goes, in memory that does
//!   not grow with the file. A bad record names its line, its record and
//!   its field; the run stops there, or with `--rejects FILE` writes it to
//!   the rejects file and goes on.
//!
//! With `-o FILE` the output goes to a temporary file beside `FILE`,
//! renamed over it only when the run succeeds.

mod domain;
mod murabaha;
mod zakat;

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;

use crate::input::{Engine, InputError, parse_json};
use crate::json::JsonWriter;
use crate::json::scan;

pub use domain::Domain;
pub use murabaha::Murabaha;
pub use zakat::Zakat;

/// The form of a command's input (and so of its output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document, as `FORMATS.md` shows; pretty JSON out.
    Json,
    /// JSON Lines: the context, then one record a line; one result a line
    /// out.
    Jsonl,
}

impl Format {
    /// The form a file's name suggests: `.jsonl` or `.ndjson` for JSON
    /// Lines, anything else (and standard input) for a document.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => Format::Json,
        }
    }
}

/// What a command was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The input file; `-` for standard input.
    pub input: PathBuf,
    /// The input's form.
    pub format: Format,
    /// Where the output goes (standard output when `None`).
    pub output: Option<PathBuf>,
    /// The engine.
    pub engine: Engine,
    /// For a stream: go on past bad records, writing each here.
    pub rejects: Option<PathBuf>,
    /// Draw a progress bar on standard error (when it is a terminal).
    pub progress: bool,
    /// Bytes of a document's records a task reads in the one-pass path,
    /// and of a stream's block (`None`: the domain's own sizes). Small
    /// sizes are for tests: they make every record's place in the chain
    /// of tasks, or a stream's first block and those after it, an edge.
    pub chunk_bytes: Option<usize>,
    /// Bytes of a document's results kept in memory when the output
    /// cannot be taken back (then the document is read once, not twice).
    pub hold_bytes: usize,
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records written to the output.
    pub written: u64,
    /// Records written to the rejects file instead.
    pub rejected: u64,
    /// Whether a document was read in one pass (no record kept).
    pub one_pass: bool,
}

/// Runs a command: reads, computes and writes, as [`Options`] says.
pub fn run<D: Domain>(options: &Options) -> Result<Summary> {
    if options.rejects.is_some() && options.format != Format::Jsonl {
        bail!("--rejects is for a stream (--format jsonl): a document is refused whole");
    }
    let mut output = Output::open(options.output.as_deref())?;
    let summary = match options.format {
        Format::Json => document::<D>(options, &mut output).inspect_err(|_| {
            // A document refused prints nothing: standard output that is
            // a file is taken back to where it stood.
            if let Some(sink) = output.sink.as_mut() {
                let _ = sink.rewind();
            }
        }),
        Format::Jsonl => stream::<D>(options, &mut output),
    }?;
    output.commit()?;
    Ok(summary)
}

/// The output: standard output, or a temporary file renamed into place by
/// [`Output::commit`] (and removed when the run fails).
struct Output {
    sink: Option<Sink>,
    file: Option<(PathBuf, PathBuf)>,
}

/// Where the bytes go.
enum Sink {
    /// Standard output that is not a regular file (a pipe, a terminal,
    /// `/dev/null`): what is written there cannot be taken back.
    Stdout(io::Stdout),
    /// A regular file (the temporary file of `-o`, or standard output
    /// redirected to a file), written from offset `start`: taken back by
    /// truncating it there.
    File { file: fs::File, start: u64 },
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(bytes),
            Sink::File { file, .. } => file.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.write_all(bytes),
            Sink::File { file, .. } => file.write_all(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File { file, .. } => file.flush(),
        }
    }
}

impl Sink {
    /// Standard output, as a file when it is a regular one.
    fn stdout() -> Sink {
        use std::os::fd::AsFd;
        let stdout = io::stdout();
        let file = stdout
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(fs::File::from)
            .filter(|file| file.metadata().is_ok_and(|m| m.is_file()));
        if let Some(mut file) = file
            && let Ok(position) = io::Seek::stream_position(&mut file)
        {
            use std::os::fd::AsRawFd;
            // SAFETY: F_GETFL on a descriptor this program owns reads its
            // flags and changes nothing.
            let flags = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
            // Appending (the shell's `>>`) writes at the end, wherever the
            // offset stands.
            let start = if flags != -1 && flags & libc::O_APPEND != 0 {
                file.metadata().map_or(position, |m| m.len())
            } else {
                position
            };
            return Sink::File { file, start };
        }
        Sink::Stdout(stdout)
    }

    /// Whether what is written can be taken back.
    fn rewindable(&self) -> bool {
        matches!(self, Sink::File { .. })
    }

    /// Takes back everything written.
    fn rewind(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(_) => Err(io::Error::other("standard output cannot be taken back")),
            Sink::File { file, start } => {
                file.set_len(*start)?;
                io::Seek::seek(file, io::SeekFrom::Start(*start))?;
                Ok(())
            }
        }
    }
}

impl Output {
    fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path else {
            return Ok(Output {
                sink: Some(Sink::stdout()),
                file: None,
            });
        };
        let name = path
            .file_name()
            .with_context(|| format!("{} names no file", path.display()))?;
        let mut temporary = name.to_os_string();
        temporary.push(format!(".partial-{}", std::process::id()));
        let temporary = path.with_file_name(temporary);
        let file = fs::File::create(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
        Ok(Output {
            sink: Some(Sink::File { file, start: 0 }),
            file: Some((path.to_path_buf(), temporary)),
        })
    }

    fn describe(&self) -> String {
        match &self.file {
            Some((path, _)) => path.display().to_string(),
            None => "standard output".to_string(),
        }
    }

    fn sink(&mut self) -> &mut Sink {
        self.sink.as_mut().expect("open until committed")
    }

    fn commit(mut self) -> Result<()> {
        let mut sink = self.sink.take().expect("committed once");
        sink.flush()
            .with_context(|| format!("cannot write {}", self.describe()))?;
        drop(sink);
        if let Some((path, temporary)) = self.file.take() {
            fs::rename(&temporary, &path).with_context(|| {
                format!(
                    "cannot rename {} to {}",
                    temporary.display(),
                    path.display()
                )
            })?;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some((_, temporary)) = &self.file {
            // A failed run leaves no partial file behind.
            let _ = fs::remove_file(temporary);
        }
    }
}

/// Writes the parts it is sent, in order, on a thread of its own, so that
/// writing overlaps the computing of the next parts.
fn with_writer<T>(
    output: &mut Output,
    pool: &Pool,
    compute: impl FnOnce(&SyncSender<Vec<String>>) -> Result<T>,
) -> Result<T> {
    let describe = output.describe();
    let mut writer = output.sink.take().expect("one writer at a time");
    let (sender, receiver): (SyncSender<Vec<String>>, Receiver<Vec<String>>) = sync_channel(2);
    let (result, written) = std::thread::scope(|scope| {
        let thread = scope.spawn(move || -> io::Result<Sink> {
            for parts in receiver {
                for part in parts {
                    writer.write_all(part.as_bytes())?;
                    pool.give(part);
                }
            }
            Ok(writer)
        });
        let result = compute(&sender);
        drop(sender);
        (
            result,
            thread.join().expect("the writer thread does not panic"),
        )
    });
    match written {
        Ok(writer) => output.sink = Some(writer),
        // The writer's error comes first: a closed pipe stops the sends.
        Err(e) => return Err(e).with_context(|| format!("cannot write {describe}")),
    }
    result
}

/// Sends parts to the writer; `false` once the writer has stopped.
fn send(sender: &SyncSender<Vec<String>>, parts: Vec<String>) -> bool {
    sender.send(parts).is_ok()
}

fn progress_bar(options: &Options, length: Option<u64>, unit: &str) -> ProgressBar {
    if !options.progress || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match length {
        Some(length) => ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = match (length, unit) {
        (Some(_), "bytes") => {
            "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        }
        (Some(_), _) => {
            "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} {per_sec} eta {eta}"
        }
        (None, "bytes") => "{elapsed_precise} {spinner} {bytes} {bytes_per_sec}",
        (None, _) => "{elapsed_precise} {spinner} {human_pos} {per_sec}",
    };
    bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
    bar
}

/// A whole input: a file mapped into memory (no copy, and no pages
/// faulted in for a buffer), or standard input read to its end.
enum Loaded {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Loaded {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Loaded::Mapped(map) => map,
            Loaded::Read(bytes) => bytes,
        }
    }
}

fn load(path: &Path) -> Result<Loaded> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(Loaded::Read(bytes));
    }
    let cannot = || format!("cannot read {}", path.display());
    let file = fs::File::open(path).with_context(cannot)?;
    let length = file.metadata().with_context(cannot)?.len();
    if length == 0 || !file.metadata().with_context(cannot)?.is_file() {
        // Nothing to map (or a pipe given by name): read it.
        let mut bytes = Vec::new();
        (&file).read_to_end(&mut bytes).with_context(cannot)?;
        return Ok(Loaded::Read(bytes));
    }
    // SAFETY: the map is read only, and only while the command runs; a
    // file changed by another program meanwhile can give wrong bytes
    // (caught by the parser as bad input) but not unsafety in this
    // program, which never assumes the bytes stay the same (each piece is
    // parsed once). That is the contract of every tool that maps its
    // input (ripgrep, for one).
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.with_context(cannot)?;
    Ok(Loaded::Mapped(map))
}

/// Output buffers handed back by the writer, so that a part writes into
/// memory that is already faulted in and big enough.
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<String>>);

impl Pool {
    /// Buffers kept: a few batches' worth of parts.
    const KEPT: usize = 64;

    fn take(&self) -> String {
        self.0
            .lock()
            .expect("the pool is never poisoned")
            .pop()
            .unwrap_or_default()
    }

    fn give(&self, mut buffer: String) {
        buffer.clear();
        let mut pool = self.0.lock().expect("the pool is never poisoned");
        if pool.len() < Self::KEPT {
            pool.push(buffer);
        }
    }
}

fn input_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// How many records a part holds: several parts a thread, so that a slow
/// part does not leave a core idle.
fn per_part(n: usize) -> usize {
    n.div_ceil(rayon::current_num_threads() * 4).max(1)
}

// ---------------------------------------------------------------- documents

fn document<D: Domain>(options: &Options, output: &mut Output) -> Result<Summary> {
    let name = input_name(&options.input);
    let bytes = load(&options.input)?;
    let bad_input = || format!("bad input in {}", options.input.display());
    if options.engine == Engine::Fast
        && let Some(summary) = one_pass::<D>(options, &bytes, output)?
    {
        return Ok(summary);
    }
    let fast = match options.engine {
        Engine::Fast => split_document::<D>(&bytes),
        Engine::Reference => None,
    };
    let Some((input, records)) = fast else {
        // The reference path: the reference parser, which names the first
        // problem in the file, then the engine asked for, all in memory.
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            anyhow::anyhow!("cannot read {name}: stream did not contain valid UTF-8")
        })?;
        let input = D::parse_document(text).with_context(bad_input)?;
        let result = D::run_document(options.engine, &input).with_context(bad_input)?;
        let describe = output.describe();
        let mut writer = io::BufWriter::new(output.sink());
        serde_json::to_writer_pretty(&mut writer, &result)
            .map_err(io::Error::from)
            .and_then(|()| writer.write_all(b"\n"))
            .and_then(|()| writer.flush())
            .with_context(|| format!("cannot write {describe}"))?;
        return Ok(Summary {
            written: D::output_len(&result) as u64,
            rejected: 0,
            one_pass: false,
        });
    };
    drop(bytes);
    let shared = D::shared(&input, options.engine, records.iter());
    if !output.sink().rewindable() {
        // Standard output cannot be taken back: every record is computed
        // once before the first byte goes out, so that bad input prints
        // nothing. A file is renamed into place only at the end instead.
        first_failure::<D>(&shared, &records, |part, record| D::compute(part, record))
            .map_err(|e| anyhow::Error::new(e).context(bad_input()))?;
    }
    let bar = progress_bar(options, Some(records.len() as u64), D::RECORDS);
    let mut head = String::new();
    let mut w = JsonWriter::new(&mut head, true);
    w.begin_object();
    D::head(&input, &mut w);
    w.key(D::OUTPUTS);
    w.begin_array();
    let pool = Pool::default();
    with_writer(output, &pool, |sender| {
        if !send(sender, vec![head]) {
            return Ok(());
        }
        for (batch_idx, batch) in records.chunks(D::DOCUMENT_BATCH).enumerate() {
            let first = batch_idx * D::DOCUMENT_BATCH;
            let per_part = per_part(batch.len());
            let parts: Vec<Result<String, InputError>> = batch
                .par_chunks(per_part)
                .enumerate()
                .map(|(part_idx, part_records)| {
                    let mut out = pool.take();
                    let none_before = first == 0 && part_idx == 0;
                    let mut w = JsonWriter::inside_array(&mut out, true, 2, none_before);
                    let mut part = D::part(&shared, part_records);
                    for (offset, record) in part_records.iter().enumerate() {
                        D::write(&mut part, record, &mut w)
                            .map_err(|e| at_record::<D>(first + part_idx * per_part + offset, e))?;
                    }
                    Ok(out)
                })
                .collect();
            // In order: the first failure is the first bad record's, the
            // reference's error (every record parsed and checked above).
            let parts = parts
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow::Error::new(e).context(bad_input()))?;
            bar.inc(batch.len() as u64);
            if !send(sender, parts) {
                return Ok(());
            }
        }
        let mut tail = String::new();
        let mut w = JsonWriter::inside_array(&mut tail, true, 2, records.is_empty());
        w.end_array();
        w.end_object();
        tail.push('\n');
        send(sender, vec![tail]);
        Ok(())
    })?;
    bar.finish_and_clear();
    let written = records.len() as u64;
    // Freeing a million records one by one just before the process ends
    // costs tens of milliseconds that the kernel's unmapping does for free.
    std::mem::forget(records);
    Ok(Summary {
        written,
        rejected: 0,
        one_pass: false,
    })
}

// ------------------------------------------------------ documents, one pass

/// One task's share of a document's records in the one-pass path: the
/// records that start in its byte range, read, checked, computed and
/// written.
struct Chunk {
    /// Where its first record starts: the first place in its range where a
    /// record can be read and is followed by `,` or by the array's end (a
    /// guess, which the chunk before confirms); `None` where there is none
    /// (no record starts in the range, or none the hand reader reads).
    first: Option<usize>,
    /// Where its range ends.
    end: usize,
    /// Where the record after its last starts, or where its last record's
    /// array ends (`ended`).
    next: usize,
    /// Whether its last record is followed by `]`.
    ended: bool,
    /// Records read.
    count: u64,
    /// Each record's id hash.
    ids: Vec<u64>,
    /// The results, each preceded by `,`.
    text: String,
    /// Whether every record it read passed (else the path gives up).
    ok: bool,
}

/// The hasher of the one-pass path's ids.
fn id_hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(1, 2, 3, 4)
}

/// The records starting in `range` of the array that ends at `close`,
/// the first of them guessed unless `known`.
#[allow(clippy::too_many_arguments)]
fn read_chunk<D: Domain>(
    bytes: &[u8],
    range: std::ops::Range<usize>,
    close: usize,
    known: bool,
    input: &D::Input,
    shared: &D::Shared<'_>,
    sample: &[D::Record],
    out: Option<String>,
) -> Chunk {
    let write = out.is_some();
    let mut chunk = Chunk {
        first: None,
        end: range.end,
        next: close,
        ended: false,
        count: 0,
        ids: Vec::new(),
        text: out.unwrap_or_default(),
        ok: true,
    };
    // The first record: where one can be read and ends as an element.
    let after = |end: usize| scan::skip_ws_at(bytes, end);
    let mut found = None;
    if known {
        found = D::read_at(bytes, range.start).map(|(record, end)| (range.start, record, end));
        if found.is_none() {
            chunk.ok = false;
            return chunk;
        }
    } else {
        // Only within the range: a record the hand reader cannot read must
        // not send every later task scanning to the array's end.
        let mut from = range.start;
        while let Some(offset) = memchr::memchr(b'{', &bytes[from..range.end]) {
            let at = from + offset;
            if let Some((record, end)) = D::read_at(bytes, at) {
                let next = after(end);
                if bytes.get(next) == Some(&b',') || next == close {
                    found = Some((at, record, end));
                    break;
                }
            }
            from = at + 1;
        }
    }
    let Some((mut at, mut record, mut end)) = found else {
        return chunk;
    };
    chunk.first = Some(at);
    let hasher = id_hasher();
    let mut part = D::part(shared, sample);
    let mut w = JsonWriter::inside_array(&mut chunk.text, true, 2, false);
    loop {
        let done = D::check(input, &record).and_then(|()| {
            if write {
                D::write(&mut part, &record, &mut w)
            } else {
                D::compute(&mut part, &record)
            }
        });
        if done.is_err() {
            chunk.ok = false;
            return chunk;
        }
        chunk.ids.push(hasher.hash_one(D::id(&record)));
        chunk.count += 1;
        let next = after(end);
        match bytes.get(next) {
            Some(b',') => {
                at = after(next + 1);
                if at >= range.end {
                    chunk.next = at;
                    return chunk;
                }
                match D::read_into(bytes, at, &mut record) {
                    Some(e) => end = e,
                    None => {
                        chunk.ok = false;
                        return chunk;
                    }
                }
            }
            Some(b']') => {
                chunk.next = next;
                chunk.ended = true;
                return chunk;
            }
            _ => {
                chunk.ok = false;
                return chunk;
            }
        }
    }
}

/// The chain of chunks read so far: where the next record must start.
struct Chain {
    expected: usize,
    ended: bool,
    count: u64,
}

impl Chain {
    /// Takes `chunk` if it starts where the chain stands.
    fn take(&mut self, chunk: &Chunk) -> bool {
        if !chunk.ok {
            return false;
        }
        let Some(first) = chunk.first else {
            // No record starts in its range: right only if the chain's
            // next record starts after it (a record longer than a range),
            // or the array has ended.
            return self.ended || self.expected >= chunk.end;
        };
        if self.ended || first != self.expected {
            return false;
        }
        self.expected = chunk.next;
        self.ended = chunk.ended;
        self.count += chunk.count;
        true
    }
}

/// The one-pass path of a document: no record is kept. The record array
/// (the document's last field) is cut into byte ranges, one task each;
/// each task guesses where its first record starts, then reads, checks,
/// computes and writes the records that start in its range, and the
/// chunk before confirms the guess. Results go out as soon as their
/// chunk is confirmed. Anything unexpected (a wrong guess, a record the
/// hand reader or the engine gives up on, bad input, a repeated id)
/// takes back what was written and returns `None`, for the path that
/// keeps every record (and from there the reference) to judge. Output
/// that cannot be taken back is written in a second pass, once the first
/// has read and computed everything.
fn one_pass<D: Domain>(
    options: &Options,
    bytes: &[u8],
    output: &mut Output,
) -> Result<Option<Summary>> {
    let Some(region) = scan::region(bytes, D::RECORDS) else {
        return Ok(None);
    };
    let context = region.context(bytes);
    let Ok(context) = std::str::from_utf8(&context) else {
        return Ok(None);
    };
    let Ok(input) = D::parse_document(context) else {
        return Ok(None);
    };
    let first = region.first(bytes);
    let close = region.close;
    // A sample to hoist from: the first records, read one after another.
    let mut sample = Vec::new();
    let mut at = first;
    while sample.len() < 4096
        && let Some((record, end)) = D::read_at(bytes, at)
    {
        sample.push(record);
        let next = scan::skip_ws_at(bytes, end);
        if bytes.get(next) != Some(&b',') {
            break;
        }
        at = scan::skip_ws_at(bytes, next + 1);
    }
    let shared = D::shared(&input, options.engine, sample.iter());
    let chunk_bytes = options.chunk_bytes.unwrap_or(D::CHUNK_BYTES).max(1);
    let ranges: Vec<std::ops::Range<usize>> = (first..close)
        .step_by(chunk_bytes)
        .map(|start| start..(start + chunk_bytes).min(close))
        .collect();
    let rewindable = output.sink().rewindable();
    let pool = Pool::default();
    let pass = |deliver: Deliver<'_>| {
        chain::<D>(
            bytes, &ranges, close, &input, &shared, &sample, deliver, options,
        )
    };
    if !rewindable {
        // Nothing may go out before everything is known good: a first
        // pass reads and computes every record, keeping the results if
        // they are small enough to keep (then there is no second pass).
        let mut held = Held::new(options.hold_bytes);
        let Some(summary) = pass(Deliver::Hold(&mut held))? else {
            return Ok(None);
        };
        if !held.given_up {
            let texts = std::mem::take(&mut held.texts);
            with_writer(output, &pool, |sender| {
                let _ = send(sender, vec![head_text::<D>(&input)])
                    && send(sender, texts)
                    && send(sender, vec![tail_text(summary.written)]);
                Ok(())
            })?;
            return Ok(Some(summary));
        }
    }
    let summary = with_writer(output, &pool, |sender| pass(Deliver::Send(sender, &pool)))?;
    match summary {
        Some(summary) => Ok(Some(summary)),
        None if rewindable => {
            output
                .sink()
                .rewind()
                .with_context(|| format!("cannot take back {}", output.describe()))?;
            Ok(None)
        }
        None => bail!(
            "the second pass over {} read differently from the first",
            input_name(&options.input)
        ),
    }
}

/// Where the one-pass path's confirmed results go.
enum Deliver<'a> {
    /// To the writer thread, wave by wave.
    Send(&'a SyncSender<Vec<String>>, &'a Pool),
    /// Kept in memory, for output that cannot be taken back, while the
    /// whole output promises to stay under a cap.
    Hold(&'a mut Held),
}

/// The results of a first pass over a document, kept so that a second
/// pass is needed only for output too big to keep.
struct Held {
    cap: usize,
    texts: Vec<String>,
    bytes: usize,
    /// Whether the output promised to be too big (nothing is kept then).
    given_up: bool,
}

impl Held {
    fn new(cap: usize) -> Held {
        Held {
            cap,
            texts: Vec::new(),
            bytes: 0,
            given_up: false,
        }
    }

    fn give_up(&mut self) {
        self.given_up = true;
        self.texts = Vec::new();
        self.bytes = 0;
    }
}

/// The output document's opening, up to its record array's `[`.
fn head_text<D: Domain>(input: &D::Input) -> String {
    let mut head = String::new();
    let mut w = JsonWriter::new(&mut head, true);
    w.begin_object();
    D::head(input, &mut w);
    w.key(D::OUTPUTS);
    w.begin_array();
    head
}

/// The output document's closing, after `count` records.
fn tail_text(count: u64) -> String {
    let mut tail = String::new();
    let mut w = JsonWriter::inside_array(&mut tail, true, 2, count == 0);
    w.end_array();
    w.end_object();
    tail.push('\n');
    tail
}

/// Reads every chunk, in waves of a few a thread, confirming each and
/// sending its results to `out` (with the document's head and tail);
/// `None` where the one-pass path gives up.
#[allow(clippy::too_many_arguments)]
fn chain<D: Domain>(
    bytes: &[u8],
    ranges: &[std::ops::Range<usize>],
    close: usize,
    input: &D::Input,
    shared: &D::Shared<'_>,
    sample: &[D::Record],
    mut deliver: Deliver<'_>,
    options: &Options,
) -> Result<Option<Summary>> {
    let bar = progress_bar(options, ranges.last().map(|r| r.end as u64), "bytes");
    let out = match &deliver {
        Deliver::Send(sender, pool) => Some((*sender, *pool)),
        Deliver::Hold(_) => None,
    };
    if let Some((sender, _)) = out
        && !send(sender, vec![head_text::<D>(input)])
    {
        return Ok(Some(Summary::default()));
    }
    let first = ranges.first().map_or(close, |range| range.start);
    let mut chain = Chain {
        expected: first,
        ended: first == close,
        count: 0,
    };
    let mut ids = Vec::new();
    let wave = rayon::current_num_threads() * 4;
    for (wave_idx, wave_ranges) in ranges.chunks(wave).enumerate() {
        let holding = matches!(&deliver, Deliver::Hold(held) if !held.given_up);
        let chunks: Vec<Chunk> = wave_ranges
            .par_iter()
            .enumerate()
            .map(|(idx, range)| {
                let known = wave_idx == 0 && idx == 0;
                let text = match out {
                    Some((_, pool)) => {
                        let mut text = pool.take();
                        text.reserve(range.len() * 2);
                        Some(text)
                    }
                    None if holding => Some(String::with_capacity(range.len() * 2)),
                    None => None,
                };
                read_chunk::<D>(
                    bytes,
                    range.clone(),
                    close,
                    known,
                    input,
                    shared,
                    sample,
                    text,
                )
            })
            .collect();
        let mut texts = Vec::with_capacity(chunks.len());
        for mut chunk in chunks {
            let none_before = chain.count == 0;
            if !chain.take(&chunk) {
                bar.finish_and_clear();
                return Ok(None);
            }
            if none_before && chunk.count > 0 && !chunk.text.is_empty() {
                // The first element has no comma before it.
                chunk.text.remove(0);
            }
            ids.append(&mut chunk.ids);
            texts.push(chunk.text);
        }
        bar.set_position(wave_ranges.last().map_or(0, |r| r.end) as u64);
        match &mut deliver {
            Deliver::Send(sender, _) => {
                if !send(sender, texts) {
                    return Ok(Some(Summary::default()));
                }
            }
            Deliver::Hold(held) if !held.given_up => {
                held.bytes += texts.iter().map(String::len).sum::<usize>();
                held.texts.extend(texts);
                // The whole output, at the rate of what is held so far.
                let read = wave_ranges.last().map_or(first, |r| r.end) - first;
                let projected = held.bytes as f64 * (close - first) as f64 / read.max(1) as f64;
                if projected > held.cap as f64 {
                    held.give_up();
                }
            }
            Deliver::Hold(_) => {}
        }
    }
    bar.finish_and_clear();
    if !chain.ended || chain.expected != close {
        return Ok(None);
    }
    // Ids are unique in a document: their hashes sorted. Two equal hashes
    // (a repeated id, or once in billions of documents two ids that
    // collide) send the document to the path that compares the ids.
    ids.par_sort_unstable();
    let repeated = ids.windows(2).any(|pair| pair[0] == pair[1]);
    if repeated {
        return Ok(None);
    }
    if let Some((sender, _)) = out {
        send(sender, vec![tail_text(chain.count)]);
    }
    Ok(Some(Summary {
        written: chain.count,
        rejected: 0,
        one_pass: true,
    }))
}

/// An error at a record's own path, at its path in the document.
fn at_record<D: Domain>(index: usize, e: InputError) -> InputError {
    let path = if e.path.is_empty() {
        format!("{}[{index}]", D::RECORDS)
    } else {
        format!("{}[{index}].{}", D::RECORDS, e.path)
    };
    InputError::new(path, e.message)
}

/// Runs `each` over every record on every core, in parts; the first
/// record's failure in input order, at its path in the document.
fn first_failure<D: Domain>(
    shared: &D::Shared<'_>,
    records: &[D::Record],
    each: impl Fn(&mut D::Part<'_>, &D::Record) -> Result<(), InputError> + Sync,
) -> Result<(), InputError> {
    let per_part = per_part(records.len());
    let failures: Vec<Option<InputError>> = records
        .par_chunks(per_part)
        .enumerate()
        .map(|(part_idx, part_records)| {
            let mut part = D::part(shared, part_records);
            part_records
                .iter()
                .enumerate()
                .find_map(|(offset, record)| {
                    each(&mut part, record)
                        .err()
                        .map(|e| at_record::<D>(part_idx * per_part + offset, e))
                })
        })
        .collect();
    match failures.into_iter().flatten().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether no two records share an id.
fn unique_ids<D: Domain>(records: &[D::Record]) -> bool {
    let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let mut hashes: Vec<(u64, usize)> = records
        .par_iter()
        .enumerate()
        .map(|(idx, record)| (hasher.hash_one(D::id(record)), idx))
        .collect();
    hashes.par_sort_unstable();
    hashes.windows(2).all(|pair| {
        pair[0].0 != pair[1].0 || D::id(&records[pair[0].1]) != D::id(&records[pair[1].1])
    })
}

/// The document split and its records parsed on every core, each one
/// checked; `None` for anything the reference path must judge.
fn split_document<D: Domain>(bytes: &[u8]) -> Option<(D::Input, Vec<D::Record>)> {
    let split = scan::split(bytes, D::RECORDS)?;
    let context = std::str::from_utf8(&split.context).ok()?;
    let input = D::parse_document(context).ok()?;
    let parts: Option<Vec<Vec<D::Record>>> = split
        .records
        .par_chunks(per_part(split.records.len()))
        .map(|ranges| {
            ranges
                .iter()
                .map(|range| {
                    let text = &bytes[range.clone()];
                    let record = D::read(text).or_else(|| serde_json::from_slice(text).ok())?;
                    D::check(&input, &record).ok()?;
                    Some(record)
                })
                .collect::<Option<Vec<_>>>()
        })
        .collect();
    let parts = parts?;
    let mut records = Vec::with_capacity(split.records.len());
    for part in parts {
        records.extend(part);
    }
    // Ids are unique in a document (the reference says which repeats):
    // their hashes sorted on every core, and the strings compared only
    // where two hashes meet.
    if !unique_ids::<D>(&records) {
        return None;
    }
    Some((input, records))
}

// ---------------------------------------------------------------- streams

/// A block of whole lines.
struct Block {
    /// The line number of its first line (1-based).
    first_line: u64,
    bytes: Vec<u8>,
    /// Whether the input ends inside this block's last line (no newline).
    unterminated: bool,
}

/// Reads `source` in blocks of whole lines of about `size` bytes.
fn read_blocks(
    mut source: Box<dyn Read + Send>,
    size: usize,
    sender: SyncSender<io::Result<Block>>,
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
                let _ = sender.send(Ok(Block {
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
                let block = Block {
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

/// One part of a block, done.
struct PartDone {
    text: String,
    written: u64,
    rejects: Vec<Reject>,
}

impl PartDone {
    /// Nothing done yet, the text to be written into `buffer`.
    fn empty(buffer: String) -> PartDone {
        PartDone {
            text: buffer,
            written: 0,
            rejects: Vec::new(),
        }
    }
}

#[derive(serde::Deserialize)]
struct IdOnly {
    id: String,
}

/// A block's lines with their numbers, blank ones left out.
fn lines_of(block: &Block) -> Vec<(u64, &[u8])> {
    lines_and_newlines(block).0
}

/// [`lines_of`], and the newlines in the block.
fn lines_and_newlines(block: &Block) -> (Vec<(u64, &[u8])>, u64) {
    let bytes = &block.bytes[..];
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

fn stream<D: Domain>(options: &Options, output: &mut Output) -> Result<Summary> {
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
    let mut rejects_file = match &options.rejects {
        Some(path) => Some(Output::open(Some(path))?),
        None => None,
    };
    let bar = progress_bar(options, length, "bytes");
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

fn stream_blocks<D: Domain>(
    options: &Options,
    name: &str,
    blocks: &Receiver<io::Result<Block>>,
    output: &mut Output,
    mut rejects_file: Option<&mut Output>,
    bar: &ProgressBar,
) -> Result<Summary> {
    let read = |block: io::Result<Block>| block.with_context(|| format!("cannot read {name}"));
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
    let pool = Pool::default();
    with_writer(output, &pool, |writer| {
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
            let parts: Vec<PartDone> = match &shared {
                // Every block after the first: a part's lines read, checked,
                // computed and written in one pass, into one record.
                Some(shared) => lines
                    .par_chunks(per_part)
                    .enumerate()
                    .map(|(part_idx, lines)| {
                        let first = first_record + (part_idx * per_part) as u64;
                        let at = StreamAt {
                            first_record: first,
                            unterminated_line,
                            stop,
                        };
                        stream_part::<D>(&input, shared, &sample, lines, at, pool.take())
                    })
                    .collect(),
                // The first: every record read and kept, to hoist from.
                None => {
                    let parsed: Vec<Parsed<D::Record>> = lines
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
                            write_part::<D>(shared, parsed, lines, first, stop, pool.take())
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
                    let out = file.sink();
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

/// The records a part of a stream's block sees first (see `stream_part`).
const SAMPLE: usize = 1024;

/// Where a part of a stream's block stands, and what it does with a
/// failure.
#[derive(Clone, Copy)]
struct StreamAt {
    /// The index of its first line's record.
    first_record: u64,
    /// The input's last line, where it has no newline.
    unterminated_line: Option<u64>,
    /// Whether the run stops at the first failure.
    stop: bool,
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
    at: StreamAt,
    buffer: String,
) -> PartDone {
    let mut done = PartDone::empty(buffer);
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

/// One part of a block, parsed: the records that parsed and passed their
/// checks, and for each line in order, its record's index there or why it
/// failed.
struct Parsed<R> {
    records: Vec<R>,
    slots: Vec<Result<usize, Reject>>,
}

/// Parses and checks one part of a block's lines (up to the first failure,
/// with `stop`).
fn parse_part<D: Domain>(
    input: &D::Input,
    lines: &[(u64, &[u8])],
    first_record: u64,
    unterminated_line: Option<u64>,
    stop: bool,
) -> Parsed<D::Record> {
    let mut parsed = Parsed {
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
    parsed: Parsed<D::Record>,
    lines: &[(u64, &[u8])],
    first_record: u64,
    stop: bool,
    buffer: String,
) -> PartDone {
    let mut done = PartDone::empty(buffer);
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
    fn formats_from_names() {
        assert_eq!(Format::of_path(Path::new("a/b.jsonl")), Format::Jsonl);
        assert_eq!(Format::of_path(Path::new("b.ndjson")), Format::Jsonl);
        assert_eq!(Format::of_path(Path::new("b.json")), Format::Json);
        assert_eq!(Format::of_path(Path::new("-")), Format::Json);
    }

    fn chunk(first: Option<usize>, end: usize, next: usize, ended: bool, count: u64) -> Chunk {
        Chunk {
            first,
            end,
            next,
            ended,
            count,
            ids: Vec::new(),
            text: String::new(),
            ok: true,
        }
    }

    #[test]
    fn the_chain_takes_only_chunks_that_start_where_it_stands() {
        let close = 100;
        let mut chain = Chain {
            expected: 10,
            ended: false,
            count: 0,
        };
        // Ranges of 20 bytes from 10.
        assert!(chain.take(&chunk(Some(10), 30, 40, false, 3)));
        // A chunk whose guess is not where the last one ended.
        assert!(!chain.clone_at().take(&chunk(Some(38), 50, 60, false, 2)));
        // A chunk where no record starts (the record at 40 is longer than
        // it): right only if the chain's next record starts past it.
        assert!(chain.take(&chunk(None, 40, 40, false, 0)));
        assert!(!chain.clone_at().take(&chunk(None, 50, 50, false, 0)));
        let mut failed = chunk(Some(40), 70, 90, true, 5);
        failed.ok = false;
        assert!(!chain.clone_at().take(&failed));
        assert!(chain.take(&chunk(Some(40), 70, close, true, 5)));
        assert_eq!((chain.count, chain.ended, chain.expected), (8, true, close));
        // After the array's end only chunks that found nothing.
        assert!(chain.take(&chunk(None, 90, close, false, 0)));
        assert!(!chain.clone_at().take(&chunk(Some(95), 100, 99, false, 1)));
    }

    impl Chain {
        fn clone_at(&self) -> Chain {
            Chain {
                expected: self.expected,
                ended: self.ended,
                count: self.count,
            }
        }
    }

    #[test]
    fn blocks_hold_whole_lines_and_count_them() {
        let text = b"a\nbb\n\nccc\ndddddddddd\ne".to_vec();
        let (sender, receiver) = sync_channel(100);
        read_blocks(Box::new(io::Cursor::new(text)), 3, sender);
        let blocks: Vec<Block> = receiver.iter().map(Result::unwrap).collect();
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
