//! A document read in one pass, keeping no record: the record array (the
//! document's last field, as `mizan generate` writes it) cut into byte
//! ranges, a [`Chunk`] each; each task guesses where its first record
//! starts, then reads, checks, computes and writes the records that start
//! in its range, and the chunk before confirms the guess
//! ([`ConfirmedChunks`]). Confirmed results go to the writer thread, or,
//! for output that cannot be taken back (a pipe), are held in memory
//! ([`ResultsHeldForPipe`]) until the whole document is known good.
//! Anything unexpected gives up (`None`), for `document.rs` to judge.

use std::sync::mpsc::SyncSender;

use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;

use super::command::{Options, Summary, progress_bar};
use super::domain::Domain;
use super::held::Held;
use super::output::{Output, SpareBuffers, send, with_writer};
use super::source::input_name;
use crate::json::JsonWriter;
use crate::json::scan;

/// Records read from the array's start, on one core before the tasks
/// begin, to hoist from (`Domain::shared`: zakat's hawl table covers every
/// day from their first hawl start to their last, when those days are no
/// more than the records; a payer starting elsewhere has its hawl
/// computed as it comes) and to size each task's engine state
/// (`Domain::part`: room for the longest murabaha schedule and the most
/// payments among them). `mizan generate` draws a payer's hawl start from
/// 800 days (some 815 of the table's keys). 1,024 records were tried:
/// 100,000 payers to /dev/null, `perf stat -r 15`, the two builds
/// alternated, 37.0 ms against 39.6-40.5 ms at 4,096 (2026-12-07, another
/// process holding part of a core), the sample being read while the
/// other core waits. Not kept: with 1,024 the table stays empty for
/// starts spread over more than some 2.8 years (1,024 keys), and every
/// payer's hawl is then computed as it comes, where 4,096 covers some 11
/// years; a sample that is cheaper to read (the starts alone) would keep
/// both.
const HOIST_SAMPLE: usize = 4096;

/// Chunks a wave holds, for each thread. Not measured, and the same
/// reasoning as `parts::PARTS_A_THREAD`: several a thread, so that a slow
/// chunk does not leave a core idle at the wave's end, where the wave's
/// chunks are confirmed in order; each chunk's results wait in memory
/// until then, so more a wave hold more output, and a wrong guess is
/// found only at the wave's end (the whole wave is read before the path
/// gives up).
const CHUNKS_A_THREAD: usize = 4;

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
    /// The results, each preceded by `,` (output that goes to the writer).
    text: String,
    /// The results held (output that cannot be taken back yet).
    held: Option<Held>,
    /// Whether every record it read passed (else the path gives up).
    ok: bool,
}

/// The chunks confirmed so far, each starting where the one before ended:
/// where the next record must start.
struct ConfirmedChunks {
    /// Where the next chunk's first record must start.
    expected: usize,
    /// Whether the record array has ended (its `]` was read).
    ended: bool,
    /// Records read in the chunks confirmed.
    count: u64,
}

/// What a task does with each record's result.
enum Sink {
    /// Writes it: for the writer thread, or held as text (a domain that
    /// packs nothing).
    Text(String),
    /// Holds it, for output that cannot be taken back yet.
    Held(Held),
    /// Drops it: a first pass that holds nothing, for output too big to
    /// hold.
    Compute,
}

/// Where the one-pass path's confirmed results go.
enum ResultsGoTo<'a> {
    /// To the writer thread, wave by wave, in buffers taken from the
    /// spares.
    Writer(&'a SyncSender<Vec<String>>, &'a SpareBuffers),
    /// Into memory, for output that cannot be taken back, while the whole
    /// output promises to stay under a cap.
    Memory(&'a mut ResultsHeldForPipe),
}

/// The results of a first pass over a document, held for output that
/// cannot be taken back (a pipe, a terminal, `/dev/null`) until the whole
/// document is known good, so that a second pass is needed only for
/// output too big to hold.
struct ResultsHeldForPipe {
    /// Bytes of results held at most (`--hold-mb`).
    cap: usize,
    /// The confirmed chunks' results as text, in order (a domain that
    /// packs none).
    texts: Vec<String>,
    /// The confirmed chunks' results held through `Domain::hold`, in
    /// order, each with the number of records before it (a domain that
    /// packs them).
    chunks: Vec<(Held, u64)>,
    /// Their bytes.
    bytes: usize,
    /// Whether the output promised to be too big (nothing is kept then).
    given_up: bool,
}

