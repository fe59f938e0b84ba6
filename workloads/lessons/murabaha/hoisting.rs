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
//! The contrast is a portfolio of single-payment contracts (trade-finance
//! murabaha, one deferred payment each): a loop of one step has nothing to
//! hoist the factor out of.

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
    why: "The present value of a schedule by Horner's rule adds an instalment and multiplies \
          by the discount factor one over one plus the rate, instalment after instalment. \
          Written where the formula has it, the factor is a Decimal division inside the \
          loop, a long division in software for every instalment, though it depends only \
          on the contract's rate. Computed once a contract, outside the loop, it is the \
          same value to the last digit, and the loop is an addition and a multiplication: \
          {speedup}. The compiler does not move it: the division is a call that can panic, \
          not an expression it may evaluate early. The contrast is a portfolio of \
          single-payment contracts, where the loop runs once and there is nothing to hoist \
          it out of ({contrast.speedup}).",
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
        name: "single-payment contracts",
        scale: Scale::Default,
        input: ContrastInput::Build(single_payments),
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

/// The contrast: the same contracts, each paid in one deferred payment
/// of its selling price, at the same rates.
fn single_payments(scale: Scale, seed: u64) -> Plans {
    let plans = build(scale, seed);
    let mut single = Plans {
        amounts: Vec::with_capacity(plans.ends.len()),
        ends: Vec::with_capacity(plans.ends.len()),
        rates: plans.rates.clone(),
    };
    for (amounts, _) in plans.plans() {
        single.amounts.push(amounts.iter().sum());
        single.ends.push(single.amounts.len());
    }
    single
}

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
        for input in [build(Scale::Tiny, 3), single_payments(Scale::Tiny, 3)] {
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
}
