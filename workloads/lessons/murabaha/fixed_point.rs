//! `murabaha/fixed-point`: every contract's schedule, as `MURABAHA.md`
//! defines it: the instalment amounts of its pricing method (level
//! instalments of a markup or a flat rate, or an annuity run on the
//! outstanding cost) and the profit recognised in each period (effective,
//! straight-line or rule of 78), each figure rounded to the cent.
//!
//! - naive: in `rust_decimal`, as the reference rules compute it
//!   (`rules::amounts` and `rules::recognition`);
//! - optimized: in fixed point, as the domain engine computes it
//!   (`murabaha::fixed::plan` and `fixed::recognise`): money an `i64` count
//!   of cents, rates a mantissa with their own places, products in `i128`
//!   and each rounding one integer division. Every step is checked, and a
//!   contract whose arithmetic could leave that range (a cost with more than
//!   two places, a product at or above 2^96) is handed to the `Decimal`
//!   reference: the figures are the reference's for every contract, errors
//!   included.
//!
//! The monthly rate the effective method needs is an input here, as the
//! reference found it: finding it is a search (see the pipeline lesson),
//! not a change of representation. Both forms also compute an annuity's
//! level instalment, `cost × i / (1 − (1 + i)^−n)`, in `Decimal`, once a
//! contract.
//!
//! The contrast is a portfolio whose rates come from another system carried
//! to twelve places, more than the fixed-point form holds: every contract's
//! instalments are computed in cents, then the rate is found too fine, and
//! the contract goes back to the reference, which computes it all again.
//! (A cost with a third place, as the Kuwaiti, Bahraini and Omani dinars
//! have, is handed back before any work: the tests show it.)

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, Scale,
};
use crate::money::Num;
use crate::murabaha::fixed::{cents, plan, recognise};
use crate::murabaha::model::Contract;
use crate::murabaha::rules::{self, Plan, RATE_DP};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Priced, Schedules> = LessonDef {
    id: "murabaha/fixed-point",
    why: "A schedule is a run of products rounded to the cent: an annuity's profit on the \
          outstanding cost each month, the effective profit on the outstanding cost, a \
          rule of seventy-eight share of the profit. In Decimal every one is a \
          multiplication of three-word mantissas, a rescaling and a rounding in software; \
          in cents it is one i128 product and one integer division, with the same figures \
          to the cent because every step is checked and a contract whose figures could \
          leave the range goes back to the Decimal reference. {?instructions|gain \
          Callgrind counts the software arithmetic: {instructions}.|same Callgrind counts \
          about as much work in both ({instructions}).|loss Callgrind counts more work in \
          cents ({instructions}).} {?speedup|gain In time cents measured {speedup}.|same \
          In time the two are within the noise ({speedup}).|loss In time cents measured \
          {speedup}.} The fixed-point form still builds two vectors of cents a contract \
          and turns every figure back into a Decimal for the output, the reference's type, \
          so that the comparison is exact ({allocations_per_record:naive} allocations an \
          instalment in Decimal, {allocations_per_record:optimized} in cents). The \
          contrast gives every contract a rate carried to twelve places, as from another \
          system, more than the fixed-point form holds: each contract's instalments are \
          computed in cents, then the rate is found too fine and the contract goes back to \
          the reference, which computes it all again. {?contrast.speedup|gain There the \
          fixed-point form still measured {contrast.speedup}.|same There the two are \
          within the noise ({contrast.speedup}).|loss There the fixed-point form measured \
          {contrast.speedup}: every contract's instalments are computed twice, in cents \
          and then in Decimal.} Make the checks that can fail before the work they guard: \
          a record handed back after the work adds the fast path's attempt to the \
          reference's cost.",
    build,
    elements: |input| input.instalments() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: "speed of light + one integer product an instalment",
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(the_decimal_schedules),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "rates to twelve places, every contract handed back",
        scale: Scale::Small,
        input: ContrastInput::Build(finer_rates),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every instalment and every period's profit is a `Decimal` product rounded to the cent. \
         The costs are whole cents and the rates have ten places: an `i64` of cents and an \
         `i128` product hold every step. `murabaha::fixed` has the pieces; whatever you cannot \
         prove in range, hand to `decimal_schedule`.",
        compares: "every schedule, instalment by instalment, to the cent (or the contract handed back)",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// Contracts and the monthly rate of each, as the reference found it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Priced {
    /// The contracts.
    pub contracts: Vec<Contract>,
    /// Each contract's monthly rate (10 places), as long as `contracts`.
    pub rates: Vec<Decimal>,
}

