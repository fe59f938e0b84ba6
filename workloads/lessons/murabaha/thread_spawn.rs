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
//! process. The two also hand the tasks out differently (the naive form
//! gives the next task, in order, to a new thread when any has finished;
//! rayon splits the tasks among its threads and lets an idle one steal),
//! so what the lesson measures is starting a thread and that scheduling
//! together.
//!
//! The contrast is the same run cut into one task a thread (the portfolio
//! halved on two cores): a start is then paid once a core for the whole
//! run, as a program that starts its workers by hand for one long job
//! does.

use rayon::prelude::*;

use crate::lab::api::ensure;
use crate::lab::api::{Contrast, ContrastInput, Exercise, LessonDef, Practice, Prepare, Scale};
use crate::murabaha::MurabahaInput;
use crate::murabaha::fixed::Prepared;

use super::inputs::{BatchTotals, book_contracts_at, month_end, month_end_on_one_thread};

/// The lesson's registry entry.
pub const LESSON: LessonDef<MurabahaInput, Vec<BatchTotals>> = LessonDef {
    id: "murabaha/thread-spawn",
    why: "The month-end run is a list of small tasks, a batch of contracts each. Starting \
          a thread for every task, even with no more running at once than the pool has \
          threads, pays for every task what the operating system charges to start a thread \
          and to end it: a stack mapped and unmapped, a clone system call, the scheduler's \
          first placement, a join, and a few allocations of its own \
          ({allocations_per_record:naive} allocations a contract with a thread a task, \
          against {allocations_per_record:optimized} in the pool). A pool starts its \
          threads once and hands them task after task. The two forms also schedule \
          differently: the naive form starts the next task's thread when a running one \
          reports over a channel that it has finished, while rayon's pool splits the \
          batches among its threads and lets an idle thread steal from a busy one. The \
          ratio holds that difference as well as the starts, and this lesson does not \
          separate them. {?speedup|gain The pool measured {speedup}.|same The two are \
          within the noise ({speedup}).|loss The pool measured {speedup}.|unreliable The \
          ratio is not reported.} Callgrind runs the threads one at a time, so its counts \
          are of work done, not of waiting: instructions {instructions}. The contrast cuts \
          the same run into one task a thread, the portfolio shared evenly among the \
          pool's threads: a start is paid once a thread for the whole run, as a program \
          that starts its workers by hand for one long job does. {?contrast.speedup|gain \
          There the pool still measured {contrast.speedup}; whether a start a thread, the \
          two ways of placing the threads or something else makes it, this run does not \
          say.|same There the two are within the noise ({contrast.speedup}): a start a \
          thread is a small share of a thread's whole part of the run.|loss There the pool \
          measured {contrast.speedup}; what makes it, this run does not say.|unreliable \
          There the ratio is not reported.} Weigh a thread's start against a task's work: \
          the lesson's tasks are many and small, the contrast's one a thread.",
    build,
    elements: |input| input.contracts.len() as u64,
    naive: spawn_per_batch,
    optimized: pooled,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(sequential),
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: Some(the_rules_totals_a_batch),
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: Some(Contrast {
        name: "one task a thread",
        scale: Scale::Default,
        input: ContrastInput::Stage(&ONE_A_THREAD),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every batch starts a thread of its own and ends it when the batch is done. What does \
         the operating system do to start a thread, and how many batches share that cost? \
         The threads running at once must stay as many as the pool has.",
        compares: "every batch's totals: contracts, refusals, payments, profit and late charges, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The contrast: the same run, one task a thread of the pool.
pub const ONE_A_THREAD: LessonDef<MurabahaInput, Vec<BatchTotals>> = LessonDef {
    id: "murabaha/thread-spawn",
    why: "",
    build,
    elements: |input| input.contracts.len() as u64,
    naive: |input| spawned(input, a_thread(input)),
    optimized: |input| in_the_pool(input, a_thread(input)),
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(|input| month_end_on_one_thread(input, a_thread(input))),
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: true,
    contrast: None,
    practice: Practice::Contrast,
};

/// Contracts a task in the lesson's stage.
pub const BATCH: usize = 8;

// ANCHOR: a_thread
/// Contracts a task in the contrast: the portfolio shared evenly among
/// the pool's threads (at least one a task).
pub fn a_thread(input: &MurabahaInput) -> usize {
    input
        .contracts
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(1)
}
// ANCHOR_END: a_thread

fn build(scale: Scale, seed: u64) -> MurabahaInput {
    crate::murabaha::generate::generate(book_contracts_at(scale), seed)
}

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
    month_end_on_one_thread(input, BATCH)
}

/// The invariant: every batch's totals as the reference rules make them.
fn the_rules_totals_a_batch(
    input: &MurabahaInput,
    totals: &Vec<BatchTotals>,
) -> Result<(), String> {
    use crate::money::cents_i128;
    let expected: Vec<BatchTotals> = input
        .contracts
        .chunks(BATCH)
        .map(|batch| {
            let mut t = BatchTotals::default();
            for contract in batch {
                t.contracts += 1;
                match crate::murabaha::rules::process(contract, input.as_of, &input.late_policy) {
                    Ok(r) => {
                        t.paid += cents_i128(r.paid);
                        t.recognised_profit += cents_i128(r.recognised_profit);
                        t.deferred_profit += cents_i128(r.deferred_profit);
                        t.late_charges += cents_i128(r.tawidh) + cents_i128(r.gharamah);
                    }
                    Err(_) => t.errors += 1,
                }
            }
            t
        })
        .collect();
    ensure(&expected == totals, || "not the rules' totals".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::cents_i128;

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
            crate::lab::api::pool(threads).install(|| {
                assert_eq!(spawn_per_batch(&input), expected);
                assert_eq!(pooled(&input), expected);
                let per_task = a_thread(&input);
                assert_eq!(per_task, input.contracts.len().div_ceil(threads));
                let one_a_thread = month_end_on_one_thread(&input, per_task);
                assert_eq!(spawned(&input, per_task), one_a_thread);
                assert_eq!(in_the_pool(&input, per_task), one_a_thread);
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
