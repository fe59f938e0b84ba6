//! `murabaha/thread-spawn`: the month-end run, batch by batch. The
//! portfolio is cut into batches of contracts in input order, and each
//! batch is a task: every contract in it processed by the engine, and the
//! batch's totals (contracts, errors, payments received, profit
//! recognised and deferred, late charges) handed back in batch order.
//!
//! Both forms run the same tasks, as many at a time as the pool has
//! threads. The naive form starts a thread for every task
//! (`std::thread::scope`'s `spawn`), keeping no more running than that
//! (the next starts when any has finished); the optimized form hands the tasks to
//! rayon's pool, whose threads were started once, for the life of the
//! process. Nothing else differs: what the lesson measures is starting a
//! thread.
//!
//! The contrast is the same run with a branch's thousand contracts a
//! task instead of a batch of eight: a start is then paid once per
//! thousand contracts.

use rayon::prelude::*;

use crate::lab::lesson::{Contrast, ContrastInput, LessonDef, Scale};
use crate::money::cents_i128;
use crate::murabaha::MurabahaInput;
use crate::murabaha::engine::{Processed, process_contract};
use crate::murabaha::fixed::{Prepared, Schedule};
use crate::murabaha::model::Contract;

/// The lesson's registry entry.
pub const LESSON: LessonDef<MurabahaInput, Vec<BatchTotals>> = LessonDef {
    id: "murabaha/thread-spawn",
    why: "The month-end run is a list of small tasks, a batch of contracts each. Starting a \
          thread for every task, even with no more running at once than there are cores, \
          pays for every task what the operating system charges to start a thread and to \
          end it: a stack mapped and unmapped, a clone system call, the scheduler's first \
          placement, a join. A pool starts its threads once and hands them task after task: \
          {speedup}, with the same number of threads at work at every moment. The contrast \
          runs a branch's thousand contracts a task, so a start is paid once per thousand \
          contracts instead of once per batch, and the pool measured {contrast.speedup}.",
    build,
    elements: |input| input.contracts.len() as u64,
    naive: spawn_per_batch,
    optimized: pooled,
    limit: None,
    reference: Some(sequential),
    arbitrary: Some(crate::lab::arbitrary::contracts),
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: Some(Contrast {
        name: "a branch a task",
        scale: Scale::Default,
        input: ContrastInput::Stage(&BY_BRANCH),
    }),
};

/// The contrast: the same run, a branch's thousand contracts a task.
pub const BY_BRANCH: LessonDef<MurabahaInput, Vec<BatchTotals>> = LessonDef {
    id: "murabaha/thread-spawn",
    why: "",
    build,
    elements: |input| input.contracts.len() as u64,
    naive: |input| spawned(input, BRANCH),
    optimized: |input| in_the_pool(input, BRANCH),
    limit: None,
    reference: Some(|input| one_thread(input, BRANCH)),
    arbitrary: Some(crate::lab::arbitrary::contracts),
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: None,
};

/// Contracts a task in the lesson's stage.
pub const BATCH: usize = 8;

/// Contracts a task in the contrast: a branch.
pub const BRANCH: usize = 1_000;

/// Contracts at each scale.
pub fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 1_000,
        Scale::Default => 10_000,
        Scale::Bank => 200_000,
    }
}

fn build(scale: Scale, seed: u64) -> MurabahaInput {
    crate::murabaha::generate::generate(contracts_at(scale), seed)
}

// ANCHOR: task
/// One task's totals, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct BatchTotals {
    /// Contracts processed.
    pub contracts: u32,
    /// Contracts the rules refused.
    pub errors: u32,
    /// Payments received.
    pub paid: i128,
    /// Profit recognised by the statement date.
    pub recognised_profit: i128,
    /// Profit deferred.
    pub deferred_profit: i128,
    /// Ta'widh and gharamah charged.
    pub late_charges: i128,
}

/// The month-end task: every contract of a batch processed by the engine,
/// and the batch's totals.
pub fn month_end(prepared: &Prepared, input: &MurabahaInput, batch: &[Contract]) -> BatchTotals {
    let mut schedule = Schedule::for_contracts(batch);
    let mut totals = BatchTotals::default();
    for contract in batch {
        totals.contracts += 1;
        match process_contract(prepared, input, contract, &mut schedule) {
            Ok(Processed::Fast(f)) => {
                totals.paid += i128::from(f.paid);
                totals.recognised_profit += i128::from(f.recognised_profit);
                totals.deferred_profit += i128::from(f.deferred_profit);
                totals.late_charges += i128::from(f.tawidh) + i128::from(f.gharamah);
            }
            Ok(Processed::Reference(r)) => {
                totals.paid += cents_i128(r.paid);
                totals.recognised_profit += cents_i128(r.recognised_profit);
                totals.deferred_profit += cents_i128(r.deferred_profit);
                totals.late_charges += cents_i128(r.tawidh) + cents_i128(r.gharamah);
            }
            Err(_) => totals.errors += 1,
        }
    }
    totals
}
// ANCHOR_END: task

