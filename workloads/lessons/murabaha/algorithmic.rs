//! `murabaha/algorithmic`: which day each instalment of each contract was
//! covered, matching the contract's payments (in date order) to its
//! instalments (in due order): instalment k is covered on the day of the
//! payment that brings the running total of payments to the sum of the
//! first k instalments, as `MURABAHA.md` defines it.
//!
//! - naive: for each instalment, its cumulative due summed again from the
//!   first instalment, and the payments scanned again from the first until
//!   their running total reaches it: O(n·(n + m)) for n instalments and m
//!   payments;
//! - optimized: one merge pass over both lists, each running total carried
//!   forward (the reference rules' `cover`): O(n + m).

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::lessons::inputs::day;
use crate::murabaha::model::Payment;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Ledgers, Vec<Vec<Option<CivilDate>>>> = LessonDef {
    id: "murabaha/algorithmic",
    why: "Asking, for each instalment, how much was due up to it and which payment first \
          covered that much, by summing the instalments and scanning the payments from the \
          start every time, repeats work that grows with the square of the schedule: a \
          thirty-year home financing has hundreds of instalments and hundreds of payments. \
          Both lists are in order, so one merge pass that carries the two running totals \
          forward answers every instalment in one step. {?instructions|gain Callgrind \
          counts the repeated work: {instructions}.|same Callgrind counts about as much \
          work in both ({instructions}).|loss Callgrind counts more work in the merge \
          ({instructions}).} {?speedup|gain Over the portfolio the merge measured \
          {speedup}.|same Over the portfolio the two are within the noise \
          ({speedup}).|loss Over the portfolio the merge measured {speedup}.} The contrast \
          is the same portfolio sold with one deferred payment of the whole price at \
          maturity, as commodity and trade murabaha often are: a schedule of one \
          instalment, where the square of the schedule is the schedule, and both forms add \
          up one instalment and scan the payments at most once, so neither repeats \
          anything (instructions {contrast.instructions}). {?contrast.speedup|gain There \
          the merge still measured {contrast.speedup}, which cannot come from an order of \
          growth both forms share there: it is a difference of the two loops' code.|same \
          There the two are within the noise ({contrast.speedup}): with nothing repeated, \
          the merge has nothing to remove.|loss There the merge measured \
          {contrast.speedup}, a difference of the two loops' code, since both do the same \
          work there.} What a better order of growth removes is the repeated work, and how \
          much of it there is depends on the data: measure on the schedules the portfolio \
          has, long and short.",
    build,
    elements: |input| input.contracts.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(covered_as_the_rules_cover),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "one instalment at maturity",
        scale: Scale::Small,
        input: ContrastInput::Build(bullet_contracts),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "For every instalment the naive form sums the schedule from the first instalment and \
         scans the payments from the first. Both lists are already in order: what does the \
         answer for instalment k tell you about instalment k + 1?",
        compares: "the day every instalment of every contract was covered (or none), as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// One contract's schedule and what it has been paid.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ContractLedger {
    /// The instalment amounts, in due order.
    pub amounts: Vec<Decimal>,
    /// The payments, in date order.
    pub payments: Vec<Payment>,
}

/// A portfolio's ledgers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Ledgers {
    /// One per contract.
    pub contracts: Vec<ContractLedger>,
}

/// Contracts at each scale (the naive form's work grows with the square
/// of a schedule: a few hundred contracts take it tens of milliseconds),
/// in the generator's mix of home, personal, auto and SME financing.
fn build(scale: Scale, seed: u64) -> Ledgers {
    let n = match scale {
        Scale::Tiny => 20,
        Scale::Small => 100,
        Scale::Default => 500,
        Scale::Bank => 5_000,
    };
    ledgers(n, seed, false)
}

// ANCHOR: bullet
/// The contrast: the sharding lesson's portfolio sold instead with one
/// deferred payment of the whole price at maturity (as commodity and trade
/// murabaha often are), which each customer paid down as before: a
/// schedule of one instalment, where the square of the schedule is the
/// schedule.
fn bullet_contracts(scale: Scale, seed: u64) -> Ledgers {
    ledgers(super::inputs::posting_contracts_at(scale), seed, true)
}

/// The ledgers of `n` generated contracts; with `bullet`, each priced with
/// one instalment (a term of one month) and its payments kept.
fn ledgers(n: usize, seed: u64, bullet: bool) -> Ledgers {
    Ledgers {
        contracts: crate::murabaha::generate::contracts(n, seed)
            .map(|mut contract| {
                if bullet {
                    contract.term_months = 1;
                }
                let plan = crate::murabaha::rules::plan(&contract).expect("generated plans");
                let mut payments = contract.payments.clone();
                payments.sort_by_key(|p| p.date);
                ContractLedger {
                    amounts: plan.amounts,
                    payments,
                }
            })
            .collect(),
    }
}
// ANCHOR_END: bullet

