//! The allocation counter and the runner's measurements, in a test binary
//! of one test: the counters are global (so that they see every thread), and
//! the test harness's own threads would add to them if tests ran side by
//! side.

use mizan::lab::alloc::{self, AllocationCount, CountingAllocator};
use mizan::lab::lesson::{Lesson, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale};
use mizan::lab::runner;
use proptest::strategy::Strategy as _;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[test]
fn counting_and_the_runner() {
    the_allocation_counter_counts_allocations_and_bytes();
    runner_measures_agreeing_lessons_and_fails_the_others();
    the_optimized_pipelines_allocate_nothing_per_record();
}

/// The optimized pipelines allocate per part of the work (and per day of
/// the hawl table), never per payer or contract: four times the records,
/// the same allocations.
fn the_optimized_pipelines_allocate_nothing_per_record() {
    use mizan::lessons::murabaha::pipeline as murabaha;
    use mizan::lessons::zakat::pipeline as zakat;
    // Start rayon's workers first: their own set-up allocates.
    let small = mizan::zakat::generate::generate(2_000, 5);
    zakat::optimized(&small).unwrap();
    let large = mizan::zakat::generate::generate(8_000, 5);
    let (_, at_small) = alloc::count(|| zakat::optimized(&small).unwrap());
    let (_, at_large) = alloc::count(|| zakat::optimized(&large).unwrap());
    assert_eq!(at_small.count, at_large.count);
    assert!(at_small.count < 200, "{at_small:?}");
    let (_, naive) = alloc::count(|| zakat::naive(&small).unwrap());
    assert!(naive.count > 50_000, "{naive:?}");

    let small = mizan::murabaha::generate::generate(500, 5);
    let large = mizan::murabaha::generate::generate(2_000, 5);
    let (_, at_small) = alloc::count(|| murabaha::optimized(&small).unwrap());
    let (_, at_large) = alloc::count(|| murabaha::optimized(&large).unwrap());
    assert_eq!(at_small.count, at_large.count);
    assert!(at_small.count < 1_000, "{at_small:?}");
}

/// Sums with an off-by-one in the "optimized" form: the runner must refuse it.
const BROKEN: LessonDef<Vec<u64>, u64> = LessonDef {
    id: "test/broken",
    why: "A lesson whose optimized form is wrong.",
    build: |_, seed| (0..100).map(|i| i * seed).collect(),
    elements: |input| input.len() as u64,
    naive: |input| input.iter().sum(),
    optimized: |input| input.iter().sum::<u64>() + 1,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: || proptest::collection::vec(0u64..1_000, 0..100).boxed(),
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

const SOUND: LessonDef<Vec<u64>, u64> = LessonDef {
    id: "test/sound",
    why: "A lesson whose forms agree.",
    build: |_, seed| (0..1000).map(|i| i ^ seed).collect(),
    elements: |input| input.len() as u64,
    naive: |input| input.iter().map(|x| x * 2).collect::<Vec<_>>().iter().sum(),
    optimized: |input| input.iter().map(|x| x * 2).sum(),
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: |input| input.iter().fold(0, |acc, x| acc ^ x),
    }),
    reference: None,
    arbitrary: || proptest::collection::vec(0u64..1_000, 0..100).boxed(),
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The same function for both forms (as in a lesson about the allocator),
/// with a reference that disagrees.
const SAME_CODE_WRONG_REFERENCE: LessonDef<Vec<u64>, u64> = LessonDef {
    id: "test/same-code",
    why: "Both forms are one function.",
    build: |_, _| (0..100).collect(),
    elements: |input| input.len() as u64,
    naive: |input| input.iter().sum(),
    optimized: |input| input.iter().sum(),
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(|input| input.iter().sum::<u64>() + 1),
    arbitrary: || proptest::collection::vec(0u64..1_000, 0..100).boxed(),
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

fn runner_measures_agreeing_lessons_and_fails_the_others() {
    let lessons: [&dyn Lesson; 2] = [&SOUND, &BROKEN];
    let report = runner::run(
        &lessons,
        runner::RunOptions {
            scale: Scale::Tiny,
            fit_scale: false,
            runs: Some(3),
            budget: std::time::Duration::from_secs(60),
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
        measured.naive().allocations,
        AllocationCount {
            count: 1,
            bytes: 8000,
            peak_bytes: 8000,
        }
    );
    assert_eq!(measured.optimized().allocations, AllocationCount::default());
    assert!(measured.naive().ns > 0 && measured.optimized().ns > 0);
    assert_eq!(measured.pairs, 3);
    let speedup = measured.speedup();
    assert_eq!(speedup.pairs, 3);
    assert!(speedup.low <= speedup.median && speedup.median <= speedup.high);
    let limit = measured
        .limit
        .as_ref()
        .expect("the speed-of-light reference is timed");
    assert_eq!(limit.name, "speed of light");

    let broken = &report.results[1];
    assert!(broken.measured.is_none(), "no speed for a wrong form");
    assert_eq!(
        broken.failure.as_deref(),
        Some("the naive and optimized outputs differ: expected 34650, got 34651")
    );
    let table = mizan::lab::tables::markdown(&report);
    assert!(
        table.contains("| test/broken | 100 | FAILED: the forms differ |"),
        "{table}"
    );
    // A lesson whose two forms are the same code is checked against its
    // independent reference, which can differ.
    let lessons: [&dyn Lesson; 1] = [&SAME_CODE_WRONG_REFERENCE];
    let report = runner::run(
        &lessons,
        runner::RunOptions {
            scale: Scale::Tiny,
            fit_scale: false,
            runs: Some(1),
            budget: std::time::Duration::from_secs(60),
            seed: 7,
            progress: false,
        },
    );
    assert_eq!(
        report.results[0].failure.as_deref(),
        Some("the naive and the reference outputs differ: expected 4950, got 4951")
    );
}

fn the_allocation_counter_counts_allocations_and_bytes() {
    let (buffer, counted) = alloc::count(|| Vec::<u8>::with_capacity(4096));
    assert_eq!(
        counted,
        AllocationCount {
            count: 1,
            bytes: 4096,
            peak_bytes: 4096,
        }
    );
    drop(buffer);
    let ((), counted) = alloc::count(|| {
        let mut v: Vec<u64> = Vec::with_capacity(4);
        v.extend(0..8); // one reallocation to 8 × 8 bytes
        std::hint::black_box(&v);
    });
    // The peak: the 64 bytes after the reallocation (which released the 32).
    assert_eq!(
        counted,
        AllocationCount {
            count: 2,
            bytes: 32 + 64,
            peak_bytes: 64,
        }
    );
    // Freed blocks lower the level; the peak is the most held at once.
    let ((), counted) = alloc::count(|| {
        let first = vec![0u8; 1000];
        drop(std::hint::black_box(first));
        let second = vec![0u8; 600];
        let third = vec![0u8; 300];
        std::hint::black_box((&second, &third));
    });
    assert_eq!(counted.peak_bytes, 1000);
    assert_eq!(counted.bytes, 1900);
    let ((), counted) = alloc::count(|| {
        std::hint::black_box(1 + 1);
    });
    assert_eq!(counted, AllocationCount::default());
}
