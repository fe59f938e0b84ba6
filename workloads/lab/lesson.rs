//! The lesson: one technique applied to one stage of one workload, in a
//! naive and an optimized form over the same input, returning the same
//! output type. [`LessonDef`] declares one with plain functions; the runner,
//! the tests, the benches, the profiler and the exercise checker see it
//! through the object-safe [`Lesson`] trait.
//!
//! Four decisions every lesson lives by:
//!
//! - **Outputs are compared as they print.** A form's output is compared
//!   by its serialization ([`printed`]: CBOR, RFC 8949, in which a
//!   `Decimal` is its text), never by `PartialEq` or `Hash`, which
//!   `Decimal` normalizes: `0` and `0.00` are different outputs.
//! - **Inputs can be written out and read back** ([`Input`] is `serde`
//!   both ways), so that a failing input can be saved as JSON and replayed.
//! - **A form may prepare its input untimed** ([`Prepare`]): an array of
//!   structs turned into a struct of arrays is not the technique, and is
//!   not timed as if it were.
//! - **The exercise lives in the lesson** ([`Practice`]): its hint, what
//!   the checker compares, what an attempt must keep true and the lab code
//!   it may call, so that the generated starting point carries them.
//!
//! One idea, the lesson type (the definition, its object-safe view, the
//! forms over one input, and the checks that follow from the registry).

use std::fmt::Debug;
use std::hint::black_box;

use proptest::strategy::BoxedStrategy;
use serde::Serialize;

pub use super::printed::{digest_of, printed};
use serde::de::DeserializeOwned;

/// The size of a lesson's input.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// A few hundred records: the tests.
    Tiny,
    /// About a tenth of the default: where the default run puts a lesson
    /// whose minimum of paired runs does not fit its share of the time
    /// budget at the default scale.
    Small,
    /// Tens of thousands: the default run (seconds per lesson).
    Default,
    /// 1,000,000 payers or 200,000 contracts: a bank's book.
    Bank,
}

impl Scale {
    /// The scale's name on the command line: `tiny`, `default`, `bank`.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::Small => "small",
            Scale::Default => "default",
            Scale::Bank => "bank",
        }
    }

    /// The next smaller scale, if there is one.
    pub fn smaller(self) -> Option<Scale> {
        match self {
            Scale::Tiny => None,
            Scale::Small => Some(Scale::Tiny),
            Scale::Default => Some(Scale::Small),
            Scale::Bank => Some(Scale::Default),
        }
    }
}

/// Which form of a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// What a competent developer writes first.
    Naive,
    /// What an expert writes.
    Optimized,
    /// The speed-of-light reference: the irreducible work of the lesson
    /// (reading its input once, writing output of the same size). Not a
    /// solution: it only tells how far the optimized form is from the
    /// limit.
    Limit,
}

impl Form {
    /// The form's name in ids, paths and reports: `naive`, `optimized`,
    /// `limit`.
    pub fn name(self) -> &'static str {
        match self {
            Form::Naive => "naive",
            Form::Optimized => "optimized",
            Form::Limit => "limit",
        }
    }
}

/// What a lesson's input must be: shared by the threads that time it, and
/// written out and read back as JSON (a failing input saved and replayed).
pub trait Input: Serialize + DeserializeOwned + Debug + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Debug + Sync + 'static> Input for T {}

/// What a lesson's output must be: printed ([`printed`]) to be compared,
/// and shown field by field ([`super::diff`]) where it differs.
pub trait Output: Serialize + Debug + 'static {}

impl<T: Serialize + Debug + 'static> Output for T {}

