//! Deterministic counters of every form (`mizan counters`): what callgrind
//! counts for one run of each form, with its branch predictor and cache
//! simulated, beside the allocations the lab counts: the counter that
//! explains a ratio the time only measures.
//!
//! One valgrind process a lesson (and one for its contrast; two for a
//! lesson about allocators, one under each, each form's counts taken from
//! the process under its own allocator) builds the input, runs every form once to warm it, then runs each form once more
//! through [`counted_form`]: callgrind zeroes its counts when that function
//! is entered and writes them out when it returns (`--zero-before`,
//! `--dump-after`), so each form's counts are that run's alone, input and
//! warm-up left out. The same binary, input and environment give the same
//! counts however loaded the machine is.
//!
//! The simulated caches are fixed ([`CACHES`]), not copied from the host:
//! the machines this lab runs on differ, and a cache miss counted on one
//! must be the count on another. A lesson about threads runs its threads
//! one at a time under valgrind: its instructions, branches and
//! allocations mean what they say (the work done), its cache misses and
//! lock waits do not (no two threads ever touch a line at once).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::alloc::{self, Backend};
use super::child::Request;
use super::lesson::{Form, Lesson, Prepared, Scale};
use super::measure::{format_count, format_per_record};

/// The simulated caches: a 32 KiB, 8-way first-level data and instruction
/// cache and an 8 MiB, 16-way last level, 64-byte lines: what the lab's
/// machines have (or less: a Xeon's last level is larger), fixed so that a
/// count does not depend on which machine made it.
pub const CACHES: [&str; 3] = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"];

/// The function callgrind zeroes before and dumps after (its name as
/// valgrind demangles it).
pub const COUNTED: &str = "mizan::lab::counters::counted_form";

/// One run of a form, between callgrind's zeroing and its dump: its
/// result is kept from being optimized away.
#[inline(never)]
pub fn counted_form(run: &dyn Fn()) {
    run();
    black_box(());
}

/// What callgrind counted for one form's run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormCounts {
    /// `naive`, a further form's name, `optimized`.
    pub name: String,
    /// Instructions executed (`Ir`).
    pub instructions: u64,
    /// Conditional branches executed (`Bc`).
    pub branches: u64,
    /// Conditional branches the simulated predictor got wrong (`Bcm`).
    pub mispredicted: u64,
    /// Indirect calls and jumps (`Bi`: a `dyn` call, a `match` by table).
    pub indirect: u64,
    /// Indirect calls and jumps whose target the simulated predictor got
    /// wrong (`Bim`; it predicts each from its last target).
    #[serde(default)]
    pub indirect_mispredicted: u64,
    /// First-level data cache misses, reads and writes (`D1mr + D1mw`).
    pub d1_misses: u64,
    /// Last-level misses, data reads and writes (`DLmr + DLmw`): trips to
    /// memory.
    pub ll_misses: u64,
    /// Allocations of the same run (the lab's counter, outside valgrind:
    /// a warm run in the parent).
    pub allocations: u64,
    /// What the form's own function holds in the binary that counted
    /// (`mizan asm`'s counts: what is inlined into it, not what it
    /// calls); `None` when counted by a debug build or without `objdump`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<super::asm::Counts>,
}

/// A lesson's counters: every form, at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonCounts {
    /// `workload/technique`.
    pub id: String,
    /// For the contrast's run: what its input is; `None` for the lesson.
    pub contrast: Option<String>,
    /// The scale counted at.
    pub scale: Scale,
    /// Records a run.
    pub records: u64,
    /// Whether the lesson is about threads (see the module's note: which
    /// counters mean something).
    pub threads: bool,
    /// Every form, in the runner's order.
    pub forms: Vec<FormCounts>,
    /// Where the counts came from ([`super::stamp`]): the lesson, the
    /// commit and its sources' digest when they were counted.
    #[serde(default)]
    pub stamp: String,
    /// The machine, build and commit that counted (its summary): a
    /// lesson's counts keep theirs when other lessons are counted later.
    #[serde(default)]
    pub machine: String,
}

