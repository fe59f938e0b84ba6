//! `murabaha/false-sharing`: the month-end posting run's live statistics,
//! one set of counters a thread, updated as every payment is posted so
//! that a monitor (the progress bar, an operations dashboard) can read
//! them while the run goes on.
//!
//! Both forms split the contracts over the threads in as many contiguous
//! parts as the pool has threads, and each part updates its own slot of a
//! shared table with relaxed atomic additions: no two threads ever write
//! the same counter. The naive form keeps the slots side by side in the
//! table; the optimized form pads each to a cache line of its own
//! (`crossbeam_utils::CachePadded`). Nothing else differs.
//!
//! The contrast is the same table written once a contract instead of once
//! a payment (each part adds up a contract's payments in locals first), so
//! that the line is written once a contract.

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;
use rayon::prelude::*;

use crate::lab::api::ensure;
use crate::lab::api::{Contrast, ContrastInput, Exercise, LessonDef, Practice, Prepare, Scale};
use crate::money::cents_i128;
use crate::murabaha::MurabahaInput;

/// The lesson's registry entry.
pub const LESSON: LessonDef<MurabahaInput, Tally> = LessonDef {
    id: "murabaha/false-sharing",
    why: "Each thread posts its own contracts' payments and adds each one to its own slot \
          of a shared table of counters, with relaxed atomic additions, so that a monitor \
          can read the run's progress: no two threads write the same counter. The naive \
          form keeps the slots side by side, sixteen bytes each, so that neighbouring \
          threads' slots share a cache line; the optimized form pads each slot to a line \
          of its own (CachePadded), and nothing else differs. A core must hold a line \
          alone to write it, so two cores writing counters in one line should take it from \
          each other at every payment: that is what the lesson tests, and only the times \
          can show it. {?speedup|gain At the run's thread count padding measured \
          {speedup}.|same At the run's thread count the two layouts are within the noise \
          ({speedup}).|loss At the run's thread count padding measured \
          {speedup}.|unreliable At the run's thread count the ratio is not reported: \
          another process held a core while it ran.} The thread tables time both forms at \
          one thread too, where no other core wants the line. Callgrind runs the threads \
          one at a time, so its counts are of work, not of contention, and no line ever \
          moves between cores under it (instructions {instructions}, L1d misses \
          {d1_misses}). The contrast writes the same table once a contract instead of once \
          a payment, adding a contract's payments up in locals first: \
          {?contrast.speedup|gain there padding still measured {contrast.speedup}.|same \
          there the two layouts are within the noise ({contrast.speedup}).|loss there \
          padding measured {contrast.speedup}.|unreliable there the ratio is not \
          reported.} Pad what several threads write often; writing shared memory less \
          often, as the contrast does, is the other remedy, and padding is the one that \
          keeps every update visible as it happens.",
    build,
    elements: payments,
    naive: side_by_side,
    optimized: padded,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(sequential),
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: Some(every_payment_and_its_cents),
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: Some(Contrast {
        name: "counted once a contract",
        scale: Scale::Default,
        input: ContrastInput::Stage(&ONCE_A_CONTRACT),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "No two threads write the same counter, yet the threads slow each other down. How far \
         apart in memory are the two threads' counters, and what does a core fetch when it \
         writes one? `post` is generic over how a slot is laid out.",
        compares: "the tally: payments posted and their cents",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The contrast: the same counters, written once a contract.
pub const ONCE_A_CONTRACT: LessonDef<MurabahaInput, Tally> = LessonDef {
    id: "murabaha/false-sharing",
    why: "",
    build,
    elements: payments,
    naive: side_by_side_per_contract,
    optimized: padded_per_contract,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(sequential),
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: None,
    practice: Practice::Contrast,
};

/// What the run's statistics say at its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Tally {
    /// Payments posted.
    pub payments: u64,
    /// Their amounts, in cents.
    pub cents: u64,
}

// ANCHOR: counters
/// One thread's live counters.
#[derive(Debug, Default)]
pub struct Counters {
    /// Payments posted so far.
    pub payments: AtomicU64,
    /// Their amounts so far, in cents.
    pub cents: AtomicU64,
}
// ANCHOR_END: counters

/// A slot of the table: the counters, however they are laid out.
pub trait Slot: Sync + Default {
    /// The counters in it.
    fn counters(&self) -> &Counters;
}

impl Slot for Counters {
    fn counters(&self) -> &Counters {
        self
    }
}

impl Slot for CachePadded<Counters> {
    fn counters(&self) -> &Counters {
        self
    }
}

/// Contracts at each scale.
pub fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 1_000,
        Scale::Default => 10_000,
        Scale::Bank => 200_000,
    }
}

/// The records of a run: every payment posted.
fn payments(input: &MurabahaInput) -> u64 {
    input
        .contracts
        .iter()
        .map(|c| c.payments.len() as u64)
        .sum()
}

fn build(scale: Scale, seed: u64) -> MurabahaInput {
    crate::murabaha::generate::generate(contracts_at(scale), seed)
}

