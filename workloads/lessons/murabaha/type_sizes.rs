//! `murabaha/type-sizes`: the portfolio's arrears at each month-end of a
//! year (at each, the instalments due by then and not covered by then:
//! their number, their total and how many of them were restructured),
//! twelve passes over every instalment of the book, each pass reading the
//! same few fields of every element. The forms differ in the element
//! alone, one change a rung, each kept in the portfolio in its own type
//! (made before the clock starts, as a program that kept its book in that
//! type would have it):
//!
//! - naive: [`Wide`], the domain's own types: the contract's reference as
//!   a `String`, the amount as a `Decimal`, the days as `CivilDate`s, and
//!   the instalment's status an enum whose rare variant (a restructuring,
//!   with its reasons) is held inline;
//! - `fields-narrowed`: [`Narrowed`], the amount in `i64` cents and the days
//!   as `u32` day numbers;
//! - `variant-boxed`: [`Boxed`], the rare variant behind a `Box`, so the
//!   status is one pointer;
//! - optimized: [`Compact`], the contract as its `u32` place in the
//!   portfolio instead of its reference.
//!
//! The contrast ([`READ_ONCE`]) is a book that arrives in the wide type and
//! is read once, for one month-end: making the element small first is a
//! pass of its own.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::processor_inputs::day as day_number;
use super::processor_inputs::{Book, Posted, arbitrary_book, book, cents, post};
use crate::date::CivilDate;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Portfolio, Vec<Arrears>> = LessonDef {
    id: "murabaha/type-sizes",
    why: "The arrears at each month-end of a year read the same few fields of every \
          instalment of the book, twelve times over. A pass brings in every cache line \
          that holds a field it reads, and the elements lie one after another, so the \
          larger the element, the more lines a pass brings in for the same fields: an \
          element that carries its contract's reference as a String, its amount as a \
          Decimal and a rare restructuring inline is mostly bytes the pass does not need, \
          and at the default scale a book of them is larger than the last-level cache \
          where a book of small ones is not. The rungs make it smaller one change at a time; the table of sizes \
          in the chapter gives each. First-level misses an instalment, naive → \
          optimized: {d1_misses}; instructions: {instructions}. {?speedup|gain The \
          smallest element measured {speedup}.|same In time the widest and the smallest \
          are within the noise ({speedup}).|loss The smallest element measured \
          {speedup}.} Each rung against the one before: narrowing the fields to cents and \
          day numbers (a rung that also changes the arithmetic; the instructions show how \
          much), {over_before:fields-narrowed}; boxing the rare variant, \
          {over_before:variant-boxed}; the contract's place for its reference, \
          {over_before:optimized}. The contrast is a book that arrives wide and is read \
          once, for one month-end, so that making the element small is work of its own \
          (its instructions an instalment, naive → optimized: {contrast.instructions}): \
          {?contrast.speedup|gain there making it small first still measured \
          {contrast.speedup}.|same there the two are within the noise \
          ({contrast.speedup}).|loss there making it small first measured \
          {contrast.speedup}: each reference looked up in a map, each date made a day \
          number, each amount cents and each restructuring copied into a box, for one \
          pass.}",
    build,
    elements: |input| input.wide.len() as u64,
    naive,
    optimized,
    prepare: Prepare {
        naive: None,
        optimized: Some(with_compact),
    },
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(the_arrears_of_the_schedule),
    allocators: None,
    variants: &[
        Variant {
            name: "fields-narrowed",
            run: fields_narrowed,
            prepare: Some(with_narrowed),
        },
        Variant {
            name: "variant-boxed",
            run: variant_boxed,
            prepare: Some(with_boxed),
        },
    ],
    scaling: false,
    contrast: Some(Contrast {
        name: "read once",
        scale: Scale::Default,
        input: ContrastInput::Stage(&READ_ONCE),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The attempt runs, as the optimized form does, on the portfolio with its \
         compact book made (`input.compact`, 32 bytes an instalment, before the clock \
         starts); the starting point reads the wide one. Which fields does a month-end \
         need, and in what type?",
        compares: "each month-end's arrears: the instalments overdue, their total in \
         cents and how many were restructured, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// A restructuring agreed for an instalment: rare, and large.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restructuring {
    /// Why, as the credit committee wrote it.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The amount agreed in place of the instalment's, for the record (the
    /// arrears count what is owed).
    pub agreed_amount: Decimal,
    /// The day it was agreed.
    pub agreed_on: CivilDate,
}

/// An instalment's status, with its rare variant inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// As the contract scheduled it.
    Scheduled,
    /// Restructured.
    Restructured(Restructuring),
}

/// An instalment in the domain's own types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wide {
    /// The contract's reference.
    pub contract: String,
    /// Its due date.
    pub due: CivilDate,
    /// What is owed on it.
    pub owed: Decimal,
    /// The day it was covered, if it was.
    pub covered: Option<CivilDate>,
    /// Its status.
    pub status: Status,
}

