//! The check: correct, clean and fast together, and its verdict.

use std::time::Duration;

use serde::Serialize;

use crate::lab::runner::RunOptions;

use super::clean::Clean;
use super::correct::{Correctness, FULL};
use super::correct::{Outcome, run_caught};
use super::count::{InstructionCounts, InstructionVerdict};
use super::def::{Exercise, Kept, Which};
use super::speed::{Speed, SpeedVerdict, TARGET_SHARE, margin_text, speed_verdict};

/// Why a check was not timed when the timing was not asked for
/// (`--no-time`).
pub const NOT_ASKED: &str = "not asked for";

/// How a replay's verdict begins.
pub const REPLAYED: &str = "the saved input alone: ";

/// The pause before timing again on a machine that did not give its
/// cores: long enough for a neighbour's burst to pass.
pub const RETRY_PAUSE: Duration = Duration::from_secs(10);

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
    /// Their grade ([`InstructionCounts::verdict`]), when counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction_grade: Option<InstructionVerdict>,
    /// Whether it keeps what the exercise asks beyond its output, where
    /// the lesson checks it (false sharing: a monitor sees the counters
    /// move), when correct.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keeps: Option<Kept>,
    /// The lab's own code the attempt calls (a lesson's form, the engine):
    /// empty for the learner's own work (see [`super::own`]).
    pub borrowed: Vec<String>,
    /// What was checked, with what, where and when (the command fills it
    /// in): for a teacher's records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
    /// The one-line verdict: `passed`, `correct, not yet faster`, …
    pub verdict: String,
    /// Whether the exercise passed.
    pub passed: bool,
}

/// What a check was made of, with what, where and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Made {
    /// The attempt's file, and its FNV-1a digest (16 hex digits): the work
    /// the grade is of.
    pub attempt: Option<(String, String)>,
    /// The checker's commit.
    pub commit: String,
    /// Whether the checkout had changes besides the attempts (see `clean`).
    pub dirty: bool,
    /// The machine, as every table of the lab names it.
    pub machine: String,
    /// When, in UTC (`2026-12-07T03:04:05Z`).
    pub at: String,
}

impl Made {
    /// Now, on this machine, of the attempt file `file` with text `attempt`
    /// (none for the starting point).
    pub fn now(attempt: Option<(&str, &[u8])>, dirty: bool) -> Made {
        let machine = crate::lab::machine::Machine::current();
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let day = seconds % 86_400;
        Made {
            attempt: attempt.map(|(file, text)| {
                (
                    file.to_owned(),
                    format!(
                        "{:016x}",
                        crate::lab::stamp::fnv1a(crate::lab::stamp::FNV_OFFSET, text)
                    ),
                )
            }),
            commit: machine.commit.clone(),
            dirty,
            at: format!(
                "{}T{:02}:{:02}:{:02}Z",
                machine.date,
                day / 3600,
                day / 60 % 60,
                day % 60
            ),
            machine: machine.summary(),
        }
    }
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
        instruction_grade: None,
        keeps: None,
        borrowed: Vec::new(),
        made: None,
        verdict: format!("{REPLAYED}{verdict}"),
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
    check_retrying(exercise, which, seed, options, clean, 0, RETRY_PAUSE)
}

