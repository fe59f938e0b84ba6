//! `zakat/branches`: the nisab test on a population in the generator's
//! order (no order the test can learn), as a branch against a branch-free
//! select. The stage lists the payers who owe zakat on their wealth, each
//! with the due in cents, from the column of net wealth the reference
//! rules assessed.
//!
//! - naive: `if net >= nisab` around the write of the payer's line: a
//!   conditional branch a payer, taken or not as the population falls;
//! - optimized: every payer's line written at the next free place, and
//!   the place moved on by the test's outcome as a number
//!   (`usize::from(net >= nisab)`): no branch on the data, every payer's
//!   due worked out.
//!
//! Both write into the same vector, one zeroed place a payer, cut to the
//! payers who owe at the end: the two differ in the branch alone. The
//! compiler does not turn the naive form's branch into a select itself,
//! because the write under it is a store it may not make unconditionally
//! (the generated code, `mizan asm zakat/branches naive`, shows the
//! branch). The contrast ([`SORTED`]) is the same population sorted by
//! wealth: every payer below the nisab first, so the branch goes one way
//! and then the other and the predictor gets it right all but once.

use proptest::prelude::*;
use serde::Serialize;

use super::processor_inputs::{MAX_NET_CENTS, Wealth, arbitrary_wealth, due_cents, wealth};
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Wealth, Vec<Owing>> = LessonDef {
    id: "zakat/branches",
    why: "Listing the payers who owe zakat is a test a payer, net wealth against the \
          nisab, and in a population in no particular order the processor cannot guess \
          its outcome: each guess it gets wrong throws away the work it began on the \
          wrong side. The naive form branches on the test around the write of the \
          payer's line; the optimized form writes every payer's line at the next free \
          place and moves the place on by the test's outcome as a number, so nothing is \
          guessed, at the price of working out every payer's due. Under callgrind's \
          predictor the branches mispredicted came to {mispredicted}. {?speedup|gain The \
          branch-free form measured {speedup}.|same In time the two are within the \
          noise ({speedup}).|loss The branch-free form measured {speedup}: the work it \
          does for every payer cost more than the mispredictions it avoids.} The contrast sorts \
          the same population by wealth, so that the test goes one way and then the \
          other and is rarely guessed wrong (its mispredicted a payer, naive → \
          optimized: {contrast.mispredicted}): {?contrast.speedup|gain there the branch-free form still \
          measured {contrast.speedup}.|same there the two are within the noise \
          ({contrast.speedup}).|loss there the branch costs nothing and the \
          branch-free form's extra work shows ({contrast.speedup}).}",
    build,
    elements: |input| input.net.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: Some(reference),
    arbitrary,
    invariant: Some(every_payer_at_or_above_the_nisab),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "sorted by wealth",
        scale: Scale::Default,
        input: ContrastInput::Build(sorted),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The test's outcome decides whether the line is written and the place moves \
         on. Write the line every time, and move the place on by the outcome as a number; \
         then read the machine code (`mizan asm zakat/branches naive`) for the branch you \
         removed.",
        compares: "the payers who owe and their dues in cents, in order, as printed",
        keep: &[],
        may_call: &["mizan::lessons::zakat::processor_inputs::due_cents"],
        constraint: None,
    }),
};

/// A payer who owes zakat on their wealth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Owing {
    /// The payer's place in the population.
    pub payer: u32,
    /// The zakat due, in cents.
    pub due: i64,
}

fn build(scale: Scale, seed: u64) -> Wealth {
    wealth(scale, seed)
}

/// The contrast's input: the same population sorted by net wealth.
fn sorted(scale: Scale, seed: u64) -> Wealth {
    let mut input = wealth(scale, seed);
    input.net.sort_unstable();
    input
}

fn arbitrary() -> BoxedStrategy<Wealth> {
    arbitrary_wealth()
}

