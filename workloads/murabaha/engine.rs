//! The murabaha engine: the fastest path the lab proves identical to the
//! reference, which `mizan murabaha process` runs by default.
//!
//! Every contract is processed in fixed point ([`super::fixed`]: cents,
//! `i128` products, the effective rate found in `f64` and proved, one
//! schedule's buffers reused from contract to contract); a contract the
//! fast path cannot prove in range is handed to the reference
//! ([`super::rules::process`]), which gives its figures or its error. The
//! contracts are split over the cores in contiguous parts and put back in
//! input order. The result is the reference's, field for field and error
//! for error: the tests hold the two to each other on the worked examples,
//! the command-line cases and random portfolios out to the range edges.
//!
//! The `murabaha/pipeline` lesson's optimized form stands on the same core
//! ([`process_contract`] and [`per_part`]), writing statements instead of
//! results.

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::fixed::{Figures, Prepared, Schedule};
use super::model::{
    Contract, ContractResult, Instalment, MurabahaInput, MurabahaOutput, Settlement,
};
use super::rules::{ProcessError, RATE_DP, process};
use crate::input::InputError;

pub use crate::input::Engine;

/// One contract as the engine processed it.
#[derive(Debug, Clone)]
pub enum Processed {
    /// In fixed point; its schedule is in the [`Schedule`] passed in.
    Fast(Figures),
    /// By the reference, outside the fixed-point domain.
    Reference(ContractResult),
}

/// Processes one contract: in fixed point into `schedule`, or by the
/// reference where the fast path cannot prove the figures in range (which
/// then also reports the contract's error, if it has one).
#[inline]
pub fn process_contract(
    prepared: &Prepared,
    input: &MurabahaInput,
    contract: &Contract,
    schedule: &mut Schedule,
) -> Result<Processed, ProcessError> {
    match prepared.process(contract, schedule) {
        Some(figures) => Ok(Processed::Fast(figures)),
        None => by_reference(input, contract),
    }
}

#[cold]
fn by_reference(input: &MurabahaInput, contract: &Contract) -> Result<Processed, ProcessError> {
    process(contract, input.as_of, &input.late_policy).map(Processed::Reference)
}

/// How many contracts a part holds when `n_contracts` are split over the
/// cores: many parts a thread, since contracts differ in length (12 to
/// 420 instalments) and a long part would leave a core idle at the end.
pub fn per_part(n_contracts: usize) -> usize {
    let parts = rayon::current_num_threads() * 16;
    n_contracts.div_ceil(parts).max(1)
}

/// Every contract's result: the reference's `process_all`, exactly, in
/// fixed point on every core.
pub fn process_all(input: &MurabahaInput) -> Result<MurabahaOutput, InputError> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    let per_part = per_part(input.contracts.len());
    let parts: Vec<Result<Vec<ContractResult>, InputError>> = input
        .contracts
        .par_chunks(per_part)
        .enumerate()
        .map(|(part, contracts)| {
            let mut schedule = Schedule::for_contracts(contracts).with_every_column();
            contracts
                .iter()
                .enumerate()
                .map(|(offset, contract)| {
                    match process_contract(&prepared, input, contract, &mut schedule) {
                        Ok(Processed::Fast(figures)) => Ok(result(contract, &figures, &schedule)),
                        Ok(Processed::Reference(result)) => Ok(result),
                        Err(e) => Err(InputError::new(
                            format!("contracts[{}].{}", part * per_part + offset, e.at),
                            e.message,
                        )),
                    }
                })
                .collect()
        })
        .collect();
    let mut contracts = Vec::with_capacity(input.contracts.len());
    // The parts in order: the first error is the first contract's.
    for part in parts {
        contracts.extend(part?);
    }
    Ok(MurabahaOutput { contracts })
}

/// Every contract's result by the engine asked for.
pub fn process_with(engine: Engine, input: &MurabahaInput) -> Result<MurabahaOutput, InputError> {
    match engine {
        Engine::Fast => process_all(input),
        Engine::Reference => super::rules::process_all(input),
    }
}

/// The reference's result, from the fixed-point figures and schedule.
pub fn result(contract: &Contract, f: &Figures, schedule: &Schedule) -> ContractResult {
    let money = |cents: i64| Decimal::new(cents, 2);
    let instalments = (0..contract.term_months as usize)
        .map(|k| Instalment {
            n: k as u32 + 1,
            due: schedule.dues[k],
            amount: money(schedule.amounts[k]),
            profit: money(schedule.profits[k]),
            principal: money(schedule.amounts[k] - schedule.profits[k]),
            outstanding_cost: money(schedule.outstanding_cost[k]),
            outstanding_price: money(schedule.outstanding_price[k]),
            covered_on: schedule.covered_on[k],
            days_late: schedule.days_late[k],
            tawidh: money(schedule.tawidh[k]),
            gharamah: money(schedule.gharamah[k]),
        })
        .collect();
    ContractResult {
        id: contract.id.clone(),
        selling_price: money(f.selling_price),
        profit: money(f.profit),
        monthly_rate: Decimal::new(f.monthly_rate, RATE_DP),
        instalments,
        paid: money(f.paid),
        tawidh: money(f.tawidh),
        gharamah: money(f.gharamah),
        recognised_profit: money(f.recognised_profit),
        deferred_profit: money(f.deferred_profit),
        settlement: f.settlement.map(|(date, esc, ibra, amount)| Settlement {
            date,
            esc: money(esc),
            ibra: money(ibra),
            amount: money(amount),
        }),
    }
}
