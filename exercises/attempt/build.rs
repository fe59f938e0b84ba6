//! Compiles the one attempt `cargo exercise check` asks for: writes
//! `OUT_DIR/attempt.rs`, the attempt as a module (`#[path]` to the
//! learner's file) and the list of exercises holding it alone, with its
//! lesson and its starting point from `mizan-exercises`.
//!
//! `MIZAN_EXERCISE` names the exercise as its file does (`zakat_pooling`),
//! `MIZAN_ATTEMPTS` the folder (`exercises/attempts/` by default; `cargo
//! exercise grade` names each student's). Without `MIZAN_EXERCISE` the
//! list is empty. An import from a path that moved gets a warning naming
//! the new one.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Paths that moved when the lessons got a wing of their own, for the
/// warning an older attempt gets: each old path with its new one.
const MOVED: &[(&str, &str)] = &[
    (
        "mizan::zakat::lessons::string_building::Receipts",
        "mizan::lessons::zakat::inputs::Receipts",
    ),
    (
        "mizan::zakat::lessons::string_building::write_receipt",
        "mizan::zakat::receipt::write_receipt",
    ),
    (
        "mizan::zakat::lessons::string_building::animal_name",
        "mizan::zakat::receipt::animal_name",
    ),
    (
        "mizan::zakat::lessons::string_building::group_name",
        "mizan::zakat::receipt::group_name",
    ),
    (
        "mizan::murabaha::lessons::string_building::Statements",
        "mizan::lessons::murabaha::inputs::Statements",
    ),
    (
        "mizan::murabaha::lessons::string_building::write_statement",
        "mizan::murabaha::statement::write_statement",
    ),
    (
        "mizan::murabaha::lessons::string_building::TABLE_HEADING",
        "mizan::murabaha::statement::TABLE_HEADING",
    ),
    (
        "mizan::murabaha::lessons::string_building::listed",
        "mizan::murabaha::statement::listed",
    ),
    (
        "mizan::zakat::lessons::sharding::",
        "mizan::lessons::zakat::inputs:: (Line, Lines, Key, Total, Totals, key, add)",
    ),
    (
        "mizan::zakat::lessons::algorithmic::",
        "mizan::lessons::zakat::inputs:: (Ids, Duplicate)",
    ),
    (
        "mizan::zakat::lessons::pre_allocation::is_wealth",
        "mizan::lessons::zakat::inputs::is_wealth",
    ),
    (
        "mizan::zakat::lessons::parsing::",
        "mizan::lessons::zakat::inputs:: (PayersFile, Parsed, read, deserialize, validated)",
    ),
    (
        "mizan::zakat::lessons::buffered_io::",
        "mizan::lessons::inputs:: (Document, Destination)",
    ),
    (
        "mizan::murabaha::lessons::sharding::",
        "mizan::lessons::murabaha::inputs:: (PaymentStream, PaymentEvent, Ledger, post)",
    ),
    (
        "mizan::murabaha::lessons::pre_allocation::",
        "mizan::lessons::murabaha::inputs:: (ProcessedBook, OpenBook, Flows)",
    ),
    (
        "mizan::murabaha::lessons::thread_spawn::",
        "mizan::lessons::murabaha::inputs:: (BatchTotals, month_end)",
    ),
    ("mizan::zakat::lessons::", "mizan::lessons::zakat::"),
    ("mizan::murabaha::lessons::", "mizan::lessons::murabaha::"),
];

fn main() {
    println!("cargo:rerun-if-env-changed=MIZAN_EXERCISE");
    println!("cargo:rerun-if-env-changed=MIZAN_ATTEMPTS");
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let attempts = std::env::var_os("MIZAN_ATTEMPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| here.join("../attempts"));
    let code = match std::env::var("MIZAN_EXERCISE") {
        Err(_) => format!(
            "/// The folder of the attempt: none is compiled in.\n\
             pub const ATTEMPTS: &str = {:?};\n\
             /// No exercise: `cargo exercise check` names one.\n\
             pub static EXERCISES: &[&dyn Exercise] = &[];\n",
            attempts.display().to_string()
        ),
        Ok(name) => {
            // `zakat_pooling`: the workload, then the technique.
            let lesson = name
                .split_once('_')
                .filter(|(workload, technique)| {
                    ["zakat", "murabaha"].contains(workload)
                        && !technique.is_empty()
                        && technique
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b == b'_')
                })
                .map(|(workload, technique)| {
                    format!("mizan::lessons::{workload}::{technique}::LESSON")
                })
                .unwrap_or_else(|| panic!("MIZAN_EXERCISE={name:?} names no exercise"));
            let file = attempts.join(format!("{name}.rs"));
            println!("cargo:rerun-if-changed={}", file.display());
            warn_of_moved_paths(&file);
            format!(
                "/// The learner's attempt.\n\
                 #[path = {file:?}]\n\
                 pub mod attempt;\n\n\
                 /// The folder the attempt is compiled from.\n\
                 pub const ATTEMPTS: &str = {attempts:?};\n\n\
                 /// The one exercise, the attempt in it.\n\
                 pub static EXERCISES: &[&dyn Exercise] = &[&mizan::lab::exercise::ExerciseDef {{\n    \
                 lesson: &{lesson},\n    \
                 attempt: attempt::attempt,\n    \
                 start: mizan_exercises::start::{name}::attempt,\n    \
                 file: \"{name}.rs\",\n    \
                 start_text: mizan_exercises::start_text::{name},\n\
                 }}];\n",
                file = file.display().to_string(),
                attempts = attempts.display().to_string(),
            )
        }
    };
    fs::write(out.join("attempt.rs"), code).expect("OUT_DIR is writable");
}

/// A warning for every import an attempt makes from a path that moved.
fn warn_of_moved_paths(attempt: &Path) {
    let Ok(text) = fs::read_to_string(attempt) else {
        return;
    };
    let mut warned = BTreeSet::new();
    for line in text.lines().filter(|l| l.contains("mizan::")) {
        if let Some((old, new)) = MOVED.iter().find(|(old, _)| line.contains(old))
            && warned.insert(*old)
        {
            println!(
                "cargo:warning={}: `{old}` has moved to `{new}`; \
                 change the import (the lessons now live in mizan::lessons)",
                attempt.display()
            );
        }
    }
}
