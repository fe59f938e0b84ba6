//! The exercise checker on attempts handed to it as function pointers:
//! wrong ones (a cent lost to truncation, a dropped record, a panic in a
//! worker thread) fail with the record and the field; the starting points
//! are correct and not yet faster; the lab's own optimized forms, put in
//! the attempt's place, pass. Timings are injected where a verdict is
//! tested, so that nothing here depends on the machine's noise.

use std::time::Duration;

use mizan::lab::exercise::{
    self, ATTEMPT, Check, Clean, Correctness, ExerciseDef, SpeedVerdict, Which,
};
use mizan::lab::lesson::{LessonDef, Scale};
use mizan::lab::runner::RunOptions;
use mizan::lessons::murabaha::inputs::ProcessedBook;
use mizan::lessons::murabaha::pre_allocation::{self as export, ExportRow};
use mizan::lessons::zakat::inputs::{self as lines_input, Lines, Totals, is_wealth};
use mizan::lessons::zakat::pre_allocation::{self as valuation, PayerValuation};
use mizan::lessons::zakat::sharding;
use mizan::zakat::ZakatInput;
use mizan::zakat::model::Asset;
use mizan::zakat::rules::{Context, zakatable_value};
use mizan_exercises::{EXERCISES, start};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

// Counted, as in the checker's own binary, so that allocations are figures.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

/// One test at a time: a timing counts every thread's allocations, so a
/// test beside it would add its own.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A cash line in a foreign currency, converted and cut to the cent
/// instead of rounded half up.
fn truncated(asset: &Asset, context: &Context) -> Decimal {
    match asset {
        Asset::Cash { amount, currency } => (*amount * context.fx_rate(*currency))
            .round_dp_with_strategy(2, RoundingStrategy::ToZero),
        _ => zakatable_value(asset, context).unwrap(),
    }
}

/// The zakat valuation, with [`truncated`]: off by a cent wherever a
/// conversion has a third place of five or more.
fn truncating(input: &ZakatInput) -> Vec<PayerValuation> {
    let context = Context::of(input);
    input
        .payers
        .iter()
        .map(|payer| {
            let lines: Vec<(u16, Decimal)> = payer
                .assets
                .iter()
                .enumerate()
                .filter(|(_, asset)| is_wealth(asset))
                .map(|(idx, asset)| (idx as u16, truncated(asset, &context)))
                .collect();
            let total = lines.iter().map(|(_, v)| *v).sum();
            PayerValuation { lines, total }
        })
        .collect()
}

#[test]
fn a_cent_lost_names_the_payer_the_line_and_the_total() {
    let _one = one_at_a_time();
    let lesson = &valuation::LINES;
    let Correctness::Wrong {
        input,
        difference,
        seed,
        ..
    } = exercise::check_correct(lesson, truncating, 1, exercise::FULL)
    else {
        panic!("a truncating attempt is wrong");
    };
    assert_eq!(input, "the lesson's input at the tiny scale, seed 1");
    assert_eq!(seed, 1);
    // The first payer and line where truncating and rounding part, found
    // here independently of the checker.
    let input_1 = (lesson.build)(Scale::Tiny, 1);
    let context = Context::of(&input_1);
    let (payer, line) = input_1
        .payers
        .iter()
        .enumerate()
        .find_map(|(p, payer)| {
            let wealth: Vec<&Asset> = payer.assets.iter().filter(|a| is_wealth(a)).collect();
            wealth
                .iter()
                .position(|a| truncated(a, &context) != zakatable_value(a, &context).unwrap())
                .map(|l| (p, l))
        })
        .expect("some conversion rounds up");
    assert_eq!(difference.at, format!("[{payer}]"));
    let paths: Vec<&str> = difference.fields.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths.first().copied(),
        Some(format!("lines[{line}].1").as_str())
    );
    assert_eq!(paths.last().copied(), Some("total"));
    // Each field off by exactly the cent the truncation lost (per line).
    let cent = Decimal::new(1, 2);
    let first = &difference.fields[0];
    let (expected, got): (Decimal, Decimal) =
        (first.expected.parse().unwrap(), first.got.parse().unwrap());
    assert_eq!(expected - got, cent);
}

