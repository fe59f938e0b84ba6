//! `murabaha/data-structures`: for every payment a portfolio received,
//! what its contract had fallen due by the payment's day (the sum of its
//! instalments due on or before it: what the payment is measured against
//! to find arrears). The instalments are found by contract and due date,
//! from an index each form builds from the schedule table, which hands
//! them over in key order (contract after contract, each in due order):
//!
//! - naive: a `BTreeMap` from (contract, due day) to the amount, each
//!   question a range over the contract's days up to the payment's;
//! - optimized: a sorted `Vec` of the same pairs, each question two
//!   binary searches (`partition_point`) and the sum of the slice between;
//! - `hash-map`: std's `HashMap` from the contract to its instalments in
//!   due order, each question one look-up and the instalments up to the
//!   day;
//! - `dense-array`: the contracts' instalments in one vector and a vector
//!   indexed by the contract number giving where each contract's begin
//!   (the numbers are dense: a place in the portfolio), each question
//!   two indexings and the instalments up to the day.
//!
//! The contrast ([`GROWING`]) answers as the book grows: day by day, the
//! instalments falling due that day are added, then that day's payments
//! asked about (the same answers: by a payment's day, every instalment
//! due on or before it is in). The pairs then come in due-day order, not
//! key order, and a sorted `Vec` must move every later pair at each
//! insert.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::processor_inputs::{Book, arbitrary_book, book};
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Book, Vec<i64>> = LessonDef {
    id: "murabaha/data-structures",
    why: "Each payment asks what its contract had fallen due by the payment's day: the \
          instalments of one contract up to a day, found by contract and due date. A \
          BTreeMap keeps the pairs in nodes of up to eleven keys, each searched in \
          order: a question compares its way down from the root to the first pair of the \
          range and along it, moving between nodes through their pointers. A sorted Vec \
          keeps the same pairs in one block: a question is two binary searches and the \
          sum of the contiguous slice between them. Instructions, mispredicted branches \
          and first-level misses, a payment a record: {instructions}; {mispredicted}; \
          {d1_misses}. {?speedup|gain The sorted Vec measured {speedup}.|same In time the \
          two are within the noise ({speedup}).|loss The sorted Vec measured \
          {speedup}.} Two further forms find the contract first and then walk its few \
          instalments. A HashMap (std's, SipHash) from the contract to its instalments: \
          {?over_naive:hash-map|gain against the BTreeMap it measured \
          {over_naive:hash-map}.|same against the BTreeMap, no measurable difference \
          ({over_naive:hash-map}).|loss against the BTreeMap it measured \
          {over_naive:hash-map}.} An array indexed by the contract number, whose numbers \
          are dense: {?over_naive:dense-array|gain against the BTreeMap it measured \
          {over_naive:dense-array}.|same against the BTreeMap, no measurable difference \
          ({over_naive:dense-array}).|loss against the BTreeMap it measured \
          {over_naive:dense-array}.} The contrast answers as \
          the book grows, day by day, so the pairs come in due-day order, not the key's, \
          and each insert lands among the others: {?contrast.speedup|gain there the \
          sorted Vec still measured {contrast.speedup}.|same there the two are within \
          the noise ({contrast.speedup}).|loss there the sorted Vec, which moves every \
          later pair at each insert, measured {contrast.speedup}.}",
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
    invariant: Some(what_had_fallen_due),
    allocators: None,
    variants: &[
        Variant::new("hash-map", hash_map),
        Variant::new("dense-array", dense_array),
    ],
    scaling: false,
    contrast: Some(Contrast {
        name: "answered as the book grows",
        scale: Scale::Tiny,
        input: ContrastInput::Stage(&GROWING),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The index is built once, from pairs that arrive in key order, and asked \
         about once a payment. Which structure answers a range of one contract's days \
         with the fewest trips to memory?",
        compares: "what each payment's contract had fallen due by its day, in cents, in \
         order, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// Contracts at each scale: a branch's book at the default scale, whose
/// index (16 bytes a pair, over a hundred pairs a contract) is about the
/// size of the second-level cache (1 MiB here).
fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 20,
        Scale::Small => 100,
        Scale::Default => 500,
        Scale::Bank => 20_000,
    }
}

fn build(scale: Scale, seed: u64) -> Book {
    book(contracts_at(scale), seed)
}

fn arbitrary() -> BoxedStrategy<Book> {
    arbitrary_book()
}

// ANCHOR: naive
/// What each payment's contract had fallen due by its day, from a
/// `BTreeMap` of (contract, due day).
pub fn naive(input: &Book) -> Vec<i64> {
    let dues: BTreeMap<(u32, u32), i64> = input.pairs().collect();
    (input.postings.iter())
        .map(|payment| {
            let due_by = (payment.contract, 0)..=(payment.contract, payment.day);
            dues.range(due_by).map(|(_, cents)| cents).sum()
        })
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The same from a sorted `Vec` of the pairs: two binary searches a
/// question and the sum of the slice between.
pub fn optimized(input: &Book) -> Vec<i64> {
    let mut dues: Vec<((u32, u32), i64)> = input.pairs().collect();
    dues.sort_unstable_by_key(|&(key, _)| key);
    (input.postings.iter())
        .map(|payment| {
            let from = dues.partition_point(|&(key, _)| key < (payment.contract, 0));
            let to = dues.partition_point(|&(key, _)| key <= (payment.contract, payment.day));
            dues[from..to].iter().map(|(_, cents)| cents).sum()
        })
        .collect()
}
// ANCHOR_END: optimized

// ANCHOR: hash_map
/// The same from std's `HashMap` of each contract's instalments, in due
/// order.
pub fn hash_map(input: &Book) -> Vec<i64> {
    let mut dues: HashMap<u32, Vec<(u32, i64)>> = HashMap::new();
    for ((contract, day), cents) in input.pairs() {
        dues.entry(contract).or_default().push((day, cents));
    }
    (input.postings.iter())
        .map(|payment| {
            dues.get(&payment.contract).map_or(0, |instalments| {
                (instalments.iter())
                    .take_while(|&&(day, _)| day <= payment.day)
                    .map(|(_, cents)| cents)
                    .sum()
            })
        })
        .collect()
}
// ANCHOR_END: hash_map

// ANCHOR: dense_array
/// The same from one vector of every contract's instalments and an array
/// indexed by the contract number giving where each one's begin.
pub fn dense_array(input: &Book) -> Vec<i64> {
    let mut starts = vec![0u32; input.contracts() + 1];
    let mut dues: Vec<(u32, i64)> = Vec::new();
    for ((contract, day), cents) in input.pairs() {
        dues.push((day, cents));
        starts[contract as usize + 1] = dues.len() as u32;
    }
    // A contract with no instalment begins and ends where the one before
    // it ended.
    for contract in 1..starts.len() {
        starts[contract] = starts[contract].max(starts[contract - 1]);
    }
    (input.postings.iter())
        .map(|payment| {
            let contract = payment.contract as usize;
            (dues[starts[contract] as usize..starts[contract + 1] as usize].iter())
                .take_while(|&&(day, _)| day <= payment.day)
                .map(|(_, cents)| cents)
                .sum()
        })
        .collect()
}
// ANCHOR_END: dense_array

// ANCHOR: limit
/// The speed of light: the pairs and the payments each read once, in
/// order, one addition each, no index.
fn limit(input: &Book) -> u64 {
    let total: i64 = input.pairs().map(|(_, cents)| cents).sum();
    let answers: Vec<i64> = (input.postings.iter())
        .map(|payment| total ^ i64::from(payment.day))
        .collect();
    std::hint::black_box(&answers);
    answers.len() as u64
}
// ANCHOR_END: limit

/// The independent reference: each payment's contract's instalments read
/// from the schedule itself.
fn reference(input: &Book) -> Vec<i64> {
    (input.postings.iter())
        .map(|payment| {
            (input.instalments(payment.contract as usize).iter())
                .filter(|instalment| instalment.due <= payment.day)
                .map(|instalment| instalment.owed)
                .sum()
        })
        .collect()
}

/// The contrast: the same answers as the book grows.
pub const GROWING: LessonDef<Book, Vec<i64>> = LessonDef {
    id: "murabaha/data-structures",
    why: "",
    build: growing_book,
    elements: |input| input.postings.len() as u64,
    naive: growing_btree,
    optimized: growing_sorted_vec,
    prepare: Prepare::NONE,
    limit: None,
    reference: Some(reference),
    arbitrary,
    invariant: Some(what_had_fallen_due),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

fn growing_book(scale: Scale, seed: u64) -> Book {
    build(scale, seed)
}

/// A pair to insert (`Ok`) or the place of a payment to answer (`Err`).
type Event = Result<((u32, u32), i64), usize>;

/// The pairs in the order they fall due (by day, the contracts of a day in
/// order), and the payments, merged: each payment after every pair due
/// on or before its day. `Ok` is a pair to insert, `Err` a payment's
/// place to answer.
fn as_the_book_grows(input: &Book) -> Vec<Event> {
    let mut falling_due: Vec<((u32, u32), i64)> = input.pairs().collect();
    falling_due.sort_by_key(|&((_, day), _)| day);
    let mut events = Vec::with_capacity(falling_due.len() + input.postings.len());
    let mut due = falling_due.into_iter().peekable();
    for (at, payment) in input.postings.iter().enumerate() {
        while let Some(pair) = due.next_if(|&((_, day), _)| day <= payment.day) {
            events.push(Ok(pair));
        }
        events.push(Err(at));
    }
    events.extend(due.map(Ok));
    events
}

// ANCHOR: growing_btree
/// Day by day, the pairs falling due inserted into a `BTreeMap` and the
/// payments asked about.
pub fn growing_btree(input: &Book) -> Vec<i64> {
    let mut dues: BTreeMap<(u32, u32), i64> = BTreeMap::new();
    let mut answers = vec![0; input.postings.len()];
    for event in as_the_book_grows(input) {
        match event {
            Ok((key, cents)) => {
                dues.insert(key, cents);
            }
            Err(at) => {
                let payment = &input.postings[at];
                let due_by = (payment.contract, 0)..=(payment.contract, payment.day);
                answers[at] = dues.range(due_by).map(|(_, cents)| cents).sum();
            }
        }
    }
    answers
}
// ANCHOR_END: growing_btree

// ANCHOR: growing_sorted_vec
/// The same into a sorted `Vec`: each pair inserted at its place, which
/// moves every later pair.
pub fn growing_sorted_vec(input: &Book) -> Vec<i64> {
    let mut dues: Vec<((u32, u32), i64)> = Vec::new();
    let mut answers = vec![0; input.postings.len()];
    for event in as_the_book_grows(input) {
        match event {
            Ok((key, cents)) => {
                let at = dues.partition_point(|&(k, _)| k < key);
                dues.insert(at, (key, cents));
            }
            Err(at) => {
                let payment = &input.postings[at];
                let from = dues.partition_point(|&(key, _)| key < (payment.contract, 0));
                let to = dues.partition_point(|&(key, _)| key <= (payment.contract, payment.day));
                answers[at] = dues[from..to].iter().map(|(_, cents)| cents).sum();
            }
        }
    }
    answers
}
// ANCHOR_END: growing_sorted_vec

/// The invariant: one answer a payment, each the sum of its contract's
/// instalments due by its day, read from the schedule itself.
// The lab's invariants take the output as the forms return it.
#[allow(clippy::ptr_arg)]
fn what_had_fallen_due(input: &Book, answers: &Vec<i64>) -> Result<(), String> {
    ensure(answers.len() == input.postings.len(), || {
        format!(
            "{} answers to {} payments",
            answers.len(),
            input.postings.len()
        )
    })?;
    for (payment, answer) in input.postings.iter().zip(answers) {
        let instalments = input.instalments(payment.contract as usize);
        let due: i64 = (instalments.iter())
            .filter(|i| i.due <= payment.day)
            .map(|i| i.owed)
            .sum();
        ensure(due == *answer, || {
            format!(
                "contract {} on day {}: {answer}, not {due}",
                payment.contract, payment.day
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::processor_inputs::{Instalment, Posting};
    use super::*;

    #[test]
    fn what_each_contract_had_fallen_due_by_each_payment_day() {
        let instalment = |due, owed| Instalment {
            due,
            covered: 0,
            owed,
        };
        let payment = |contract, day| Posting {
            contract,
            day,
            cents: 1,
        };
        // Contract 1 has no instalment.
        let input = Book {
            starts: vec![0, 2, 2, 3],
            schedule: vec![
                instalment(100, 500),
                instalment(130, 250),
                instalment(90, 7),
            ],
            postings: vec![
                payment(0, 99),
                payment(2, 99),
                payment(0, 100),
                payment(1, 120),
                payment(0, 131),
                payment(2, 200),
            ],
        };
        let expected = vec![0, 7, 500, 0, 750, 7];
        for form in [
            naive,
            optimized,
            hash_map,
            dense_array,
            reference,
            growing_btree,
            growing_sorted_vec,
        ] {
            assert_eq!(form(&input), expected);
        }
        assert_eq!(what_had_fallen_due(&input, &expected), Ok(()));
    }

    #[test]
    fn the_book_grows_in_due_day_order_and_every_payment_comes_after_its_dues() {
        let input = build(Scale::Tiny, 1);
        let events = as_the_book_grows(&input);
        let pairs = events.iter().filter(|e| e.is_ok()).count();
        assert_eq!(pairs, input.schedule.len());
        let mut inserted = 0;
        for event in &events {
            match event {
                Ok(_) => inserted += 1,
                Err(at) => {
                    let day = input.postings[*at].day;
                    let due = input.schedule.iter().filter(|i| i.due <= day).count();
                    assert!(inserted >= due, "payment {at}: {inserted} of {due} in");
                }
            }
        }
        assert_eq!(growing_sorted_vec(&input), optimized(&input));
    }
}
