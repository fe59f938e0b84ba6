//! CPU profiles with pprof-rs: a sampling session around a piece of work,
//! written out as a flamegraph (SVG), a pprof protobuf profile (for `go tool
//! pprof` or any viewer of the format) and the top frames by self samples.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use pprof::protos::Message;

use super::frames::{TOP_FRAMES, fold_frames};

/// Samples a second: a prime, so that sampling does not beat in step with
/// periodic work.
pub const FREQUENCY_HZ: i32 = 997;

/// A running profile.
pub struct Session {
    guard: pprof::ProfilerGuard<'static>,
}

/// What a finished profile found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// Samples taken.
    pub samples: u64,
    /// Functions by the samples in which they were the innermost frame,
    /// most first (at most [`TOP_FRAMES`]): the innermost function, the
    /// function it was inlined into (if it was), the samples.
    pub top_self: Vec<(String, Option<String>, u64)>,
}

/// Starts sampling this process.
pub fn start() -> Result<Session, String> {
    pprof::ProfilerGuardBuilder::default()
        .frequency(FREQUENCY_HZ)
        .blocklist(&["libgcc", "vdso"])
        .build()
        .map(|guard| Session { guard })
        .map_err(|e| format!("cannot start the profiler: {e}"))
}

/// The width the flamegraphs are drawn at: the book's charts' width, so that
/// their labels are read at the size they were drawn.
const FLAMEGRAPH_WIDTH: usize = crate::lab::chart::WIDTH as usize;

impl Session {
    /// The samples taken so far.
    pub fn samples(&self) -> u64 {
        self.guard
            .report()
            .build_unresolved()
            .map(|report| report.data.values().map(|n| *n as u64).sum())
            .unwrap_or(0)
    }

    /// Stops sampling and writes `<stem>.svg` (the flamegraph, titled
    /// `title`, with `subtitle` under it) and `<stem>.pb` into `dir`.
    /// Samples of every thread are merged under the root `title`.
    pub fn finish(
        self,
        dir: &Path,
        stem: &str,
        title: &str,
        subtitle: &str,
    ) -> Result<Summary, String> {
        let unresolved = self
            .guard
            .report()
            .build_unresolved()
            .map_err(|e| format!("cannot build the profile: {e}"))?;
        // Sampling stops before any symbol is resolved: resolving takes the
        // dynamic loader's lock, which a sample's unwinding would wait on.
        drop(self.guard);
        let mut data: HashMap<pprof::Frames, isize> = HashMap::new();
        for (sample, count) in &unresolved.data {
            let name_length = sample.thread_name_length.min(sample.thread_name.len());
            let mut frames = pprof::Frames {
                frames: resolve(&sample.frames),
                thread_name: String::from_utf8_lossy(&sample.thread_name[..name_length])
                    .into_owned(),
                thread_id: sample.thread_id,
                sample_timestamp: sample.sample_timestamp,
            };
            fold_frames(&mut frames, title);
            *data.entry(frames).or_default() += count;
        }
        let report = pprof::Report {
            data,
            timing: unresolved.timing,
        };
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

        let svg_path = dir.join(format!("{stem}.svg"));
        let svg = fs::File::create(&svg_path)
            .map_err(|e| format!("cannot create {}: {e}", svg_path.display()))?;
        let mut options = pprof::flamegraph::Options::default();
        options.title = title.to_owned();
        options.subtitle = Some(subtitle.to_owned());
        options.image_width = Some(FLAMEGRAPH_WIDTH);
        options.count_name = "samples".to_owned();
        // Frames under a pixel wide are left out: they cannot be read, and
        // they make up most of a flamegraph's bytes.
        options.min_width = 1.0;
        // Colours by function name, the same in every run; no random ids.
        options.hash = true;
        options.deterministic = true;
        report
            .flamegraph_with_options(svg, &mut options)
            .map_err(|e| format!("cannot write {}: {e}", svg_path.display()))?;

        let pb_path = dir.join(format!("{stem}.pb"));
        let mut encoded = Vec::new();
        report
            .pprof()
            .map_err(|e| format!("cannot encode the profile: {e}"))?
            .write_to_vec(&mut encoded)
            .map_err(|e| format!("cannot encode the profile: {e}"))?;
        fs::File::create(&pb_path)
            .and_then(|mut f| f.write_all(&encoded))
            .map_err(|e| format!("cannot write {}: {e}", pb_path.display()))?;

        let mut self_samples: HashMap<(String, Option<String>), u64> = HashMap::new();
        let mut samples = 0;
        for (frames, count) in &report.data {
            let count = *count as u64;
            samples += count;
            // The first frame is the innermost; within it, the first
            // symbol is the innermost of any inlined functions and the last
            // the function they were inlined into.
            let leaf = match frames.frames.first().map(Vec::as_slice) {
                Some([only]) => (only.name(), None),
                Some([first, .., last]) => (first.name(), Some(last.name())),
                _ => ("?".to_owned(), None),
            };
            *self_samples.entry(leaf).or_default() += count;
        }
        let mut top_self: Vec<(String, Option<String>, u64)> = self_samples
            .into_iter()
            .map(|((leaf, outer), n)| (leaf, outer, n))
            .collect();
        top_self.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        top_self.truncate(TOP_FRAMES);
        Ok(Summary { samples, top_self })
    }
}

/// A sample's frames with their symbols, innermost first, without the
/// signal handler's own.
///
/// pprof-rs's own resolution looks every frame up at its address less one,
/// as is right for a return address; but the interrupted frame's address is
/// the instruction that was about to run, and a sample taken on a
/// function's first instruction (common for a small hot function) would be
/// charged to whatever function the linker put before it.
fn resolve(stack: &[backtrace::Frame]) -> Vec<Vec<pprof::Symbol>> {
    let symbol = |s: &backtrace::Symbol| pprof::Symbol {
        name: s.name().map(|n| n.as_bytes().to_vec()),
        addr: s.addr(),
        lineno: s.lineno(),
        filename: s.filename().map(Path::to_path_buf),
    };
    let mut frames: Vec<Vec<pprof::Symbol>> = Vec::new();
    let mut interrupted = false;
    let mut skip_next = false;
    for frame in stack {
        let mut symbols = Vec::new();
        if frames.is_empty() && interrupted {
            // `resolve` subtracts one from the address it is given.
            let exact = (frame.ip() as usize).wrapping_add(1) as *mut std::ffi::c_void;
            backtrace::resolve(exact, |s| symbols.push(symbol(s)));
        } else {
            backtrace::resolve_frame(frame, |s| symbols.push(symbol(s)));
        }
        if skip_next {
            // The signal trampoline (`__restore_rt`) under the handler.
            skip_next = false;
            interrupted = true;
            continue;
        }
        if symbols
            .iter()
            .any(|s| s.name().contains("perf_signal_handler"))
        {
            frames.clear();
            skip_next = true;
            continue;
        }
        if !symbols.is_empty() {
            frames.push(symbols);
        }
    }
    frames
}