/// A lesson as the lab machinery sees it.
pub trait Lesson: Sync {
    /// `workload/technique`, e.g. `zakat/string-building`.
    fn id(&self) -> &'static str;
    /// One paragraph: what the optimized form changes, and why.
    fn why(&self) -> &'static str;
    /// Builds the input at a scale from a seed.
    fn prepare(&self, scale: Scale, seed: u64) -> Box<dyn Prepared>;
    /// The allocators the naive and the optimized form must run under, for
    /// a lesson about the allocator itself: each form is then timed in
    /// processes of its own (the allocator is fixed for a process's life).
    /// `None`: both forms run in the runner's process.
    fn allocators(&self) -> Option<[super::alloc::Backend; 2]>;
    /// Whether the runner also times the forms at several thread counts.
    fn scaling(&self) -> bool;
    /// Whether the lesson is a headline, a workload's whole run (an id
    /// ending in `/pipeline`): the default run serves it first and never
    /// moves it to a smaller scale, so that its ratio is the one a user's
    /// run would see.
    fn is_headline(&self) -> bool {
        self.id().ends_with("/pipeline")
    }
    /// Whether the default run keeps the lesson at the scale it asks for
    /// rather than moving it to a smaller one when its share of the budget
    /// is short: the headlines; the lessons about the allocator, whose
    /// effect grows with the input (a burst of blocks alive at once; a
    /// report large enough for glibc to give its pages back to the kernel)
    /// and all but vanishes at the small scale; and the sharding lessons,
    /// whose second core pays only for enough work. Measured on this
    /// machine: the allocator lessons 1.13x and 1.05x at the small and tiny
    /// scales the budget gave them in 4a7d76b's default run, 1.25x and
    /// 1.26x at the default scale (2,725 minor page faults a murabaha
    /// report under glibc against 8 under mimalloc); zakat/sharding no
    /// measurable difference (0.933-3.57x) at the small scale there, 3.96x
    /// (3.22-4.38) at the default (`mizan run LESSON --scale default`).
    /// Unlike a headline it is not served first: it takes its share like
    /// any other lesson, and its minimum of pairs where the share is short.
    fn keeps_scale(&self) -> bool {
        self.is_headline() || self.allocators().is_some() || self.id().ends_with("/sharding")
    }
    /// The lesson's contrast, if it is the same forms on another input
    /// (see [`LessonDef::contrast`]): its scale and its name in tables.
    fn contrast(&self) -> Option<(Scale, &'static str)>;
    /// Builds the contrast's input (`None` for a lesson without one).
    fn prepare_contrast(&self, seed: u64) -> Option<Box<dyn Prepared>>;
    /// The contrast's own stage, where the contrast is another stage
    /// ([`ContrastInput::Stage`]): for the tests, to check its forms at
    /// every scale.
    fn contrast_stage(&self) -> Option<&'static dyn Lesson>;
    /// Whether the check also compares the forms with an independent
    /// reference (see [`LessonDef::reference`]).
    fn has_reference(&self) -> bool;
    /// How the lesson is practised (see [`Practice`]).
    fn practice(&self) -> PracticeInfo;
    /// Its forms' names, in the runner's order: `naive`, the further forms,
    /// `optimized`.
    fn form_names(&self) -> Vec<&'static str>;
    /// Where each form's machine code starts in this process, by name
    /// (the names of [`Lesson::form_names`], then `limit` for the speed of
    /// light): what `mizan asm` disassembles.
    fn form_code(&self) -> Vec<(&'static str, usize)>;
    /// Every form checked against the naive one, and the lesson's
    /// invariant, on `cases` random inputs of its generator out to the
    /// edges (seeded by `seed`), each case of a lesson about threads at one
    /// of `threads` in turn (the others at the caller's pool): the property
    /// tests, from the registry. `Err` names the least failing input, as
    /// JSON.
    fn properties(&self, cases: u32, seed: u64, threads: &[usize]) -> Result<(), String>;
    /// The input at `scale` and `seed` written as JSON and read back: the
    /// naive form's output on the copy must print as on the original.
    fn round_trip(&self, scale: Scale, seed: u64) -> Result<(), String>;
}

/// A lesson with its input built, ready to run.
pub trait Prepared: Sync {
    /// How many records (payers, contracts) one run processes.
    fn elements(&self) -> u64;
    /// Runs one form once, keeping its output from being optimised away,
    /// and drops the output (its freeing is part of the work). `Limit` does
    /// nothing for a lesson without a speed-of-light reference.
    fn run(&self, form: Form);
    /// Whether the lesson has a speed-of-light reference.
    fn has_limit(&self) -> bool;
    /// The speed-of-light reference's name in tables: `speed of light`,
    /// or `speed of light + <the domain work it includes>`.
    fn limit_name(&self) -> Option<&'static str>;
    /// Runs every form (and the lesson's independent reference, if it has
    /// one) and compares their printed outputs, one at a time by digest,
    /// so that no two outputs are held at once: `Err` names the first
    /// difference.
    fn check(&self) -> Result<(), String>;
    /// A digest of one form's printed output, to compare outputs made in
    /// different processes (the same binary, so the same digest).
    fn digest(&self, form: Form) -> u64;
    /// The names of the lesson's further forms (see [`LessonDef::variants`]).
    fn variant_names(&self) -> Vec<&'static str>;
    /// Runs further form `idx` once, like [`Prepared::run`].
    fn run_variant(&self, idx: usize);
}

/// A lesson declared with plain functions: the registry's entries.
pub struct LessonDef<I: 'static, O: 'static> {
    /// `workload/technique`.
    pub id: &'static str,
    /// The "why" paragraph.
    pub why: &'static str,
    /// Builds the input.
    pub build: fn(Scale, u64) -> I,
    /// Counts the input's records.
    pub elements: fn(&I) -> u64,
    /// The naive form.
    pub naive: fn(&I) -> O,
    /// The optimized form.
    pub optimized: fn(&I) -> O,
    /// Each form's untimed preparation of its input, if it has one.
    pub prepare: Prepare<I>,
    /// The speed-of-light reference, if the lesson has one.
    pub limit: Option<Limit<I>>,
    /// An independent computation of the same output, which the check also
    /// compares against: for a lesson whose two forms are the same code
    /// (allocator choice), the check would otherwise compare a function
    /// with itself. `None` for most lessons, whose forms are independent.
    pub reference: Option<fn(&I) -> O>,
    /// Random inputs out to the edges: the property tests' and the
    /// exercise checker's.
    pub arbitrary: fn() -> BoxedStrategy<I>,
    /// What must hold of the naive form's output on any input beyond the
    /// forms' agreement (a row for every instalment, a total for every
    /// line): the property tests check it on every random input.
    pub invariant: Option<Invariant<I, O>>,
    /// The allocators of the naive and optimized forms, for a lesson about
    /// allocator choice; `None` for every other lesson.
    pub allocators: Option<[super::alloc::Backend; 2]>,
    /// Further forms between the naive and the optimized one (the sharding
    /// lessons' striped locks, say), each checked equal to the naive form
    /// and timed with the others.
    pub variants: &'static [Variant<I, O>],
    /// Whether the lesson is about threads: the runner then also times
    /// every form at 1, 2, 4, … threads, up to the machine's cores, for the
    /// scaling curve.
    pub scaling: bool,
    /// Another input on which the default run also times every form,
    /// where the technique stops paying (a quadratic loop against a hash
    /// map at a few dozen records): the lesson's contrast, with its own
    /// numbers. `None` where the contrast is a further form.
    pub contrast: Option<Contrast<I>>,
    /// How the lesson is practised: an exercise, or why not.
    pub practice: Practice<I, O>,
}

/// What must hold of a form's output on any input (see
/// [`LessonDef::invariant`]): `Err` says what does not.
pub type Invariant<I, O> = fn(&I, &O) -> Result<(), String>;

/// A check of what an attempt must keep true beyond its output (see
/// [`Exercise::constraint`]), run on the attempt.
pub type Constraint<I, O> = fn(fn(&I) -> O) -> Result<(), String>;

/// The untimed preparation of a form's input: the lesson's input turned
/// into the one the form runs on (rows into columns, say), once, before
/// the form is checked or timed. A form without one runs on the input as
/// built.
pub struct Prepare<I> {
    /// The naive form's.
    pub naive: Option<fn(&I) -> I>,
    /// The optimized form's.
    pub optimized: Option<fn(&I) -> I>,
}

impl<I> Prepare<I> {
    /// No form prepares its input.
    pub const NONE: Prepare<I> = Prepare {
        naive: None,
        optimized: None,
    };
}

// By hand: a derive would ask `I: Copy`, and only function pointers are
// copied.
impl<I> Clone for Prepare<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Prepare<I> {}

/// How a lesson is practised.
pub enum Practice<I: 'static, O: 'static> {
    /// The naive form is the starting point, the learner rewrites it, and
    /// `cargo exercise check` grades the attempt.
    Rewrite(Exercise<I, O>),
    /// The technique is not a function body (the allocator, the build):
    /// the chapter gives a configuration exercise instead. The text says
    /// why, for `cargo exercise list`.
    Configuration(&'static str),
    /// A contrast's stage (outside the registry): practised through its
    /// lesson.
    Contrast,
}

/// A lesson's exercise: what the starting point says and the checker
/// enforces beyond the output.
pub struct Exercise<I: 'static, O: 'static> {
    /// Where to look first.
    pub hint: &'static str,
    /// What the checker compares, in the starting file's words: `the
    /// receipts' text, byte for byte`.
    pub compares: &'static str,
    /// What an attempt must keep true beyond its output (a reader thread
    /// handing work over a bounded channel, counters a monitor can read
    /// during the run); empty where the output is all.
    pub keep: &'static [&'static str],
    /// The lab's own code an attempt may call besides the domain (paths
    /// such as `mizan::text::write_fixed`); calling a lesson's forms, or
    /// anything else of the lessons, is using the lab's answer.
    pub may_call: &'static [&'static str],
    /// A check of [`Exercise::keep`] the checker runs on the attempt, where
    /// one is cheap: `Err` says what was not kept.
    pub constraint: Option<Constraint<I, O>>,
}

/// [`Practice`] without its types, for the machinery that lists and
/// describes exercises.
#[derive(Debug, Clone, Copy)]
pub enum PracticeInfo {
    /// An exercise, with what its starting point says.
    Rewrite {
        /// Where to look first.
        hint: &'static str,
        /// What the checker compares.
        compares: &'static str,
        /// What must stay true beyond the output.
        keep: &'static [&'static str],
        /// The lab code an attempt may call.
        may_call: &'static [&'static str],
    },
    /// A configuration exercise in the chapter, and why.
    Configuration(&'static str),
    /// A contrast's stage.
    Contrast,
}

