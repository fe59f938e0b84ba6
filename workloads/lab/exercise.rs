//! Exercises: every lesson as a starting point the learner rewrites, and
//! the checker that grades the attempt the way the lab grades its own
//! forms.
//!
//! An exercise is the lesson's naive form, with its signature fixed, in a
//! file of its own in the `exercises/` crate. [`check`] then asks three
//! things of the attempt:
//!
//! - **correct**: the same output as the lesson's naive form (which the
//!   lab's tests hold equal to the optimized form and the reference) on the
//!   lesson's inputs at several seeds, and on its property-test generator's
//!   random inputs out to the edges; a difference is shown record by
//!   record and field by field ([`super::diff`]), a panic is caught and
//!   reported, and the seed that reproduces either is printed;
//! - **clean**: nothing in the lab's tree changed but the attempt (git), so
//!   that a change to the reference, the generators or the timer cannot
//!   pass;
//! - **fast**: naive, the attempt and the lab's optimized form timed by the
//!   lab's own runner, in alternation, with each ratio's interval and the
//!   allocation counts; the target is a share of the expert's speedup.
//!
//! The checker's logic is here, in the library, so that its tests can hand
//! it attempts as function pointers and timings as numbers.

use std::fmt::{Debug, Write as _};

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::{Deserialize, Serialize};

use super::diff::{Difference, first_difference};
use super::lesson::{Input, Lesson, LessonDef, Output, Practice, Scale, Variant};
use super::results::Report;
use super::runner::{self, RunOptions};
use super::stats::{Ratio, Verdict};

/// The share of the expert's speedup an attempt must reach, on a log
/// scale: with 0.5, an expert's 4× asks for 2×, its 9× for 3×.
pub const TARGET_SHARE: f64 = 0.5;

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

/// An exercise: a lesson, the attempt at its optimized form, and the
/// starting point the attempt was made from.
pub struct ExerciseDef<I: 'static, O: 'static> {
    /// The lesson.
    pub lesson: &'static LessonDef<I, O>,
    /// The learner's attempt.
    pub attempt: fn(&I) -> O,
    /// The starting point: the lesson's naive form, as handed out.
    pub start: fn(&I) -> O,
    /// The attempt's file name under `exercises/attempts/`:
    /// `zakat_pooling.rs`.
    pub file: &'static str,
    /// The starting point's text, generated from the lesson.
    pub start_text: &'static str,
}

/// Which function of an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The learner's attempt.
    Attempt,
    /// The starting point as handed out.
    Start,
}

/// An exercise as the checker sees it.
pub trait Exercise: Sync {
    /// The lesson's id, `zakat/pooling`.
    fn id(&self) -> &'static str;
    /// The attempt's file name under `exercises/attempts/`.
    fn file(&self) -> &'static str;
    /// The starting point's text.
    fn start_text(&self) -> &'static str;
    /// Where to look first.
    fn hint(&self) -> &'static str;
    /// The attempt (or the starting point) against the expected output.
    fn correctness(&self, which: Which, seed: u64, plan: Plan) -> Correctness;
    /// The attempt (or the starting point) timed against the naive and the
    /// optimized forms by the lab's runner.
    fn speed(&self, which: Which, options: RunOptions) -> Result<Speed, String>;
    /// Builds the lesson's input and runs one function on it once:
    /// `naive`, `attempt`, `start`, `optimized`, or none (`input-only`),
    /// for callgrind.
    fn run_one(&self, function: &str, scale: Scale, seed: u64) -> Result<(), String>;
}

impl<I, O> Exercise for ExerciseDef<I, O>
where
    I: Input,
    O: Output,
{
    fn id(&self) -> &'static str {
        self.lesson.id
    }

    fn file(&self) -> &'static str {
        self.file
    }

    fn start_text(&self) -> &'static str {
        self.start_text
    }

    fn hint(&self) -> &'static str {
        match &self.lesson.practice {
            Practice::Rewrite(exercise) => exercise.hint,
            _ => "",
        }
    }

    fn correctness(&self, which: Which, seed: u64, plan: Plan) -> Correctness {
        check_correct(self.lesson, self.function(which), seed, plan)
    }

    fn run_one(&self, function: &str, scale: Scale, seed: u64) -> Result<(), String> {
        let input = (self.lesson.build)(scale, seed);
        if let Some(f) = self.named(function)? {
            drop(std::hint::black_box(f(std::hint::black_box(&input))));
        }
        Ok(())
    }

    fn speed(&self, which: Which, options: RunOptions) -> Result<Speed, String> {
        let lesson = timed_lesson(self.lesson, self.function(which));
        let report = runner::run(&[lesson], options);
        let mut speed = Speed::of(&report, self.lesson.scaling)?;
        // The runner measured the cores before the run; a lesson about
        // threads needs them after it too.
        if self.lesson.scaling {
            speed.reliable &= super::machine::measure_parallelism().is_reliable();
        }
        Ok(speed)
    }
}

