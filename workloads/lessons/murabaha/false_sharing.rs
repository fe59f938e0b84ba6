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
//! The contrast is the same table written once every 64 contracts instead
//! of once a payment (each part adds up the contracts' payments in locals
//! first): a monitor still sees the run move, a batch at a time, and the
//! line is written some thousand times less often.
//!
//! A run publishes its table ([`publish`]) for a monitor to read while it
//! goes on ([`live`]); the exercise's constraint is a monitor that must see
//! the counters move: summing in locals and adding up at the end gives the
//! same tally, and no monitor could follow the run.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
          moves between cores under it: instructions, {instructions}; L1d misses, \
          {d1_misses}. The contrast writes the same table once every sixty-four contracts instead \
          of once a payment, adding their payments up in locals first: \
          {?contrast.speedup|gain there padding measured {contrast.speedup}.|same \
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
        name: "counted once every 64 contracts",
        scale: Scale::Default,
        input: ContrastInput::Stage(&ONCE_A_BATCH),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "No two threads write the same counter, yet the threads slow each other down. How far \
         apart in memory are the two threads' counters, and what does a core fetch when it \
         writes one? `post` is generic over how a slot is laid out.",
        compares: "the tally: payments posted and their cents",
        keep: &[
            "the live counters: each payment added to its thread's slot of a published table as \
             it is posted (`post` publishes its table; a table of your own, `publish` it), so \
             that a monitor sees the run's progress while it goes on; the checker runs a monitor \
             thread beside your attempt, and it must see the count move a payment at a time \
             (a table written once a contract, or at the end, does not keep this)",
        ],
        may_call: &[
            "mizan::lessons::murabaha::false_sharing::post",
            "mizan::lessons::murabaha::false_sharing::Every",
            "mizan::lessons::murabaha::false_sharing::Slot",
            "mizan::lessons::murabaha::false_sharing::Counters",
            "mizan::lessons::murabaha::false_sharing::Tally",
            "mizan::lessons::murabaha::false_sharing::publish",
            "mizan::lessons::murabaha::false_sharing::MAX_THREADS",
        ],
        constraint: Some(a_monitor_sees_the_run_progress),
    }),
};

/// The contrast: the same counters, written once every [`BATCH`]
/// contracts.
pub const ONCE_A_BATCH: LessonDef<MurabahaInput, Tally> = LessonDef {
    id: "murabaha/false-sharing",
    why: "",
    build,
    elements: payments,
    naive: side_by_side_per_batch,
    optimized: padded_per_batch,
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

/// What a monitor reads: the running post's counters so far.
pub type Reader = Arc<dyn Fn() -> Tally + Send + Sync>;

/// The table of the run going on, for a monitor.
static LIVE: Mutex<Option<Reader>> = Mutex::new(None);

/// Publishes `read` as the running post's counters: [`post`] publishes its
/// table; a post of one's own publishes its own.
pub fn publish(read: Reader) {
    *LIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(read);
}

/// What a monitor sees: the counters of the run going on, if one
/// published them.
pub fn live() -> Option<Tally> {
    let read = LIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    read.map(|read| read())
}

/// The slots' counters added up.
fn sum<S: Slot>(slots: &[S]) -> Tally {
    slots.iter().fold(Tally::default(), |tally, slot| Tally {
        payments: tally.payments + slot.counters().payments.load(Ordering::Relaxed),
        cents: tally.cents + slot.counters().cents.load(Ordering::Relaxed),
    })
}

/// How often a part writes its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Each payment as it is posted.
    Payment,
    /// Once every so many contracts, their sums added up in locals first
    /// (and once more for the part's last contracts).
    Contracts(usize),
}

/// Contracts a write in the contrast.
pub const BATCH: usize = 64;

/// Posts every payment, each part of the contracts on a thread of its own,
/// adding each payment to the part's slot as it goes (or, [`Every::Contracts`],
/// a batch of contracts' sums when the batch is done); the table is
/// published for a monitor first.
pub fn post<S: Slot + Send + 'static>(input: &MurabahaInput, every: Every) -> Tally {
    let table: Arc<Table<S>> = Arc::new(Table {
        slots: std::array::from_fn(|_| S::default()),
    });
    let threads = rayon::current_num_threads().min(MAX_THREADS);
    let monitored = Arc::clone(&table);
    publish(Arc::new(move || sum(&monitored.slots[..threads])));
    let slots = &table.slots[..threads];
    let per_part = input.contracts.len().div_ceil(slots.len()).max(1);
    input
        .contracts
        .par_chunks(per_part)
        .zip(slots)
        .for_each(|(contracts, slot)| {
            let counters = slot.counters();
            match every {
                Every::Payment => {
                    for payment in contracts.iter().flat_map(|c| &c.payments) {
                        counters.payments.fetch_add(1, Ordering::Relaxed);
                        counters
                            .cents
                            .fetch_add(cents(payment.amount), Ordering::Relaxed);
                    }
                }
                Every::Contracts(n) => {
                    for batch in contracts.chunks(n.max(1)) {
                        let (mut payments, mut total) = (0, 0);
                        for payment in batch.iter().flat_map(|c| &c.payments) {
                            payments += 1;
                            total += cents(payment.amount);
                        }
                        counters.payments.fetch_add(payments, Ordering::Relaxed);
                        counters.cents.fetch_add(total, Ordering::Relaxed);
                    }
                }
            }
        });
    // The run is over: a monitor reads no more of it.
    *LIVE.lock().unwrap_or_else(|e| e.into_inner()) = None;
    sum(slots)
}
// ANCHOR_END: post

