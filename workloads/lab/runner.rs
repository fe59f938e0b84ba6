//! The runner: for each lesson, every form on the same input, outputs
//! checked identical (at every thread count that is timed), then paired
//! alternating runs within a time budget, one counted run of each form for
//! allocations and its peak heap. A lesson whose forms differ is a failure:
//! its speed is not reported.
//!
//! Why alternate: on a shared machine the background load drifts; running
//! naive, optimized, …, then the same rotated, exposes every form to the
//! same drift, and each rotation gives one *pair* of runs per ratio. The
//! ratios of the pairs give the median and its 95 % interval
//! ([`super::stats`]); an interval that holds 1 is "no measurable
//! difference". Compare forms within one run, as a ratio; across runs,
//! compare ratios and verdicts (`mizan compare`), never absolute times.
//!
//! **One form, one time.** A lesson about threads is timed at 1, 2, …
//! threads in the same rotation (one pool per thread count), and its main
//! figures *are* the figures at the run's thread count: a form timed at
//! the same thread count in the same run has one median, not two.
//!
//! **The budget.** The default run keeps to a wall-time budget however many
//! lessons are registered: each lesson gets an equal share of what is left
//! of it, and as many rotations as fit in its share once its input is built
//! and checked (at least [`MIN_PAIRS`], so that the interval means
//! something; at most [`MAX_PAIRS`]). A lesson whose minimum does not fit
//! its share is built again at the next smaller scale. `--runs N` forces
//! the count.
//!
//! **Parallelism.** The machine's effective parallelism is measured at the
//! start and before and after every lesson about threads: a second core
//! held by another process makes a parallel form time like the sequential
//! one, so such a lesson's thread results are marked unreliable.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use super::alloc::{self, AllocationCount};
use super::lesson::{Form, Lesson, Prepared, Scale};
use super::machine::{Machine, Parallelism, measure_parallelism};
use super::stats::{MIN_PAIRS, Ratio, Verdict, number};

/// The most pairs a lesson is given, however much of its share is left
/// (what is left goes to the lessons after it).
pub const MAX_PAIRS: usize = 41;

/// The default run's budget: about two minutes on a 2-core machine, input
/// building, checks and child processes included.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(110);

/// The version of `results.json`'s shape; `mizan compare` and `mizan
/// report` refuse another.
pub const SCHEMA: u32 = 2;

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The input size.
    pub scale: Scale,
    /// Whether a lesson whose minimum of pairs does not fit its share of
    /// the budget runs at a smaller scale (the default run); `false` when
    /// the user named the scale.
    pub fit_scale: bool,
    /// Paired runs of every form, forced; `None`: as many as the budget
    /// gives.
    pub runs: Option<usize>,
    /// The wall-time budget of the whole run.
    pub budget: Duration,
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
    /// The scale it ran at (smaller than the run's when its minimum did
    /// not fit its share of the budget).
    pub scale: Scale,
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
    pub allocators: Option<[super::alloc::Backend; 2]>,
    /// Wall seconds the lesson took, building and checking included.
    pub seconds: f64,
}

/// One form's figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormResult {
    /// `naive`, a further form's name, `optimized`.
    pub name: String,
    /// Median nanoseconds a run.
    pub ns: u64,
    /// Allocations of one warm run, with its peak heap.
    pub allocations: AllocationCount,
    /// The naive form's time over this form's, pair by pair (`None` for
    /// the naive form itself).
    pub over_naive: Option<Ratio>,
    /// The form before's time over this one's (a ladder's rung against the
    /// rung below it); `None` for the naive form.
    pub over_before: Option<Ratio>,
}

/// The speed-of-light reference's figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LimitResult {
    /// `speed of light`, or `speed of light + <domain work>`.
    pub name: String,
    /// Median nanoseconds a run.
    pub ns: u64,
    /// The optimized form's time over the limit's, pair by pair: how many
    /// times the least possible work the optimized form takes.
    pub optimized_over_limit: Ratio,
}

