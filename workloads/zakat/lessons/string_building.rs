//! `zakat/string-building`: printing every payer's zakat receipt into one
//! document.
//!
//! The naive form builds each line with `format!`, each receipt by joining
//! its lines, and the document by appending receipts: a handful of short-
//! lived `String`s per line, and every money figure goes through
//! `Decimal`'s `to_string`. The optimized form writes every line straight
//! into one buffer sized up front, with `write!`, and prints money from the
//! `Decimal`'s integer mantissa: no allocation per payer at all.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::input::Currency;
use crate::lab::lesson::{LessonDef, Scale};
use crate::money::format_fixed;
use crate::zakat::model::{Animal, Assessment, LivestockGroup};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Receipts, String> = LessonDef {
    id: "zakat/string-building",
    why: "Receipts built with format! and joined line by line allocate several short-lived \
          Strings per line and format every amount through Decimal's to_string. Writing \
          every line with write! into one buffer sized up front, and printing money from \
          the Decimal's integer mantissa, removes every allocation per payer; the remaining \
          cost is the formatting itself. It does not pay where a receipt is printed once \
          and the text is small next to the work that computed it.",
    build,
    elements: |input| input.assessments.len() as u64,
    naive,
    optimized,
};

/// The assessed population whose receipts are printed.
#[derive(Debug, Clone)]
pub struct Receipts {
    /// The reporting currency.
    pub currency: Currency,
    /// One assessment per payer.
    pub assessments: Vec<Assessment>,
}

/// Payers at each scale.
pub fn payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Default => 50_000,
        Scale::Bank => 1_000_000,
    }
}

fn build(scale: Scale, seed: u64) -> Receipts {
    let input = crate::zakat::generate::generate(payers_at(scale), seed);
    let output = crate::zakat::assess_all(&input).expect("generated payers assess");
    Receipts {
        currency: output.currency,
        assessments: output.assessments,
    }
}

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

// ANCHOR: optimized
/// Every line written into one buffer sized up front.
pub fn optimized(input: &Receipts) -> String {
    // About 330 bytes a receipt; a little more than most need, so the buffer
    // grows rarely, if ever.
    let mut out = String::with_capacity(input.assessments.len() * 384);
    let currency = input.currency.as_str();
    for a in &input.assessments {
        // `write!` into a `String` cannot fail.
        let _ = write_receipt(&mut out, a, currency);
    }
    out
}

fn write_receipt(out: &mut String, a: &Assessment, currency: &str) -> std::fmt::Result {
    let money = |out: &mut String, label: &str, value: Decimal| {
        out.push_str(label);
        out.push_str(currency);
        out.push(' ');
        write_fixed(out, value, 2)
    };
    writeln!(out, "ZAKAT RECEIPT {}", a.id)?;
    let hawl = if a.hawl_complete {
        "complete"
    } else {
        "not complete"
    };
    writeln!(out, "Hawl ends {} ({hawl})", a.hawl_end)?;
    money(out, "Zakatable assets: ", a.zakatable_assets)?;
    money(out, "\nDeductible debts: ", a.deductible_debts)?;
    money(out, "\nNet wealth: ", a.net_wealth)?;
    money(out, "\nNisab: ", a.nisab)?;
    out.push_str(if a.nisab_met { " (met)" } else { " (not met)" });
    money(out, "\nZakat on wealth: ", a.wealth_zakat)?;
    for (idx, crop) in a.crops.iter().enumerate() {
        write!(out, "\nCrop {}: ", idx + 1)?;
        write_fixed(out, crop.kg, 3)?;
        money(out, " kg worth ", crop.value)?;
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
            write!(out, "{} {}", due.count, animal_name(due.animal))?;
        }
    }
    money(out, "\nZakat on rikaz: ", a.rikaz_zakat)?;
    money(out, "\nTOTAL DUE: ", a.total_due)?;
    out.push_str("\n\n");
    Ok(())
}

/// Writes `value` with exactly `dp` places from its integer mantissa,
/// without allocating; the same text as `format_fixed(value, dp)`.
fn write_fixed(out: &mut String, value: Decimal, dp: u32) -> std::fmt::Result {
    let scale = value.scale();
    if scale > dp {
        // Never the case for the figures on a receipt, which the rules have
        // rounded; kept exact all the same.
        out.push_str(&format_fixed(value, dp));
        return Ok(());
    }
    let units = value.mantissa() * 10i128.pow(dp - scale);
    let unit = 10i128.pow(dp);
    if units < 0 {
        out.push('-');
    }
    let units = units.unsigned_abs();
    let unit = unit as u128;
    write!(
        out,
        "{}.{:0width$}",
        units / unit,
        units % unit,
        width = dp as usize
    )
}
// ANCHOR_END: optimized

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_fixed_matches_format_fixed() {
        for text in [
            "0",
            "0.5",
            "12.34",
            "1234567.8",
            "-3.05",
            "7",
            "0.001",
            "99.999",
        ] {
            let value: Decimal = text.parse().unwrap();
            for dp in [2, 3] {
                let mut out = String::new();
                write_fixed(&mut out, value, dp).unwrap();
                assert_eq!(out, format_fixed(value, dp), "{text} to {dp}");
            }
        }
    }

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
