//! Correct: the attempt's output against the lesson's naive form's, as
//! they print, on the lesson's inputs and on random ones out to the edges;
//! a panic caught, even in a thread the attempt waits on.

use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::Serialize;

use crate::lab::diff::{Difference, first_difference};
use crate::lab::lesson::{Input, LessonDef, Output, Scale};

/// Which inputs the correctness check tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Inputs built by the lesson's own generator at the tiny scale, one a
    /// seed.
    pub seeds: u64,
    /// Whether the lesson's default-scale input (the one it is timed on)
    /// is tried too.
    pub default_scale: bool,
    /// Random inputs from the lesson's property-test generator.
    pub cases: u32,
}

/// What `cargo exercise check` tries: four seeds, the timed input, 64
/// random inputs.
pub const FULL: Plan = Plan {
    seeds: 4,
    default_scale: true,
    cases: 64,
};

/// Whether an attempt gave the expected output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Correctness {
    /// The same output on every input tried.
    Correct {
        /// Inputs of the lesson's generator tried.
        inputs: usize,
        /// Random inputs from its property-test generator tried.
        cases: u32,
    },
    /// A different output.
    Wrong {
        /// Which input: `the tiny scale, seed 3`, `random input (shrunk)`.
        input: String,
        /// Where the outputs differ.
        difference: Difference,
        /// The seed to give `check --seed` to see it again.
        seed: u64,
        /// The input itself, as the lesson saves it (JSON), for the
        /// checker to write out and `check --replay` to read back.
        #[serde(skip)]
        saved: Option<String>,
    },
    /// Different outputs from run to run on the same input: a race
    /// between threads (or anything else the output depends on besides
    /// the input).
    Race {
        /// Which input.
        input: String,
        /// Runs made of it, and how many distinct outputs they gave.
        runs: usize,
        /// Distinct outputs among them.
        outputs: usize,
        /// The thread counts tried.
        threads: Vec<usize>,
        /// The seed to give `check --seed` to see it again.
        seed: u64,
        /// The input itself, as for [`Correctness::Wrong`].
        #[serde(skip)]
        saved: Option<String>,
    },
    /// The attempt panicked.
    Panicked {
        /// Which input.
        input: String,
        /// The panic's message and place.
        message: String,
        /// The seed to give `check --seed` to see it again.
        seed: u64,
        /// The input itself, as for [`Correctness::Wrong`].
        #[serde(skip)]
        saved: Option<String>,
    },
}

impl Correctness {
    /// Whether the attempt was correct.
    pub fn is_correct(&self) -> bool {
        matches!(self, Correctness::Correct { .. })
    }

    /// The failing input as JSON, where there is one to save.
    pub fn saved(&self) -> Option<&str> {
        match self {
            Correctness::Wrong { saved, .. }
            | Correctness::Panicked { saved, .. }
            | Correctness::Race { saved, .. } => saved.as_deref(),
            Correctness::Correct { .. } => None,
        }
    }
}

/// Runs of an attempt at each thread count on each of the lesson's small
/// inputs, for a lesson about threads: a race shows as outputs that differ
/// from run to run on the same input.
pub const RACE_RUNS: usize = 8;

/// Shrinking steps a failing random input is given before the checker
/// stops looking for a smaller one (proptest's own limit prints a line of
/// its own to the learner's terminal; this one is quiet).
const SHRINK_STEPS: u32 = 2_048;

/// What an attempt gives on one input: its output, or its panic.
pub(super) enum Outcome<O> {
    Output(O),
    Panic(String),
}

/// The last panic's message and place, kept by [`run_caught`]'s hook.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// How many [`run_caught`] calls are running (tests run several at once).
static CATCHING: AtomicUsize = AtomicUsize::new(0);

