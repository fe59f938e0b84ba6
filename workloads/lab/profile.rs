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
         {} ({}) a run. Thread-pool and runtime frames folded away; every thread's \
         samples under one root. Machine: {machine}.\n\n\
         ![Flamegraph of {lesson_id}, {name}](../generated/profiles/{stem}.svg)\n\n\
         | innermost function | inlined into | self samples | share |\n|---|---|---:|---:|",
        super::measure::format_count(summary.samples),
        super::measure::format_count(runs),
        super::measure::format_count(elements),
        how.scale.name(),
        how.seed,
        super::measure::format_ns((elapsed.as_nanos() / u128::from(runs)) as u64),
        super::alloc::backend().name(),
        allocations_counted(allocations.count),
        super::measure::format_bytes(allocations.bytes),
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
    text.push_str(&heap_in_child(lesson_id, name, how)?);
    text.push_str(&lock_section(name, run));
    let md = dir.join(format!("{stem}.md"));
    fs::write(&md, &text).map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(text)
}

/// Watched runs a lock profile tries before it settles for one made while
/// another process held a core.
const WATCH_ATTEMPTS: usize = 5;

/// The lock waits of one watched run of a form (see [`super::lock`]):
/// its section of the book, or nothing for a form that takes no lock.
fn lock_section(name: &str, run: &dyn Fn()) -> String {
    use std::fmt::Write as _;
    // Threads that cannot run at once never find each other's lock held:
    // a run watched while another process holds a core shows next to no
    // contention. Watch until a run has the cores around it, a few times
    // at most, and say which it was.
    let mut watched = None;
    for _ in 0..WATCH_ATTEMPTS {
        let before = super::machine::measure_parallelism();
        let started = std::time::Instant::now();
        let sites = super::lock::watch(run);
        let elapsed = started.elapsed();
        let after = super::machine::measure_parallelism();
        let worse = if before.effective <= after.effective {
            before
        } else {
            after
        };
        let reliable = worse.is_reliable();
        watched = Some((sites, elapsed, worse));
        if reliable {
            break;
        }
    }
    let Some((sites, elapsed, parallelism)) = watched else {
        return String::new();
    };
    if sites.is_empty() {
        return String::new();
    }
    let threads = rayon::current_num_threads();
    let warning = if parallelism.is_reliable() {
        String::new()
    } else {
        " ⚠ another process held a core around every watched run, so the threads seldom ran at \
         once and the contention is understated;"
            .to_owned()
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "**Lock waits of `{name}`** (one watched run on {threads} threads, {}, parallelism \
         {} around it;{warning} watching slows it, so the waits are their order of magnitude): \
         by the line that made the locks, how often they were taken, how often a thread found \
         one held, and how long the threads waited in all and per acquisition.\n\n\
         | locks made at | locks | acquisitions | contended | waited | per acquisition |\n\
         |---|---:|---:|---:|---:|---:|",
        super::measure::format_ns(elapsed.as_nanos() as u64),
        parallelism.describe(),
    );
    for site in &sites {
        let file = site.site.rsplit('/').next().unwrap_or(&site.site);
        let _ = writeln!(
            text,
            "| `{file}` | {} | {} | {} ({:.0} %) | {} | {} |",
            super::measure::format_count(site.instances),
            super::measure::format_count(site.acquisitions),
            super::measure::format_count(site.contended),
            100.0 * site.contended as f64 / site.acquisitions.max(1) as f64,
            super::measure::format_ns(site.wait_ns),
            super::measure::format_ns(site.wait_ns / site.acquisitions.max(1)),
        );
    }
    text.push('\n');
    text
}

/// Where the heap profiles' dhat files go (not committed: DHAT's viewer
/// opens them).
pub const HEAP_DIR: &str = "target/mizan/heap";

/// Allocation sites listed in a form's heap table.
const TOP_SITES: usize = 8;

