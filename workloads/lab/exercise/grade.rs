//! A teacher's grades: every student's attempts, checked one after
//! another on one machine, in one table (`cargo exercise grade DIR`).
//!
//! The command builds the checker once a student (their folder compiled in
//! place of `exercises/attempts/`), runs `check --json` on each of their
//! attempt files, and reads each check back into a [`Row`]; [`grade`] does
//! the same in one process for attempts handed in as functions (its tests'
//! seam). Either way the table is made by [`markdown`] and [`csv`] from the
//! rows: a check's JSON is the one record of a grade.

use serde_json::Value;

use super::check::{Made, check};
use super::clean::Clean;
use super::def::{Exercise, Which};
use crate::lab::runner::RunOptions;

/// One student's attempt at one exercise, as graded.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The student's folder's name.
    pub student: String,
    /// The exercise (`zakat/pooling`).
    pub exercise: String,
    /// The attempt file's FNV-1a digest (16 hex digits).
    pub digest: String,
    /// Correct on every input? (`None`: not checked.)
    pub correct: Option<bool>,
    /// Nothing outside the attempts changed in the checkout? (`None`: not
    /// checked.)
    pub clean: Option<bool>,
    /// The attempt's speed over naive, with its interval, when timed.
    pub speedup: Option<(f64, f64, f64)>,
    /// The speedup asked for, when timed.
    pub target: Option<f64>,
    /// Naive's instructions over the attempt's, when counted.
    pub instructions: Option<f64>,
    /// The check's one-line verdict (or why there is no check: the
    /// attempt does not compile, the file is no exercise's).
    pub verdict: String,
    /// Whether it passed.
    pub passed: bool,
}

impl Row {
    /// The row of a check, read from its JSON (`check --json`'s output).
    pub fn of_check(student: &str, digest: &str, check: &Value) -> Row {
        let f = |v: &Value| v.as_f64();
        let speed = &check["speed"]["attempt"];
        let speedup = match (f(&speed["median"]), f(&speed["low"]), f(&speed["high"])) {
            (Some(m), Some(l), Some(h)) => Some((m, l, h)),
            _ => None,
        };
        let instructions = match (
            check["instructions"]["naive"].as_u64(),
            check["instructions"]["attempt"].as_u64(),
        ) {
            (Some(naive), Some(attempt)) => Some(naive as f64 / attempt.max(1) as f64),
            _ => None,
        };
        Row {
            student: student.to_owned(),
            exercise: check["exercise"].as_str().unwrap_or("?").to_owned(),
            digest: digest.to_owned(),
            correct: Some(check["correct"]["outcome"] == "correct"),
            clean: Some(check["clean"]["outcome"] == "clean"),
            speedup,
            target: f(&check["fast"]["target"]),
            instructions,
            verdict: check["verdict"].as_str().unwrap_or("?").to_owned(),
            passed: check["passed"].as_bool().unwrap_or(false),
        }
    }

    /// A row for an attempt that has no check: `why` (it does not compile;
    /// the file names no exercise).
    pub fn unchecked(student: &str, exercise: &str, digest: &str, why: &str) -> Row {
        Row {
            student: student.to_owned(),
            exercise: exercise.to_owned(),
            digest: digest.to_owned(),
            correct: None,
            clean: None,
            speedup: None,
            target: None,
            instructions: None,
            verdict: why.to_owned(),
            passed: false,
        }
    }
}

/// The FNV-1a digest of an attempt's text, as a check's `made` names it.
pub fn digest(source: &str) -> String {
    format!(
        "{:016x}",
        crate::lab::stamp::fnv1a(crate::lab::stamp::FNV_OFFSET, source.as_bytes())
    )
}

/// One attempt handed to [`grade`]: the student, the exercise (whose
/// `attempt` is the student's function) and the attempt's source.
pub struct Entry<'a> {
    /// The student's name.
    pub student: &'a str,
    /// The exercise, its attempt the student's.
    pub exercise: &'a dyn Exercise,
    /// The attempt's file, as handed in.
    pub source: &'a str,
}