// ANCHOR: spawned
/// Every task on a thread started for it, as many running at once as the
/// pool has threads: when that many run, the next starts as soon as any
/// of them has finished (each says so, with its batch's place, over a
/// channel), so that no core waits for a slow task before it.
pub fn spawned(input: &MurabahaInput, per_task: usize) -> Vec<BatchTotals> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    let at_once = rayon::current_num_threads();
    let mut totals = vec![BatchTotals::default(); input.contracts.len().div_ceil(per_task)];
    // A task's totals, or its panic, to be raised again here: a task that
    // died without a word would leave this thread waiting for it.
    type Done = (usize, std::thread::Result<BatchTotals>);
    let (done, finished) = std::sync::mpsc::channel::<Done>();
    let mut record = |(i, result): Done| match result {
        Ok(t) => totals[i] = t,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    std::thread::scope(|scope| {
        let mut running = 0;
        for (idx, batch) in input.contracts.chunks(per_task).enumerate() {
            if running == at_once {
                record(finished.recv().expect("a running task sends its totals"));
                running -= 1;
            }
            let (done, prepared) = (done.clone(), &prepared);
            scope.spawn(move || {
                let task = || month_end(prepared, input, batch);
                let _ = done.send((idx, std::panic::catch_unwind(task)));
            });
            running += 1;
        }
        finished.iter().take(running).for_each(&mut record);
    });
    totals
}
// ANCHOR_END: spawned

// ANCHOR: pooled
/// Every task handed to the pool's threads, started once.
pub fn in_the_pool(input: &MurabahaInput, per_task: usize) -> Vec<BatchTotals> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    input
        .contracts
        .par_chunks(per_task)
        .map(|batch| month_end(&prepared, input, batch))
        .collect()
}
// ANCHOR_END: pooled

/// Every task on the calling thread, in order: the check's reference.
pub fn one_thread(input: &MurabahaInput, per_task: usize) -> Vec<BatchTotals> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    input
        .contracts
        .chunks(per_task)
        .map(|batch| month_end(&prepared, input, batch))
        .collect()
}

// ANCHOR: naive
/// A thread started for every batch.
pub fn spawn_per_batch(input: &MurabahaInput) -> Vec<BatchTotals> {
    spawned(input, BATCH)
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The batches handed to the pool.
pub fn pooled(input: &MurabahaInput) -> Vec<BatchTotals> {
    in_the_pool(input, BATCH)
}
// ANCHOR_END: optimized

fn sequential(input: &MurabahaInput) -> Vec<BatchTotals> {
    one_thread(input, BATCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_gives_every_batch_in_order_at_every_thread_count() {
        let input = build(Scale::Tiny, 3);
        let expected = sequential(&input);
        assert_eq!(expected.len(), input.contracts.len().div_ceil(BATCH));
        let processed: u32 = expected.iter().map(|t| t.contracts).sum();
        assert_eq!(processed as usize, input.contracts.len());
        // The totals are the engine's, summed batch by batch.
        let output = crate::murabaha::engine::process_all(&input).unwrap();
        let paid: i128 = output.contracts.iter().map(|c| cents_i128(c.paid)).sum();
        assert_eq!(expected.iter().map(|t| t.paid).sum::<i128>(), paid);
        for threads in [1, 2, 3, 8] {
            crate::lab::runner::pool(threads).install(|| {
                assert_eq!(spawn_per_batch(&input), expected);
                assert_eq!(pooled(&input), expected);
                assert_eq!(spawned(&input, BRANCH), one_thread(&input, BRANCH));
                assert_eq!(in_the_pool(&input, BRANCH), one_thread(&input, BRANCH));
            });
        }
    }

    #[test]
    fn a_refused_contract_is_counted_in_its_batch() {
        let mut input = build(Scale::Tiny, 4);
        input.contracts[BATCH + 1].term_months = 0;
        let totals = spawn_per_batch(&input);
        assert_eq!(totals[1].errors, 1);
        assert_eq!(totals.iter().map(|t| t.errors).sum::<u32>(), 1);
        assert_eq!(pooled(&input), totals);
    }
}
