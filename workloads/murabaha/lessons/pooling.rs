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

use crate::lab::lesson::{LessonDef, Limit, SPEED_OF_LIGHT, Scale};

use super::string_building::{Statements, write_statement};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Statements, Vec<u8>> = LessonDef {
    id: "murabaha/pooling",
    why: "Writing each statement into a fresh String lets the String grow from nothing to \
          the statement's size ({allocations_per_record:naive} allocations a statement in \
          this run) and then frees it. A statement is long, so the growth is a small share \
          of writing it: pooling measured {speedup} here, where it pays far more on the \
          short zakat receipts. Keeping one buffer for the run and clearing it between \
          statements keeps its capacity: after the longest statement so far, the run \
          allocates nothing ({allocations_per_record:optimized} a statement). Pooling pays \
          where the same kind of temporary is made again and again in a loop; it costs a \
          buffer that stays as large as the largest record, and a form that must remember \
          to clear it.",
    build,
    elements: |input| input.results.len() as u64,
    naive,
    optimized,
    // The speed of light of printing the same text: string building's.
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: super::string_building::limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::statements),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
};

fn build(scale: Scale, seed: u64) -> Statements {
    (super::string_building::LESSON.build)(scale, seed)
}

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