/// Grades attempts in this process, one after another, as the command
/// does one process a student: each checked (timed when `options` say
/// how), its source read for the lab's own code, into rows.
pub fn grade(entries: &[Entry<'_>], seed: u64, options: Option<RunOptions>) -> Vec<Row> {
    entries
        .iter()
        .map(|entry| {
            let e = entry.exercise;
            let borrowed = super::own::borrowed(entry.source, e.start_text(), e.may_call());
            let checked =
                check(e, Which::Attempt, seed, options, Clean::Clean).with_borrowed(borrowed);
            let json = serde_json::to_value(&checked).unwrap_or(Value::Null);
            Row::of_check(entry.student, &digest(entry.source), &json)
        })
        .collect()
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `yes`, `no`, or `–` where there was no check.
fn checked(b: Option<bool>) -> &'static str {
    b.map_or("–", yes)
}

fn speedup_cell(row: &Row) -> String {
    let n = crate::lab::stats::number;
    row.speedup.map_or("–".to_owned(), |(m, l, h)| {
        format!("{}× ({}–{})", n(m), n(l), n(h))
    })
}

fn ratio_cell(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |v| {
        format!("{}×", crate::lab::stats::number(v))
    })
}

/// The grades as a Markdown table, with the machine, the checker's commit
/// and when, and each attempt's digest.
pub fn markdown(rows: &[Row], made: &Made) -> String {
    let mut out = format!(
        "Grades made by `cargo exercise grade` at {} on {}, checker commit {}{}.\n\n\
         | student | exercise | correct | clean | speedup (interval) | target | instructions | verdict | attempt digest |\n\
         |---|---|---|---|---:|---:|---:|---|---|\n",
        made.at,
        made.machine,
        &made.commit[..made.commit.len().min(10)],
        if made.dirty {
            " (with changes besides the attempts)"
        } else {
            ""
        }
    );
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | `{}` |\n",
            row.student.replace('|', "\\|"),
            row.exercise,
            checked(row.correct),
            checked(row.clean),
            speedup_cell(row),
            ratio_cell(row.target),
            ratio_cell(row.instructions),
            row.verdict.replace('|', "\\|").replace('\n', " "),
            row.digest
        ));
    }
    let passed = rows.iter().filter(|r| r.passed).count();
    out.push_str(&format!("\n{passed} of {} attempts passed.\n", rows.len()));
    out
}

