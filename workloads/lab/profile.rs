//! CPU profiles with pprof-rs: a sampling session around a piece of work,
//! written out as a flamegraph (SVG), a pprof protobuf profile (for `go tool
//! pprof` or any viewer of the format) and the top frames by self samples.
//! `mizan profile` and the criterion benches (`--profile-time`) both use it.
//!
//! The flamegraphs are made to be read in the book's column: the frames
//! every sample shares and no reader asks about (the thread's start, the
//! rayon pool's scheduling, the lab's own loop around the form) are folded
//! away, so that the lesson's functions start at the bottom; samples from
//! every thread are merged under one root; generic parameters are dropped
//! from names (`HashMap::insert`, not its five type arguments); and each
//! form is sampled for a fixed amount of CPU time, so that each has a few
//! thousand samples whatever its speed.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use pprof::protos::Message;

use super::lesson::{Form, Lesson, Prepared, Scale};

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
const FLAMEGRAPH_WIDTH: usize = super::chart::WIDTH as usize;

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

/// Rows of a form's top-frames table.
const TOP_FRAMES: usize = 10;

/// What every sample's stack starts with and no lesson is about, by the
/// name of a function that is not inlined: the thread's start, the
/// runtime, the rayon pool's scheduling and plumbing, closures' call shims,
/// the lab's loop around the form.
const RUNTIME_FRAMES: [&str; 24] = [
    "std::rt::",
    "std::thread::",
    "<std::thread::",
    "std::sys::backtrace::",
    "std::sys::pal::unix::thread::",
    "std::sys::thread::",
    "<std::sys::thread::",
    "std::panicking::",
    "std::panic::",
    "core::panic::unwind_safe::",
    "core::ops::function::",
    "<alloc::boxed::Box as core::ops::function::",
    "<&dyn core::ops::function::Fn",
    "<core::panic::unwind_safe::",
    "rayon_core::",
    "<rayon_core::",
    "rayon::iter::",
    "<rayon::iter::",
    "mizan::lab::",
    "<mizan::lab::",
    "mizan::main",
    "main",
    "__libc_start",
    "start_thread",
];

/// The same, for a function inlined into another: its name is only its
/// last segment, and the file its code is in says what it is.
const RUNTIME_FILES: [&str; 14] = [
    "/library/std/src/rt.rs",
    "/library/std/src/panicking.rs",
    "/library/std/src/panic.rs",
    "/library/std/src/thread/",
    "/library/std/src/sys/backtrace.rs",
    "/library/std/src/sys/thread/",
    "/library/std/src/sys/pal/unix/thread.rs",
    "/library/core/src/ops/function.rs",
    "/library/core/src/panic/unwind_safe.rs",
    "/library/alloc/src/boxed.rs",
    "/rayon-core-",
    "/src/iter/plumbing/",
    "/workloads/lab/",
    "/workloads/main.rs",
];

