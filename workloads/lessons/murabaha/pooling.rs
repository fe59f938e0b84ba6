//! `murabaha/pooling`: the month-end statement run, each statement written
//! into a buffer and then sent on (here: appended to the run's output
//! file, already sized), one contract after another.
//!
//! The naive form gives every statement a fresh `String`, which grows from
//! nothing to the statement's size (about ten allocations on average) and
//! is freed once sent. The optimized form keeps one buffer
//! for the whole run and clears it between statements: its capacity
//! survives, so after the longest statement so far nothing is allocated.
//! The text is written by the same function in both forms; only the
//! buffer's life differs.
//!
//! The contrast is another stage: the statements written as each contract
//! is processed by the reference rules, where a statement's allocations
//! are lost in the record's `Decimal` work.

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::murabaha::MurabahaInput;
use crate::murabaha::rules::process;
use crate::murabaha::statement::write_statement;

use super::inputs::{Statements, statement_contracts_at, statements, statements_limit};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Statements, Vec<u8>> = LessonDef {
    id: "murabaha/pooling",
    why: "Writing each statement into a fresh String lets the String grow from nothing to \
          the statement's size ({allocations_per_record:naive} allocations a statement in \
          this run) and then frees it. A statement is long, so the growth is a small share \
          of writing it: pooling measured {speedup} here, where it pays far more on the \
          short zakat receipts. Keeping one buffer for the run and clearing it between \
          statements keeps its capacity: after the longest statement so far, the run \
          allocates nothing ({allocations_per_record:optimized} a statement). The contrast \
          writes the same statements as each contract is processed by the reference \
          rules: the same allocations saved, lost beside the Decimal work of a schedule, \
          its recognition and its payments ({contrast.speedup}). Pooling pays \
          where the same kind of temporary is made again and again in a loop; it costs a \
          buffer that stays as large as the largest record, and a form that must remember \
          to clear it.",
    build: statements,
    elements: |input| input.results.len() as u64,
    naive,
    optimized,
    // The speed of light of printing the same text: string building's.
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: statements_limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_statements,
    invariant: Some(printed_as_the_readable_statements),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "statements as contracts are processed",
        scale: Scale::Tiny,
        input: ContrastInput::Stage(&PROCESSED),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every statement gets a fresh String that grows from nothing and is freed once copied \
         out. One buffer, cleared between statements, keeps its capacity.",
        compares: "the statements file, byte for byte",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The contrast: each contract processed by the reference rules (its
/// schedule, profit recognition, payments and late charges in `Decimal`),
/// then its statement written into a fresh `String` (naive) or the run's
/// one buffer (optimized).
pub const PROCESSED: LessonDef<MurabahaInput, Vec<u8>> = LessonDef {
    id: "murabaha/pooling",
    why: "",
    build: |scale, seed| crate::murabaha::generate::generate(statement_contracts_at(scale), seed),
    elements: |input| input.contracts.len() as u64,
    naive: processed_fresh,
    optimized: processed_pooled,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: naive
/// A fresh `String` for every statement.
pub fn naive(input: &Statements) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    for c in &input.results {
        let mut text = String::new();
        write_statement(&mut text, c, input.as_of);
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// One buffer for the whole run, cleared between statements.
pub fn optimized(input: &Statements) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    let mut text = String::new();
    for c in &input.results {
        text.clear();
        write_statement(&mut text, c, input.as_of);
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: optimized

// ANCHOR: processed_fresh
/// Each contract processed, then a fresh `String` for its statement.
pub fn processed_fresh(input: &MurabahaInput) -> Vec<u8> {
    let mut file = Vec::new();
    for contract in &input.contracts {
        let result = process(contract, input.as_of, &input.late_policy)
            .expect("generated contracts process");
        let mut text = String::new();
        write_statement(&mut text, &result, input.as_of);
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: processed_fresh

// ANCHOR: processed_pooled
/// Each contract processed, then its statement in the run's one buffer.
pub fn processed_pooled(input: &MurabahaInput) -> Vec<u8> {
    let mut file = Vec::new();
    let mut text = String::new();
    for contract in &input.contracts {
        let result = process(contract, input.as_of, &input.late_policy)
            .expect("generated contracts process");
        text.clear();
        write_statement(&mut text, &result, input.as_of);
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: processed_pooled

/// The invariant: the statements the domain's readable printer writes.
fn printed_as_the_readable_statements(input: &Statements, file: &Vec<u8>) -> Result<(), String> {
    let expected: String = input
        .results
        .iter()
        .map(|c| crate::murabaha::statement::format_statement(c, input.as_of))
        .collect();
    ensure(expected.as_bytes() == file.as_slice(), || {
        "the statements are not the readable printer's".to_owned()
    })
}
