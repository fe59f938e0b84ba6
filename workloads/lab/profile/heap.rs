//! Heap profiles: a form's allocations by the function that asked for the
//! memory and the lab's code that called it, made under dhat-rs in a child
//! process (dhat's allocator cannot sit beside the counting one).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use crate::lab::lesson::{Form, Lesson, Scale};

use super::frames::short_name;

/// Where the heap profiles' dhat files go (not committed: DHAT's viewer
/// opens them).
pub const HEAP_DIR: &str = "target/mizan/heap";

/// Allocation sites listed in a form's heap table.
const TOP_SITES: usize = 8;

/// The heap profile of form `name` of a lesson, made in a child process
/// whose allocator forwards to dhat's (see [`heap_form`]): its section of
/// the book, the table of allocation sites.
pub(super) fn heap_in_child(
    lesson_id: &str,
    name: &str,
    scale: Scale,
    seed: u64,
) -> Result<String, String> {
    let request = crate::lab::child::Request::HeapForm {
        lesson: lesson_id.to_owned(),
        form: name.to_owned(),
        scale,
        seed,
    };
    let out = request
        .this_program(crate::lab::alloc::Backend::System)?
        // dhat's heap profiler over the system allocator (no lesson's
        // backend: see `alloc::is_dhat`).
        .env(crate::lab::alloc::ALLOCATOR_VARIABLE, "dhat")
        .output()
        .map_err(|e| format!("cannot start the heap profile of {lesson_id}, {name}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the heap profile of {lesson_id}, {name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("the heap profile's text: {e}"))
}

/// In a process under dhat (`MIZAN_ALLOCATOR=dhat`): runs form `name` of
/// the lesson once to warm up, then once under dhat's heap profiler, which
/// writes `<stem>.dhat.json` into [`HEAP_DIR`]; returns the book's section
/// on it: the allocations a run by the site that made them.
pub fn heap_form(
    lesson: &dyn Lesson,
    name: &str,
    scale: Scale,
    seed: u64,
) -> Result<String, String> {
    use std::fmt::Write as _;
    if !crate::lab::alloc::is_dhat() {
        return Err(format!(
            "a heap profile runs under dhat: {}=dhat",
            crate::lab::alloc::ALLOCATOR_VARIABLE
        ));
    }
    let prepared = lesson.prepare(scale, seed);
    let variant = prepared.variant_names().iter().position(|v| *v == name);
    let run = || match (name, variant) {
        ("naive", _) => prepared.run(Form::Naive),
        ("optimized", _) => prepared.run(Form::Optimized),
        (_, Some(idx)) => prepared.run_variant(idx),
        _ => {}
    };
    if name != "naive" && name != "optimized" && variant.is_none() {
        return Err(format!("{} has no form {name}", lesson.id()));
    }
    run();
    let stem = format!("{}-{name}", lesson.id().replace('/', "-"));
    fs::create_dir_all(HEAP_DIR).map_err(|e| format!("cannot create {HEAP_DIR}: {e}"))?;
    let path = Path::new(HEAP_DIR).join(format!("{stem}.dhat.json"));
    let profiler = dhat::Profiler::builder()
        .file_name(&path)
        .trim_backtraces(Some(40))
        .build();
    run();
    drop(profiler);
    let json =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let sites = heap_sites(&json)?;
    let (blocks, bytes): (u64, u64) = sites
        .iter()
        .fold((0, 0), |(k, b), s| (k + s.blocks, b + s.bytes));
    let mut text = String::new();
    let _ = writeln!(
        text,
        "**Heap profile of `{name}`** (dhat-rs [[P15]](../appendix/bibliography.md), \
         one run after a warm-up; `{}` opens in DHAT's viewer): {} ({}) a run, \
         by the function that asked for the memory and the lab's code that called it.\n",
        path.display(),
        crate::lab::measure::format_allocations(blocks),
        crate::lab::measure::format_bytes(bytes),
    );
    if sites.is_empty() {
        text.push_str("No allocations.\n\n");
        return Ok(text);
    }
    text.push_str(
        "| allocated by | called from | allocations | bytes | share |\n|---|---|---:|---:|---:|\n",
    );
    let cell = |name: &str| {
        if name.is_empty() {
            String::new()
        } else {
            super::super::tables::code_cell(name)
        }
    };
    for site in sites.iter().take(TOP_SITES) {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {:.1} % |",
            cell(&site.allocator),
            match site.caller.split_once(" (") {
                Some((function, place)) => format!("{} ({place}", cell(function)),
                None => cell(&site.caller),
            },
            crate::lab::measure::format_count(site.blocks),
            crate::lab::measure::format_bytes(site.bytes),
            100.0 * site.blocks as f64 / blocks.max(1) as f64
        );
    }
    text.push('\n');
    Ok(text)
}

/// Allocations by site, from a dhat heap profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapSite {
    /// What the lab's code called that asked for the memory
    /// (`with_capacity`, `push_str`, `format_inner`).
    pub allocator: String,
    /// The lab's function that called it, with its file and line
    /// (`naive` (pooling.rs:47)); empty if no frame is the lab's.
    pub caller: String,
    /// Blocks allocated.
    pub blocks: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// A frame of a dhat file: its function and its file and line.
struct HeapFrame {
    name: String,
    file: String,
    line: String,
}

/// A dhat file's program points summed by site, most blocks first.
pub fn heap_sites(json: &str) -> Result<Vec<HeapSite>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a dhat file: {e}"))?;
    let frames: Vec<HeapFrame> = value["ftbl"]
        .as_array()
        .ok_or("a dhat file without a frame table")?
        .iter()
        .map(|f| heap_frame(f.as_str().unwrap_or("")))
        .collect();
    let mut sites: HashMap<(String, String), (u64, u64)> = HashMap::new();
    for pp in value["pps"]
        .as_array()
        .ok_or("a dhat file without program points")?
    {
        let stack: Vec<&HeapFrame> = pp["fs"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .filter_map(|i| frames.get(i.as_u64()? as usize))
                    .collect()
            })
            .unwrap_or_default();
        // Innermost first: the allocator's own frames, the library code
        // that called it, then the lab's code.
        let lab = stack.iter().position(|f| is_lab_code(&f.file));
        let (allocator, caller) = match lab {
            Some(at) => {
                let callee = stack[..at]
                    .last()
                    .map_or("?".to_owned(), |f| function_name(&f.name));
                let f = stack[at];
                let file = f.file.rsplit('/').next().unwrap_or(&f.file);
                (
                    callee,
                    format!("{} ({file}:{})", function_name(&f.name), f.line),
                )
            }
            None => (
                stack
                    .iter()
                    .find(|f| !is_allocator_frame(&f.file))
                    .map_or("?".to_owned(), |f| function_name(&f.name)),
                String::new(),
            ),
        };
        let entry = sites.entry((allocator, caller)).or_default();
        entry.0 += pp["tbk"].as_u64().unwrap_or(0);
        entry.1 += pp["tb"].as_u64().unwrap_or(0);
    }
    let mut sites: Vec<HeapSite> = sites
        .into_iter()
        .map(|((allocator, caller), (blocks, bytes))| HeapSite {
            allocator,
            caller,
            blocks,
            bytes,
        })
        .collect();
    sites.sort_by(|a, b| {
        b.blocks
            .cmp(&a.blocks)
            .then(b.bytes.cmp(&a.bytes))
            .then_with(|| (&a.allocator, &a.caller).cmp(&(&b.allocator, &b.caller)))
    });
    Ok(sites)
}

