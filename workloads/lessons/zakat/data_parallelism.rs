//! `zakat/data-parallelism`: assessing every payer of a population by the
//! reference rules, one payer independent of every other, on one core or
//! on all of them (rayon).
//!
//! Three forms, one loop body:
//!
//! - naive: the sequential loop, `iter().map(…).collect()`;
//! - `par-iter`: the same loop as `par_iter()`, rayon splitting the slice
//!   as its threads ask for work, down to single payers if they keep
//!   asking;
//! - optimized: the same, never split below a run of payers
//!   (`with_min_len`), so that a task is always a run of payers, far more
//!   work than starting it, however the threads steal.
//!
//! Every form collects every payer's result in order and then takes the
//! first error in input order: rayon's own `collect` into a `Result` stops
//! at whichever error a thread finds first, which on a file with two bad
//! payers could name either. The sequential loop collects the same way,
//! so that the forms differ in the threads alone: collected straight into
//! a `Result`, std's `collect` cannot know the length and grows the
//! vector (measured: 15 MB more allocated at 50,000 payers, and the
//! sequential loop slower than the parallel one at one thread), a
//! pre-allocation difference that is not this lesson's.
//!
//! The contrast is a household: a handful of payers, where starting the
//! tasks costs more than the work.

use rayon::prelude::*;

use crate::input::InputError;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Practice, Prepare, Scale, Variant,
};
use crate::zakat::ZakatInput;
use crate::zakat::model::{Assessment, Payer};
use crate::zakat::rules::{Context, assess};

