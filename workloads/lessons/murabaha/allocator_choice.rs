//! `murabaha/allocator-choice`: each contract's future cash flows, batch
//! after batch, the same code under the system allocator and under
//! mimalloc, each in processes of its own.
//!
//! Nothing in the code changes: the lesson is the allocator. The stage is
//! `murabaha/pre-allocation`'s contrast: a vector of a few dozen entries a
//! contract, tens of megabytes in all, built and then freed together, as a
//! service does for every report it is asked for.
//!
//! The contrast is the lesson's first stage, kept: processing the whole
//! portfolio, where the time is `Decimal` arithmetic.

use crate::lab::api::{Backend, Contrast, ContrastInput, LessonDef, Practice, Prepare, Scale};
use crate::murabaha::{MurabahaInput, MurabahaOutput};

use super::inputs::{Flows, OpenBook, flows_grown, flows_sized, open_book, statement_contracts_at};

/// The lesson's registry entry.
pub const LESSON: LessonDef<OpenBook, Vec<Flows>> = LessonDef {
    id: "murabaha/allocator-choice",
    why: "The same code, collecting every contract's future cash flows, in two processes: \
          one under the system allocator (glibc malloc), one under mimalloc, each building \
          the report again and again as a service would. What differs is what each does \
          with memory once the report is freed. glibc merges the freed blocks into free \
          space at the top of its heap and, once that is larger than its trim threshold, \
          gives it back to the kernel; the next report asks for it again, and the kernel \
          maps every page afresh, zeroed, on first touch: {faults:naive} minor page faults \
          a report under glibc against {faults:optimized} under mimalloc, which keeps \
          freed pages for reuse and returns them only after a delay. Each form is counted \
          under its own allocator: {?instructions|gain mimalloc's run took fewer \
          instructions ({instructions}).|same the instructions are close ({instructions}), \
          so the difference in time is not in the allocator's own code.|loss mimalloc's \
          run took more instructions ({instructions}).} {?speedup|gain In time mimalloc \
          measured {speedup}.|same In time the two are within the noise ({speedup}).|loss \
          In time mimalloc measured {speedup}.} The contrast processes the portfolio, a \
          few blocks a contract between long stretches of Decimal arithmetic: \
          {?contrast.speedup|gain there mimalloc still measured {contrast.speedup}.|same \
          there the two are within the noise ({contrast.speedup}).|loss there mimalloc \
          measured {contrast.speedup}.} Under glibc the same pages can be kept by raising \
          its trim threshold (mallopt, or the glibc.malloc.trim_threshold tunable; the lab \
          has not measured it here), at the cost of a process that holds on to its peak: \
          the memory-limits lesson's trade.",
    build: open_book,
    elements: |input| input.results.len() as u64,
    naive: future_flows,
    optimized: future_flows,
    prepare: Prepare::NONE,
    limit: None,
    // The vectors sized up front (`murabaha/pre-allocation`'s contrast's
    // optimized form): other code, so the check can fail.
    reference: Some(flows_sized),
    arbitrary: super::inputs::arbitrary_open_book,
    invariant: None,
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "processing the portfolio",
        scale: Scale::Tiny,
        input: ContrastInput::Stage(&PORTFOLIO),
    }),
    practice: Practice::Configuration(
        "the technique is the allocator a process runs under, not a function body: the \
         chapter's exercise sets it",
    ),
};

// ANCHOR: naive
/// Every contract's future cash flows, collected from a filter
/// (`murabaha/pre-allocation`'s contrast's grown form): the same function
/// for both forms.
pub fn future_flows(book: &OpenBook) -> Vec<Flows> {
    flows_grown(book)
}
// ANCHOR_END: naive

/// The contrast: the lesson's first stage, processing the whole portfolio
/// under each allocator.
pub const PORTFOLIO: LessonDef<MurabahaInput, MurabahaOutput> = LessonDef {
    id: "murabaha/allocator-choice",
    why: "",
    build,
    elements: |input| input.contracts.len() as u64,
    naive: process,
    optimized: process,
    prepare: Prepare::NONE,
    limit: None,
    // The domain's engine (fixed point, the rate proved): code that
    // shares no arithmetic with the reference, so the check can fail.
    reference: Some(|input| {
        crate::murabaha::engine::process_all(input).expect("generated contracts process")
    }),
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: None,
    allocators: Some([Backend::System, Backend::Mimalloc]),
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

fn build(scale: Scale, seed: u64) -> MurabahaInput {
    crate::murabaha::generate::generate(statement_contracts_at(scale), seed)
}

// ANCHOR: process
/// The whole portfolio: the same function for both forms of the contrast.
pub fn process(input: &MurabahaInput) -> MurabahaOutput {
    crate::murabaha::process_all(input).expect("generated contracts process")
}
// ANCHOR_END: process