impl LessonCounts {
    /// The form called `name`.
    pub fn form(&self, name: &str) -> Option<&FormCounts> {
        self.forms.iter().find(|f| f.name == name)
    }
}

/// Every lesson's counters, and what made them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CountersReport {
    /// The machine, the build and the commit.
    pub machine: super::machine::Machine,
    /// The simulated caches.
    pub caches: String,
    /// Each lesson's, and each contrast's.
    pub lessons: Vec<LessonCounts>,
}

impl CountersReport {
    /// The counters of lesson `id` (its contrast's, with `contrast`).
    pub fn of(&self, id: &str, contrast: bool) -> Option<&LessonCounts> {
        self.lessons
            .iter()
            .find(|l| l.id == id && l.contrast.is_some() == contrast)
    }
}

/// The child's side (`count-forms`): builds the input, runs every form once
/// to warm it, then once more each through [`counted_form`], in the
/// runner's order (naive, the further forms, optimized).
pub fn run_forms(prepared: &dyn Prepared) {
    let n = prepared.variant_names().len() + 2;
    for idx in 0..n {
        run_form(prepared, idx, n);
    }
    for idx in 0..n {
        counted_form(&|| run_form(prepared, idx, n));
    }
}

/// Runs form `idx` of `n` in the runner's order: naive, the further forms,
/// optimized.
fn run_form(prepared: &dyn Prepared, idx: usize, n: usize) {
    match idx {
        0 => prepared.run(Form::Naive),
        last if last == n - 1 => prepared.run(Form::Optimized),
        variant => prepared.run_variant(variant - 1),
    }
}

/// Counts one lesson (or its contrast) under callgrind at `scale`.
pub fn count_lesson(
    lesson: &dyn Lesson,
    scale: Scale,
    seed: u64,
    contrast: bool,
) -> Result<LessonCounts, String> {
    let prepared = if contrast {
        lesson
            .prepare_contrast(seed)
            .ok_or_else(|| format!("{} has no contrast", lesson.id()))?
    } else {
        lesson.prepare(scale, seed)
    };
    prepared
        .check()
        .map_err(|e| format!("{}: {e}", lesson.id()))?;
    let names: Vec<String> = std::iter::once("naive".to_owned())
        .chain(prepared.variant_names().iter().map(|n| n.to_string()))
        .chain(std::iter::once("optimized".to_owned()))
        .collect();
    // Allocations of a warm run of each form, here: the lab's own counter.
    let allocations: Vec<u64> = (0..names.len())
        .map(|idx| {
            let run = || run_form(prepared.as_ref(), idx, names.len());
            run();
            alloc::count(run).1.count
        })
        .collect();
    let records = prepared.elements();
    drop(prepared);
    let code = code_counts(lesson, contrast);
    let request = Request::CountForms {
        lesson: lesson.id().to_owned(),
        scale,
        seed,
        contrast,
    };
    // An allocator lesson's forms are the same code under two allocators:
    // each form is counted in a process under its own (the naive form's
    // counts from the first, the optimized form's from the second).
    let dumps = match lesson.allocators() {
        None => dumps_of(&request, Backend::System)?,
        Some([naive, optimized]) => {
            let mut under_naive = dumps_of(&request, naive)?;
            let under_optimized = dumps_of(&request, optimized)?;
            if let (Some(last), Some(theirs)) = (under_naive.last_mut(), under_optimized.last()) {
                *last = theirs.clone();
            }
            under_naive
        }
    };
    if dumps.len() != names.len() {
        return Err(format!(
            "{}: callgrind wrote {} counts for {} forms",
            lesson.id(),
            dumps.len(),
            names.len()
        ));
    }
    let forms = names
        .into_iter()
        .zip(dumps)
        .zip(allocations)
        .map(|((name, events), allocations)| {
            let code = code.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
            let get = |event: &str| {
                events
                    .iter()
                    .find(|(e, _)| e == event)
                    .map_or(0, |(_, n)| *n)
            };
            FormCounts {
                name,
                instructions: get("Ir"),
                branches: get("Bc"),
                mispredicted: get("Bcm"),
                indirect: get("Bi"),
                indirect_mispredicted: get("Bim"),
                d1_misses: get("D1mr") + get("D1mw"),
                ll_misses: get("DLmr") + get("DLmw"),
                allocations,
                code,
            }
        })
        .collect();
    Ok(LessonCounts {
        id: lesson.id().to_owned(),
        contrast: contrast.then(|| lesson.contrast().map_or("", |(_, name)| name).to_owned()),
        scale: if contrast {
            lesson.contrast().map_or(scale, |(s, _)| s)
        } else {
            scale
        },
        records,
        threads: lesson.scaling(),
        forms,
        stamp: super::stamp::stamp_now(lesson.id())?,
        machine: super::machine::Machine::current().summary(),
    })
}