/// A lesson's contrast: where the technique stops paying, timed in the
/// same run and shown beside the lesson: the same forms on another input,
/// or another stage written the same two ways.
pub struct Contrast<I: 'static> {
    /// What the input is, in tables: `32 records`, `short contracts`.
    pub name: &'static str,
    /// The scale it is built at (and timed at, never shrunk).
    pub scale: Scale,
    /// What is timed.
    pub input: ContrastInput<I>,
}

/// What a contrast times.
pub enum ContrastInput<I: 'static> {
    /// The lesson's own forms on another input, built by this (the
    /// lesson's own `build` for a contrast of size alone).
    Build(fn(Scale, u64) -> I),
    /// Another stage of the workload whose two forms differ in the same
    /// technique (a stage where it does not pay), with input and output
    /// types of its own: a lesson definition outside the registry, whose
    /// id is the lesson's.
    Stage(&'static dyn Lesson),
}

// By hand, as for `Limit`.
impl<I> Clone for Contrast<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Contrast<I> {}

impl<I> Clone for ContrastInput<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for ContrastInput<I> {}

/// A lesson's speed of light: the least work that any correct form must
/// do (read the input it needs once, write the output's bytes). Not a
/// solution: it only tells how far the optimized form is from the limit.
pub struct Limit<I> {
    /// `speed of light`; where the limit includes domain work that no
    /// form can avoid, its name says so: `speed of light + valuation`.
    pub name: &'static str,
    /// The work, on the input as the optimized form's preparation leaves
    /// it (the limit is the optimized form's); it returns a number derived
    /// from it, so that the work cannot be skipped.
    pub run: fn(&I) -> u64,
}

