//! The zakat engine: the fastest path the lab proves identical to the
//! reference, which `mizan zakat assess` runs by default.
//!
//! Every payer is assessed in fixed point ([`super::fixed`]: integer
//! cents, `i128` products, what all payers share hoisted out of the loop);
//! a payer whose arithmetic the fast path cannot prove in range is handed
//! to the reference ([`super::rules::assess`]), which gives its figures or
//! its error. The payers are split over the cores in contiguous parts and
//! put back in input order. The result is the reference's, field for
//! field and error for error: the tests hold the two to each other on the
//! worked examples, the command-line cases and random populations out to
//! the range edges.
//!
//! The `zakat/pipeline` lesson's optimized form stands on the same core
//! ([`assess_payer`] and [`per_part`]), writing receipts instead of
//! assessments.

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::fixed::{Figures, GROUPS, Prepared};
use super::model::{Assessment, CropDue, LivestockDue, Payer, ZakatInput, ZakatOutput};
use super::rules::{AssessError, Context, assess, livestock_due};
use crate::input::InputError;

pub use crate::input::Engine;

/// One payer as the engine assessed it.
#[derive(Debug, Clone)]
pub enum Assessed {
    /// In fixed point.
    Fast(Figures),
    /// By the reference, outside the fixed-point domain.
    Reference(Assessment),
}

/// Assesses one payer: in fixed point, or by the reference where the fast
/// path cannot prove the figures in range (which then also reports the
/// payer's error, if it has one).
#[inline]
pub fn assess_payer(prepared: &Prepared, payer: &Payer) -> Result<Assessed, AssessError> {
    match prepared.assess(payer) {
        Some(figures) => Ok(Assessed::Fast(figures)),
        None => by_reference(payer, &prepared.context),
    }
}

#[cold]
fn by_reference(payer: &Payer, context: &Context) -> Result<Assessed, AssessError> {
    assess(payer, context).map(Assessed::Reference)
}

/// How many payers a part holds when `n_payers` are split over the cores:
/// a few parts a thread, so that a slow part does not leave a core idle
/// (the number of parts, not of payers, sets the allocations).
pub fn per_part(n_payers: usize) -> usize {
    let parts = rayon::current_num_threads() * 4;
    n_payers.div_ceil(parts).max(1)
}

/// Every payer's assessment: the reference's `assess_all`, exactly, in
/// fixed point on every core.
pub fn assess_all(input: &ZakatInput) -> Result<ZakatOutput, InputError> {
    let prepared = Prepared::new(input, true);
    let per_part = per_part(input.payers.len());
    let parts: Vec<Result<Vec<Assessment>, InputError>> = input
        .payers
        .par_chunks(per_part)
        .enumerate()
        .map(|(part, payers)| {
            payers
                .iter()
                .enumerate()
                .map(|(offset, payer)| match assess_payer(&prepared, payer) {
                    Ok(Assessed::Fast(figures)) => Ok(assessment(payer, &figures, &prepared)),
                    Ok(Assessed::Reference(assessment)) => Ok(assessment),
                    Err(e) => Err(InputError::new(
                        format!("payers[{}].{}", part * per_part + offset, e.at),
                        e.message,
                    )),
                })
                .collect()
        })
        .collect();
    let mut assessments = Vec::with_capacity(input.payers.len());
    // The parts in order: the first error is the first payer's in the file.
    for part in parts {
        assessments.extend(part?);
    }
    Ok(ZakatOutput {
        currency: input.currency,
        assessments,
    })
}

/// Every payer's assessment by the engine asked for.
pub fn assess_with(engine: Engine, input: &ZakatInput) -> Result<ZakatOutput, InputError> {
    match engine {
        Engine::Fast => assess_all(input),
        Engine::Reference => super::rules::assess_all(input),
    }
}

/// The reference's assessment, from the fixed-point figures.
pub fn assessment(payer: &Payer, f: &Figures, prepared: &Prepared) -> Assessment {
    let money = |cents: i64| Decimal::new(cents, 2);
    Assessment {
        id: payer.id.clone(),
        hawl_end: f.hawl_end,
        hawl_complete: f.hawl_complete,
        zakatable_assets: money(f.zakatable_assets),
        deductible_debts: money(f.deductible_debts),
        net_wealth: money(f.net_wealth),
        // Figures exist only where the nisab is in cents.
        nisab: money(prepared.nisab.unwrap_or_default()),
        nisab_met: f.nisab_met,
        wealth_zakat: money(f.wealth_zakat),
        crops: f.crops[..usize::from(f.n_crops)]
            .iter()
            .map(|crop| CropDue {
                kg: Decimal::new(crop.grams, 3),
                value: money(crop.cents),
            })
            .collect(),
        livestock: GROUPS
            .iter()
            .zip(f.herds)
            .filter_map(|(group, herd)| {
                herd.map(|count| LivestockDue {
                    species: *group,
                    due: if f.hawl_complete {
                        livestock_due(*group, count)
                    } else {
                        Vec::new()
                    },
                })
            })
            .collect(),
        rikaz_zakat: money(f.rikaz_zakat),
        total_due: money(f.total_due),
    }
}
