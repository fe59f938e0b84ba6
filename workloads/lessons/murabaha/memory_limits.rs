//! `murabaha/memory-limits` (`mizan memory-limits`): the bank-scale
//! portfolio run, report after report in one long-lived process, and what
//! it costs the machine in memory under five allocator settings:
//!
//! - `glibc`: glibc's malloc as it comes;
//! - `glibc-trim`: the same, with `malloc_trim(0)` after each report, which
//!   hands every arena's free pages back to the kernel;
//! - `glibc-one-arena`: `mallopt(M_ARENA_MAX, 1)` before any thread starts:
//!   every thread allocates from the main arena instead of one of its own;
//! - `mimalloc`: Microsoft's allocator, which returns pages on its own
//!   schedule, when the thread that owns them next allocates or frees;
//! - `mimalloc-collect`: the same, with `mi_collect(true)` on every thread
//!   after each report, mimalloc's `malloc_trim`.
//!
//! Each setting runs in processes of its own (an allocator is chosen for a
//! process's life, and so are glibc's arenas), which build the portfolio,
//! then process it `reports` times with the engine (every contract's
//! result, schedules included, as `mizan murabaha process` makes it),
//! dropping each report before the next. The figures: time a report (the
//! processing, the dropping and, for `glibc-trim`, the trim), the peak
//! resident memory, and the resident memory the process keeps between
//! reports, when it holds nothing but the portfolio. This is the Rust
//! answer to a collector's tuning and memory limits: there is no
//! collector, but there is an allocator that decides when freed memory
//! goes back.
//!
//! Not in the default run (a bank-scale portfolio for each of several
//! processes takes minutes); its results are committed to the book
//! (`book/src/generated/memory-limits.md`).

use std::hash::{Hash, Hasher};

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::lab::api::{
    ALLOCATOR_VARIABLE, Backend, Machine, Ratio, Request, Scale, backend, format_bytes,
    format_count, format_ns, median_ns, peak_rss_bytes,
};
use crate::murabaha::engine;

use super::inputs::book_contracts_at;

/// The lesson's id.
pub const ID: &str = "murabaha/memory-limits";

/// An allocator setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// glibc's malloc as it comes.
    Glibc,
    /// glibc, `malloc_trim(0)` after each report.
    GlibcTrim,
    /// glibc with one arena for every thread (`mallopt(M_ARENA_MAX, 1)`).
    GlibcOneArena,
    /// mimalloc.
    Mimalloc,
    /// mimalloc, `mi_collect(true)` on every thread after each report.
    MimallocCollect,
}

/// Every setting, the baseline first.
pub const SETTINGS: [Setting; 5] = [
    Setting::Glibc,
    Setting::GlibcTrim,
    Setting::GlibcOneArena,
    Setting::Mimalloc,
    Setting::MimallocCollect,
];

impl Setting {
    /// Its name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Glibc => "glibc",
            Setting::GlibcTrim => "glibc-trim",
            Setting::GlibcOneArena => "glibc-one-arena",
            Setting::Mimalloc => "mimalloc",
            Setting::MimallocCollect => "mimalloc-collect",
        }
    }

    /// What it changes, in a table.
    pub fn what(self) -> &'static str {
        match self {
            Setting::Glibc => "glibc's malloc as it comes",
            Setting::GlibcTrim => "`malloc_trim(0)` after each report",
            Setting::GlibcOneArena => "`mallopt(M_ARENA_MAX, 1)` at start",
            Setting::Mimalloc => "mimalloc instead of glibc",
            Setting::MimallocCollect => {
                "mimalloc, `mi_collect(true)` on every thread after each report"
            }
        }
    }

    /// The allocator its processes run under.
    pub fn backend(self) -> Backend {
        match self {
            Setting::Mimalloc | Setting::MimallocCollect => Backend::Mimalloc,
            _ => Backend::System,
        }
    }
}

/// What one process of a setting reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Held {
    /// The setting.
    pub setting: Setting,
    /// Nanoseconds of each report: processed, dropped (and trimmed).
    pub ns: Vec<u64>,
    /// A digest of the reports' figures (`hold` checks that every report's
    /// is the first's).
    pub digest: u64,
    /// Resident memory with the portfolio built, before any report, bytes.
    pub rss_input: u64,
    /// Resident memory after each report was dropped, bytes.
    pub rss_between: Vec<u64>,
    /// Peak resident memory, bytes.
    pub peak_rss: u64,
}

/// The process's resident memory now, bytes (`/proc/self/statm`).
pub fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf reads a constant of the system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

