//! The runner: for each lesson, both forms on the same input, outputs
//! checked identical, then alternating timed runs (median), and one counted
//! run of each form for allocations. A lesson whose forms differ is a
//! failure: its speed is not reported.
//!
//! Why alternate: on a shared machine the background load drifts; running
//! naive, optimized, optimized, naive, … exposes both forms to the same
//! drift, and the median discards the runs a neighbour disturbed. Compare
//! forms within one run, as a ratio; never across runs.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use super::alloc::{self, AllocationCount};
use super::lesson::{Form, Lesson, Scale};
use super::machine::Machine;

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The input size.
    pub scale: Scale,
    /// Timed runs of each form.
    pub runs: usize,
    /// The generators' seed.
    pub seed: u64,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
}

/// One lesson's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LessonResult {
    /// `workload/technique`.
    pub id: String,
    /// Records per run.
    pub elements: u64,
    /// `None` when the forms agreed; otherwise the difference.
    pub failure: Option<String>,
    /// Timings and allocations, when the forms agreed.
    pub measured: Option<Measured>,
    /// Instructions under callgrind, when asked for and the forms agreed.
    pub instructions: Option<super::instructions::Instructions>,
    /// For a lesson about the allocator: the allocators of the naive and
    /// optimized forms, each timed in processes of its own.
    #[serde(default)]
    pub allocators: Option<[super::alloc::Backend; 2]>,
    /// For a lesson about threads: the forms timed at each thread count.
    #[serde(default)]
    pub scaling: Vec<(usize, Measured)>,
}

/// The measurements of a lesson whose forms agreed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    /// Median nanoseconds per run of the naive form.
    pub naive_ns: u64,
    /// Median nanoseconds per run of the optimized form.
    pub optimized_ns: u64,
    /// `naive_ns / optimized_ns`.
    pub speedup: f64,
    /// Median nanoseconds per run of the speed-of-light reference.
    pub limit_ns: Option<u64>,
    /// Allocations of one naive run.
    pub naive_allocations: AllocationCount,
    /// Allocations of one optimized run.
    pub optimized_allocations: AllocationCount,
    /// The lesson's further forms: name and median nanoseconds.
    #[serde(default)]
    pub variants: Vec<(String, u64)>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Where it ran.
    pub machine: Machine,
    /// The scale.
    pub scale: Scale,
    /// Timed runs of each form.
    pub runs: usize,
    /// The seed.
    pub seed: u64,
    /// Whether the counting allocator was installed (allocation columns
    /// are zero otherwise).
    pub allocations_counted: bool,
    /// One result per lesson, in registry order.
    pub results: Vec<LessonResult>,
}

impl Report {
    /// Whether every lesson's forms agreed.
    pub fn all_agree(&self) -> bool {
        self.results.iter().all(|r| r.failure.is_none())
    }
}

/// Runs `lessons` and measures them.
pub fn run(lessons: &[&dyn Lesson], options: RunOptions) -> Report {
    let steps_per_lesson = 2 * options.runs as u64 + 3;
    let bar = if options.progress {
        ProgressBar::new(lessons.len() as u64 * steps_per_lesson)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
            .expect("a valid template"),
    );
    let mut results = Vec::with_capacity(lessons.len());
    for (lesson_idx, lesson) in lessons.iter().enumerate() {
        bar.set_message(format!("{}: building input", lesson.id()));
        let prepared = lesson.prepare(options.scale, options.seed);
        bar.inc(1);
        bar.set_message(format!("{}: checking both forms agree", lesson.id()));
        let outcome = prepared.check().and_then(|()| match lesson.allocators() {
            Some(allocators) => {
                bar.set_message(format!(
                    "{}: timing in {} and {} processes",
                    lesson.id(),
                    allocators[0].name(),
                    allocators[1].name()
                ));
                measure_in_processes(*lesson, allocators, options)
            }
            None => Ok(in_pool(rayon::current_num_threads(), || {
                measure_here(lesson.id(), prepared.as_ref(), options, &bar)
            })),
        });
        let scaling = if lesson.scaling() && outcome.is_ok() {
            thread_counts()
                .into_iter()
                .map(|threads| {
                    bar.set_message(format!("{}: timing at {threads} threads", lesson.id()));
                    let measured = in_pool(threads, || {
                        measure_here(
                            lesson.id(),
                            prepared.as_ref(),
                            options,
                            &ProgressBar::hidden(),
                        )
                    });
                    (threads, measured)
                })
                .collect()
        } else {
            Vec::new()
        };
        bar.set_position((lesson_idx as u64 + 1) * steps_per_lesson);
        results.push(LessonResult {
            id: lesson.id().to_owned(),
            elements: prepared.elements(),
            failure: outcome.as_ref().err().cloned(),
            measured: outcome.ok(),
            instructions: None,
            allocators: lesson.allocators(),
            scaling,
        });
    }
    bar.finish_and_clear();
    Report {
        machine: Machine::current(),
        scale: options.scale,
        runs: options.runs,
        seed: options.seed,
        allocations_counted: alloc::is_installed(),
        results,
    }
}

