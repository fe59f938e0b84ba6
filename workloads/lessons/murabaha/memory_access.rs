//! `murabaha/memory-access`: a day's worth of payments posted to the
//! portfolio's schedules, in the order they arrived against grouped by
//! contract first. Each payment is applied to its contract's instalments
//! in due order ([`post`]: the earliest still owed first), so a payment
//! reads its contract's schedule from the start.
//!
//! - naive: the payments in the order they arrived (by day), each one to
//!   a contract somewhere in the schedules: the processor fetches that
//!   contract's instalments from wherever the caches last left them;
//! - `stable-sort`: the payments first sorted by contract with the
//!   standard library's stable sort (`sort_by_key`), then posted;
//! - optimized: the payments grouped by contract with a counting sort (a
//!   count a contract, their running totals, one pass that places each
//!   payment), then posted.
//!
//! Every form posts with the same [`post`] into the same schedules; a
//! contract's payments keep their order (both sorts are stable), so every
//! instalment is covered by the same payment on the same day. The sort is
//! inside the timed form: grouping must pay for itself. The contrast
//! ([`in_cache`]) is a portfolio whose schedules fit in the second-level
//! cache, where the arrival order costs little to fetch.

use proptest::prelude::*;

use super::processor_inputs::{
    Book, Posted, Posting, arbitrary_book, book, book_contracts_at, post,
};
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Book, Posted> = LessonDef {
    id: "murabaha/memory-access",
    why: "Payments arrive by day, each to a contract somewhere in the portfolio, and \
          posting one reads its contract's instalments from the start (the ones already \
          paid among them) to the first still owed. In the order they arrived, two \
          payments to one contract are far apart, and each finds its contract's \
          instalments wherever the caches last left them: the schedules are larger than \
          the second-level cache. Grouped by contract first, a contract's payments come \
          one after another and its instalments are still in the first-level cache for \
          every one after the first; the grouping is timed inside the form and must pay \
          for itself. Under callgrind's cache model (a first level and a last, no \
          second) the first-level misses came to {d1_misses}; the \
          instructions, {instructions}. {?speedup|gain Grouping by contract with a counting sort \
          measured {speedup}.|same In time the two are within the noise \
          ({speedup}).|loss Grouping by contract with a counting sort measured \
          {speedup}: the sort cost more than the fetches it saved.} The standard \
          library's stable sort, which compares where the counting sort counts: \
          {?over_naive:stable-sort|gain against the arrival order it measured \
          {over_naive:stable-sort}.|same against the arrival order, no measurable \
          difference ({over_naive:stable-sort}).|loss against the arrival order it \
          measured {over_naive:stable-sort}.} The contrast is a \
          portfolio whose schedules fit in the second-level cache: {?contrast.speedup|gain \
          there grouping still measured {contrast.speedup}.|same there the two are \
          within the noise ({contrast.speedup}).|loss there the schedules stay in the \
          caches whatever the order, and the sort is a cost of its own \
          ({contrast.speedup}).}",
    build,
    elements: |input| input.postings.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: Some(reference),
    arbitrary,
    invariant: Some(every_payment_applied),
    allocators: None,
    variants: &[Variant::new("stable-sort", stable_sort)],
    scaling: false,
    contrast: Some(Contrast {
        name: "schedules in the second-level cache",
        scale: Scale::Tiny,
        input: ContrastInput::Build(in_cache),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every payment reads its contract's instalments, and in the order they \
         arrived two payments to one contract are far apart. Put a contract's payments \
         together first (keeping their order), in a pass that costs less than the \
         fetches it saves; post with `post` as the naive form does.",
        compares: "every instalment's amount owed and the day it was covered, and each \
         contract's credit, as printed",
        keep: &[],
        may_call: &["mizan::lessons::murabaha::processor_inputs::post"],
        constraint: None,
    }),
};

fn build(scale: Scale, seed: u64) -> Book {
    book(book_contracts_at(scale), seed)
}

/// The contrast's input: 20 contracts, whose schedules (about 38 kB,
/// and as much again for the copy the forms post into) fit in the
/// second-level cache (1 MiB a core), not in the first (32 KiB a core).
fn in_cache(_scale: Scale, seed: u64) -> Book {
    book(20, seed)
}

fn arbitrary() -> BoxedStrategy<Book> {
    arbitrary_book()
}

// ANCHOR: naive
/// The payments posted in the order they arrived.
pub fn naive(input: &Book) -> Posted {
    let mut posted = Posted::unpaid(input);
    for posting in &input.postings {
        post(&input.starts, &mut posted, posting);
    }
    posted
}
// ANCHOR_END: naive

// ANCHOR: stable_sort
/// The payments sorted by contract with the standard library's stable
/// sort, then posted.
pub fn stable_sort(input: &Book) -> Posted {
    let mut postings = input.postings.clone();
    postings.sort_by_key(|posting| posting.contract);
    let mut posted = Posted::unpaid(input);
    for posting in &postings {
        post(&input.starts, &mut posted, posting);
    }
    posted
}
// ANCHOR_END: stable_sort

