//! `zakat/string-building`: printing every payer's zakat receipt into one
//! document.
//!
//! The naive form builds each line with `format!`, each receipt by joining
//! its lines, and the document by appending receipts: a handful of short-
//! lived `String`s per line, and every money figure goes through
//! `Decimal`'s `to_string`. The optimized form writes every line straight
//! into one buffer sized up front, and prints money from the `Decimal`'s
//! integer mantissa, by hand rather than through `core::fmt`: no allocation
//! per payer at all.

use rust_decimal::Decimal;

use crate::input::Currency;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::money::{Places, format_fixed};
use crate::text::write_fixed;
use crate::zakat::ZakatInput;
use crate::zakat::model::Assessment;
use crate::zakat::receipt::{animal_name, format_receipt, group_name, write_receipt};
use crate::zakat::rules::{Context, assess};

use super::inputs::{Receipts, receipt_payers_at, receipts, receipts_limit};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Receipts, String> = LessonDef {
    id: "zakat/string-building",
    why: "Receipts built with format! and joined line by line allocate several short-lived \
          Strings a payer ({allocations_per_record:naive} allocations a receipt) and print \
          every amount through Decimal's to_string. The optimized form writes every line \
          into one buffer sized up front and prints money from the Decimal's integer \
          mantissa by hand, two digits at a time from a table; it also skips the \
          round_half_up that format_fixed applies to figures the rules have already \
          rounded to the cent. The two changes are separate rungs. write! into the one \
          buffer, still through core::fmt, is the first: \
          {?over_naive:write-into-one-buffer|gain it measured \
          {over_naive:write-into-one-buffer} over naive, the allocations' share.|same it \
          made no measurable difference ({over_naive:write-into-one-buffer}).|loss it \
          measured {over_naive:write-into-one-buffer} over naive.} The digits by hand are \
          the second: {?over_before:optimized|gain they measured {over_before:optimized} \
          over the rung before.|same they made no measurable difference \
          ({over_before:optimized}).|loss they measured {over_before:optimized} over the \
          rung before.} In all, {?speedup|gain the optimized form measured {speedup}, with \
          instructions {instructions}.|same the two forms are within the noise ({speedup}; \
          instructions {instructions}).|loss the optimized form measured {speedup} \
          (instructions {instructions}).} The contrast totals every payer's assessment by \
          region and prints a line a region, so the text is a few lines beside thousands \
          of Decimal assessments and calendar conversions: {?contrast.speedup|gain there \
          the text by hand still measured {contrast.speedup}.|same there the two are \
          within the noise ({contrast.speedup}).|loss there the text by hand measured \
          {contrast.speedup}.} Text is worth writing by hand where it is most of the work: \
          a month-end run that prints every receipt, not a summary.",
    build: receipts,
    elements: |input| input.assessments.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: receipts_limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_receipts,
    invariant: None,
    allocators: None,
    variants: &[Variant::new("write-into-one-buffer", write_into_one_buffer)],
    scaling: false,
    contrast: Some(Contrast {
        name: "a line a region after the assessment",
        scale: Scale::Small,
        input: ContrastInput::Stage(&ASSESSED),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every line is a `format!` (a String of its own) and every receipt a `join` of a Vec of \
         them: count what is allocated for one receipt. Then look at what `format_fixed` and \
         `Display` do per figure.",
        compares: "the receipts document, byte for byte",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

// Exercise includes: workloads/zakat/receipt.rs#format
// ANCHOR: naive
/// Each line a `format!`, each receipt a `join`, the document a `+=`.
pub fn naive(input: &Receipts) -> String {
    let mut document = String::new();
    for assessment in &input.assessments {
        document += &format_receipt(assessment, input.currency);
    }
    document
}
// ANCHOR_END: naive

// ANCHOR: write
/// The rung between: every line written with `write!` into one buffer sized up front,
/// so nothing is allocated per payer, but every figure still goes through
/// `core::fmt` (`Places` is `format_fixed` as a `Display`).
pub fn write_into_one_buffer(input: &Receipts) -> String {
    let mut out = String::with_capacity(input.assessments.len() * 256);
    for a in &input.assessments {
        write_receipt_fmt(&mut out, a, input.currency).expect("a String takes any text");
    }
    out
}

fn write_receipt_fmt(out: &mut String, a: &Assessment, currency: Currency) -> std::fmt::Result {
    use std::fmt::Write as _;
    let money = |value: Decimal| Places(value, 2);
    let either = |yes: bool, then: &'static str, otherwise: &'static str| {
        if yes { then } else { otherwise }
    };
    writeln!(out, "ZAKAT RECEIPT {}", a.id)?;
    writeln!(
        out,
        "Hawl ends {} ({})",
        a.hawl_end,
        either(a.hawl_complete, "complete", "not complete")
    )?;
    writeln!(
        out,
        "Zakatable assets: {currency} {}",
        money(a.zakatable_assets)
    )?;
    writeln!(
        out,
        "Deductible debts: {currency} {}",
        money(a.deductible_debts)
    )?;
    writeln!(out, "Net wealth: {currency} {}", money(a.net_wealth))?;
    writeln!(
        out,
        "Nisab: {currency} {} ({})",
        money(a.nisab),
        either(a.nisab_met, "met", "not met")
    )?;
    writeln!(out, "Zakat on wealth: {currency} {}", money(a.wealth_zakat))?;
    for (idx, crop) in a.crops.iter().enumerate() {
        writeln!(
            out,
            "Crop {}: {} kg worth {currency} {}",
            idx + 1,
            Places(crop.kg, 3),
            money(crop.value)
        )?;
    }
    for herd in &a.livestock {
        write!(out, "Livestock, {}: ", group_name(herd.species))?;
        if herd.due.is_empty() {
            out.push_str("nothing due");
        }
        for (idx, due) in herd.due.iter().enumerate() {
            let comma = if idx > 0 { ", " } else { "" };
            write!(out, "{comma}{} {}", due.count, animal_name(due.animal))?;
        }
        out.push('\n');
    }
    writeln!(out, "Zakat on rikaz: {currency} {}", money(a.rikaz_zakat))?;
    write!(out, "TOTAL DUE: {currency} {}\n\n", money(a.total_due))
}
// ANCHOR_END: write

// ANCHOR: optimized
/// Every line written into one buffer sized up front, numbers printed by
/// hand (`itoa` for the integers) rather than through `core::fmt`.
pub fn optimized(input: &Receipts) -> String {
    // Receipts average some 240 bytes (12.0 MB for the default 50,000
    // payers); 256 a receipt is a little more than that, so the buffer
    // grows rarely, if ever, and not by much.
    let mut out = String::with_capacity(input.assessments.len() * 256);
    let currency = input.currency.as_str();
    for a in &input.assessments {
        write_receipt(&mut out, a, currency);
    }
    out
}

// ANCHOR_END: optimized

/// The contrast: each payer assessed by the reference rules (`Decimal`, a
/// calendar conversion for the hawl) and totalled by region, then one line
/// a region printed with `format!` (naive) or by hand (optimized): text
/// that is a small share of the work.
pub const ASSESSED: LessonDef<ZakatInput, String> = LessonDef {
    id: "zakat/string-building",
    why: "",
    build: |scale, seed| crate::zakat::generate::generate(receipt_payers_at(scale), seed),
    elements: |input| input.payers.len() as u64,
    naive: assessed_formatted,
    optimized: assessed_by_hand,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_payers,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: assessed_formatted
/// Every payer assessed, then one line a region, by `format!`: the
/// region's payers and what they owe.
pub fn assessed_formatted(input: &ZakatInput) -> String {
    let mut out = String::new();
    for (region, (payers, due)) in region_totals(input) {
        out.push_str(&format!(
            "{region}: {payers} payers owe {} {}\n",
            input.currency,
            format_fixed(due, 2)
        ));
    }
    out
}
// ANCHOR_END: assessed_formatted

// ANCHOR: assessed_by_hand
/// Every payer assessed, then one line a region, written by hand.
pub fn assessed_by_hand(input: &ZakatInput) -> String {
    let mut out = String::new();
    let mut digits = itoa::Buffer::new();
    for (region, (payers, due)) in region_totals(input) {
        out.push_str(region);
        out.push_str(": ");
        out.push_str(digits.format(payers));
        out.push_str(" payers owe ");
        out.push_str(input.currency.as_str());
        out.push(' ');
        write_fixed(&mut out, due, 2);
        out.push('\n');
    }
    out
}
// ANCHOR_END: assessed_by_hand

// ANCHOR: region_totals
/// Every payer assessed by the reference rules, and the payers and the
/// total due of each region (`-` for payers without one): the contrast's
/// work before its few lines of text.
fn region_totals(input: &ZakatInput) -> std::collections::BTreeMap<&str, (u64, Decimal)> {
    let context = Context::of(input);
    let mut totals = std::collections::BTreeMap::new();
    for payer in &input.payers {
        let a = assess(payer, &context).expect("generated payers assess");
        let total = totals
            .entry(payer.region.as_deref().unwrap_or("-"))
            .or_insert((0, Decimal::ZERO));
        total.0 += 1;
        total.1 += a.total_due;
    }
    totals
}
// ANCHOR_END: region_totals

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_reads_as_expected() {
        let input = crate::zakat::ZakatInput::from_json(include_str!(
            "../../../tests/data/zakat_formats_example.json"
        ))
        .unwrap();
        let output = crate::zakat::assess_all(&input).unwrap();
        let receipts = Receipts {
            currency: output.currency,
            assessments: output.assessments,
            document_len: 0,
        };
        let expected = "ZAKAT RECEIPT H1\n\
            Hawl ends 2026-02-18 (complete)\n\
            Zakatable assets: USD 39285.00\n\
            Deductible debts: USD 21000.00\n\
            Net wealth: USD 18285.00\n\
            Nisab: USD 8500.00 (met)\n\
            Zakat on wealth: USD 457.13\n\
            Crop 1: 100.000 kg worth USD 200.00\n\
            Livestock, cattle: 2 tabi'\n\
            Zakat on rikaz: USD 200.00\n\
            TOTAL DUE: USD 857.13\n\n";
        assert_eq!(naive(&receipts), expected);
        assert_eq!(optimized(&receipts), expected);
    }
}