impl Priced {
    /// The instalments of all the contracts.
    pub fn instalments(&self) -> usize {
        self.contracts.iter().map(|c| c.term_months as usize).sum()
    }
}

/// Every contract's schedule, contract after contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Schedules {
    /// The instalment amounts.
    pub amounts: Vec<Decimal>,
    /// The profit recognised in each period, as long as `amounts`.
    pub profits: Vec<Decimal>,
    /// Where each contract's figures end; a contract the rules refuse
    /// (its arithmetic past `Decimal`) has none.
    pub ends: Vec<usize>,
}

impl Schedules {
    /// Room for every instalment of `input` (both forms size their output
    /// once: growing it is another lesson).
    pub fn for_input(input: &Priced) -> Schedules {
        Schedules {
            amounts: Vec::with_capacity(input.instalments()),
            profits: Vec::with_capacity(input.instalments()),
            ends: Vec::with_capacity(input.contracts.len()),
        }
    }
}

/// The contracts with the rates the reference finds for them.
pub fn priced(contracts: Vec<Contract>) -> Priced {
    let rates = contracts
        .iter()
        .map(|c| rules::plan(c).map_or(Decimal::ZERO, |p| p.monthly_rate))
        .collect();
    Priced { contracts, rates }
}

fn build(scale: Scale, seed: u64) -> Priced {
    let n = super::inputs::posting_contracts_at(scale) / 10;
    priced(crate::murabaha::generate::contracts(n.max(1), seed).collect())
}

// ANCHOR: finer_rates
/// The contrast: the same contracts, each rate carried to twelve places
/// (the reference's rate and two more digits), so that every contract is
/// handed back to the reference after its instalments were computed in
/// cents.
fn finer_rates(scale: Scale, seed: u64) -> Priced {
    let mut input = build(scale, seed);
    for rate in &mut input.rates {
        *rate += Decimal::new(7, RATE_DP + 2);
    }
    input
}
// ANCHOR_END: finer_rates

/// The same contracts with a tenth of a cent (one fils) on every cost, at
/// the rates the reference finds for them: handed back at the first step.
#[cfg(test)]
fn three_places(scale: Scale, seed: u64) -> Priced {
    let n = super::inputs::posting_contracts_at(scale) / 10;
    let mut contracts: Vec<Contract> =
        crate::murabaha::generate::contracts(n.max(1), seed).collect();
    for contract in &mut contracts {
        contract.cost += Decimal::new(1, 3);
    }
    priced(contracts)
}

/// A contract's schedule in `Decimal`, as the reference computes it.
pub fn decimal_schedule(
    contract: &Contract,
    rate: Decimal,
) -> Option<(Vec<Decimal>, Vec<Decimal>)> {
    let amounts = rules::amounts(contract).ok()?;
    let selling_price: Decimal = amounts.iter().sum();
    let plan = Plan {
        amounts,
        selling_price,
        profit: selling_price - contract.cost,
        monthly_rate: rate,
    };
    let profits = rules::recognition(contract.recognition, contract.cost, &plan).ok()?;
    Some((plan.amounts, profits))
}