/// The heap profile of form `name` of a lesson, made in a child process
/// whose allocator forwards to dhat's (see [`heap_form`]): its section of
/// the book, the table of allocation sites.
fn heap_in_child(lesson_id: &str, name: &str, how: Made) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let out = std::process::Command::new(exe)
        .args(["heap-form", lesson_id, "--form", name])
        .args(["--scale", how.scale.name(), "--seed", &how.seed.to_string()])
        .env(super::alloc::ALLOCATOR_VARIABLE, "dhat")
        .output()
        .map_err(|e| format!("cannot start the heap profile of {lesson_id}, {name}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the heap profile of {lesson_id}, {name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("the heap profile's text: {e}"))
}

/// In a process under dhat (`MIZAN_ALLOCATOR=dhat`): runs form `name` of
/// the lesson once to warm up, then once under dhat's heap profiler, which
/// writes `<stem>.dhat.json` into [`HEAP_DIR`]; returns the book's section
/// on it: the allocations a run by the site that made them.
pub fn heap_form(
    lesson: &dyn Lesson,
    name: &str,
    scale: Scale,
    seed: u64,
) -> Result<String, String> {
    use std::fmt::Write as _;
    if !super::alloc::is_dhat() {
        return Err(format!(
            "a heap profile runs under dhat: {}=dhat",
            super::alloc::ALLOCATOR_VARIABLE
        ));
    }
    let prepared = lesson.prepare(scale, seed);
    let variant = prepared.variant_names().iter().position(|v| *v == name);
    let run = || match (name, variant) {
        ("naive", _) => prepared.run(Form::Naive),
        ("optimized", _) => prepared.run(Form::Optimized),
        (_, Some(idx)) => prepared.run_variant(idx),
        _ => {}
    };
    if name != "naive" && name != "optimized" && variant.is_none() {
        return Err(format!("{} has no form {name}", lesson.id()));
    }
    run();
    let stem = format!("{}-{name}", lesson.id().replace('/', "-"));
    fs::create_dir_all(HEAP_DIR).map_err(|e| format!("cannot create {HEAP_DIR}: {e}"))?;
    let path = Path::new(HEAP_DIR).join(format!("{stem}.dhat.json"));
    let profiler = dhat::Profiler::builder()
        .file_name(&path)
        .trim_backtraces(Some(40))
        .build();
    run();
    drop(profiler);
    let json =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let sites = heap_sites(&json)?;
    let (blocks, bytes): (u64, u64) = sites
        .iter()
        .fold((0, 0), |(k, b), s| (k + s.blocks, b + s.bytes));
    let mut text = String::new();
    let _ = writeln!(
        text,
        "**Heap profile of `{name}`** (dhat-rs [[P15]](../appendix/bibliography.md), \
         one run after a warm-up; `{}` opens in DHAT's viewer): {} ({}) a run, \
         by the function that asked for the memory and the lab's code that called it.\n",
        path.display(),
        allocations_counted(blocks),
        super::measure::format_bytes(bytes),
    );
    if sites.is_empty() {
        text.push_str("No allocations.\n\n");
        return Ok(text);
    }
    text.push_str(
        "| allocated by | called from | allocations | bytes | share |\n|---|---|---:|---:|---:|\n",
    );
    let cell = |name: &str| {
        if name.is_empty() {
            String::new()
        } else {
            format!("`{}`", name.replace('|', "\\|").replace('`', "'"))
        }
    };
    for site in sites.iter().take(TOP_SITES) {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {:.1} % |",
            cell(&site.allocator),
            match site.caller.split_once(" (") {
                Some((function, place)) => format!("{} ({place}", cell(function)),
                None => cell(&site.caller),
            },
            super::measure::format_count(site.blocks),
            super::measure::format_bytes(site.bytes),
            100.0 * site.blocks as f64 / blocks.max(1) as f64
        );
    }
    text.push('\n');
    Ok(text)
}

/// Allocations by site, from a dhat heap profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapSite {
    /// What the lab's code called that asked for the memory
    /// (`with_capacity`, `push_str`, `format_inner`).
    pub allocator: String,
    /// The lab's function that called it, with its file and line
    /// (`naive` (pooling.rs:47)); empty if no frame is the lab's.
    pub caller: String,
    /// Blocks allocated.
    pub blocks: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// A frame of a dhat file: its function and its file and line.
struct HeapFrame {
    name: String,
    file: String,
    line: String,
}

/// A dhat file's program points summed by site, most blocks first.
pub fn heap_sites(json: &str) -> Result<Vec<HeapSite>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a dhat file: {e}"))?;
    let frames: Vec<HeapFrame> = value["ftbl"]
        .as_array()
        .ok_or("a dhat file without a frame table")?
        .iter()
        .map(|f| heap_frame(f.as_str().unwrap_or("")))
        .collect();
    let mut sites: HashMap<(String, String), (u64, u64)> = HashMap::new();
    for pp in value["pps"]
        .as_array()
        .ok_or("a dhat file without program points")?
    {
        let stack: Vec<&HeapFrame> = pp["fs"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .filter_map(|i| frames.get(i.as_u64()? as usize))
                    .collect()
            })
            .unwrap_or_default();
        // Innermost first: the allocator's own frames, the library code
        // that called it, then the lab's code.
        let lab = stack.iter().position(|f| is_lab_code(&f.file));
        let (allocator, caller) = match lab {
            Some(at) => {
                let callee = stack[..at]
                    .last()
                    .map_or("?".to_owned(), |f| function_name(&f.name));
                let f = stack[at];
                let file = f.file.rsplit('/').next().unwrap_or(&f.file);
                (
                    callee,
                    format!("{} ({file}:{})", function_name(&f.name), f.line),
                )
            }
            None => (
                stack
                    .iter()
                    .find(|f| !is_allocator_frame(&f.file))
                    .map_or("?".to_owned(), |f| function_name(&f.name)),
                String::new(),
            ),
        };
        let entry = sites.entry((allocator, caller)).or_default();
        entry.0 += pp["tbk"].as_u64().unwrap_or(0);
        entry.1 += pp["tb"].as_u64().unwrap_or(0);
    }
    let mut sites: Vec<HeapSite> = sites
        .into_iter()
        .map(|((allocator, caller), (blocks, bytes))| HeapSite {
            allocator,
            caller,
            blocks,
            bytes,
        })
        .collect();
    sites.sort_by(|a, b| {
        b.blocks
            .cmp(&a.blocks)
            .then(b.bytes.cmp(&a.bytes))
            .then_with(|| (&a.allocator, &a.caller).cmp(&(&b.allocator, &b.caller)))
    });
    Ok(sites)
}