/// Whether a frame is runtime: by its name (see [`RUNTIME_FRAMES`]) or, for
/// a function of rayon's iterators or one inlined, by its file (see
/// [`RUNTIME_FILES`]).
fn is_runtime(name: &str, file: Option<&str>) -> bool {
    let by_name = RUNTIME_FRAMES.iter().any(|prefix| {
        name.starts_with(prefix)
            && (prefix.ends_with("::")
                || name.len() == prefix.len()
                || !name[prefix.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    }) || name.starts_with("__rust_begin_short_backtrace")
        || name.starts_with("__clone")
        || name.starts_with("__libc_start")
        || matches!(name, "_start" | "clone" | "clone3");
    let by_file = file.is_some_and(|file| {
        RUNTIME_FILES.iter().any(|part| file.contains(part))
            // rayon's iterator adapters, not its sorts.
            || (file.contains("/rayon-1.") && file.contains("/src/iter/"))
    });
    by_name || by_file
}

/// The frame a sample is given when its whole stack was runtime: a thread
/// of the pool spinning while it looks for work.
const POOL_FRAME: &str = "(rayon pool: looking for work)";

/// pprof-rs's post-processor: folds away [`RUNTIME_FRAMES`], shortens
/// names, and puts every thread's samples under one root, `root`.
fn fold_frames(frames: &mut pprof::Frames, root: &str) {
    frames.thread_name = root.to_owned();
    frames.thread_id = 0;
    let file = |symbol: &pprof::Symbol| {
        symbol
            .filename
            .as_ref()
            .map(|f| f.to_string_lossy().into_owned())
    };
    let had_pool = frames.frames.iter().flatten().any(|s| {
        s.name().contains("rayon_core::") || file(s).is_some_and(|f| f.contains("/rayon-core-"))
    });
    for frame in &mut frames.frames {
        frame.retain(|symbol| !is_runtime(&symbol.name(), file(symbol).as_deref()));
        for symbol in frame.iter_mut() {
            let short = short_name(&symbol.name());
            symbol.name = Some(short.into_bytes());
        }
    }
    frames.frames.retain(|frame| !frame.is_empty());
    if frames.frames.is_empty() && had_pool {
        frames.frames.push(vec![pprof::Symbol {
            name: Some(POOL_FRAME.as_bytes().to_vec()),
            addr: None,
            lineno: None,
            filename: None,
        }]);
    }
}

/// A demangled name without its generic arguments (`HashMap::insert`, not
/// `HashMap<K, V, S>::insert`) or its hash suffix; a qualified path's
/// brackets (`<Vec as Drop>::drop`) stay.
pub fn short_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut prev: Option<char> = None;
    // The depths of the `<` that open generic arguments (dropped), as
    // against those that open a qualified path `<T as Trait>` (kept).
    let mut dropped: Vec<bool> = Vec::new();
    for c in name.chars() {
        match c {
            '<' => {
                // A turbofish `::<…>` is generic arguments too.
                let turbofish = depth == 0 && out.ends_with("::");
                if turbofish {
                    out.truncate(out.len() - 2);
                }
                let generic =
                    turbofish || prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '}');
                dropped.push(generic || dropped.last().copied().unwrap_or(false));
                depth += 1;
                if !dropped[depth - 1] {
                    out.push(c);
                }
            }
            '>' if depth > 0 && prev != Some('-') => {
                let was_dropped = dropped.pop().unwrap_or(false);
                depth -= 1;
                if !was_dropped {
                    out.push(c);
                }
            }
            _ if dropped.last().copied().unwrap_or(false) => {}
            _ => out.push(c),
        }
        prev = Some(c);
    }
    // `::{{closure}}` stays; a hash suffix `::h0123…` goes.
    if let Some(at) = out.rfind("::h")
        && out[at + 3..].len() == 16
        && out[at + 3..].chars().all(|c| c.is_ascii_hexdigit())
    {
        out.truncate(at);
    }
    compact_paths(&out)
}

/// Paths cut to what a reader needs to place them: inside a qualified
/// path's brackets a type or trait by its last segment (`<Vec as Drop>`);
/// outside them a function by its module and name (`fmt::write`), a closure
/// with its function's (`sharding::optimized::{closure#0}`); what follows
/// the brackets (`>::count::{closure#0}`) whole.
fn compact_paths(name: &str) -> String {
    let is_path = |c: char| c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}' | '#');
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if !is_path(c) {
            match c {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                _ => {}
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find(|c: char| !is_path(c)).unwrap_or(rest.len());
        let path = &rest[..end];
        if path.starts_with("::") {
            // What follows a qualified path's brackets: its method, whole.
            out.push_str(path);
            rest = &rest[end..];
            continue;
        }
        let segments: Vec<&str> = path.split("::").collect();
        let closure = segments.last().is_some_and(|s| s.starts_with('{'));
        let keep = match (depth, closure) {
            (0, false) => 2,
            (0, true) => 3,
            (_, false) => 1,
            (_, true) => 2,
        };
        out.push_str(&segments[segments.len().saturating_sub(keep)..].join("::"));
        rest = &rest[end..];
    }
    out
}

