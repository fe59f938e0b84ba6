//! Timing a form in a process of its own, for the lessons about the
//! allocator: a process's global allocator is fixed for its life, so the
//! naive form (say, under the system allocator) and the optimized form
//! (under mimalloc) cannot share one. In each slice of such a lesson the
//! runner starts `mizan time-form --serve` under each allocator, both at
//! once: each builds its input, digests its output and counts one warm
//! run, then waits. The runner then asks them for one run at a time, in
//! turn (which goes first alternates), so that each naive run has an
//! optimized run beside it in time, as in the runner's own rotations; a
//! child's timings, allocation count, peak memory and output digest come
//! back, so that the outputs made in every process are still checked
//! equal.
//!
//! Timed one child after the other instead, the two processes' runs were
//! seconds apart, and a neighbour's burst on the shared core moved whole
//! slices: on a 2-core machine the interval of a 1.25× ratio ran from
//! 0.9× to 1.6× over six slices of seven runs.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::alloc::{self, AllocationCount, Backend};
use super::child::{Request, Target};

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

impl ChildTiming {
    /// Nothing reported yet, under `allocator`.
    fn empty(allocator: Backend) -> ChildTiming {
        ChildTiming {
            allocator,
            ns: Vec::new(),
            allocations: AllocationCount::default(),
            minor_faults: 0,
            digest: 0,
            peak_rss_bytes: 0,
        }
    }
}

/// The child's side: build the input, run `form` once for its digest and
/// once counted, then `runs` times timed; the result as one JSON line.
pub fn child(prepared: &dyn Prepared, form: Form, runs: usize) -> String {
    let mut timing = warmed(prepared, form);
    timing.ns = (0..runs)
        .map(|_| {
            let start = Instant::now();
            prepared.run(form);
            start.elapsed().as_nanos() as u64
        })
        .collect();
    timing.peak_rss_bytes = super::measure::peak_rss_bytes();
    serde_json::to_string(&timing).expect("timings serialize")
}

/// A child's report before its timed runs: the output's digest (one run),
/// then one run counted (allocations and minor page faults).
fn warmed(prepared: &dyn Prepared, form: Form) -> ChildTiming {
    let digest = prepared.digest(form);
    let faults_before = super::measure::minor_faults();
    let ((), allocations) = alloc::count(|| prepared.run(form));
    let minor_faults = super::measure::minor_faults() - faults_before;
    ChildTiming {
        allocator: alloc::backend(),
        ns: Vec::new(),
        allocations,
        minor_faults,
        digest,
        peak_rss_bytes: 0,
    }
}

/// The child's side of a served timing (`time-form --serve`): build the
/// input, run `form` once for its digest and once counted, and say so in
/// one JSON line (a [`ChildTiming`] without timings); then time one run
/// for every `run` line read from standard input, answering each with its
/// nanoseconds; at the end of the input, answer with the peak resident
/// memory and return.
pub fn serve(
    prepared: &dyn Prepared,
    form: Form,
    input: impl BufRead,
    mut out: impl Write,
) -> std::io::Result<()> {
    let ready = warmed(prepared, form);
    writeln!(
        out,
        "{}",
        serde_json::to_string(&ready).expect("timings serialize")
    )?;
    out.flush()?;
    for line in input.lines() {
        if line?.trim() != "run" {
            continue;
        }
        let start = Instant::now();
        prepared.run(form);
        writeln!(out, "{}", start.elapsed().as_nanos() as u64)?;
        out.flush()?;
    }
    writeln!(out, "{}", super::measure::peak_rss_bytes())?;
    out.flush()
}

/// A served child, started and waiting for `run` lines.
pub(crate) struct Served {
    form: Form,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    timing: ChildTiming,
}

impl Served {
    /// Starts `exe` (this program, or another build of it) serving `form`.
    pub(crate) fn start_at(
        exe: &std::path::Path,
        lesson_id: &str,
        form: Form,
        backend: Backend,
        scale: Scale,
        seed: u64,
        contrast: bool,
    ) -> Result<Served, String> {
        let target = match form {
            Form::Naive => Target::Naive,
            Form::Optimized | Form::Limit => Target::Optimized,
        };
        let request = Request::TimeForm {
            lesson: lesson_id.to_owned(),
            target,
            scale,
            seed,
            runs: 1,
            contrast,
            serve: true,
        };
        let mut child = request
            .command(exe, backend)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start a child process: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut served = Served {
            form,
            child,
            stdin,
            stdout,
            timing: ChildTiming::empty(backend),
        };
        let line = served.line(lesson_id)?;
        served.timing = serde_json::from_str(&line).map_err(|e| {
            format!(
                "the {} child of {lesson_id} said nonsense: {e}",
                form.name()
            )
        })?;
        if served.timing.allocator != backend {
            return Err(format!(
                "the {} child of {lesson_id} ran under {} instead of {}",
                form.name(),
                served.timing.allocator.name(),
                backend.name()
            ));
        }
        Ok(served)
    }

