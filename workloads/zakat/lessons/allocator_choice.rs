//! `zakat/allocator-choice`: assessing a population and printing its
//! receipts, written the readable way, the same code under the system
//! allocator (glibc malloc) and under mimalloc, each in processes of its
//! own.
//!
//! Nothing in the code changes: the lesson is the allocator. The
//! assessment alone allocates a few blocks a payer and gains nothing from
//! mimalloc (measured: 1.01×); printing the receipts with `format!`
//! allocates some thirty small, short-lived strings a payer, the pattern
//! mimalloc serves fastest.

use crate::lab::alloc::Backend;
use crate::lab::lesson::{LessonDef, Scale};
use crate::zakat::ZakatInput;

/// The lesson's registry entry.
pub const LESSON: LessonDef<ZakatInput, String> = LessonDef {
    id: "zakat/allocator-choice",
    why: "The same code, assessing a population and printing its receipts with format!, in \
          two processes: one under the system allocator (glibc malloc), one under mimalloc. \
          The receipts allocate some thirty small strings a payer and free them at once, the \
          pattern mimalloc's thread-local free lists serve fastest. The assessment alone, \
          which allocates a few blocks a payer, gains nothing; and an allocator is no \
          substitute for allocating less: the optimized receipts allocate once a run.",
    build,
    elements: |input| input.payers.len() as u64,
    naive: assess_and_print,
    optimized: assess_and_print,
    limit: None,
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
};

fn build(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(super::string_building::payers_at(scale), seed)
}

// ANCHOR: naive
/// The assessment and the receipts, the readable way: the same function
/// for both forms.
pub fn assess_and_print(input: &ZakatInput) -> String {
    let output = crate::zakat::assess_all(input).expect("generated payers assess");
    super::string_building::naive(&super::string_building::Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    })
}
// ANCHOR_END: naive