// ANCHOR: naive
/// The slots side by side in the table.
pub fn side_by_side(input: &MurabahaInput) -> Tally {
    post::<Counters>(input, Every::Payment)
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Each slot padded to a cache line of its own.
pub fn padded(input: &MurabahaInput) -> Tally {
    post::<CachePadded<Counters>>(input, Every::Payment)
}
// ANCHOR_END: optimized

/// The contrast's naive form: side by side, written once a batch.
pub fn side_by_side_per_batch(input: &MurabahaInput) -> Tally {
    post::<Counters>(input, Every::Contracts(BATCH))
}

/// The contrast's optimized form: padded, written once a batch.
pub fn padded_per_batch(input: &MurabahaInput) -> Tally {
    post::<CachePadded<Counters>>(input, Every::Contracts(BATCH))
}

/// The exercise's constraint: a monitor thread reading [`live`] as fast as
/// it can while the attempt posts a portfolio twice the default's (on one
/// worker thread, so that the monitor has the other core) must see the
/// payments counted move a payment at a time: a count that falls inside a
/// contract (not where a contract's payments end, as a table written once a
/// contract would show). Up to three tries, the monitor started before each
/// (a loaded machine may keep it off its core for a whole run); an attempt
/// that keeps no such counters fails every one.
fn a_monitor_sees_the_run_progress(attempt: fn(&MurabahaInput) -> Tally) -> Result<(), String> {
    static INPUT: std::sync::OnceLock<MurabahaInput> = std::sync::OnceLock::new();
    let input = INPUT
        .get_or_init(|| crate::murabaha::generate::generate(contracts_at(Scale::Default) * 2, 7));
    // Where each contract's payments end, counted from the start: what a
    // table written once a contract shows, on one thread.
    let ends: BTreeSet<u64> = input
        .contracts
        .iter()
        .scan(0u64, |sum, c| {
            *sum += c.payments.len() as u64;
            Some(*sum)
        })
        .collect();
    let mut last = String::new();
    for _ in 0..3 {
        match watch(attempt, input, &ends) {
            Ok(()) => return Ok(()),
            Err(what) => last = what,
        }
    }
    Err(last)
}

/// What the monitor saw of one run: how many times the count changed
/// while the run went on, and whether one count fell inside a contract.
#[derive(Default)]
struct Seen {
    changes: usize,
    inside_a_contract: bool,
}

/// One run of `attempt` under a monitor (see
/// [`a_monitor_sees_the_run_progress`]); a panic of the attempt is passed
/// on once the monitor has stopped.
fn watch(
    attempt: fn(&MurabahaInput) -> Tally,
    input: &MurabahaInput,
    ends: &BTreeSet<u64>,
) -> Result<(), String> {
    *LIVE.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let (started, done) = (AtomicBool::new(false), AtomicBool::new(false));
    let (seen, total) = std::thread::scope(|scope| {
        let monitor = scope.spawn(|| {
            let mut seen = Seen::default();
            let mut previous = 0;
            started.store(true, Ordering::Release);
            while !done.load(Ordering::Acquire) {
                if let Some(tally) = live()
                    && tally.payments != previous
                {
                    previous = tally.payments;
                    seen.changes += 1;
                    seen.inside_a_contract |= previous > 0 && !ends.contains(&previous);
                }
                std::hint::spin_loop();
            }
            seen
        });
        while !started.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        let total = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::lab::api::pool(1).install(|| attempt(input))
        }));
        done.store(true, Ordering::Release);
        (monitor.join(), total)
    });
    let total = total.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let seen = seen.map_err(|_| "the monitor itself panicked".to_owned())?;
    if seen.changes == 0 {
        return Err(format!(
            "a monitor reading the published counters while {} payments were posted saw \
             none: no table was published, or nothing in it moved while the run went on \
             (post through `post`, or `publish` a table of your own and add each payment to \
             it as it is posted)",
            total.payments
        ));
    }
    ensure(seen.inside_a_contract, || {
        format!(
            "a monitor reading the published counters while {} payments were posted saw them \
             change {}, never inside a contract: they are added up and written a contract at \
             a time (or at the end), not each payment as it is posted",
            total.payments,
            match seen.changes {
                1 => "once".to_owned(),
                2 => "twice".to_owned(),
                n => format!("{n} times"),
            }
        )
    })
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
                assert_eq!(side_by_side_per_batch(&input), expected);
                assert_eq!(padded_per_batch(&input), expected);
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