/// Each form's machine code counted (`mizan asm`), from this binary when
/// it is a release build: the code the lab times. A form whose code cannot
/// be read is left out, with a warning.
fn code_counts(lesson: &dyn Lesson, contrast: bool) -> Vec<(String, super::asm::Counts)> {
    if cfg!(debug_assertions) {
        return Vec::new();
    }
    let binary = match std::env::current_exe()
        .map_err(|e| e.to_string())
        .and_then(|exe| super::asm::Binary::open(&exe))
    {
        Ok(binary) => binary,
        Err(e) => {
            eprintln!("warning: no machine code counts: {e}");
            return Vec::new();
        }
    };
    let forms = match (contrast, lesson.contrast_stage()) {
        (true, Some(stage)) => stage.form_code(),
        _ => lesson.form_code(),
    };
    forms
        .into_iter()
        .filter_map(|(name, at)| match binary.listing(at) {
            Ok(listing) => Some((name.to_owned(), listing.total())),
            Err(e) => {
                eprintln!(
                    "warning: {} {name}: no machine code counts: {e}",
                    lesson.id()
                );
                None
            }
        })
        .collect()
}

/// Runs this program under callgrind with `request`, and reads back the
/// counts of every [`counted_form`] call, in order.
fn dumps_of(request: &Request, backend: Backend) -> Result<Vec<Vec<(String, u64)>>, String> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mizan-counters-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let out = dir.join("callgrind.out");
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let options: Vec<String> = [
        "--tool=callgrind".to_owned(),
        format!("--callgrind-out-file={}", out.display()),
        format!("--zero-before={COUNTED}"),
        format!("--dump-after={COUNTED}"),
        "--branch-sim=yes".to_owned(),
        "--cache-sim=yes".to_owned(),
    ]
    .into_iter()
    .chain(CACHES.iter().map(|c| (*c).to_owned()))
    .collect();
    let output = std::process::Command::new("valgrind")
        .args(&options)
        .arg(&exe)
        .args(request.args())
        .env(super::alloc::ALLOCATOR_VARIABLE, backend.name())
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let result = if output.status.success() {
        read_dumps(&dir, &out)
    } else {
        Err(format!(
            "callgrind failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ))
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The numbered dumps `out.1`, `out.2`, … in order.
fn read_dumps(dir: &Path, out: &Path) -> Result<Vec<Vec<(String, u64)>>, String> {
    let stem = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("callgrind.out");
    let mut numbered: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let n = path
                .file_name()?
                .to_str()?
                .strip_prefix(stem)?
                .strip_prefix('.')?
                .parse()
                .ok()?;
            Some((n, path))
        })
        .collect();
    numbered.sort();
    numbered
        .into_iter()
        .map(|(_, path)| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            super::instructions::parse_events(&text)
                .ok_or_else(|| format!("no counts in {}", path.display()))
        })
        .collect()
}

