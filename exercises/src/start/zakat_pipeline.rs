//! Exercise `zakat/pipeline`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/pipeline
//! ```
//!
//! `cargo exercise hint zakat/pipeline` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Pipelines".

use mizan::input::InputError;
use mizan::zakat::ZakatInput;
use mizan::zakat::lessons::pipeline::{Population, RegionTotal, ZakatRun, total_too_large};
use mizan::zakat::lessons::string_building::{self, Receipts};
use mizan::zakat::model::{Assessment, Payer};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The exercise's signature: the lesson's input, the lesson's output.
pub fn attempt(population: &Population) -> Result<ZakatRun, InputError> {
    run(&population.input)
}

/// The reference assessment, the naive receipts, totals by region name.
fn run(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let output = mizan::zakat::assess_all(input)?;
    let totals = totals_by_name(&input.payers, &output.assessments)?;
    let receipts = string_building::naive(&Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    });
    Ok(ZakatRun {
        receipts: receipts.into(),
        totals,
    })
}

fn totals_by_name(
    payers: &[Payer],
    assessments: &[Assessment],
) -> Result<Vec<RegionTotal>, InputError> {
    let mut totals: BTreeMap<Option<String>, RegionTotal> = BTreeMap::new();
    for (payer, assessment) in payers.iter().zip(assessments) {
        let total = totals.entry(payer.region.clone()).or_default();
        count(total, assessment)?;
    }
    Ok(totals
        .into_iter()
        .map(|(region, total)| RegionTotal { region, ..total })
        .collect())
}

/// Counts one payer's assessment into its region's total.
fn count(total: &mut RegionTotal, assessment: &Assessment) -> Result<(), InputError> {
    total.payers += 1;
    if assessment.total_due > Decimal::ZERO {
        total.payers_due += 1;
    }
    total.total_due = total
        .total_due
        .checked_add(assessment.total_due)
        .ok_or_else(total_too_large)?;
    Ok(())
}