/// The forms at one thread count.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScalingPoint {
    /// rayon threads.
    pub threads: usize,
    /// Median nanoseconds of each form, in the order of
    /// [`Measured::forms`].
    pub ns: Vec<u64>,
    /// Each form's time at one thread over its time here, pair by pair.
    pub over_one_thread: Vec<Ratio>,
}

/// The measurements of a lesson whose forms agreed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    /// Paired runs (rotations) behind every median and interval.
    pub pairs: usize,
    /// The thread count of the figures in `forms`.
    pub threads: usize,
    /// Every form: naive, the further forms, optimized.
    pub forms: Vec<FormResult>,
    /// The speed-of-light reference, if the lesson has one.
    pub limit: Option<LimitResult>,
    /// For a lesson about threads: the forms at 1, 2, … threads, timed in
    /// the same rotation as `forms` (which is the point at `threads`).
    pub scaling: Vec<ScalingPoint>,
    /// For a lesson about threads: the least parallelism measured just
    /// before and just after it.
    pub parallelism: Option<Parallelism>,
    /// The peak resident memory of the child processes (a lesson about
    /// the allocator): naive's, optimized's.
    #[serde(default)]
    pub child_peak_rss: Option<[u64; 2]>,
}

impl Measured {
    /// The naive form.
    pub fn naive(&self) -> &FormResult {
        &self.forms[0]
    }

    /// The optimized form.
    pub fn optimized(&self) -> &FormResult {
        &self.forms[self.forms.len() - 1]
    }

    /// The further forms, between naive and optimized.
    pub fn variants(&self) -> &[FormResult] {
        &self.forms[1..self.forms.len() - 1]
    }

    /// Naive over optimized.
    pub fn speedup(&self) -> Ratio {
        self.optimized()
            .over_naive
            .expect("the optimized form has a ratio")
    }

    /// Whether its thread results can be trusted (always, for a lesson
    /// not about threads).
    pub fn reliable(&self) -> bool {
        self.parallelism.is_none_or(|p| p.is_reliable())
    }
}

/// A whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The shape of this file ([`SCHEMA`]).
    #[serde(default)]
    pub schema: u32,
    /// Where it ran, with the parallelism measured at its start.
    pub machine: Machine,
    /// The scale asked for.
    pub scale: Scale,
    /// Paired runs forced with `--runs`; `None`: as the budget gave.
    pub runs: Option<usize>,
    /// The wall-time budget, seconds.
    pub budget_seconds: f64,
    /// The wall time the run took, seconds.
    pub wall_seconds: f64,
    /// The seed.
    pub seed: u64,
    /// Whether the counting allocator was installed (allocation columns
    /// are zero otherwise).
    pub allocations_counted: bool,
    /// The peak resident memory of this process (`getrusage`), bytes.
    pub peak_rss_bytes: u64,
    /// One result per lesson, in registry order.
    pub results: Vec<LessonResult>,
}

impl Report {
    /// Whether every lesson's forms agreed.
    pub fn all_agree(&self) -> bool {
        self.results.iter().all(|r| r.failure.is_none())
    }

    /// Reads a results file, refusing another schema.
    pub fn from_json(text: &str) -> Result<Report, String> {
        #[derive(Deserialize)]
        struct Version {
            #[serde(default)]
            schema: u32,
        }
        let version: Version =
            serde_json::from_str(text).map_err(|e| format!("not a results file: {e}"))?;
        if version.schema != SCHEMA {
            return Err(format!(
                "a results file of schema {}, and this mizan reads schema {SCHEMA}: \
                 run the lab again to make one",
                version.schema
            ));
        }
        serde_json::from_str(text).map_err(|e| format!("not a results file: {e}"))
    }
}

