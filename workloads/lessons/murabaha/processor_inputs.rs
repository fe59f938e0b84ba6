//! What two or more of murabaha's processor lessons share (memory access,
//! data structures): a portfolio's instalment schedules in integer cents
//! and day numbers, and its payments in the order they arrived. A file of
//! its own beside `inputs.rs`, so that the lessons written before these
//! keep the sources their evidence was made from.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::lab::api::Scale;
use crate::murabaha::generate as murabaha_generate;

/// One instalment of a contract's schedule: 16 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    /// Its due day, in days since 0001-01-01.
    pub due: u32,
    /// The day of the payment that completed it; 0 while it is owed.
    pub covered: u32,
    /// What is still owed on it, in cents.
    pub owed: i64,
}

/// One payment received: 16 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// The contract it pays, by its place in the portfolio.
    pub contract: u32,
    /// The day it arrived, in days since 0001-01-01.
    pub day: u32,
    /// How much, in cents.
    pub cents: i64,
}

/// A portfolio's schedules and the payments it received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Book {
    /// Where each contract's instalments begin in `schedule`, and a last
    /// entry where the last contract's end: one more than the contracts.
    pub starts: Vec<u32>,
    /// Every contract's instalments in due order, contract after contract.
    pub schedule: Vec<Instalment>,
    /// The payments in the order they arrived: by day, the contracts of a
    /// day in the order the portfolio lists them.
    pub postings: Vec<Posting>,
}

impl Book {
    /// How many contracts the portfolio has.
    pub fn contracts(&self) -> usize {
        self.starts.len() - 1
    }

    /// Contract `contract`'s instalments.
    pub fn instalments(&self, contract: usize) -> &[Instalment] {
        &self.schedule[self.starts[contract] as usize..self.starts[contract + 1] as usize]
    }

    /// The schedule as a table of pairs, in key order: ((contract, due
    /// day), what is owed in cents), contract after contract, each in due
    /// order.
    pub fn pairs(&self) -> impl Iterator<Item = ((u32, u32), i64)> + '_ {
        (0..self.contracts()).flat_map(move |contract| {
            (self.instalments(contract).iter())
                .map(move |instalment| ((contract as u32, instalment.due), instalment.owed))
        })
    }
}

/// The book after its payments: every instalment with what is still
/// owed and the day it was covered, and each contract's payments beyond
/// its schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    /// The schedule after the payments, as [`Book::schedule`].
    pub schedule: Vec<Instalment>,
    /// What each contract paid beyond its last instalment, in cents.
    pub credit: Vec<i64>,
}

impl Posted {
    /// The book before any payment: its schedule as it stands, no credit.
    pub fn unpaid(book: &Book) -> Posted {
        Posted {
            schedule: book.schedule.clone(),
            credit: vec![0; book.contracts()],
        }
    }
}

// ANCHOR: post
/// Applies one payment to its contract's instalments in due order: the
/// earliest still owed first, each one completed covered on the payment's
/// day; what is left after the last one is the contract's credit.
pub fn post(starts: &[u32], posted: &mut Posted, posting: &Posting) {
    let contract = posting.contract as usize;
    let (start, end) = (starts[contract] as usize, starts[contract + 1] as usize);
    let instalments = &mut posted.schedule[start..end];
    let mut amount = posting.cents;
    for instalment in instalments.iter_mut().filter(|i| i.owed > 0) {
        let paid = amount.min(instalment.owed);
        instalment.owed -= paid;
        amount -= paid;
        if instalment.owed == 0 {
            instalment.covered = posting.day;
        }
        if amount == 0 {
            return;
        }
    }
    posted.credit[contract] += amount;
}
// ANCHOR_END: post

/// A day as the book keeps it: days since 0001-01-01.
pub fn day(date: crate::date::CivilDate) -> u32 {
    u32::try_from(date.day_number()).expect("a day after 0001-01-01")
}

/// Cents of a whole-cent amount.
pub fn cents(amount: Decimal) -> i64 {
    let cents = amount * Decimal::ONE_HUNDRED;
    assert!(cents.fract().is_zero(), "{amount} is in whole cents");
    rust_decimal::prelude::ToPrimitive::to_i64(&cents).expect("cents fit an i64")
}