// ANCHOR: limit
/// The speed of light: one integer product an instalment, two figures
/// written, no rounding, no checks.
fn limit(input: &Priced) -> u64 {
    let mut out = Vec::with_capacity(2 * input.instalments());
    for contract in &input.contracts {
        let cost = contract.cost.mantissa() as i64;
        for k in 0..i64::from(contract.term_months) {
            out.push(cost.wrapping_mul(k));
            out.push(k);
        }
    }
    std::hint::black_box(&out);
    out.len() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Every contract in `Decimal`.
pub fn naive(input: &Priced) -> Schedules {
    let mut out = Schedules::for_input(input);
    for (contract, &rate) in input.contracts.iter().zip(&input.rates) {
        if let Some((amounts, profits)) = decimal_schedule(contract, rate) {
            out.amounts.extend(amounts);
            out.profits.extend(profits);
        }
        out.ends.push(out.amounts.len());
    }
    out
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Every contract in `i64` cents with `i128` products, handed to the
/// `Decimal` reference where a step could leave the range.
pub fn optimized(input: &Priced) -> Schedules {
    let mut out = Schedules::for_input(input);
    for (contract, &rate) in input.contracts.iter().zip(&input.rates) {
        if let Some((amounts, profits)) = fixed_schedule(contract, rate) {
            out.amounts
                .extend(amounts.iter().map(|&c| Decimal::new(c, 2)));
            out.profits
                .extend(profits.iter().map(|&c| Decimal::new(c, 2)));
        } else if let Some((amounts, profits)) = decimal_schedule(contract, rate) {
            out.amounts.extend(amounts);
            out.profits.extend(profits);
        }
        out.ends.push(out.amounts.len());
    }
    out
}

/// A contract's schedule in cents, or `None` for the reference.
fn fixed_schedule(contract: &Contract, rate: Decimal) -> Option<(Vec<i64>, Vec<i64>)> {
    let n = contract.term_months as usize;
    let cost = cents(contract.cost)?;
    let (mut amounts, mut profits) = (Vec::with_capacity(n), Vec::with_capacity(n));
    plan(contract, cost, &mut amounts)?;
    let selling_price = amounts
        .iter()
        .try_fold(0i64, |sum, &a| sum.checked_add(a))?;
    let profit = selling_price.checked_sub(cost)?;
    // Exactly: a rate of more places goes to the reference.
    let rate = Num::of(rate)
        .units(RATE_DP)
        .filter(|_| rate.scale() <= RATE_DP)?;
    recognise(
        contract.recognition,
        cost,
        profit,
        rate,
        &amounts,
        &mut profits,
    )?;
    Some((amounts, profits))
}
// ANCHOR_END: optimized

/// The edges of [`portfolio`], each contract at the rate the reference
/// finds for it, or at a rate drawn from zero to five per cent with up to
/// twelve places (more than the fixed-point form holds), and with costs of
/// three places among them.
pub fn arbitrary() -> BoxedStrategy<Priced> {
    let rate = proptest::option::weighted(
        0.3,
        (0i64..=50_000_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, 10 + s)),
    );
    (
        super::inputs::arbitrary_portfolio(),
        proptest::collection::vec(rate, 20),
        proptest::collection::vec(any::<bool>(), 20),
    )
        .prop_map(|(input, rates, fils)| {
            let mut priced = priced(input.contracts);
            for (k, contract) in priced.contracts.iter_mut().enumerate() {
                if let Some(rate) = rates[k] {
                    priced.rates[k] = rate;
                }
                if fils[k] && k % 4 == 0 {
                    contract.cost += Decimal::new(1, 3);
                }
            }
            priced
        })
        .boxed()
}

/// The invariant: each contract's schedule is the `Decimal` one, refusals
/// included.
fn the_decimal_schedules(input: &Priced, schedules: &Schedules) -> Result<(), String> {
    ensure(schedules.ends.len() == input.contracts.len(), || {
        format!(
            "{} schedules for {} contracts",
            schedules.ends.len(),
            input.contracts.len()
        )
    })?;
    let mut start = 0;
    for ((contract, rate), &end) in input
        .contracts
        .iter()
        .zip(&input.rates)
        .zip(&schedules.ends)
    {
        let (amounts, profits) = decimal_schedule(contract, *rate).unwrap_or_default();
        ensure(
            schedules.amounts[start..end] == amounts[..]
                && schedules.profits[start..end] == profits[..],
            || format!("{} at {rate}: not the Decimal schedule", contract.id),
        )?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_gives_the_references_schedules_and_hands_back_the_rest() {
        let input = build(Scale::Tiny, 5);
        let expected = naive(&input);
        assert_eq!(optimized(&input), expected);
        assert_eq!(expected.ends.len(), 10);
        assert_eq!(expected.amounts.len(), input.instalments());
        // Rates the reference found: ten places.
        assert!(input.rates.iter().all(|r| r.scale() <= RATE_DP));
        // Each contract's schedule is the reference's own plan.
        let mut start = 0;
        for (contract, end) in input.contracts.iter().zip(&expected.ends) {
            let plan = rules::plan(contract).unwrap();
            assert_eq!(&expected.amounts[start..*end], &plan.amounts[..]);
            start = *end;
        }
        let fils = three_places(Scale::Tiny, 5);
        let expected = naive(&fils);
        assert_eq!(optimized(&fils), expected);
        assert!(fils.contracts.iter().all(|c| cents(c.cost).is_none()));
        assert_eq!(expected.amounts.len(), fils.instalments());
        // The contrast: every contract's instalments computed in cents, then
        // handed back for its rate's twelve places.
        let finer = finer_rates(Scale::Tiny, 5);
        let expected = naive(&finer);
        assert_eq!(optimized(&finer), expected);
        assert_eq!(expected.amounts.len(), finer.instalments());
        for (contract, rate) in finer.contracts.iter().zip(&finer.rates) {
            assert_eq!(rate.scale(), RATE_DP + 2);
            let cost = cents(contract.cost).expect("whole cents");
            assert!(plan(contract, cost, &mut Vec::new()).is_some());
            assert!(fixed_schedule(contract, *rate).is_none());
        }
    }

    /// Half a cent exactly, where half-up rounding and any other rule part:
    /// a markup of one half on an odd number of cents (profit 50.005), and
    /// an effective profit of exactly half a cent in the first period.
    #[test]
    fn a_half_cent_rounds_up_in_both_forms() {
        use crate::murabaha::model::{Pricing, Recognition};
        let contract = |cost: i64, pricing, recognition| Contract {
            id: "T1".to_owned(),
            cost: Decimal::new(cost, 2),
            pricing,
            term_months: 2,
            first_due: crate::date::CivilDate::new(2026, 1, 31).unwrap(),
            recognition,
            payments: Vec::new(),
            early_settlement: None,
        };
        let half = Pricing::Markup {
            markup: Decimal::new(5, 1),
        };
        let input = Priced {
            contracts: vec![
                contract(10_001, half, Recognition::StraightLine),
                contract(10_000, half, Recognition::Effective),
            ],
            rates: vec![Decimal::new(5, 5), Decimal::new(5, 5)],
        };
        let expected = naive(&input);
        assert_eq!(optimized(&input), expected);
        // 100.01 + 50.01 over two instalments: 75.01 each, the last 75.01.
        let cents = |v: &[Decimal]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(cents(&expected.amounts[..2]), ["75.01", "75.01"]);
        // 150.00 over two; the effective profit 100.00 x 0.00005 = 0.005,
        // rounded up to a cent, the last period the rest of the 50.00.
        assert_eq!(cents(&expected.amounts[2..]), ["75.00", "75.00"]);
        assert_eq!(cents(&expected.profits[2..]), ["0.01", "49.99"]);
        assert_eq!(expected.ends, [2, 4]);
    }
}
