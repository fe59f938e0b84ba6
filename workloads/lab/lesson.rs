//! The lesson: one technique applied to one stage of one workload, in a
//! naive and an optimized form over the same input, returning the same
//! output type. [`LessonDef`] declares one with plain functions; the runner,
//! the tests and (to come) the benches and profiler see it through the
//! object-safe [`Lesson`] trait.

use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::hint::black_box;

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
    /// one) and compares their outputs, one at a time by digest, so that
    /// no two outputs are held at once: `Err` names the first difference.
    fn check(&self) -> Result<(), String>;
    /// A digest of one form's output, to compare outputs made in different
    /// processes (the same binary, so the same hash).
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
    /// The speed-of-light reference, if the lesson has one.
    pub limit: Option<Limit<I>>,
    /// An independent computation of the same output, which the check also
    /// compares against: for a lesson whose two forms are the same code
    /// (allocator choice), the check would otherwise compare a function
    /// with itself. `None` for most lessons, whose forms are independent.
    pub reference: Option<fn(&I) -> O>,
    /// Random inputs out to the edges (see [`super::arbitrary`]): the
    /// property tests' and the exercise checker's. `None` for a lesson
    /// whose inputs only its generator makes.
    pub arbitrary: Option<fn() -> proptest::strategy::BoxedStrategy<I>>,
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
    /// The work; it returns a number derived from it, so that the work
    /// cannot be skipped.
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

/// A further form of a lesson: a name and a function.
pub struct Variant<I, O> {
    /// Its name in reports: `striped-locks`.
    pub name: &'static str,
    /// The form.
    pub run: fn(&I) -> O,
}

impl<I: Sync + 'static, O: PartialEq + Debug + Hash + 'static> Lesson for LessonDef<I, O> {
    fn id(&self) -> &'static str {
        self.id
    }

    fn why(&self) -> &'static str {
        self.why
    }

    fn prepare(&self, scale: Scale, seed: u64) -> Box<dyn Prepared> {
        Box::new(PreparedDef {
            input: (self.build)(scale, seed),
            elements: self.elements,
            naive: self.naive,
            optimized: self.optimized,
            limit: self.limit,
            reference: self.reference,
            variants: self.variants,
        })
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
        let build = match contrast.input {
            ContrastInput::Build(build) => build,
            ContrastInput::Stage(stage) => return Some(stage.prepare(contrast.scale, seed)),
        };
        Some(Box::new(PreparedDef {
            input: build(contrast.scale, seed),
            elements: self.elements,
            naive: self.naive,
            optimized: self.optimized,
            limit: self.limit,
            reference: self.reference,
            variants: self.variants,
        }))
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
}

struct PreparedDef<I: 'static, O: 'static> {
    input: I,
    elements: fn(&I) -> u64,
    naive: fn(&I) -> O,
    optimized: fn(&I) -> O,
    limit: Option<Limit<I>>,
    reference: Option<fn(&I) -> O>,
    variants: &'static [Variant<I, O>],
}

impl<I: Sync + 'static, O: PartialEq + Debug + Hash + 'static> Prepared for PreparedDef<I, O> {
    fn elements(&self) -> u64 {
        (self.elements)(&self.input)
    }

    fn run(&self, form: Form) {
        // Every instantiation of this function is the same machine code
        // (it only calls through function pointers), so the linker folds
        // them into one, and a profile would name another lesson's types
        // in this one's stacks; naming the input type keeps them apart.
        black_box(std::any::type_name::<I>());
        match form {
            Form::Naive => drop(black_box((self.naive)(black_box(&self.input)))),
            Form::Optimized => drop(black_box((self.optimized)(black_box(&self.input)))),
            Form::Limit => {
                if let Some(limit) = self.limit {
                    black_box((limit.run)(black_box(&self.input)));
                }
            }
        }
    }

    fn has_limit(&self) -> bool {
        self.limit.is_some()
    }

    fn limit_name(&self) -> Option<&'static str> {
        self.limit.map(|limit| limit.name)
    }

    fn digest(&self, form: Form) -> u64 {
        match form {
            Form::Naive => digest_of(&(self.naive)(&self.input)),
            Form::Optimized => digest_of(&(self.optimized)(&self.input)),
            Form::Limit => digest_of(&self.limit.map(|limit| (limit.run)(&self.input))),
        }
    }

    fn check(&self) -> Result<(), String> {
        // One output at a time: the naive output's digest, then each other
        // form's, each output dropped before the next is made (a bank-scale
        // run cannot hold two). Only on a difference are the two outputs
        // made again side by side, to name where they differ.
        let expected = digest_of(&(self.naive)(&self.input));
        let others = std::iter::once(("optimized", self.optimized))
            .chain(self.variants.iter().map(|v| (v.name, v.run)))
            .chain(self.reference.map(|r| ("the reference", r)));
        for (name, form) in others {
            if digest_of(&form(&self.input)) != expected {
                let naive = (self.naive)(&self.input);
                let output = form(&self.input);
                if output != naive {
                    return Err(difference(&naive, &output, name));
                }
                return Err(format!(
                    "the naive and {name} outputs are equal but hash differently \
                     (a Hash that disagrees with PartialEq)"
                ));
            }
        }
        Ok(())
    }

    fn variant_names(&self) -> Vec<&'static str> {
        self.variants.iter().map(|v| v.name).collect()
    }

    fn run_variant(&self, idx: usize) {
        black_box(std::any::type_name::<I>());
        drop(black_box((self.variants[idx].run)(black_box(&self.input))));
    }
}

/// A digest of an output: SipHash with fixed keys, so that the same output
/// gives the same digest in every process of this binary.
fn digest_of<O: Hash>(output: &O) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    output.hash(&mut hasher);
    hasher.finish()
}

/// Where two outputs first differ, on one line (a results table's cell).
#[cold]
fn difference<O: Debug + PartialEq + 'static>(naive: &O, other: &O, other_name: &str) -> String {
    let d = super::diff::first_difference(naive, other)
        .map_or_else(|| "they print alike".to_owned(), |d| d.one_line());
    format!("the naive and {other_name} outputs differ: {d}")
}