/// Applies a setting's glibc options; call before any thread starts.
fn configure(setting: Setting) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if setting == Setting::GlibcOneArena {
        // SAFETY: mallopt only sets a parameter of glibc's malloc.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

// mimalloc's own collection. `libmimalloc-sys` declares it only behind its
// `extended` feature, which brings in a crate of its own; the function is
// in the mimalloc library the lab links either way.
unsafe extern "C" {
    fn mi_collect(force: bool);
}

// ANCHOR: after_report
/// Hands the allocator's free pages back: glibc's for `glibc-trim`,
/// mimalloc's for `mimalloc-collect`, on every thread (mimalloc keeps a
/// heap a thread, and a page freed by another thread is the owner's to
/// return).
fn after_report(setting: Setting) {
    match setting {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        Setting::GlibcTrim => {
            // SAFETY: malloc_trim only walks glibc's own arenas.
            unsafe {
                libc::malloc_trim(0);
            }
        }
        Setting::MimallocCollect => {
            // SAFETY: mi_collect only walks the calling thread's mimalloc
            // heap (and, forced, the abandoned segments).
            rayon::broadcast(|_| unsafe { mi_collect(true) });
            unsafe { mi_collect(true) };
        }
        _ => {}
    }
}
// ANCHOR_END: after_report

/// The child's side (`mizan hold-reports`): build the portfolio, then
/// `reports` reports, each processed, digested (untimed), dropped.
pub fn hold(setting: Setting, scale: Scale, seed: u64, reports: usize) -> Result<Held, String> {
    configure(setting);
    if backend() != setting.backend() {
        return Err(format!(
            "{} needs the {} allocator ({ALLOCATOR_VARIABLE}={})",
            setting.name(),
            setting.backend().name(),
            setting.backend().name()
        ));
    }
    let input = crate::murabaha::generate::generate(book_contracts_at(scale), seed);
    let rss_input = resident_bytes();
    let mut held = Held {
        setting,
        ns: Vec::with_capacity(reports),
        digest: 0,
        rss_input,
        rss_between: Vec::with_capacity(reports),
        peak_rss: 0,
    };
    // ANCHOR: hold
    for _ in 0..reports {
        let start = Instant::now();
        let output = engine::process_all(&input).map_err(|e| e.to_string())?;
        let processing = start.elapsed();
        let digest = digest_of(&output);
        // Every report of a process is the same portfolio's: a report that
        // differs from the first is a fault, not a figure.
        if !held.ns.is_empty() && digest != held.digest {
            return Err(format!(
                "report {} differs from the first",
                held.ns.len() + 1
            ));
        }
        held.digest = digest;
        let start = Instant::now();
        drop(output);
        after_report(setting);
        held.ns
            .push((processing + start.elapsed()).as_nanos() as u64);
        held.rss_between.push(resident_bytes());
    }
    // ANCHOR_END: hold
    held.peak_rss = peak_rss_bytes();
    Ok(held)
}

/// A digest of a report's figures, to compare reports across processes.
fn digest_of(output: &crate::murabaha::model::MurabahaOutput) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    output.hash(&mut hasher);
    hasher.finish()
}

/// One setting's processes, round by round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    /// The setting.
    pub setting: Setting,
    /// Each round's process.
    pub rounds: Vec<Held>,
    /// Time a report against `glibc`'s (`None` for `glibc` itself).
    pub over_glibc: Option<Ratio>,
}

/// `mizan memory-limits`'s results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemoryReport {
    /// Where they were made.
    pub machine: Machine,
    /// The portfolio's scale and its contracts.
    pub scale: Scale,
    /// Contracts in the portfolio.
    pub contracts: usize,
    /// Every setting's.
    pub settings: Vec<Measured>,
}