/// The export with the last row dropped.
fn dropping(book: &ProcessedBook) -> Vec<ExportRow> {
    let mut rows = export::optimized(book);
    rows.pop();
    rows
}

#[test]
fn a_dropped_record_is_counted() {
    let _one = one_at_a_time();
    let Correctness::Wrong { difference, .. } =
        exercise::check_correct(&export::LESSON, dropping, 3, exercise::FULL)
    else {
        panic!("an attempt that drops a row is wrong");
    };
    let rows = export::naive(&(export::LESSON.build)(Scale::Tiny, 3)).len();
    assert_eq!(difference.at, "");
    assert_eq!(difference.fields.len(), 1);
    assert!(
        difference.fields[0]
            .expected
            .starts_with(&format!("{rows} elements, the first more ExportRow")),
        "{difference}"
    );
    assert_eq!(difference.fields[0].got, format!("{} elements", rows - 1));
}

/// The right totals, each sum carried to one more decimal place: equal to
/// the naive form's as values (`Decimal` compares so), printed differently
/// (`12.340` against `12.34`, `0.0` against `0`).
fn one_more_place(input: &Lines) -> Totals {
    let mut totals = sharding::sequential(input);
    for total in totals.values_mut() {
        let scale = total.value.scale();
        total.value.rescale(scale + 1);
    }
    totals
}

#[test]
fn outputs_equal_as_values_but_printed_differently_are_wrong() {
    let _one = one_at_a_time();
    let input = (sharding::LESSON.build)(Scale::Tiny, 2);
    let naive = sharding::sequential(&input);
    assert_eq!(one_more_place(&input), naive, "equal as values");
    let Correctness::Wrong { difference, .. } =
        exercise::check_correct(&sharding::LESSON, one_more_place, 2, exercise::FULL)
    else {
        panic!("an attempt that prints its sums differently is wrong");
    };
    let field = &difference.fields[0];
    assert_ne!(field.expected, field.got, "{difference}");
    let (expected, got) = (
        field.expected.trim_end_matches([' ', '}']),
        field.got.trim_end_matches([' ', '}']),
    );
    assert!(
        got.starts_with(expected) && got[expected.len()..].chars().all(|c| c == '0' || c == '.'),
        "one more place, nothing else: {difference}"
    );
}

/// The totals, with a panic in whichever worker meets the 100th line.
fn panicking(input: &Lines) -> Totals {
    input.lines.par_iter().enumerate().for_each(|(idx, _)| {
        if idx == 99 {
            panic!("line {idx} is too much");
        }
    });
    sharding::per_thread(input)
}

#[test]
fn a_panic_in_a_worker_is_caught_and_reported() {
    let _one = one_at_a_time();
    let Correctness::Panicked {
        input,
        message,
        seed,
        ..
    } = exercise::check_correct(&sharding::LESSON, panicking, 5, exercise::FULL)
    else {
        panic!("a panicking attempt is reported as one");
    };
    assert_eq!(input, "the lesson's input at the tiny scale, seed 5");
    assert_eq!(seed, 5);
    assert!(message.contains("line 99 is too much"), "{message}");
    assert!(
        message.contains("checker.rs"),
        "the place of the panic: {message}"
    );
}

