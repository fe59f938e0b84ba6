//! Deterministic counts: each form's instructions under valgrind's
//! callgrind, which counts the same total for the same binary, input and
//! environment however loaded the machine is (this kind of machine has no
//! hardware counters, and its timings drift).
//!
//! The `mizan` binary runs itself under callgrind three times per lesson:
//! building the input only, then building it and running one form once.
//! A form's count is its run's total less the input-only total. Callgrind
//! runs some 50–100× slower than native, so use a small scale
//! (`mizan run --instructions --scale tiny`).

use std::process::Command;

use serde::Serialize;

use super::alloc::{self, ALLOCATOR_VARIABLE, Backend};
use super::child::{Request, Target};
use super::lesson::Scale;

/// Instructions of one run of each form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Instructions {
    /// The naive form's instructions.
    pub naive: u64,
    /// The optimized form's instructions.
    pub optimized: u64,
}

impl Instructions {
    /// `naive / optimized`.
    pub fn ratio(&self) -> f64 {
        self.naive as f64 / self.optimized.max(1) as f64
    }
}

/// Whether `valgrind` can be run.
pub fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Counts both forms of a lesson under callgrind. A lesson about the
/// allocator counts each form under its own allocator, each against a
/// baseline under the same allocator.
pub fn measure(
    lesson_id: &str,
    scale: Scale,
    seed: u64,
    allocators: Option<[Backend; 2]>,
) -> Result<Instructions, String> {
    let [naive_backend, optimized_backend] = allocators.unwrap_or([alloc::backend(); 2]);
    let baseline = |backend| count(lesson_id, Target::InputOnly, scale, seed, backend);
    let naive_baseline = baseline(naive_backend)?;
    let optimized_baseline = if optimized_backend == naive_backend {
        naive_baseline
    } else {
        baseline(optimized_backend)?
    };
    let naive = count(lesson_id, Target::Naive, scale, seed, naive_backend)?;
    let optimized = count(lesson_id, Target::Optimized, scale, seed, optimized_backend)?;
    Ok(Instructions {
        naive: naive.saturating_sub(naive_baseline),
        optimized: optimized.saturating_sub(optimized_baseline),
    })
}

/// The total instructions callgrind counts for one child run.
fn count(
    lesson_id: &str,
    target: Target,
    scale: Scale,
    seed: u64,
    backend: Backend,
) -> Result<u64, String> {
    let request = Request::RunForm {
        lesson: lesson_id.to_owned(),
        target,
        scale,
        seed,
    };
    callgrind_total(&request, backend).map_err(|e| {
        format!(
            "callgrind run of {lesson_id} ({}) failed: {e}",
            target.arg()
        )
    })
}

/// The total instructions callgrind counts for one run of this program
/// with `args`, under `backend`.
pub fn callgrind_total(request: &Request, backend: Backend) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let events = callgrind_events(&exe, &[], request, backend)?;
    events
        .first()
        .map(|(_, n)| *n)
        .ok_or_else(|| "callgrind counted nothing".to_owned())
}

/// Every event callgrind counts for one run of `exe` (this program or
/// another build of it) with `args`, under `backend`, with `valgrind`'s
/// own options `options` (`--branch-sim=yes` adds the branch events):
/// each event's name (`Ir`, `Bc`, `Bcm`, ...) and total.
pub fn callgrind_events(
    exe: &std::path::Path,
    options: &[&str],
    request: &Request,
    backend: Backend,
) -> Result<Vec<(String, u64)>, String> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let out_file = std::env::temp_dir().join(format!(
        "mizan-callgrind-{}-{}.out",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .args(options)
        .arg(exe)
        .args(request.args())
        .env(ALLOCATOR_VARIABLE, backend.name())
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // An instruction valgrind's decoder lacks (AVX-512, say, in a
        // build for this CPU) is the reason to name, not the last line.
        let reason = stderr
            .lines()
            .find(|l| l.contains("unhandled instruction bytes"))
            .map(|l| {
                format!(
                    "valgrind cannot decode one of its instructions ({})",
                    l.trim()
                )
            })
            .unwrap_or_else(|| stderr.lines().last().unwrap_or("").to_owned());
        return Err(reason);
    }
    let text = std::fs::read_to_string(&out_file)
        .map_err(|e| format!("cannot read {}: {e}", out_file.display()));
    let _ = std::fs::remove_file(&out_file);
    parse_events(&text?).ok_or_else(|| format!("no totals in {}", out_file.display()))
}

/// The `events:` line's names paired with the `totals:` (or `summary:`)
/// line's counts, of a callgrind output file's text.
pub fn parse_events(text: &str) -> Option<Vec<(String, u64)>> {
    let names = text
        .lines()
        .find_map(|line| line.strip_prefix("events:"))?
        .split_whitespace();
    // A callgrind dump's `totals:` is the sum of its cost lines, the costs
    // since the last zeroing; its `summary:` can also hold costs of other
    // threads that the zeroing did not reach (the first dump after the input
    // was built on a pool thread carried that build: 1,085 M against 1.7 M).
    // Cachegrind writes `summary:` alone.
    let line_of = |prefix: &str| text.lines().find_map(|line| line.strip_prefix(prefix));
    let counts = line_of("totals:").or_else(|| line_of("summary:"))?;
    let counts: Vec<u64> = counts
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    let events: Vec<(String, u64)> = names.map(str::to_owned).zip(counts).collect();
    (!events.is_empty()).then_some(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_summary_line() {
        let text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nfl=(1) a.rs\nfn=(1) f\n3 7\nsummary: 123456\ntotals: 123456\n";
        assert_eq!(parse_events(text), Some(vec![("Ir".to_owned(), 123_456)]));
        assert_eq!(parse_events("events: Ir\n"), None);
        let dump = "events: Ir\nsummary: 1085067358\nfn=(1) f\n3 1694260\ntotals: 1694260\n";
        assert_eq!(parse_events(dump), Some(vec![("Ir".to_owned(), 1_694_260)]));
        let branches = "events: Ir Bc Bcm Bi Bim\nsummary: 100 20 3 4 1\n";
        assert_eq!(
            parse_events(branches).unwrap(),
            [("Ir", 100), ("Bc", 20), ("Bcm", 3), ("Bi", 4), ("Bim", 1)]
                .map(|(e, n)| (e.to_owned(), n))
        );
    }
}