// ANCHOR: optimized
/// The payments grouped by contract with a counting sort (stable: a
/// contract's payments keep their order), then posted.
pub fn optimized(input: &Book) -> Posted {
    // Where each contract's payments begin in the grouped list: the
    // running total of the counts of the contracts before it.
    let mut next = vec![0u32; input.contracts() + 1];
    for posting in &input.postings {
        next[posting.contract as usize + 1] += 1;
    }
    for contract in 1..next.len() {
        next[contract] += next[contract - 1];
    }
    let mut grouped = vec![Posting::default(); input.postings.len()];
    for posting in &input.postings {
        let at = &mut next[posting.contract as usize];
        grouped[*at as usize] = *posting;
        *at += 1;
    }
    let mut posted = Posted::unpaid(input);
    for posting in &grouped {
        post(&input.starts, &mut posted, posting);
    }
    posted
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: the schedules copied and the payments read once,
/// in order, with no search (what every form must at least move).
fn limit(input: &Book) -> u64 {
    let mut posted = Posted::unpaid(input);
    for posting in &input.postings {
        posted.credit[posting.contract as usize] += posting.cents;
    }
    std::hint::black_box(&posted);
    posted.schedule.len() as u64
}
// ANCHOR_END: limit

/// The independent reference: each contract's payments gathered into a
/// list of its own, then applied to a copy of its instalments, one
/// contract at a time.
fn reference(input: &Book) -> Posted {
    let mut payments: Vec<Vec<&Posting>> = vec![Vec::new(); input.contracts()];
    for posting in &input.postings {
        payments[posting.contract as usize].push(posting);
    }
    let mut schedule = Vec::with_capacity(input.schedule.len());
    let mut credit = Vec::with_capacity(input.contracts());
    for (contract, payments) in payments.iter().enumerate() {
        let mut instalments = input.instalments(contract).to_vec();
        let mut left_over = 0;
        for posting in payments {
            let mut amount = posting.cents;
            for instalment in &mut instalments {
                if amount > 0 && instalment.owed > 0 {
                    let paid = amount.min(instalment.owed);
                    instalment.owed -= paid;
                    amount -= paid;
                    if instalment.owed == 0 {
                        instalment.covered = posting.day;
                    }
                }
            }
            left_over += amount;
        }
        schedule.extend(instalments);
        credit.push(left_over);
    }
    Posted { schedule, credit }
}

/// The invariant: nothing is lost (what was owed less what is owed, plus
/// the credit, is what was paid, contract by contract), an instalment is
/// covered exactly when nothing is owed on it, and never paid before an
/// earlier one.
fn every_payment_applied(input: &Book, posted: &Posted) -> Result<(), String> {
    ensure(posted.schedule.len() == input.schedule.len(), || {
        "instalments lost or added".to_owned()
    })?;
    let mut paid = vec![0i64; input.contracts()];
    for posting in &input.postings {
        paid[posting.contract as usize] += posting.cents;
    }
    for (contract, &paid) in paid.iter().enumerate() {
        let range = input.starts[contract] as usize..input.starts[contract + 1] as usize;
        let (before, after) = (&input.schedule[range.clone()], &posted.schedule[range]);
        let applied: i64 = before.iter().zip(after).map(|(b, a)| b.owed - a.owed).sum();
        ensure(applied + posted.credit[contract] == paid, || {
            format!(
                "contract {contract}: {applied} applied and {} credit, {paid} paid",
                posted.credit[contract]
            )
        })?;
        let first_owed = after.iter().position(|i| i.owed > 0);
        for (at, (b, a)) in before.iter().zip(after).enumerate() {
            ensure(b.owed == 0 || (a.covered != 0) == (a.owed == 0), || {
                format!("contract {contract}, instalment {at}: covered and owed disagree")
            })?;
            ensure(
                first_owed.is_none_or(|f| at <= f || a.owed == b.owed),
                || format!("contract {contract}, instalment {at}: paid before an earlier one"),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::processor_inputs::Instalment;
    use super::*;

    fn owed(due: u32, owed: i64) -> Instalment {
        Instalment {
            due,
            covered: 0,
            owed,
        }
    }

    #[test]
    fn payments_cover_the_earliest_instalments_first_and_the_rest_is_credit() {
        let book = Book {
            starts: vec![0, 2, 3],
            schedule: vec![owed(100, 500), owed(130, 500), owed(100, 70)],
            postings: vec![
                Posting {
                    contract: 0,
                    day: 98,
                    cents: 300,
                },
                Posting {
                    contract: 1,
                    day: 99,
                    cents: 100,
                },
                Posting {
                    contract: 0,
                    day: 101,
                    cents: 300,
                },
                Posting {
                    contract: 0,
                    day: 140,
                    cents: 450,
                },
            ],
        };
        let expected = Posted {
            schedule: vec![
                Instalment {
                    due: 100,
                    covered: 101,
                    owed: 0,
                },
                Instalment {
                    due: 130,
                    covered: 140,
                    owed: 0,
                },
                Instalment {
                    due: 100,
                    covered: 99,
                    owed: 0,
                },
            ],
            credit: vec![50, 30],
        };
        for form in [naive, stable_sort, optimized, reference] {
            assert_eq!(form(&book), expected);
        }
        assert_eq!(every_payment_applied(&book, &expected), Ok(()));
    }

    #[test]
    fn the_contrast_fits_in_the_second_level_cache_and_the_lesson_does_not() {
        let small = in_cache(Scale::Tiny, 1);
        let bytes = |book: &Book| book.schedule.len() * std::mem::size_of::<Instalment>();
        // Twice: the schedules and the copy the forms post into.
        assert!(2 * bytes(&small) < 256 << 10, "{}", bytes(&small));
        assert_eq!(naive(&small), optimized(&small));
        // The lesson's own: past the second level (1 MiB) at the smallest
        // scale that the default run may fall back to.
        let lesson = build(Scale::Small, 1);
        assert!(bytes(&lesson) > 1 << 20, "{}", bytes(&lesson));
    }
}
