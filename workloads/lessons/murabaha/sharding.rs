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

// std's Mutex, which `mizan profile` can ask how long threads waited.
use crate::lab::api::Mutex;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

use super::inputs::{Ledger, PaymentStream, ledgers_by_index, owner_shards, payment_stream, post};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PaymentStream, Vec<Ledger>> = LessonDef {
    id: "murabaha/sharding",
    why: "Posting payments from every core into one Mutex over the ledgers makes every \
          thread take the one lock for every payment: the naive form's profile has most of \
          its samples in the lock, its spin and its unlock. Striping the ledgers over \
          sixteen locks lets threads mostly take different ones. The optimized form shards \
          by owner: each thread owns a range of contracts, reads the whole stream and \
          posts only its own contracts' payments into its own slice, one writer a ledger, \
          nothing locked or merged; a sequential loop is the baseline, and every form \
          keeps the same vector of ledgers indexed by contract. {?speedup|gain Over the \
          global lock the owner shards measured {speedup}|same Against the global lock the \
          owner shards are within the noise ({speedup})|loss Against the global lock the \
          owner shards measured {speedup}|unreliable Against the global lock the ratio is \
          not reported}; {?over_before:optimized|gain over the sequential loop, the \
          baseline that matters, they measured {over_before:optimized}.|same against the \
          sequential loop, the baseline that matters, they are within the noise \
          ({over_before:optimized}).|loss against the sequential loop, the baseline that \
          matters, they measured {over_before:optimized}.|unreliable against the \
          sequential loop the ratio is not reported.} The sequential loop's work is \
          posting, the Decimal addition and the ledger's update, not reading the stream: \
          its profile is all post and Decimal's add_assign, and the speed of light, which \
          reads every payment and nothing more, shows in the limit table how far below the \
          loops reading alone is. Reading the whole stream on every thread is the shards' \
          price. Callgrind runs the threads one at a time, so its counts are of work, a \
          spinning wait's included, not of contention: {instructions}. The contrast is a \
          branch's {contrast.records} payments, posted by the sequential loop (its naive \
          form there) and by the owner shards: {?contrast.speedup|gain there the owner \
          shards measured {contrast.speedup} over one thread.|same there the owner \
          shards are within the noise of one thread ({contrast.speedup}).|loss there the \
          owner shards measured {contrast.speedup} against one thread, probably because \
          each thread's reading of the whole stream and its start outweigh so \
          little posting.|unreliable there the ratio is not reported.} Shard by owner \
          where each item is enough work to share, and compare a parallel form with the \
          sequential loop, not only with the lock.",
    build: payment_stream,
    elements: |input| input.payments.len() as u64,
    naive: global_lock,
    optimized: owner_shards,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_payment_stream,
    invariant: Some(every_payment_posted),
    allocators: None,
    variants: &[
        Variant::new("striped-locks", striped_locks),
        Variant::new("sequential", ledgers_by_index),
    ],
    scaling: true,
    contrast: Some(BRANCH),
    practice: Practice::Rewrite(Exercise {
        hint: "Every payment takes the one lock. Each contract's ledger belongs to one contract: give \
         each thread its own contracts (by index), so that no two threads touch one ledger.",
        compares: "every contract's ledger: payments, sum and last date, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

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

// The optimized form, `owner_shards`, is in `inputs.rs`: `murabaha/channels`
// times it too.

/// The contrast: the lesson's own stream at the tiny scale, a branch's
/// few thousand payments, posted by one thread (the sequential loop, the
/// naive form there) or by the owner shards: where sharding does not pay.
const BRANCH: Contrast<PaymentStream> = Contrast {
    name: "a branch, against one thread",
    scale: Scale::Tiny,
    input: ContrastInput::Stage(&BRANCH_STAGE),
};

/// [`BRANCH`]'s forms: the sequential loop and the owner shards.
pub const BRANCH_STAGE: LessonDef<PaymentStream, Vec<Ledger>> = LessonDef {
    id: "murabaha/sharding",
    why: "",
    build: payment_stream,
    elements: |input| input.payments.len() as u64,
    naive: ledgers_by_index,
    optimized: owner_shards,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_payment_stream,
    invariant: Some(every_payment_posted),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The invariant: every payment posted to one ledger.
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn every_payment_posted(input: &PaymentStream, ledgers: &Vec<Ledger>) -> Result<(), String> {
    let posted: u64 = ledgers.iter().map(|l| u64::from(l.payments)).sum();
    ensure(posted == input.payments.len() as u64, || {
        format!("{posted} payments posted of {}", input.payments.len())
    })
}
