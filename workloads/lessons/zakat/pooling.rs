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
//! The contrast is the same receipts, each kept as a `String` of its own
//! (a batch handed on whole): there the pooled buffer's text must be copied
//! into an allocation of its own anyway, and reuse saves nothing.

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::zakat::receipt::write_receipt;

use super::inputs::{Receipts, receipts, receipts_limit};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Receipts, Vec<u8>> = LessonDef {
    id: "zakat/pooling",
    why: "Both forms write each receipt into a buffer sized for a receipt and copy it to the file; \
          the naive form allocates that buffer afresh for every payer and frees it after the copy \
          ({allocations_per_record:naive} allocations a receipt), the optimized form keeps one for \
          the run and clears it ({allocations_per_record:optimized}). What reuse saves is a malloc \
          and a free a receipt, and glibc's thread cache hands a freed block of that size straight \
          back to the next malloc. Both forms write the same text with the same code, so what the \
          counters show of the difference is that malloc and free, and it bounds what reuse can \
          save here: {?instructions|gain the instructions fell by it ({instructions}).|same it is \
          too small a share of a receipt's instructions for the counters to tell apart \
          ({instructions}).|loss the instructions rose ({instructions}).} {?speedup|gain In time \
          reuse measured {speedup}.|same In time the two are within the noise ({speedup}).|loss In \
          time reuse measured {speedup}.} The contrast keeps every receipt as a String of its own, \
          a batch handed on whole: the pooled buffer's text must then be copied into an allocation \
          of its own anyway ({contrast.allocations_per_record:naive} allocations a receipt fresh, \
          {contrast.allocations_per_record:optimized} pooled), {?contrast.speedup|gain and still \
          reuse measured {contrast.speedup}.|same and the two are within the noise \
          ({contrast.speedup}).|loss and reuse measured {contrast.speedup}, the copy its price.} \
          Growing a buffer from nothing is another cost, pre-allocation's: reuse is worth its \
          clutter where making the temporary costs more than the allocator's fast path (a large \
          block, a table to set up, memory the kernel must map), and a buffer kept for the run \
          stays as large as the largest record.",
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
        name: "every receipt kept",
        scale: Scale::Small,
        input: ContrastInput::Stage(&KEPT),
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

/// The contrast: the same receipts, each kept as a `String` of its own (a
/// batch handed on whole, as to a queue): a fresh `String` a receipt
/// (naive) or the run's one buffer, its text copied out (optimized).
pub const KEPT: LessonDef<Receipts, Vec<String>> = LessonDef {
    id: "zakat/pooling",
    why: "",
    build: receipts,
    elements: |input| input.assessments.len() as u64,
    naive: kept_fresh,
    optimized: kept_pooled,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_receipts,
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

// ANCHOR: kept_fresh
/// Every receipt kept: a fresh `String` for each, sized for a receipt.
pub fn kept_fresh(input: &Receipts) -> Vec<String> {
    let mut kept = Vec::with_capacity(input.assessments.len());
    for a in &input.assessments {
        let mut text = String::with_capacity(RECEIPT_BYTES);
        write_receipt(&mut text, a, input.currency.as_str());
        kept.push(text);
    }
    kept
}
// ANCHOR_END: kept_fresh

// ANCHOR: kept_pooled
/// Every receipt kept: written in the run's one buffer, then copied out.
pub fn kept_pooled(input: &Receipts) -> Vec<String> {
    let mut kept = Vec::with_capacity(input.assessments.len());
    let mut text = String::new();
    for a in &input.assessments {
        text.clear();
        write_receipt(&mut text, a, input.currency.as_str());
        kept.push(text.clone());
    }
    kept
}
// ANCHOR_END: kept_pooled

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