/// Profiles every form of a lesson, each until it has `samples` samples
/// (or for [`WALL_LIMIT`]), and writes into `dir`, for each form, `<stem>-<form>.svg` (the
/// flamegraph), `.pb` (the pprof profile) and `.md` (the section the book
/// includes: how it was made, a link to the interactive flamegraph, the
/// flamegraph, the top frames). `stem` is the lesson's id with `-` for `/`.
/// Returns the sections.
///
/// A lesson about the allocator profiles each form in a process under its
/// own allocator: `child_section` is then called to run that process and
/// return its section.
pub fn profile_lesson(
    lesson: &dyn Lesson,
    scale: Scale,
    seed: u64,
    samples: u64,
    dir: &Path,
    child_section: &dyn Fn(Form, super::alloc::Backend) -> Result<String, String>,
) -> Result<String, String> {
    let prepared = lesson.prepare(scale, seed);
    prepared
        .check()
        .map_err(|difference| format!("{}: {difference}", lesson.id()))?;
    let how = Made {
        scale,
        seed,
        samples,
    };
    let mut text = String::new();
    match lesson.allocators() {
        Some(allocators) => {
            text.push_str(&child_section(Form::Naive, allocators[0])?);
            text.push_str(&child_section(Form::Optimized, allocators[1])?);
        }
        None => {
            // Naive, the further forms in their order (a pipeline's rungs),
            // optimized.
            text.push_str(&profile_form(
                lesson.id(),
                prepared.as_ref(),
                Form::Naive,
                how,
                dir,
            )?);
            for (idx, name) in prepared.variant_names().into_iter().enumerate() {
                text.push_str(&profile_run(
                    lesson.id(),
                    name,
                    &|| prepared.run_variant(idx),
                    how,
                    prepared.elements(),
                    dir,
                )?);
            }
            text.push_str(&profile_form(
                lesson.id(),
                prepared.as_ref(),
                Form::Optimized,
                how,
                dir,
            )?);
        }
    }
    Ok(text)
}

/// How a profile was made: the input and how long each form was sampled.
#[derive(Debug, Clone, Copy)]
pub struct Made {
    /// The input's scale.
    pub scale: Scale,
    /// Its seed.
    pub seed: u64,
    /// Samples each form is run for.
    pub samples: u64,
}

/// Profiles one form in this process (under this process's allocator), as
/// [`profile_lesson`] does each; returns its section.
pub fn profile_form(
    lesson_id: &str,
    prepared: &dyn Prepared,
    form: Form,
    how: Made,
    dir: &Path,
) -> Result<String, String> {
    profile_run(
        lesson_id,
        form.name(),
        &|| prepared.run(form),
        how,
        prepared.elements(),
        dir,
    )
}

