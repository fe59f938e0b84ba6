//! The machine fingerprint recorded with every result: a number means
//! little without the machine that made it, and a thread result means
//! nothing without the parallelism the machine really gave.
//!
//! [`measure_parallelism`] answers "how many cores' worth of work does
//! this machine do at once right now?": a purely compute-bound kernel (a
//! register-only xorshift loop, no memory traffic) is timed on one thread
//! and on one thread per core, alternately. On a quiet two-core machine
//! the answer is close to 2.0; with another process holding the second
//! core it falls towards 1.0, and every thread result of the run is then
//! marked unreliable (a parallel form times like the sequential one, and
//! the lab would otherwise report that as the technique's failure).

use std::fs;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Below this share of the cores' worth, thread results are unreliable.
pub const RELIABLE_SHARE: f64 = 0.8;

/// Where and how a result was produced.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Machine {
    /// The CPU model, from `/proc/cpuinfo`.
    pub cpu: String,
    /// Cores available to this process.
    pub cores: usize,
    /// Total memory in GiB, from `/proc/meminfo`.
    pub memory_gib: u64,
    /// The compiler that built this binary.
    pub rustc: String,
    /// The LLVM of that compiler.
    #[serde(default)]
    pub llvm: String,
    /// `release` or `debug`.
    pub profile: String,
    /// The global allocator.
    pub allocator: String,
    /// rayon's worker threads.
    pub threads: usize,
    /// The day of the run (UTC).
    pub date: String,
    /// The git commit of the working tree the run was made in (`unknown`
    /// outside a git checkout).
    #[serde(default)]
    pub commit: String,
    /// Whether that tree had uncommitted changes.
    #[serde(default)]
    pub dirty: bool,
    /// The parallelism measured at the start of the run.
    #[serde(default)]
    pub parallelism: Option<Parallelism>,
}

/// How many cores' worth of compute-bound work the machine did at once.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Parallelism {
    /// The threads the kernel ran on (one a core).
    pub threads: usize,
    /// `threads × (time on one thread) / (time on all of them)`: `threads`
    /// on a quiet machine, 1.0 when the others are all taken.
    pub effective: f64,
}

impl Parallelism {
    /// Whether thread results measured now can be trusted: at least
    /// [`RELIABLE_SHARE`] of the cores' worth.
    pub fn is_reliable(&self) -> bool {
        self.threads <= 1 || self.effective >= RELIABLE_SHARE * self.threads as f64
    }

    /// `1.93 of 2 cores`.
    pub fn describe(&self) -> String {
        format!("{:.2} of {} cores", self.effective, self.threads)
    }
}

/// Measures the parallelism the machine gives right now (some 40 ms): the
/// kernel on one thread and on one thread per core, three times
/// alternately, medians compared.
pub fn measure_parallelism() -> Parallelism {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 {
        return Parallelism {
            threads,
            effective: 1.0,
        };
    }
    // Calibrate the work to about 6 ms on one thread.
    let probe = 1 << 20;
    let start = Instant::now();
    black_box(spin(probe));
    let per_iteration = start.elapsed().as_secs_f64() / probe as f64;
    let iterations = ((0.006 / per_iteration.max(1e-12)) as u64).clamp(1 << 16, 1 << 30);
    let mut one = Vec::with_capacity(3);
    let mut all = Vec::with_capacity(3);
    for _ in 0..3 {
        one.push(time_threads(1, iterations));
        all.push(time_threads(threads, iterations));
    }
    let one = super::measure::median(&mut one).as_secs_f64();
    let all = super::measure::median(&mut all).as_secs_f64();
    Parallelism {
        threads,
        effective: (threads as f64 * one / all.max(1e-9)).min(threads as f64),
    }
}

/// Wall time of `threads` threads each running the kernel.
fn time_threads(threads: usize, iterations: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for seed in 0..threads {
            scope.spawn(move || black_box(spin(iterations + seed as u64)));
        }
    });
    start.elapsed()
}

/// A register-only loop: xorshift64, no loads or stores.
fn spin(iterations: u64) -> u64 {
    let mut x = black_box(0x9E37_79B9_7F4A_7C15u64);
    for _ in 0..iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

impl Machine {
    /// The fingerprint of this process (without a parallelism measure:
    /// the runner adds it).
    pub fn current() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, name)| name.trim().to_owned())
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: u64 = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0);
        let days_since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        // 1970-01-01 is day 719,163 of the Rata Die count (icu_calendar,
        // as the domain's dates are; the lab does not import the domain).
        let today = icu_calendar::Date::from_rata_die(
            icu_calendar::types::RataDie::new(719_163 + days_since_epoch as i64),
            icu_calendar::Iso,
        );
        let date = format!(
            "{:04}-{:02}-{:02}",
            today.year().extended_year(),
            today.month().ordinal,
            today.day_of_month().0
        );
        let (commit, dirty) = git_state();
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: (memory_kib + (1 << 19)) >> 20,
            rustc: env!("MIZAN_RUSTC_VERSION").to_owned(),
            llvm: env!("MIZAN_LLVM_VERSION").to_owned(),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_owned(),
            allocator: format!("{}, counted", super::alloc::backend().name()),
            threads: rayon::current_num_threads(),
            date,
            commit,
            dirty,
            parallelism: None,
        }
    }

    /// One line for a report: `CPU, N cores, M GiB, rustc …, release, …`.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{}, {} cores, {} GiB, {}, {} build, {} allocator, {} threads, {}",
            self.cpu,
            self.cores,
            self.memory_gib,
            self.rustc,
            self.profile,
            self.allocator,
            self.threads,
            self.date
        );
        if !self.commit.is_empty() {
            let short = &self.commit[..self.commit.len().min(10)];
            line.push_str(&format!(
                ", commit {short}{}",
                if self.dirty { " (dirty)" } else { "" }
            ));
        }
        if let Some(p) = self.parallelism {
            line.push_str(&format!(", parallelism {}", p.describe()));
        }
        line
    }
}

/// The commit of the current directory's git checkout, and whether its
/// tree has changes; `("unknown", false)` without git or a checkout.
fn git_state() -> (String, bool) {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    match run(&["rev-parse", "HEAD"]) {
        Some(commit) => {
            // The generated evidence is left out: a regeneration writes
            // one kind of page after another, and the pages written first
            // are no change to the code the later ones are made from.
            let dirty = run(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude)book/src/generated",
            ])
            .is_some_and(|status| !status.is_empty());
            (commit, dirty)
        }
        None => ("unknown".to_owned(), false),
    }
}
