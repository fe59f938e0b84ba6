//! The instruction-count grade: naive, the attempt and the optimized form
//! counted under callgrind, a grade that does not depend on the machine.

use serde::Serialize;

use super::def::{Exercise, Which};
use super::speed::ATTEMPT;

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

impl InstructionCounts {
    /// How many times fewer instructions than naive the attempt ran.
    pub fn attempt_ratio(&self) -> f64 {
        self.naive as f64 / self.attempt.max(1) as f64
    }

    /// How many times fewer instructions than naive the lab's optimized
    /// form ran.
    pub fn expert_ratio(&self) -> f64 {
        self.naive as f64 / self.optimized.max(1) as f64
    }

    /// The grade of the counts: the attempt's ratio against the same share
    /// of the expert's as the timed grade asks ([`super::TARGET_SHARE`]),
    /// for an exercise whose forms run on one thread; an exercise about
    /// threads gets none (callgrind runs a program's threads one at a time,
    /// so the counts are of work done, not of time on several cores).
    pub fn verdict(&self, share: f64, threads: bool) -> InstructionVerdict {
        let expert = self.expert_ratio();
        if threads {
            return InstructionVerdict::Threads;
        }
        if expert <= 1.0 {
            return InstructionVerdict::NoTarget;
        }
        let target = expert.powf(share);
        let ratio = self.attempt_ratio();
        if ratio >= target {
            InstructionVerdict::Met { ratio, target }
        } else {
            InstructionVerdict::NotYet { ratio, target }
        }
    }
}

/// The instruction-count grade: deterministic (the same build and input
/// give the same counts on any machine, loaded or not), so a teacher's
/// grade that does not move.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "grade")]
pub enum InstructionVerdict {
    /// The attempt ran `ratio` times fewer instructions than naive, at or
    /// above the target.
    Met {
        /// Naive's count over the attempt's.
        ratio: f64,
        /// The share of the expert's ratio asked for.
        target: f64,
    },
    /// Below the target.
    NotYet {
        /// Naive's count over the attempt's.
        ratio: f64,
        /// The share of the expert's ratio asked for.
        target: f64,
    },
    /// The lab's optimized form runs no fewer instructions than naive (its
    /// gain is elsewhere: memory, cores): the counts set no target.
    NoTarget,
    /// An exercise about threads: no instruction grade (see
    /// [`InstructionCounts::verdict`]).
    Threads,
}

impl InstructionVerdict {
    /// How the grade reads: `3.10× fewer instructions than naive against a
    /// target of 2.05×: met`.
    pub fn text(&self) -> String {
        let n = crate::lab::stats::number;
        match self {
            InstructionVerdict::Met { ratio, target } => format!(
                "{}× fewer instructions than naive against a target of {}×: met",
                n(*ratio),
                n(*target)
            ),
            InstructionVerdict::NotYet { ratio, target } => format!(
                "{}× fewer instructions than naive against a target of {}×: not yet",
                n(*ratio),
                n(*target)
            ),
            InstructionVerdict::NoTarget => {
                "no target: the lab's optimized form runs no fewer instructions than naive (its \
                 gain is elsewhere)"
                    .to_owned()
            }
            InstructionVerdict::Threads => "no instruction grade for a lesson about threads: \
                 callgrind runs the threads one at a time, so the counts are of work, not of \
                 time on several cores; use the timed grade"
                .to_owned(),
        }
    }
}

/// Counts [`InstructionCounts`] for `exercise`, running this program's
/// hidden `run-one` command under valgrind's callgrind.
pub fn instruction_counts(
    exercise: &dyn Exercise,
    which: Which,
    seed: u64,
) -> Result<InstructionCounts, String> {
    let count = |function: &str| {
        let request = crate::lab::child::Request::RunOne {
            id: exercise.id().to_owned(),
            function: function.to_owned(),
            seed,
        };
        crate::lab::instructions::callgrind_total(&request, crate::lab::alloc::Backend::System)
            .map_err(|e| {
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