/// One of an exercise's functions, or none (the input alone).
type Function<I, O> = Option<fn(&I) -> O>;

impl<I, O> ExerciseDef<I, O> {
    fn named(&self, function: &str) -> Result<Function<I, O>, String> {
        Ok(match function {
            "input-only" => None,
            "naive" => Some(self.lesson.naive),
            "optimized" => Some(self.lesson.optimized),
            ATTEMPT => Some(self.attempt),
            "start" => Some(self.start),
            other => return Err(format!("no function {other:?}")),
        })
    }

    fn function(&self, which: Which) -> fn(&I) -> O {
        match which {
            Which::Attempt => self.attempt,
            Which::Start => self.start,
        }
    }
}

/// The lesson with the attempt as a further form between its naive and
/// optimized forms, for the runner; at the machine's thread count only.
fn timed_lesson<I, O>(lesson: &'static LessonDef<I, O>, attempt: fn(&I) -> O) -> &'static dyn Lesson
where
    I: Input,
    O: Output,
{
    // One per check, for the life of the process.
    let variants: &'static [Variant<I, O>] = Box::leak(Box::new([Variant::new(ATTEMPT, attempt)]));
    Box::leak(Box::new(LessonDef {
        id: lesson.id,
        why: lesson.why,
        build: lesson.build,
        elements: lesson.elements,
        naive: lesson.naive,
        optimized: lesson.optimized,
        prepare: lesson.prepare,
        limit: None,
        reference: None,
        arbitrary: lesson.arbitrary,
        invariant: None,
        allocators: lesson.allocators,
        variants,
        scaling: false,
        contrast: None,
        practice: Practice::Contrast,
    }))
}

/// The attempt's name among the timed forms.
pub const ATTEMPT: &str = "attempt";

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
    },
    /// The attempt panicked.
    Panicked {
        /// Which input.
        input: String,
        /// The panic's message and place.
        message: String,
        /// The seed to give `check --seed` to see it again.
        seed: u64,
    },
}

impl Correctness {
    /// Whether the attempt was correct.
    pub fn is_correct(&self) -> bool {
        matches!(self, Correctness::Correct { .. })
    }
}

/// What an attempt gives on one input: its output, or its panic.
enum Outcome<O> {
    Output(O),
    Panic(String),
}

/// The last panic's message and place, kept by [`run_caught`]'s hook.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// How many [`run_caught`] calls are running (tests run several at once).
static CATCHING: AtomicUsize = AtomicUsize::new(0);

/// Runs `f`, catching a panic (in it or in any thread it waits on) and
/// keeping its message and place instead of printing them.
fn run_caught<O>(f: impl FnOnce() -> O) -> Outcome<O> {
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
        match run_caught(|| attempt(input)) {
            Outcome::Output(got) => {
                first_difference(&expected, &got).map_or(Ok(()), |d| Err(Failure::Differs(d)))
            }
            Outcome::Panic(message) => Err(Failure::Panicked(message)),
        }
    };
    let failed = |input: String, seed: u64, failure: Failure| match failure {
        Failure::Differs(difference) => Correctness::Wrong {
            input,
            difference,
            seed,
        },
        Failure::Panicked(message) => Correctness::Panicked {
            input,
            message,
            seed,
        },
    };
    let mut inputs = 0;
    let built = (0..plan.seeds)
        .map(|i| (Scale::Tiny, seed + i))
        .chain(plan.default_scale.then_some((Scale::Default, seed)));
    for (scale, seed) in built {
        let input = (lesson.build)(scale, seed);
        if let Err(e) = compare(&input) {
            return failed(
                format!(
                    "the lesson's input at the {} scale, seed {seed}",
                    scale.name()
                ),
                seed,
                e,
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
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    );
    let result = runner.run(&arbitrary(), |input| {
        compare(&input).map_err(|_| TestCaseError::fail("the outputs differ"))
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
                Err(failure) => failed(input_text, seed, failure),
                // It failed under proptest and not when run again: an
                // attempt whose output depends on more than its input.
                Ok(()) => Correctness::Panicked {
                    input: input_text,
                    message: "the output differed once and not when run again: it depends on \
                              more than the input (a race between threads?)"
                        .to_owned(),
                    seed,
                },
            }
        }
        Err(TestError::Abort(reason)) => Correctness::Panicked {
            input: "random inputs".to_owned(),
            message: format!("the generator gave up: {reason}"),
            seed,
        },
    }
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

/// How the attempt timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    /// The scale the runner timed at.
    pub scale: Scale,
    /// Records a run.
    pub elements: u64,
    /// Median nanoseconds a run of naive, attempt, optimized.
    pub ns: [u64; 3],
    /// Allocations a run of naive, attempt, optimized.
    pub allocations: [u64; 3],
    /// Naive over the attempt.
    pub attempt: Ratio,
    /// Naive over the lab's optimized form.
    pub expert: Ratio,
    /// Whether the machine gave the run its cores, for a lesson about
    /// threads (see [`super::machine::Parallelism`]); always, for another.
    pub reliable: bool,
}

