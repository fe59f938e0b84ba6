//! `murabaha/hoisting`: the present value of every contract's instalments
//! at its monthly rate, `Σ amount_k / (1 + i)^k`, the figure the effective
//! rate is checked against (`MURABAHA.md`: the rate is the one at which the
//! present value equals the cost). By Horner's rule from the last
//! instalment, each step adds an instalment and multiplies by the discount
//! factor `v = 1 / (1 + i)`.
//!
//! - naive: the discount factor written where the formula has it, inside
//!   the step: a `Decimal` addition and a `Decimal` division (a long
//!   division of 96-bit mantissas, in software) for every instalment;
//! - optimized: the factor computed once a contract, outside the loop, as
//!   the reference's `present_value` does: one division a contract.
//!
//! The two give the same figures to the last digit: the factor is the same
//! computation on the same values, once or every time. The compiler does
//! not move it: `Decimal`'s division is a call into `rust_decimal` that can
//! panic, not an expression it may evaluate early.
//!
//! The contrast ([`IN_INTEGERS`]) is the same present values in fixed
//! point (amounts and the factor as `i128` counts of 10⁻¹² units), where
//! the factor is an integer division LLVM may compute early: written in
//! the step or before the loop, the compiler hoists it either way.

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::lessons::inputs::input_decimal;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Plans, Vec<Decimal>> = LessonDef {
    id: "murabaha/hoisting",
    why: "The present value of a schedule by Horner's rule adds an instalment and \
          multiplies by the discount factor, one over one plus the rate, instalment after \
          instalment. Written where the formula has it, the factor is a Decimal division \
          inside the loop, a long division in software for every instalment, though it \
          depends only on the contract's rate; computed once a contract, before the loop, \
          it is the same value to the last digit. {?instructions|gain The instructions \
          show the divisions gone ({instructions}).|same The instructions did not move \
          ({instructions}).|loss The instructions rose ({instructions}).} {?speedup|gain \
          In time the hoisted factor measured {speedup}.|same In time the two are within \
          the noise ({speedup}).|loss In time the hoisted factor measured {speedup}.} The \
          compiler does not move the division: it is a call into rust_decimal that can \
          panic, not an expression it may evaluate early. The contrast computes the same \
          present values in fixed point, the factor an i128 division, written in the step \
          or before the loop: there the compiler hoists it itself, and the two forms run \
          the same instructions ({contrast.instructions}). {?contrast.speedup|gain There \
          the hoisted form still measured {contrast.speedup}.|same There the two are \
          within the noise ({contrast.speedup}).|loss There the hoisted form measured \
          {contrast.speedup}.} Hoist by hand what the compiler cannot see through; count \
          the instructions before hoisting what it can.",
    build,
    elements: |input| input.amounts.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(the_rules_present_values),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "in fixed point, where the compiler hoists",
        scale: Scale::Default,
        input: ContrastInput::Stage(&IN_INTEGERS),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every step of the fold divides one by one plus the rate, a long division in software. \
         Which values does that division depend on, and how often do they change?",
        compares: "every contract's present value, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// Every contract's instalment amounts, contract after contract, and its
/// monthly rate.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Plans {
    /// The instalment amounts of every contract, in order.
    pub amounts: Vec<Decimal>,
    /// Where each contract's amounts end in `amounts`; the last is its
    /// length.
    pub ends: Vec<usize>,
    /// Each contract's monthly rate, as long as `ends`.
    pub rates: Vec<Decimal>,
}

impl Plans {
    /// Each contract's amounts and rate.
    pub fn plans(&self) -> impl Iterator<Item = (&[Decimal], Decimal)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .zip(&self.rates)
            .map(|((start, &end), &rate)| (&self.amounts[start..end], rate))
    }
}

/// The plans of `contracts`, as the reference prices them.
pub fn plans(contracts: impl Iterator<Item = crate::murabaha::model::Contract>) -> Plans {
    let mut plans = Plans {
        amounts: Vec::new(),
        ends: Vec::new(),
        rates: Vec::new(),
    };
    for contract in contracts {
        let plan = crate::murabaha::rules::plan(&contract).expect("generated plans");
        plans.amounts.extend(plan.amounts);
        plans.ends.push(plans.amounts.len());
        plans.rates.push(plan.monthly_rate);
    }
    plans
}

fn build(scale: Scale, seed: u64) -> Plans {
    let n = super::inputs::posting_contracts_at(scale) / 20;
    plans(crate::murabaha::generate::contracts(n.max(1), seed))
}

