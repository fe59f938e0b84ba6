//! A payer's zakat receipt, as text: the readable printer
//! ([`format_receipt`], a `format!` a line) and the fast one
//! ([`write_receipt`], written by hand into one buffer), which the tests
//! hold to the same bytes. The `zakat/string-building` lesson is the story
//! of getting from one to the other; the pooling lesson and the pipeline
//! print receipts with them.

use rust_decimal::Decimal;

use crate::input::Currency;
use crate::money::format_fixed;
use crate::text::{write_date, write_fixed};
use crate::zakat::model::{Animal, Assessment, LivestockGroup};

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

// ANCHOR: format
/// One payer's receipt, the readable way: each line a `format!`, the
/// receipt a `join` of them.
pub fn format_receipt(a: &Assessment, currency: Currency) -> String {
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
// ANCHOR_END: format

// ANCHOR: write
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
// ANCHOR_END: write