/// Runs one setting's process.
fn run_child(setting: Setting, scale: Scale, seed: u64, reports: usize) -> Result<Held, String> {
    let request = Request::HoldReports {
        setting: setting.name().to_owned(),
        scale,
        seed,
        reports,
    };
    let out = request
        .this_program(setting.backend())?
        .output()
        .map_err(|e| format!("cannot start a child process: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the {} process failed: {}",
            setting.name(),
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the {} process said nonsense: {e}", setting.name()))
}

/// Every setting's processes, `rounds` times, the settings one after the
/// other in each round (which goes first moves one on each round).
pub fn measure(
    scale: Scale,
    seed: u64,
    reports: usize,
    rounds: usize,
) -> Result<MemoryReport, String> {
    let mut measured: Vec<Measured> = SETTINGS
        .iter()
        .map(|&setting| Measured {
            setting,
            rounds: Vec::new(),
            over_glibc: None,
        })
        .collect();
    for round in 0..rounds {
        for k in 0..SETTINGS.len() {
            let i = (round + k) % SETTINGS.len();
            eprintln!(
                "{ID}: round {} of {rounds}, {}",
                round + 1,
                SETTINGS[i].name()
            );
            let held = run_child(SETTINGS[i], scale, seed, reports)?;
            measured[i].rounds.push(held);
        }
    }
    let glibc: Vec<Vec<u64>> = measured[0].rounds.iter().map(|h| h.ns.clone()).collect();
    for m in &mut measured[1..] {
        let ns: Vec<Vec<u64>> = m.rounds.iter().map(|h| h.ns.clone()).collect();
        m.over_glibc = Ratio::of_slices(&glibc, &ns);
    }
    let mut machine = Machine::current();
    // The processes run under their settings' allocators, not this one's.
    machine.allocator = "each setting's".to_owned();
    Ok(MemoryReport {
        machine,
        scale,
        contracts: book_contracts_at(scale),
        settings: measured,
    })
}

/// The book's section.
pub fn markdown(report: &MemoryReport) -> String {
    let digest = report.settings[0].rounds.first().map(|h| h.digest);
    let mut out = String::from("<!-- generated by `mizan memory-limits`; do not edit -->\n\n");
    out.push_str("| setting | what it changes |\n|---|---|\n");
    for m in &report.settings {
        out.push_str(&format!(
            "| `{}` | {} |\n",
            m.setting.name(),
            m.setting.what()
        ));
    }
    out.push_str(&format!(
        "\n| {ID} ({} contracts, {} scale) | time a report | over glibc's | peak resident | resident between reports | the portfolio alone |\n|---|---:|---:|---:|---:|---:|\n",
        format_count(report.contracts as u64),
        report.scale.name()
    ));
    let mut differ = Vec::new();
    for m in &report.settings {
        let all = |f: &dyn Fn(&Held) -> u64| {
            let each: Vec<u64> = m.rounds.iter().map(f).collect();
            median_ns(&each)
        };
        let ns = median_ns(
            &m.rounds
                .iter()
                .flat_map(|h| h.ns.iter().copied())
                .collect::<Vec<_>>(),
        );
        if !m.rounds.iter().all(|h| Some(h.digest) == digest) {
            differ.push(format!("`{}`", m.setting.name()));
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            m.setting.name(),
            format_ns(ns),
            m.over_glibc
                .map_or_else(|| "1×".to_owned(), |r| r.to_string()),
            format_bytes(all(&|h| h.peak_rss)),
            format_bytes(all(&|h| h.rss_between.iter().copied().max().unwrap_or(0))),
            format_bytes(all(&|h| h.rss_input)),
        ));
    }
    let rounds = report.settings[0].rounds.len();
    let reports = report.settings[0].rounds.first().map_or(0, |h| h.ns.len());
    let same = if differ.is_empty() {
        "Every report of every process had the same figures (by digest).".to_owned()
    } else {
        format!(
            "**The figures differed** from `glibc`'s first report under {}.",
            differ.join(", ")
        )
    };
    out.push_str(&format!(
        "\n{same} {rounds} processes a setting, {reports} reports each, the settings in turn; \
         times are medians of every report, each ratio the median of the per-report ratios \
         against `glibc`'s with the distribution-free 95 % interval of the median of the \
         processes' medians (≈: no measurable difference); memory figures are medians over the \
         processes (resident between reports: the most a process kept after dropping a \
         report). Machine: {}.\n",
        report.machine.summary()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_holds_its_reports_and_says_what_it_kept() {
        // The test binary's allocator is the system's: the glibc settings
        // run here; mimalloc's needs its own process (the CLI test).
        let held = hold(Setting::GlibcTrim, Scale::Tiny, 1, 2).unwrap();
        assert_eq!(held.ns.len(), 2);
        assert_eq!(held.rss_between.len(), 2);
        assert!(held.rss_input > 0 && held.peak_rss >= held.rss_input);
        let again = hold(Setting::Glibc, Scale::Tiny, 1, 1).unwrap();
        assert_eq!(again.digest, held.digest);
        assert!(hold(Setting::Mimalloc, Scale::Tiny, 1, 1).is_err());
    }

    #[test]
    fn settings_name_themselves_as_the_command_line_does() {
        for setting in SETTINGS {
            let parsed = <Setting as clap::ValueEnum>::from_str(setting.name(), false).unwrap();
            assert_eq!(parsed, setting);
        }
    }
}
