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

use crate::lab::lesson::{LessonDef, Limit, SPEED_OF_LIGHT, Variant};
use crate::murabaha::lessons::sharding::{Ledger, PaymentStream, post, sequential};

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
    build: super::sharding::LESSON.build,
    elements: |input| input.payments.len() as u64,
    naive: std_siphash,
    optimized: ahash,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::wide_payment_stream),
    allocators: None,
    variants: &[Variant {
        name: "dense-index",
        run: dense_index,
    }],
    scaling: false,
    contrast: None,
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
    sequential(input)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::date::CivilDate;
    use crate::murabaha::lessons::sharding::PaymentEvent;

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