/// Runs `work` on a thread of a fresh pool of `threads` threads, so that
/// the forms run where a rayon program's work runs: on a worker, which
/// takes its share of every parallel loop and frees what its pool
/// allocated. (Timed from outside the pool, the zakat pipeline's parallel
/// form took 9.6 ms a run instead of 8.0, and dropping its output 0.58 ms
/// instead of 0.21: the calling thread idles, and frees the workers'
/// buffers from another thread.)
fn in_pool<R: Send>(threads: usize, work: impl FnOnce() -> R + Send) -> R {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    // Every worker runs once before the work starts: a worker still
    // starting up allocates, and the counters would charge that to
    // whichever form was being counted at the time.
    pool.broadcast(|_| ());
    pool.install(work)
}

/// The thread counts of a scaling curve: 1, 2, 4, … up to the machine's
/// cores, and always 1 and 2.
pub fn thread_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1, 2];
    while counts[counts.len() - 1] * 2 <= cores {
        counts.push(counts[counts.len() - 1] * 2);
    }
    counts
}

/// Counts one warm run of each form's allocations, then times rotated runs
/// of every form in this process.
fn measure_here(
    lesson_id: &str,
    prepared: &dyn super::lesson::Prepared,
    options: RunOptions,
    bar: &ProgressBar,
) -> Measured {
    bar.set_message(format!("{lesson_id}: counting allocations"));
    // One uncounted run of each first: what a thread or a pool sets up on
    // first use is not the form's to pay for. The counted runs are warm.
    prepared.run(Form::Naive);
    prepared.run(Form::Optimized);
    let ((), naive_allocations) = alloc::count(|| prepared.run(Form::Naive));
    let ((), optimized_allocations) = alloc::count(|| prepared.run(Form::Optimized));
    bar.inc(1);
    bar.set_message(format!("{lesson_id}: timing"));
    // Every form of the lesson, timed in rotation: naive, optimized, the
    // further forms, then the limit.
    #[derive(Clone, Copy)]
    enum Slot {
        Form(Form),
        Variant(usize),
    }
    let names = prepared.variant_names();
    let mut slots = vec![Slot::Form(Form::Naive), Slot::Form(Form::Optimized)];
    slots.extend((0..names.len()).map(Slot::Variant));
    if prepared.has_limit() {
        slots.push(Slot::Form(Form::Limit));
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); slots.len()];
    for run_idx in 0..options.runs {
        // Rotate the order, so that no form always runs first (or always
        // right after the costly naive one).
        for offset in 0..slots.len() {
            let slot_idx = (run_idx + offset) % slots.len();
            let start = Instant::now();
            match slots[slot_idx] {
                Slot::Form(form) => prepared.run(form),
                Slot::Variant(idx) => prepared.run_variant(idx),
            }
            samples[slot_idx].push(start.elapsed());
            if slot_idx < 2 {
                bar.inc(1);
            }
        }
    }
    let mut medians = samples.iter_mut().map(|s| median(s).as_nanos() as u64);
    let naive_ns = medians.next().expect("the naive form");
    let optimized_ns = medians.next().expect("the optimized form");
    let variants: Vec<(String, u64)> = names
        .iter()
        .map(|name| (name.to_string(), medians.next().expect("each variant")))
        .collect();
    Measured {
        naive_ns,
        optimized_ns,
        speedup: naive_ns as f64 / optimized_ns.max(1) as f64,
        limit_ns: medians.next(),
        naive_allocations,
        optimized_allocations,
        variants,
    }
}

/// Times a lesson about the allocator, each form in child processes under
/// its own allocator.
fn measure_in_processes(
    lesson: &dyn Lesson,
    allocators: [super::alloc::Backend; 2],
    options: RunOptions,
) -> Result<Measured, String> {
    // Each child builds the input again; three rounds of alternating
    // children, each timing a third of the runs, spread the machine's drift
    // over both allocators.
    let (naive, optimized) = super::process::time_both(
        lesson,
        allocators,
        options.scale,
        options.seed,
        3,
        options.runs.div_ceil(3),
    )?;
    let naive_ns = super::process::median_ns(&naive.ns);
    let optimized_ns = super::process::median_ns(&optimized.ns);
    Ok(Measured {
        naive_ns,
        optimized_ns,
        speedup: naive_ns as f64 / optimized_ns.max(1) as f64,
        limit_ns: None,
        naive_allocations: naive.allocations,
        optimized_allocations: optimized.allocations,
        variants: Vec::new(),
    })
}

/// The median of some durations (the mean of the middle two for an even
/// count).
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    match samples.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => samples[n / 2],
        n => (samples[n / 2 - 1] + samples[n / 2]) / 2,
    }
}

/// A duration for a table: `12.3 ms`, `850 µs`, `1.24 s`.
pub fn format_ns(ns: u64) -> String {
    let ns = ns as f64;
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.0} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A lesson's name in a table, with its allocators for a lesson about the
/// allocator.
fn lesson_cell(result: &LessonResult) -> String {
    match result.allocators {
        Some([naive, optimized]) => {
            format!("{} ({} → {})", result.id, naive.name(), optimized.name())
        }
        None => result.id.clone(),
    }
}

