//! The allocation counter and the runner's measurements, in a test binary
//! of one test: the counters are global (so that they see every thread), and
//! the test harness's own threads would add to them if tests ran side by
//! side.

use mizan::lab::alloc::{self, AllocationCount, CountingAllocator};
use mizan::lab::lesson::{Lesson, LessonDef, Scale};
use mizan::lab::runner;

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
    use mizan::murabaha::lessons::pipeline as murabaha;
    use mizan::zakat::lessons::pipeline as zakat;
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
    limit: None,
    allocators: None,
    variants: &[],
    scaling: false,
};

const SOUND: LessonDef<Vec<u64>, u64> = LessonDef {
    id: "test/sound",
    why: "A lesson whose forms agree.",
    build: |_, seed| (0..1000).map(|i| i ^ seed).collect(),
    elements: |input| input.len() as u64,
    naive: |input| input.iter().map(|x| x * 2).collect::<Vec<_>>().iter().sum(),
    optimized: |input| input.iter().map(|x| x * 2).sum(),
    limit: Some(|input| input.iter().fold(0, |acc, x| acc ^ x)),
    allocators: None,
    variants: &[],
    scaling: false,
};

fn runner_measures_agreeing_lessons_and_fails_the_others() {
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
    assert!(
        measured.limit_ns.is_some(),
        "the speed-of-light reference is timed"
    );

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

fn the_allocation_counter_counts_allocations_and_bytes() {
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