/// Runs `lessons` and measures them.
pub fn run(lessons: &[&dyn Lesson], options: RunOptions) -> Report {
    let started = Instant::now();
    let bar = if options.progress {
        ProgressBar::new(lessons.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} lessons {elapsed} {msg}")
            .expect("a valid template"),
    );
    let mut machine = Machine::current();
    bar.set_message("measuring the machine's parallelism");
    let parallelism = measure_parallelism();
    machine.parallelism = Some(parallelism);
    if !parallelism.is_reliable() && lessons.iter().any(|l| l.scaling()) {
        bar.suspend(|| eprintln!("{}", unreliable_warning(parallelism, None)));
    }
    let mut results = Vec::with_capacity(lessons.len());
    for (idx, lesson) in lessons.iter().enumerate() {
        let left = options.budget.saturating_sub(started.elapsed());
        let share = left / (lessons.len() - idx) as u32;
        let result = run_lesson(*lesson, options, share, &bar);
        if let Some(p) = result.measured.as_ref().and_then(|m| m.parallelism)
            && !p.is_reliable()
        {
            bar.suspend(|| eprintln!("{}", unreliable_warning(p, Some(lesson.id()))));
        }
        results.push(result);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Report {
        schema: SCHEMA,
        machine,
        scale: options.scale,
        runs: options.runs,
        budget_seconds: options.budget.as_secs_f64(),
        wall_seconds: started.elapsed().as_secs_f64(),
        seed: options.seed,
        allocations_counted: alloc::is_installed(),
        peak_rss_bytes: peak_rss_bytes(),
        results,
    }
}

/// What to tell the user when the machine does not give its cores.
pub fn unreliable_warning(parallelism: Parallelism, lesson: Option<&str>) -> String {
    let (what, again) = match lesson {
        Some(id) => (format!("around {id}"), format!("mizan run {id}")),
        None => ("at the start".to_owned(), "cargo run --release".to_owned()),
    };
    format!(
        "warning: the machine gave {} of parallelism {what}: another process holds a core, \
         so the thread results {} are unreliable (a parallel form times like the sequential \
         one). For a clean run, stop the other work (top shows it) and run `{again}` again",
        parallelism.describe(),
        if lesson.is_some() {
            "of this lesson"
        } else {
            "of this run may be"
        }
    )
}

/// The peak resident memory of this process so far (`getrusage`), bytes;
/// 0 where the platform does not say.
pub fn peak_rss_bytes() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes into the struct we own.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            // Linux reports kibibytes.
            return usage.ru_maxrss as u64 * 1024;
        }
    }
    0
}

/// What measuring one lesson at one scale came to.
enum Outcome {
    Measured(Measured),
    Failed(String),
    /// Its minimum of pairs does not fit its share: try a smaller scale.
    TooBig,
}

fn run_lesson(
    lesson: &dyn Lesson,
    options: RunOptions,
    share: Duration,
    bar: &ProgressBar,
) -> LessonResult {
    let lesson_start = Instant::now();
    let mut scale = options.scale;
    loop {
        bar.set_message(format!(
            "{}: building the input ({})",
            lesson.id(),
            scale.name()
        ));
        let built = Instant::now();
        let prepared = lesson.prepare(scale, options.seed);
        let build_time = built.elapsed();
        let elements = prepared.elements();
        let may_shrink = options.fit_scale && options.runs.is_none() && scale.smaller().is_some();
        let budget = Budget {
            share,
            started: lesson_start,
            may_shrink,
        };
        let outcome = match lesson.allocators() {
            Some(allocators) => measure_in_processes(
                lesson, prepared, allocators, scale, build_time, options, budget, bar,
            ),
            None => measure_here(lesson, prepared.as_ref(), options, budget, bar),
        };
        let (failure, measured) = match outcome {
            Outcome::TooBig => {
                scale = scale.smaller().expect("a smaller scale");
                continue;
            }
            Outcome::Failed(failure) => (Some(failure), None),
            Outcome::Measured(measured) => (None, Some(measured)),
        };
        return LessonResult {
            id: lesson.id().to_owned(),
            scale,
            elements,
            failure,
            measured,
            instructions: None,
            allocators: lesson.allocators(),
            seconds: lesson_start.elapsed().as_secs_f64(),
        };
    }
}