/// A payment's amount in cents (every amount an input holds is positive
/// and fits: an `i64` of cents is a sum of money far past any contract).
#[inline]
fn cents(amount: rust_decimal::Decimal) -> u64 {
    cents_i128(amount) as u64
}

/// The independent reference of the check: one loop, no table.
fn sequential(input: &MurabahaInput) -> Tally {
    let mut tally = Tally::default();
    for payment in input.contracts.iter().flat_map(|c| &c.payments) {
        tally.payments += 1;
        tally.cents += cents(payment.amount);
    }
    tally
}

// ANCHOR: post
/// The most threads a table has slots for.
pub const MAX_THREADS: usize = 64;

/// The statistics block: a slot a thread. It is aligned to a pair of
/// cache lines so that where the allocator puts it never decides which
/// slots share a line: in a plain `Vec`, two sixteen-byte slots share one
/// in three placements of four, and the fourth made one slice of a run in
/// six time like the padded form.
#[repr(C, align(128))]
pub struct Table<S> {
    slots: [S; MAX_THREADS],
}

/// Posts every payment, each part of the contracts on a thread of its own,
/// adding each payment to the part's slot as it goes (or, with
/// `once_a_contract`, each contract's sums when the contract is done).
pub fn post<S: Slot>(input: &MurabahaInput, once_a_contract: bool) -> Tally {
    let table: Box<Table<S>> = Box::new(Table {
        slots: std::array::from_fn(|_| S::default()),
    });
    let slots = &table.slots[..rayon::current_num_threads().min(MAX_THREADS)];
    let per_part = input.contracts.len().div_ceil(slots.len()).max(1);
    input
        .contracts
        .par_chunks(per_part)
        .zip(slots)
        .for_each(|(contracts, slot)| {
            let counters = slot.counters();
            for contract in contracts {
                if once_a_contract {
                    let (mut payments, mut total) = (0, 0);
                    for payment in &contract.payments {
                        payments += 1;
                        total += cents(payment.amount);
                    }
                    counters.payments.fetch_add(payments, Ordering::Relaxed);
                    counters.cents.fetch_add(total, Ordering::Relaxed);
                } else {
                    for payment in &contract.payments {
                        counters.payments.fetch_add(1, Ordering::Relaxed);
                        counters
                            .cents
                            .fetch_add(cents(payment.amount), Ordering::Relaxed);
                    }
                }
            }
        });
    slots.iter().fold(Tally::default(), |tally, slot| Tally {
        payments: tally.payments + slot.counters().payments.load(Ordering::Relaxed),
        cents: tally.cents + slot.counters().cents.load(Ordering::Relaxed),
    })
}
// ANCHOR_END: post

// ANCHOR: naive
/// The slots side by side in the table.
pub fn side_by_side(input: &MurabahaInput) -> Tally {
    post::<Counters>(input, false)
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Each slot padded to a cache line of its own.
pub fn padded(input: &MurabahaInput) -> Tally {
    post::<CachePadded<Counters>>(input, false)
}
// ANCHOR_END: optimized

/// The contrast's naive form: side by side, written once a contract.
pub fn side_by_side_per_contract(input: &MurabahaInput) -> Tally {
    post::<Counters>(input, true)
}

/// The contrast's optimized form: padded, written once a contract.
pub fn padded_per_contract(input: &MurabahaInput) -> Tally {
    post::<CachePadded<Counters>>(input, true)
}

/// The invariant: every payment counted, and its cents.
fn every_payment_and_its_cents(input: &MurabahaInput, tally: &Tally) -> Result<(), String> {
    let payments: Vec<_> = input.contracts.iter().flat_map(|c| &c.payments).collect();
    let cents: i128 = payments.iter().map(|p| cents_i128(p.amount)).sum();
    ensure(
        tally.payments == payments.len() as u64 && i128::from(tally.cents) == cents,
        || format!("{tally:?} for {} payments of {cents} cents", payments.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_counts_every_payment_at_every_thread_count() {
        let input = build(Scale::Tiny, 1);
        let expected = sequential(&input);
        let paid: usize = input.contracts.iter().map(|c| c.payments.len()).sum();
        assert_eq!(expected.payments, paid as u64);
        assert!(expected.cents > 0);
        for threads in [1, 2, 3, 8] {
            crate::lab::api::pool(threads).install(|| {
                assert_eq!(side_by_side(&input), expected);
                assert_eq!(padded(&input), expected);
                assert_eq!(side_by_side_per_contract(&input), expected);
                assert_eq!(padded_per_contract(&input), expected);
            });
        }
    }

    #[test]
    fn a_padded_slot_is_a_cache_line_and_plain_slots_share_one() {
        assert_eq!(std::mem::size_of::<Counters>(), 16);
        // The table starts a line: its first four plain slots share it.
        assert_eq!(std::mem::align_of::<Table<Counters>>() % 64, 0);
        assert!(std::mem::align_of::<CachePadded<Counters>>() >= 64);
        assert!(std::mem::size_of::<CachePadded<Counters>>() >= 64);
    }
}
