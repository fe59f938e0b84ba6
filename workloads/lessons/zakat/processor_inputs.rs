//! What two or more of zakat's processor lessons share (branches,
//! vectorization): a population's net wealth as a column of cents, and its
//! random inputs. A file of its own beside `inputs.rs`, so that the
//! lessons written before these keep the sources their evidence was made
//! from.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::lab::api::Scale;
use crate::zakat::generate as zakat_generate;
use crate::zakat::rules::Context;

/// A population's net wealth, one figure a payer in whole cents, in the
/// generator's order, and the nisab it is tested against (the lunar year:
/// the due is 2.5 %, `(net + 20) / 40` cents, rounded half up).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Wealth {
    /// Each payer's net wealth in cents (assets less debts, never below
    /// zero), as the reference rules assess it.
    pub net: Vec<i64>,
    /// The nisab in cents.
    pub nisab: i64,
}

/// The largest net wealth the processor lessons take, in cents (ten
/// trillion in the reporting currency): `(net + 20) * 25` stays inside an
/// `i64`.
pub const MAX_NET_CENTS: i64 = 1_000_000_000_000_000;

/// Payers at each scale, for the processor lessons.
pub fn wealth_payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 1_000,
        Scale::Small => 20_000,
        Scale::Default => 200_000,
        Scale::Bank => 2_000_000,
    }
}

/// The zakat on `net` cents at the lunar rate, 2.5 % rounded half up to
/// the cent: `net / 40`, half up.
pub const fn due_cents(net: i64) -> i64 {
    (net + 20) / 40
}

/// A generated population assessed by the reference rules: its net wealth
/// and its nisab, in cents.
pub fn wealth(scale: Scale, seed: u64) -> Wealth {
    let input = zakat_generate::generate(wealth_payers_at(scale), seed);
    let context = Context::of(&input);
    let cents = |value: Decimal| {
        let cents = value * Decimal::ONE_HUNDRED;
        assert!(cents.fract().is_zero(), "{value} is in whole cents");
        rust_decimal::prelude::ToPrimitive::to_i64(&cents).expect("cents fit an i64")
    };
    let mut nisab = 0;
    let net = input
        .payers
        .iter()
        .map(|payer| {
            let assessment =
                crate::zakat::rules::assess(payer, &context).expect("generated payers assess");
            nisab = cents(assessment.nisab);
            cents(assessment.net_wealth)
        })
        .collect();
    Wealth { net, nisab }
}

/// Up to 600 payers (lengths around the vector widths among them), net
/// wealth from zero to [`MAX_NET_CENTS`], about a third of it within a
/// few cents of a nisab that is itself anywhere from zero to the largest
/// wealth.
pub fn arbitrary_wealth() -> BoxedStrategy<Wealth> {
    let nisab = prop_oneof![
        1 => Just(0i64),
        8 => 1i64..2_000_000,
        1 => Just(MAX_NET_CENTS),
    ];
    nisab
        .prop_flat_map(|nisab| {
            let near =
                (nisab.saturating_sub(3)..=nisab.saturating_add(3).min(MAX_NET_CENTS)).boxed();
            let net = prop_oneof![
                3 => near,
                3 => 0i64..4_000_000,
                1 => Just(0i64),
                1 => Just(MAX_NET_CENTS),
                1 => 0..=MAX_NET_CENTS,
            ];
            (proptest::collection::vec(net, 0..600), Just(nisab))
        })
        .prop_map(|(net, nisab)| Wealth { net, nisab })
        .boxed()
}
