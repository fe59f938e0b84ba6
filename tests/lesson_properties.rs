//! Equivalence as property tests, from the registry: for every lesson (and
//! every contrast that is a stage of its own), every form prints the same
//! output as the naive one on random inputs out to the edges (zero, one
//! cent, amounts with fewer places than printed, very large values,
//! negative figures, long and non-ASCII identifiers, missing dates), at one
//! to four threads for a lesson about threads, and the lesson's invariant
//! holds of the naive form's output (a row for every instalment, the
//! reference rules' figures, every line counted). A lesson added to the
//! registry is tested here without a line of this file changing.

use std::sync::Mutex;

use mizan::lab::lesson::{Lesson, Scale};

/// Random inputs a lesson.
const CASES: u32 = 64;

/// The thread counts a lesson about threads is checked at.
const THREADS: [usize; 4] = [1, 2, 3, 4];

/// Every lesson and every contrast stage, each once; with `MIZAN_ONLY`
/// set (`MIZAN_ONLY=zakat/hashing,murabaha/` while working on a lesson),
/// only the lessons whose id holds one of its comma-separated parts.
fn every_lesson() -> Vec<&'static dyn Lesson> {
    let only = std::env::var("MIZAN_ONLY").unwrap_or_default();
    let wanted = |id: &str| only.is_empty() || only.split(',').any(|part| id.contains(part));
    let mut all = Vec::new();
    for lesson in mizan::lessons::lessons()
        .into_iter()
        .filter(|l| wanted(l.id()))
    {
        all.push(lesson);
        all.extend(lesson.contrast_stage());
    }
    all
}

/// Runs `check` on every lesson, two at a time, and fails with every
/// failure.
fn on_every_lesson(check: impl Fn(&dyn Lesson) -> Result<(), String> + Sync) {
    let queue = Mutex::new(every_lesson());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(lesson) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let started = std::time::Instant::now();
                    if let Err(failure) = check(lesson) {
                        failures.lock().unwrap().push(failure);
                    }
                    // Seen with `--nocapture`: where the test's time goes.
                    eprintln!(
                        "{:<28} {:.1} s",
                        lesson.id(),
                        started.elapsed().as_secs_f64()
                    );
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_form_of_every_lesson_agrees_on_random_inputs() {
    on_every_lesson(|lesson| lesson.properties(CASES, 1, &THREADS));
}

#[test]
fn every_lesson_input_reads_back_from_its_json() {
    on_every_lesson(|lesson| {
        for seed in [1, 2] {
            lesson.round_trip(Scale::Tiny, seed)?;
        }
        Ok(())
    });
}
