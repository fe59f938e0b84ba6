//! `murabaha/hashing`: posting the bank's stream of payments, on one
//! thread, into every contract's ledger, each payment looking its ledger up
//! by contract number.
//!
//! Three forms over the same stream and the same loop:
//!
//! - naive: a `std::collections::HashMap` from contract number to ledger,
//!   hashed with SipHash-1-3;
//! - optimized: `ahash::AHashMap`, the same table with aHash;
//! - `dense-index`, the contrast: the bank numbers its contracts from zero,
//!   so the number is already an index into a `Vec` of ledgers: no hash, no
//!   table, no probing. This is the data structure every form of
//!   `murabaha/sharding` shares.

use std::collections::HashMap;

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::lab::api::ensure;
use crate::lab::api::{Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Variant};
use crate::lessons::inputs::day;

use super::inputs::{Ledger, PaymentEvent, PaymentStream, ledgers_by_index, payment_stream, post};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PaymentStream, Vec<Ledger>> = LessonDef {
    id: "murabaha/hashing",
    why: "Every payment looks its contract's ledger up in a map, and with std's HashMap every \
          look-up first runs SipHash over the contract number: more cycles than posting the \
          payment. ahash's AHashMap is the same table with a hash built on the processor's \
          AES instructions, a few cycles per key: here {speedup}. Keep SipHash where the keys \
          come from outside (an identifier in a request) and a flood of colliding keys would \
          turn the map into a list: both hashes are keyed at random, but only SipHash is a \
          cryptographic function analysed for that attack. \
          The dense index is the contrast: contract numbers that run from zero are already \
          positions in a vector, and no hash at all beats the fastest one \
          (against std's map, {over_naive:dense-index}).",
    build: payment_stream,
    elements: |input| input.payments.len() as u64,
    naive: std_siphash,
    optimized: ahash,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(every_contract_paid),
    allocators: None,
    variants: &[Variant::new("dense-index", dense_index)],
    scaling: false,
    contrast: None,
    practice: Practice::Rewrite(Exercise {
        hint: "Every payment hashes its contract number with SipHash to find its ledger. The numbers \
         are not an attacker's: a faster hash is safe here. And they run from zero.",
        compares: "every contract's ledger: payments, sum and last date, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

// ANCHOR: limit
/// The speed of light: read every payment once and add up its amount's low
/// word, with no ledgers. Posting must at least read every payment.
fn limit(input: &PaymentStream) -> u64 {
    input.payments.iter().fold(0u64, |sum, p| {
        sum.wrapping_add(p.amount.mantissa() as u64 ^ u64::from(p.contract_idx))
    })
}
// ANCHOR_END: limit

// ANCHOR: naive
/// std's HashMap: SipHash-1-3 over every payment's contract number.
pub fn std_siphash(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers: HashMap<u32, Ledger> = HashMap::new();
    for payment in &input.payments {
        post(ledgers.entry(payment.contract_idx).or_default(), payment);
    }
    (0..input.n_contracts as u32)
        .map(|contract| ledgers.get(&contract).copied().unwrap_or_default())
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The same table with aHash.
pub fn ahash(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers: ahash::AHashMap<u32, Ledger> = ahash::AHashMap::new();
    for payment in &input.payments {
        post(ledgers.entry(payment.contract_idx).or_default(), payment);
    }
    (0..input.n_contracts as u32)
        .map(|contract| ledgers.get(&contract).copied().unwrap_or_default())
        .collect()
}
// ANCHOR_END: optimized

/// No hash: the ledgers in a vector indexed by contract number
/// (`murabaha/sharding`'s sequential form).
pub fn dense_index(input: &PaymentStream) -> Vec<Ledger> {
    ledgers_by_index(input)
}

/// Payments in any order, of any size, either to a few contracts (the
/// edges: one contract, no payments, contracts never paid) or to 10,000 to
/// 12,000 contracts that each receive at least one payment, so that a map
/// from contract to ledger holds 10,000 distinct keys and more.
pub fn arbitrary() -> BoxedStrategy<PaymentStream> {
    let payment = (any::<u32>(), day(), any::<i64>());
    prop_oneof![
        (1usize..8, proptest::collection::vec(payment.clone(), 0..12)),
        (
            10_000usize..12_000,
            proptest::collection::vec(payment, 0..20_000)
        ),
    ]
    .prop_map(|(n_contracts, payments)| {
        let wide = n_contracts >= 10_000;
        let each = (0..n_contracts as u32)
            .filter(|_| wide)
            .map(|contract| (contract, CivilDate::new(2026, 1, 1).expect("a day"), 1));
        PaymentStream {
            n_contracts,
            payments: payments
                .into_iter()
                .map(|(contract, date, cents)| (contract % n_contracts as u32, date, cents))
                .chain(each)
                .map(|(contract_idx, date, cents)| PaymentEvent {
                    contract_idx,
                    date,
                    amount: Decimal::new(cents, 2),
                })
                .collect(),
        }
    })
    .boxed()
}

/// The invariant: in the wide inputs, every contract is paid (so the map
/// holds ten thousand keys and more).
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn every_contract_paid(input: &PaymentStream, ledgers: &Vec<Ledger>) -> Result<(), String> {
    let paid = ledgers.iter().filter(|l| l.payments > 0).count();
    ensure(
        input.n_contracts < 10_000 || paid == input.n_contracts,
        || format!("{paid} of {} contracts paid", input.n_contracts),
    )
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::date::CivilDate;
    use crate::lessons::murabaha::inputs::PaymentEvent;

    #[test]
    fn every_form_posts_each_contract_apart() {
        let day = |d| CivilDate::new(2026, 3, d).expect("a day");
        let pay = |contract_idx, d, cents| PaymentEvent {
            contract_idx,
            date: day(d),
            amount: Decimal::new(cents, 2),
        };
        let input = PaymentStream {
            n_contracts: 3,
            payments: vec![pay(2, 5, 1_000), pay(0, 1, 250), pay(2, 3, 1)],
        };
        let expected = vec![
            Ledger {
                payments: 1,
                paid: Decimal::new(250, 2),
                last_payment: Some(day(1)),
            },
            Ledger::default(),
            Ledger {
                payments: 2,
                paid: Decimal::new(1_001, 2),
                last_payment: Some(day(5)),
            },
        ];
        assert_eq!(std_siphash(&input), expected);
        assert_eq!(ahash(&input), expected);
        assert_eq!(dense_index(&input), expected);
    }
}