/// The same with the amount in cents and the days as day numbers (0: not
/// covered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrowed {
    /// The contract's reference.
    pub contract: String,
    /// Its due day, in days since 0001-01-01.
    pub due: u32,
    /// The day it was covered; 0 while it is not.
    pub covered: u32,
    /// What is owed on it, in cents.
    pub owed: i64,
    /// Its status.
    pub status: Status,
}

/// An instalment's status, with its rare variant behind a pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoxedStatus {
    /// As the contract scheduled it.
    Scheduled,
    /// Restructured.
    Restructured(Box<Restructuring>),
}

/// The same with the status boxed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boxed {
    /// The contract's reference.
    pub contract: String,
    /// Its due day.
    pub due: u32,
    /// The day it was covered; 0 while it is not.
    pub covered: u32,
    /// What is owed on it, in cents.
    pub owed: i64,
    /// Its status.
    pub status: BoxedStatus,
}

/// The same with the contract as its place in the portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compact {
    /// The contract's place in the portfolio (its reference is
    /// [`Portfolio::references`]`[contract]`).
    pub contract: u32,
    /// Its due day.
    pub due: u32,
    /// The day it was covered; 0 while it is not.
    pub covered: u32,
    /// What is owed on it, in cents.
    pub owed: i64,
    /// Its status.
    pub status: BoxedStatus,
}

/// A portfolio's book, in the type each form keeps it in (each form's own
/// is made before the clock starts; the others are empty), and the
/// month-ends asked about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Portfolio {
    /// The month-ends of the year, in order.
    pub month_ends: Vec<CivilDate>,
    /// The book in the domain's types: the naive form's, and what the
    /// others are made from.
    pub wide: Vec<Wide>,
    /// The contracts' references, by place.
    pub references: Vec<String>,
    /// The fields-narrowed form's book.
    pub narrowed: Vec<Narrowed>,
    /// The variant-boxed form's book.
    pub boxed: Vec<Boxed>,
    /// The optimized form's book.
    pub compact: Vec<Compact>,
}

/// A month-end's arrears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arrears {
    /// The month-end.
    pub month_end: CivilDate,
    /// The instalments due by then and not covered by then.
    pub overdue: u32,
    /// What is owed on them, in cents.
    pub owed_cents: i64,
    /// How many of them were restructured.
    pub restructured: u32,
}

/// Contracts at each scale: at the default, the wide book (over a hundred
/// instalments a contract) is past the last-level cache (32 MiB here) and
/// the compact one inside it.
fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 20,
        Scale::Small => 200,
        Scale::Default => 2_000,
        Scale::Bank => 20_000,
    }
}

fn day_of(day: u32) -> CivilDate {
    CivilDate::from_day_number(i64::from(day)).expect("a day in the calendar's range")
}

