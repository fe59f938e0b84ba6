//! Timing a form in a process of its own, for the lessons about the
//! allocator: a process's global allocator is fixed for its life, so the
//! naive form (say, under the system allocator) and the optimized form
//! (under mimalloc) cannot share one. In each slice of such a lesson the
//! runner starts `mizan time-form` under each allocator, one after the
//! other (which goes first alternates), and reads back its timings, its
//! allocation count, its peak memory and a digest of its output, so that
//! the outputs made in every process are still checked equal.

use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::alloc::{self, ALLOCATOR_VARIABLE, AllocationCount, Backend};
use super::lesson::{Form, Prepared, Scale};

/// What a `time-form` child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildTiming {
    /// The allocator the child ran under.
    pub allocator: Backend,
    /// Nanoseconds of each timed run.
    pub ns: Vec<u64>,
    /// Allocations of one run.
    pub allocations: AllocationCount,
    /// Minor page faults of that run (`ru_minflt`).
    #[serde(default)]
    pub minor_faults: u64,
    /// A digest of the form's output.
    pub digest: u64,
    /// The child's peak resident memory (`getrusage`), bytes.
    #[serde(default)]
    pub peak_rss_bytes: u64,
}

/// The child's side: build the input, run `form` once for its digest and
/// once counted, then `runs` times timed; the result as one JSON line.
pub fn child(prepared: &dyn Prepared, form: Form, runs: usize) -> String {
    let digest = prepared.digest(form);
    let faults_before = super::runner::minor_faults();
    let ((), allocations) = alloc::count(|| prepared.run(form));
    let minor_faults = super::runner::minor_faults() - faults_before;
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
        minor_faults,
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
    contrast: bool,
) -> Result<ChildTiming, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let scale_arg = scale.name();
    let output = Command::new(exe)
        .args(["time-form", lesson_id, "--target", form.name()])
        .args(["--scale", scale_arg, "--seed", &seed.to_string()])
        .args(["--runs", &runs.to_string()])
        .args(contrast.then_some("--contrast"))
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
