//! `zakat/inlining`: the population's zakat on wealth, each payer's due
//! worked out by a policy handed to the totalling function as a callback,
//! as a library takes it: through `&dyn Fn` (one compiled totalling loop,
//! the policy called through a pointer for every payer) against a generic
//! `F: Fn` (a loop compiled for this policy, which the compiler can inline
//! into it).
//!
//! - naive: `total_dyn`, the callback a `&dyn Fn`;
//! - optimized: `total_generic`, the callback a type parameter;
//! - `cold-error`: the generic loop with the policy's error (a negative
//!   wealth, which the totals refuse) built in a `#[cold]` function of its
//!   own, out of the loop's way.
//!
//! Both totalling functions are `#[inline(never)]`, as a function of
//! another crate or module would be to its caller: otherwise the compiler
//! inlines the `dyn` one into the form, sees which closure it was given
//! and calls it directly, and the two forms are one. The contrast
//! ([`HEAVY`]) hands both the reference's policy, the due worked out in
//! `Decimal`, where the call is a small part of each payer's work.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::processor_inputs::{Wealth, arbitrary_wealth, due_cents, wealth};
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

/// What a policy gives for one payer: the due in cents, or why not.
pub type Due = Result<i64, String>;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Wealth, Result<i128, String>> = LessonDef {
    id: "zakat/inlining",
    why: "The totals take the zakat policy as a callback. Handed over as a &dyn Fn, there \
          is one compiled totalling loop for every policy, and each payer's due is a call \
          through a pointer: the arguments and the result go through the call's \
          registers and memory, and nothing of the policy can be moved into the loop or \
          merged with it. As a generic F: Fn, the loop is compiled again for this policy \
          and the policy inlined into it, the test and the division in the loop's own \
          instructions. Indirect calls, {indirect}; instructions, \
          {instructions}. {?speedup|gain The generic loop measured \
          {speedup}.|same In time the two are within the noise ({speedup}).|loss The \
          generic loop measured {speedup}.} Building the policy's error in a cold \
          function of its own as well, so that the loop holds only a call to it: \
          {?over_naive:cold-error|gain against the dyn loop it measured \
          {over_naive:cold-error}|same against the dyn loop, no measurable difference \
          ({over_naive:cold-error})|loss against the dyn loop it measured \
          {over_naive:cold-error}}; set beside the generic \
          loop's own figure, that is what the cold path added. The contrast hands both the \
          reference's policy, the due worked out in Decimal: {?contrast.speedup|gain \
          there inlining still measured {contrast.speedup}.|same there the call is lost \
          in the work ({contrast.speedup}).|loss there the generic loop measured \
          {contrast.speedup}.}",
    build: wealth,
    elements: |input| input.net.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(the_dues_added),
    allocators: None,
    variants: &[Variant::new("cold-error", cold_error)],
    scaling: false,
    contrast: Some(Contrast {
        name: "a policy in Decimal",
        scale: Scale::Default,
        input: ContrastInput::Stage(&HEAVY),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "`total_dyn` takes the policy as `&dyn Fn`: one loop for every policy, a call \
         through a pointer a payer. Write the totalling loop so that it is compiled for the \
         policy it is given (`mizan asm zakat/inlining naive` shows the call; an attempt \
         that inlines it shows none). Keep it a function of its own, `#[inline(never)]`, \
         as the lesson's are.",
        compares: "the total due in cents, or the first error, as printed",
        keep: &[],
        may_call: &[
            "mizan::lessons::zakat::processor_inputs::due_cents",
            "mizan::lessons::zakat::inlining::policy",
        ],
        constraint: None,
    }),
};

fn arbitrary() -> BoxedStrategy<Wealth> {
    // A negative wealth now and then, which the policy refuses.
    (arbitrary_wealth(), proptest::option::of(0usize..600))
        .prop_map(|(mut input, negative)| {
            if let Some(at) = negative.filter(|at| *at < input.net.len()) {
                input.net[at] = -input.net[at] - 1;
            }
            input
        })
        .boxed()
}

/// The policy: the due on `net` cents at the lunar rate if it reaches the
/// nisab, none below it; a negative wealth is refused.
pub fn policy(net: i64, nisab: i64) -> Due {
    if net < 0 {
        return Err(format!("net wealth of {net} cents is below zero"));
    }
    Ok(if net >= nisab { due_cents(net) } else { 0 })
}

// ANCHOR: total_dyn
/// The dues of every payer added, each from `due`, called through a
/// pointer; the first error stops the total.
#[inline(never)]
pub fn total_dyn(net: &[i64], due: &dyn Fn(i64) -> Due) -> Result<i128, String> {
    let mut total = 0i128;
    for &n in net {
        total += i128::from(due(n)?);
    }
    Ok(total)
}
// ANCHOR_END: total_dyn

// ANCHOR: total_generic
/// The same loop, compiled for the policy it is given.
#[inline(never)]
pub fn total_generic<F: Fn(i64) -> Due>(net: &[i64], due: F) -> Result<i128, String> {
    let mut total = 0i128;
    for &n in net {
        total += i128::from(due(n)?);
    }
    Ok(total)
}
// ANCHOR_END: total_generic