/// The wide portfolio of a posted book: every `every`-th instalment (by
/// its place in the book, from the `offset`-th) restructured, and the
/// month-ends of the year in which the book's middle instalment falls due.
fn portfolio_of(book: &Book, every: usize, offset: usize) -> Portfolio {
    let mut posted = Posted::unpaid(book);
    for posting in &book.postings {
        post(&book.starts, &mut posted, posting);
    }
    let references: Vec<String> = (0..book.contracts())
        .map(|contract| format!("MRB-{contract:07}"))
        .collect();
    let mut wide = Vec::with_capacity(book.schedule.len());
    for (contract, reference) in references.iter().enumerate() {
        let range = book.starts[contract] as usize..book.starts[contract + 1] as usize;
        for at in range {
            let instalment = posted.schedule[at];
            let status = if at % every == offset % every {
                Status::Restructured(Restructuring {
                    reason: "hardship: income reduced; tenor extended by committee".to_owned(),
                    approved_by: "Retail credit committee, branch 0042".to_owned(),
                    agreed_amount: Decimal::new(instalment.owed / 2, 2),
                    agreed_on: day_of(instalment.due),
                })
            } else {
                Status::Scheduled
            };
            wide.push(Wide {
                contract: reference.clone(),
                due: day_of(instalment.due),
                owed: Decimal::new(instalment.owed, 2),
                covered: (instalment.covered != 0).then(|| day_of(instalment.covered)),
                status,
            });
        }
    }
    let mut dues: Vec<u32> = book.schedule.iter().map(|i| i.due).collect();
    dues.sort_unstable();
    let year = dues.get(dues.len() / 2).map_or(2026, |&d| day_of(d).year());
    let month_ends = (1..=12)
        .map(|month| {
            let first = CivilDate::new(year, month, 1).expect("a first of the month");
            let next = first.add_months(1).expect("a month later");
            CivilDate::from_day_number(next.day_number() - 1).expect("the day before")
        })
        .collect();
    Portfolio {
        month_ends,
        wide,
        references,
        narrowed: Vec::new(),
        boxed: Vec::new(),
        compact: Vec::new(),
    }
}

fn build(scale: Scale, seed: u64) -> Portfolio {
    portfolio_of(&book(contracts_at(scale), seed), 50, 7)
}

/// A random book (see [`arbitrary_book`]), posted, with every first to
/// seventh instalment restructured.
fn arbitrary() -> BoxedStrategy<Portfolio> {
    (arbitrary_book(), 1usize..8, 0usize..8)
        .prop_map(|(book, every, offset)| portfolio_of(&book, every, offset))
        .boxed()
}

fn narrowed_of(wide: &Wide) -> Narrowed {
    Narrowed {
        contract: wide.contract.clone(),
        due: day_number(wide.due),
        covered: wide.covered.map_or(0, day_number),
        owed: cents(wide.owed),
        status: wide.status.clone(),
    }
}

fn boxed_status(status: &Status) -> BoxedStatus {
    match status {
        Status::Scheduled => BoxedStatus::Scheduled,
        Status::Restructured(r) => BoxedStatus::Restructured(Box::new(r.clone())),
    }
}

/// The fields-narrowed form's preparation: its book made from the wide one.
fn with_narrowed(input: &Portfolio) -> Portfolio {
    Portfolio {
        narrowed: input.wide.iter().map(narrowed_of).collect(),
        ..input.clone_header()
    }
}

/// The variant-boxed form's preparation.
fn with_boxed(input: &Portfolio) -> Portfolio {
    let boxed = (input.wide.iter())
        .map(|wide| {
            let narrowed = narrowed_of(wide);
            Boxed {
                contract: narrowed.contract,
                due: narrowed.due,
                covered: narrowed.covered,
                owed: narrowed.owed,
                status: boxed_status(&wide.status),
            }
        })
        .collect();
    Portfolio {
        boxed,
        ..input.clone_header()
    }
}

