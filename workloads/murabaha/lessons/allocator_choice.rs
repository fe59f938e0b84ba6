//! `murabaha/allocator-choice`: processing the whole portfolio, the same
//! code, under the system allocator and under mimalloc, each in processes
//! of its own.

use crate::lab::alloc::Backend;
use crate::lab::lesson::{LessonDef, Scale};
use crate::murabaha::{MurabahaInput, MurabahaOutput};

/// The lesson's registry entry.
pub const LESSON: LessonDef<MurabahaInput, MurabahaOutput> = LessonDef {
    id: "murabaha/allocator-choice",
    why: "The same portfolio processing in two processes, one under the system allocator \
          and one under mimalloc. Processing a contract allocates its schedule and a few \
          vectors, then spends most of its time in Decimal arithmetic (solving the effective \
          rate, recognising profit, late charges): the allocator's share of the time is \
          small, so changing it changes little. Measure before switching allocators: the \
          gain is bounded by the time spent allocating.",
    build,
    elements: |input| input.contracts.len() as u64,
    naive: process,
    optimized: process,
    limit: None,
    // The domain's engine (fixed point, the rate proved): code that
    // shares no arithmetic with the reference, so the check can fail.
    reference: Some(|input| {
        crate::murabaha::engine::process_all(input).expect("generated contracts process")
    }),
    arbitrary: Some(crate::lab::arbitrary::contracts),
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: None,
};

fn build(scale: Scale, seed: u64) -> MurabahaInput {
    crate::murabaha::generate::generate(super::string_building::contracts_at(scale), seed)
}

// ANCHOR: naive
/// The whole portfolio: the same function for both forms.
pub fn process(input: &MurabahaInput) -> MurabahaOutput {
    crate::murabaha::process_all(input).expect("generated contracts process")
}
// ANCHOR_END: naive