/// The contrast: the same present values in fixed point, the factor
/// written in the step (naive) or before the loop (optimized).
pub const IN_INTEGERS: LessonDef<Plans, Vec<Option<Decimal>>> = LessonDef {
    id: "murabaha/hoisting",
    why: "",
    build,
    elements: |input| input.amounts.len() as u64,
    naive: fixed_in_the_step,
    optimized: fixed_hoisted,
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

/// One in fixed point: 10¹² units.
const ONE: i128 = 1_000_000_000_000;

/// A `Decimal` as a count of 10⁻¹² units, if it has at most twelve places
/// and the count fits.
fn units(value: Decimal) -> Option<i128> {
    let places = 12u32.checked_sub(value.scale())?;
    value.mantissa().checked_mul(10i128.pow(places))
}

/// A present value in 10⁻¹² units, rounded down to the cent.
fn to_cents(pv: i128) -> Option<Decimal> {
    let cents = i64::try_from(pv / (ONE / 100)).ok()?;
    Some(Decimal::new(cents, 2))
}

// ANCHOR: in_integers
/// The factor written in the step, as an integer division: `ONE · ONE /
/// (ONE + rate)`, truncated.
pub fn fixed_in_the_step(input: &Plans) -> Vec<Option<Decimal>> {
    input
        .plans()
        .map(|(amounts, rate)| {
            let rate = units(rate)?;
            let pv = amounts.iter().rev().try_fold(0i128, |pv, amount| {
                let discount = ONE * ONE / (ONE + rate);
                pv.checked_add(units(*amount)?)?
                    .checked_mul(discount)
                    .map(|p| p / ONE)
            })?;
            to_cents(pv)
        })
        .collect()
}

/// The factor computed once, before the loop.
pub fn fixed_hoisted(input: &Plans) -> Vec<Option<Decimal>> {
    input
        .plans()
        .map(|(amounts, rate)| {
            let rate = units(rate)?;
            let discount = ONE * ONE / (ONE + rate);
            let pv = amounts.iter().rev().try_fold(0i128, |pv, amount| {
                pv.checked_add(units(*amount)?)?
                    .checked_mul(discount)
                    .map(|p| p / ONE)
            })?;
            to_cents(pv)
        })
        .collect()
}
// ANCHOR_END: in_integers

// ANCHOR: limit
/// The speed of light: read every amount once and write one figure a
/// contract, one integer addition an instalment.
fn limit(input: &Plans) -> u64 {
    let sums: Vec<i128> = input
        .plans()
        .map(|(amounts, _)| amounts.iter().map(|a| a.mantissa()).sum())
        .collect();
    std::hint::black_box(&sums);
    sums.len() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// The discount factor computed in every step.
pub fn naive(input: &Plans) -> Vec<Decimal> {
    input
        .plans()
        .map(|(amounts, rate)| {
            amounts.iter().rev().fold(Decimal::ZERO, |pv, amount| {
                (pv + amount) * (Decimal::ONE / (Decimal::ONE + rate))
            })
        })
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The discount factor computed once a contract.
pub fn optimized(input: &Plans) -> Vec<Decimal> {
    input
        .plans()
        .map(|(amounts, rate)| {
            let discount = Decimal::ONE / (Decimal::ONE + rate);
            amounts
                .iter()
                .rev()
                .fold(Decimal::ZERO, |pv, amount| (pv + amount) * discount)
        })
        .collect()
}
// ANCHOR_END: optimized

/// Up to 40 contracts of none to 420 instalments of any amount an input
/// may hold (ten places and sixteen digits among them), at monthly rates
/// from zero to five per cent with up to ten places.
pub fn arbitrary() -> BoxedStrategy<Plans> {
    let rate = prop_oneof![
        Just(Decimal::ZERO),
        (0i64..=500_000_000).prop_map(|m| Decimal::new(m, 10)),
        (0i64..=500, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s + 4)),
    ];
    let contract = (proptest::collection::vec(input_decimal(), 0..420), rate);
    proptest::collection::vec(contract, 0..40)
        .prop_map(|contracts| {
            let mut plans = Plans {
                amounts: Vec::new(),
                ends: Vec::new(),
                rates: Vec::new(),
            };
            for (amounts, rate) in contracts {
                plans.amounts.extend(amounts);
                plans.ends.push(plans.amounts.len());
                plans.rates.push(rate);
            }
            plans
        })
        .boxed()
}

/// The invariant: each present value is the reference rules', to the last
/// digit and place.
fn the_rules_present_values(input: &Plans, values: &Vec<Decimal>) -> Result<(), String> {
    for ((amounts, rate), value) in input.plans().zip(values) {
        let expected = crate::murabaha::rules::present_value(amounts, rate);
        ensure(expected.to_string() == value.to_string(), || {
            format!("{value} where the rules give {expected}")
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_give_the_references_present_values() {
        {
            let input = build(Scale::Tiny, 3);
            let expected: Vec<Decimal> = input
                .plans()
                .map(|(amounts, rate)| crate::murabaha::rules::present_value(amounts, rate))
                .collect();
            assert_eq!(naive(&input), expected);
            assert_eq!(optimized(&input), expected);
            // To the last digit, scale included.
            let text = |v: &[Decimal]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>();
            assert_eq!(text(&naive(&input)), text(&expected));
            assert_eq!(expected.len(), 5);
        }
    }

    #[test]
    fn fixed_point_gives_the_cents_of_a_present_value_either_way() {
        // 100.00 and 100.00 at 1 % a month: 100/1.01 + 100/1.01² =
        // 99.0099… + 98.0296… = 197.0395…, 197.03 truncated to the cent.
        let input = Plans {
            amounts: vec![Decimal::new(10_000, 2), Decimal::new(10_000, 2)],
            ends: vec![2],
            rates: vec![Decimal::new(1, 2)],
        };
        let expected = vec![Some(Decimal::new(19_703, 2))];
        assert_eq!(fixed_in_the_step(&input), expected);
        assert_eq!(fixed_hoisted(&input), expected);
        // A rate of more than twelve places has no fixed-point form.
        let finer = Plans {
            rates: vec![Decimal::new(1, 13)],
            ..input
        };
        assert_eq!(fixed_hoisted(&finer), vec![None]);
        assert_eq!(fixed_in_the_step(&finer), vec![None]);
    }
}