// By hand: a derive would ask `I: Copy`, and only the function pointer is
// copied.
impl<I> Clone for Limit<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Limit<I> {}

/// The name of a limit that is only reading and writing.
pub const SPEED_OF_LIGHT: &str = "speed of light";

/// A further form of a lesson: a name and a function, and its untimed
/// preparation if it has one.
pub struct Variant<I: 'static, O: 'static> {
    /// Its name in reports: `striped-locks`.
    pub name: &'static str,
    /// The form.
    pub run: fn(&I) -> O,
    /// Its untimed preparation of the input (see [`Prepare`]).
    pub prepare: Option<fn(&I) -> I>,
}

impl<I, O> Variant<I, O> {
    /// A further form that runs on the input as built.
    pub const fn new(name: &'static str, run: fn(&I) -> O) -> Variant<I, O> {
        Variant {
            name,
            run,
            prepare: None,
        }
    }
}

impl<I: Input, O: Output> LessonDef<I, O> {
    /// This lesson's forms over `input`, each form's input prepared
    /// (untimed) beside it.
    pub fn forms(&self, input: I) -> PreparedDef<I, O> {
        let prepared = |prepare: Option<fn(&I) -> I>| prepare.map(|p| p(&input));
        PreparedDef {
            naive_input: prepared(self.prepare.naive),
            optimized_input: prepared(self.prepare.optimized),
            variant_inputs: self.variants.iter().map(|v| prepared(v.prepare)).collect(),
            lesson: LessonFns::of(self),
            input,
        }
    }