// ANCHOR: naive
/// The population's zakat on wealth, the policy a `&dyn Fn`.
pub fn naive(input: &Wealth) -> Result<i128, String> {
    let nisab = input.nisab;
    total_dyn(&input.net, &|net| policy(net, nisab))
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The population's zakat on wealth, the policy a type parameter.
pub fn optimized(input: &Wealth) -> Result<i128, String> {
    let nisab = input.nisab;
    total_generic(&input.net, |net| policy(net, nisab))
}
// ANCHOR_END: optimized

// ANCHOR: cold_error
/// The generic loop, the policy's error built in a cold function.
pub fn cold_error(input: &Wealth) -> Result<i128, String> {
    #[cold]
    #[inline(never)]
    fn negative(net: i64) -> String {
        format!("net wealth of {net} cents is below zero")
    }
    let nisab = input.nisab;
    total_generic(&input.net, |net| {
        if net < 0 {
            return Err(negative(net));
        }
        Ok(if net >= nisab { due_cents(net) } else { 0 })
    })
}
// ANCHOR_END: cold_error

// ANCHOR: limit
/// The speed of light: every payer's due added, with no callback and no
/// error to look for.
fn limit(input: &Wealth) -> u64 {
    let nisab = input.nisab;
    let total: i128 = (input.net.iter())
        .map(|&net| i128::from(if net >= nisab { due_cents(net) } else { 0 }))
        .sum();
    std::hint::black_box(total) as u64
}
// ANCHOR_END: limit

/// The contrast: the reference's policy, the due worked out in `Decimal`
/// (2.5 % of the wealth, rounded half up to the cent).
pub const HEAVY: LessonDef<Wealth, Result<i128, String>> = LessonDef {
    id: "zakat/inlining",
    why: "",
    build: wealth,
    elements: |input| input.net.len() as u64,
    naive: heavy_dyn,
    optimized: heavy_generic,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The reference's policy: the due in `Decimal`, back in cents, worked
/// out for every payer and kept for those at or above the nisab.
pub fn decimal_policy(net: i64, nisab: i64) -> Due {
    if net < 0 {
        return Err(format!("net wealth of {net} cents is below zero"));
    }
    // The due worked out for every payer, as a report that shows it beside
    // the nisab test would: the Decimal work is every payer's.
    let wealth = Decimal::new(net, 2);
    let due = crate::money::round_half_up(
        wealth * crate::zakat::rules::rate(crate::zakat::model::YearBasis::Lunar),
        2,
    );
    let cents = rust_decimal::prelude::ToPrimitive::to_i64(&(due * Decimal::ONE_HUNDRED))
        .ok_or_else(|| format!("{due} overflows"))?;
    Ok(if net >= nisab { cents } else { 0 })
}

// ANCHOR: heavy_dyn
/// The contrast's naive form: the `Decimal` policy through `&dyn Fn`.
pub fn heavy_dyn(input: &Wealth) -> Result<i128, String> {
    let nisab = input.nisab;
    total_dyn(&input.net, &|net| decimal_policy(net, nisab))
}
// ANCHOR_END: heavy_dyn

// ANCHOR: heavy_generic
/// The contrast's optimized form: the `Decimal` policy as a type
/// parameter.
pub fn heavy_generic(input: &Wealth) -> Result<i128, String> {
    let nisab = input.nisab;
    total_generic(&input.net, |net| decimal_policy(net, nisab))
}
// ANCHOR_END: heavy_generic

/// The invariant: the total is the dues added one by one, or the first
/// negative wealth's error.
fn the_dues_added(input: &Wealth, total: &Result<i128, String>) -> Result<(), String> {
    let expected = match input.net.iter().find(|n| **n < 0) {
        Some(net) => Err(format!("net wealth of {net} cents is below zero")),
        None => Ok(input
            .net
            .iter()
            .filter(|n| **n >= input.nisab)
            .map(|&n| i128::from(due_cents(n)))
            .sum()),
    };
    ensure(*total == expected, || {
        format!("{total:?}, the dues add to {expected:?}")
    })?;
    ensure(heavy_generic(input) == expected, || {
        "the Decimal policy's total differs".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_of_the_dues_at_or_above_the_nisab_or_the_first_error() {
        let input = Wealth {
            net: vec![59_999, 60_000, 60_020, 0],
            nisab: 60_000,
        };
        for form in [naive, optimized, cold_error, heavy_dyn, heavy_generic] {
            assert_eq!(form(&input), Ok(1_500 + 1_501));
        }
        let refused = Wealth {
            net: vec![60_000, -5, -7],
            nisab: 60_000,
        };
        for form in [naive, optimized, cold_error, heavy_dyn, heavy_generic] {
            assert_eq!(
                form(&refused),
                Err("net wealth of -5 cents is below zero".to_owned())
            );
        }
    }
}
