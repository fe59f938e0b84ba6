//! `zakat/fixed-point`: every payer's zakatable wealth, the sum of the
//! payer's wealth lines valued in the reporting currency and rounded to the
//! cent line by line, as `ZAKAT.md` defines it.
//!
//! - naive: in `rust_decimal`, as the reference rules compute it: every
//!   product a 96-bit mantissa with a scale, rescaled and rounded in
//!   software;
//! - optimized: in fixed point: every figure an `i64` count of cents (or a
//!   mantissa with a known scale), products in `i128`, each line rounded
//!   once by integer division (`zakat::fixed`). Every step is checked: a
//!   payer whose arithmetic could leave that range (an amount past `i64`, a
//!   product past 96 bits) is handed to the `Decimal` reference, so the
//!   figures are bit-identical for every payer, errors included.
//!
//! The contrast is a population whose amounts are all beyond `i64` cents
//! (a currency of very small units, held in the quadrillions): every payer
//! is handed back, and the fast path only adds its failed attempt.

use rust_decimal::Decimal;

use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, Scale,
};
use crate::money::add_exact;
use crate::zakat::ZakatInput;
use crate::zakat::fixed::Prepared;
use crate::zakat::model::{Asset, Payer};
use crate::zakat::rules::{Context, zakatable_value};

use super::inputs::is_wealth;

/// The lesson's registry entry.
pub const LESSON: LessonDef<ZakatInput, Vec<Option<Decimal>>> = LessonDef {
    id: "zakat/fixed-point",
    why: "A Decimal is a mantissa of three machine words and a scale: every product is a \
          multiplication of words, a rescaling and a rounding, in software. Money with a \
          known number of places is an integer of cents: in fixed point a line is one i128 \
          product and one integer division, and a payer's total an i64 sum, with every \
          step checked and a payer whose figures could leave the range handed to the \
          Decimal reference, so the figures are the reference's to the cent. Both forms \
          look a foreign line's exchange rate up in a short list prepared once for the \
          file (of Decimal rates in the one, of integers in the other). \
          {?instructions|gain The instructions fell \
          ({instructions}).|same The instructions are close ({instructions}).|loss The \
          instructions rose ({instructions}).} {?speedup|gain In time fixed point measured \
          {speedup}.|same In time the two are within the noise ({speedup}).|loss In time \
          fixed point measured {speedup}.} The contrast is a population whose cash amounts \
          are beyond i64 cents: every payer is handed back to the reference after its \
          attempt. {?contrast.speedup|gain There fixed point still measured \
          {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}).|loss There the attempt costs time on top of the reference \
          ({contrast.speedup}).} Fixed point can only pay where the figures fit the \
          integers, which for money to the cent is almost always; where they do not, the \
          check that hands them back is what keeps the figures right.",
    build,
    elements: |input| input.payers.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: "speed of light + one integer product a line",
        run: limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_population,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "amounts beyond i64 cents",
        scale: Scale::Small,
        input: ContrastInput::Build(beyond_i64),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every line is valued in `Decimal`: a 96-bit multiplication, a rescale and a rounding \
         in software. Values to the cent are integers of cents; an `i128` holds any product \
         of two of them. Whatever you cannot prove in range, hand to `decimal_wealth`.",
        compares: "every payer's valuation to the cent (or none where it has no wealth), as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

fn build(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(super::inputs::line_payers_at(scale), seed)
}

/// The contrast: the same payers with every cash amount multiplied by
/// 10^16, past `i64` cents.
fn beyond_i64(scale: Scale, seed: u64) -> ZakatInput {
    let mut input = build(scale, seed);
    let factor = Decimal::from(10_000_000_000_000_000i64);
    for payer in &mut input.payers {
        for asset in &mut payer.assets {
            if let Asset::Cash { amount, .. } = asset {
                *amount *= factor;
            }
        }
    }
    input
}

/// A payer's zakatable wealth in `Decimal`, as the reference computes it;
/// `None` where the reference fails (a product past 96 bits).
pub fn decimal_wealth(payer: &Payer, context: &Context) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    for asset in payer.assets.iter().filter(|a| is_wealth(a)) {
        total = add_exact(total, zakatable_value(asset, context).ok()?).ok()?;
    }
    // To the cent, as the figure is printed: a `Decimal` sum keeps the
    // places of its terms (a payer whose one line is `0` would print `0`,
    // and `0.00 + 0` is `0` too), so the places are set once, here. Every
    // line is rounded to the cent already: this adds zeros, never rounds.
    total.rescale(2);
    Some(total)
}

// ANCHOR: limit
/// The speed of light: one integer product per line (the amount's mantissa
/// by a constant) and a sum, with no rounding, no checks and no rates.
fn limit(input: &ZakatInput) -> u64 {
    let mut checksum = 0u64;
    for payer in &input.payers {
        let mut total = 0i128;
        for asset in payer.assets.iter().filter(|a| is_wealth(a)) {
            if let Asset::Cash { amount, .. } = asset {
                total = total.wrapping_add(amount.mantissa().wrapping_mul(3));
            }
        }
        checksum ^= total as u64;
    }
    checksum
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Every payer in `Decimal`.
pub fn naive(input: &ZakatInput) -> Vec<Option<Decimal>> {
    let context = Context::of(input);
    input
        .payers
        .iter()
        .map(|payer| decimal_wealth(payer, &context))
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Every payer in `i64` cents with `i128` products, handed to the
/// `Decimal` reference where a step could leave the range.
pub fn optimized(input: &ZakatInput) -> Vec<Option<Decimal>> {
    let context = Context::of(input);
    let fixed = Prepared::for_starts(input, &[], false);
    input
        .payers
        .iter()
        .map(|payer| {
            let mut cents = 0i64;
            for asset in payer.assets.iter().filter(|a| is_wealth(a)) {
                match fixed.wealth_line(asset).and_then(|c| cents.checked_add(c)) {
                    Some(sum) => cents = sum,
                    None => return decimal_wealth(payer, &context),
                }
            }
            Some(Decimal::new(cents, 2))
        })
        .collect()
}
// ANCHOR_END: optimized

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_gives_the_references_figures_and_hands_back_the_rest() {
        let input = build(Scale::Tiny, 1);
        let expected = naive(&input);
        assert_eq!(optimized(&input), expected);
        assert!(expected.iter().all(Option::is_some));
        let beyond = beyond_i64(Scale::Tiny, 1);
        let expected = naive(&beyond);
        assert_eq!(optimized(&beyond), expected);
        // Every payer holds cash, so every total is past i64 cents.
        assert!(
            expected
                .iter()
                .flatten()
                .all(|d| d.abs() > Decimal::from(i64::MAX / 100))
        );
    }
}