    /// The practice without its types.
    pub fn practice_info(&self) -> PracticeInfo {
        match &self.practice {
            Practice::Rewrite(e) => PracticeInfo::Rewrite {
                hint: e.hint,
                compares: e.compares,
                keep: e.keep,
                may_call: e.may_call,
            },
            Practice::Configuration(why) => PracticeInfo::Configuration(why),
            Practice::Contrast => PracticeInfo::Contrast,
        }
    }
}

impl<I: Input, O: Output> Lesson for LessonDef<I, O> {
    fn id(&self) -> &'static str {
        self.id
    }

    fn why(&self) -> &'static str {
        self.why
    }

    fn prepare(&self, scale: Scale, seed: u64) -> Box<dyn Prepared> {
        Box::new(self.forms((self.build)(scale, seed)))
    }

    fn allocators(&self) -> Option<[super::alloc::Backend; 2]> {
        self.allocators
    }

    fn scaling(&self) -> bool {
        self.scaling
    }

    fn contrast(&self) -> Option<(Scale, &'static str)> {
        self.contrast.map(|c| (c.scale, c.name))
    }

    fn prepare_contrast(&self, seed: u64) -> Option<Box<dyn Prepared>> {
        let contrast = self.contrast?;
        match contrast.input {
            ContrastInput::Build(build) => Some(Box::new(self.forms(build(contrast.scale, seed)))),
            ContrastInput::Stage(stage) => Some(stage.prepare(contrast.scale, seed)),
        }
    }

    fn contrast_stage(&self) -> Option<&'static dyn Lesson> {
        match self.contrast?.input {
            ContrastInput::Stage(stage) => Some(stage),
            ContrastInput::Build(_) => None,
        }
    }

    fn has_reference(&self) -> bool {
        self.reference.is_some()
    }

    fn practice(&self) -> PracticeInfo {
        self.practice_info()
    }

    fn form_names(&self) -> Vec<&'static str> {
        std::iter::once("naive")
            .chain(self.variants.iter().map(|v| v.name))
            .chain(std::iter::once("optimized"))
            .collect()
    }

    fn form_code(&self) -> Vec<(&'static str, usize)> {
        std::iter::once(("naive", self.naive as usize))
            .chain(self.variants.iter().map(|v| (v.name, v.run as usize)))
            .chain(std::iter::once(("optimized", self.optimized as usize)))
            .chain(self.limit.map(|limit| ("limit", limit.run as usize)))
            .collect()
    }

    fn properties(&self, cases: u32, seed: u64, threads: &[usize]) -> Result<(), String> {
        use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng};
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut runner = proptest::test_runner::TestRunner::new_with_rng(
            Config {
                cases,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::from_seed(RngAlgorithm::ChaCha, &key),
        );
        let pools: Vec<rayon::ThreadPool> = if self.scaling {
            threads.iter().map(|&t| super::measure::pool(t)).collect()
        } else {
            Vec::new()
        };
        // Each case at one of the thread counts, in turn (every count sees a
        // quarter of the cases), as a race shows at any of them.
        let case = std::sync::atomic::AtomicUsize::new(0);
        let check = |input: I| -> Result<(), String> {
            let forms = self.forms(input);
            let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match pools.get(n % pools.len().max(1)) {
                None => forms.check()?,
                Some(pool) => pool
                    .install(|| forms.check())
                    .map_err(|e| format!("{e} (at {} threads)", pool.current_num_threads()))?,
            }
            if let Some(invariant) = self.invariant {
                let output = (self.naive)(forms.naive_input());
                invariant(&forms.input, &output)
                    .map_err(|e| format!("the naive output breaks the invariant: {e}"))?;
            }
            Ok(())
        };
        // The message of the least failing input, kept as proptest shrinks.
        let last = std::sync::Mutex::new(String::new());
        let result = runner.run(&(self.arbitrary)(), |input| {
            check(input).map_err(|e| {
                *last.lock().expect("not poisoned") = e;
                TestCaseError::fail("fails")
            })
        });
        match result {
            Ok(()) => Ok(()),
            Err(TestError::Fail(_, input)) => {
                let json = input_json(&input);
                // Run again for its message; a form whose output depends
                // on more than its input (a race) may pass this time.
                let message = check(input)
                    .err()
                    .unwrap_or_else(|| last.lock().expect("not poisoned").clone());
                Err(format!(
                    "{}: {message}\nthe least failing input: {json}",
                    self.id
                ))
            }
            Err(TestError::Abort(reason)) => {
                Err(format!("{}: the generator gave up: {reason}", self.id))
            }
        }
    }

    fn round_trip(&self, scale: Scale, seed: u64) -> Result<(), String> {
        let input = (self.build)(scale, seed);
        let copy = input_copy(&input);
        let (a, b) = (
            printed(&(self.naive)(&input)),
            printed(&(self.naive)(&copy)),
        );
        if a == b {
            Ok(())
        } else {
            Err(format!(
                "{}: the input read back from its JSON gives another output",
                self.id
            ))
        }
    }
}

