//! `murabaha/pooling`: the month-end statement run, each statement written
//! into a buffer and then sent on (here: appended to the run's output
//! file, already sized), one contract after another.
//!
//! Both forms size the buffer for a statement (growing it from nothing is
//! pre-allocation's lesson, not this one's); the naive form allocates it
//! afresh for every record and frees it once sent, the optimized form keeps
//! one buffer for the run and clears it between statements. The text is
//! written by the same function in both forms; only the buffer's life
//! differs.
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
    why: "Both forms write each statement into a buffer sized for a statement and copy it to the \
          file; the naive form allocates that buffer afresh for every contract and frees it after \
          the copy ({allocations_per_record:naive} allocations a statement), the optimized form \
          keeps one for the run and clears it ({allocations_per_record:optimized}). What reuse \
          saves is a malloc and a free a statement, beside the writing of some thirty rows of \
          figures. Both forms write the same text with the same code, so what the counters show of \
          the difference is that malloc and free, and it bounds what reuse can save here: \
          {?instructions|gain the instructions fell by it ({instructions}).|same it is too small a \
          share of a statement's instructions for the counters to tell apart \
          ({instructions}).|loss the instructions rose ({instructions}).} {?speedup|gain In time \
          reuse measured {speedup}.|same In time the two are within the noise ({speedup}).|loss In \
          time reuse measured {speedup}.} The contrast makes the same saving beside the Decimal \
          processing of each contract (its schedule, recognition and payments): \
          {?contrast.speedup|gain there it measured {contrast.speedup}.|same there the two are \
          within the noise ({contrast.speedup}).|loss there it measured {contrast.speedup}.} \
          Growing a buffer from nothing is pre-allocation's cost, not pooling's: reuse is worth \
          its clutter where making the temporary costs more than the allocator's fast path, and a \
          buffer kept for the run stays as large as the largest record.",
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
        hint: "Every statement gets a fresh String, sized for a statement, and frees it once \
         copied out: one malloc and one free a record. One buffer, cleared between \
         statements, keeps its memory. How much can that save beside writing the text? The \
         counters say.",
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

/// Room for a statement: the string-building lesson's optimized form
/// sizes its document at some 86 bytes a listed instalment and 320 for the
/// rest of a statement; a few thousand bytes holds most statements, so a
/// fresh buffer this large is allocated once and seldom grows.
pub const STATEMENT_BYTES: usize = 4096;

// ANCHOR: naive
/// A fresh `String` for every statement.
pub fn naive(input: &Statements) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    for c in &input.results {
        let mut text = String::with_capacity(STATEMENT_BYTES);
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
        let mut text = String::with_capacity(STATEMENT_BYTES);
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
