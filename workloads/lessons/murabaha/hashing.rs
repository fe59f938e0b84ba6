//! `murabaha/hashing`: posting the bank's stream of payments, on one
//! thread, into every contract's ledger, each payment looking its ledger up
//! by contract number.
//!
//! Three forms over the same stream and the same loop:
//!
//! - naive: a `std::collections::HashMap` from contract number to ledger,
//!   hashed with SipHash-1-3;
//! - optimized: `ahash::AHashMap`, the same table with aHash;
//! - `dense-index`, a further form (a better technique, not a faster
//!   hash): the bank numbers its contracts from zero, so the number is
//!   already an index into a `Vec` of ledgers: no hash, no table, no
//!   probing. This is the data structure every form of `murabaha/sharding`
//!   shares.
//!
//! The lab builds for the baseline x86-64 target (no
//! `target-feature=+aes`), so aHash 0.8 compiles its fallback hash (a
//! folded 64×64→128-bit multiply), not its AES-round version.
//!
//! The contrast ([`CHOSEN`]) is where a fast hash is the wrong choice: the
//! ids come from outside, and the sender chose them to collide under a
//! hash that is not keyed (FxHash, rustc's).

use std::collections::HashMap;

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::lessons::inputs::day;

use super::inputs::{Ledger, PaymentEvent, PaymentStream, ledgers_by_index, payment_stream, post};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PaymentStream, Vec<Ledger>> = LessonDef {
    id: "murabaha/hashing",
    why: "Every payment looks its contract's ledger up in a map by contract number, and \
          the two forms differ in the map's hasher alone: std's HashMap runs SipHash, \
          rounds of mixing keyed at random; ahash's AHashMap is the same table with aHash, \
          which in this build (for the baseline x86 target, no AES instructions enabled) \
          is its fallback, a folded multiply. {?instructions|gain The instructions say \
          where the time went: {instructions}.|same The instructions did not move \
          ({instructions}).|loss The instructions rose ({instructions}).} {?speedup|gain \
          In time the faster hash measured {speedup}.|same In time the two are within the \
          noise ({speedup}).|loss In time aHash measured {speedup}.} The dense index, a \
          further form, needs no hash: the bank numbers its contracts from zero, so a \
          number is already a position in a vector of ledgers ({over_naive:dense-index} \
          against std's map). The contrast is where a fast hash is the wrong choice: \
          payments that name their contract by a reference the sender chose, every one a \
          multiple of two to the sixteenth, and FxHash (rustc's, a multiply with no key) \
          in place of SipHash. The low bits of a product depend only on the low bits of \
          the key, so every reference lands in the same bucket, and each look-up walks the \
          whole cluster before it finds its own (instructions {contrast.instructions}). \
          {?contrast.speedup|gain Here the unkeyed hash still measured \
          {contrast.speedup}.|same Here the two are within the noise \
          ({contrast.speedup}).|loss The unkeyed hash measured {contrast.speedup}.} aHash, \
          keyed at random like SipHash, is a further form of the contrast \
          ({contrast.over_naive:ahash} against SipHash): a sender who does not know the \
          key cannot aim at its buckets. A fast hash needs a key of its own where the keys \
          come from outside.",
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
    contrast: Some(Contrast {
        name: "ids a sender chose to collide, under an unkeyed hash",
        scale: Scale::Small,
        input: ContrastInput::Stage(&CHOSEN),
    }),
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

/// The contrast: the same posting, but each payment names its contract by
/// a reference its sender chose, and the sender chose references that
/// collide under an unkeyed hash: every one a multiple of 2¹⁶, so that
/// FxHash (a multiply, whose low bits depend only on the key's low bits)
/// puts every key in the same bucket of any table of up to 65,536 of them.
/// SipHash (naive) and aHash (a further form) are keyed at random per
/// process: the sender cannot aim at their buckets.
pub const CHOSEN: LessonDef<PaymentStream, Vec<(u32, Ledger)>> = LessonDef {
    id: "murabaha/hashing",
    why: "",
    build: |scale, seed| chosen_references(payment_stream(scale, seed)),
    elements: |input| input.payments.len() as u64,
    naive: chosen_siphash,
    optimized: chosen_fxhash,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: arbitrary_chosen,
    invariant: None,
    allocators: None,
    variants: &[Variant::new("ahash", chosen_ahash)],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The contrast's inputs: as [`arbitrary`]'s, but to at most 2,000
/// contracts (a look-up under FxHash walks every colliding key, so the
/// wide inputs' 12,000 would take the property tests minutes).
fn arbitrary_chosen() -> BoxedStrategy<PaymentStream> {
    let payment = (any::<u32>(), day(), any::<i64>());
    (1usize..2_000, proptest::collection::vec(payment, 0..4_000))
        .prop_map(|(n_contracts, payments)| {
            chosen_references(PaymentStream {
                n_contracts,
                payments: payments
                    .into_iter()
                    .map(|(contract, date, cents)| PaymentEvent {
                        contract_idx: contract % n_contracts as u32,
                        date,
                        amount: Decimal::new(cents, 2),
                    })
                    .collect(),
            })
        })
        .boxed()
}

/// Every contract's number made a reference that collides with the others
/// under FxHash: the number times 2¹⁶ (a portfolio of at most 65,536).
fn chosen_references(mut input: PaymentStream) -> PaymentStream {
    assert!(input.n_contracts <= 1 << 16, "a reference is a u32");
    for payment in &mut input.payments {
        payment.contract_idx <<= 16;
    }
    input
}

// ANCHOR: chosen
/// std's HashMap from reference to ledger: SipHash-1-3, keyed at random.
pub fn chosen_siphash(input: &PaymentStream) -> Vec<(u32, Ledger)> {
    let mut ledgers: HashMap<u32, Ledger> = HashMap::new();
    for payment in &input.payments {
        post(ledgers.entry(payment.contract_idx).or_default(), payment);
    }
    by_reference(ledgers)
}

/// The same table with FxHash: a multiply, with no key.
pub fn chosen_fxhash(input: &PaymentStream) -> Vec<(u32, Ledger)> {
    let mut ledgers: rustc_hash::FxHashMap<u32, Ledger> = rustc_hash::FxHashMap::default();
    for payment in &input.payments {
        post(ledgers.entry(payment.contract_idx).or_default(), payment);
    }
    by_reference(ledgers)
}
// ANCHOR_END: chosen

/// The same table with aHash, keyed at random like SipHash.
pub fn chosen_ahash(input: &PaymentStream) -> Vec<(u32, Ledger)> {
    let mut ledgers: ahash::AHashMap<u32, Ledger> = ahash::AHashMap::new();
    for payment in &input.payments {
        post(ledgers.entry(payment.contract_idx).or_default(), payment);
    }
    by_reference(ledgers)
}

/// The ledgers in the references' order.
fn by_reference(ledgers: impl IntoIterator<Item = (u32, Ledger)>) -> Vec<(u32, Ledger)> {
    let mut all: Vec<(u32, Ledger)> = ledgers.into_iter().collect();
    all.sort_unstable_by_key(|(reference, _)| *reference);
    all
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
