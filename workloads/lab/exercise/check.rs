//! The check: correct, clean and fast together, and its verdict.

use std::time::Duration;

use serde::Serialize;

use crate::lab::runner::RunOptions;

use super::clean::Clean;
use super::correct::{Correctness, FULL};
use super::correct::{Outcome, run_caught};
use super::count::InstructionCounts;
use super::def::{Exercise, Which};
use super::speed::{Speed, SpeedVerdict, TARGET_SHARE, margin_text, speed_verdict};

/// The budget of a check's timing, by default.
pub const BUDGET: Duration = Duration::from_secs(20);

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
    /// The lab's own code the attempt calls (a lesson's form, the engine):
    /// empty for the learner's own work (see [`super::own`]).
    pub borrowed: Vec<String>,
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
        (Correctness::Race { .. }, _) => {
            "not correct: it differs from run to run on the same input (a race)"
        }
        (_, None) => "correct, not timed",
        (_, Some(SpeedVerdict::Unreliable)) => "correct; the timing was unreliable: run again",
        (_, Some(SpeedVerdict::NotYet { .. })) => "correct, not yet faster",
        (_, Some(SpeedVerdict::Slower { .. })) => "correct, but slower than the naive form",
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

/// Checks an exercise on one saved input alone (`check --replay`): its
/// correctness there, untimed.
pub fn check_replay(
    exercise: &dyn Exercise,
    which: Which,
    saved: &str,
    clean: Clean,
) -> Result<Check, String> {
    let correct = exercise.replay(which, saved)?;
    let (verdict, _) = overall(&correct, &clean, None);
    Ok(Check {
        exercise: exercise.id().to_owned(),
        correct,
        clean,
        speed: None,
        fast: None,
        speed_error: Some("not timed: a replay runs one saved input".to_owned()),
        instructions: None,
        borrowed: Vec::new(),
        verdict: format!("the saved input alone: {verdict}"),
        passed: false,
    })
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
    if let (Some(speed), Some(fast)) = (&speed, fast)
        && let Some(margin) = margin_text(&speed.attempt, fast)
    {
        verdict = format!("{verdict}: {margin}");
    }
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
        borrowed: Vec::new(),
        verdict,
        passed,
    }
}

impl Check {
    /// The check of an attempt that names `borrowed`, the lab's own code
    /// ([`super::own::borrowed`]): not a pass, whatever else it is.
    pub fn with_borrowed(mut self, borrowed: Vec<String>) -> Check {
        if !borrowed.is_empty() {
            let rest = if self.passed {
                "correct, clean and fast as it is".to_owned()
            } else {
                self.verdict.clone()
            };
            self.verdict = format!(
                "not passed: it uses the lab's own code ({}); {rest}",
                borrowed.join(", ")
            );
            self.passed = false;
        }
        self.borrowed = borrowed;
        self
    }
}
