//! `murabaha/channels`: the bank's payments arrive as a stream, one at a
//! time, and a reader thread hands each to the posting worker that owns
//! its contract (each worker owns a contiguous range of contracts and
//! their ledgers, as in `murabaha/sharding`), over a bounded channel of
//! its own: std's `sync_channel`.
//!
//! Both forms have the same reader, the same workers, the same routing
//! and the same bound on payments in flight (`IN_FLIGHT` per worker: the
//! bounded channel is the semaphore that keeps a fast reader from
//! queueing the whole stream in memory). The naive form sends one message
//! per payment; the optimized form sends the payments in batches of
//! `BATCH`, and a further form in batches of sixteen. Another further
//! form, `owner-shards`, is `murabaha/sharding`'s:
//! no channel at all, every worker reading the whole stream itself, which
//! only a stream already in memory allows.
//!
//! The contrast is a stage whose messages carry real work: the month-end
//! run of `murabaha/thread-spawn`, a contract a message, where the
//! handover is a small part of each message's work.

use std::sync::mpsc::{SyncSender, sync_channel};

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Practice, Prepare, Scale, Variant,
};
use crate::murabaha::MurabahaInput;
use crate::murabaha::fixed::Prepared;

use super::inputs::{
    BatchTotals, Ledger, PaymentEvent, PaymentStream, ledgers_by_index, month_end,
    month_end_on_one_thread, owner_shards, payment_stream, post,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PaymentStream, Vec<Ledger>> = LessonDef {
    id: "murabaha/channels",
    why: "A reader hands every payment to the worker that owns its contract, over a \
          bounded channel of its own. A message costs the channel's bookkeeping on both \
          sides, and a worker that has drained its channel sleeps until the reader wakes \
          it; the naive form makes that handover once a payment, for posting that is a few \
          additions, and its profile has most of its samples in the channel's send and \
          recv. The optimized form sends the payments in batches, with the same routing \
          and the same bound on payments in flight: one handover a batch, and a vector \
          allocated for each ({allocations:naive} allocations a run against \
          {allocations:optimized}). {?speedup|gain Batching measured {speedup}.|same \
          Batching made no measurable difference ({speedup}).|loss Batching measured \
          {speedup}.|unreliable Batching's ratio is not reported: another process held a \
          core while it ran.} Batches of sixteen are the rung between, with a vector \
          allocated for every sixteen payments: their profile has many of its samples in \
          malloc, free and glibc's arena lock (__lll_lock_wait_private), probably because \
          each vector is allocated on the reader's thread and freed on a worker's. \
          {?over_naive:batches-of-16|gain Against the naive form they measured \
          {over_naive:batches-of-16}.|same Against the naive form they are within the \
          noise ({over_naive:batches-of-16}).|loss Against the naive form they measured \
          {over_naive:batches-of-16}.|unreliable Their ratio is not reported.} Where no \
          channel is needed at all (the stream is already in memory, and every worker can \
          read it), the owner shards of murabaha/sharding {?over_naive:owner-shards|gain \
          measured {over_naive:owner-shards} against the naive form.|same are within the \
          noise of the naive form ({over_naive:owner-shards}).|loss measured \
          {over_naive:owner-shards} against the naive form.|unreliable are not reported.} \
          Callgrind runs the threads one at a time, so its counts are of work, a spinning \
          wait's included, not of contention: {instructions}. In the contrast each \
          message names a contract (its position alone, or a batch of them) whose \
          whole month-end the worker then runs, far more work than the handover: \
          {?contrast.speedup|gain there batching measured {contrast.speedup}.|same \
          there the two are within the noise ({contrast.speedup}).|loss there batching \
          measured {contrast.speedup}.|unreliable there the ratio is not reported.} Batch \
          the messages where each carries little work and throughput matters more than \
          latency, and keep the bound on what is in flight; where the data are already in \
          memory, each worker can read its own share with no channel at all.",
    build: payment_stream,
    elements: |input| input.payments.len() as u64,
    naive: a_message_a_payment,
    optimized: batched,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(ledgers_by_index),
    arbitrary: super::inputs::arbitrary_payment_stream,
    invariant: Some(batches_of_one_too),
    allocators: None,
    variants: &[
        Variant::new("batches-of-16", |input| batched_by(input, 16)),
        Variant::new("owner-shards", owner_shards),
    ],
    scaling: true,
    contrast: Some(Contrast {
        name: "a contract's month-end a message",
        scale: Scale::Small,
        input: ContrastInput::Stage(&MONTH_END),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Posting a payment takes a few nanoseconds; sending it takes a slot of the channel, and \
         a worker that has drained its channel sleeps until the reader wakes it. How many \
         payments could one message carry, and what must stay the same: the routing, the \
         order each worker sees its payments in, and how many payments may wait in a channel.",
        compares: "every contract's ledger: payments, sum and last date, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The contrast: a message a contract, each a contract's month-end.
pub const MONTH_END: LessonDef<MurabahaInput, BatchTotals> = LessonDef {
    id: "murabaha/channels",
    why: "",
    build: |scale, seed| {
        crate::murabaha::generate::generate(super::inputs::book_contracts_at(scale), seed)
    },
    elements: |input| input.contracts.len() as u64,
    naive: month_end_a_message_a_contract,
    optimized: month_end_batched,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(month_end_in_order),
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: None,
    practice: Practice::Contrast,
};

/// Payments a worker's channel holds at most, in both forms.
pub const IN_FLIGHT: usize = 1_024;

/// Payments a message carries in the optimized form.
pub const BATCH: usize = 256;

/// Posting workers: the pool's threads but the one the reader runs on
/// (and at least one).
pub fn workers() -> usize {
    rayon::current_num_threads().saturating_sub(1).max(1)
}

// ANCHOR: naive
/// One message per payment.
pub fn a_message_a_payment(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    let shard_len = input.n_contracts.div_ceil(workers()).max(1);
    std::thread::scope(|scope| {
        let senders: Vec<SyncSender<PaymentEvent>> = ledgers
            .chunks_mut(shard_len)
            .enumerate()
            .map(|(worker, shard)| {
                let (sender, receiver) = sync_channel::<PaymentEvent>(IN_FLIGHT);
                let first = worker * shard_len;
                scope.spawn(move || {
                    for payment in receiver {
                        post(&mut shard[payment.contract_idx as usize - first], &payment);
                    }
                });
                sender
            })
            .collect();
        for payment in &input.payments {
            let owner = payment.contract_idx as usize / shard_len;
            senders[owner].send(*payment).expect("a worker ended early");
        }
    });
    ledgers
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Payments in batches of `BATCH`, the same number in flight.
pub fn batched(input: &PaymentStream) -> Vec<Ledger> {
    batched_by(input, BATCH)
}
// ANCHOR_END: optimized

// ANCHOR: batched_by
/// Payments in batches of `batch`, `IN_FLIGHT` of them in flight at most
/// (rounded up to whole batches).
pub fn batched_by(input: &PaymentStream, batch: usize) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    let shard_len = input.n_contracts.div_ceil(workers()).max(1);
    std::thread::scope(|scope| {
        let senders: Vec<SyncSender<Vec<PaymentEvent>>> = ledgers
            .chunks_mut(shard_len)
            .enumerate()
            .map(|(worker, shard)| {
                let (sender, receiver) =
                    sync_channel::<Vec<PaymentEvent>>(IN_FLIGHT.div_ceil(batch));
                let first = worker * shard_len;
                scope.spawn(move || {
                    for message in receiver {
                        for payment in &message {
                            post(&mut shard[payment.contract_idx as usize - first], payment);
                        }
                    }
                });
                sender
            })
            .collect();
        let mut pending: Vec<Vec<PaymentEvent>> =
            senders.iter().map(|_| Vec::with_capacity(batch)).collect();
        for payment in &input.payments {
            let owner = payment.contract_idx as usize / shard_len;
            pending[owner].push(*payment);
            if pending[owner].len() == batch {
                let full = std::mem::replace(&mut pending[owner], Vec::with_capacity(batch));
                senders[owner].send(full).expect("a worker ended early");
            }
        }
        for (sender, rest) in senders.iter().zip(pending) {
            if !rest.is_empty() {
                sender.send(rest).expect("a worker ended early");
            }
        }
    });
    ledgers
}
// ANCHOR_END: batched_by

/// Contracts a message carries in the contrast's batched form.
pub const CONTRACTS_A_BATCH: usize = 64;

/// The contrast's batched form: a reader sends each contract (by its
/// position) to the worker that owns it, `per_message` at a time; each
/// worker runs every contract's month-end and adds up its own totals.
pub fn month_end_over_channels(input: &MurabahaInput, per_message: usize) -> BatchTotals {
    let in_flight = (IN_FLIGHT / per_message).max(1);
    month_end_through::<Vec<usize>>(input, in_flight, |senders, shard_len| {
        let mut pending: Vec<Vec<usize>> = vec![Vec::new(); senders.len()];
        for idx in 0..input.contracts.len() {
            let owner = idx / shard_len;
            pending[owner].push(idx);
            if pending[owner].len() == per_message {
                let full = std::mem::take(&mut pending[owner]);
                senders[owner].send(full).expect("a worker ended early");
            }
        }
        for (sender, rest) in senders.iter().zip(pending) {
            if !rest.is_empty() {
                sender.send(rest).expect("a worker ended early");
            }
        }
    })
}

/// The contrast's naive form: a contract a message, the message its
/// position alone (as the lesson's naive form sends a payment alone, with
/// no vector to allocate for it).
pub fn month_end_a_message_a_contract(input: &MurabahaInput) -> BatchTotals {
    month_end_through::<[usize; 1]>(input, IN_FLIGHT, |senders, shard_len| {
        for idx in 0..input.contracts.len() {
            senders[idx / shard_len]
                .send([idx])
                .expect("a worker ended early");
        }
    })
}

/// What the contrast's two forms share, all but the message: a worker a
/// shard of the contracts, each with a channel of `in_flight` messages;
/// `send_all` sends every contract's position to its owner's channel (the
/// senders, and how many contracts a shard holds); each worker runs the
/// month-end of every contract a message names and adds up its totals.
fn month_end_through<M: IntoIterator<Item = usize> + Send>(
    input: &MurabahaInput,
    in_flight: usize,
    send_all: impl FnOnce(&[SyncSender<M>], usize),
) -> BatchTotals {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    let shard_len = input.contracts.len().div_ceil(workers()).max(1);
    let owners = input.contracts.len().div_ceil(shard_len);
    let prepared = &prepared;
    std::thread::scope(|scope| {
        let (senders, workers): (Vec<_>, Vec<_>) = (0..owners)
            .map(|_| {
                let (sender, receiver) = sync_channel::<M>(in_flight);
                let worker = scope.spawn(move || {
                    let mut totals = BatchTotals::default();
                    for message in receiver {
                        for idx in message {
                            let one = month_end(prepared, input, &input.contracts[idx..=idx]);
                            totals = add(totals, one);
                        }
                    }
                    totals
                });
                (sender, worker)
            })
            .unzip();
        send_all(&senders, shard_len);
        drop(senders);
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .fold(BatchTotals::default(), add)
    })
}

/// Two sets of totals added.
pub fn add(a: BatchTotals, b: BatchTotals) -> BatchTotals {
    BatchTotals {
        contracts: a.contracts + b.contracts,
        errors: a.errors + b.errors,
        paid: a.paid + b.paid,
        recognised_profit: a.recognised_profit + b.recognised_profit,
        deferred_profit: a.deferred_profit + b.deferred_profit,
        late_charges: a.late_charges + b.late_charges,
    }
}

/// The contrast's optimized form: `CONTRACTS_A_BATCH` contracts a message.
pub fn month_end_batched(input: &MurabahaInput) -> BatchTotals {
    month_end_over_channels(input, CONTRACTS_A_BATCH)
}

/// The contrast's reference: every contract on the calling thread.
fn month_end_in_order(input: &MurabahaInput) -> BatchTotals {
    month_end_on_one_thread(input, 1)
        .into_iter()
        .fold(BatchTotals::default(), add)
}

/// The invariant: batches of one post the same ledgers.
fn batches_of_one_too(input: &PaymentStream, ledgers: &Vec<Ledger>) -> Result<(), String> {
    ensure(&batched_by(input, 1) == ledgers, || {
        "batches of one post other ledgers".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_posts_every_payment_at_every_thread_count() {
        let input = payment_stream(Scale::Tiny, 5);
        let expected = ledgers_by_index(&input);
        let posted: u32 = expected.iter().map(|l| l.payments).sum();
        assert_eq!(posted as usize, input.payments.len());
        let month_end = MONTH_END.build;
        let portfolio = month_end(Scale::Tiny, 5);
        let totals = month_end_in_order(&portfolio);
        assert_eq!(totals.contracts as usize, portfolio.contracts.len());
        for threads in [1, 2, 3, 8] {
            crate::lab::api::pool(threads).install(|| {
                assert_eq!(a_message_a_payment(&input), expected);
                assert_eq!(batched(&input), expected);
                assert_eq!(month_end_a_message_a_contract(&portfolio), totals);
                assert_eq!(month_end_batched(&portfolio), totals);
            });
        }
    }

    #[test]
    fn an_empty_stream_and_an_empty_portfolio_post_nothing() {
        let input = PaymentStream {
            n_contracts: 0,
            payments: Vec::new(),
        };
        assert!(a_message_a_payment(&input).is_empty());
        assert!(batched(&input).is_empty());
        let mut portfolio = (MONTH_END.build)(Scale::Tiny, 1);
        portfolio.contracts.clear();
        assert_eq!(month_end_batched(&portfolio), BatchTotals::default());
    }
}
