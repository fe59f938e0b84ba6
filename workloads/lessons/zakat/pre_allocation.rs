//! `zakat/pre-allocation`: the index of payers by identifier that checks a
//! payers file before it is assessed (every identifier unique; each record
//! that repeats one is reported with the first record that has it).
//!
//! The naive form lets the index grow from `HashMap::new()`; the optimized
//! form reserves room for every record with `HashMap::with_capacity`.
//! Nothing else differs: the same std map, the same SipHash, the same loop.
//!
//! The contrast is another stage, kept from the lesson's first version:
//! valuing each payer's wealth lines into a list per payer, where growth
//! is rare (a `Vec`'s first push already reserves room for four, and most
//! payers hold no more).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use rust_decimal::Decimal;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, Scale,
};
use crate::zakat::ZakatInput;
use crate::zakat::rules::{Context, zakatable_value};

use super::inputs::{Duplicate, Ids, duplicates_by_sorting, is_wealth};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Ids, Vec<Duplicate>> = LessonDef {
    id: "zakat/pre-allocation",
    why: "The identifier index is a hash map filled with one entry a record. Grown from \
          HashMap::new(), it starts with room for three entries and doubles whenever it is \
          seven-eighths full; each doubling allocates a new table and moves every entry \
          into it, hashing its key again (std's map keeps no hashes), so over a file every \
          key is hashed about twice. The optimized form reserves room for every record up \
          front: one table, each key hashed once ({allocations:naive} allocations grown \
          against {allocations:optimized} reserved, the list of repeats counted in both). \
          The naive form's profile shows the rebuilding, a large share of its samples in \
          reserve_rehash, and callgrind counts the instructions, {instructions}. {?speedup|gain \
          Here reserving measured {speedup} at {records} records.|same Here the two are \
          within the noise ({speedup}) at {records} records.|loss Here reserving measured \
          {speedup} at {records} records.} The contrast values each payer's wealth lines \
          into a list of its own, the lists and the output sized up front or grown: a \
          Vec's first push already reserves room for four, and most payers hold no more, \
          so most grown lists are allocated once too \
          ({contrast.allocations_per_record:naive} allocations a payer grown, \
          {contrast.allocations_per_record:optimized} sized), and both forms value every \
          line in Decimal. {?contrast.speedup|gain There sizing measured \
          {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}).|loss There sizing measured {contrast.speedup}.} Reserve \
          where growth rebuilds something large, and for what will be stored: a map \
          reserved for every record of a file that repeats a few keys is a large table \
          mostly empty, which every look-up then strides across.",
    build,
    elements: |input| input.ids.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: "speed of light + hashing",
        run: limit,
    }),
    reference: Some(duplicates_by_sorting),
    arbitrary: super::inputs::arbitrary_ids,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "valued lines per payer",
        scale: Scale::Default,
        input: ContrastInput::Stage(&LINES),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The index starts empty and doubles as it fills; every doubling allocates a new table \
         and hashes every key already in it again. How many identifiers will it hold at most? \
         That is known before the loop.",
        compares: "every repeated identifier's position and its first's, in file order",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// Records at each scale.
pub fn ids_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 1_000,
        Scale::Small => 10_000,
        Scale::Default => 100_000,
        Scale::Bank => 1_000_000,
    }
}

/// A generated population's identifiers, one record in a thousand
/// repeating an earlier one's.
fn build(scale: Scale, seed: u64) -> Ids {
    let mut ids: Vec<String> = crate::zakat::generate::payers(ids_at(scale), seed)
        .map(|payer| payer.id)
        .collect();
    for at in (1_000..ids.len()).step_by(1_000) {
        ids[at] = ids[at - 999].clone();
    }
    Ids { ids }
}

// ANCHOR: limit
/// The speed of light: hash every identifier once with the map's hasher,
/// storing nothing. Any index of them must at least do that.
fn limit(input: &Ids) -> u64 {
    let hasher = std::collections::hash_map::RandomState::new();
    input
        .ids
        .iter()
        .fold(0u64, |sum, id| sum ^ hasher.hash_one(id.as_str()))
}
// ANCHOR_END: limit