#[test]
fn a_wrong_answer_on_a_random_input_is_shrunk() {
    let _one = one_at_a_time();
    // Right on the generated inputs (none is in XTS, the code ISO 4217
    // keeps for tests), wrong on the random ones from the eighth line.
    fn off_at_seven(input: &Lines) -> Totals {
        let mut totals = sharding::sequential(input);
        if input
            .lines
            .iter()
            .any(|l| l.currency.as_str() == "XTS" && l.value >= Decimal::new(7, 0))
        {
            totals.clear();
        }
        totals
    }
    let lesson = LessonDef {
        arbitrary: || {
            use proptest::prelude::*;
            (1usize..50)
                .prop_map(|n| Lines {
                    lines: (0..n)
                        .map(|i| lines_input::Line {
                            region: 1,
                            currency: mizan::input::Currency::parse("XTS").unwrap(),
                            class: lines_input::AssetClass::Cash,
                            value: Decimal::new(i as i64, 0),
                        })
                        .collect(),
                })
                .boxed()
        },
        ..sharding::LESSON
    };
    let Correctness::Wrong {
        input,
        difference,
        saved,
        ..
    } = exercise::check_correct(&lesson, off_at_seven, 1, exercise::FULL)
    else {
        panic!("wrong on a random input");
    };
    // Shrunk to the least failing input: the lines 0 to 7.
    let least = Lines {
        lines: (0..8)
            .map(|i| lines_input::Line {
                region: 1,
                currency: mizan::input::Currency::parse("XTS").unwrap(),
                class: lines_input::AssetClass::Cash,
                value: Decimal::new(i, 0),
            })
            .collect(),
    };
    let printed = format!("{least:?}");
    assert!(
        input.starts_with(&format!(
            "a random input (made smallest that still fails: {}",
            &printed[..300]
        )),
        "{input}"
    );
    assert!(
        input.ends_with(&format!("({} characters in all))", printed.len())),
        "{input}"
    );
    assert_eq!(difference.fields[0].got, "0 entries");
    // Saved as the lesson saves its inputs (readable JSON), it reads back
    // as exactly the least input; replayed alone, it fails the same way,
    // and the naive form passes it.
    let saved = saved.expect("the failing input is saved");
    assert!(saved.contains("\"currency\": \"XTS\""), "{saved}");
    let read: Lines = serde_json::from_str(&saved).unwrap();
    assert_eq!(format!("{read:?}"), printed);
    let Correctness::Wrong {
        input: replayed,
        difference: again,
        ..
    } = exercise::correct::replay(&lesson, off_at_seven, &saved).unwrap()
    else {
        panic!("the replay fails as the check did");
    };
    assert_eq!(replayed, "the saved failing input");
    assert_eq!(again, difference);
    assert!(
        exercise::correct::replay(&lesson, sharding::sequential, &saved)
            .unwrap()
            .is_correct()
    );
    assert!(
        exercise::correct::replay(&lesson, off_at_seven, "{\"lines\": 3}")
            .unwrap_err()
            .contains("does not read back")
    );
}

/// A quick, fixed timing: a tiny input, six pairs.
fn quick() -> RunOptions {
    RunOptions {
        scale: Scale::Tiny,
        fit_scale: false,
        runs: Some(6),
        budget: Duration::from_secs(60),
        seed: 1,
        progress: false,
    }
}

#[test]
fn every_starting_point_is_correct() {
    let _one = one_at_a_time();
    // Fewer inputs than a check's (the zakat pooling test below makes a
    // whole check): this is every exercise, in a debug build.
    let plan = exercise::Plan {
        seeds: 2,
        default_scale: false,
        cases: 8,
    };
    for e in EXERCISES {
        assert_eq!(
            e.correctness(Which::Start, 1, plan),
            Correctness::Correct {
                inputs: 2,
                cases: 8
            },
            "{}",
            e.id()
        );
    }
}