/// A lesson's counters as the book shows them: a row a form, each counter
/// a record.
pub fn markdown(counts: &LessonCounts, caches: &str) -> String {
    let mut text = String::new();
    let what = match &counts.contrast {
        Some(name) => format!("`{}`, its contrast ({name})", counts.id),
        None => format!("`{}`", counts.id),
    };
    text.push_str(&format!(
        "Counters of one run of each form of {what} at the {} scale ({} records), a record, \
         under callgrind (`mizan counters`; deterministic: the same binary and input give the \
         same counts); caches simulated as `{caches}`.",
        counts.scale.name(),
        format_count(counts.records)
    ));
    text.push_str(
        " Valgrind counts every iteration of a `rep`-prefixed string instruction (glibc's \
         `memset` and `memcpy` use `rep stosb` and `rep movsb` on large blocks) as an \
         instruction and a branch: a form that zeroes or copies a large block counts about \
         one of each a byte of it.",
    );
    if counts.threads {
        text.push_str(
            " A lesson about threads: valgrind runs its threads one at a time, so the \
             instructions, branches and allocations are the work done, and the cache misses \
             are not what two cores sharing a line would see.",
        );
    }
    // Two tables of at most six columns, to read on a phone: the work and
    // its branches, then memory.
    text.push_str(
        "\n\n| form | instructions | branches | mispredicted | indirect | indirect mispredicted |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    let r = |n: u64| format_per_record(n, counts.records);
    for f in &counts.forms {
        text.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            f.name,
            r(f.instructions),
            r(f.branches),
            r(f.mispredicted),
            r(f.indirect),
            r(f.indirect_mispredicted),
        ));
    }
    text.push_str("\n| form | L1d misses | LL misses | allocations |\n|---|---:|---:|---:|\n");
    for f in &counts.forms {
        text.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            f.name,
            r(f.d1_misses),
            r(f.ll_misses),
            r(f.allocations),
        ));
    }
    if counts.forms.iter().any(|f| f.code.is_some()) {
        text.push_str(
            "\nThe machine code of each form in the same binary (`mizan asm`: its function, with \
             what the compiler inlined into it, and the lessons' own functions and the \
             standard library's iterator drivers it calls, up to three levels down), counted \
             once, not a record: vector instructions compute on several lanes at once; conditional jumps \
             are the code's branches; selects (`cmov`, `set`) choose without a jump.\n\n\
             | form | instructions | vector | conditional jumps | selects | calls (indirect) |\n\
             |---|---:|---:|---:|---:|---:|\n",
        );
        for f in &counts.forms {
            match &f.code {
                Some(c) => text.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} ({}) |\n",
                    f.name,
                    c.instructions,
                    c.vector,
                    c.conditional_jumps,
                    c.selects,
                    c.calls,
                    c.indirect_calls
                )),
                None => text.push_str(&format!("| {} | – | – | – | – | – |\n", f.name)),
            }
        }
    }
    text
}

/// Counters by lesson id, each lesson's own and its contrast's.
pub fn by_id(report: &CountersReport) -> BTreeMap<(&str, bool), &LessonCounts> {
    report
        .lessons
        .iter()
        .map(|l| ((l.id.as_str(), l.contrast.is_some()), l))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_row_a_form_a_record() {
        let counts = LessonCounts {
            id: "zakat/test".into(),
            contrast: None,
            scale: Scale::Tiny,
            records: 100,
            threads: false,
            stamp: String::new(),
            machine: String::new(),
            forms: vec![FormCounts {
                name: "naive".into(),
                instructions: 123_400,
                branches: 20_000,
                mispredicted: 50,
                indirect: 0,
                indirect_mispredicted: 0,
                d1_misses: 300,
                ll_misses: 1,
                allocations: 600,
                code: None,
            }],
        };
        let table = markdown(&counts, "32 KiB L1d");
        assert!(!table.contains("machine code"), "{table}");
        assert!(
            table.contains("| naive | 1,234 | 200 | 0.500 | 0.000 | 0.000 |\n"),
            "{table}"
        );
        assert!(
            table.contains("| naive | 3.00 | 0.010 | 6.00 |\n"),
            "{table}"
        );
        // With the machine code counted: one row a form, whole counts.
        let mut coded = counts.clone();
        coded.forms[0].code = Some(super::super::asm::Counts {
            instructions: 135,
            vector: 0,
            wide: 0,
            conditional_jumps: 11,
            selects: 1,
            calls: 6,
            indirect_calls: 0,
        });
        let table = markdown(&coded, "32 KiB L1d");
        assert!(
            table.contains("| naive | 135 | 0 | 11 | 1 | 6 (0) |\n"),
            "{table}"
        );
    }
}