impl Speed {
    /// The attempt's figures from a run of [`timed_lesson`]; `threaded`:
    /// whether the lesson is about threads, whose times need both cores.
    pub fn of(report: &Report, threaded: bool) -> Result<Speed, String> {
        let result = report.results.first().ok_or("the run timed nothing")?;
        if let Some(failure) = &result.failure {
            return Err(failure.clone());
        }
        let m = result.measured.as_ref().ok_or("the run measured nothing")?;
        let [naive, attempt, optimized] = m.forms.as_slice() else {
            return Err(format!("the run timed {} forms, not three", m.forms.len()));
        };
        Ok(Speed {
            scale: result.scale,
            elements: result.elements,
            ns: [naive.ns, attempt.ns, optimized.ns],
            allocations: [
                naive.allocations.count,
                attempt.allocations.count,
                optimized.allocations.count,
            ],
            attempt: attempt.over_naive.ok_or("the attempt has no ratio")?,
            expert: optimized
                .over_naive
                .ok_or("the optimized form has no ratio")?,
            reliable: !threaded || report.machine.parallelism.is_none_or(|p| p.is_reliable()),
        })
    }
}

/// Whether the attempt is fast enough.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SpeedVerdict {
    /// Measurably faster than naive, by at least the target.
    Met {
        /// The speedup asked for.
        target: f64,
    },
    /// Not measurably faster, or not by the target.
    NotYet {
        /// The speedup asked for.
        target: f64,
    },
    /// The lab's own optimized form is not measurably faster here: there
    /// is no speedup to ask for, and a correct attempt passes.
    NoTarget,
    /// Another process held a core: the times say nothing; run again.
    Unreliable,
}

impl SpeedVerdict {
    /// Whether it lets the exercise pass.
    pub fn passes(self) -> bool {
        matches!(self, SpeedVerdict::Met { .. } | SpeedVerdict::NoTarget)
    }
}

/// The verdict on an attempt's speed: its speedup over naive against
/// `share` of the expert's, on a log scale (`expert^share`), its interval
/// above 1.
pub fn speed_verdict(attempt: &Ratio, expert: &Ratio, share: f64, reliable: bool) -> SpeedVerdict {
    if !reliable {
        return SpeedVerdict::Unreliable;
    }
    if expert.verdict() != Verdict::Faster {
        return SpeedVerdict::NoTarget;
    }
    let target = expert.median.powf(share);
    if attempt.verdict() == Verdict::Faster && attempt.median >= target {
        SpeedVerdict::Met { target }
    } else {
        SpeedVerdict::NotYet { target }
    }
}

/// Whether the tree holds only the attempt's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Clean {
    /// Nothing changed but the attempts.
    Clean,
    /// These paths changed (uncommitted, or committed since the upstream
    /// branch).
    Changed {
        /// The changed paths, from the checkout's root.
        paths: Vec<String>,
    },
    /// Git could not say (not a checkout, no git).
    Unknown {
        /// Why.
        reason: String,
    },
}

/// Paths git reports as changed in `root`'s checkout: uncommitted changes
/// and untracked files (the attempts are ignored), and the files changed by
/// commits not on the upstream branch, if there is one.
pub fn cleanliness(root: &Path) -> Clean {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let status = match git(&["status", "--porcelain", "--untracked-files=all"]) {
        Ok(status) => status,
        Err(reason) => return Clean::Unknown { reason },
    };
    let mut paths: Vec<String> = status
        .lines()
        .filter_map(|line| line.get(3..))
        .map(str::to_owned)
        .collect();
    if let Ok(committed) = git(&["diff", "--name-only", "@{upstream}...HEAD"]) {
        paths.extend(committed.lines().map(str::to_owned));
    }
    changed(paths)
}