#[test]
fn the_starting_point_is_correct_and_not_yet_faster() {
    let _one = one_at_a_time();
    let pooling = EXERCISES
        .iter()
        .find(|e| e.id() == "zakat/pooling")
        .unwrap();
    let checked: Check = exercise::check(*pooling, Which::Start, 1, Some(quick()), Clean::Clean);
    let speed = checked.speed.as_ref().expect("timed");
    // Allocations are exact: the starting point makes the naive form's.
    assert_eq!(speed.allocations[1], speed.allocations[0]);
    assert!(speed.allocations[2] < speed.allocations[0]);
    // The verdict on these timings (the expert measurably faster here),
    // and on injected ones.
    // The starting point is the naive form compiled apart: within a few
    // per cent of it either way (code placement), never at the target.
    if speed.expert.verdict() == mizan::lab::stats::Verdict::Faster && speed.reliable {
        assert!(
            checked.verdict.starts_with("correct, not yet faster: ")
                || checked
                    .verdict
                    .starts_with("correct, but slower than the naive form: "),
            "{}",
            checked.verdict
        );
        assert!(checked.verdict.contains(" against a target of "));
        assert!(!checked.passed);
    }
    let naive_speed = mizan::lab::stats::Ratio {
        median: 1.0,
        low: 0.97,
        high: 1.03,
        ..speed.expert
    };
    let expert = mizan::lab::stats::Ratio {
        median: 2.4,
        low: 2.2,
        high: 2.5,
        ..speed.expert
    };
    let fast = exercise::speed_verdict(&naive_speed, &expert, exercise::TARGET_SHARE, true);
    assert!(matches!(fast, SpeedVerdict::NotYet { .. }));
    assert_eq!(
        exercise::overall(&checked.correct, &Clean::Clean, Some(fast)),
        ("correct, not yet faster".to_owned(), false)
    );
}

#[test]
fn the_labs_optimized_form_in_the_attempts_place_passes() {
    let _one = one_at_a_time();
    let optimized = ExerciseDef {
        lesson: &mizan::lessons::zakat::pooling::LESSON,
        attempt: mizan::lessons::zakat::pooling::optimized,
        start: start::zakat_pooling::attempt,
        file: "zakat_pooling.rs",
        start_text: "",
    };
    let checked = exercise::check(&optimized, Which::Attempt, 1, Some(quick()), Clean::Clean);
    assert!(checked.correct.is_correct());
    let speed = checked.speed.as_ref().expect("timed");
    // The attempt is the optimized form: the same allocations, exactly.
    assert_eq!(speed.allocations[1], speed.allocations[2]);
    // Its verdict on injected timings: as fast as the expert.
    let expert = mizan::lab::stats::Ratio {
        median: 2.4,
        low: 2.2,
        high: 2.5,
        ..speed.expert
    };
    let fast = exercise::speed_verdict(&expert, &expert, exercise::TARGET_SHARE, true);
    assert_eq!(
        fast,
        SpeedVerdict::Met {
            target: 2.4f64.sqrt()
        }
    );
    assert_eq!(
        exercise::overall(&checked.correct, &Clean::Clean, Some(fast)),
        ("passed".to_owned(), true)
    );
    // And the same attempt in a tree with another change does not pass.
    let dirty = Clean::Changed {
        paths: vec!["workloads/lessons/zakat/pooling.rs".into()],
    };
    assert!(!exercise::overall(&checked.correct, &dirty, Some(fast)).1);
    // The runner timed the attempt between the two forms.
    assert!(exercise::render(&checked, "zakat_pooling.rs").contains(&format!("    {ATTEMPT:<10}")));
}

#[test]
fn the_exercises_are_the_registrys_lessons_with_an_exercise() {
    let _one = one_at_a_time();
    // The list is generated from the lesson files; the registry says which
    // lessons are exercises: the two agree, in registry order or not.
    let mut listed: Vec<&str> = EXERCISES.iter().map(|e| e.id()).collect();
    let mut rewrite: Vec<&str> = mizan::lessons::lessons()
        .iter()
        .filter(|l| {
            matches!(
                l.practice(),
                mizan::lab::lesson::PracticeInfo::Rewrite { .. }
            )
        })
        .map(|l| l.id())
        .collect();
    listed.sort_unstable();
    rewrite.sort_unstable();
    assert_eq!(listed, rewrite);
    // Each starting point is the generated text the crate compiled.
    for e in EXERCISES {
        assert!(
            e.start_text().starts_with(&format!(
                "//! Exercise `{}`: the lesson's naive form",
                e.id()
            )),
            "{}",
            e.id()
        );
        assert!(e.start_text().contains("pub fn attempt("), "{}", e.id());
    }
}