/// Runs `f`, catching a panic (in it or in any thread it waits on) and
/// keeping its message and place instead of printing them.
pub(super) fn run_caught<O>(f: impl FnOnce() -> O) -> Outcome<O> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // One hook for the process: while a call is catching, a panic's
        // message is kept, not printed; otherwise the usual hook prints it.
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.load(Ordering::SeqCst) > 0 {
                *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(info.to_string());
            } else {
                previous(info);
            }
        }));
    });
    CATCHING.fetch_add(1, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.fetch_sub(1, Ordering::SeqCst);
    match result {
        Ok(output) => Outcome::Output(output),
        Err(payload) => {
            let caught = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
            Outcome::Panic(caught.unwrap_or_else(|| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned())
            }))
        }
    }
}

/// Compares `attempt` with the lesson's naive form: on the lesson's own
/// inputs at `plan.seeds` seeds from `seed` (tiny scale), at `seed`
/// (default scale), and on `plan.cases` random inputs of its property-test
/// generator (seeded by `seed`), stopping at the first difference or panic.
pub fn check_correct<I, O>(
    lesson: &LessonDef<I, O>,
    attempt: fn(&I) -> O,
    seed: u64,
    plan: Plan,
) -> Correctness
where
    I: Input,
    O: Output,
{
    /// How an attempt failed on one input.
    enum Failure {
        Differs(Difference),
        Panicked(String),
    }
    let compare = |input: &I| -> Result<(), Failure> {
        let prepared = lesson.prepare.naive.map(|prepare| prepare(input));
        let expected = (lesson.naive)(prepared.as_ref().unwrap_or(input));
        // The attempt is the optimized form's rewrite: it runs on the input
        // as the optimized form's preparation leaves it.
        let for_attempt = lesson.prepare.optimized.map(|prepare| prepare(input));
        let input = for_attempt.as_ref().unwrap_or(input);
        match run_caught(|| attempt(input)) {
            Outcome::Output(got) => {
                first_difference(&expected, &got).map_or(Ok(()), |d| Err(Failure::Differs(d)))
            }
            Outcome::Panic(message) => Err(Failure::Panicked(message)),
        }
    };
    let failed = |input: String, seed: u64, failure: Failure, failing: &I| {
        let saved = serde_json::to_string_pretty(failing).ok();
        match failure {
            Failure::Differs(difference) => Correctness::Wrong {
                input,
                difference,
                seed,
                saved,
            },
            Failure::Panicked(message) => Correctness::Panicked {
                input,
                message,
                seed,
                saved,
            },
        }
    };
    let mut inputs = 0;
    let built = (0..plan.seeds)
        .map(|i| (Scale::Tiny, seed + i))
        .chain(plan.default_scale.then_some((Scale::Default, seed)));
    let counts = crate::lab::measure::thread_counts();
    for (scale, seed) in built {
        let input = (lesson.build)(scale, seed);
        // A lesson about threads: a small input run again and again at
        // every thread count, the outputs compared with each other before
        // any with the naive form's (a race shows as a wrong answer on
        // one run and a right one on the next).
        if lesson.scaling
            && scale == Scale::Tiny
            && let Some((runs, outputs)) = race(attempt, &input, &counts)
        {
            return Correctness::Race {
                input: format!("the lesson's input at the tiny scale, seed {seed}"),
                runs,
                outputs,
                threads: counts,
                seed,
                saved: serde_json::to_string_pretty(&input).ok(),
            };
        }
        if let Err(e) = compare(&input) {
            return failed(
                format!(
                    "the lesson's input at the {} scale, seed {seed}",
                    scale.name()
                ),
                seed,
                e,
                &input,
            );
        }
        inputs += 1;
    }
    let arbitrary = lesson.arbitrary;
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: plan.cases,
            failure_persistence: None,
            // The checker's own limit, below, ends the shrinking (proptest
            // reads u32::MAX as "four times the cases", and prints a line
            // of its own when it reaches that).
            max_shrink_iters: u32::MAX - 1,
            max_shrink_time: 0,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    );
    // After the first failure, every call is a shrinking step: past the
    // limit each candidate is let pass, which ends the shrinking at the
    // smallest failure found so far.
    let (failures, steps) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let result = runner.run(&arbitrary(), |input| {
        if failures.load(Ordering::Relaxed) > 0
            && steps.fetch_add(1, Ordering::Relaxed) >= SHRINK_STEPS as usize
        {
            return Ok(());
        }
        compare(&input).map_err(|_| {
            failures.fetch_add(1, Ordering::Relaxed);
            TestCaseError::fail("the outputs differ")
        })
    });
    match result {
        Ok(()) => Correctness::Correct {
            inputs,
            cases: plan.cases,
        },
        Err(TestError::Fail(_, input)) => {
            let input_text = format!(
                "a random input (made smallest that still fails: {})",
                summary(&input)
            );
            match compare(&input) {
                Err(failure) => failed(input_text, seed, failure, &input),
                // It failed under proptest and not when run again: an
                // attempt whose output depends on more than its input.
                Ok(()) => Correctness::Race {
                    input: input_text,
                    runs: 2,
                    outputs: 2,
                    threads: vec![rayon::current_num_threads()],
                    seed,
                    saved: serde_json::to_string_pretty(&input).ok(),
                },
            }
        }
        Err(TestError::Abort(reason)) => Correctness::Panicked {
            input: "random inputs".to_owned(),
            message: format!("the generator gave up: {reason}"),
            seed,
            saved: None,
        },
    }
}