// ANCHOR: naive
/// The index grows from empty.
pub fn naive(input: &Ids) -> Vec<Duplicate> {
    duplicates(&input.ids, HashMap::new())
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The index has room for every record before the first is put in.
pub fn optimized(input: &Ids) -> Vec<Duplicate> {
    duplicates(&input.ids, HashMap::with_capacity(input.ids.len()))
}
// ANCHOR_END: optimized

// ANCHOR: duplicates
/// Every record whose identifier an earlier record has, filling `seen`
/// (identifier to the first record with it) as it goes.
pub fn duplicates<'a>(ids: &'a [String], mut seen: HashMap<&'a str, u32>) -> Vec<Duplicate> {
    let mut duplicates = Vec::new();
    for (at, id) in ids.iter().enumerate() {
        match seen.entry(id.as_str()) {
            Entry::Occupied(first) => duplicates.push(Duplicate {
                at: at as u32,
                first: *first.get(),
            }),
            Entry::Vacant(slot) => {
                slot.insert(at as u32);
            }
        }
    }
    duplicates
}
// ANCHOR_END: duplicates

/// The contrast: the lesson's first stage, valuing every payer's wealth
/// lines, keeping each line's value (for the receipt's detail and the audit
/// trail) and the payer's total; the output and each payer's list grown
/// (naive) or sized up front (optimized).
pub const LINES: LessonDef<ZakatInput, Vec<PayerValuation>> = LessonDef {
    id: "zakat/pre-allocation",
    why: "",
    build: lines_input,
    elements: |input| input.payers.len() as u64,
    naive: lines_grown,
    optimized: lines_sized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: "speed of light + valuation",
        run: lines_limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_payers,
    invariant: Some(a_valuation_a_payer),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// One payer's valued wealth lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PayerValuation {
    /// (line index, value in the reporting currency) of each wealth line.
    pub lines: Vec<(u16, Decimal)>,
    /// Their sum.
    pub total: Decimal,
}

fn lines_input(scale: Scale, seed: u64) -> ZakatInput {
    crate::zakat::generate::generate(super::inputs::line_payers_at(scale), seed)
}

// ANCHOR: lines_limit
/// The contrast's speed of light: value every wealth line and add up each
/// payer's total, keeping nothing. A stage about where the values are
/// stored can do no better than computing them.
fn lines_limit(input: &ZakatInput) -> u64 {
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
// ANCHOR_END: lines_limit

// ANCHOR: lines_grown
/// The output and each payer's lines grow from empty.
pub fn lines_grown(input: &ZakatInput) -> Vec<PayerValuation> {
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
// ANCHOR_END: lines_grown

// ANCHOR: lines_sized
/// The output and each payer's lines sized up front.
pub fn lines_sized(input: &ZakatInput) -> Vec<PayerValuation> {
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
// ANCHOR_END: lines_sized

/// The contrast's invariant: a valuation for every payer.
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn a_valuation_a_payer(input: &ZakatInput, valuations: &Vec<PayerValuation>) -> Result<(), String> {
    ensure(valuations.len() == input.payers.len(), || {
        format!(
            "{} valuations for {} payers",
            valuations.len(),
            input.payers.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_in_a_thousand_repeats_an_earlier_one() {
        let input = build(Scale::Tiny, 1);
        assert_eq!(input.ids.len(), 1_000);
        assert!(naive(&input).is_empty());
        let input = build(Scale::Small, 1);
        let expected: Vec<Duplicate> = (1..10)
            .map(|k| Duplicate {
                at: k * 1_000,
                first: k * 1_000 - 999,
            })
            .collect();
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
    }

    #[test]
    fn a_payer_s_lines_are_its_wealth_lines_in_order() {
        let input = lines_input(Scale::Tiny, 1);
        let grown = lines_grown(&input);
        assert_eq!(grown, lines_sized(&input));
        assert_eq!(grown.len(), input.payers.len());
        for (payer, valuation) in input.payers.iter().zip(&grown) {
            let wealth: Vec<u16> = (0..payer.assets.len() as u16)
                .filter(|&idx| is_wealth(&payer.assets[idx as usize]))
                .collect();
            let listed: Vec<u16> = valuation.lines.iter().map(|(idx, _)| *idx).collect();
            assert_eq!(listed, wealth);
            let sum: Decimal = valuation.lines.iter().map(|(_, value)| *value).sum();
            assert_eq!(sum, valuation.total);
        }
    }
}
