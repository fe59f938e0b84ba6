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
use crate::lab::lesson::{
    Contrast, ContrastInput, LessonDef, Limit, SPEED_OF_LIGHT, Scale, Variant,
};
use crate::money::{Places, format_fixed};
use crate::text::{write_date, write_fixed};
use crate::zakat::ZakatInput;
use crate::zakat::model::{Animal, Assessment, LivestockGroup};
use crate::zakat::rules::{Context, assess};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Receipts, String> = LessonDef {
    id: "zakat/string-building",
    why: "Receipts built with format! and joined line by line allocate several short-lived \
          Strings per line and format every amount through Decimal's to_string. Writing \
          every line into one buffer sized up front, and printing money from the Decimal's \
          integer mantissa by hand (two digits at a time from a table, no core::fmt), removes every \
          allocation per payer and most of the formatting machinery. The two are separate \
          rungs: write! into the one buffer, still through core::fmt, measured \
          {over_naive:write-into-one-buffer} over naive (the allocations' share); the \
          digits by hand did the rest. The contrast prints the same receipts as each payer \
          is assessed by the reference rules ({contrast.speedup}): a zakat assessment is \
          light, so the text is still a large share of a payer's work and the gain \
          shrinks by that share rather than vanishing. It does not pay where the text is \
          small next to the work that computed it, as in the murabaha contrast.",
    build,
    elements: |input| input.assessments.len() as u64,
    naive,
    optimized,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::receipts),
    allocators: None,
    variants: &[Variant {
        name: "write-into-one-buffer",
        run: write_into_one_buffer,
    }],
    scaling: false,
    contrast: Some(Contrast {
        name: "receipts as payers are assessed",
        scale: Scale::Small,
        input: ContrastInput::Stage(&ASSESSED),
    }),
};

/// The assessed population whose receipts are printed.
#[derive(Debug, Clone)]
pub struct Receipts {
    /// The reporting currency.
    pub currency: Currency,
    /// One assessment per payer.
    pub assessments: Vec<Assessment>,
    /// The length of the receipts document, for the speed-of-light
    /// reference.
    pub document_len: usize,
}

/// Payers at each scale.
pub fn payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Small => 5_000,
        Scale::Default => 50_000,
        Scale::Bank => 1_000_000,
    }
}

fn build(scale: Scale, seed: u64) -> Receipts {
    let input = crate::zakat::generate::generate(payers_at(scale), seed);
    let output = crate::zakat::assess_all(&input).expect("generated payers assess");
    let mut receipts = Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    };
    receipts.document_len = optimized(&receipts).len();
    receipts
}

// ANCHOR: limit
/// The speed of light: read every assessment once (its id and its total)
/// and write a document of the receipts' length. No receipt printer can do
/// less; what the optimized form spends above this is formatting.
pub fn limit(input: &Receipts) -> u64 {
    let mut out: Vec<u8> = Vec::with_capacity(input.document_len);
    let share = input.document_len / input.assessments.len().max(1);
    let mut checksum = 0u64;
    for a in &input.assessments {
        out.extend_from_slice(a.id.as_bytes());
        out.resize(out.len() + share.saturating_sub(a.id.len()), b' ');
        checksum ^= a.total_due.mantissa() as u64;
    }
    out.resize(input.document_len, b'\n');
    checksum ^ out.len() as u64
}
// ANCHOR_END: limit

/// How an animal is named on a receipt.
pub fn animal_name(animal: Animal) -> &'static str {
    match animal {
        Animal::Sheep => "sheep",
        Animal::Tabi => "tabi'",
        Animal::Musinnah => "musinnah",
        Animal::BintMakhad => "bint makhad",
        Animal::BintLabun => "bint labun",
        Animal::Hiqqah => "hiqqah",
        Animal::Jadhaah => "jadha'ah",
    }
}

/// How a livestock group is named on a receipt.
pub fn group_name(group: LivestockGroup) -> &'static str {
    match group {
        LivestockGroup::SheepAndGoats => "sheep and goats",
        LivestockGroup::Cattle => "cattle",
        LivestockGroup::Camels => "camels",
    }
}

// ANCHOR: naive
/// Each line a `format!`, each receipt a `join`, the document a `+=`.
pub fn naive(input: &Receipts) -> String {
    let mut document = String::new();
    for assessment in &input.assessments {
        document += &receipt(assessment, input.currency);
    }
    document
}