/// The verdict on a list of changed paths: the build's own outputs and the
/// checker's records do not count.
pub fn changed(mut paths: Vec<String>) -> Clean {
    paths.retain(|p| !p.starts_with("target/") && !p.starts_with("exercises/attempts/"));
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        Clean::Clean
    } else {
        Clean::Changed { paths }
    }
}

/// A whole check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The exercise.
    pub exercise: String,
    /// Correct?
    pub correct: Correctness,
    /// Clean?
    pub clean: Clean,
    /// Timed, when correct.
    pub speed: Option<Speed>,
    /// Fast enough, when timed.
    pub fast: Option<SpeedVerdict>,
    /// Why it was not timed, or the runner's refusal.
    pub speed_error: Option<String>,
    /// Instructions under callgrind, when asked for (`--instructions`).
    pub instructions: Option<InstructionCounts>,
    /// The one-line verdict: `passed`, `correct, not yet faster`, …
    pub verdict: String,
    /// Whether the exercise passed.
    pub passed: bool,
}

/// The one-line verdict of a check's parts.
pub fn overall(correct: &Correctness, clean: &Clean, fast: Option<SpeedVerdict>) -> (String, bool) {
    let text = match (correct, fast) {
        (Correctness::Panicked { .. }, _) => "not correct: the attempt panicked",
        (Correctness::Wrong { .. }, _) => "not correct",
        (_, None) => "correct, not timed",
        (_, Some(SpeedVerdict::Unreliable)) => "correct; the timing was unreliable: run again",
        (_, Some(SpeedVerdict::NotYet { .. })) => "correct, not yet faster",
        (_, Some(SpeedVerdict::Met { .. })) => "correct and fast",
        (_, Some(SpeedVerdict::NoTarget)) => "correct (this lesson sets no speed target)",
    };
    let passed =
        correct.is_correct() && *clean == Clean::Clean && fast.is_some_and(SpeedVerdict::passes);
    let text = match clean {
        Clean::Clean if passed => "passed".to_owned(),
        Clean::Clean => text.to_owned(),
        Clean::Changed { .. } => format!("{text}; not clean: files outside the attempt changed"),
        Clean::Unknown { .. } => format!("{text}; cleanliness unknown (not a git checkout?)"),
    };
    (text, passed)
}

/// Checks an exercise: correct, then (when correct and `options` say how)
/// fast; `clean` is [`cleanliness`]'s verdict on the checkout.
pub fn check(
    exercise: &dyn Exercise,
    which: Which,
    seed: u64,
    options: Option<RunOptions>,
    clean: Clean,
) -> Check {
    let correct = exercise.correctness(which, seed, FULL);
    let (speed, speed_error) = match (&correct, options) {
        // The runner checks the forms again on the input it times (at a
        // smaller scale, if the budget asks for one): a difference or a
        // panic there is reported, not a crash.
        (Correctness::Correct { .. }, Some(options)) => {
            match run_caught(|| exercise.speed(which, options)) {
                Outcome::Output(Ok(speed)) => (Some(speed), None),
                Outcome::Output(Err(e)) => (None, Some(e)),
                Outcome::Panic(message) => (None, Some(format!("the attempt panicked: {message}"))),
            }
        }
        (Correctness::Correct { .. }, None) => (None, Some("not asked for".to_owned())),
        _ => (
            None,
            Some("not timed: the attempt is not correct".to_owned()),
        ),
    };
    let fast = speed
        .as_ref()
        .map(|s| speed_verdict(&s.attempt, &s.expert, TARGET_SHARE, s.reliable));
    let (mut verdict, passed) = overall(&correct, &clean, fast);
    if options.is_some()
        && let (None, Some(error)) = (&speed, &speed_error)
        && correct.is_correct()
    {
        verdict = format!("not passed: the timing run failed: {error}");
    }
    Check {
        exercise: exercise.id().to_owned(),
        correct,
        clean,
        speed,
        fast,
        speed_error,
        instructions: None,
        verdict,
        passed,
    }
}

