//! `zakat/pre-allocation`: valuing every payer's wealth lines, keeping each
//! line's value (for the receipt's detail and the audit trail) and the
//! payer's total.
//!
//! The naive form grows the output and each payer's list of lines from
//! empty; the optimized form sizes both up front from the input's lengths.

use rust_decimal::Decimal;

use crate::lab::lesson::{LessonDef, Limit, Scale};
use crate::zakat::ZakatInput;
use crate::zakat::model::Asset;
use crate::zakat::rules::{Context, zakatable_value};

/// The lesson's registry entry.
pub const LESSON: LessonDef<ZakatInput, Vec<PayerValuation>> = LessonDef {
    id: "zakat/pre-allocation",
    why: "Sizing the output and each payer's list of valued lines up front, instead of \
          letting them grow, saves almost nothing here, and the lesson is why. A Vec's first \
          push reserves room for four elements, and most payers hold four lines or fewer, so \
          the naive lists are allocated once too; the output grows by doubling, and glibc \
          moves large blocks by remapping pages rather than copying them. The time goes to \
          the Decimal valuation of every line. Pre-allocate where a profile shows growth: \
          mid-sized vectors rebuilt again and again.",
    build,
    elements: |input| input.payers.len() as u64,
    naive,
    optimized,
    limit: Some(Limit {
        name: "speed of light + valuation",
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::payers),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
};

/// One payer's valued wealth lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayerValuation {
    /// (line index, value in the reporting currency) of each wealth line.
    pub lines: Vec<(u16, Decimal)>,
    /// Their sum.
    pub total: Decimal,
}

fn build(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(super::sharding::payers_at(scale), seed)
}

/// Whether a line is valued as wealth (crops, livestock and treasure are
/// assessed apart).
pub fn is_wealth(asset: &Asset) -> bool {
    !matches!(
        asset,
        Asset::Crop { .. } | Asset::Livestock { .. } | Asset::Rikaz { .. }
    )
}

// ANCHOR: limit
/// The speed of light: value every wealth line and add up each payer's
/// total, keeping nothing. A lesson about where the values are stored can
/// do no better than computing them.
fn limit(input: &ZakatInput) -> u64 {
    let context = Context::of(input);
    let mut checksum = 0u64;
    for payer in &input.payers {
        let mut total = Decimal::ZERO;
        for asset in payer.assets.iter().filter(|a| is_wealth(a)) {
            total += zakatable_value(asset, &context).expect("generated lines value");
        }
        checksum ^= total.mantissa() as u64;
    }
    checksum
}
// ANCHOR_END: limit

// ANCHOR: naive
/// The output and each payer's lines grow from empty.
pub fn naive(input: &ZakatInput) -> Vec<PayerValuation> {
    let context = Context::of(input);
    let mut valuations = Vec::new();
    for payer in &input.payers {
        let mut lines = Vec::new();
        let mut total = Decimal::ZERO;
        for (idx, asset) in payer.assets.iter().enumerate() {
            if is_wealth(asset) {
                let value = zakatable_value(asset, &context).expect("generated lines value");
                lines.push((idx as u16, value));
                total += value;
            }
        }
        valuations.push(PayerValuation { lines, total });
    }
    valuations
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The output and each payer's lines sized up front.
pub fn optimized(input: &ZakatInput) -> Vec<PayerValuation> {
    let context = Context::of(input);
    let mut valuations = Vec::with_capacity(input.payers.len());
    for payer in &input.payers {
        let mut lines = Vec::with_capacity(payer.assets.len());
        let mut total = Decimal::ZERO;
        for (idx, asset) in payer.assets.iter().enumerate() {
            if is_wealth(asset) {
                let value = zakatable_value(asset, &context).expect("generated lines value");
                lines.push((idx as u16, value));
                total += value;
            }
        }
        valuations.push(PayerValuation { lines, total });
    }
    valuations
}
// ANCHOR_END: optimized