/// A heap table's function: its name without its path, which only an
/// optimized build's inlined frames lack (the file and line place it): the
/// same in a debug and a release build. A closure keeps its function's
/// name, a qualified path its brackets.
fn function_name(name: &str) -> String {
    let short = short_name(name);
    if short.starts_with('<') {
        return short;
    }
    let segments: Vec<&str> = short.split("::").collect();
    let keep = if segments.last().is_some_and(|s| s.starts_with('{')) {
        2
    } else {
        1
    };
    segments[segments.len().saturating_sub(keep)..].join("::")
}

/// A dhat frame, `0x55d2…: format_inner (alloc/src/fmt.rs:610:5)`, as its
/// function, file and line (dhat keeps a path's last three parts).
fn heap_frame(frame: &str) -> HeapFrame {
    let text = frame.split_once(": ").map_or(frame, |(_, rest)| rest);
    let (name, place) = match text.rfind(" (") {
        Some(at) => (&text[..at], text[at + 2..].trim_end_matches(')')),
        None => (text, ""),
    };
    let mut parts = place.rsplitn(3, ':');
    let _column = parts.next();
    let line = parts.next().unwrap_or("").to_owned();
    let file = parts.next().unwrap_or(place).to_owned();
    HeapFrame {
        name: name.to_owned(),
        file,
        line,
    }
}

/// The allocator's own frames (dhat's, the standard library's allocation
/// functions, the lab's counting allocator), by file.
fn is_allocator_frame(file: &str) -> bool {
    file.starts_with("dhat-")
        || file.ends_with("alloc/src/alloc.rs")
        || file.ends_with("lab/alloc.rs")
        || file.contains("src/raw_vec/")
}

/// The lab's own code (its workloads, not its machinery), by file.
fn is_lab_code(file: &str) -> bool {
    let lab = file.starts_with("zakat/")
        || file.starts_with("murabaha/")
        || file.contains("workloads/")
        || file.starts_with("lessons/");
    lab && !file.contains("lab/") && !file.ends_with("main.rs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_sites_are_summed_by_function_and_caller() {
        let json = r#"{"ftbl": ["[root]",
            "0x1: alloc (dhat-0.3.3/src/lib.rs:1176:9)",
            "0x2: alloc (alloc/src/alloc.rs:95:9)",
            "0x3: with_capacity<u8> (src/vec/mod.rs:524:9)",
            "0x4: naive (lessons/zakat/pooling.rs:47:20)",
            "0x5: run<mizan::zakat::Receipts> (workloads/lab/lesson.rs:251:43)",
            "0x6: grow_amortized<alloc::alloc::Global> (src/raw_vec/mod.rs:527:33)",
            "0x7: push_str (alloc/src/string.rs:1102:18)",
            "0x8: write_receipt (zakat/receipt.rs:205:9)",
            "0x9: spawn (std/src/thread.rs:1:1)"],
          "pps": [
            {"tb": 1000, "tbk": 1, "fs": [1, 2, 3, 4, 5]},
            {"tb": 100, "tbk": 4, "fs": [1, 2, 6, 7, 8, 4, 5]},
            {"tb": 50, "tbk": 2, "fs": [1, 6, 7, 8, 4, 5]},
            {"tb": 64, "tbk": 1, "fs": [1, 2, 9]}]}"#;
        assert_eq!(
            heap_sites(json).unwrap(),
            vec![
                HeapSite {
                    allocator: "push_str".into(),
                    caller: "write_receipt (receipt.rs:205)".into(),
                    blocks: 6,
                    bytes: 150
                },
                HeapSite {
                    allocator: "with_capacity".into(),
                    caller: "naive (pooling.rs:47)".into(),
                    blocks: 1,
                    bytes: 1000
                },
                HeapSite {
                    allocator: "spawn".into(),
                    caller: String::new(),
                    blocks: 1,
                    bytes: 64
                },
            ]
        );
        assert!(heap_sites("{}").is_err());
    }
}
