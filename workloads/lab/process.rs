//! Timing a form in a process of its own, for the lessons about the
//! allocator: a process's global allocator is fixed for its life, so the
//! naive form (say, under the system allocator) and the optimized form
//! (under mimalloc) cannot share one. The runner starts `mizan time-form`
//! under each allocator, alternately, and reads back its timings, its
//! allocation count and a digest of its output, so that the outputs made
//! in the two processes are still checked equal.

use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::alloc::{self, ALLOCATOR_VARIABLE, AllocationCount, Backend};
use super::lesson::{Form, Lesson, Scale};

/// What a `time-form` child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildTiming {
    /// The allocator the child ran under.
    pub allocator: Backend,
    /// Nanoseconds of each timed run.
    pub ns: Vec<u64>,
    /// Allocations of one run.
    pub allocations: AllocationCount,
    /// A digest of the form's output.
    pub digest: u64,
    /// The child's peak resident memory (`getrusage`), bytes.
    #[serde(default)]
    pub peak_rss_bytes: u64,
}

/// The child's side: build the input, run `form` once for its digest and
/// once counted, then `runs` times timed; the result as one JSON line.
pub fn child(lesson: &dyn Lesson, form: Form, scale: Scale, seed: u64, runs: usize) -> String {
    let prepared = lesson.prepare(scale, seed);
    let digest = prepared.digest(form);
    let ((), allocations) = alloc::count(|| prepared.run(form));
    let ns = (0..runs)
        .map(|_| {
            let start = Instant::now();
            prepared.run(form);
            start.elapsed().as_nanos() as u64
        })
        .collect();
    let timing = ChildTiming {
        allocator: alloc::backend(),
        ns,
        allocations,
        digest,
        peak_rss_bytes: super::runner::peak_rss_bytes(),
    };
    serde_json::to_string(&timing).expect("timings serialize")
}

/// The runner's side: runs `mizan time-form` for one form under
/// `backend` and reads its report.
pub fn time_in_child(
    lesson_id: &str,
    form: Form,
    backend: Backend,
    scale: Scale,
    seed: u64,
    runs: usize,
) -> Result<ChildTiming, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let scale_arg = scale.name();
    let output = Command::new(exe)
        .args(["time-form", lesson_id, "--target", form.name()])
        .args(["--scale", scale_arg, "--seed", &seed.to_string()])
        .args(["--runs", &runs.to_string()])
        .env(ALLOCATOR_VARIABLE, backend.name())
        .output()
        .map_err(|e| format!("cannot start a child process: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the {} child of {lesson_id} failed: {}",
            form.name(),
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    let timing: ChildTiming = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "the {} child of {lesson_id} said nonsense: {e}",
            form.name()
        )
    })?;
    if timing.allocator != backend {
        return Err(format!(
            "the {} child of {lesson_id} ran under {} instead of {}",
            form.name(),
            timing.allocator.name(),
            backend.name()
        ));
    }
    Ok(timing)
}

/// Times both forms of an allocator lesson in alternating child processes:
/// `rounds` children each, every child timing `runs` runs. Returns the
/// naive and optimized timings merged round by round (run `j` of round `r`
/// of one form pairs with the same run of the other, the two children of a
/// round having run one right after the other), with the highest peak
/// memory of each form's children; or why the outputs differ: every
/// child's digest must equal the first naive child's.
pub fn time_both(
    lesson_id: &str,
    allocators: [Backend; 2],
    scale: Scale,
    seed: u64,
    rounds: usize,
    runs: usize,
) -> Result<[ChildTiming; 2], String> {
    let mut merged: [Option<ChildTiming>; 2] = [None, None];
    for round in 0..rounds {
        // Alternate which form goes first, so that neither always runs
        // on a machine just warmed (or just disturbed) by the other.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for idx in order {
            let form = [Form::Naive, Form::Optimized][idx];
            let timing = time_in_child(lesson_id, form, allocators[idx], scale, seed, runs)?;
            let expected = merged[0].as_ref().map_or(timing.digest, |n| n.digest);
            if timing.digest != expected {
                return Err(format!(
                    "the outputs differ between processes: the {} child of round {} under {} \
                     made digest {:x}, the first naive child {:x}",
                    form.name(),
                    round + 1,
                    allocators[idx].name(),
                    timing.digest,
                    expected
                ));
            }
            match &mut merged[idx] {
                Some(all) => {
                    all.ns.extend(timing.ns);
                    all.peak_rss_bytes = all.peak_rss_bytes.max(timing.peak_rss_bytes);
                }
                slot @ None => *slot = Some(timing),
            }
        }
    }
    let [Some(naive), Some(optimized)] = merged else {
        return Err("no rounds were run".to_owned());
    };
    Ok([naive, optimized])
}