/// A heap table's function: its name without its path, which only an
/// optimized build's inlined frames lack (the file and line place it): the
/// same in a debug and a release build. A closure keeps its function's
/// name, a qualified path its brackets.
fn function_name(name: &str) -> String {
    let short = short_name(name);
    if short.starts_with('<') {
        return short;
    }
    let segments: Vec<&str> = short.split("::").collect();
    let keep = if segments.last().is_some_and(|s| s.starts_with('{')) {
        2
    } else {
        1
    };
    segments[segments.len().saturating_sub(keep)..].join("::")
}

/// A dhat frame, `0x55d2…: format_inner (alloc/src/fmt.rs:610:5)`, as its
/// function, file and line (dhat keeps a path's last three parts).
fn heap_frame(frame: &str) -> HeapFrame {
    let text = frame.split_once(": ").map_or(frame, |(_, rest)| rest);
    let (name, place) = match text.rfind(" (") {
        Some(at) => (&text[..at], text[at + 2..].trim_end_matches(')')),
        None => (text, ""),
    };
    let mut parts = place.rsplitn(3, ':');
    let _column = parts.next();
    let line = parts.next().unwrap_or("").to_owned();
    let file = parts.next().unwrap_or(place).to_owned();
    HeapFrame {
        name: name.to_owned(),
        file,
        line,
    }
}

/// The allocator's own frames (dhat's, the standard library's allocation
/// functions, the lab's counting allocator), by file.
fn is_allocator_frame(file: &str) -> bool {
    file.starts_with("dhat-")
        || file.ends_with("alloc/src/alloc.rs")
        || file.ends_with("lab/alloc.rs")
        || file.contains("src/raw_vec/")
}

/// The lab's own code (its workloads, not its machinery), by file.
fn is_lab_code(file: &str) -> bool {
    let lab = file.starts_with("zakat/")
        || file.starts_with("murabaha/")
        || file.contains("workloads/")
        || file.starts_with("lessons/");
    lab && !file.contains("lab/") && !file.ends_with("main.rs")
}

/// `1 allocation`, `2,048 allocations`.
fn allocations_counted(count: u64) -> String {
    let noun = if count == 1 {
        "allocation"
    } else {
        "allocations"
    };
    format!("{} {noun}", super::measure::format_count(count))
}

#[cfg(test)]
mod tests {
    use super::{HeapSite, heap_sites, is_runtime, short_name};

    #[test]
    fn heap_sites_are_summed_by_function_and_caller() {
        let json = r#"{"ftbl": ["[root]",
            "0x1: alloc (dhat-0.3.3/src/lib.rs:1176:9)",
            "0x2: alloc (alloc/src/alloc.rs:95:9)",
            "0x3: with_capacity<u8> (src/vec/mod.rs:524:9)",
            "0x4: naive (lessons/zakat/pooling.rs:47:20)",
            "0x5: run<mizan::zakat::Receipts> (workloads/lab/lesson.rs:251:43)",
            "0x6: grow_amortized<alloc::alloc::Global> (src/raw_vec/mod.rs:527:33)",
            "0x7: push_str (alloc/src/string.rs:1102:18)",
            "0x8: write_receipt (zakat/receipt.rs:205:9)",
            "0x9: spawn (std/src/thread.rs:1:1)"],
          "pps": [
            {"tb": 1000, "tbk": 1, "fs": [1, 2, 3, 4, 5]},
            {"tb": 100, "tbk": 4, "fs": [1, 2, 6, 7, 8, 4, 5]},
            {"tb": 50, "tbk": 2, "fs": [1, 6, 7, 8, 4, 5]},
            {"tb": 64, "tbk": 1, "fs": [1, 2, 9]}]}"#;
        assert_eq!(
            heap_sites(json).unwrap(),
            vec![
                HeapSite {
                    allocator: "push_str".into(),
                    caller: "write_receipt (receipt.rs:205)".into(),
                    blocks: 6,
                    bytes: 150
                },
                HeapSite {
                    allocator: "with_capacity".into(),
                    caller: "naive (pooling.rs:47)".into(),
                    blocks: 1,
                    bytes: 1000
                },
                HeapSite {
                    allocator: "spawn".into(),
                    caller: String::new(),
                    blocks: 1,
                    bytes: 64
                },
            ]
        );
        assert!(heap_sites("{}").is_err());
    }

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
            short_name("mizan::lessons::zakat::sharding::optimized::{{closure}}"),
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
            "mizan::lessons::zakat::sharding::optimized",
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
                "/work/main/workloads/lessons/zakat/sharding.rs",
            ),
        ] {
            assert!(!is_runtime(inlined, Some(file)), "{inlined} in {file}");
        }
    }
}