/// A lesson's share of the run's budget.
#[derive(Clone, Copy)]
struct Budget {
    share: Duration,
    started: Instant,
    may_shrink: bool,
}

impl Budget {
    /// How many pairs fit in what is left of the share, each costing
    /// `per_pair`; `None` when not even [`MIN_PAIRS`] fit and a smaller
    /// scale may be tried.
    fn pairs(&self, forced: Option<usize>, per_pair: Duration) -> Option<usize> {
        if let Some(runs) = forced {
            return Some(runs);
        }
        let left = self.share.saturating_sub(self.started.elapsed());
        let fit = left.as_secs_f64() / per_pair.as_secs_f64().max(1e-9);
        if fit < MIN_PAIRS as f64 && self.may_shrink {
            return None;
        }
        Some((fit as usize).clamp(MIN_PAIRS, MAX_PAIRS))
    }
}

/// A fresh pool of `threads` threads, every worker started: a worker
/// still starting up allocates, and the counters would charge that to
/// whichever form was being counted at the time.
fn pool(threads: usize) -> rayon::ThreadPool {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.broadcast(|_| ());
    pool
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

/// One timed thing of a rotation.
#[derive(Clone, Copy)]
enum Slot {
    Form(Form),
    Variant(usize),
}

fn run_slot(prepared: &dyn Prepared, slot: Slot) {
    match slot {
        Slot::Form(form) => prepared.run(form),
        Slot::Variant(idx) => prepared.run_variant(idx),
    }
}

/// Checks every form at every thread count, counts one warm run of each
/// form's allocations, then times rotations of every form at every thread
/// count in this process.
///
/// Every form runs on a worker of a pool of its thread count, and is
/// timed there: that is where a rayon program's work runs (the worker
/// takes its share of every parallel loop and frees what its pool
/// allocated). Timed from outside the pool, the zakat pipeline's parallel
/// form took a fifth longer: the calling thread idles, then frees the
/// workers' buffers from another thread.
fn measure_here(
    lesson: &dyn Lesson,
    prepared: &dyn Prepared,
    options: RunOptions,
    budget: Budget,
    bar: &ProgressBar,
) -> Outcome {
    let id = lesson.id();
    let main_threads = rayon::current_num_threads();
    let mut counts = if lesson.scaling() {
        thread_counts()
    } else {
        Vec::new()
    };
    if !counts.contains(&main_threads) {
        counts.push(main_threads);
        counts.sort_unstable();
    }
    let pools: Vec<rayon::ThreadPool> = counts.iter().map(|&t| pool(t)).collect();
    let main = counts
        .iter()
        .position(|&t| t == main_threads)
        .expect("the main count");
    let before = lesson.scaling().then(measure_parallelism);

    // Every form at every thread count that is timed agrees; the check
    // also warms every form up in every pool, and its time is the
    // estimate of one rotation.
    let checked = Instant::now();
    for (threads, pool) in counts.iter().zip(&pools) {
        bar.set_message(format!(
            "{id}: checking the forms agree at {threads} threads"
        ));
        if let Err(difference) = pool.install(|| prepared.check()) {
            let at = if lesson.scaling() {
                format!(" (at {threads} threads)")
            } else {
                String::new()
            };
            return Outcome::Failed(format!("{difference}{at}"));
        }
    }
    let rotation = checked.elapsed();

    let names: Vec<String> = std::iter::once("naive".to_owned())
        .chain(prepared.variant_names().iter().map(|n| n.to_string()))
        .chain(std::iter::once("optimized".to_owned()))
        .collect();
    let mut slots = vec![Slot::Form(Form::Naive)];
    slots.extend((0..names.len() - 2).map(Slot::Variant));
    slots.push(Slot::Form(Form::Optimized));
    let n_forms = slots.len();
    if prepared.has_limit() {
        slots.push(Slot::Form(Form::Limit));
    }

    let Some(pairs) = budget.pairs(options.runs, rotation) else {
        return Outcome::TooBig;
    };

    bar.set_message(format!("{id}: counting allocations"));
    let allocations: Vec<AllocationCount> = pools[main].install(|| {
        slots[..n_forms]
            .iter()
            .map(|slot| alloc::count(|| run_slot(prepared, *slot)).1)
            .collect()
    });

    // samples[pool][slot]: the nanoseconds of each pair.
    let cells = pools.len() * slots.len();
    let mut samples = vec![vec![Vec::with_capacity(pairs); slots.len()]; pools.len()];
    for pair_idx in 0..pairs {
        bar.set_message(format!("{id}: timing, pair {}/{pairs}", pair_idx + 1));
        // Rotate the order, so that no form always runs first (or always
        // right after the costly naive one).
        for offset in 0..cells {
            let cell = (pair_idx + offset) % cells;
            let (pool_idx, slot_idx) = (cell / slots.len(), cell % slots.len());
            let slot = slots[slot_idx];
            let ns = pools[pool_idx].install(|| {
                let start = Instant::now();
                run_slot(prepared, slot);
                start.elapsed().as_nanos() as u64
            });
            samples[pool_idx][slot_idx].push(ns);
        }
    }
    let after = lesson.scaling().then(measure_parallelism);

    let at_main = &samples[main];
    let forms: Vec<FormResult> = names
        .iter()
        .enumerate()
        .map(|(idx, name)| FormResult {
            name: name.clone(),
            ns: median_ns(&at_main[idx]),
            allocations: allocations[idx],
            over_naive: (idx > 0).then(|| pair_ratio(&at_main[0], &at_main[idx])),
            over_before: (idx > 0).then(|| pair_ratio(&at_main[idx - 1], &at_main[idx])),
        })
        .collect();
    let limit = prepared.limit_name().map(|name| LimitResult {
        name: name.to_owned(),
        ns: median_ns(&at_main[n_forms]),
        optimized_over_limit: pair_ratio(&at_main[n_forms - 1], &at_main[n_forms]),
    });
    let scaling = if lesson.scaling() {
        let one = counts.iter().position(|&t| t == 1).expect("one thread");
        counts
            .iter()
            .zip(&samples)
            .map(|(&threads, at)| ScalingPoint {
                threads,
                ns: at[..n_forms].iter().map(|s| median_ns(s)).collect(),
                over_one_thread: (0..n_forms)
                    .map(|idx| pair_ratio(&samples[one][idx], &at[idx]))
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let parallelism = match (before, after) {
        (Some(b), Some(a)) => Some(if a.effective < b.effective { a } else { b }),
        _ => None,
    };
    Outcome::Measured(Measured {
        pairs,
        threads: main_threads,
        forms,
        limit,
        scaling,
        parallelism,
        child_peak_rss: None,
    })
}

fn pair_ratio(baseline: &[u64], form: &[u64]) -> Ratio {
    Ratio::of_pairs(baseline, form).expect("at least one pair")
}

/// Runs per child process of a lesson about the allocator; the pairs are
/// the children's runs matched round by round.
const RUNS_PER_CHILD: usize = 5;

/// Times a lesson about the allocator, each form in child processes under
/// its own allocator, alternating round by round.
#[allow(clippy::too_many_arguments)]
fn measure_in_processes(
    lesson: &dyn Lesson,
    prepared: Box<dyn Prepared>,
    allocators: [super::alloc::Backend; 2],
    scale: Scale,
    build_time: Duration,
    options: RunOptions,
    budget: Budget,
    bar: &ProgressBar,
) -> Outcome {
    let id = lesson.id();
    // The two forms are the same code: here they are checked against the
    // lesson's independent reference, which can differ; the children's
    // digests then show that each allocator gave the same output.
    bar.set_message(format!("{id}: checking against the reference"));
    let checked = Instant::now();
    if let Err(difference) = prepared.check() {
        return Outcome::Failed(difference);
    }
    let runs_in_check = 2 + u32::from(lesson.has_reference());
    let one_run = checked.elapsed() / runs_in_check;
    // The children build their own inputs: free this one first.
    drop(prepared);
    // A child builds the input, digests the output (one run), counts one
    // warm run, then times its runs; two children a round.
    let per_round = 2 * (build_time + one_run * (RUNS_PER_CHILD as u32 + 2));
    let per_pair = per_round / RUNS_PER_CHILD as u32;
    let Some(pairs) = budget.pairs(options.runs, per_pair) else {
        return Outcome::TooBig;
    };
    let (rounds, runs_per_child) = if pairs >= RUNS_PER_CHILD {
        (pairs.div_ceil(RUNS_PER_CHILD), RUNS_PER_CHILD)
    } else {
        (1, pairs)
    };
    bar.set_message(format!(
        "{id}: timing in {} and {} processes, {rounds} rounds",
        allocators[0].name(),
        allocators[1].name()
    ));
    let [naive, optimized] = match super::process::time_both(
        id,
        allocators,
        scale,
        options.seed,
        rounds,
        runs_per_child,
    ) {
        Ok(timings) => timings,
        Err(failure) => return Outcome::Failed(failure),
    };
    let ratio = pair_ratio(&naive.ns, &optimized.ns);
    Outcome::Measured(Measured {
        pairs: naive.ns.len(),
        threads: rayon::current_num_threads(),
        forms: vec![
            FormResult {
                name: "naive".to_owned(),
                ns: median_ns(&naive.ns),
                allocations: naive.allocations,
                over_naive: None,
                over_before: None,
            },
            FormResult {
                name: "optimized".to_owned(),
                ns: median_ns(&optimized.ns),
                allocations: optimized.allocations,
                over_naive: Some(ratio),
                over_before: Some(ratio),
            },
        ],
        limit: None,
        scaling: Vec::new(),
        parallelism: None,
        child_peak_rss: Some([naive.peak_rss_bytes, optimized.peak_rss_bytes]),
    })
}

/// The median of nanosecond samples (the mean of the middle two for an
/// even count).
pub fn median_ns(samples: &[u64]) -> u64 {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
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

/// A lesson's name in a table: with its allocators for a lesson about the
/// allocator, its scale when it is not the run's, and ⚠ when its thread
/// results are unreliable.
fn lesson_cell(result: &LessonResult, run_scale: Scale) -> String {
    let mut notes = Vec::new();
    if let Some([naive, optimized]) = result.allocators {
        notes.push(format!("{} → {}", naive.name(), optimized.name()));
    }
    if result.scale != run_scale {
        notes.push(format!("{} scale", result.scale.name()));
    }
    let mut cell = result.id.clone();
    if !notes.is_empty() {
        let _ = write!(cell, " ({})", notes.join(", "));
    }
    if result.measured.as_ref().is_some_and(|m| !m.reliable()) {
        cell.push_str(" ⚠");
    }
    cell
}

/// A ratio for a table, or `–` without one.
fn ratio_cell(ratio: Option<&Ratio>) -> String {
    ratio.map_or_else(|| "–".to_owned(), Ratio::to_string)
}

/// The report as Markdown tables, with the machine and how it was run:
/// the times and ratios; the allocations and peak heap; the limits; every
/// form of the lessons that have further forms; the scaling of the
/// lessons about threads; the instructions, when counted.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let measured: Vec<(&LessonResult, &Measured)> = report
        .results
        .iter()
        .filter_map(|r| r.measured.as_ref().map(|m| (r, m)))
        .collect();
    out.push_str(
        "| lesson | records | pairs | naive | optimized | naive / optimized |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for result in &report.results {
        let cell = lesson_cell(result, report.scale);
        match (&result.measured, &result.failure) {
            (Some(m), _) => {
                let _ = writeln!(
                    out,
                    "| {cell} | {} | {} | {} | {} | {} |",
                    format_count(result.elements),
                    m.pairs,
                    format_ns(m.naive().ns),
                    format_ns(m.optimized().ns),
                    m.speedup(),
                );
            }
            (None, failure) => {
                let _ = writeln!(
                    out,
                    "| {cell} | {} | FAILED: the forms differ | {} | | |",
                    format_count(result.elements),
                    escape_cell(failure.as_deref().unwrap_or(""))
                );
            }
        }
    }

    if !measured.is_empty() {
        out.push_str(
            "\n| lesson | allocations naive → optimized | peak heap naive → optimized |\n\
             |---|---:|---:|\n",
        );
        for (r, m) in &measured {
            let (naive, optimized) = (&m.naive().allocations, &m.optimized().allocations);
            let _ = writeln!(
                out,
                "| {} | {} ({}) → {} ({}) | {} → {} |",
                lesson_cell(r, report.scale),
                format_count(naive.count),
                format_bytes(naive.bytes),
                format_count(optimized.count),
                format_bytes(optimized.bytes),
                format_bytes(naive.peak_bytes),
                format_bytes(optimized.peak_bytes),
            );
        }
    }

    let limits: Vec<_> = measured
        .iter()
        .filter_map(|(r, m)| m.limit.as_ref().map(|l| (r, m, l)))
        .collect();
    if !limits.is_empty() {
        out.push_str(
            "\n| lesson | limit | limit's median | optimized / limit |\n|---|---|---:|---:|\n",
        );
        for (r, _, l) in limits {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                lesson_cell(r, report.scale),
                l.name,
                format_ns(l.ns),
                l.optimized_over_limit,
            );
        }
    }

    let laddered: Vec<_> = measured
        .iter()
        .filter(|(_, m)| !m.variants().is_empty())
        .collect();
    if !laddered.is_empty() {
        out.push_str(
            "\n| lesson | form | median | over naive | over the form before |\n\
             |---|---|---:|---:|---:|\n",
        );
        for (r, m) in laddered {
            for form in &m.forms[1..] {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    lesson_cell(r, report.scale),
                    form.name,
                    format_ns(form.ns),
                    ratio_cell(form.over_naive.as_ref()),
                    ratio_cell(form.over_before.as_ref()),
                );
            }
        }
    }

    for (r, m) in measured.iter().filter(|(_, m)| !m.scaling.is_empty()) {
        let names: Vec<&str> = m.forms.iter().map(|f| f.name.as_str()).collect();
        let _ = writeln!(
            out,
            "\n| {} threads | {} |\n|---:|{}",
            lesson_cell(r, report.scale),
            names.join(" | "),
            "---:|".repeat(names.len())
        );
        for point in &m.scaling {
            let cells: Vec<String> = point
                .ns
                .iter()
                .zip(&point.over_one_thread)
                .map(|(ns, ratio)| {
                    if point.threads == 1 {
                        format_ns(*ns)
                    } else {
                        format!("{} {ratio}", format_ns(*ns))
                    }
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", point.threads, cells.join(" | "));
        }
        if let Some(p) = m.parallelism {
            let _ = writeln!(
                out,
                "\nParallelism around `{}`: {}{}.",
                r.id,
                p.describe(),
                if p.is_reliable() {
                    ""
                } else {
                    ": **unreliable**, another process held a core"
                }
            );
        }
    }

    if measured.iter().any(|(r, _)| r.instructions.is_some()) {
        out.push_str("\n| lesson | instructions naive → optimized | ratio |\n|---|---:|---:|\n");
        for (r, _) in &measured {
            if let Some(i) = &r.instructions {
                let _ = writeln!(
                    out,
                    "| {} | {} → {} | {}× |",
                    r.id,
                    format_count(i.naive),
                    format_count(i.optimized),
                    number(i.ratio())
                );
            }
        }
    }

    let _ = write!(
        out,
        "\nMedians of paired, alternating runs at the `{}` scale (seed {}), each ratio with \
         the distribution-free 95 % interval of the median of its pairs' ratios; ≈: no \
         measurable difference (the interval holds 1×). In the thread tables, each form at \
         each count against itself at one thread. Allocations and peak heap of one warm run \
         of each form. ",
        report.scale.name(),
        report.seed,
    );
    if measured.iter().any(|(_, m)| !m.reliable()) {
        out.push_str(
            "⚠: the machine did not give its cores around this lesson (another process held \
             one); its thread results are unreliable. ",
        );
    }
    let _ = writeln!(
        out,
        "Wall time {:.0} s of a {:.0} s budget; peak memory {}. Machine: {}.",
        report.wall_seconds,
        report.budget_seconds,
        format_bytes(report.peak_rss_bytes),
        report.machine.summary()
    );
    out
}

/// Text for a table cell: `|` escaped, `<` written as an entity so that
/// Markdown does not read `Mutex<HashMap>` as a tag.
pub fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('<', "&lt;")
}

/// How a verdict reads in prose: `10.8× faster (10.6–11.0)`, `no
/// measurable difference (0.97–1.06×)`.
pub fn prose(ratio: &Ratio) -> String {
    match ratio.verdict() {
        Verdict::Faster => format!(
            "{}× faster ({}–{}×)",
            number(ratio.median),
            number(ratio.low),
            number(ratio.high)
        ),
        Verdict::Slower => format!(
            "{}× slower ({}–{}×)",
            number(1.0 / ratio.median),
            number(1.0 / ratio.high),
            number(1.0 / ratio.low)
        ),
        Verdict::NoDifference => format!(
            "no measurable difference ({}–{}×)",
            number(ratio.low),
            number(ratio.high)
        ),
    }
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
        assert_eq!(median_ns(&[5, 1, 3]), 3);
        assert_eq!(median_ns(&[5, 1, 3, 7]), 4);
    }

    #[test]
    fn verdicts_read_as_prose() {
        let faster = Ratio::of_ratios(&mut [10.6, 10.8, 11.0]).unwrap();
        assert_eq!(prose(&faster), "10.8× faster (10.6–11.0×)");
        let slower = Ratio::of_ratios(&mut [0.5, 0.8, 0.4]).unwrap();
        assert_eq!(prose(&slower), "2.00× slower (1.25–2.50×)");
        let same = Ratio::of_ratios(&mut [0.97, 1.01, 1.06]).unwrap();
        assert_eq!(prose(&same), "no measurable difference (0.970–1.06×)");
    }

    #[test]
    fn the_budget_gives_pairs_and_shrinks_what_does_not_fit() {
        let budget = Budget {
            share: Duration::from_secs(3),
            started: Instant::now(),
            may_shrink: true,
        };
        // About thirty rotations of 0.1 s fit in three seconds (less the
        // moment since `started`).
        let pairs = budget.pairs(None, Duration::from_millis(100)).unwrap();
        assert!((28..=30).contains(&pairs), "{pairs}");
        // Capped, and forced.
        assert_eq!(
            budget.pairs(None, Duration::from_millis(1)),
            Some(MAX_PAIRS)
        );
        assert_eq!(budget.pairs(Some(3), Duration::from_secs(60)), Some(3));
        // Fifteen rotations of a second do not fit in three: a smaller scale, if
        // there is one; otherwise the minimum.
        assert_eq!(budget.pairs(None, Duration::from_secs(1)), None);
        let at_the_smallest = Budget {
            may_shrink: false,
            ..budget
        };
        assert_eq!(
            at_the_smallest.pairs(None, Duration::from_secs(1)),
            Some(MIN_PAIRS)
        );
    }
}