/// The grades as CSV (RFC 4180: text fields quoted, `"` doubled), a
/// header line first; the machine, commit and time in columns of their
/// own. A text field a spreadsheet would take for a formula (`=`, `+`,
/// `-`, `@` first) gets a `'` first.
pub fn csv(rows: &[Row], made: &Made) -> String {
    let quote = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    let mut out = String::from(
        "student,exercise,correct,clean,speedup,speedup_low,speedup_high,target,\
         instruction_ratio,verdict,passed,attempt_digest,commit,machine,at\n",
    );
    for row in rows {
        let fields = [
            quote(&row.student),
            quote(&row.exercise),
            row.correct.map_or("", yes).to_owned(),
            row.clean.map_or("", yes).to_owned(),
            number(row.speedup.map(|s| s.0)),
            number(row.speedup.map(|s| s.1)),
            number(row.speedup.map(|s| s.2)),
            number(row.target),
            number(row.instructions),
            quote(&row.verdict),
            yes(row.passed).to_owned(),
            quote(&row.digest),
            quote(&made.commit),
            quote(&made.machine),
            quote(&made.at),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::exercise::correct::{Correctness, Plan};
    use crate::lab::exercise::speed::Speed;
    use crate::lab::stats::Ratio;

    /// An exercise whose attempt's correctness and timing are given: the
    /// student's work, as the checker would find it.
    struct Given {
        correct: Correctness,
        speedup: f64,
    }

    fn ratio(median: f64) -> Ratio {
        Ratio {
            median,
            low: median - 0.5,
            high: median + 0.5,
            pairs: 30,
            slices: 6,
            coverage: 0.95,
        }
    }

    impl Exercise for Given {
        fn id(&self) -> &'static str {
            "zakat/copying"
        }
        fn file(&self) -> &'static str {
            "zakat_copying.rs"
        }
        fn start_text(&self) -> &'static str {
            "use mizan::lessons::zakat::inputs::Lines;\npub fn attempt() {}\n"
        }
        fn hint(&self) -> &'static str {
            ""
        }
        fn may_call(&self) -> &'static [&'static str] {
            &[]
        }
        fn correctness(&self, _: Which, _: u64, _: Plan) -> Correctness {
            self.correct.clone()
        }
        fn replay(&self, _: Which, _: &str) -> Result<Correctness, String> {
            Err("none".into())
        }
        fn speed(&self, _: Which, _: RunOptions) -> Result<Speed, String> {
            Ok(Speed {
                scale: crate::lab::lesson::Scale::Default,
                elements: 1000,
                ns: [300, 100, 100],
                allocations: [0, 0, 0],
                attempt: ratio(self.speedup),
                expert: ratio(3.0),
                reliable: true,
            })
        }
        fn run_one(&self, _: &str, _: crate::lab::lesson::Scale, _: u64) -> Result<(), String> {
            Ok(())
        }
    }

    #[test]
    fn a_class_is_graded_into_one_table() {
        let correct = Correctness::Correct {
            inputs: 5,
            cases: 64,
        };
        let fast = Given {
            correct: correct.clone(),
            speedup: 3.0,
        };
        let wrong = Given {
            correct: Correctness::Wrong {
                input: "payers of seed 1".into(),
                difference: crate::lab::diff::Difference {
                    at: "[0]".into(),
                    id: None,
                    fields: Vec::new(),
                },
                seed: 1,
                saved: None,
            },
            speedup: 1.0,
        };
        let own = "use mizan::lessons::zakat::inputs::Lines;\n\
                   pub fn attempt(lines: &Lines) -> u64 { my_own(lines) }\n";
        let delegating = "pub fn attempt(i: &I) -> O { \
                          (mizan::lessons::zakat::copying::LESSON.optimized)(i) }\n";
        let options = RunOptions {
            scale: crate::lab::lesson::Scale::Tiny,
            fit_scale: false,
            runs: Some(1),
            budget: std::time::Duration::from_secs(1),
            seed: 1,
            progress: false,
        };
        let rows = grade(
            &[
                Entry {
                    student: "amina",
                    exercise: &fast,
                    source: own,
                },
                Entry {
                    student: "bilal",
                    exercise: &wrong,
                    source: own,
                },
                Entry {
                    student: "chen",
                    exercise: &fast,
                    source: delegating,
                },
            ],
            1,
            Some(options),
        );
        let summary: Vec<(&str, bool, bool, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.student.as_str(),
                    r.correct == Some(true),
                    r.clean == Some(true),
                    r.passed,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("amina", true, true, true),
                ("bilal", false, true, false),
                ("chen", true, true, false)
            ]
        );
        assert_eq!(rows[0].speedup, Some((3.0, 2.5, 3.5)));
        assert_eq!(rows[0].target, Some(3.0f64.sqrt()));
        assert_eq!(rows[1].speedup, None);
        assert_eq!(rows[0].digest, digest(own));
        assert!(
            rows[1].verdict.starts_with("not correct"),
            "{}",
            rows[1].verdict
        );
        assert!(
            rows[2]
                .verdict
                .starts_with("not passed: it uses the lab's own code"),
            "{}",
            rows[2].verdict
        );
        let made = Made {
            attempt: None,
            commit: "0123456789abcdef".into(),
            dirty: false,
            machine: "AMD EPYC, 2 cores".into(),
            at: "2026-12-07T10:00:00Z".into(),
        };
        let table = markdown(&rows, &made);
        assert!(table.starts_with(
            "Grades made by `cargo exercise grade` at 2026-12-07T10:00:00Z on AMD EPYC, 2 \
             cores, checker commit 0123456789.\n"
        ));
        assert!(
            table.contains(
                "| amina | zakat/copying | yes | yes | 3.00× (2.50–3.50) | 1.73× | – | passed: "
            ),
            "{table}"
        );
        assert!(table.contains("| bilal | zakat/copying | no | yes | – | – | – | not correct"));
        assert!(table.ends_with("\n1 of 3 attempts passed.\n"), "{table}");
        let csv = csv(&rows, &made);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("student,exercise,correct,clean,speedup,"));
        assert!(lines[1].starts_with(
            "\"amina\",\"zakat/copying\",yes,yes,3.0000,2.5000,3.5000,1.7321,,\"passed: "
        ));
        assert!(lines[3].contains(",no,\""), "{}", lines[3]);
        let formula = Row::unchecked("=cmd()", "x", "ff", "-1");
        assert!(super::csv(&[formula], &made).contains("\"'=cmd()\",\"x\",,,"));
        let unchecked = Row::unchecked("dana", "zakat/copying", "ff", "does not compile: error");
        assert!(markdown(&[unchecked], &made).contains(
            "| dana | zakat/copying | – | – | – | – | – | does not compile: error | `ff` |"
        ));
    }
}