/// The check as a terminal shows it.
pub fn render(v: &Check, file: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "exercise {} ({file})", v.exercise);
    match &v.correct {
        Correctness::Correct { inputs, cases } => {
            let _ = writeln!(
                out,
                "  correct: yes, the naive form's output on {inputs} of the lesson's inputs and {cases} random ones"
            );
        }
        Correctness::Wrong {
            input,
            difference,
            seed,
        } => {
            let _ = writeln!(out, "  correct: no, on {input}");
            for line in difference.to_string().lines() {
                let _ = writeln!(out, "    {line}");
            }
            let _ = writeln!(
                out,
                "    (again: `cargo exercise check {} --seed {seed}`)",
                v.exercise
            );
        }
        Correctness::Panicked {
            input,
            message,
            seed,
        } => {
            let _ = writeln!(out, "  correct: no, the attempt panicked on {input}");
            for line in message.lines() {
                let _ = writeln!(out, "    {line}");
            }
            let _ = writeln!(
                out,
                "    (again: `cargo exercise check {} --seed {seed}`)",
                v.exercise
            );
        }
    }
    match &v.clean {
        Clean::Clean => {
            let _ = writeln!(out, "  clean: yes, nothing changed but the attempts");
        }
        Clean::Changed { paths } => {
            const SHOWN: usize = 8;
            let more = paths.len().saturating_sub(SHOWN);
            let _ = writeln!(
                out,
                "  clean: no, changed outside the attempt (undo with `git restore`): {}{}",
                paths[..paths.len().min(SHOWN)].join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        Clean::Unknown { reason } => {
            let _ = writeln!(out, "  clean: cannot tell: {reason}");
        }
    }
    match (&v.speed, v.fast) {
        (Some(s), Some(fast)) => {
            let _ = writeln!(
                out,
                "  fast: {} records ({} scale), medians of paired runs in alternation:",
                super::measure::format_count(s.elements),
                s.scale.name()
            );
            for (idx, name) in ["naive", ATTEMPT, "optimized"].iter().enumerate() {
                let ratio = match idx {
                    1 => s.attempt.to_string(),
                    2 => s.expert.to_string(),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "    {name:<10} {:>10}  {:>9} allocation{}  {ratio}",
                    super::measure::format_ns(s.ns[idx]),
                    super::measure::format_count(s.allocations[idx]),
                    if s.allocations[idx] == 1 { " " } else { "s" }
                );
            }
            let _ = match fast {
                SpeedVerdict::Met { target } => writeln!(
                    out,
                    "    target {}× (half the expert's speedup, on a log scale): met",
                    super::stats::number(target)
                ),
                SpeedVerdict::NotYet { target } => writeln!(
                    out,
                    "    target {}× (half the expert's speedup, on a log scale): not yet",
                    super::stats::number(target)
                ),
                SpeedVerdict::NoTarget => writeln!(
                    out,
                    "    no target: the lab's own optimized form is not measurably faster here"
                ),
                SpeedVerdict::Unreliable => writeln!(
                    out,
                    "    unreliable: another process held a core during the run; run again"
                ),
            };
        }
        _ => {
            let _ = writeln!(
                out,
                "  fast: {}",
                v.speed_error.as_deref().unwrap_or("not timed")
            );
        }
    }
    if let Some(i) = v.instructions {
        let ratio = |n: u64| super::stats::number(i.naive as f64 / n.max(1) as f64);
        let _ = writeln!(
            out,
            "  instructions (callgrind, one run, tiny scale): naive {}, attempt {} ({}× fewer), \
             optimized {} ({}× fewer)",
            super::measure::format_count(i.naive),
            super::measure::format_count(i.attempt),
            ratio(i.attempt),
            super::measure::format_count(i.optimized),
            ratio(i.optimized)
        );
    }
    let _ = write!(out, "verdict: {}", v.verdict);
    out
}

/// Instructions executed, under callgrind, by one run of each function on
/// the tiny-scale input, less the input's building: the same on every run
/// of the same build, whatever the machine's load, so a grade a teacher
/// can compare across a class's machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InstructionCounts {
    /// The naive form's.
    pub naive: u64,
    /// The attempt's.
    pub attempt: u64,
    /// The lab's optimized form's.
    pub optimized: u64,
}

