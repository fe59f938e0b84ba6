//! The lab machinery: every registered lesson's forms agree; the runner
//! measures agreeing lessons and reports disagreeing ones as failures; the
//! allocation counter counts what it should; `mizan list` and `mizan run`.

mod common;

use mizan::lab::alloc::{self, AllocationCount, CountingAllocator};
use mizan::lab::lesson::{Lesson, LessonDef, Scale};
use mizan::lab::{registry, runner};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The counters are global (so that they see every thread), so the tests of
/// this binary run one at a time: each holds this lock throughout.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn every_lesson_agrees_at_tiny_scale_over_several_seeds() {
    let _serial = serial();
    let lessons = registry::lessons();
    assert!(!lessons.is_empty());
    for lesson in lessons {
        for seed in [1, 2, 3, 42, 2026] {
            let prepared = lesson.prepare(Scale::Tiny, seed);
            assert!(prepared.elements() > 0, "{} builds an input", lesson.id());
            assert_eq!(prepared.check(), Ok(()), "{} seed {seed}", lesson.id());
        }
    }
}

#[test]
fn lesson_ids_are_unique_and_well_formed() {
    let _serial = serial();
    let ids: Vec<&str> = registry::lessons().iter().map(|l| l.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate ids in {ids:?}");
    for id in ids {
        let (workload, technique) = id.split_once('/').expect("workload/technique");
        assert!(matches!(workload, "zakat" | "murabaha"), "{id}");
        assert!(
            !technique.is_empty()
                && technique
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{id}"
        );
        assert!(registry::find(id).is_some());
    }
}

/// Sums with an off-by-one in the "optimized" form: the runner must refuse it.
const BROKEN: LessonDef<Vec<u64>, u64> = LessonDef {
    id: "test/broken",
    why: "A lesson whose optimized form is wrong.",
    build: |_, seed| (0..100).map(|i| i * seed).collect(),
    elements: |input| input.len() as u64,
    naive: |input| input.iter().sum(),
    optimized: |input| input.iter().sum::<u64>() + 1,
};

const SOUND: LessonDef<Vec<u64>, u64> = LessonDef {
    id: "test/sound",
    why: "A lesson whose forms agree.",
    build: |_, seed| (0..1000).map(|i| i ^ seed).collect(),
    elements: |input| input.len() as u64,
    naive: |input| input.iter().map(|x| x * 2).collect::<Vec<_>>().iter().sum(),
    optimized: |input| input.iter().map(|x| x * 2).sum(),
};

#[test]
fn runner_measures_agreeing_lessons_and_fails_the_others() {
    let _serial = serial();
    let lessons: [&dyn Lesson; 2] = [&SOUND, &BROKEN];
    let report = runner::run(
        &lessons,
        runner::RunOptions {
            scale: Scale::Tiny,
            runs: 3,
            seed: 7,
            progress: false,
        },
    );
    assert!(!report.all_agree());
    assert!(report.allocations_counted);
    let sound = &report.results[0];
    assert_eq!(sound.id, "test/sound");
    assert_eq!(sound.elements, 1000);
    assert_eq!(sound.failure, None);
    let measured = sound.measured.as_ref().expect("measured");
    // The naive form collects 1000 u64s into one Vec; the optimized form
    // allocates nothing.
    assert_eq!(
        measured.naive_allocations,
        AllocationCount {
            count: 1,
            bytes: 8000
        }
    );
    assert_eq!(measured.optimized_allocations, AllocationCount::default());
    assert!(measured.naive_ns > 0 && measured.optimized_ns > 0);

    let broken = &report.results[1];
    assert!(broken.measured.is_none(), "no speed for a wrong form");
    assert_eq!(
        broken.failure.as_deref(),
        Some(
            "the forms differ at byte 4 of their debug output: naive …34650… vs optimized …34651…"
        )
    );
    let table = runner::markdown(&report);
    assert!(
        table.contains("| test/broken | 100 | FAILED: the forms differ |"),
        "{table}"
    );
}

#[test]
fn the_allocation_counter_counts_allocations_and_bytes() {
    let _serial = serial();
    let (buffer, counted) = alloc::count(|| Vec::<u8>::with_capacity(4096));
    assert_eq!(
        counted,
        AllocationCount {
            count: 1,
            bytes: 4096
        }
    );
    drop(buffer);
    let ((), counted) = alloc::count(|| {
        let mut v: Vec<u64> = Vec::with_capacity(4);
        v.extend(0..8); // one reallocation to 8 × 8 bytes
        std::hint::black_box(&v);
    });
    assert_eq!(
        counted,
        AllocationCount {
            count: 2,
            bytes: 32 + 64
        }
    );
    let ((), counted) = alloc::count(|| {
        std::hint::black_box(1 + 1);
    });
    assert_eq!(counted, AllocationCount::default());
}

#[test]
fn list_and_run_from_the_command_line() {
    let _serial = serial();
    let out = common::mizan(&["list"], b"");
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    let expected: String = registry::lessons()
        .iter()
        .map(|l| format!("{}\n", l.id()))
        .collect();
    assert_eq!(listed, expected);

    let out = common::mizan(&["run", "zakat/no-such-lesson"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "error: no lesson \"zakat/no-such-lesson\"; the lessons are: {}",
            registry::lessons()
                .iter()
                .map(|l| l.id())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );

    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("| zakat/string-building | 300 |"), "{table}");
}

#[test]
fn the_allocator_is_chosen_per_process() {
    let _serial = serial();
    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--allocator",
            "mimalloc",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "note: re-running under the mimalloc allocator (MIZAN_ALLOCATOR=mimalloc): the allocator is chosen per process"
        ),
        "{stderr}"
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("mimalloc, counted allocator"), "{table}");
    // Asking for the allocator already in use runs in the same process.
    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--allocator",
            "system",
        ],
        b"",
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("re-running"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("system, counted allocator"));
}

#[test]
fn run_form_builds_the_input_and_runs_one_form() {
    let _serial = serial();
    for target in ["input-only", "naive", "optimized"] {
        let out = common::mizan(
            &["run-form", "zakat/string-building", "--target", target],
            b"",
        );
        assert!(
            out.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
    let out = common::mizan(&["run-form", "zakat/nothing", "--target", "naive"], b"");
    assert_eq!(out.status.code(), Some(1));
}