/// The longest a form is sampled for: a form that mostly waits (on a lock,
/// on another thread) uses little CPU and gathers samples slowly; it stops
/// with fewer, and its section says how many.
pub const WALL_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Profiles `run` (one run of the form called `name`, over `elements`
/// records) as [`profile_lesson`] does each form.
pub fn profile_run(
    lesson_id: &str,
    name: &str,
    run: &dyn Fn(),
    how: Made,
    elements: u64,
    dir: &Path,
) -> Result<String, String> {
    use std::fmt::Write as _;
    use std::time::{Duration, Instant};

    let ((), allocations) = super::alloc::count(run);
    let machine = super::machine::Machine::current().summary();
    let session = start()?;
    let started = Instant::now();
    let mut runs = 0u64;
    let mut checked = started;
    loop {
        run();
        runs += 1;
        // Counting the samples copies the profiler's table: a few times a
        // second is enough.
        if checked.elapsed() >= Duration::from_millis(250) {
            checked = Instant::now();
            if session.samples() >= how.samples || started.elapsed() >= WALL_LIMIT {
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    let stem = format!("{}-{name}", lesson_id.replace('/', "-"));
    let title = format!("{lesson_id}, {name}");
    // The flamegraph's subtitle is the machine alone (what fits across its
    // width); the build and the run are in the section's text.
    let hardware = machine.split(", rustc").next().unwrap_or(&machine);
    let summary = session.finish(dir, &stem, &title, hardware)?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "<!-- generated by `mizan profile {lesson_id}`; do not edit -->\n\n\
         **Profile of `{name}`** ([interactive flamegraph](../generated/profiles/{stem}.svg), \
         [pprof profile](../generated/profiles/{stem}.pb)): {} samples (the timer set to {FREQUENCY_HZ} Hz of CPU time) \
         over {} runs of {} records ({} scale, seed {}), {} a run, under the {} allocator; \
         {} allocations ({}) a run. Thread-pool and runtime frames folded away; every thread's \
         samples under one root. Machine: {machine}.\n\n\
         ![Flamegraph of {lesson_id}, {name}](../generated/profiles/{stem}.svg)\n\n\
         | innermost function | inlined into | self samples | share |\n|---|---|---:|---:|",
        super::runner::format_count(summary.samples),
        super::runner::format_count(runs),
        super::runner::format_count(elements),
        how.scale.name(),
        how.seed,
        super::runner::format_ns((elapsed.as_nanos() / u128::from(runs)) as u64),
        super::alloc::backend().name(),
        super::runner::format_count(allocations.count),
        super::runner::format_bytes(allocations.bytes),
    );
    let cell = |name: &str| format!("`{}`", name.replace('|', "\\|").replace('`', "'"));
    for (function, outer, samples) in &summary.top_self {
        let _ = writeln!(
            text,
            "| {} | {} | {samples} | {:.1} % |",
            cell(function),
            outer.as_deref().map(cell).unwrap_or_default(),
            100.0 * *samples as f64 / summary.samples.max(1) as f64
        );
    }
    text.push('\n');
    let md = dir.join(format!("{stem}.md"));
    fs::write(&md, &text).map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{is_runtime, short_name};

    #[test]
    fn names_lose_their_generic_arguments() {
        assert_eq!(short_name("atomic_load<u32>"), "atomic_load");
        assert_eq!(
            short_name("std::collections::hash::map::HashMap<K,V,S>::insert"),
            "HashMap::insert"
        );
        assert_eq!(
            short_name("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop"),
            "<Vec as Drop>::drop"
        );
        assert_eq!(
            short_name("rustc_entry<(u8, mizan::input::Currency), Total, RandomState>"),
            "rustc_entry"
        );
        assert_eq!(
            short_name("mizan::zakat::lessons::sharding::optimized::{{closure}}"),
            "sharding::optimized::{{closure}}"
        );
        assert_eq!(
            short_name("core::fmt::write::h0123456789abcdef"),
            "fmt::write"
        );
        assert_eq!(short_name("{closure#0}<HashMap, &Line>"), "{closure#0}");
        assert_eq!(
            short_name("helper<rayon::slice::IterProducer<T>, fn(&mut S) -> R>"),
            "helper"
        );
        // A turbofish, inside a qualified path (the longest name the
        // profiles had, 177 characters).
        assert_eq!(
            short_name(
                "<core::iter::adapters::filter::Filter<I,P> as core::iter::traits::iterator::Iterator>\
                 ::count::to_usize::<&u8, core::str::count::char_count_general_case::{closure#0}>\
                 ::{closure#0}"
            ),
            "<Filter as Iterator>::count::to_usize::{closure#0}"
        );
        assert_eq!(
            short_name("<std::sys::sync::mutex::futex::Mutex>::lock_contended"),
            "<Mutex>::lock_contended"
        );
    }

    #[test]
    fn the_runtime_is_folded_and_the_work_kept() {
        for runtime in [
            "std::rt::lang_start_internal",
            "rayon_core::registry::WorkerThread::wait_until_cold",
            "<rayon::iter::plumbing::bridge::Callback<C> as rayon::iter::plumbing::ProducerCallback<I>>::callback",
            "mizan::lab::profile::profile_run",
            "main",
            "start_thread",
            "clone3",
            "__clone3",
            "__libc_start_call_main",
            "__libc_start_main_impl",
        ] {
            assert!(is_runtime(runtime, None), "{runtime}");
        }
        for work in [
            "mizan::zakat::lessons::sharding::optimized",
            "std::sys::sync::mutex::futex::Mutex::lock_contended",
            "rayon::slice::mergesort::par_mergesort",
            "mainline",
            "cloned",
            "core::fmt::write",
        ] {
            assert!(!is_runtime(work, None), "{work}");
        }
        for (inlined, file) in [
            ("call_once", "/rustc/0123/library/core/src/ops/function.rs"),
            (
                "join_context",
                "/root/.cargo/registry/src/index/rayon-core-1.13.0/src/join/mod.rs",
            ),
            (
                "helper",
                "/root/.cargo/registry/src/index/rayon-1.12.0/src/iter/plumbing/mod.rs",
            ),
            ("profile_run", "/work/main/workloads/lab/profile.rs"),
        ] {
            assert!(is_runtime(inlined, Some(file)), "{inlined} in {file}");
        }
        for (inlined, file) in [
            (
                "insert",
                "/rustc/0123/library/std/src/collections/hash/map.rs",
            ),
            (
                "par_mergesort",
                "/root/.cargo/registry/src/index/rayon-1.12.0/src/slice/mergesort.rs",
            ),
            (
                "optimized",
                "/work/main/workloads/zakat/lessons/sharding.rs",
            ),
        ] {
            assert!(!is_runtime(inlined, Some(file)), "{inlined} in {file}");
        }
    }
}