#[test]
fn every_lesson_but_the_allocators_has_an_exercise_in_the_book() {
    let _one = one_at_a_time();
    let ids: Vec<&str> = EXERCISES.iter().map(|e| e.id()).collect();
    let without: Vec<&str> = mizan::lessons::lessons()
        .iter()
        .map(|l| l.id())
        .filter(|id| !ids.contains(id))
        .collect();
    assert_eq!(
        without,
        ["zakat/allocator-choice", "murabaha/allocator-choice"]
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src/techniques");
    let chapters: String = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    for id in ids {
        assert!(
            chapters.contains(&format!("cargo exercise check {id}\n")),
            "{id} has no exercise in its chapter"
        );
    }
}

#[test]
fn a_failure_on_the_timed_input_is_reported_not_a_crash() {
    let _one = one_at_a_time();
    // Right on every input the correctness check tries; a panic on the
    // small scale's 5,000 receipts, where this timing runs.
    fn panics_at_small_scale(input: &mizan::lessons::zakat::inputs::Receipts) -> Vec<u8> {
        assert_ne!(input.assessments.len(), 5_000, "five thousand");
        mizan::lessons::zakat::pooling::optimized(input)
    }
    let attempt = ExerciseDef {
        lesson: &mizan::lessons::zakat::pooling::LESSON,
        attempt: panics_at_small_scale,
        start: start::zakat_pooling::attempt,
        file: "zakat_pooling.rs",
        start_text: "",
    };
    let small = RunOptions {
        scale: Scale::Small,
        ..quick()
    };
    let checked = exercise::check(&attempt, Which::Attempt, 1, Some(small), Clean::Clean);
    assert!(checked.correct.is_correct());
    assert!(!checked.passed);
    assert!(
        checked
            .verdict
            .starts_with("not passed: the timing run failed: the attempt panicked: panicked at "),
        "{}",
        checked.verdict
    );
    assert!(
        checked.verdict.contains("five thousand"),
        "{}",
        checked.verdict
    );
}

/// A planted race: two threads each wait a moment the clock decides (as a
/// real program's timing follows its caches and interrupts), then try to
/// be first, and the output names the winner. With both cores given, the
/// checker names it a race (its outputs differ from run to run on the
/// same input) at least 19 times in 20. (A counter updated by a load and a
/// store is not such a plant: on two free cores the threads fall into
/// step and lose every other update, the same count every run, 200 of 400
/// in 31 of 32 runs of a test program here; a race the output does not
/// show is one no comparison of outputs can find.)
#[test]
fn a_race_is_found_and_named() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let _one = one_at_a_time();
    fn racy(input: &Lines) -> Totals {
        let mut totals = sharding::sequential(input);
        let first = AtomicU64::new(0);
        std::thread::scope(|s| {
            for id in 1..=2 {
                let first = &first;
                s.spawn(move || {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap();
                    for _ in 0..now.subsec_nanos() % 20_000 {
                        std::hint::spin_loop();
                    }
                    let _ = first.compare_exchange(0, id, Ordering::Relaxed, Ordering::Relaxed);
                });
            }
        });
        if let Some(total) = totals.values_mut().next() {
            total.lines = first.load(Ordering::Relaxed);
        }
        totals
    }
    let plan = exercise::Plan {
        seeds: 1,
        default_scale: false,
        cases: 0,
    };
    if !mizan::lab::machine::measure_parallelism().is_reliable() {
        eprintln!("another process holds a core: the race may not show; counted anyway");
    }
    let races = (0..20)
        .filter(|&seed| {
            matches!(
                exercise::check_correct(&sharding::LESSON, racy, seed, plan),
                Correctness::Race { .. }
            )
        })
        .count();
    assert!(races >= 19, "{races} of 20");
    // Named so, with the input saved.
    let Correctness::Race {
        runs,
        outputs,
        saved,
        ..
    } = exercise::check_correct(&sharding::LESSON, racy, 1, plan)
    else {
        panic!("a race");
    };
    assert!(outputs >= 2 && runs >= 16, "{runs} {outputs}");
    assert!(saved.is_some());
}
