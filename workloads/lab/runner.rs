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
//! **Slices.** Pairs made one after the other share whatever stays put
//! for a while: a neighbour's load, the heap's layout, where the threads
//! landed. Two runs of the same commit differ by more than one run's pairs
//! vary. So each lesson is measured in [`SLICES`] slices spread over the
//! run (slice one of every lesson, then slice two, …), each with fresh
//! thread pools, and a ratio's interval is that of the median of the
//! slices' medians ([`Ratio::of_slices`]). Below bank scale a lesson's
//! input is built once and kept for its slices (some take seconds to
//! build); at bank scale it is built again for each slice, so that only
//! the input of the lesson being timed is in memory.
//!
//! **The budget.** The default run keeps to a wall-time budget however many
//! lessons are registered: each slice of each lesson gets an equal share of
//! what is left of it, and as many rotations as fit in its share once its
//! input is built and checked (at least [`MIN_PAIRS_PER_SLICE`], at most
//! [`MAX_PAIRS_PER_SLICE`]; what is left goes to the slices after it). A
//! lesson whose first slice's minimum does not fit its share is built
//! again at the next smaller scale, for all its slices, unless it keeps
//! its scale ([`Lesson::keeps_scale`]: the headlines, and the lessons
//! about the allocator and about sharding). The headlines
//! ([`Lesson::is_headline`], the pipelines) are also served first: each
//! slice of theirs runs first, and what their slices still to come will
//! take (at the cost of their last slice) is set aside before the other
//! lessons share what is left ([`Plan`]). `--runs N` forces the count
//! (spread over up to [`SLICES`] slices).
//!
//! **Parallelism.** The machine's effective parallelism is measured at the
//! start and before and after every lesson about threads: a second core
//! held by another process makes a parallel form time like the sequential
//! one, so such a lesson's thread results are marked unreliable.
//!
//! One idea: the run, its slices and its budget (the results it makes are
//! `results.rs`, the tables `tables.rs`).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::alloc::{self, AllocationCount};
use super::lesson::{Form, Lesson, Prepared, Scale};
use super::machine::{Machine, Parallelism, measure_parallelism};
use super::measure::{median_ns, minor_faults, peak_rss_bytes, pool, thread_counts};
use super::results::{
    FormResult, LessonResult, LimitResult, Measured, Report, SCHEMA, ScalingPoint,
};
use super::stats::Ratio;

/// The slices of every lesson: each with fresh thread pools, at its own
/// moment of the run. Six slices' medians put the 95 %
/// interval at their minimum and maximum (96.9 % coverage).
pub const SLICES: usize = 6;

/// The fewest pairs of a slice (so at least 18 pairs a lesson).
pub const MIN_PAIRS_PER_SLICE: usize = 3;

/// The most pairs a slice is given, however much of its share is left
/// (what is left goes to the lessons after it).
pub const MAX_PAIRS_PER_SLICE: usize = 7;

/// How far over its share a lesson's minimum may go before it moves to a
/// smaller scale. Most lessons need less than their share and leave the
/// rest to those after them (a run of thirty lessons ended at two thirds
/// of its budget with a fifth of them shrunk at a slack of 1.25 or 2, and
/// within it with three shrunk at 3; a run of thirty-nine at 90 s with
/// four shrunk at 3, the two pipelines among them), so the first lessons
/// may take four times theirs.
const SHRINK_SLACK: f64 = 4.0;

/// The default run's budget: about two minutes on a 2-core machine, input
/// building, checks and child processes included.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(110);

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

