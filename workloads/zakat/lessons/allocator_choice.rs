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
use crate::lab::alloc::Backend;
use crate::lab::lesson::{Contrast, ContrastInput, LessonDef, Scale};
use crate::zakat::ZakatInput;
use crate::zakat::lessons::parsing::{self, Parsed, PayersFile};

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
    build: parsing::LESSON.build,
    elements: parsing::LESSON.elements,
    naive: read_through_a_tree,
    optimized: read_through_a_tree,
    limit: None,
    // The file read by hand (`zakat/parsing`'s optimized form): code that
    // shares nothing with the tree, so the check can fail.
    reference: Some(parsing::optimized),
    arbitrary: parsing::LESSON.arbitrary,
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "receipts by format!",
        scale: Scale::Small,
        input: ContrastInput::Stage(&RECEIPTS),
    }),
};

// ANCHOR: naive
/// The file read the readable way (`zakat/parsing`'s naive form): the
/// same function for both forms.
pub fn read_through_a_tree(input: &PayersFile) -> Result<Parsed, InputError> {
    parsing::naive(input)
}
// ANCHOR_END: naive

/// The contrast: the lesson's first stage, assessing a population and
/// printing its receipts the readable way, under each allocator.
pub const RECEIPTS: LessonDef<ZakatInput, String> = LessonDef {
    id: "zakat/allocator-choice",
    why: "",
    build,
    elements: |input| input.payers.len() as u64,
    naive: assess_and_print,
    optimized: assess_and_print,
    limit: None,
    // The receipts written by hand from the same assessments: code that
    // shares nothing with `format!`, so the check can fail.
    reference: Some(assess_and_write_by_hand),
    arbitrary: Some(crate::lab::arbitrary::payers),
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: None,
};

fn build(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(super::string_building::payers_at(scale), seed)
}

// ANCHOR: assess_and_print
/// The assessment and the receipts, the readable way: the same function
/// for both forms of the contrast.
pub fn assess_and_print(input: &ZakatInput) -> String {
    let output = crate::zakat::assess_all(input).expect("generated payers assess");
    super::string_building::naive(&super::string_building::Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    })
}
// ANCHOR_END: assess_and_print

/// The independent reference of the contrast's check: the same
/// assessments, the receipts written by hand (`zakat/string-building`'s
/// optimized form).
fn assess_and_write_by_hand(input: &ZakatInput) -> String {
    let output = crate::zakat::assess_all(input).expect("generated payers assess");
    super::string_building::optimized(&super::string_building::Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    })
}
