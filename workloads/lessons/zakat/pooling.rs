//! `zakat/pooling`: the receipt run, each payer's receipt written into a
//! buffer and then sent on (here: appended to the run's output file,
//! already sized), one payer after another.
//!
//! The naive form gives every receipt a fresh `String`, grown from nothing
//! and freed once sent; the optimized form keeps one buffer for the run and
//! clears it between receipts. The text is written by the same function in
//! both forms; only the buffer's life differs.
//!
//! The contrast is another stage: the receipts written as each payer is
//! assessed by the reference rules, where a receipt's few allocations are a
//! small part of the record's work.

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::zakat::ZakatInput;
use crate::zakat::receipt::write_receipt;
use crate::zakat::rules::{Context, assess};

use super::inputs::{Receipts, receipt_payers_at, receipts, receipts_limit};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Receipts, Vec<u8>> = LessonDef {
    id: "zakat/pooling",
    why: "Writing each receipt into a fresh String grows it from nothing to its couple of \
          hundred bytes, doubling as it goes ({allocations_per_record:naive} allocations a \
          receipt in this run), and frees it, for every payer. One buffer kept for the run \
          and cleared between receipts reaches the largest receipt's size in a few steps \
          and then allocates nothing; here that measured {speedup}. The contrast writes the \
          same receipts as each payer is assessed by the reference rules: the same \
          allocations saved, now beside a Decimal assessment and a calendar conversion \
          a payer, measured {contrast.speedup}; the gain shrinks with the share of the \
          record's work that allocating was. Pooling pays where the \
          same temporary is made again and again in a loop; it costs a buffer as large as \
          the largest record, kept for the run, and a form that must remember to clear it.",
    build: receipts,
    elements: |input| input.assessments.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    // The speed of light of printing the same text: string building's.
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: receipts_limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_receipts,
    invariant: Some(printed_as_the_readable_receipts),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "receipts as payers are assessed",
        scale: Scale::Small,
        input: ContrastInput::Stage(&ASSESSED),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every receipt gets a fresh String that grows from nothing and is freed once copied out. \
         One buffer, cleared between receipts, keeps its capacity.",
        compares: "the receipts file, byte for byte",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The contrast: each payer assessed by the reference rules (`Decimal`,
/// a calendar conversion for the hawl), then its receipt written into a
/// fresh `String` (naive) or the run's one buffer (optimized).
pub const ASSESSED: LessonDef<ZakatInput, Vec<u8>> = LessonDef {
    id: "zakat/pooling",
    why: "",
    build: |scale, seed| crate::zakat::generate::generate(receipt_payers_at(scale), seed),
    elements: |input| input.payers.len() as u64,
    naive: assessed_fresh,
    optimized: assessed_pooled,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_payers,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

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

// ANCHOR: assessed_fresh
/// Each payer assessed, then a fresh `String` for its receipt.
pub fn assessed_fresh(input: &ZakatInput) -> Vec<u8> {
    let context = Context::of(input);
    let mut file = Vec::new();
    for payer in &input.payers {
        let assessment = assess(payer, &context).expect("generated payers assess");
        let mut text = String::new();
        write_receipt(&mut text, &assessment, input.currency.as_str());
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: assessed_fresh

// ANCHOR: assessed_pooled
/// Each payer assessed, then its receipt in the run's one buffer.
pub fn assessed_pooled(input: &ZakatInput) -> Vec<u8> {
    let context = Context::of(input);
    let mut file = Vec::new();
    let mut text = String::new();
    for payer in &input.payers {
        let assessment = assess(payer, &context).expect("generated payers assess");
        text.clear();
        write_receipt(&mut text, &assessment, input.currency.as_str());
        file.extend_from_slice(text.as_bytes());
    }
    file
}
// ANCHOR_END: assessed_pooled

/// The invariant: the receipts the domain's readable printer writes.
fn printed_as_the_readable_receipts(input: &Receipts, file: &Vec<u8>) -> Result<(), String> {
    let mut expected = String::new();
    for a in &input.assessments {
        expected += &crate::zakat::receipt::format_receipt(a, input.currency);
    }
    ensure(expected.as_bytes() == file.as_slice(), || {
        "the receipts are not the readable printer's".to_owned()
    })
}
