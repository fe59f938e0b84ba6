//! `zakat/allocator-choice`: reading a payers file the readable way, through
//! a `serde_json::Value` tree, the same code under the system allocator
//! (glibc malloc) and under mimalloc, each in processes of its own.
//!
//! Nothing in the code changes: the lesson is the allocator. The tree is
//! millions of small blocks (a node for every value, an owned `String` for
//! every key and string, a vector for every array and object) allocated in
//! one burst, all alive at once, then freed together.
//!
//! The contrast is assessing a population by the reference rules: a few
//! allocations a payer (its id copied into its assessment, a vector of
//! crops or herds where it has them) beside a great deal of `Decimal`
//! arithmetic and a calendar conversion.

use crate::input::InputError;
use crate::lab::api::{Backend, Contrast, ContrastInput, LessonDef, Practice, Prepare, Scale};
use crate::zakat::ZakatInput;
use crate::zakat::ZakatOutput;

use super::inputs::{
    Parsed, PayersFile, arbitrary_payers_file, deserialize, payers_file, read, receipt_payers_at,
    validated,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PayersFile, Result<Parsed, InputError>> = LessonDef {
    id: "zakat/allocator-choice",
    why: "The same code, reading a payers file through a serde_json Value tree and then \
          into the model, in two processes: one under the system allocator (glibc malloc), \
          one under mimalloc. The tree is a burst of small blocks \
          ({allocations_per_record:naive} allocations a payer), all alive at once, then \
          freed together. glibc serves a request first from its thread cache, seven freed \
          blocks of each size; past it, a small block (up to glibc's fastbin \
          limit, sixteen words) comes from and goes back to a fastbin, a list that never merges, and a larger one to the other bins, \
          merged with its free neighbours when freed and searched for when asked. mimalloc \
          gives each page of memory blocks of one size and free lists of its own: an \
          allocation pops a list, a free pushes onto one. Each form is counted under its \
          own allocator: {?instructions|gain mimalloc's run took fewer instructions \
          ({instructions}), and fewer trips to memory (last-level \
          misses, {ll_misses}).|same the instructions are close ({instructions}).|loss mimalloc's run \
          took more instructions ({instructions}).} {?speedup|gain In time mimalloc \
          measured {speedup}.|same In time the two are within the noise ({speedup}).|loss \
          In time mimalloc measured {speedup}.} The contrast assesses a population by the \
          reference rules: a few allocations a payer \
          ({contrast.allocations_per_record:naive}) beside a great deal of Decimal \
          arithmetic and a calendar conversion. {?contrast.speedup|gain There mimalloc \
          still measured {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}): the allocator is a small share of the work.|loss There \
          mimalloc measured {contrast.speedup}.} The gain an allocator can give is bounded \
          by the time spent allocating and freeing, and changing it is no substitute for \
          allocating less.",
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
        name: "assessing a population",
        scale: Scale::Small,
        input: ContrastInput::Stage(&ASSESSED),
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

/// The contrast: assessing a population by the reference rules, under
/// each allocator.
pub const ASSESSED: LessonDef<ZakatInput, ZakatOutput> = LessonDef {
    id: "zakat/allocator-choice",
    why: "",
    build,
    elements: |input| input.payers.len() as u64,
    naive: assess_by_the_rules,
    optimized: assess_by_the_rules,
    prepare: Prepare::NONE,
    limit: None,
    // The domain engine's assessments (fixed point, its own code), so
    // that the check can fail.
    reference: Some(assess_by_the_engine),
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

// ANCHOR: assess_by_the_rules
/// Every payer assessed by the reference rules: the same function for both
/// forms of the contrast.
pub fn assess_by_the_rules(input: &ZakatInput) -> ZakatOutput {
    crate::zakat::rules::assess_all(input).expect("generated payers assess")
}
// ANCHOR_END: assess_by_the_rules

/// The independent reference of the contrast's check: the domain engine.
fn assess_by_the_engine(input: &ZakatInput) -> ZakatOutput {
    crate::zakat::engine::assess_all(input).expect("generated payers assess")
}