/// The optimized form's preparation. The wide book is kept beside the
/// compact one: an exercise's attempt runs on this input, and its starting
/// point (the naive form) reads the wide book.
fn with_compact(input: &Portfolio) -> Portfolio {
    Portfolio {
        compact: compacted(input),
        wide: input.wide.clone(),
        ..input.clone_header()
    }
}

// ANCHOR: compacted
/// The compact book made from the wide one: each reference replaced by its
/// contract's place, found in a map of the references.
fn compacted(input: &Portfolio) -> Vec<Compact> {
    let places: std::collections::HashMap<&str, u32> = (input.references.iter())
        .enumerate()
        .map(|(place, reference)| (reference.as_str(), place as u32))
        .collect();
    (input.wide.iter())
        .map(|wide| Compact {
            contract: places[wide.contract.as_str()],
            due: day_number(wide.due),
            covered: wide.covered.map_or(0, day_number),
            owed: cents(wide.owed),
            status: boxed_status(&wide.status),
        })
        .collect()
}
// ANCHOR_END: compacted

impl Portfolio {
    /// The month-ends and references, with no book.
    fn clone_header(&self) -> Portfolio {
        Portfolio {
            month_ends: self.month_ends.clone(),
            wide: Vec::new(),
            references: self.references.clone(),
            narrowed: Vec::new(),
            boxed: Vec::new(),
            compact: Vec::new(),
        }
    }
}

// ANCHOR: naive
/// Each month-end's arrears, from the book in the domain's types.
pub fn naive(input: &Portfolio) -> Vec<Arrears> {
    wide_arrears(&input.wide, &input.month_ends)
}