/// Runs `lessons` and measures them: every lesson in [`SLICES`] slices
/// spread over the run (slice one of every lesson, then slice two, …),
/// each with fresh thread pools.
pub fn run(lessons: &[&dyn Lesson], options: RunOptions) -> Report {
    let started = Instant::now();
    let slices = options.runs.map_or(SLICES, |runs| runs.clamp(1, SLICES));
    let bar = if options.progress {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} slices {elapsed} {msg}")
            .expect("a valid template"),
    );
    let mut machine = Machine::current();
    bar.set_message("measuring the machine's parallelism");
    let parallelism = measure_parallelism();
    machine.parallelism = Some(parallelism);
    if !parallelism.is_reliable() && lessons.iter().any(|l| l.scaling()) {
        bar.suspend(|| eprintln!("{}", unreliable_warning(parallelism, None)));
    }
    // Each lesson, and right after it its contrast (the same forms at the
    // lesson's contrast scale, never shrunk), where it has one.
    let mut states: Vec<LessonRun> = Vec::new();
    for lesson in lessons {
        states.push(LessonRun::new(*lesson, options.scale, slices));
        if let Some((scale, name)) = lesson.contrast() {
            let mut contrast = LessonRun::new(*lesson, scale, slices);
            contrast.contrast = Some(name);
            states.push(contrast);
        }
    }
    bar.set_length((states.len() * slices) as u64);
    let mut plan = Plan::new(
        states
            .iter()
            .map(|s| s.contrast.is_none() && s.lesson.is_headline())
            .collect(),
        slices,
    );
    for slice in 0..slices {
        for idx in plan.order() {
            let state = &mut states[idx];
            let left = options.budget.saturating_sub(started.elapsed());
            let share = plan.share(idx, left);
            // In the first slice: the lesson's share of what is left, all
            // its slices together, which decides its scale (the slices
            // still to come of the lessons before it share what is left
            // too).
            let lesson_share = share * slices as u32;
            let slice_started = Instant::now();
            if state.failure.is_none() {
                let pairs = options
                    .runs
                    .map(|runs| runs / slices + usize::from(slice < runs % slices));
                // (`run_slice` drops it once the scale can shrink no more.)
                let shrink = (slice == 0
                    && may_shrink(state.lesson, state.contrast.is_some(), &options))
                .then_some((lesson_share, slices));
                state.run_slice(slice, share, shrink, pairs, options, &bar);
            }
            plan.done(idx, slice_started.elapsed());
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let results: Vec<LessonResult> = states.into_iter().map(LessonRun::finish).collect();
    for result in &results {
        if let Some(p) = result.measured.as_ref().and_then(|m| m.parallelism)
            && !p.is_reliable()
        {
            eprintln!("{}", unreliable_warning(p, Some(&result.id)));
        }
    }
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

/// Whether a run with `options` may move `lesson` (or its contrast) to a
/// smaller scale when its minimum of pairs does not fit its share: only in
/// the default run (the scale not named, the pairs not forced), never a
/// contrast (its scale is the point of it), and never a lesson that keeps
/// its scale ([`Lesson::keeps_scale`]).
pub fn may_shrink(lesson: &dyn Lesson, contrast: bool, options: &RunOptions) -> bool {
    options.fit_scale && options.runs.is_none() && !contrast && !lesson.keeps_scale()
}

/// What to tell the user when the machine does not give its cores.
pub fn unreliable_warning(parallelism: Parallelism, lesson: Option<&str>) -> String {
    let (what, again) = match lesson {
        Some(id) => (format!("around {id}"), format!("mizan run {id}")),
        None => ("at the start".to_owned(), "cargo run --release".to_owned()),
    };
    format!(
        "warning: the machine gave {} of parallelism {what}: another process holds a core, \
         so {} (a parallel form times like the sequential one). For a clean run, stop the \
         other work (top shows it) and run `{again}` again",
        parallelism.describe(),
        if lesson.is_some() {
            "the lesson's thread results are not reported"
        } else {
            "the thread results of this run may be unreliable"
        }
    )
}

/// A lesson being measured, slice after slice.
struct LessonRun<'a> {
    lesson: &'a dyn Lesson,
    /// How many slices the run gives each lesson.
    slices: usize,
    elapsed: Duration,
    scale: Scale,
    elements: u64,
    failure: Option<String>,
    /// `naive`, the further forms, `optimized`.
    names: Vec<String>,
    limit_name: Option<&'static str>,
    /// The thread counts timed, one pool each per slice.
    counts: Vec<usize>,
    /// Allocations of each form, counted in the first slice (in a lesson
    /// about the allocator, by the children of the first round).
    allocations: Vec<AllocationCount>,
    /// Minor page faults of the same runs, by form.
    faults: Vec<u64>,
    /// `samples[slice][pool][slot]`: the nanoseconds of each pair.
    samples: Vec<Vec<Vec<Vec<u64>>>>,
    parallelism: Option<Parallelism>,
    child_peak_rss: Option<[u64; 2]>,
    /// A lesson about the allocator: the parent's build time and one
    /// run's, measured in the first slice, to size the children.
    child_cost: Option<(Duration, Duration)>,
    /// A lesson about the allocator: the digest every child must make.
    child_digest: Option<u64>,
    /// The built input, kept from slice to slice below bank scale.
    prepared: Option<Box<dyn Prepared>>,
    /// For the lesson's contrast run: its name.
    contrast: Option<&'static str>,
}

/// What a slice came to.
enum SliceOutcome {
    Done,
    /// The first slice's minimum does not fit its share: try a smaller
    /// scale.
    TooBig,
}

impl<'a> LessonRun<'a> {
    fn new(lesson: &'a dyn Lesson, scale: Scale, slices: usize) -> LessonRun<'a> {
        LessonRun {
            lesson,
            slices,
            elapsed: Duration::ZERO,
            scale,
            elements: 0,
            failure: None,
            names: Vec::new(),
            limit_name: None,
            counts: Vec::new(),
            allocations: Vec::new(),
            faults: Vec::new(),
            samples: Vec::new(),
            parallelism: None,
            child_peak_rss: None,
            child_cost: None,
            child_digest: None,
            prepared: None,
            contrast: None,
        }
    }

    /// Runs one slice, at a smaller scale if the first does not fit.
    fn run_slice(
        &mut self,
        slice: usize,
        share: Duration,
        mut shrink: Option<(Duration, usize)>,
        pairs: Option<usize>,
        options: RunOptions,
        bar: &ProgressBar,
    ) {
        let started = Instant::now();
        loop {
            // Each attempt gets the whole share: a first slice built too
            // large is paid once, and not again by the smaller one.
            let budget = Budget {
                share,
                started: Instant::now(),
                shrink: shrink.filter(|_| self.scale.smaller().is_some()),
            };
            let outcome = match self.lesson.allocators() {
                Some(allocators) => {
                    self.slice_in_processes(slice, allocators, budget, pairs, options, bar)
                }
                None => self.slice_here(slice, budget, pairs, options, bar),
            };
            match outcome {
                Ok(SliceOutcome::Done) => break,
                Ok(SliceOutcome::TooBig) => {
                    self.scale = self.scale.smaller().expect("a smaller scale");
                    self.prepared = None;
                    // What the larger attempt spent is gone from the share.
                    shrink = shrink.map(|(s, n)| (s.saturating_sub(started.elapsed()), n));
                }
                Err(failure) => {
                    self.failure = Some(failure);
                    break;
                }
            }
        }
        self.elapsed += started.elapsed();
    }

    /// One slice in this process: build the input, check every form at
    /// every thread count (which warms them up in every pool, and whose
    /// time estimates a rotation), count allocations (first slice), then
    /// time rotations of every form at every thread count.
    fn slice_here(
        &mut self,
        slice: usize,
        budget: Budget,
        forced: Option<usize>,
        options: RunOptions,
        bar: &ProgressBar,
    ) -> Result<SliceOutcome, String> {
        let lesson = self.lesson;
        let id = lesson.id();
        if self.prepared.is_none() {
            bar.set_message(format!("{id}: building the input ({})", self.scale.name()));
            self.prepared = Some(match self.contrast {
                Some(_) => lesson
                    .prepare_contrast(options.seed)
                    .expect("a contrast run is of a lesson with a contrast"),
                None => lesson.prepare(self.scale, options.seed),
            });
        }
        let prepared = self.prepared.take().expect("built");
        // At bank scale the input is built again for every slice, so that
        // only one lesson's input is in memory at a time; below it, the
        // input stays for the lesson's next slice (building some of them
        // costs seconds, processing a portfolio in `Decimal`).
        let keep = options.scale != Scale::Bank;
        if slice == 0 {
            self.elements = prepared.elements();
            self.names = std::iter::once("naive".to_owned())
                .chain(prepared.variant_names().iter().map(|n| n.to_string()))
                .chain(std::iter::once("optimized".to_owned()))
                .collect();
            self.limit_name = prepared.limit_name();
            let main_threads = rayon::current_num_threads();
            self.counts = if lesson.scaling() {
                thread_counts()
            } else {
                Vec::new()
            };
            if !self.counts.contains(&main_threads) {
                self.counts.push(main_threads);
                self.counts.sort_unstable();
            }
        }
        let pools: Vec<rayon::ThreadPool> = self.counts.iter().map(|&t| pool(t)).collect();
        // Before every slice of a lesson about threads (and after its last):
        // a neighbour can arrive in the middle of a run.
        let before = lesson.scaling().then(measure_parallelism);

        let checked = Instant::now();
        for (threads, pool) in self.counts.iter().zip(&pools) {
            bar.set_message(format!(
                "{id}: checking the forms agree at {threads} threads"
            ));
            let checked = pool.install(|| prepared.check());
            if options.scale == Scale::Bank {
                alloc::release_freed_memory();
            }
            if let Err(difference) = checked {
                let at = if lesson.scaling() {
                    format!(" (at {threads} threads)")
                } else {
                    String::new()
                };
                return Err(format!("{difference}{at}"));
            }
        }
        let rotation = checked.elapsed();

        let mut slots = vec![Slot::Form(Form::Naive)];
        slots.extend((0..self.names.len() - 2).map(Slot::Variant));
        slots.push(Slot::Form(Form::Optimized));
        let n_forms = slots.len();
        if self.limit_name.is_some() {
            slots.push(Slot::Form(Form::Limit));
        }
        // A later slice's fixed cost is its check.
        let Some(pairs) = budget.pairs(forced, Duration::ZERO, rotation, rotation) else {
            return Ok(SliceOutcome::TooBig);
        };

        let main = self
            .counts
            .iter()
            .position(|&t| t == rayon::current_num_threads())
            .expect("the main count");
        if slice == 0 {
            bar.set_message(format!("{id}: counting allocations"));
            (self.allocations, self.faults) = pools[main].install(|| {
                slots[..n_forms]
                    .iter()
                    .map(|slot| {
                        let before = minor_faults();
                        let counted = alloc::count(|| run_slot(prepared.as_ref(), *slot)).1;
                        let faults = minor_faults() - before;
                        if options.scale == Scale::Bank {
                            alloc::release_freed_memory();
                        }
                        (counted, faults)
                    })
                    .unzip()
            });
        }

        let cells = pools.len() * slots.len();
        let mut samples = vec![vec![Vec::with_capacity(pairs); slots.len()]; pools.len()];
        for pair_idx in 0..pairs {
            bar.set_message(format!(
                "{id}: slice {}, pair {}/{pairs}",
                slice + 1,
                pair_idx + 1
            ));
            // Rotate the order, so that no form always runs first (or
            // always right after the costly naive one).
            for offset in 0..cells {
                let cell = (pair_idx + offset) % cells;
                let (pool_idx, slot_idx) = (cell / slots.len(), cell % slots.len());
                let slot = slots[slot_idx];
                let ns = pools[pool_idx].install(|| {
                    let start = Instant::now();
                    run_slot(prepared.as_ref(), slot);
                    start.elapsed().as_nanos() as u64
                });
                samples[pool_idx][slot_idx].push(ns);
                if options.scale == Scale::Bank {
                    // Outside the timed run: at bank scale, what one form
                    // freed would otherwise be kept beside the next one's.
                    alloc::release_freed_memory();
                }
            }
        }
        self.samples.push(samples);
        if keep {
            self.prepared = Some(prepared);
        }
        if let Some(before) = before {
            let last = slice + 1 == self.slices;
            let after = last.then(measure_parallelism);
            for p in std::iter::once(before).chain(after) {
                if self.parallelism.is_none_or(|q| p.effective < q.effective) {
                    self.parallelism = Some(p);
                }
            }
        }
        Ok(SliceOutcome::Done)
    }

    /// One slice of a lesson about the allocator: a round of two child
    /// processes, one a form, each under its allocator, the order
    /// alternating from round to round. The first slice also checks the
    /// forms here against the lesson's independent reference (the two
    /// forms are the same code).
    fn slice_in_processes(
        &mut self,
        slice: usize,
        allocators: [super::alloc::Backend; 2],
        budget: Budget,
        forced: Option<usize>,
        options: RunOptions,
        bar: &ProgressBar,
    ) -> Result<SliceOutcome, String> {
        let id = self.lesson.id();
        if slice == 0 {
            bar.set_message(format!("{id}: checking against the reference"));
            let built = Instant::now();
            let prepared = match self.contrast {
                Some(_) => self
                    .lesson
                    .prepare_contrast(options.seed)
                    .expect("a contrast run is of a lesson with a contrast"),
                None => self.lesson.prepare(self.scale, options.seed),
            };
            let build_time = built.elapsed();
            self.elements = prepared.elements();
            self.names = vec!["naive".to_owned(), "optimized".to_owned()];
            self.counts = vec![rayon::current_num_threads()];
            let checked = Instant::now();
            prepared.check()?;
            let runs_in_check = 2 + u32::from(self.lesson.has_reference());
            let one_run = checked.elapsed() / runs_in_check;
            // A child builds the input, digests the output (one run), counts
            // one warm run, then times its runs; two children a slice.
            self.child_cost = Some((build_time, one_run));
            drop(prepared);
        }
        let (build_time, one_run) = self.child_cost.expect("measured in the first slice");
        let fixed = 2 * (build_time + 2 * one_run);
        let per_pair = 2 * one_run;
        let Some(pairs) = budget.pairs(forced, fixed, fixed, per_pair) else {
            return Ok(SliceOutcome::TooBig);
        };
        bar.set_message(format!(
            "{id}: slice {}, {pairs} runs in a {} and a {} process",
            slice + 1,
            allocators[0].name(),
            allocators[1].name()
        ));
        let [naive, optimized] = super::process::time_in_children(
            id,
            allocators,
            self.scale,
            options.seed,
            pairs,
            self.contrast.is_some(),
            slice.is_multiple_of(2),
        )?;
        let expected = self.child_digest.unwrap_or(naive.digest);
        for (child, backend) in [(&naive, allocators[0]), (&optimized, allocators[1])] {
            if child.digest != expected {
                return Err(format!(
                    "the outputs differ between processes: a child under {} made digest {:x}, \
                     the first naive child {expected:x}",
                    backend.name(),
                    child.digest
                ));
            }
        }
        self.child_digest = Some(expected);
        if slice == 0 {
            self.allocations = vec![naive.allocations, optimized.allocations];
            self.faults = vec![naive.minor_faults, optimized.minor_faults];
        }
        let peaks = self.child_peak_rss.get_or_insert([0, 0]);
        peaks[0] = peaks[0].max(naive.peak_rss_bytes);
        peaks[1] = peaks[1].max(optimized.peak_rss_bytes);
        self.samples.push(vec![vec![naive.ns, optimized.ns]]);
        Ok(SliceOutcome::Done)
    }

    /// The lesson's result from all its slices.
    fn finish(mut self) -> LessonResult {
        self.prepared = None;
        let measured = if self.failure.is_none() && !self.samples.is_empty() {
            Some(self.measured())
        } else {
            None
        };
        LessonResult {
            id: self.lesson.id().to_owned(),
            scale: self.scale,
            elements: self.elements,
            failure: self.failure,
            measured,
            instructions: None,
            allocators: self.lesson.allocators(),
            seconds: self.elapsed.as_secs_f64(),
            contrast: self.contrast.map(str::to_owned),
            counters: None,
        }
    }

    fn measured(&self) -> Measured {
        let main_threads = if self.lesson.allocators().is_some() {
            self.counts[0]
        } else {
            rayon::current_num_threads()
        };
        let main = self
            .counts
            .iter()
            .position(|&t| t == main_threads)
            .unwrap_or(0);
        // series(pool, slot): that cell's samples, slice by slice.
        let series = |pool: usize, slot: usize| -> Vec<Vec<u64>> {
            self.samples.iter().map(|s| s[pool][slot].clone()).collect()
        };
        let ratio = |baseline: Vec<Vec<u64>>, form: Vec<Vec<u64>>| {
            Ratio::of_slices(&baseline, &form).expect("at least one pair")
        };
        let median_of = |pool: usize, slot: usize| {
            let all: Vec<u64> = series(pool, slot).into_iter().flatten().collect();
            median_ns(&all)
        };
        let n_forms = self.names.len();
        let forms: Vec<FormResult> = self
            .names
            .iter()
            .enumerate()
            .map(|(idx, name)| FormResult {
                name: name.clone(),
                ns: median_of(main, idx),
                allocations: self.allocations.get(idx).copied().unwrap_or_default(),
                minor_faults: self.faults.get(idx).copied().unwrap_or_default(),
                over_naive: (idx > 0).then(|| ratio(series(main, 0), series(main, idx))),
                over_before: (idx > 0).then(|| ratio(series(main, idx - 1), series(main, idx))),
            })
            .collect();
        let limit = self.limit_name.map(|name| LimitResult {
            name: name.to_owned(),
            ns: median_of(main, n_forms),
            optimized_over_limit: ratio(series(main, n_forms - 1), series(main, n_forms)),
        });
        let scaling = if self.lesson.scaling() {
            let one = self
                .counts
                .iter()
                .position(|&t| t == 1)
                .expect("one thread");
            self.counts
                .iter()
                .enumerate()
                .map(|(pool, &threads)| ScalingPoint {
                    threads,
                    ns: (0..n_forms).map(|slot| median_of(pool, slot)).collect(),
                    over_one_thread: (0..n_forms)
                        .map(|slot| ratio(series(one, slot), series(pool, slot)))
                        .collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Measured {
            pairs: self.samples.iter().map(|s| s[0][0].len()).sum(),
            slices: self.samples.len(),
            threads: main_threads,
            forms,
            limit,
            scaling,
            parallelism: self.parallelism,
            child_peak_rss: self.child_peak_rss,
        }
    }
}

/// How the run's budget is shared among the units of the run (a slice of
/// a lesson, or of its contrast): in each round of slices the headlines
/// run first, and what their slices still to come will take, at the cost
/// of each one's last slice, is set aside; the other units share the rest
/// equally, each unit what is left over the units left.
struct Plan {
    /// Whether each unit's lesson is a headline.
    headline: Vec<bool>,
    /// Slices done of each.
    done: Vec<usize>,
    /// The last slice's cost of each.
    last: Vec<Duration>,
    slices: usize,
}

impl Plan {
    fn new(headline: Vec<bool>, slices: usize) -> Plan {
        let n = headline.len();
        Plan {
            headline,
            done: vec![0; n],
            last: vec![Duration::ZERO; n],
            slices,
        }
    }

    /// The order of one round: the headlines, then the rest, each group in
    /// registry order.
    fn order(&self) -> Vec<usize> {
        let n = self.headline.len();
        let (first, rest): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| self.headline[i]);
        first.into_iter().chain(rest).collect()
    }

    /// Unit `idx`'s share of `left`, for its next slice.
    fn share(&self, idx: usize, left: Duration) -> Duration {
        let to_come = |i: usize| (self.slices - self.done[i]) as u32;
        let units = |headline: bool| -> u32 {
            (0..self.headline.len())
                .filter(|&i| self.headline[i] == headline)
                .map(to_come)
                .sum()
        };
        if self.headline[idx] {
            return left / (units(true) + units(false)).max(1);
        }
        // Set aside: each headline's slices to come at its last slice's
        // cost (in a round, the headlines have run before this unit).
        let reserved: Duration = (0..self.headline.len())
            .filter(|&i| self.headline[i])
            .map(|i| self.last[i] * to_come(i))
            .sum();
        left.saturating_sub(reserved) / units(false).max(1)
    }

    /// Records that unit `idx` ran a slice, which took `cost`.
    fn done(&mut self, idx: usize, cost: Duration) {
        self.done[idx] += 1;
        self.last[idx] = cost;
    }
}

/// A lesson's share of the run's budget, for one slice.
#[derive(Clone, Copy)]
struct Budget {
    /// The slice's share.
    share: Duration,
    /// When the slice began.
    started: Instant,
    /// In a lesson's first slice, when it may still move to a smaller
    /// scale: the lesson's share of the run (all its slices), and how many
    /// slices it has.
    shrink: Option<(Duration, usize)>,
}

impl Budget {
    /// How many pairs of `per_pair` fit in what is left of the share once
    /// `fixed` is paid (a later slice costs `per_slice` before its pairs);
    /// `None` when the lesson's minimum of pairs in every slice does not
    /// fit its share even with some slack, and a smaller scale may be
    /// tried.
    fn pairs(
        &self,
        forced: Option<usize>,
        fixed: Duration,
        per_slice: Duration,
        per_pair: Duration,
    ) -> Option<usize> {
        if let Some(runs) = forced {
            return Some(runs.max(1));
        }
        let minimum = per_pair * MIN_PAIRS_PER_SLICE as u32;
        if let Some((lesson_share, slices)) = self.shrink {
            let whole = self.started.elapsed()
                + fixed
                + minimum
                + (per_slice + minimum) * (slices.saturating_sub(1)) as u32;
            // Some slack: the lessons that need less than their share
            // leave the rest to the others.
            if whole.as_secs_f64() > lesson_share.as_secs_f64() * SHRINK_SLACK {
                return None;
            }
        }
        let left = self
            .share
            .saturating_sub(self.started.elapsed())
            .saturating_sub(fixed);
        let fit = left.as_secs_f64() / per_pair.as_secs_f64().max(1e-9);
        Some((fit as usize).clamp(MIN_PAIRS_PER_SLICE, MAX_PAIRS_PER_SLICE))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_gives_pairs_and_shrinks_what_does_not_fit() {
        let ms = Duration::from_millis;
        let zero = Duration::ZERO;
        let budget = Budget {
            share: Duration::from_secs(1),
            started: Instant::now(),
            shrink: None,
        };
        // About five rotations of 0.2 s fit in a second (less the moment
        // since `started`).
        assert_eq!(budget.pairs(None, zero, zero, ms(200)), Some(4));
        // Capped, and forced.
        assert_eq!(
            budget.pairs(None, zero, zero, ms(1)),
            Some(MAX_PAIRS_PER_SLICE)
        );
        assert_eq!(budget.pairs(Some(2), zero, zero, ms(60_000)), Some(2));
        // A fixed cost comes first: half a second, then 0.1 s a pair.
        assert_eq!(budget.pairs(None, ms(500), zero, ms(100)), Some(4));
        // Never below the minimum where the scale cannot shrink.
        assert_eq!(
            budget.pairs(None, zero, zero, ms(1_000)),
            Some(MIN_PAIRS_PER_SLICE)
        );
        // Six slices of a check and three pairs of 0.1 s: 2.3 s, within
        // a share of 2 s or 0.6 s with the slack of four; not within 0.5 s.
        let first = |lesson_share| Budget {
            shrink: Some((lesson_share, 6)),
            ..budget
        };
        assert_eq!(
            first(ms(2_000)).pairs(None, zero, ms(100), ms(100)),
            Some(MAX_PAIRS_PER_SLICE)
        );
        assert!(first(ms(600)).pairs(None, zero, ms(100), ms(100)).is_some());
        assert_eq!(first(ms(500)).pairs(None, zero, ms(100), ms(100)), None);
    }

    /// A default run of forty lessons, two of them headlines whose slices
    /// cost 3 s and 6 s each (zakat's and murabaha's pipelines at the
    /// default scale take some 2 s and 6 s): the headlines run first in
    /// every round, are never shrunk (the runner gives them no `shrink`),
    /// and the others share what is left after their slices still to come
    /// are set aside, so that the run ends within its budget.
    #[test]
    fn the_plan_serves_the_headlines_first_and_keeps_to_the_budget() {
        let budget = DEFAULT_BUDGET;
        let n = 40;
        let mut headline = vec![false; n];
        headline[17] = true;
        headline[34] = true;
        let mut plan = Plan::new(headline, SLICES);
        let order = plan.order();
        assert_eq!(&order[..2], &[17, 34]);
        assert_eq!(order.len(), n);
        let mut spent = Duration::ZERO;
        let mut smallest_other = Duration::MAX;
        for _ in 0..SLICES {
            for &idx in &order {
                let share = plan.share(idx, budget.saturating_sub(spent));
                // A headline costs what it costs; any other lesson what it
                // is given (it shrinks, or times fewer pairs, to fit).
                let cost = match idx {
                    17 => Duration::from_secs(3),
                    34 => Duration::from_secs(6),
                    _ => {
                        smallest_other = smallest_other.min(share);
                        share
                    }
                };
                spent += cost;
                plan.done(idx, cost);
            }
        }
        assert!(spent <= budget, "{spent:?}");
        // The headlines' 54 s leave the 38 others 56 s: about 245 ms a
        // slice each.
        let each = (budget - Duration::from_secs(54)) / (38 * SLICES as u32);
        assert!(
            smallest_other >= each.mul_f64(0.99),
            "{smallest_other:?} {each:?}"
        );
        assert!(plan.done.iter().all(|&d| d == SLICES));
    }
}