/// A generated portfolio of `contracts` contracts: each one's instalments
/// from the reference rules' amounts and due dates, and its payments.
pub fn book(contracts: usize, seed: u64) -> Book {
    let mut book = Book {
        starts: vec![0],
        schedule: Vec::new(),
        postings: Vec::new(),
    };
    for (idx, contract) in murabaha_generate::contracts(contracts, seed).enumerate() {
        let amounts = crate::murabaha::rules::amounts(&contract).expect("generated amounts");
        let days = crate::murabaha::rules::due_dates(contract.first_due, contract.term_months)
            .expect("generated due dates");
        book.schedule.extend(
            days.into_iter()
                .zip(amounts)
                .map(|(date, amount)| Instalment {
                    due: day(date),
                    covered: 0,
                    owed: cents(amount),
                }),
        );
        book.starts
            .push(u32::try_from(book.schedule.len()).expect("fewer than 2^32 instalments"));
        book.postings
            .extend(contract.payments.iter().map(|payment| Posting {
                contract: idx as u32,
                day: day(payment.date),
                cents: cents(payment.amount),
            }));
    }
    // The order they arrived in: by day, stable.
    book.postings.sort_by_key(|posting| posting.day);
    book
}

/// Contracts at each scale for the memory-access lesson: its schedules
/// (16 bytes an instalment, over a hundred a contract) past the
/// second-level cache (1 MiB a core here) from the small scale up, past
/// the last level (32 MiB) at the bank's. (The default is smaller than the
/// other murabaha lessons' 20,000, so that its pairs of forms fit its
/// share of the default run's budget.)
pub fn book_contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 1_000,
        Scale::Default => 3_000,
        Scale::Bank => 200_000,
    }
}

/// Up to 30 contracts of none to 40 instalments (one a due day), amounts
/// to a billion cents (zero among them), and up to 300 payments to them of any size
/// from one cent, on any day of a span that starts before the first due
/// day and ends after the last, in day order.
pub fn arbitrary_book() -> BoxedStrategy<Book> {
    let instalment = (730_000u32..731_500, 0i64..1_000_000_000);
    let contract = proptest::collection::vec(instalment, 0..40);
    proptest::collection::vec(contract, 1..30)
        .prop_flat_map(|contracts| {
            let n = contracts.len() as u32;
            let posting = (0..n, 729_900u32..731_700, 1i64..2_000_000_000);
            (Just(contracts), proptest::collection::vec(posting, 0..300))
        })
        .prop_map(|(contracts, postings)| {
            let mut book = Book {
                starts: vec![0],
                schedule: Vec::new(),
                postings: Vec::new(),
            };
            for mut instalments in contracts {
                // One instalment a due day, in due order.
                instalments.sort_unstable();
                instalments.dedup_by_key(|(due, _)| *due);
                book.schedule
                    .extend(instalments.into_iter().map(|(due, owed)| Instalment {
                        due,
                        covered: 0,
                        owed,
                    }));
                book.starts.push(book.schedule.len() as u32);
            }
            book.postings = postings
                .into_iter()
                .map(|(contract, day, cents)| Posting {
                    contract,
                    day,
                    cents,
                })
                .collect();
            book.postings.sort_by_key(|posting| posting.day);
            book
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_book_has_schedules_in_due_order_and_payments_in_day_order() {
        let book = book(50, 3);
        assert_eq!(book.contracts(), 50);
        assert_eq!(*book.starts.last().unwrap() as usize, book.schedule.len());
        for contract in 0..book.contracts() {
            let instalments = book.instalments(contract);
            assert!(!instalments.is_empty());
            assert!(instalments.windows(2).all(|w| w[0].due < w[1].due));
            assert!(instalments.iter().all(|i| i.owed > 0 && i.covered == 0));
        }
        assert!(book.postings.windows(2).all(|w| w[0].day <= w[1].day));
        assert!(book.postings.iter().all(|p| (p.contract as usize) < 50));
        // Payments to many contracts on nearby days: not contract by
        // contract.
        let first = book.postings[0].contract;
        assert!(book.postings[..20].iter().any(|p| p.contract != first));
    }
}
