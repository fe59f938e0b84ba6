//! The results of a run, as `results.json` holds them: the schema that
//! `mizan run` writes and `mizan report`, `mizan compare` and the book
//! read.

use serde::{Deserialize, Serialize};

use super::alloc::AllocationCount;
use super::lesson::Scale;
use super::machine::{Machine, Parallelism};
use super::stats::Ratio;

/// The version of `results.json`'s shape; `mizan compare` and `mizan
/// report` refuse another.
pub const SCHEMA: u32 = 2;

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
    /// For the lesson's contrast (its forms timed again on the input where
    /// the technique stops paying): what that input is.
    #[serde(default)]
    pub contrast: Option<String>,
    /// Its counters under callgrind (`mizan counters`), joined to the
    /// timings when the book's pages are written; not part of a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<super::counters::LessonCounts>,
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
    /// Minor page faults of the same run (every thread's): pages the
    /// kernel mapped, freshly zeroed, on first touch.
    #[serde(default)]
    pub minor_faults: u64,
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
    /// Paired runs (rotations) behind every median, over all slices.
    pub pairs: usize,
    /// The slices they were made in.
    pub slices: usize,
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
