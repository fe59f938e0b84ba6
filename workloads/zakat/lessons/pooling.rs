//! `zakat/pooling`: the receipt run, each payer's receipt written into a
//! buffer and then sent on (here: appended to the run's output file,
//! already sized), one payer after another.
//!
//! The naive form gives every receipt a fresh `String`, grown from nothing
//! and freed once sent; the optimized form keeps one buffer for the run and
//! clears it between receipts. The text is written by the same function in
//! both forms; only the buffer's life differs.

use crate::lab::lesson::{LessonDef, Limit, SPEED_OF_LIGHT, Scale};

use super::string_building::{Receipts, write_receipt};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Receipts, Vec<u8>> = LessonDef {
    id: "zakat/pooling",
    why: "Writing each receipt into a fresh String grows it from nothing to its couple of \
          hundred bytes, doubling as it goes ({allocations_per_record:naive} allocations a \
          receipt in this run), and frees it, for every payer. One buffer kept for the run \
          and cleared between receipts reaches the largest receipt's size in a few steps \
          and then allocates nothing; here that measured {speedup}. Pooling pays where the \
          same temporary is made again and again in a loop; it costs a buffer as large as \
          the largest record, kept for the run, and a form that must remember to clear it.",
    build,
    elements: |input| input.assessments.len() as u64,
    naive,
    optimized,
    // The speed of light of printing the same text: string building's.
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: super::string_building::limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::receipts),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
};

fn build(scale: Scale, seed: u64) -> Receipts {
    (super::string_building::LESSON.build)(scale, seed)
}

// ANCHOR: naive
/// A fresh `String` for every receipt.
pub fn naive(input: &Receipts) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    for a in &input.assessments {
        let mut text = String::new();
        write_receipt(&mut text, a, input.currency.as_str());
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// One buffer for the whole run, cleared between receipts.
pub fn optimized(input: &Receipts) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    let mut text = String::new();
    for a in &input.assessments {
        text.clear();
        write_receipt(&mut text, a, input.currency.as_str());
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: optimized
