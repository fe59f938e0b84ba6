//! Fast: naive, the attempt and the lab's optimized form timed in one run
//! by the lab's own runner, and the attempt's verdict against a share of
//! the expert's speedup.

use serde::{Deserialize, Serialize};

use crate::lab::lesson::{Input, Lesson, LessonDef, Output, Practice, Scale, Variant};
use crate::lab::results::Report;
use crate::lab::stats::{Ratio, Verdict};

/// The share of the expert's speedup an attempt must reach, on a log
/// scale: with 0.5, an expert's 4× asks for 2×, its 9× for 3×.
pub const TARGET_SHARE: f64 = 0.5;

/// The attempt's name among the timed forms.
pub const ATTEMPT: &str = "attempt";

/// The lesson with the attempt as a further form between its naive and
/// optimized forms, for the runner; at the machine's thread count only.
pub(super) fn timed_lesson<I, O>(
    lesson: &'static LessonDef<I, O>,
    attempt: fn(&I) -> O,
) -> &'static dyn Lesson
where
    I: Input,
    O: Output,
{
    // One per check, for the life of the process.
    // The attempt runs on the input as the optimized form's preparation
    // leaves it, as the optimized form does.
    let variants: &'static [Variant<I, O>] = Box::leak(Box::new([Variant {
        prepare: lesson.prepare.optimized,
        ..Variant::new(ATTEMPT, attempt)
    }]));
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

/// How the attempt timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    /// The scale the runner timed at.
    pub scale: Scale,
    /// Records a run.
    pub elements: u64,
    /// Median nanoseconds a run of naive, attempt, optimized (in JSON,
    /// labelled: `{"naive": …, "attempt": …, "optimized": …}`).
    #[serde(with = "by_form")]
    pub ns: [u64; 3],
    /// Allocations a run of naive, attempt, optimized (labelled likewise).
    #[serde(with = "by_form")]
    pub allocations: [u64; 3],
    /// Naive over the attempt.
    pub attempt: Ratio,
    /// Naive over the lab's optimized form.
    pub expert: Ratio,
    /// Whether the machine gave the run its cores, for a lesson about
    /// threads (see [`crate::lab::machine::Parallelism`]); always, for another.
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

/// A figure of each of the three forms, labelled in JSON.
mod by_form {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct ByForm {
        naive: u64,
        attempt: u64,
        optimized: u64,
    }

    pub fn serialize<S: Serializer>(v: &[u64; 3], s: S) -> Result<S::Ok, S::Error> {
        ByForm {
            naive: v[0],
            attempt: v[1],
            optimized: v[2],
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u64; 3], D::Error> {
        let f = ByForm::deserialize(d)?;
        Ok([f.naive, f.attempt, f.optimized])
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
    /// Measurably slower than the naive form.
    Slower {
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
/// `share` of the expert's, on a log scale (`expert^share`), its whole
/// interval at or above that target (and so above 1).
pub fn speed_verdict(attempt: &Ratio, expert: &Ratio, share: f64, reliable: bool) -> SpeedVerdict {
    if !reliable {
        return SpeedVerdict::Unreliable;
    }
    if expert.verdict() != Verdict::Faster {
        return SpeedVerdict::NoTarget;
    }
    let target = expert.median.powf(share);
    match attempt.verdict() {
        // Met only when the whole interval clears the target: a target
        // inside the interval is a grade another run may turn.
        Verdict::Faster if attempt.low >= target => SpeedVerdict::Met { target },
        Verdict::Slower => SpeedVerdict::Slower { target },
        _ => SpeedVerdict::NotYet { target },
    }
}

/// How firm a verdict against a target is: `Some(true)` when the
/// target lies inside the attempt's interval (a run on a busier or
/// quieter machine may grade it the other way), `Some(false)` when the
/// whole interval is on one side of it, `None` without a target.
pub fn at_the_edge(attempt: &Ratio, fast: SpeedVerdict) -> Option<bool> {
    match fast {
        SpeedVerdict::Met { target } | SpeedVerdict::NotYet { target } => {
            Some(attempt.low <= target && target <= attempt.high)
        }
        _ => None,
    }
}

/// The verdict's figures: the attempt's speedup with its interval, the
/// target, and how firmly the one clears the other.
pub fn margin_text(attempt: &Ratio, fast: SpeedVerdict) -> Option<String> {
    let n = crate::lab::stats::number;
    let speedup = format!(
        "{}× ({}–{}×)",
        n(attempt.median),
        n(attempt.low),
        n(attempt.high)
    );
    let target = match fast {
        SpeedVerdict::Met { target }
        | SpeedVerdict::NotYet { target }
        | SpeedVerdict::Slower { target } => n(target),
        _ => return None,
    };
    Some(match (fast, at_the_edge(attempt, fast)) {
        (SpeedVerdict::Slower { .. }, _) => {
            format!("{speedup} of the naive form's speed, against a target of {target}×")
        }
        (_, Some(true)) => format!(
            "{speedup} against a target of {target}×, which lies inside the interval: at the \
             edge, a grade another run may turn; `--instructions` grades without the machine"
        ),
        (SpeedVerdict::Met { .. }, _) => {
            format!("{speedup} against a target of {target}×, the whole interval above it")
        }
        _ => format!("{speedup} against a target of {target}×, the whole interval below it"),
    })
}