/// Counts [`InstructionCounts`] for `exercise`, running this program's
/// hidden `run-one` command under valgrind's callgrind.
pub fn instruction_counts(
    exercise: &dyn Exercise,
    which: Which,
    seed: u64,
) -> Result<InstructionCounts, String> {
    let count = |function: &str| {
        let request = super::child::Request::RunOne {
            id: exercise.id().to_owned(),
            function: function.to_owned(),
            seed,
        };
        super::instructions::callgrind_total(&request, super::alloc::Backend::System).map_err(|e| {
            format!(
                "callgrind run of {} ({function}) failed: {e}",
                exercise.id()
            )
        })
    };
    let baseline = count("input-only")?;
    let attempt = match which {
        Which::Attempt => ATTEMPT,
        Which::Start => "start",
    };
    Ok(InstructionCounts {
        naive: count("naive")?.saturating_sub(baseline),
        attempt: count(attempt)?.saturating_sub(baseline),
        optimized: count("optimized")?.saturating_sub(baseline),
    })
}

/// The budget of a check's timing, by default.
pub const BUDGET: Duration = Duration::from_secs(20);

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(median: f64, low: f64, high: f64) -> Ratio {
        Ratio {
            median,
            low,
            high,
            pairs: 30,
            slices: 6,
            coverage: 0.95,
        }
    }

    #[test]
    fn the_target_is_a_share_of_the_experts_speedup() {
        let expert = ratio(4.0, 3.8, 4.2);
        assert_eq!(
            speed_verdict(&ratio(2.1, 2.0, 2.2), &expert, 0.5, true),
            SpeedVerdict::Met { target: 2.0 }
        );
        assert_eq!(
            speed_verdict(&ratio(1.9, 1.8, 2.0), &expert, 0.5, true),
            SpeedVerdict::NotYet { target: 2.0 }
        );
        // Above the target by its median, but the interval holds 1.
        assert_eq!(
            speed_verdict(&ratio(2.5, 0.9, 3.0), &expert, 0.5, true),
            SpeedVerdict::NotYet { target: 2.0 }
        );
        // The starting point: naive against naive.
        assert_eq!(
            speed_verdict(&ratio(1.0, 0.97, 1.03), &expert, 0.5, true),
            SpeedVerdict::NotYet { target: 2.0 }
        );
        // The expert is no faster: nothing to ask.
        assert_eq!(
            speed_verdict(&ratio(1.0, 0.97, 1.03), &ratio(1.02, 0.95, 1.1), 0.5, true),
            SpeedVerdict::NoTarget
        );
        assert_eq!(
            speed_verdict(&ratio(9.0, 8.0, 10.0), &expert, 0.5, false),
            SpeedVerdict::Unreliable
        );
    }

    #[test]
    fn only_the_attempts_may_change() {
        assert_eq!(changed(vec![]), Clean::Clean);
        assert_eq!(
            changed(vec![
                "exercises/attempts/zakat_pooling.rs".into(),
                "target/x".into()
            ]),
            Clean::Clean
        );
        assert_eq!(
            changed(vec![
                "workloads/lessons/zakat/pooling.rs".into(),
                "exercises/attempts/zakat_pooling.rs".into(),
                "workloads/lessons/zakat/pooling.rs".into(),
            ]),
            Clean::Changed {
                paths: vec!["workloads/lessons/zakat/pooling.rs".into()]
            }
        );
    }

    #[test]
    fn a_pass_needs_all_three() {
        let correct = Correctness::Correct {
            inputs: 5,
            cases: 64,
        };
        let met = Some(SpeedVerdict::Met { target: 2.0 });
        assert_eq!(
            overall(&correct, &Clean::Clean, met),
            ("passed".to_owned(), true)
        );
        assert_eq!(
            overall(
                &correct,
                &Clean::Clean,
                Some(SpeedVerdict::NotYet { target: 2.0 })
            ),
            ("correct, not yet faster".to_owned(), false)
        );
        assert_eq!(
            overall(&correct, &Clean::Clean, Some(SpeedVerdict::NoTarget)),
            ("passed".to_owned(), true)
        );
        let dirty = Clean::Changed {
            paths: vec!["workloads/lab/runner.rs".into()],
        };
        assert_eq!(
            overall(&correct, &dirty, met),
            (
                "correct and fast; not clean: files outside the attempt changed".to_owned(),
                false
            )
        );
        assert!(
            !overall(
                &correct,
                &Clean::Unknown {
                    reason: "no git".into()
                },
                met
            )
            .1
        );
        assert!(!overall(&correct, &Clean::Clean, Some(SpeedVerdict::Unreliable)).1);
        assert!(!overall(&correct, &Clean::Clean, None).1);
        let panicked = Correctness::Panicked {
            input: "x".into(),
            message: "boom".into(),
            seed: 1,
        };
        assert_eq!(
            overall(&panicked, &Clean::Clean, None),
            ("not correct: the attempt panicked".to_owned(), false)
        );
    }
}
