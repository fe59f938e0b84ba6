//! `mizan compare A.json B.json`: the same lessons of two runs side by
//! side (two machines, two allocators, before and after a change), every
//! ratio with its interval and a verdict per row.
//!
//! Absolute times are not compared (the machines need not be the same
//! model, and even one machine drifts between runs): ratios and their
//! verdicts are. Two runs **agree** on a ratio when their intervals
//! overlap. When they overlap but the verdicts differ (one run says
//! "faster", the other "no measurable difference"), the flip is **noise**,
//! not a finding: with a hundred 95 % intervals in a run, a few miss by
//! chance. Only intervals that do not overlap **differ**.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::results::{LessonResult, Measured, Report};
use super::stats::{Ratio, number};

/// How two runs' intervals of one ratio relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// The intervals overlap and the verdicts are the same.
    Agree,
    /// The intervals overlap, the verdicts differ: noise.
    Noise,
    /// The intervals do not overlap: B is higher than A.
    Higher,
    /// The intervals do not overlap: B is lower than A.
    Lower,
}

impl Agreement {
    /// How two intervals of the same ratio relate.
    pub fn of(a: &Ratio, b: &Ratio) -> Agreement {
        if !a.overlaps(b) {
            if b.low > a.high {
                Agreement::Higher
            } else {
                Agreement::Lower
            }
        } else if a.verdict() == b.verdict() {
            Agreement::Agree
        } else {
            Agreement::Noise
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Agreement::Agree => "agree",
            Agreement::Noise => "noise: the verdict flips, the intervals overlap",
            Agreement::Higher => "differ: higher in B",
            Agreement::Lower => "differ: lower in B",
        }
    }
}

/// Every ratio of a lesson's results, by name: each form over naive, the
/// optimized form over its limit, each form at each thread count over
/// itself at one thread.
fn ratios(m: &Measured) -> Vec<(String, Ratio)> {
    let mut out = Vec::new();
    for form in &m.forms[1..] {
        if let Some(r) = form.over_naive {
            out.push((format!("{} over naive", form.name), r));
        }
    }
    if let Some(limit) = &m.limit {
        out.push(("optimized / limit".to_owned(), limit.optimized_over_limit));
    }
    for point in m.scaling.iter().filter(|p| p.threads > 1) {
        for (form, r) in m.forms.iter().zip(&point.over_one_thread) {
            out.push((
                format!("{} at {} threads over 1", form.name, point.threads),
                *r,
            ));
        }
    }
    out
}

/// The comparison as Markdown: both fingerprints, one row per ratio of
/// every lesson measured in both, and the count of each agreement.
pub fn markdown(a: &Report, b: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "A: {}\n", a.machine.summary());
    let _ = writeln!(out, "B: {}\n", b.machine.summary());
    if a.machine.cpu != b.machine.cpu || a.machine.cores != b.machine.cores {
        out.push_str(
            "Different machines: absolute times are not compared; ratios and verdicts are.\n\n",
        );
    }
    let in_b: HashMap<String, &LessonResult> = b.results.iter().map(|r| (label(r), r)).collect();
    out.push_str("| lesson | ratio | A | B | verdict |\n|---|---|---:|---:|---|\n");
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut only: Vec<String> = Vec::new();
    for ra in &a.results {
        let Some(rb) = in_b.get(&label(ra)) else {
            only.push(format!("`{}` only in A", label(ra)));
            continue;
        };
        let (Some(ma), Some(mb)) = (&ra.measured, &rb.measured) else {
            let _ = writeln!(
                out,
                "| {} | – | {} | {} | not compared: a run failed it |",
                label(ra),
                if ra.measured.is_some() {
                    "measured"
                } else {
                    "FAILED"
                },
                if rb.measured.is_some() {
                    "measured"
                } else {
                    "FAILED"
                },
            );
            continue;
        };
        let scale_note = if ra.scale != rb.scale || ra.elements != rb.elements {
            format!(
                " (inputs differ: {} and {} records)",
                ra.elements, rb.elements
            )
        } else {
            String::new()
        };
        let rb_ratios: HashMap<String, Ratio> = ratios(mb).into_iter().collect();
        for (name, ratio_a) in ratios(ma) {
            let Some(ratio_b) = rb_ratios.get(&name) else {
                continue;
            };
            let verdict = if !ma.reliable() || !mb.reliable() {
                "unreliable: a run did not get its cores".to_owned()
            } else {
                let agreement = Agreement::of(&ratio_a, ratio_b);
                *counts.entry(agreement.describe()).or_default() += 1;
                agreement.describe().to_owned()
            };
            let _ = writeln!(
                out,
                "| {}{scale_note} | {name} | {ratio_a} | {ratio_b} | {verdict} |",
                label(ra)
            );
        }
    }
    for rb in &b.results {
        if !a.results.iter().any(|ra| label(ra) == label(rb)) {
            only.push(format!("`{}` only in B", label(rb)));
        }
    }
    let _ = writeln!(
        out,
        "\nGeometric mean of naive / optimized over the lessons of each run: A {}×, B {}×.",
        number(geometric_mean(a)),
        number(geometric_mean(b))
    );
    let mut tally: Vec<_> = counts.into_iter().collect();
    tally.sort();
    let tally: Vec<String> = tally.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let _ = writeln!(out, "\nRows: {}.", tally.join("; "));
    if !only.is_empty() {
        let _ = writeln!(out, "\n{}.", only.join("; "));
    }
    out
}

/// A result's name in the comparison: its id, marked for a contrast run.
fn label(result: &LessonResult) -> String {
    match &result.contrast {
        Some(name) => format!("{} (contrast: {name})", result.id),
        None => result.id.clone(),
    }
}

/// The geometric mean of every measured lesson's median speedup (not its
/// contrast's).
pub fn geometric_mean(report: &Report) -> f64 {
    let logs: Vec<f64> = report
        .results
        .iter()
        .filter(|r| r.contrast.is_none())
        .filter_map(|r| r.measured.as_ref())
        .map(|m| m.speedup().median.ln())
        .collect();
    if logs.is_empty() {
        return 1.0;
    }
    (logs.iter().sum::<f64>() / logs.len() as f64).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(values: &mut [f64]) -> Ratio {
        Ratio::of_ratios(values).unwrap()
    }

    #[test]
    fn agreement_is_read_from_the_intervals() {
        let a = ratio(&mut [1.9, 2.0, 2.1]);
        assert_eq!(
            Agreement::of(&a, &ratio(&mut [2.05, 2.2, 2.3])),
            Agreement::Agree
        );
        assert_eq!(
            Agreement::of(&a, &ratio(&mut [2.5, 2.6, 2.7])),
            Agreement::Higher
        );
        assert_eq!(
            Agreement::of(&a, &ratio(&mut [1.1, 1.2, 1.3])),
            Agreement::Lower
        );
        // Faster in A; no measurable difference in B; the intervals
        // overlap: noise.
        let a = ratio(&mut [1.02, 1.05, 1.08]);
        let b = ratio(&mut [0.98, 1.03, 1.06]);
        assert_eq!(Agreement::of(&a, &b), Agreement::Noise);
    }
}
