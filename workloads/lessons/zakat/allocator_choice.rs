//! `zakat/allocator-choice`: reading a payers file the readable way, through
//! a `serde_json::Value` tree, the same code under the system allocator
//! (glibc malloc) and under mimalloc, each in processes of its own.
//!
//! Nothing in the code changes: the lesson is the allocator. The tree is
//! millions of small blocks (a node for every value, an owned `String` for
//! every key and string, a vector for every array and object) allocated in
//! one burst, all alive at once, then freed together.
//!
//! The contrast is the lesson's first stage, kept: assessing a population
//! and printing its receipts with `format!`, some thirty small strings a
//! payer, each freed right after it is made.

use crate::input::InputError;
use crate::lab::api::{Backend, Contrast, ContrastInput, LessonDef, Practice, Prepare, Scale};
use crate::zakat::ZakatInput;
use crate::zakat::receipt::{format_receipt, write_receipt};

use super::inputs::{
    Parsed, PayersFile, arbitrary_payers_file, deserialize, payers_file, read, receipt_payers_at,
    validated,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PayersFile, Result<Parsed, InputError>> = LessonDef {
    id: "zakat/allocator-choice",
    why: "The same code, reading a payers file through a serde_json Value tree and then into \
          the model, in two processes: one under the system allocator (glibc malloc), one \
          under mimalloc. The tree is a burst of small blocks \
          ({allocations_per_record:naive} allocations a payer in this run), all alive at \
          once and then freed together. glibc's thread cache holds only seven freed blocks \
          of each size; past it, every free goes to the arena's bins, merging the block with \
          free neighbours, and every allocation takes from them again. mimalloc gives each \
          page of memory blocks of one size and a free list of its own: an allocation pops \
          the list, a free pushes onto it, with no merging and no search. Here mimalloc \
          measured {speedup}. The contrast is a stage where the choice buys little: printing \
          receipts with format! makes many small strings a payer, but frees each right \
          after it is made, the pattern glibc's thread cache already serves from a handful \
          of blocks ({contrast.speedup}). Measure before switching allocators: the gain is \
          bounded by the time spent allocating and freeing, and changing the allocator is \
          no substitute for allocating less (the hand-written parser allocates a fraction \
          as much and is several times faster under either).",
    build: payers_file,
    elements: |input| input.payers as u64,
    naive: read_through_a_tree,
    optimized: read_through_a_tree,
    prepare: Prepare::NONE,
    limit: None,
    // The file read by the derived `Deserialize` (`zakat/parsing`'s
    // `derive` form): code that shares no tree with the forms, so the
    // check can fail.
    reference: Some(read_derived),
    arbitrary: arbitrary_payers_file,
    invariant: None,
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "receipts by format!",
        scale: Scale::Small,
        input: ContrastInput::Stage(&RECEIPTS),
    }),
    practice: Practice::Configuration(
        "the technique is the allocator a process runs under, not a function body: the \
         chapter's exercise sets it",
    ),
};

// ANCHOR: naive
/// The file read the readable way (`zakat/parsing`'s naive form): a
/// `serde_json::Value` first, then the model from it; the same function
/// for both forms.
pub fn read_through_a_tree(input: &PayersFile) -> Result<Parsed, InputError> {
    let value: serde_json::Value = read(&input.bytes)?;
    validated(deserialize(value)?)
}
// ANCHOR_END: naive

/// The independent reference of the lesson's check: the model read
/// straight from the bytes.
fn read_derived(input: &PayersFile) -> Result<Parsed, InputError> {
    validated(read(&input.bytes)?)
}

/// The contrast: the lesson's first stage, assessing a population and
/// printing its receipts the readable way, under each allocator.
pub const RECEIPTS: LessonDef<ZakatInput, String> = LessonDef {
    id: "zakat/allocator-choice",
    why: "",
    build,
    elements: |input| input.payers.len() as u64,
    naive: assess_and_print,
    optimized: assess_and_print,
    prepare: Prepare::NONE,
    limit: None,
    // The receipts written by hand from the same assessments: code that
    // shares nothing with `format!`, so the check can fail.
    reference: Some(assess_and_write_by_hand),
    arbitrary: super::inputs::arbitrary_payers,
    invariant: None,
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

fn build(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(receipt_payers_at(scale), seed)
}

// ANCHOR: assess_and_print
/// The assessment and the receipts, the readable way: the same function
/// for both forms of the contrast.
pub fn assess_and_print(input: &ZakatInput) -> String {
    let output = crate::zakat::assess_all(input).expect("generated payers assess");
    let mut document = String::new();
    for assessment in &output.assessments {
        document += &format_receipt(assessment, output.currency);
    }
    document
}
// ANCHOR_END: assess_and_print

/// The independent reference of the contrast's check: the same
/// assessments, the receipts written by hand (the domain's writer, as in
/// `zakat/string-building`'s optimized form).
fn assess_and_write_by_hand(input: &ZakatInput) -> String {
    let output = crate::zakat::assess_all(input).expect("generated payers assess");
    let mut document = String::new();
    for assessment in &output.assessments {
        write_receipt(&mut document, assessment, output.currency.as_str());
    }
    document
}
