//! Exercise `zakat/string-building`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/string-building
//! ```
//!
//! `cargo exercise hint zakat/string-building` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "String building".

use mizan::input::Currency;
use mizan::money::format_fixed;
use mizan::zakat::lessons::string_building::{Receipts, animal_name, group_name};
use mizan::zakat::model::Assessment;
use rust_decimal::Decimal;

/// Each line a `format!`, each receipt a `join`, the document a `+=`.
pub fn attempt(input: &Receipts) -> String {
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