/// The lesson's registry entry.
pub const LESSON: LessonDef<ZakatInput, Result<Vec<Assessment>, InputError>> = LessonDef {
    id: "zakat/data-parallelism",
    why: "Each payer's assessment depends on nothing but the payer and the file's prices, \
          so the loop can be split over the cores as it stands: par_iter instead of iter, \
          and rayon hands each thread a share and lets an idle thread steal half of a busy \
          one's. The plain par_iter is the rung between; the optimized form is the same \
          loop never split below a run of payers (with_min_len). Every form collects every \
          result in order and takes the first error in input order, so they differ in the \
          threads alone. {?speedup|gain On {records} payers the optimized form measured \
          {speedup} over the sequential loop at the run's thread count.|same On {records} \
          payers the optimized form and the sequential loop are within the noise \
          ({speedup}) at the run's thread count.|loss On {records} payers the optimized \
          form measured {speedup} against the sequential loop at the run's thread \
          count.|unreliable On {records} payers the ratio is not reported: another process \
          held a core while it ran.} The thread tables give each form at one thread and at \
          every count up to the cores. Callgrind runs the threads one at a time, so its \
          counts are of work, not of how the work shares the cores: {instructions}. \
          Against the plain par_iter, the minimum run {?over_before:optimized|gain \
          measured {over_before:optimized}.|same made no measurable difference \
          ({over_before:optimized}), probably because rayon's splitting is adaptive and \
          with items this heavy few steals happen.|loss measured \
          {over_before:optimized}.|unreliable is not reported.} Its use is the small \
          input: the contrast is a household of {contrast.records} payers, where waking \
          the pool's threads and joining them may cost as much as the assessments. \
          {?contrast.over_naive:par-iter|gain There the plain par_iter, which splits even \
          a household, measured {contrast.over_naive:par-iter} over the sequential \
          loop|same There the plain par_iter, which splits even a household, is within the \
          noise of the sequential loop ({contrast.over_naive:par-iter})|loss There the \
          plain par_iter, which splits even a household, measured \
          {contrast.over_naive:par-iter} against the sequential loop|unreliable There the \
          plain par_iter's ratio is not reported}; {?contrast.speedup|gain the form with a \
          minimum run, which runs them all on the calling thread, measured \
          {contrast.speedup}.|same the form with a minimum run, which runs them all on the \
          calling thread, is within the noise of it ({contrast.speedup}).|loss the form \
          with a minimum run, which runs them all on the calling thread, measured \
          {contrast.speedup}.|unreliable the form with a minimum run is not reported \
          either.} Split a loop over the cores where each item is far more work than a \
          task, and give it a minimum run so that a small input stays on one thread.",
    build,
    elements: |input| input.payers.len() as u64,
    naive: sequential,
    optimized: chunked,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(|input| crate::zakat::assess_all(input).map(|output| output.assessments)),
    arbitrary: super::inputs::arbitrary_population,
    invariant: Some(the_reference_assessments),
    allocators: None,
    variants: &[Variant::new("par-iter", par_iter)],
    scaling: true,
    contrast: Some(Contrast {
        name: "a household",
        scale: Scale::Tiny,
        input: ContrastInput::Build(household),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every payer is assessed on one core while the others wait, and no payer's assessment \
         needs another's. The collected results must still come back in order, and a bad file \
         must still name its first bad payer, not whichever a thread found first.",
        compares: "every assessment, field by field in the payers' order, or the error",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The fewest payers a parallel task is given: some hundred microseconds
/// of assessment, far above what a task costs to start and steal.
pub const MIN_PAYERS_PER_TASK: usize = 256;

/// Payers at each scale.
pub fn payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 400,
        Scale::Small => 5_000,
        Scale::Default => 50_000,
        Scale::Bank => 1_000_000,
    }
}

fn build(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(payers_at(scale), seed)
}

/// The contrast's input: a household of eight payers, whatever the scale.
fn household(_scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(8, seed)
}

/// One payer's assessment, its error named as the whole file's would be.
pub fn assess_at(idx: usize, payer: &Payer, context: &Context) -> Result<Assessment, InputError> {
    assess(payer, context)
        .map_err(|e| InputError::new(format!("payers[{idx}].{}", e.at), e.message))
}

// ANCHOR: naive
/// One payer after another, on one core, every result collected in order
/// as the parallel forms collect them.
pub fn sequential(input: &ZakatInput) -> Result<Vec<Assessment>, InputError> {
    let context = Context::of(input);
    let results: Vec<Result<Assessment, InputError>> = input
        .payers
        .iter()
        .enumerate()
        .map(|(idx, payer)| assess_at(idx, payer, &context))
        .collect();
    first_error_in_order(results)
}
// ANCHOR_END: naive

// ANCHOR: par_iter
/// The same loop over every core: rayon splits the payers as its threads
/// ask for work.
pub fn par_iter(input: &ZakatInput) -> Result<Vec<Assessment>, InputError> {
    let context = Context::of(input);
    let results: Vec<Result<Assessment, InputError>> = input
        .payers
        .par_iter()
        .enumerate()
        .map(|(idx, payer)| assess_at(idx, payer, &context))
        .collect();
    first_error_in_order(results)
}
// ANCHOR_END: par_iter

// ANCHOR: optimized
/// The same, a task never smaller than [`MIN_PAYERS_PER_TASK`] payers.
pub fn chunked(input: &ZakatInput) -> Result<Vec<Assessment>, InputError> {
    let context = Context::of(input);
    let results: Vec<Result<Assessment, InputError>> = input
        .payers
        .par_iter()
        .with_min_len(MIN_PAYERS_PER_TASK)
        .enumerate()
        .map(|(idx, payer)| assess_at(idx, payer, &context))
        .collect();
    first_error_in_order(results)
}

// ANCHOR_END: optimized

// ANCHOR: first_error
/// Every payer's assessment, or the error of the first payer in input
/// order that has one (what a sequential loop reports).
pub fn first_error_in_order(
    results: Vec<Result<Assessment, InputError>>,
) -> Result<Vec<Assessment>, InputError> {
    results.into_iter().collect()
}
// ANCHOR_END: first_error

/// The invariant: the reference's assessments in order, or the error of
/// its first bad payer.
fn the_reference_assessments(
    input: &ZakatInput,
    assessed: &Result<Vec<Assessment>, InputError>,
) -> Result<(), String> {
    let expected = crate::zakat::assess_all(input).map(|output| output.assessments);
    ensure(&expected == assessed, || {
        "not the reference's assessments".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_payer_in_order_is_named_at_every_thread_count() {
        let mut input = crate::zakat::generate::generate(2_000, 3);
        // Two bad payers, far apart: cash that no Decimal can sum.
        let currency = input.currency;
        for idx in [1_500, 300] {
            for _ in 0..2 {
                input.payers[idx]
                    .assets
                    .push(crate::zakat::model::Asset::Cash {
                        amount: rust_decimal::Decimal::MAX,
                        currency,
                    });
            }
        }
        let expected = sequential(&input).unwrap_err();
        assert!(
            expected.to_string().starts_with("payers[300]."),
            "{expected}"
        );
        for threads in [1, 2, 4] {
            crate::lab::api::pool(threads).install(|| {
                assert_eq!(par_iter(&input).unwrap_err(), expected);
                assert_eq!(chunked(&input).unwrap_err(), expected);
            });
        }
    }

    #[test]
    fn every_payer_is_assessed_in_order() {
        let input = build(Scale::Tiny, 1);
        let expected = crate::zakat::assess_all(&input).unwrap().assessments;
        assert_eq!(expected.len(), 400);
        assert_eq!(sequential(&input).unwrap(), expected);
        assert_eq!(par_iter(&input).unwrap(), expected);
        assert_eq!(chunked(&input).unwrap(), expected);
        assert_eq!(household(Scale::Bank, 1).payers.len(), 8);
    }
}
