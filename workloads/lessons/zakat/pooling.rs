//! `zakat/pooling`: the receipt run, each payer's receipt written into a
//! buffer and then sent on (here: appended to the run's output file,
//! already sized), one payer after another.
//!
//! Both forms size the buffer for a receipt (growing it from nothing is
//! pre-allocation's lesson, not this one's); the naive form allocates it
//! afresh for every record and frees it once sent, the optimized form keeps
//! one buffer for the run and clears it between receipts. The text is
//! written by the same function in both forms; only the buffer's life
//! differs.
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
    why: "Both forms write each receipt into a buffer sized for a receipt and copy it to \
          the file; the naive form allocates that buffer afresh for every payer and frees \
          it after the copy ({allocations_per_record:naive} allocations a receipt), the \
          optimized form keeps one for the run and clears it \
          ({allocations_per_record:optimized}). What reuse saves is a malloc and a free a \
          receipt, and glibc's thread cache hands a freed block of that size straight back \
          to the next malloc. {?speedup|gain Here reuse measured {speedup}, \
          {?instructions|gain and the instructions fell with it ({instructions}).|same \
          though no counter moved with it (instructions {instructions}).|loss though the \
          instructions rose ({instructions}).}|same Here the two are within the noise \
          ({speedup}), {?instructions|gain though the instructions fell \
          ({instructions}).|same and so are the instructions ({instructions}).|loss and \
          the instructions rose ({instructions}).}|loss Here reuse measured {speedup} \
          (instructions {instructions}).} The contrast makes the same saving beside a \
          Decimal assessment and a calendar conversion a payer, a larger share of the \
          record's work: {?contrast.speedup|gain there it measured \
          {contrast.speedup}.|same there the two are within the noise \
          ({contrast.speedup}).|loss there it measured {contrast.speedup}.} Growing a \
          buffer from nothing is another cost, pre-allocation's: reuse is worth its \
          clutter where making the temporary costs more than the allocator's fast path (a \
          large block, a table to set up, memory the kernel must map), and a buffer kept \
          for the run stays as large as the largest record.",
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
        hint: "Every receipt gets a fresh String, sized for a receipt, and frees it once copied out: \
         one malloc and one free a record. One buffer, cleared between receipts, keeps \
         its memory. How much can that save beside writing the text? The counters say.",
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

/// Room for a receipt: they average some 240 bytes (`zakat/string-building`'s
/// optimized form sizes its document at 256 a receipt), so a fresh buffer
/// this large is allocated once and never grows for most payers.
pub const RECEIPT_BYTES: usize = 256;

// ANCHOR: naive
/// A fresh `String` for every receipt, sized for a receipt.
pub fn naive(input: &Receipts) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    for a in &input.assessments {
        let mut text = String::with_capacity(RECEIPT_BYTES);
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
        let mut text = String::with_capacity(RECEIPT_BYTES);
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