/// [`check`], timing again up to `retries` more times while the machine
/// did not give a lesson about threads its cores (`check
/// --retry-until-reliable N`), a pause (the command's: [`RETRY_PAUSE`])
/// before each.
pub fn check_retrying(
    exercise: &dyn Exercise,
    which: Which,
    seed: u64,
    options: Option<RunOptions>,
    clean: Clean,
    retries: usize,
    pause: Duration,
) -> Check {
    let correct = exercise.correctness(which, seed, FULL);
    let time = || match run_caught(|| exercise.speed(which, options.expect("options"))) {
        Outcome::Output(Ok(speed)) => (Some(speed), None),
        Outcome::Output(Err(e)) => (None, Some(e)),
        Outcome::Panic(message) => (None, Some(format!("the attempt panicked: {message}"))),
    };
    let (speed, speed_error) = match (&correct, options) {
        // The runner checks the forms again on the input it times (at a
        // smaller scale, if the budget asks for one): a difference or a
        // panic there is reported, not a crash.
        (Correctness::Correct { .. }, Some(_)) => {
            let mut timed = time();
            for _ in 0..retries {
                if timed.0.as_ref().is_none_or(|s| s.reliable) {
                    break;
                }
                std::thread::sleep(pause);
                timed = time();
            }
            timed
        }
        (Correctness::Correct { .. }, None) => (None, Some(NOT_ASKED.to_owned())),
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
    let keeps = if correct.is_correct() {
        exercise.keeps(which)
    } else {
        None
    };
    Check {
        exercise: exercise.id().to_owned(),
        correct,
        clean,
        speed,
        fast,
        speed_error,
        instructions: None,
        instruction_grade: None,
        keeps: None,
        borrowed: Vec::new(),
        made: None,
        verdict,
        passed,
    }
    .with_kept(keeps)
}

impl Check {
    /// The check with its instruction counts and their grade. Untimed
    /// (`--no-time --instructions`: the timing was not asked for), the
    /// grade decides: a correct, clean attempt that keeps its constraint
    /// passes when the counts meet their target, or when they set none
    /// (as the timed grade passes where the lab's form is no faster), the
    /// grade a teacher can give on any machine; a lesson about threads
    /// gets no instruction grade. Timed (or a timing that failed), the
    /// time decides and the counts are shown beside it.
    pub fn with_instructions(mut self, counts: InstructionCounts, threads: bool) -> Check {
        let grade = counts.verdict(TARGET_SHARE, threads);
        let kept = !matches!(self.keeps, Some(Kept::NotKept { .. }));
        let untimed = self.speed.is_none() && self.speed_error.as_deref() == Some(NOT_ASKED);
        if untimed && self.correct.is_correct() && kept && !self.verdict.starts_with(REPLAYED) {
            let (text, met) = match grade {
                InstructionVerdict::Met { .. } => ("correct, and fewer instructions", true),
                InstructionVerdict::NotYet { .. } => ("correct, not yet fewer instructions", false),
                InstructionVerdict::NoTarget => ("correct", true),
                InstructionVerdict::Threads => ("correct, not graded", false),
            };
            self.passed = met && self.clean == Clean::Clean;
            self.verdict = if self.passed {
                format!("passed by instruction count: {}", grade.text())
            } else {
                format!("{text}: {}", grade.text())
            };
            match &self.clean {
                Clean::Clean => {}
                Clean::Changed { .. } => {
                    self.verdict
                        .push_str("; not clean: files outside the attempt changed");
                }
                Clean::Unknown { .. } => {
                    self.verdict
                        .push_str("; cleanliness unknown (not a git checkout?)");
                }
            }
        }
        self.instructions = Some(counts);
        self.instruction_grade = Some(grade);
        self
    }

    /// What the check found, for a verdict that takes its pass away: the
    /// verdict itself, or, where it passed, how.
    fn as_it_is(&self) -> String {
        if !self.passed {
            return self.verdict.clone();
        }
        match self.fast {
            Some(SpeedVerdict::NoTarget) => {
                "correct and clean (this lesson sets no speed target)".to_owned()
            }
            Some(_) => "correct, clean and fast as it is".to_owned(),
            None if self.instruction_grade == Some(InstructionVerdict::NoTarget) => {
                "correct and clean (this lesson sets no instruction target)".to_owned()
            }
            None => "correct, clean and fast by instruction count".to_owned(),
        }
    }

    /// The check with what its constraint found ([`Exercise::keeps`]): an
    /// attempt that does not keep it does not pass, whatever else it is.
    pub fn with_kept(mut self, keeps: Option<Kept>) -> Check {
        if let Some(Kept::NotKept { what }) = &keeps {
            let rest = self.as_it_is();
            self.verdict =
                format!("not passed: it does not keep what the exercise asks ({what}); {rest}");
            self.passed = false;
        }
        self.keeps = keeps;
        self
    }

    /// The check of an attempt that names `borrowed`, the lab's own code
    /// ([`super::own::borrowed`]): not a pass, whatever else it is.
    pub fn with_borrowed(mut self, borrowed: Vec<String>) -> Check {
        if !borrowed.is_empty() {
            let rest = self.as_it_is();
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