/// `Ok` if `holds`, else the failure `what` describes: for a lesson's
/// invariant.
pub fn ensure(holds: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if holds { Ok(()) } else { Err(what()) }
}

/// An input written as JSON and read back.
pub fn input_copy<I: Input>(input: &I) -> I {
    let text = serde_json::to_vec(input).expect("a lesson's input serializes");
    serde_json::from_slice(&text).expect("a lesson's input reads back from its JSON")
}

/// An input as JSON, pretty, for a reader.
pub fn input_json<I: Input>(input: &I) -> String {
    serde_json::to_string_pretty(input).unwrap_or_else(|e| format!("(not serializable: {e})"))
}

/// The function pointers of a lesson, copied out of its definition (a
/// prepared lesson outlives the borrow of its definition).
struct LessonFns<I: 'static, O: 'static> {
    naive: fn(&I) -> O,
    optimized: fn(&I) -> O,
    elements: fn(&I) -> u64,
    limit: Option<Limit<I>>,
    reference: Option<fn(&I) -> O>,
    variants: &'static [Variant<I, O>],
}

impl<I, O> LessonFns<I, O> {
    fn of(lesson: &LessonDef<I, O>) -> LessonFns<I, O> {
        LessonFns {
            naive: lesson.naive,
            optimized: lesson.optimized,
            elements: lesson.elements,
            limit: lesson.limit,
            reference: lesson.reference,
            variants: lesson.variants,
        }
    }
}

/// A lesson's forms over one input, each form's prepared copy beside it.
pub struct PreparedDef<I: 'static, O: 'static> {
    input: I,
    naive_input: Option<I>,
    optimized_input: Option<I>,
    variant_inputs: Vec<Option<I>>,
    lesson: LessonFns<I, O>,
}

