//! `murabaha/sharding`: posting the bank's stream of payments, in the order
//! they arrived, into every contract's ledger (payments counted, amount
//! paid, last payment date), on all the machine's cores (rayon).
//!
//! Four forms, one data structure (the ledgers in a vector indexed by
//! contract), shared four ways:
//!
//! - naive: the vector behind one `Mutex`, which every thread locks for
//!   every payment;
//! - `striped-locks`: the contracts dealt over sixteen vectors behind
//!   sixteen locks (contract `i` in stripe `i % 16`, at `i / 16`);
//! - `sequential`: one thread, one vector, no lock;
//! - optimized: the contracts are sharded into one contiguous range per
//!   thread; every thread reads the whole stream and posts only the
//!   payments of its own contracts, into its own slice of the ledgers. No
//!   locks, no merging: each ledger has exactly one writer.

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::date::CivilDate;
// std's Mutex, which `mizan profile` can ask how long threads waited.
use crate::lab::lesson::{ContrastInput, LessonDef, Limit, SPEED_OF_LIGHT, Scale, Variant};
use crate::lab::lock::Mutex;

/// The lesson's registry entry.
pub const LESSON: LessonDef<PaymentStream, Vec<Ledger>> = LessonDef {
    id: "murabaha/sharding",
    why: "Posting payments from every core into one Mutex over the ledgers makes the cores \
          queue for the lock on every payment. Striping the ledgers over sixteen locks lets \
          threads mostly take different locks. Every form keeps the same vector of ledgers \
          indexed by contract; only the sharing differs. Sharding by owner does better: each \
          thread owns a range of contracts, reads the whole stream and posts only its own \
          contracts' payments into its own slice: one writer a ledger, nothing locked or \
          merged: {speedup} over the global lock, and {over_before:optimized} over the \
          sequential loop on one thread, the baseline that matters. Reading the stream \
          once per thread is the price; on a branch's few \
          thousand payments one thread wins (the shards are {contrast.over_before:optimized}).",
    build,
    elements: |input| input.payments.len() as u64,
    naive: global_lock,
    optimized: owner_shards,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::payment_stream),
    allocators: None,
    variants: &[
        Variant {
            name: "striped-locks",
            run: striped_locks,
        },
        Variant {
            name: "sequential",
            run: sequential,
        },
    ],
    scaling: true,
    contrast: Some(BRANCH),
};

/// One payment received.
#[derive(Debug, Clone, Copy)]
pub struct PaymentEvent {
    /// The contract it pays, by position in the portfolio.
    pub contract_idx: u32,
    /// The day it arrived.
    pub date: CivilDate,
    /// How much.
    pub amount: Decimal,
}

/// A day-ordered stream of payments over a portfolio.
#[derive(Debug, Clone)]
pub struct PaymentStream {
    /// How many contracts the portfolio has.
    pub n_contracts: usize,
    /// The payments, in the order they arrived.
    pub payments: Vec<PaymentEvent>,
}

/// A contract's ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Ledger {
    /// Payments posted.
    pub payments: u32,
    /// Their sum.
    pub paid: Decimal,
    /// The latest payment's date.
    pub last_payment: Option<CivilDate>,
}

/// Contracts at each scale.
pub fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 2_000,
        Scale::Default => 20_000,
        Scale::Bank => 200_000,
    }
}

/// The day-ordered stream of payments over a portfolio of
/// [`contracts_at`]`(scale)` contracts.
pub fn build(scale: Scale, seed: u64) -> PaymentStream {
    let n_contracts = contracts_at(scale);
    let mut payments: Vec<PaymentEvent> = crate::murabaha::generate::contracts(n_contracts, seed)
        .enumerate()
        .flat_map(|(idx, contract)| {
            contract.payments.into_iter().map(move |p| PaymentEvent {
                contract_idx: idx as u32,
                date: p.date,
                amount: p.amount,
            })
        })
        .collect();
    // The order they arrived in: by day (stable, so a day's payments keep
    // their order).
    payments.sort_by_key(|p| p.date);
    PaymentStream {
        n_contracts,
        payments,
    }
}