/// Runs `attempt` on `input` [`RACE_RUNS`] times at each thread count of
/// `counts`: `Some((runs, distinct outputs))` where the outputs differ.
fn race<I: Input, O: Output>(
    attempt: fn(&I) -> O,
    input: &I,
    counts: &[usize],
) -> Option<(usize, usize)> {
    let mut digests = std::collections::BTreeSet::new();
    let mut runs = 0;
    for &threads in counts {
        let pool = crate::lab::measure::pool(threads);
        for _ in 0..RACE_RUNS {
            let run = || pool.install(|| crate::lab::printed::digest_of(&attempt(input)));
            if let Outcome::Output(digest) = run_caught(run) {
                digests.insert(digest);
                runs += 1;
            }
        }
    }
    (digests.len() > 1).then_some((runs, digests.len()))
}

/// Runs `attempt` on one saved input (`saved`, as [`Correctness::saved`]
/// gives it) against the lesson's naive form: `cargo exercise check
/// --replay`.
pub fn replay<I, O>(
    lesson: &LessonDef<I, O>,
    attempt: fn(&I) -> O,
    saved: &str,
) -> Result<Correctness, String>
where
    I: Input,
    O: Output,
{
    let input: I = serde_json::from_str(saved)
        .map_err(|e| format!("the saved input does not read back as this lesson's: {e}"))?;
    let prepared = lesson.prepare.naive.map(|prepare| prepare(&input));
    let expected = (lesson.naive)(prepared.as_ref().unwrap_or(&input));
    let input = match lesson.prepare.optimized {
        Some(prepare) => prepare(&input),
        None => input,
    };
    let what = "the saved failing input".to_owned();
    if lesson.scaling {
        let counts = crate::lab::measure::thread_counts();
        if let Some((runs, outputs)) = race(attempt, &input, &counts) {
            return Ok(Correctness::Race {
                input: what,
                runs,
                outputs,
                threads: counts,
                seed: 0,
                saved: Some(saved.to_owned()),
            });
        }
    }
    Ok(match run_caught(|| attempt(&input)) {
        Outcome::Output(got) => match first_difference(&expected, &got) {
            None => Correctness::Correct {
                inputs: 1,
                cases: 0,
            },
            Some(difference) => Correctness::Wrong {
                input: what,
                difference,
                seed: 0,
                saved: Some(saved.to_owned()),
            },
        },
        Outcome::Panic(message) => Correctness::Panicked {
            input: what,
            message,
            seed: 0,
            saved: Some(saved.to_owned()),
        },
    })
}

/// A random input in a line: its `Debug`, cut.
fn summary<I: Debug>(input: &I) -> String {
    let text = format!("{input:?}");
    const MAX: usize = 300;
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} characters in all)", &text[..end], text.len())
}
