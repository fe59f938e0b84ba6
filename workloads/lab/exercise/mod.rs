//! Exercises: every lesson as a starting point the learner rewrites, and
//! the checker that grades the attempt the way the lab grades its own
//! forms.
//!
//! An exercise is the lesson's naive form, with its signature fixed, in a
//! file of its own in the `exercises/` crate. [`check`] then asks three
//! things of the attempt:
//!
//! - **correct**: the same output as the lesson's naive form (which the
//!   lab's tests hold equal to the optimized form and the reference) on the
//!   lesson's inputs at several seeds, and on its property-test generator's
//!   random inputs out to the edges; a difference is shown record by
//!   record and field by field ([`super::diff`]), a panic is caught and
//!   reported, and the seed that reproduces either is printed;
//! - **clean**: nothing in the lab's tree changed but the attempt (git), so
//!   that a change to the reference, the generators or the timer cannot
//!   pass;
//! - **fast**: naive, the attempt and the lab's optimized form timed by the
//!   lab's own runner, in alternation, with each ratio's interval and the
//!   allocation counts; the target is a share of the expert's speedup.
//!
//! The checker's logic is here, in the library, so that its tests can hand
//! it attempts as function pointers and timings as numbers.
//!
//! The parts: [`def`] (an exercise as the checker sees it), [`correct`],
//! [`clean`], [`speed`], [`count`] (the instruction-count grade), [`check`]
//! (the three together, and the verdict), [`render`] and [`grade`] (a
//! class's attempts in one table).

pub mod check;
pub mod clean;
pub mod correct;
pub mod count;
pub mod def;
pub mod grade;
pub mod own;
pub mod render;
pub mod speed;