// ANCHOR: limit
/// The speed of light: every core reads its share of the payments once and
/// adds their amounts' low words, with no ledgers. Posting must at least
/// read every payment.
fn limit(input: &PaymentStream) -> u64 {
    input
        .payments
        .par_iter()
        .map(|p| p.amount.mantissa() as u64 ^ u64::from(p.contract_idx))
        .reduce(|| 0, u64::wrapping_add)
}
// ANCHOR_END: limit

/// Posts one payment to its contract's ledger.
pub fn post(ledger: &mut Ledger, payment: &PaymentEvent) {
    ledger.payments += 1;
    ledger.paid += payment.amount;
    ledger.last_payment = ledger.last_payment.max(Some(payment.date));
}

// ANCHOR: naive
/// Every thread locks the one vector of ledgers for every payment.
pub fn global_lock(input: &PaymentStream) -> Vec<Ledger> {
    let ledgers = Mutex::new(vec![Ledger::default(); input.n_contracts]);
    input.payments.par_iter().for_each(|payment| {
        let mut ledgers = ledgers.lock().expect("no thread panics holding the lock");
        post(&mut ledgers[payment.contract_idx as usize], payment);
    });
    ledgers.into_inner().expect("no thread panicked")
}
// ANCHOR_END: naive

// ANCHOR: striped
/// The contracts dealt over sixteen vectors behind sixteen locks: contract
/// `i` is at `i / 16` in stripe `i % 16`.
pub fn striped_locks(input: &PaymentStream) -> Vec<Ledger> {
    const STRIPES: usize = 16;
    let stripes: Vec<Mutex<Vec<Ledger>>> = (0..STRIPES)
        .map(|s| {
            Mutex::new(vec![
                Ledger::default();
                input.n_contracts.saturating_sub(s).div_ceil(STRIPES)
            ])
        })
        .collect();
    input.payments.par_iter().for_each(|payment| {
        let idx = payment.contract_idx as usize;
        let mut ledgers = stripes[idx % STRIPES]
            .lock()
            .expect("no thread panics holding the lock");
        post(&mut ledgers[idx / STRIPES], payment);
    });
    let stripes: Vec<Vec<Ledger>> = stripes
        .into_iter()
        .map(|stripe| stripe.into_inner().expect("no thread panicked"))
        .collect();
    (0..input.n_contracts)
        .map(|idx| stripes[idx % STRIPES][idx / STRIPES])
        .collect()
}
// ANCHOR_END: striped

// ANCHOR: sequential
/// One thread, the ledgers indexed by contract.
pub fn sequential(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    for payment in &input.payments {
        post(&mut ledgers[payment.contract_idx as usize], payment);
    }
    ledgers
}
// ANCHOR_END: sequential

// ANCHOR: optimized
/// One contiguous range of contracts per thread; each thread reads the
/// whole stream and posts its own contracts' payments into its own slice.
pub fn owner_shards(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    let shard_len = input
        .n_contracts
        .div_ceil(rayon::current_num_threads())
        .max(1);
    ledgers
        .par_chunks_mut(shard_len)
        .enumerate()
        .for_each(|(shard_idx, shard)| {
            let first = shard_idx * shard_len;
            let owned = first..first + shard.len();
            for payment in &input.payments {
                let idx = payment.contract_idx as usize;
                if owned.contains(&idx) {
                    post(&mut shard[idx - first], payment);
                }
            }
        });
    ledgers
}
// ANCHOR_END: optimized

/// The contrast: the lesson's own stream at the tiny scale, a branch's
/// few thousand payments.
const BRANCH: crate::lab::lesson::Contrast<PaymentStream> = crate::lab::lesson::Contrast {
    name: "a branch",
    scale: Scale::Tiny,
    input: ContrastInput::Build(build),
};
