//! A check as the learner reads it.

use std::fmt::Write as _;

use super::check::{Check, REPLAYED};
use super::clean::Clean;
use super::correct::Correctness;
use super::speed::{ATTEMPT, SpeedVerdict};

/// Where a check's failing input is written, under the checkout:
/// `target/exercises/zakat_pooling.failing.json` for `zakat_pooling.rs`.
pub fn failing_path(file: &str) -> String {
    format!(
        "target/exercises/{}.failing.json",
        file.trim_end_matches(".rs")
    )
}

/// How to see a failure again: the saved input, replayed, or the seed.
fn again(out: &mut String, v: &Check, file: &str, seed: u64) {
    if v.verdict.starts_with(REPLAYED) {
        let _ = writeln!(
            out,
            "    (the input is in {}; `--replay` runs it again)",
            failing_path(file)
        );
    } else if v.correct.saved().is_some() {
        let _ = writeln!(
            out,
            "    (the input is in {};\n     `cargo exercise check {} --replay` runs it \
             alone,\n     `--seed {seed}` the whole check again)",
            failing_path(file),
            v.exercise
        );
    } else {
        let _ = writeln!(
            out,
            "    (again: `cargo exercise check {} --seed {seed}`)",
            v.exercise
        );
    }
}

/// The check as a terminal shows it.
pub fn render(v: &Check, file: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "exercise {} ({file})", v.exercise);
    match &v.correct {
        Correctness::Correct { .. } if v.verdict.starts_with(REPLAYED) => {
            let _ = writeln!(
                out,
                "  correct: yes, the naive form's output on the saved input"
            );
        }
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
            ..
        } => {
            let _ = writeln!(out, "  correct: no, on {input}");
            for line in difference.to_string().lines() {
                let _ = writeln!(out, "    {line}");
            }
            again(&mut out, v, file, *seed);
        }
        Correctness::Race {
            input,
            runs,
            outputs,
            threads,
            seed,
            ..
        } => {
            let counts: Vec<String> = threads.iter().map(usize::to_string).collect();
            let _ = writeln!(
                out,
                "  correct: no, it differs from run to run on the same input: a race \
                 ({outputs} different outputs in {runs} runs of {input}, at {} threads)",
                counts.join(", ")
            );
            again(&mut out, v, file, *seed);
        }
        Correctness::Panicked {
            input,
            message,
            seed,
            ..
        } => {
            let _ = writeln!(out, "  correct: no, the attempt panicked on {input}");
            for line in message.lines() {
                let _ = writeln!(out, "    {line}");
            }
            again(&mut out, v, file, *seed);
        }
    }
    match &v.keeps {
        Some(super::def::Kept::Kept) => {
            let _ = writeln!(out, "  keeps what the exercise asks: yes");
        }
        Some(super::def::Kept::NotKept { what }) => {
            let _ = writeln!(out, "  keeps what the exercise asks: no, {what}");
        }
        None => {}
    }
    if !v.borrowed.is_empty() {
        let _ = writeln!(
            out,
            "  own work: no, it calls the lab's own code in its place: {}",
            v.borrowed
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
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
                crate::lab::measure::format_count(s.elements),
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
                    crate::lab::measure::format_ns(s.ns[idx]),
                    crate::lab::measure::format_count(s.allocations[idx]),
                    if s.allocations[idx] == 1 { " " } else { "s" }
                );
            }
            let _ = match fast {
                SpeedVerdict::Met { target } => writeln!(
                    out,
                    "    target {}× (half the expert's speedup, on a log scale): met",
                    crate::lab::stats::number(target)
                ),
                SpeedVerdict::NotYet { target } => writeln!(
                    out,
                    "    target {}× (half the expert's speedup, on a log scale): not yet",
                    crate::lab::stats::number(target)
                ),
                SpeedVerdict::Slower { target } => writeln!(
                    out,
                    "    target {}× (half the expert's speedup, on a log scale): not yet; the \
                     attempt is slower than the naive form",
                    crate::lab::stats::number(target)
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
        let ratio = |n: u64| crate::lab::stats::number(i.naive as f64 / n.max(1) as f64);
        let _ = writeln!(
            out,
            "  instructions (callgrind, one run, tiny scale): naive {}, attempt {} ({}× fewer), \
             optimized {} ({}× fewer)",
            crate::lab::measure::format_count(i.naive),
            crate::lab::measure::format_count(i.attempt),
            ratio(i.attempt),
            crate::lab::measure::format_count(i.optimized),
            ratio(i.optimized)
        );
    }
    if let Some(grade) = v.instruction_grade {
        let _ = writeln!(out, "  instruction grade: {}", grade.text());
    }
    let _ = write!(out, "verdict: {}", v.verdict);
    out
}