/// A count with thousands separators: `1,639,249`.
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, digit) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A size in bytes for a table: `812 B`, `118 MB`, `19.2 MB`.
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    let (value, unit) = if b >= 1e9 {
        (b / 1e9, "GB")
    } else if b >= 1e6 {
        (b / 1e6, "MB")
    } else if b >= 1e3 {
        (b / 1e3, "kB")
    } else {
        return format!("{bytes} B");
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// The report as a Markdown table, with the machine and how it was run.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let with_instructions = report.results.iter().any(|r| r.instructions.is_some());
    let _ = writeln!(
        out,
        "| lesson | records | naive | optimized | speedup | allocations naive → optimized | limit | optimized / limit |{}",
        if with_instructions {
            " instructions naive → optimized (ratio) |"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|{}",
        if with_instructions { "---:|" } else { "" }
    );
    for result in &report.results {
        match (&result.measured, &result.failure) {
            (Some(m), _) => {
                let _ = write!(
                    out,
                    "| {} | {} | {} | {} | {:.2}× | {} ({}) → {} ({}) |",
                    lesson_cell(result),
                    format_count(result.elements),
                    format_ns(m.naive_ns),
                    format_ns(m.optimized_ns),
                    m.speedup,
                    format_count(m.naive_allocations.count),
                    format_bytes(m.naive_allocations.bytes),
                    format_count(m.optimized_allocations.count),
                    format_bytes(m.optimized_allocations.bytes),
                );
                let _ = match m.limit_ns {
                    Some(limit_ns) => write!(
                        out,
                        " {} | {:.1}× |",
                        format_ns(limit_ns),
                        m.optimized_ns as f64 / limit_ns.max(1) as f64
                    ),
                    None => write!(out, " – | – |"),
                };
                if with_instructions {
                    let _ = match &result.instructions {
                        Some(i) => {
                            write!(out, " {} → {} ({:.2}×) |", i.naive, i.optimized, i.ratio())
                        }
                        None => write!(out, " not counted |"),
                    };
                }
                out.push('\n');
            }
            (None, failure) => {
                let _ = writeln!(
                    out,
                    "| {} | {} | FAILED: the forms differ | | | {} | | |",
                    result.id,
                    format_count(result.elements),
                    failure.as_deref().unwrap_or("").replace('|', "\\|")
                );
            }
        }
    }
    // Lessons with further forms: every form from naive to optimized, each
    // against naive and against the form before it (a pipeline's ladder).
    let mut variant_rows: Vec<String> = Vec::new();
    for (r, m) in report
        .results
        .iter()
        .filter_map(|r| r.measured.as_ref().map(|m| (r, m)))
        .filter(|(_, m)| !m.variants.is_empty())
    {
        let mut before = m.naive_ns;
        let forms = m
            .variants
            .iter()
            .map(|(name, ns)| (name.as_str(), *ns))
            .chain(std::iter::once(("optimized", m.optimized_ns)));
        for (name, ns) in forms {
            variant_rows.push(format!(
                "| {} | {name} | {} | {:.2}× | {:.2}× |",
                r.id,
                format_ns(ns),
                m.naive_ns as f64 / ns.max(1) as f64,
                before as f64 / ns.max(1) as f64
            ));
            before = ns;
        }
    }
    if !variant_rows.is_empty() {
        let _ = writeln!(
            out,
            "\n| lesson | form | median | speedup over naive | over the form before |\n\
             |---|---|---:|---:|---:|"
        );
        for row in variant_rows {
            let _ = writeln!(out, "{row}");
        }
    }
    for result in &report.results {
        if result.scaling.is_empty() {
            continue;
        }
        let names: Vec<&str> = result.scaling[0]
            .1
            .variants
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "\n| {} threads | naive | {} | optimized |\n|---:|---:|{}---:|",
            result.id,
            names.join(" | "),
            "---:|".repeat(names.len())
        );
        for (threads, m) in &result.scaling {
            let variants: Vec<String> = m.variants.iter().map(|(_, ns)| format_ns(*ns)).collect();
            let _ = writeln!(
                out,
                "| {threads} | {} | {} | {} |",
                format_ns(m.naive_ns),
                variants.join(" | "),
                format_ns(m.optimized_ns)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nMedians of {} alternating runs per form at the `{:?}` scale (seed {}); \
         allocations counted in one warm run of each form (after an uncounted one). Machine: {}.",
        report.runs,
        report.scale,
        report.seed,
        report.machine.summary()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_read_easily() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_000), "1,000");
        assert_eq!(format_count(1_639_249), "1,639,249");
        assert_eq!(format_bytes(812), "812 B");
        assert_eq!(format_bytes(19_200_000), "19.2 MB");
        assert_eq!(format_bytes(118_435_995), "118 MB");
        assert_eq!(format_bytes(2_500_000_000), "2.5 GB");
        assert_eq!(format_ns(850_000), "850 µs");
        assert_eq!(format_ns(12_340_000), "12.3 ms");
    }
}