    /// The child's next line, or its error output if it has none.
    fn line(&mut self, lesson_id: &str) -> Result<String, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(n) if n > 0 => Ok(line),
            _ => {
                // The child ended (or broke off): what it said on its way out.
                self.stdin = None;
                let _ = self.child.kill();
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
                }
                let _ = self.child.wait();
                Err(format!(
                    "the {} child of {lesson_id} failed: {}",
                    self.form.name(),
                    stderr.trim_end()
                ))
            }
        }
    }

    /// One timed run.
    pub(crate) fn run(&mut self, lesson_id: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().expect("open until finish");
        writeln!(stdin, "run")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("the {} child of {lesson_id}: {e}", self.form.name()))?;
        let line = self.line(lesson_id)?;
        let ns = line.trim().parse().map_err(|e| {
            format!(
                "the {} child of {lesson_id} said nonsense: {e}",
                self.form.name()
            )
        })?;
        self.timing.ns.push(ns);
        Ok(())
    }

    /// What the child reported when it was ready: its output's digest
    /// and one counted run.
    pub(crate) fn ready(&self) -> &ChildTiming {
        &self.timing
    }

    /// Ends the child: its peak memory, and its timings.
    pub(crate) fn finish(mut self, lesson_id: &str) -> Result<ChildTiming, String> {
        self.stdin = None;
        let line = self.line(lesson_id)?;
        self.timing.peak_rss_bytes = line.trim().parse().unwrap_or(0);
        let status = self
            .child
            .wait()
            .map_err(|e| format!("the {} child of {lesson_id}: {e}", self.form.name()))?;
        if !status.success() {
            return Err(format!(
                "the {} child of {lesson_id} exited with {status}",
                self.form.name()
            ));
        }
        let empty = ChildTiming::empty(self.timing.allocator);
        Ok(std::mem::replace(&mut self.timing, empty))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // A child left behind by an error is not left running.
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The runner's side of a slice: `mizan time-form --serve` for the naive
/// form under `backends[0]` and the optimized form under `backends[1]`,
/// both started and ready, then `runs` runs of each, in turn (the naive
/// form first when `naive_first`, then alternating), so that the runs pair
/// up by position as the runner's own rotations do.
pub fn time_in_children(
    lesson_id: &str,
    backends: [Backend; 2],
    scale: Scale,
    seed: u64,
    runs: usize,
    contrast: bool,
    naive_first: bool,
) -> Result<[ChildTiming; 2], String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut naive = Served::start_at(
        &exe,
        lesson_id,
        Form::Naive,
        backends[0],
        scale,
        seed,
        contrast,
    )?;
    let mut optimized = Served::start_at(
        &exe,
        lesson_id,
        Form::Optimized,
        backends[1],
        scale,
        seed,
        contrast,
    )?;
    for run in 0..runs {
        if (run % 2 == 0) == naive_first {
            naive.run(lesson_id)?;
            optimized.run(lesson_id)?;
        } else {
            optimized.run(lesson_id)?;
            naive.run(lesson_id)?;
        }
    }
    Ok([naive.finish(lesson_id)?, optimized.finish(lesson_id)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_child_answers_each_run_line_with_one_timing() {
        let lesson = crate::lessons::find("zakat/allocator-choice").expect("registered");
        let prepared = lesson.prepare(Scale::Tiny, 1);
        let mut out = Vec::new();
        serve(
            prepared.as_ref(),
            Form::Naive,
            &b"run\n\nrun\nrun\n"[..],
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Ready, three timings, then the peak memory.
        assert_eq!(lines.len(), 5, "{text}");
        let ready: ChildTiming = serde_json::from_str(lines[0]).unwrap();
        assert!(ready.ns.is_empty());
        // (The test binary's allocator counts nothing: `mizan`'s does, as
        // the lab test of an allocator lesson checks.)
        assert_eq!(ready.digest, prepared.digest(Form::Optimized));
        for line in &lines[1..4] {
            assert!(line.parse::<u64>().unwrap() > 0, "{line}");
        }
        lines[4].parse::<u64>().unwrap();
    }
}