/// The arrears of a wide book at each of `month_ends`.
fn wide_arrears(book: &[Wide], month_ends: &[CivilDate]) -> Vec<Arrears> {
    (month_ends.iter())
        .map(|&month_end| {
            let (mut overdue, mut owed, mut restructured) = (0, Decimal::ZERO, 0);
            for instalment in book {
                if instalment.due <= month_end
                    && instalment.covered.is_none_or(|day| day > month_end)
                {
                    overdue += 1;
                    owed += instalment.owed;
                    restructured += u32::from(matches!(instalment.status, Status::Restructured(_)));
                }
            }
            Arrears {
                month_end,
                overdue,
                owed_cents: rust_decimal::prelude::ToPrimitive::to_i64(
                    &(owed * Decimal::ONE_HUNDRED),
                )
                .expect("a total in cents"),
                restructured,
            }
        })
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: narrow_arrears
/// The arrears of a book whose elements give their fields narrowed, at
/// each of `month_ends`: the loop of the three narrowed rungs, compiled
/// once for each element type.
fn narrow_arrears<E: NarrowFields>(book: &[E], month_ends: &[CivilDate]) -> Vec<Arrears> {
    (month_ends.iter())
        .map(|&month_end| {
            let end = day_number(month_end);
            let (mut overdue, mut owed_cents, mut restructured) = (0, 0, 0);
            for instalment in book {
                let covered = instalment.covered();
                if instalment.due() <= end && (covered == 0 || covered > end) {
                    overdue += 1;
                    owed_cents += instalment.owed();
                    restructured += u32::from(instalment.restructured());
                }
            }
            Arrears {
                month_end,
                overdue,
                owed_cents,
                restructured,
            }
        })
        .collect()
}

/// The fields a month-end reads, from an element that keeps them
/// narrowed.
pub trait NarrowFields {
    /// The due day.
    fn due(&self) -> u32;
    /// The day it was covered; 0 while it is not.
    fn covered(&self) -> u32;
    /// What is owed, in cents.
    fn owed(&self) -> i64;
    /// Whether it was restructured.
    fn restructured(&self) -> bool;
}
// ANCHOR_END: narrow_arrears

macro_rules! narrow_fields {
    ($element:ty, $restructured:path) => {
        impl NarrowFields for $element {
            fn due(&self) -> u32 {
                self.due
            }
            fn covered(&self) -> u32 {
                self.covered
            }
            fn owed(&self) -> i64 {
                self.owed
            }
            fn restructured(&self) -> bool {
                matches!(self.status, $restructured(_))
            }
        }
    };
}

narrow_fields!(Narrowed, Status::Restructured);
narrow_fields!(Boxed, BoxedStatus::Restructured);
narrow_fields!(Compact, BoxedStatus::Restructured);

// ANCHOR: fields_narrowed
/// The same from the book in cents and day numbers.
pub fn fields_narrowed(input: &Portfolio) -> Vec<Arrears> {
    narrow_arrears(&input.narrowed, &input.month_ends)
}
// ANCHOR_END: fields_narrowed

// ANCHOR: variant_boxed
/// The same from the book with the rare variant boxed.
pub fn variant_boxed(input: &Portfolio) -> Vec<Arrears> {
    narrow_arrears(&input.boxed, &input.month_ends)
}
// ANCHOR_END: variant_boxed

// ANCHOR: optimized
/// The same from the compact book: the contract as its place.
pub fn optimized(input: &Portfolio) -> Vec<Arrears> {
    narrow_arrears(&input.compact, &input.month_ends)
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: the fields a month-end needs, copied from the
/// compact book into a column each, then read twelve times with no test
/// of the status (16 bytes an instalment).
fn limit(input: &Portfolio) -> u64 {
    let book = &input.compact;
    let due: Vec<u32> = book.iter().map(|i| i.due).collect();
    let covered: Vec<u32> = book.iter().map(|i| i.covered.wrapping_sub(1)).collect();
    let owed: Vec<i64> = book.iter().map(|i| i.owed).collect();
    let mut total = 0i64;
    for &month_end in &input.month_ends {
        let end = day_number(month_end);
        for ((&d, &c), &o) in due.iter().zip(&covered).zip(&owed) {
            total += if d <= end && c >= end { o } else { 0 };
        }
    }
    std::hint::black_box(total);
    due.len() as u64
}
// ANCHOR_END: limit

/// The contrast: a book that arrives wide, read once for one month-end.
pub const READ_ONCE: LessonDef<Portfolio, Vec<Arrears>> = LessonDef {
    id: "murabaha/type-sizes",
    why: "",
    build,
    elements: |input| input.wide.len() as u64,
    naive: once_wide,
    optimized: once_compacted,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: once_wide
/// The last month-end's arrears, read from the wide book as it arrived.
pub fn once_wide(input: &Portfolio) -> Vec<Arrears> {
    wide_arrears(&input.wide, last(&input.month_ends))
}
// ANCHOR_END: once_wide

// ANCHOR: once_compacted
/// The same after making the compact book from the wide one.
pub fn once_compacted(input: &Portfolio) -> Vec<Arrears> {
    narrow_arrears(&compacted(input), last(&input.month_ends))
}
// ANCHOR_END: once_compacted

/// The last of the month-ends (none of none).
fn last(month_ends: &[CivilDate]) -> &[CivilDate] {
    &month_ends[month_ends.len().saturating_sub(1)..]
}

/// The invariant: one line a month-end, each the count and total of the
/// instalments due by then and not covered by then, made from the wide
/// book field by field in `i128` cents.
// The lab's invariants take the output as the forms return it.
#[allow(clippy::ptr_arg)]
fn the_arrears_of_the_schedule(input: &Portfolio, arrears: &Vec<Arrears>) -> Result<(), String> {
    ensure(arrears.len() == input.month_ends.len(), || {
        format!(
            "{} lines for {} month-ends",
            arrears.len(),
            input.month_ends.len()
        )
    })?;
    for (line, &month_end) in arrears.iter().zip(&input.month_ends) {
        let overdue: Vec<&Wide> = (input.wide.iter())
            .filter(|i| i.due <= month_end && i.covered.is_none_or(|c| c > month_end))
            .collect();
        let owed: i128 = overdue.iter().map(|i| i128::from(cents(i.owed))).sum();
        let restructured = (overdue.iter())
            .filter(|i| matches!(i.status, Status::Restructured(_)))
            .count();
        ensure(
            line.month_end == month_end
                && line.overdue as usize == overdue.len()
                && i128::from(line.owed_cents) == owed
                && line.restructured as usize == restructured,
            || {
                format!(
                    "{month_end}: {line:?}, not {} overdue, {owed} owed",
                    overdue.len()
                )
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements' sizes, as the chapter's table gives them.
    fn sizes() -> String {
        use std::mem::size_of;
        format!(
            "| naive | `Wide` | {} |\n| fields-narrowed | `Narrowed` | {} |\n\
             | variant-boxed | `Boxed` | {} |\n| optimized | `Compact` | {} |\n",
            size_of::<Wide>(),
            size_of::<Narrowed>(),
            size_of::<Boxed>(),
            size_of::<Compact>()
        )
    }

    #[test]
    fn each_rung_makes_the_element_smaller_and_the_chapter_says_by_how_much() {
        use std::mem::size_of;
        assert_eq!(size_of::<Restructuring>(), 72);
        assert_eq!(
            (
                size_of::<Wide>(),
                size_of::<Narrowed>(),
                size_of::<Boxed>(),
                size_of::<Compact>()
            ),
            (128, 112, 48, 32)
        );
        let chapter = include_str!("../../../book/src/techniques/type-sizes.md");
        assert!(
            chapter.contains(&sizes()),
            "the chapter's table is not\n{}",
            sizes()
        );
    }

    #[test]
    fn arrears_count_what_is_due_and_not_covered_by_each_month_end() {
        let input = build(Scale::Tiny, 1);
        assert_eq!(input.month_ends.len(), 12);
        let expected = naive(&input);
        assert_eq!(fields_narrowed(&with_narrowed(&input)), expected);
        assert_eq!(variant_boxed(&with_boxed(&input)), expected);
        assert_eq!(optimized(&with_compact(&input)), expected);
        // The exercise's attempt runs on the optimized form's input, and
        // starts as the naive form.
        assert_eq!(naive(&with_compact(&input)), expected);
        assert_eq!(the_arrears_of_the_schedule(&input, &expected), Ok(()));
        // Some overdue, some restructured among them, growing over the year
        // as instalments fall due.
        assert!(expected.iter().any(|a| a.overdue > 0 && a.restructured > 0));
        let last = expected.last().unwrap();
        assert_eq!(once_wide(&input), vec![*last]);
        assert_eq!(once_compacted(&input), vec![*last]);
    }

    #[test]
    fn an_instalment_covered_on_the_month_end_is_not_overdue_and_one_due_on_it_is() {
        let month_end = CivilDate::new(2026, 1, 31).unwrap();
        let instalment = |due: CivilDate, covered: Option<CivilDate>| Wide {
            contract: "MRB-0000000".to_owned(),
            due,
            owed: Decimal::new(12_345, 2),
            covered,
            status: Status::Scheduled,
        };
        let input = Portfolio {
            month_ends: vec![month_end],
            wide: vec![
                instalment(month_end, None),
                instalment(month_end, Some(month_end)),
                instalment(
                    CivilDate::new(2026, 1, 1).unwrap(),
                    Some(CivilDate::new(2026, 2, 1).unwrap()),
                ),
                instalment(CivilDate::new(2026, 2, 1).unwrap(), None),
            ],
            references: vec!["MRB-0000000".to_owned()],
            narrowed: Vec::new(),
            boxed: Vec::new(),
            compact: Vec::new(),
        };
        let expected = vec![Arrears {
            month_end,
            overdue: 2,
            owed_cents: 24_690,
            restructured: 0,
        }];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&with_compact(&input)), expected);
    }
}