// ANCHOR: naive
/// The payers whose net wealth reaches the nisab, each with the zakat
/// due, written where the test sends them.
pub fn naive(input: &Wealth) -> Vec<Owing> {
    let mut owing = vec![Owing::default(); input.net.len()];
    let mut next = 0;
    for (payer, &net) in input.net.iter().enumerate() {
        if net >= input.nisab {
            owing[next] = Owing {
                payer: payer as u32,
                due: due_cents(net),
            };
            next += 1;
        }
    }
    owing.truncate(next);
    owing
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Every payer's line written at the next free place, the place moved on
/// by the test's outcome: no branch on the data.
pub fn optimized(input: &Wealth) -> Vec<Owing> {
    let mut owing = vec![Owing::default(); input.net.len()];
    let mut next = 0;
    for (payer, &net) in input.net.iter().enumerate() {
        // `next` is at most `payer`: always a place in the vector.
        owing[next] = Owing {
            payer: payer as u32,
            due: due_cents(net),
        };
        next += usize::from(net >= input.nisab);
    }
    owing.truncate(next);
    owing
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: read the column once and write a line a payer,
/// one operation each, no test (the output both forms must write, at its
/// largest).
fn limit(input: &Wealth) -> u64 {
    let lines: Vec<Owing> = (input.net.iter().enumerate())
        .map(|(payer, &net)| Owing {
            payer: payer as u32,
            due: net >> 5,
        })
        .collect();
    std::hint::black_box(&lines);
    lines.len() as u64
}
// ANCHOR_END: limit

/// The independent reference: the payers filtered and mapped by
/// iterators.
fn reference(input: &Wealth) -> Vec<Owing> {
    input
        .net
        .iter()
        .enumerate()
        .filter(|(_, net)| **net >= input.nisab)
        .map(|(payer, &net)| Owing {
            payer: payer as u32,
            due: due_cents(net),
        })
        .collect()
}

/// The invariant: exactly the payers at or above the nisab, in order, each
/// with a due of a fortieth of their wealth.
fn every_payer_at_or_above_the_nisab(input: &Wealth, owing: &Vec<Owing>) -> Result<(), String> {
    let expected = input.net.iter().filter(|n| **n >= input.nisab).count();
    ensure(owing.len() == expected, || {
        format!("{} payers listed, {expected} reach the nisab", owing.len())
    })?;
    ensure(owing.windows(2).all(|w| w[0].payer < w[1].payer), || {
        "payers out of order".to_owned()
    })?;
    for line in owing {
        let net = input.net[line.payer as usize];
        ensure(net >= input.nisab && net <= MAX_NET_CENTS, || {
            format!("payer {} is below the nisab", line.payer)
        })?;
        ensure((line.due * 40 - net).abs() <= 20, || {
            format!(
                "payer {}'s due {} is not a fortieth of {net}",
                line.payer, line.due
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payers_at_or_above_the_nisab_with_a_fortieth_half_up() {
        let input = Wealth {
            net: vec![0, 59_999, 60_000, 60_019, 60_020, 1_000_000_000],
            nisab: 60_000,
        };
        let expected = vec![
            Owing {
                payer: 2,
                due: 1_500,
            },
            Owing {
                payer: 3,
                due: 1_500,
            },
            Owing {
                payer: 4,
                due: 1_501,
            },
            Owing {
                payer: 5,
                due: 25_000_000,
            },
        ];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(reference(&input), expected);
    }

    #[test]
    fn the_generated_population_is_in_no_order_and_the_contrast_is_sorted() {
        let input = build(Scale::Tiny, 1);
        let owing = naive(&input).len();
        // Some owe and some do not, so the test has two outcomes to guess.
        assert!(owing > 0 && owing < input.net.len(), "{owing}");
        let contrast = sorted(Scale::Tiny, 1);
        assert!(contrast.net.is_sorted());
        assert_eq!(naive(&contrast).len(), owing);
        assert_eq!(optimized(&contrast), reference(&contrast));
    }
}