pub use check::{BUDGET, Check, Made, RETRY_PAUSE, check, check_replay, check_retrying, overall};
pub use clean::{Clean, changed, cleanliness};
pub use correct::{Correctness, FULL, Plan, check_correct};
pub use count::{InstructionCounts, InstructionVerdict, instruction_counts};
pub use def::{Exercise, ExerciseDef, Kept, Which};
pub use render::{failing_path, render};
pub use speed::{ATTEMPT, Speed, SpeedVerdict, TARGET_SHARE, speed_verdict};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::stats::Ratio;

    fn ratio(median: f64, low: f64, high: f64) -> Ratio {
        Ratio {
            median,
            low,
            high,
            pairs: 30,
            slices: 6,
            coverage: 0.95,
        }
    }

    #[test]
    fn the_target_is_a_share_of_the_experts_speedup() {
        let expert = ratio(4.0, 3.8, 4.2);
        assert_eq!(
            speed_verdict(&ratio(2.1, 2.0, 2.2), &expert, 0.5, true),
            SpeedVerdict::Met { target: 2.0 }
        );
        assert_eq!(
            speed_verdict(&ratio(1.9, 1.8, 2.0), &expert, 0.5, true),
            SpeedVerdict::NotYet { target: 2.0 }
        );
        // Above the target by its median, but the interval holds 1.
        assert_eq!(
            speed_verdict(&ratio(2.5, 0.9, 3.0), &expert, 0.5, true),
            SpeedVerdict::NotYet { target: 2.0 }
        );
        // The starting point: naive against naive.
        assert_eq!(
            speed_verdict(&ratio(1.0, 0.97, 1.03), &expert, 0.5, true),
            SpeedVerdict::NotYet { target: 2.0 }
        );
        // The expert is no faster: nothing to ask.
        assert_eq!(
            speed_verdict(&ratio(1.0, 0.97, 1.03), &ratio(1.02, 0.95, 1.1), 0.5, true),
            SpeedVerdict::NoTarget
        );
        assert_eq!(
            speed_verdict(&ratio(9.0, 8.0, 10.0), &expert, 0.5, false),
            SpeedVerdict::Unreliable
        );
        // Correct and slower than naive: a verdict of its own.
        assert_eq!(
            speed_verdict(&ratio(0.55, 0.5, 0.6), &expert, 0.5, true),
            SpeedVerdict::Slower { target: 2.0 }
        );
    }

    #[test]
    fn a_verdict_names_its_margin() {
        use super::speed::{at_the_edge, margin_text};
        let met = SpeedVerdict::Met { target: 1.39 };
        let clear = ratio(2.26, 2.1, 2.4);
        assert_eq!(at_the_edge(&clear, met), Some(false));
        assert_eq!(
            margin_text(&clear, met).unwrap(),
            "2.26× (2.10–2.40×) against a target of 1.39×, the whole interval above it"
        );
        // The target inside the interval: not met yet, and a grade
        // another run may turn.
        let edge = ratio(1.43, 1.30, 1.60);
        let expert = ratio(1.93, 1.9, 2.0);
        let not_yet = SpeedVerdict::NotYet {
            target: 1.93f64.sqrt(),
        };
        assert_eq!(speed_verdict(&edge, &expert, 0.5, true), not_yet);
        assert_eq!(at_the_edge(&edge, not_yet), Some(true));
        assert!(margin_text(&edge, not_yet).unwrap().contains("at the edge"));
        let not_yet = SpeedVerdict::NotYet { target: 1.39 };
        assert_eq!(
            margin_text(&ratio(1.10, 1.05, 1.15), not_yet).unwrap(),
            "1.10× (1.05–1.15×) against a target of 1.39×, the whole interval below it"
        );
        let slower = SpeedVerdict::Slower { target: 1.39 };
        assert_eq!(
            margin_text(&ratio(0.55, 0.5, 0.6), slower).unwrap(),
            "0.550× (0.500–0.600×) of the naive form's speed, against a target of 1.39×"
        );
        assert_eq!(margin_text(&clear, SpeedVerdict::NoTarget), None);
        assert_eq!(
            overall(
                &Correctness::Correct {
                    inputs: 5,
                    cases: 64
                },
                &Clean::Clean,
                Some(slower)
            ),
            ("correct, but slower than the naive form".to_owned(), false)
        );
    }

    #[test]
    fn only_the_attempts_may_change() {
        assert_eq!(changed(vec![]), Clean::Clean);
        assert_eq!(
            changed(vec![
                "exercises/attempts/zakat_pooling.rs".into(),
                "target/x".into()
            ]),
            Clean::Clean
        );
        assert_eq!(
            changed(vec![
                "workloads/lessons/zakat/pooling.rs".into(),
                "exercises/attempts/zakat_pooling.rs".into(),
                "workloads/lessons/zakat/pooling.rs".into(),
            ]),
            Clean::Changed {
                paths: vec!["workloads/lessons/zakat/pooling.rs".into()]
            }
        );
    }

    #[test]
    fn a_pass_needs_all_three() {
        let correct = Correctness::Correct {
            inputs: 5,
            cases: 64,
        };
        let met = Some(SpeedVerdict::Met { target: 2.0 });
        assert_eq!(
            overall(&correct, &Clean::Clean, met),
            ("passed".to_owned(), true)
        );
        assert_eq!(
            overall(
                &correct,
                &Clean::Clean,
                Some(SpeedVerdict::NotYet { target: 2.0 })
            ),
            ("correct, not yet faster".to_owned(), false)
        );
        assert_eq!(
            overall(&correct, &Clean::Clean, Some(SpeedVerdict::NoTarget)),
            ("passed".to_owned(), true)
        );
        let dirty = Clean::Changed {
            paths: vec!["workloads/lab/runner.rs".into()],
        };
        assert_eq!(
            overall(&correct, &dirty, met),
            (
                "correct and fast; not clean: files outside the attempt changed".to_owned(),
                false
            )
        );
        assert!(
            !overall(
                &correct,
                &Clean::Unknown {
                    reason: "no git".into()
                },
                met
            )
            .1
        );
        assert!(!overall(&correct, &Clean::Clean, Some(SpeedVerdict::Unreliable)).1);
        assert!(!overall(&correct, &Clean::Clean, None).1);
        let panicked = Correctness::Panicked {
            input: "x".into(),
            message: "boom".into(),
            seed: 1,
            saved: None,
        };
        assert_eq!(
            overall(&panicked, &Clean::Clean, None),
            ("not correct: the attempt panicked".to_owned(), false)
        );
    }

    #[test]
    fn an_attempt_calling_the_labs_own_code_does_not_pass() {
        let check = Check {
            exercise: "zakat/copying".into(),
            correct: Correctness::Correct {
                inputs: 5,
                cases: 64,
            },
            clean: Clean::Clean,
            speed: None,
            fast: Some(SpeedVerdict::Met { target: 2.0 }),
            speed_error: None,
            instructions: None,
            instruction_grade: None,
            keeps: None,
            borrowed: Vec::new(),
            made: None,
            verdict: "passed".into(),
            passed: true,
        };
        let own = check.clone().with_borrowed(Vec::new());
        assert!(own.passed);
        // Where the lesson set no speed target, or the instruction count
        // passed it, the verdict says so, not "fast".
        let mut untargeted = check.clone();
        untargeted.fast = Some(SpeedVerdict::NoTarget);
        let mut counted = check.clone();
        counted.fast = None;
        let mut uncounted = counted.clone();
        uncounted.instruction_grade = Some(InstructionVerdict::NoTarget);
        for (check, how) in [
            (
                untargeted,
                "correct and clean (this lesson sets no speed target)",
            ),
            (counted, "correct, clean and fast by instruction count"),
            (
                uncounted,
                "correct and clean (this lesson sets no instruction target)",
            ),
        ] {
            let borrowed =
                check.with_borrowed(vec!["mizan::lessons::zakat::copying::LESSON".into()]);
            assert_eq!(
                borrowed.verdict,
                format!(
                    "not passed: it uses the lab's own code \
                     (mizan::lessons::zakat::copying::LESSON); {how}"
                )
            );
        }
        let borrowed = check.with_borrowed(vec!["mizan::lessons::zakat::copying::LESSON".into()]);
        assert!(!borrowed.passed);
        assert_eq!(
            borrowed.verdict,
            "not passed: it uses the lab's own code (mizan::lessons::zakat::copying::LESSON); \
             correct, clean and fast as it is"
        );
        let json = serde_json::to_value(&borrowed).unwrap();
        assert_eq!(
            json["borrowed"][0],
            "mizan::lessons::zakat::copying::LESSON"
        );
        let text = render(&borrowed, "zakat_copying.rs");
        assert!(
            text.contains(
                "  own work: no, it calls the lab's own code in its place: \
                 `mizan::lessons::zakat::copying::LESSON`\n"
            ),
            "{text}"
        );
    }

    /// An exercise whose timing is unreliable until its `reliable_from`th
    /// run: the retries' seam.
    struct Flaky {
        timed: std::sync::atomic::AtomicUsize,
        reliable_from: usize,
        /// What its constraint finds.
        keeps: Option<Kept>,
    }

    impl Exercise for Flaky {
        fn id(&self) -> &'static str {
            "murabaha/false-sharing"
        }
        fn file(&self) -> &'static str {
            "murabaha_false_sharing.rs"
        }
        fn start_text(&self) -> &'static str {
            ""
        }
        fn hint(&self) -> &'static str {
            ""
        }
        fn may_call(&self) -> &'static [&'static str] {
            &[]
        }
        fn correctness(&self, _: Which, _: u64, _: Plan) -> Correctness {
            Correctness::Correct {
                inputs: 1,
                cases: 0,
            }
        }
        fn replay(&self, _: Which, _: &str) -> Result<Correctness, String> {
            Err("none".into())
        }
        fn speed(&self, _: Which, _: crate::lab::runner::RunOptions) -> Result<Speed, String> {
            let n = self.timed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            Ok(Speed {
                scale: crate::lab::lesson::Scale::Tiny,
                elements: 1,
                ns: [3, 1, 1],
                allocations: [0, 0, 0],
                attempt: ratio(3.0, 2.9, 3.1),
                expert: ratio(3.0, 2.9, 3.1),
                reliable: n >= self.reliable_from,
            })
        }
        fn run_one(&self, _: &str, _: crate::lab::lesson::Scale, _: u64) -> Result<(), String> {
            Ok(())
        }
        fn keeps(&self, _: Which) -> Option<Kept> {
            self.keeps.clone()
        }
    }

    /// Run options for a timing the fake exercises answer themselves.
    fn one_tiny_run() -> crate::lab::runner::RunOptions {
        crate::lab::runner::RunOptions {
            scale: crate::lab::lesson::Scale::Tiny,
            fit_scale: false,
            runs: Some(1),
            budget: std::time::Duration::from_secs(1),
            seed: 1,
            progress: false,
        }
    }

    #[test]
    fn a_thread_exercise_is_timed_again_until_the_cores_are_given() {
        let options = one_tiny_run();
        let flaky = |reliable_from| Flaky {
            timed: std::sync::atomic::AtomicUsize::new(0),
            reliable_from,
            keeps: None,
        };
        let pause = std::time::Duration::ZERO;
        // Reliable on the third timing: two retries reach it, one does not.
        let e = flaky(3);
        let once = check_retrying(&e, Which::Attempt, 1, Some(options), Clean::Clean, 1, pause);
        assert_eq!(once.fast, Some(SpeedVerdict::Unreliable));
        assert_eq!(e.timed.load(std::sync::atomic::Ordering::SeqCst), 2);
        let e = flaky(3);
        let twice = check_retrying(&e, Which::Attempt, 1, Some(options), Clean::Clean, 5, pause);
        assert!(twice.passed, "{}", twice.verdict);
        assert_eq!(e.timed.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn an_attempt_that_does_not_keep_the_exercises_constraint_does_not_pass() {
        let options = one_tiny_run();
        let what = "a monitor saw 0 counts between none and the last (no table was published)";
        let with = |keeps| Flaky {
            timed: std::sync::atomic::AtomicUsize::new(0),
            reliable_from: 0,
            keeps,
        };
        let kept = check(
            &with(Some(Kept::Kept)),
            Which::Attempt,
            1,
            Some(options),
            Clean::Clean,
        );
        assert!(kept.passed, "{}", kept.verdict);
        assert!(render(&kept, "x.rs").contains("  keeps what the exercise asks: yes\n"));
        let broken = check(
            &with(Some(Kept::NotKept { what: what.into() })),
            Which::Attempt,
            1,
            Some(options),
            Clean::Clean,
        );
        assert!(!broken.passed);
        assert_eq!(
            broken.verdict,
            format!(
                "not passed: it does not keep what the exercise asks ({what}); correct, clean \
                 and fast as it is"
            )
        );
        assert!(
            render(&broken, "x.rs")
                .contains(&format!("  keeps what the exercise asks: no, {what}\n"))
        );
        let json = serde_json::to_value(&broken).unwrap();
        assert_eq!(json["keeps"]["kept"], "not_kept");
        assert_eq!(json["keeps"]["what"], what);
        // No constraint: nothing said of it.
        let none = check(&with(None), Which::Attempt, 1, Some(options), Clean::Clean);
        assert!(none.passed && serde_json::to_value(&none).unwrap().get("keeps").is_none());
    }

    #[test]
    fn the_instruction_grade_is_a_verdict_of_its_own() {
        let counts = InstructionCounts {
            naive: 1000,
            attempt: 400,
            optimized: 250,
        };
        // The expert runs 4× fewer: the target is its square root, as the
        // timed grade's.
        assert_eq!(
            counts.verdict(0.5, false),
            InstructionVerdict::Met {
                ratio: 2.5,
                target: 2.0
            }
        );
        let fewer = InstructionCounts {
            attempt: 800,
            ..counts
        };
        assert_eq!(
            fewer.verdict(0.5, false),
            InstructionVerdict::NotYet {
                ratio: 1.25,
                target: 2.0
            }
        );
        assert_eq!(counts.verdict(0.5, true), InstructionVerdict::Threads);
        let more = InstructionCounts {
            optimized: 1200,
            ..counts
        };
        assert_eq!(more.verdict(0.5, false), InstructionVerdict::NoTarget);
        // Untimed, the counts decide.
        let untimed = Check {
            exercise: "zakat/pooling".into(),
            correct: Correctness::Correct {
                inputs: 5,
                cases: 64,
            },
            clean: Clean::Clean,
            speed: None,
            fast: None,
            speed_error: Some(check::NOT_ASKED.into()),
            instructions: None,
            instruction_grade: None,
            keeps: None,
            borrowed: Vec::new(),
            made: None,
            verdict: "correct, not timed".into(),
            passed: false,
        };
        let met = untimed.clone().with_instructions(counts, false);
        assert!(met.passed);
        assert_eq!(
            met.verdict,
            "passed by instruction count: 2.50× fewer instructions than naive against a \
             target of 2.00×: met"
        );
        assert!(render(&met, "x.rs").contains(
            "  instruction grade: 2.50× fewer instructions than naive against a target of \
             2.00×: met\n"
        ));
        let json = serde_json::to_value(&met).unwrap();
        assert_eq!(json["instruction_grade"]["grade"], "met");
        assert_eq!(json["instruction_grade"]["target"], 2.0);
        let not_yet = untimed.clone().with_instructions(fewer, false);
        assert!(!not_yet.passed);
        assert!(
            not_yet
                .verdict
                .starts_with("correct, not yet fewer instructions: 1.25×"),
            "{}",
            not_yet.verdict
        );
        let threads = untimed.clone().with_instructions(counts, true);
        assert!(!threads.passed);
        assert!(
            threads.verdict.starts_with(
                "correct, not graded: no instruction grade for a lesson about threads"
            ),
            "{}",
            threads.verdict
        );
        // No target from the counts: a correct attempt passes, as timed.
        assert!(untimed.clone().with_instructions(more, false).passed);
        // A timing asked for that failed is not replaced by the counts.
        let failed = Check {
            speed_error: Some("the runner found a difference".into()),
            verdict: "not passed: the timing run failed: x".into(),
            ..untimed.clone()
        }
        .with_instructions(counts, false);
        assert!(!failed.passed);
        assert_eq!(failed.verdict, "not passed: the timing run failed: x");
        // Not clean: not passed, and said.
        let dirty = Check {
            clean: Clean::Changed {
                paths: vec!["workloads/lab/runner.rs".into()],
            },
            ..untimed.clone()
        }
        .with_instructions(counts, false);
        assert!(!dirty.passed);
        assert_eq!(
            dirty.verdict,
            "correct, and fewer instructions: 2.50× fewer instructions than naive against a \
             target of 2.00×: met; not clean: files outside the attempt changed"
        );
        // Timed, the time decides; the counts are shown beside it.
        let timed = Check {
            fast: Some(SpeedVerdict::Met { target: 2.0 }),
            speed_error: None,
            verdict: "passed".into(),
            passed: true,
            ..untimed
        }
        .with_instructions(fewer, false);
        assert!(timed.passed);
        assert_eq!(timed.verdict, "passed");
    }

    #[test]
    fn a_checks_figures_are_labelled_in_json() {
        let speed = Speed {
            scale: crate::lab::lesson::Scale::Tiny,
            elements: 1,
            ns: [300, 200, 100],
            allocations: [7, 1, 0],
            attempt: ratio(1.5, 1.4, 1.6),
            expert: ratio(3.0, 2.9, 3.1),
            reliable: true,
        };
        let json = serde_json::to_value(&speed).unwrap();
        assert_eq!(
            json["ns"],
            serde_json::json!({"naive": 300, "attempt": 200, "optimized": 100})
        );
        assert_eq!(json["allocations"]["naive"], 7);
        let back: Speed = serde_json::from_value(json).unwrap();
        assert_eq!(back, speed);
    }
}