impl ConfirmedChunks {
    /// Confirms `chunk` if it starts where the confirmed chunks end.
    fn accept(&mut self, chunk: &Chunk) -> bool {
        if !chunk.ok {
            return false;
        }
        let Some(first) = chunk.first else {
            // No record starts in its range: right only if the next
            // record starts after it (a record longer than a range),
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

impl ResultsHeldForPipe {
    fn new(cap: usize) -> ResultsHeldForPipe {
        ResultsHeldForPipe {
            cap,
            texts: Vec::new(),
            chunks: Vec::new(),
            bytes: 0,
            given_up: false,
        }
    }

    fn give_up(&mut self) {
        self.given_up = true;
        self.texts = Vec::new();
        self.chunks = Vec::new();
        self.bytes = 0;
    }
}

/// A document read in one pass: no record is kept. The record array
/// (the document's last field) is cut into byte ranges, one task each;
/// each task guesses where its first record starts, then reads, checks,
/// computes and writes the records that start in its range, and the
/// chunk before confirms the guess. Results go out as soon as their
/// chunk is confirmed. Anything unexpected (a wrong guess, a record the
/// hand reader or the engine gives up on, bad input, a repeated id)
/// takes back what was written and returns `None`, for the path that
/// keeps every record (and from there the reference) to judge. Output
/// that cannot be taken back gets nothing until a first pass has read and
/// computed everything: its results held in memory meanwhile, up to
/// `--hold-mb`, or, past that, written by a second pass.
pub(super) fn one_pass<D: Domain>(
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
    while sample.len() < HOIST_SAMPLE
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
    let rewindable = output.destination().rewindable();
    let spares = SpareBuffers::default();
    let pass = |deliver: ResultsGoTo<'_>| {
        read_and_confirm::<D>(
            bytes, &ranges, close, &input, &shared, &sample, deliver, options,
        )
    };
    if !rewindable {
        // Nothing may go out before everything is known good: a first
        // pass reads and computes every record, keeping the results if
        // they are small enough to keep (then there is no second pass).
        let mut held = ResultsHeldForPipe::new(options.hold_bytes);
        let Some(summary) = pass(ResultsGoTo::Memory(&mut held))? else {
            return Ok(None);
        };
        if !held.given_up {
            let texts = std::mem::take(&mut held.texts);
            let chunks = std::mem::take(&mut held.chunks);
            with_writer(output, &spares, |sender| {
                let _ = send(sender, vec![head_text::<D>(&input, !options.compact)])
                    && send(sender, texts)
                    && write_held::<D>(&chunks, &shared, sender, &spares)
                    && send(sender, vec![tail_text(summary.written, !options.compact)]);
                Ok(())
            })?;
            return Ok(Some(summary));
        }
    }
    let summary = with_writer(output, &spares, |sender| {
        pass(ResultsGoTo::Writer(sender, &spares))
    })?;
    match summary {
        Some(summary) => Ok(Some(summary)),
        None if rewindable => {
            output
                .destination()
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

/// Reads every chunk, in waves of a few a thread, confirming each and
/// delivering its results where `deliver` says (to the writer with the
/// document's head and tail, or into memory); `None` where the one-pass
/// path gives up.
#[allow(clippy::too_many_arguments)]
fn read_and_confirm<D: Domain>(
    bytes: &[u8],
    ranges: &[std::ops::Range<usize>],
    close: usize,
    input: &D::Input,
    shared: &D::Shared<'_>,
    sample: &[D::Record],
    mut deliver: ResultsGoTo<'_>,
    options: &Options,
) -> Result<Option<Summary>> {
    let bar = progress_bar(options, ranges.last().map(|r| r.end as u64), "bytes");
    let out = match &deliver {
        ResultsGoTo::Writer(sender, spares) => Some((*sender, *spares)),
        ResultsGoTo::Memory(_) => None,
    };
    if let Some((sender, _)) = out
        && !send(sender, vec![head_text::<D>(input, !options.compact)])
    {
        return Ok(Some(Summary::default()));
    }
    let first = ranges.first().map_or(close, |range| range.start);
    let mut confirmed = ConfirmedChunks {
        expected: first,
        ended: first == close,
        count: 0,
    };
    let mut ids = Vec::new();
    let wave = rayon::current_num_threads() * CHUNKS_A_THREAD;
    for (wave_idx, wave_ranges) in ranges.chunks(wave).enumerate() {
        let holding = matches!(&deliver, ResultsGoTo::Memory(held) if !held.given_up);
        let chunks: Vec<Chunk> = wave_ranges
            .par_iter()
            .enumerate()
            .map(|(idx, range)| {
                let known = wave_idx == 0 && idx == 0;
                // Room for twice the range's bytes of results. Not
                // measured: a zakat assessment is about the size of its
                // payer (383 bytes written for 324 read, the tool
                // chapter's count), so twice is room enough and no
                // copy; a murabaha result is many times its contract, and
                // its buffer grows as it is written.
                let sink = match out {
                    Some((_, spares)) => {
                        let mut text = spares.take();
                        text.reserve(range.len() * 2);
                        Sink::Text(text)
                    }
                    // Room for as many bytes as the range: a packed
                    // zakat assessment takes a fifth of its payer's.
                    None if holding && D::PACKS => {
                        Sink::Held(Held::with_capacity(range.len(), !options.compact))
                    }
                    None if holding => Sink::Text(String::with_capacity(range.len() * 2)),
                    None => Sink::Compute,
                };
                read_chunk::<D>(
                    bytes,
                    range.clone(),
                    close,
                    known,
                    input,
                    shared,
                    sample,
                    sink,
                    !options.compact,
                )
            })
            .collect();
        let mut texts = Vec::with_capacity(chunks.len());
        let mut helds = Vec::with_capacity(chunks.len());
        for mut chunk in chunks {
            let before = confirmed.count;
            if !confirmed.accept(&chunk) {
                bar.finish_and_clear();
                return Ok(None);
            }
            if before == 0 && chunk.count > 0 && !chunk.text.is_empty() {
                // The first element has no comma before it.
                chunk.text.remove(0);
            }
            ids.append(&mut chunk.ids);
            texts.push(chunk.text);
            if let Some(held) = chunk.held {
                helds.push((held, before));
            }
        }
        bar.set_position(wave_ranges.last().map_or(0, |r| r.end) as u64);
        match &mut deliver {
            ResultsGoTo::Writer(sender, _) => {
                if !send(sender, texts) {
                    return Ok(Some(Summary::default()));
                }
            }
            ResultsGoTo::Memory(held) if !held.given_up => {
                held.bytes += texts.iter().map(String::len).sum::<usize>()
                    + helds.iter().map(|(h, _)| h.len()).sum::<usize>();
                if !D::PACKS {
                    held.texts.extend(texts);
                }
                held.chunks.extend(helds);
                // The whole output, at the rate of what is held so far.
                let read = wave_ranges.last().map_or(first, |r| r.end) - first;
                let projected = held.bytes as f64 * (close - first) as f64 / read.max(1) as f64;
                if projected > held.cap as f64 {
                    held.give_up();
                }
            }
            ResultsGoTo::Memory(_) => {}
        }
    }
    bar.finish_and_clear();
    if !confirmed.ended || confirmed.expected != close {
        return Ok(None);
    }
    // Ids are unique in a document: their hashes compared. Two equal hashes
    // (a repeated id, or once in billions of documents two ids that
    // collide) send the document to the path that compares the ids.
    if any_repeated(&ids) {
        return Ok(None);
    }
    if let Some((sender, _)) = out {
        send(sender, vec![tail_text(confirmed.count, !options.compact)]);
    }
    Ok(Some(Summary {
        written: confirmed.count,
        rejected: 0,
        one_pass: true,
    }))
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
    sink: Sink,
    pretty: bool,
) -> Chunk {
    let write = matches!(sink, Sink::Text(_));
    let (text, held) = match sink {
        Sink::Text(text) => (text, None),
        Sink::Held(held) => (String::new(), Some(held)),
        Sink::Compute => (String::new(), None),
    };
    let mut chunk = Chunk {
        first: None,
        end: range.end,
        next: close,
        ended: false,
        count: 0,
        ids: Vec::new(),
        text,
        held,
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
    let mut w = JsonWriter::inside_array(&mut chunk.text, pretty, 2, false);
    loop {
        let done = D::check(input, &record).and_then(|()| {
            if write {
                D::write(&mut part, &record, &mut w)
            } else if let Some(held) = &mut chunk.held {
                D::hold(&mut part, &record, held)
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

/// Writes the results held, segment by segment, on every core: worker `i`
/// of `n` formats segments `i`, `i + n`, `i + 2n`, ... into buffers the
/// writer hands back, each sent on a queue of its own two deep, and this
/// thread passes them to the writer in order, a round of the workers'
/// queues a message; whether the writer took them all. No worker waits
/// for another, and a few buffers a worker are in flight (its queue, the
/// one it writes, the writer's two messages), written into again and
/// again. A message a segment woke the writer twice as often: 1,118
/// system calls a run against 992 a round (`strace -f -c`, 100,000
/// payers, with standard output's line buffering gone too), time no
/// measurable difference. Against waves of a chunk a thread, each started
/// when the one before had ended, the whole command showed no measurable
/// difference (100,000 payers to /dev/null, `perf stat -r 15`, the two
/// builds alternated four times: 37.7-43.0 ms here against 38.6-48.3 ms,
/// another process holding part of a core, 2026-12-07), with fewer
/// fresh pages touched (3,400-3,800 page faults against 4,000-4,300);
/// waves of a segment a thread spent about a sixth of the phase's samples
/// in the scheduler, waking and parking threads (`perf record`).
fn write_held<D: Domain>(
    chunks: &[(Held, u64)],
    shared: &D::Shared<'_>,
    sender: &SyncSender<Vec<String>>,
    spares: &SpareBuffers,
) -> bool {
    let segments: Vec<(&Held, std::ops::Range<usize>, bool)> = chunks
        .iter()
        .flat_map(|(held, before)| {
            held.segments()
                .enumerate()
                .map(move |(idx, segment)| (held, segment, *before == 0 && idx == 0))
        })
        .collect();
    let workers = rayon::current_num_threads().min(segments.len()).max(1);
    let (queues, formatted): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| std::sync::mpsc::sync_channel::<String>(2))
        .unzip();
    let segments = &segments;
    // Threads of their own, not the pool's: this thread waits on their
    // queues, which would never fill if it were the pool's only thread
    // (`tool::run` called from inside a rayon pool).
    std::thread::scope(|scope| {
        for (worker, queue) in queues.into_iter().enumerate() {
            scope.spawn(move || {
                for (held, segment, first) in segments.iter().skip(worker).step_by(workers) {
                    let mut text = spares.take();
                    held.write(segment.clone(), &mut text, *first, |packed, w| {
                        D::unpack(shared, packed, w)
                    });
                    if queue.send(text).is_err() {
                        // The writer stopped, and this thread with it.
                        return;
                    }
                }
            });
        }
        // Dropping the queues' ends when the writer stops ends the workers.
        let formatted = formatted;
        // A message to the writer a round of the workers: one wake of the
        // writer for as many segments as there are workers.
        (0..segments.len()).step_by(workers).all(|first| {
            let texts: Option<Vec<String>> = (first..segments.len().min(first + workers))
                .map(|idx| formatted[idx % workers].recv().ok())
                .collect();
            texts.is_some_and(|texts| send(sender, texts))
        })
    })
}

/// Whether two of `hashes` are equal: the hashes scattered into buckets by
/// their top bits (two passes over them), some sixteen a bucket, and each
/// bucket sorted while it is in cache. A hash's bits are spread evenly, so
/// the buckets are even; where they are not (many equal hashes) a bucket
/// is only bigger. It replaced sorting them all (`par_sort_unstable`),
/// some 3 % of a run's samples on one core (`perf record`, 100,000
/// payers): 517.8 million instructions a run against 527.7 (callgrind,
/// one thread, 2026-12-07); the run's time showed no measurable
/// difference on a machine another process shared (`perf stat`).
fn any_repeated(hashes: &[u64]) -> bool {
    if hashes.len() < 2 {
        return false;
    }
    let bits = (hashes.len() / 16).max(2).ilog2().min(24);
    let shift = 64 - bits;
    let bucket = |hash: u64| (hash >> shift) as usize;
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &hash in hashes {
        starts[bucket(hash) + 1] += 1;
    }
    for idx in 1..starts.len() {
        starts[idx] += starts[idx - 1];
    }
    let mut next = starts.clone();
    let mut scattered = vec![0u64; hashes.len()];
    for &hash in hashes {
        let slot = &mut next[bucket(hash)];
        scattered[*slot] = hash;
        *slot += 1;
    }
    starts.windows(2).any(|range| {
        let bucket = &mut scattered[range[0]..range[1]];
        bucket.sort_unstable();
        bucket.windows(2).any(|pair| pair[0] == pair[1])
    })
}

/// The hasher of the one-pass path's ids.
fn id_hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(1, 2, 3, 4)
}

/// The output document's opening, up to its record array's `[`.
fn head_text<D: Domain>(input: &D::Input, pretty: bool) -> String {
    let mut head = String::new();
    let mut w = JsonWriter::new(&mut head, pretty);
    w.begin_object();
    D::head(input, &mut w);
    w.key(D::OUTPUTS);
    w.begin_array();
    head
}

/// The output document's closing, after `count` records.
fn tail_text(count: u64, pretty: bool) -> String {
    let mut tail = String::new();
    let mut w = JsonWriter::inside_array(&mut tail, pretty, 2, count == 0);
    w.end_array();
    w.end_object();
    tail.push('\n');
    tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(first: Option<usize>, end: usize, next: usize, ended: bool, count: u64) -> Chunk {
        Chunk {
            first,
            end,
            next,
            ended,
            count,
            ids: Vec::new(),
            text: String::new(),
            held: None,
            ok: true,
        }
    }

    #[test]
    fn only_chunks_that_start_where_the_confirmed_ones_end_are_confirmed() {
        let close = 100;
        let mut confirmed = ConfirmedChunks {
            expected: 10,
            ended: false,
            count: 0,
        };
        // Ranges of 20 bytes from 10.
        assert!(confirmed.accept(&chunk(Some(10), 30, 40, false, 3)));
        // A chunk whose guess is not where the last one ended.
        assert!(
            !confirmed
                .clone_at()
                .accept(&chunk(Some(38), 50, 60, false, 2))
        );
        // A chunk where no record starts (the record at 40 is longer than
        // it): right only if the next record starts past it.
        assert!(confirmed.accept(&chunk(None, 40, 40, false, 0)));
        assert!(!confirmed.clone_at().accept(&chunk(None, 50, 50, false, 0)));
        let mut failed = chunk(Some(40), 70, 90, true, 5);
        failed.ok = false;
        assert!(!confirmed.clone_at().accept(&failed));
        assert!(confirmed.accept(&chunk(Some(40), 70, close, true, 5)));
        assert_eq!(
            (confirmed.count, confirmed.ended, confirmed.expected),
            (8, true, close)
        );
        // After the array's end only chunks that found nothing.
        assert!(confirmed.accept(&chunk(None, 90, close, false, 0)));
        assert!(
            !confirmed
                .clone_at()
                .accept(&chunk(Some(95), 100, 99, false, 1))
        );
    }

    #[test]
    fn a_repeated_hash_is_found_wherever_it_is() {
        assert!(!any_repeated(&[]));
        assert!(!any_repeated(&[7]));
        assert!(any_repeated(&[7, 7]));
        let hasher = id_hasher();
        for len in [2, 3, 17, 1000, 40_000] {
            let hashes: Vec<u64> = (0..len).map(|n: u64| hasher.hash_one(n)).collect();
            assert!(!any_repeated(&hashes), "{len} distinct");
            for (from, to) in [(0, len - 1), (len - 1, 0), (len / 2, len / 3)] {
                let mut repeated = hashes.clone();
                repeated[to as usize] = repeated[from as usize];
                assert_eq!(any_repeated(&repeated), from != to, "{len}: {from} -> {to}");
            }
        }
        // All in one bucket (equal top bits): only bigger.
        let same_top: Vec<u64> = (0..5000).collect();
        assert!(!any_repeated(&same_top));
        assert!(any_repeated(&[same_top.as_slice(), &[4999]].concat()));
    }

    impl ConfirmedChunks {
        fn clone_at(&self) -> ConfirmedChunks {
            ConfirmedChunks {
                expected: self.expected,
                ended: self.ended,
                count: self.count,
            }
        }
    }
}
