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
          two processes: one under the system allocator (glibc malloc), one under \
          mimalloc. The receipts allocate many small strings a payer \
          ({allocations_per_record:naive} allocations a payer in this run) and free them \
          at once, the pattern mimalloc's thread-local free lists serve fastest; here \
          mimalloc measured {speedup}. An allocator is no substitute for allocating less: \
          the receipts written by hand allocate once a run.",
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

/// The independent reference of the check: the same assessments, the
/// receipts written by hand (`zakat/string-building`'s optimized form).
fn assess_and_write_by_hand(input: &ZakatInput) -> String {
    let output = crate::zakat::assess_all(input).expect("generated payers assess");
    super::string_building::optimized(&super::string_building::Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    })
}
