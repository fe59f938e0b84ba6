//! An exercise: a lesson, the learner's attempt at its optimized form and
//! the starting point, as the checker sees them (the [`Exercise`] trait
//! over [`ExerciseDef`]).

use crate::lab::lesson::{Input, LessonDef, Output, Practice, Scale};
use crate::lab::runner::{self, RunOptions};

use super::correct::{Correctness, Plan, check_correct};
use super::speed::{ATTEMPT, Speed, timed_lesson};

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

/// Whether an attempt keeps what its exercise asks beyond its output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kept")]
pub enum Kept {
    /// The lesson's check of it passed.
    Kept,
    /// It did not: what was not kept.
    NotKept {
        /// What the check found.
        what: String,
    },
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
    /// The lab's own code an attempt may call (see [`super::own`]).
    fn may_call(&self) -> &'static [&'static str];
    /// The attempt (or the starting point) against the expected output.
    fn correctness(&self, which: Which, seed: u64, plan: Plan) -> Correctness;
    /// The attempt (or the starting point) on one saved input (a failing
    /// input the checker wrote out), against the expected output.
    fn replay(&self, which: Which, saved: &str) -> Result<Correctness, String>;
    /// The attempt (or the starting point) timed against the naive and the
    /// optimized forms by the lab's runner.
    fn speed(&self, which: Which, options: RunOptions) -> Result<Speed, String>;
    /// Whether the lesson is about threads (its forms are timed at several
    /// thread counts).
    fn threads(&self) -> bool {
        false
    }
    /// Whether the attempt (or the starting point) keeps what the exercise
    /// asks beyond its output ([`crate::lab::lesson::Exercise::keep`]),
    /// where the lesson gives a check of it: `None` where it gives none.
    fn keeps(&self, which: Which) -> Option<Kept> {
        let _ = which;
        None
    }
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

    fn may_call(&self) -> &'static [&'static str] {
        match &self.lesson.practice {
            Practice::Rewrite(exercise) => exercise.may_call,
            _ => &[],
        }
    }

    fn correctness(&self, which: Which, seed: u64, plan: Plan) -> Correctness {
        check_correct(self.lesson, self.function(which), seed, plan)
    }

    fn replay(&self, which: Which, saved: &str) -> Result<Correctness, String> {
        super::correct::replay(self.lesson, self.function(which), saved)
    }

    fn threads(&self) -> bool {
        self.lesson.scaling
    }

    fn keeps(&self, which: Which) -> Option<Kept> {
        let Practice::Rewrite(exercise) = &self.lesson.practice else {
            return None;
        };
        let constraint = exercise.constraint?;
        let function = self.function(which);
        Some(match super::correct::run_caught(|| constraint(function)) {
            super::correct::Outcome::Output(Ok(())) => Kept::Kept,
            super::correct::Outcome::Output(Err(what)) => Kept::NotKept { what },
            super::correct::Outcome::Panic(message) => Kept::NotKept {
                what: format!("the attempt panicked under the check: {message}"),
            },
        })
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
            speed.reliable &= crate::lab::machine::measure_parallelism().is_reliable();
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