fn receipt(a: &Assessment, currency: Currency) -> String {
    let money = |value: Decimal| format!("{currency} {}", format_fixed(value, 2));
    let mut lines = vec![
        format!("ZAKAT RECEIPT {}", a.id),
        format!(
            "Hawl ends {} ({})",
            a.hawl_end,
            if a.hawl_complete {
                "complete"
            } else {
                "not complete"
            }
        ),
        format!("Zakatable assets: {}", money(a.zakatable_assets)),
        format!("Deductible debts: {}", money(a.deductible_debts)),
        format!("Net wealth: {}", money(a.net_wealth)),
        format!(
            "Nisab: {} ({})",
            money(a.nisab),
            if a.nisab_met { "met" } else { "not met" }
        ),
        format!("Zakat on wealth: {}", money(a.wealth_zakat)),
    ];
    for (idx, crop) in a.crops.iter().enumerate() {
        lines.push(format!(
            "Crop {}: {} kg worth {}",
            idx + 1,
            format_fixed(crop.kg, 3),
            money(crop.value)
        ));
    }
    for herd in &a.livestock {
        let animals: Vec<String> = herd
            .due
            .iter()
            .map(|due| format!("{} {}", due.count, animal_name(due.animal)))
            .collect();
        let animals = if animals.is_empty() {
            "nothing due".to_string()
        } else {
            animals.join(", ")
        };
        lines.push(format!(
            "Livestock, {}: {}",
            group_name(herd.species),
            animals
        ));
    }
    lines.push(format!("Zakat on rikaz: {}", money(a.rikaz_zakat)));
    lines.push(format!("TOTAL DUE: {}", money(a.total_due)));
    lines.join("\n") + "\n\n"
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

/// Writes one receipt at the end of `out`, without allocating.
pub fn write_receipt(out: &mut String, a: &Assessment, currency: &str) {
    let money = |out: &mut String, label: &str, value: Decimal| {
        out.push_str(label);
        out.push_str(currency);
        out.push(' ');
        write_fixed(out, value, 2);
    };
    out.push_str("ZAKAT RECEIPT ");
    out.push_str(&a.id);
    out.push_str("\nHawl ends ");
    write_date(out, a.hawl_end);
    out.push_str(if a.hawl_complete {
        " (complete)\n"
    } else {
        " (not complete)\n"
    });
    money(out, "Zakatable assets: ", a.zakatable_assets);
    money(out, "\nDeductible debts: ", a.deductible_debts);
    money(out, "\nNet wealth: ", a.net_wealth);
    money(out, "\nNisab: ", a.nisab);
    out.push_str(if a.nisab_met { " (met)" } else { " (not met)" });
    money(out, "\nZakat on wealth: ", a.wealth_zakat);
    let mut digits = itoa::Buffer::new();
    for (idx, crop) in a.crops.iter().enumerate() {
        out.push_str("\nCrop ");
        out.push_str(digits.format(idx + 1));
        out.push_str(": ");
        write_fixed(out, crop.kg, 3);
        money(out, " kg worth ", crop.value);
    }
    for herd in &a.livestock {
        out.push_str("\nLivestock, ");
        out.push_str(group_name(herd.species));
        out.push_str(": ");
        if herd.due.is_empty() {
            out.push_str("nothing due");
        }
        for (idx, due) in herd.due.iter().enumerate() {
            if idx > 0 {
                out.push_str(", ");
            }
            out.push_str(digits.format(due.count));
            out.push(' ');
            out.push_str(animal_name(due.animal));
        }
    }
    money(out, "\nZakat on rikaz: ", a.rikaz_zakat);
    money(out, "\nTOTAL DUE: ", a.total_due);
    out.push_str("\n\n");
}

// ANCHOR_END: optimized

/// The contrast: each payer assessed by the reference rules (`Decimal`, a calendar
/// conversion for the hawl), then its receipt
/// built with `format!` (naive) or written by hand (optimized).
pub const ASSESSED: LessonDef<ZakatInput, String> = LessonDef {
    id: "zakat/string-building",
    why: "",
    build: |scale, seed| crate::zakat::generate::generate(payers_at(scale), seed),
    elements: |input| input.payers.len() as u64,
    naive: assessed_formatted,
    optimized: assessed_by_hand,
    limit: None,
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::payers),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
};

// ANCHOR: assessed_formatted
/// Each payer assessed, then its text by `format!`.
pub fn assessed_formatted(input: &ZakatInput) -> String {
    let context = Context::of(input);
    let mut out = String::new();
    for payer in &input.payers {
        let assessment = assess(payer, &context).expect("generated payers assess");
        out.push_str(&receipt(&assessment, input.currency));
    }
    out
}
// ANCHOR_END: assessed_formatted

// ANCHOR: assessed_by_hand
/// Each payer assessed, then its text written by hand.
pub fn assessed_by_hand(input: &ZakatInput) -> String {
    let context = Context::of(input);
    let mut out = String::new();
    for payer in &input.payers {
        let assessment = assess(payer, &context).expect("generated payers assess");
        write_receipt(&mut out, &assessment, input.currency.as_str());
    }
    out
}
// ANCHOR_END: assessed_by_hand

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
