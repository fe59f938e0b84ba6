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