impl<I, O> PreparedDef<I, O> {
    /// The input as built.
    pub fn input(&self) -> &I {
        &self.input
    }

    /// The naive form's input.
    pub fn naive_input(&self) -> &I {
        self.naive_input.as_ref().unwrap_or(&self.input)
    }

    /// The optimized form's input.
    pub fn optimized_input(&self) -> &I {
        self.optimized_input.as_ref().unwrap_or(&self.input)
    }

    fn variant_input(&self, idx: usize) -> &I {
        self.variant_inputs[idx].as_ref().unwrap_or(&self.input)
    }

    /// Every form but the naive one, by name, with its input.
    fn others(&self) -> impl Iterator<Item = (&'static str, fn(&I) -> O, &I)> {
        std::iter::once(("optimized", self.lesson.optimized, self.optimized_input()))
            .chain(
                self.lesson
                    .variants
                    .iter()
                    .enumerate()
                    .map(|(idx, v)| (v.name, v.run, self.variant_input(idx))),
            )
            .chain(
                self.lesson
                    .reference
                    .map(|r| ("the reference", r, &self.input)),
            )
    }
}

impl<I: Input, O: Output> Prepared for PreparedDef<I, O> {
    fn elements(&self) -> u64 {
        (self.lesson.elements)(&self.input)
    }

    fn run(&self, form: Form) {
        // Every instantiation of this function is the same machine code
        // (it only calls through function pointers), so the linker folds
        // them into one, and a profile would name another lesson's types
        // in this one's stacks; naming the input type keeps them apart.
        black_box(std::any::type_name::<I>());
        match form {
            Form::Naive => drop(black_box((self.lesson.naive)(black_box(
                self.naive_input(),
            )))),
            Form::Optimized => drop(black_box((self.lesson.optimized)(black_box(
                self.optimized_input(),
            )))),
            Form::Limit => {
                if let Some(limit) = self.lesson.limit {
                    black_box((limit.run)(black_box(self.optimized_input())));
                }
            }
        }
    }

    fn has_limit(&self) -> bool {
        self.lesson.limit.is_some()
    }

    fn limit_name(&self) -> Option<&'static str> {
        self.lesson.limit.map(|limit| limit.name)
    }

    fn digest(&self, form: Form) -> u64 {
        match form {
            Form::Naive => digest_of(&(self.lesson.naive)(self.naive_input())),
            Form::Optimized => digest_of(&(self.lesson.optimized)(self.optimized_input())),
            Form::Limit => digest_of(
                &self
                    .lesson
                    .limit
                    .map(|limit| (limit.run)(self.optimized_input())),
            ),
        }
    }

    fn check(&self) -> Result<(), String> {
        // One output at a time: the naive output's digest, then each other
        // form's, each output dropped before the next is made (a bank-scale
        // run cannot hold two). Only on a difference are the two outputs
        // made again side by side, to name where they differ.
        let expected = digest_of(&(self.lesson.naive)(self.naive_input()));
        for (name, form, input) in self.others() {
            if digest_of(&form(input)) != expected {
                let naive = (self.lesson.naive)(self.naive_input());
                let output = form(input);
                return Err(difference(&naive, &output, name));
            }
        }
        Ok(())
    }

    fn variant_names(&self) -> Vec<&'static str> {
        self.lesson.variants.iter().map(|v| v.name).collect()
    }

    fn run_variant(&self, idx: usize) {
        black_box(std::any::type_name::<I>());
        drop(black_box((self.lesson.variants[idx].run)(black_box(
            self.variant_input(idx),
        ))));
    }
}

/// Where two outputs first differ, on one line (a results table's cell).
#[cold]
fn difference<O: Output>(naive: &O, other: &O, other_name: &str) -> String {
    let d = super::diff::first_difference(naive, other)
        .map_or_else(|| "they print alike".to_owned(), |d| d.one_line());
    format!("the naive and {other_name} outputs differ: {d}")
}