// ANCHOR: limit
/// The speed of light: read every instalment and payment once. Matching
/// them must.
fn limit(input: &Ledgers) -> u64 {
    input.contracts.iter().fold(0u64, |sum, contract| {
        let due = contract
            .amounts
            .iter()
            .fold(0u64, |s, a| s ^ a.mantissa() as u64);
        let paid = contract
            .payments
            .iter()
            .fold(0u64, |s, p| s ^ p.amount.mantissa() as u64);
        sum.wrapping_add(due ^ paid)
    })
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each instalment's cumulative due summed again, and the payments scanned
/// again from the first.
pub fn naive(input: &Ledgers) -> Vec<Vec<Option<CivilDate>>> {
    let mut covered = Vec::with_capacity(input.contracts.len());
    for contract in &input.contracts {
        let mut covered_on = Vec::with_capacity(contract.amounts.len());
        for k in 0..contract.amounts.len() {
            let due: Decimal = contract.amounts[..=k].iter().sum();
            let mut day = None;
            // Nothing due yet (zero instalments so far): no payment covers it.
            if due > Decimal::ZERO {
                let mut paid = Decimal::ZERO;
                for payment in &contract.payments {
                    paid += payment.amount;
                    if paid >= due {
                        day = Some(payment.date);
                        break;
                    }
                }
            }
            covered_on.push(day);
        }
        covered.push(covered_on);
    }
    covered
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// One merge pass: both running totals carried forward.
pub fn optimized(input: &Ledgers) -> Vec<Vec<Option<CivilDate>>> {
    let mut covered = Vec::with_capacity(input.contracts.len());
    for contract in &input.contracts {
        let mut covered_on = Vec::with_capacity(contract.amounts.len());
        let mut payments = contract.payments.iter();
        let (mut due, mut paid, mut last_day) = (Decimal::ZERO, Decimal::ZERO, None);
        for amount in &contract.amounts {
            due += amount;
            while paid < due {
                let Some(payment) = payments.next() else {
                    break;
                };
                paid += payment.amount;
                last_day = Some(payment.date);
            }
            covered_on.push(if paid >= due { last_day } else { None });
        }
        covered.push(covered_on);
    }
    covered
}
// ANCHOR_END: optimized

/// Up to 30 contracts of 1 to 400 instalments (zero ones among them) and
/// up to 450 payments in date order, of any size up to more than the
/// price: every instalment covered, some, or none.
pub fn arbitrary() -> BoxedStrategy<Ledgers> {
    let amount = prop_oneof![
        1 => Just(Decimal::ZERO),
        4 => (1i64..10_000_000).prop_map(|cents| Decimal::new(cents, 2)),
    ];
    let payment = (day(), 1i64..20_000_000).prop_map(|(date, cents)| Payment {
        date,
        amount: Decimal::new(cents, 2),
    });
    let contract = (
        proptest::collection::vec(amount, 1..400),
        proptest::collection::vec(payment, 0..450),
    )
        .prop_map(|(amounts, mut payments)| {
            payments.sort_by_key(|p| p.date);
            ContractLedger { amounts, payments }
        });
    proptest::collection::vec(contract, 0..30)
        .prop_map(|contracts| Ledgers { contracts })
        .boxed()
}

/// The invariant: a day for every instalment, and where the payments do
/// not exceed the price, the reference rules' `cover`.
fn covered_as_the_rules_cover(
    input: &Ledgers,
    covered: &Vec<Vec<Option<CivilDate>>>,
) -> Result<(), String> {
    for (contract, covered) in input.contracts.iter().zip(covered) {
        ensure(covered.len() == contract.amounts.len(), || {
            format!(
                "{} days for {} instalments",
                covered.len(),
                contract.amounts.len()
            )
        })?;
        let price: Decimal = contract.amounts.iter().sum();
        let paid: Decimal = contract.payments.iter().map(|p| p.amount).sum();
        if paid <= price {
            let reference = crate::murabaha::rules::cover(&contract.payments, &contract.amounts)
                .map_err(|e| format!("{e:?}"))?;
            ensure(&reference == covered, || "not the rules' cover".to_owned())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_instalment_is_covered_by_the_payment_that_reaches_its_cumulative_due() {
        let day = |d| CivilDate::new(2026, 1, d).expect("a day");
        let pay = |d, cents| Payment {
            date: day(d),
            amount: Decimal::new(cents, 2),
        };
        let input = Ledgers {
            contracts: vec![
                ContractLedger {
                    amounts: vec![
                        Decimal::new(100, 2),
                        Decimal::new(100, 2),
                        Decimal::new(50, 2),
                    ],
                    // 0.60 then 0.60 (1.20 covers the first), then 0.80
                    // (2.00 covers the second, not the third).
                    payments: vec![pay(1, 60), pay(2, 60), pay(3, 80)],
                },
                ContractLedger {
                    amounts: vec![Decimal::new(1, 2)],
                    payments: vec![],
                },
                ContractLedger {
                    amounts: vec![Decimal::ZERO, Decimal::new(5, 2)],
                    payments: vec![pay(9, 5)],
                },
            ],
        };
        let expected = vec![
            vec![Some(day(2)), Some(day(3)), None],
            vec![None],
            // A zero instalment is covered before any payment: by none.
            vec![None, Some(day(9))],
        ];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        // The reference rules agree.
        for (contract, covered) in input.contracts.iter().zip(&expected) {
            let reference = crate::murabaha::rules::cover(&contract.payments, &contract.amounts)
                .expect("payments within the price");
            assert_eq!(&reference, covered);
        }
    }
}
