//! `murabaha/bounds-checks`: the portfolio's aging, the input of the
//! arrears report: for every instalment of every contract, the days
//! between its due day and the day it was covered (or the as-of day, if it
//! is not covered yet), zero for an instalment covered on time or not yet
//! due, and weighted by the instalment's amount: the cent-days it is
//! overdue, the `instalment × d` that ta'widh and gharamah are reckoned
//! from (`domain/MURABAHA.md`: `round(instalment × rate × d / 365)`). The
//! instalments come as the bank's feed lays them out: one table of rows, a
//! due day, a covered day and an amount in cents a row, end to end in one
//! vector of `i64`; the report is one pass down the rows.
//!
//! - naive: a loop over row numbers, row `i` read at `3i`, `3i + 1` and
//!   `3i + 2` and `owed[i]` written by index. The loop runs to a third of
//!   the table's length, and LLVM does not work out from it that a row's
//!   indices stay inside the table: the checks stay in the loop, three
//!   compares and branches a row, and the loop is not unrolled;
//! - optimized: the rows taken three values at a time (`chunks_exact(3)`),
//!   zipped with the output, into the same zeroed vector: nothing to check
//!   (LLVM unrolls it two rows a trip, and from the same source makes the
//!   clamp at zero a jump where the indexed loop has a select: the lesson
//!   says so and counts the mispredictions);
//! - `lengths-asserted`: the indexing loop kept, over the table re-cut to
//!   three times the output's length before it, one check for the loop.
//!
//! The contrast ([`COLUMNS`]) counts the days late alone from the
//! instalments held as two columns of `i32`, one vector of due days and
//! one of covered days, indexed, zipped or re-cut. There LLVM versions the
//! indexed loop (it works out once how many instalments are safe to read,
//! then runs an SSE2 loop of four instalments a trip with no checks, the
//! checked scalar loop only for the last few), so the three forms run the
//! same vector loop; the generated code shows it (`mizan asm
//! murabaha/bounds-checks contrast.naive`).

use proptest::prelude::*;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Aging, Vec<i64>> = LessonDef {
    id: "murabaha/bounds-checks",
    why: "The aging report reads the instalments as the bank's feed lays them out: one table of \
          rows, a due day, a covered day and an amount in cents a row, end to end in one vector, \
          and writes the cent-days each instalment is overdue. Indexed by a row number, a row is \
          read at three indices computed from it, and each read is checked against the table's \
          length: a check is a branch to a panic at exactly the index that fails, after every \
          write before it. The loop runs to a third of the table's length, and LLVM does not work \
          out from that bound that a row's indices stay inside the table, so the checks stay in \
          the loop: the generated code of rows_indexed handles one row a trip, with three compares \
          in it, each with a jump to the panic. The optimized form takes the rows three values at \
          a time with chunks_exact, zipped with the output, with nothing to check, and LLVM runs \
          two rows a trip; both forms write into the same zeroed vector. From the same source LLVM \
          also made the clamp at zero differently, a select (cmovle) in the indexed loop and, in \
          the chunked one, a jump over the zeroing that goes either way with the data: \
          {?mispredicted|gain mispredicted branches {mispredicted}.|same mispredicted branches \
          {mispredicted}.|loss mispredicted branches {mispredicted}, the jump's price.} \
          {?instructions|gain The counters follow the code: instructions {instructions}, branches \
          {branches}.|same The counters do not tell them apart (instructions {instructions}, \
          branches {branches}).|loss The counters go the other way (instructions {instructions}, \
          branches {branches}).} {?speedup|gain In time the chunked rows measured {speedup}.|same \
          In time the two are within the noise ({speedup}).|loss In time the chunked rows measured \
          {speedup}.} Re-cutting the table to three times the output's length before the loop, the \
          usual advice, puts the table's checks in one test before the loop (a compare of the row \
          number with the output's length stays in it, the loop's exit test made twice): \
          {?over_naive:lengths-asserted|gain against the indexed loop it measured \
          {over_naive:lengths-asserted}.|same against the indexed loop it made no measurable \
          difference ({over_naive:lengths-asserted}).|loss against the indexed loop it measured \
          {over_naive:lengths-asserted}.} The contrast counts the days late alone from two \
          columns, due days and covered days, where LLVM tests the lengths once before the indexed \
          loop and runs a vectorized copy when they hold: {?contrast.speedup|gain there zipping \
          measured {contrast.speedup}.|same there the indexed and the zipped loop are within the \
          noise ({contrast.speedup}).|loss there zipping measured {contrast.speedup}.} Read the \
          generated code (cargo asm, mizan asm, or objdump) or count the branches before rewriting \
          a loop for its bounds checks: for one loop the compiler had removed them, for the other \
          it could not.",
    build,
    elements: |input| input.due.len() as u64,
    naive: rows_indexed,
    optimized: rows_chunked,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(a_figure_an_instalment),
    allocators: None,
    variants: &[Variant::new("lengths-asserted", rows_lengths_asserted)],
    scaling: false,
    contrast: Some(Contrast {
        name: "days late from two columns",
        scale: Scale::Default,
        input: ContrastInput::Stage(&COLUMNS),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The loop reads row `i` of the table at three indices, the last of them `3 * i \
         + 2`, and nothing tells the compiler that the last stays inside the table. Read the \
         generated code of the naive form first (`cargo run --release -- asm \
         murabaha/bounds-checks naive`): is the check still in the loop?",
        compares: "every instalment's cent-days overdue, in order, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// A covered day that is not there: the instalment is not covered yet.
pub const NOT_COVERED: i32 = i32::MAX;

/// Every instalment of a portfolio, contract after contract, days as day
/// numbers (days since 0001-01-01), in two layouts: the feed's table of
/// rows and two columns of days.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Aging {
    /// The table: each instalment's due day, covered day (or
    /// [`NOT_COVERED`]) and amount in cents, a row of three, end to end.
    pub rows: Vec<i64>,
    /// The day each instalment is due.
    pub due: Vec<i32>,
    /// The day each was covered, or [`NOT_COVERED`]; as long as `due`.
    pub covered: Vec<i32>,
    /// The day the report is made.
    pub as_of: i32,
}

impl Aging {
    /// The instalments of `(due, covered, cents)`, in both layouts.
    fn of(instalments: impl Iterator<Item = (i32, i32, i64)>, as_of: i32) -> Aging {
        let mut aging = Aging {
            rows: Vec::new(),
            due: Vec::new(),
            covered: Vec::new(),
            as_of,
        };
        for (due, covered, cents) in instalments {
            aging
                .rows
                .extend([i64::from(due), i64::from(covered), cents]);
            aging.due.push(due);
            aging.covered.push(covered);
        }
        aging
    }
}

/// The instalments of `contracts`, covered as the reference rules cover
/// them.
fn aging(contracts: impl Iterator<Item = crate::murabaha::model::Contract>) -> Aging {
    let day = |date: crate::date::CivilDate| date.day_number() as i32;
    let mut instalments = Vec::new();
    for contract in contracts {
        let rules = crate::murabaha::rules::plan(&contract).expect("generated plans");
        let dues = crate::murabaha::rules::due_dates(contract.first_due, contract.term_months)
            .expect("generated dates");
        let covered = crate::murabaha::rules::cover(&contract.payments, &rules.amounts)
            .expect("generated payments");
        for ((due, covered), amount) in dues.into_iter().zip(covered).zip(&rules.amounts) {
            let cents =
                i64::try_from(crate::money::cents_i128(*amount)).expect("generated amounts");
            instalments.push((day(due), covered.map_or(NOT_COVERED, day), cents));
        }
    }
    Aging::of(
        instalments.into_iter(),
        day(crate::murabaha::generate::as_of()),
    )
}

fn build(scale: Scale, seed: u64) -> Aging {
    let n = super::inputs::posting_contracts_at(scale) / 10;
    aging(crate::murabaha::generate::contracts(n.max(1), seed))
}

/// The days late of an instalment due on `due` and covered on `covered`,
/// reported on `as_of`: zero when it was covered on time or is not due yet.
#[inline(always)]
pub fn days_late(due: i32, covered: i32, as_of: i32) -> i32 {
    (covered.min(as_of) - due).max(0)
}

/// The cent-days an instalment of `cents` due on `due` and covered on
/// `covered` (or [`NOT_COVERED`]) is overdue on `as_of`.
#[inline(always)]
pub fn cent_days(due: i64, covered: i64, cents: i64, as_of: i64) -> i64 {
    (covered.min(as_of) - due).max(0) * cents
}

// ANCHOR: rows_indexed
/// One pass down the table, row `i` read by index at `3i`, `3i + 1` and
/// `3i + 2`.
// Indexing is the naive form's point (clippy would have it zipped, which is
// the optimized form).
#[allow(clippy::needless_range_loop)]
pub fn rows_indexed(input: &Aging) -> Vec<i64> {
    let rows = &input.rows;
    let as_of = i64::from(input.as_of);
    let n = rows.len() / 3;
    let mut owed = vec![0; n];
    for i in 0..n {
        owed[i] = cent_days(rows[3 * i], rows[3 * i + 1], rows[3 * i + 2], as_of);
    }
    owed
}
// ANCHOR_END: rows_indexed

// ANCHOR: rows_chunked
/// One pass down the table, three values at a time, zipped with the
/// output: nothing to check.
pub fn rows_chunked(input: &Aging) -> Vec<i64> {
    let as_of = i64::from(input.as_of);
    let mut owed = vec![0; input.rows.len() / 3];
    for (out, row) in owed.iter_mut().zip(input.rows.chunks_exact(3)) {
        *out = cent_days(row[0], row[1], row[2], as_of);
    }
    owed
}
// ANCHOR_END: rows_chunked

// ANCHOR: rows_lengths_asserted
/// The indexing loop, over the table re-cut to three times the output's
/// length first: one check before the loop.
#[allow(clippy::needless_range_loop)]
pub fn rows_lengths_asserted(input: &Aging) -> Vec<i64> {
    let as_of = i64::from(input.as_of);
    let n = input.rows.len() / 3;
    let rows = &input.rows[..3 * n];
    let mut owed = vec![0; n];
    for i in 0..n {
        owed[i] = cent_days(rows[3 * i], rows[3 * i + 1], rows[3 * i + 2], as_of);
    }
    owed
}
// ANCHOR_END: rows_lengths_asserted

// ANCHOR: limit
/// The speed of light: read the table once and write the output once,
/// with two exclusive ors a row.
fn limit(input: &Aging) -> u64 {
    let owed: Vec<i64> = input
        .rows
        .chunks_exact(3)
        .map(|row| row[0] ^ row[1] ^ row[2])
        .collect();
    std::hint::black_box(&owed);
    owed.len() as u64
}
// ANCHOR_END: limit

/// The contrast: the days late alone, from the instalments held as two
/// columns.
pub const COLUMNS: LessonDef<Aging, Vec<i64>> = LessonDef {
    id: "murabaha/bounds-checks",
    why: "",
    build,
    elements: |input| input.due.len() as u64,
    naive: column_indexed,
    optimized: column_zipped,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[Variant::new("lengths-asserted", column_lengths_asserted)],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: column_indexed
/// One pass down the columns, every vector indexed by the loop counter.
#[allow(clippy::needless_range_loop)]
pub fn column_indexed(input: &Aging) -> Vec<i64> {
    let mut late = vec![0; input.due.len()];
    for i in 0..input.due.len() {
        late[i] = i64::from(days_late(input.due[i], input.covered[i], input.as_of));
    }
    late
}
// ANCHOR_END: column_indexed

// ANCHOR: column_zipped
/// One pass down the columns, zipped with the output: nothing to check.
pub fn column_zipped(input: &Aging) -> Vec<i64> {
    let mut late = vec![0; input.due.len()];
    for ((out, &due), &covered) in late.iter_mut().zip(&input.due).zip(&input.covered) {
        *out = i64::from(days_late(due, covered, input.as_of));
    }
    late
}
// ANCHOR_END: column_zipped

// ANCHOR: column_lengths_asserted
/// The indexing loop, over `covered` re-cut to `due`'s length first.
#[allow(clippy::needless_range_loop)]
pub fn column_lengths_asserted(input: &Aging) -> Vec<i64> {
    let n = input.due.len();
    let (due, covered) = (&input.due[..n], &input.covered[..n]);
    let mut late = vec![0; n];
    for i in 0..n {
        late[i] = i64::from(days_late(due[i], covered[i], input.as_of));
    }
    late
}
// ANCHOR_END: column_lengths_asserted

/// Up to 2,000 instalments, as often fewer than sixteen (around the
/// unrolling and the vector width) as more,
/// due before, on and after the as-of day, covered early, on time, late or
/// not at all, of amounts from nothing to a hundred million.
pub fn arbitrary() -> BoxedStrategy<Aging> {
    let day = 690_000i32..760_000;
    let instalment = (
        day.clone(),
        prop_oneof![
            1 => Just(NOT_COVERED),
            3 => day.clone(),
        ],
        0i64..10_000_000_000,
    );
    let instalments = prop_oneof![
        proptest::collection::vec(instalment.clone(), 0..16),
        proptest::collection::vec(instalment, 0..2_000),
    ];
    (instalments, day)
        .prop_map(|(instalments, as_of)| Aging::of(instalments.into_iter(), as_of))
        .boxed()
}

/// The invariant: a figure for every instalment, never negative, the same
/// from the re-cut loop, and zero exactly where the columns count no day
/// late.
fn a_figure_an_instalment(input: &Aging, owed: &Vec<i64>) -> Result<(), String> {
    ensure(owed.len() == input.due.len(), || {
        format!("{} figures for {} instalments", owed.len(), input.due.len())
    })?;
    ensure(owed.iter().all(|d| *d >= 0), || {
        "a negative figure".to_owned()
    })?;
    ensure(&rows_lengths_asserted(input) == owed, || {
        "not the re-cut loop's figures".to_owned()
    })?;
    let late = column_zipped(input);
    let cents = input.rows.chunks_exact(3).map(|row| row[2]);
    ensure(
        owed.iter()
            .zip(&late)
            .zip(cents)
            .all(|((owed, late), cents)| *owed == late * cents),
        || "not the columns' days late times the amounts".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cent_days_from_the_covered_day_or_the_as_of_day() {
        let input = Aging::of(
            [
                (100, 90, 5_000),
                (100, 100, 5_000),
                (100, 131, 12_345),
                (300, NOT_COVERED, 5_000),
                (120, NOT_COVERED, 250),
            ]
            .into_iter(),
            200,
        );
        assert_eq!(
            input.rows,
            [
                100,
                90,
                5_000,
                100,
                100,
                5_000,
                100,
                131,
                12_345,
                300,
                2_147_483_647,
                5_000,
                120,
                2_147_483_647,
                250
            ]
        );
        // Early, on time, 31 days late, not yet due, 80 days overdue.
        let late = vec![0, 0, 31, 0, 80];
        for form in [column_indexed, column_zipped, column_lengths_asserted] {
            assert_eq!(form(&input), late);
        }
        let owed = vec![0, 0, 31 * 12_345, 0, 80 * 250];
        for form in [rows_indexed, rows_chunked, rows_lengths_asserted] {
            assert_eq!(form(&input), owed);
        }
    }

    #[test]
    fn the_input_holds_every_instalment_of_ten_contracts_in_both_layouts() {
        let portfolio = build(Scale::Tiny, 1);
        let contracts = crate::murabaha::generate::contracts(10, 1);
        let instalments: usize = contracts.map(|c| c.term_months as usize).sum();
        assert_eq!(portfolio.due.len(), instalments);
        assert_eq!(portfolio.covered.len(), instalments);
        assert_eq!(portfolio.rows.len(), 3 * instalments);
        let days = portfolio.rows.chunks_exact(3).map(|row| (row[0], row[1]));
        let columns = portfolio.due.iter().zip(&portfolio.covered);
        assert!(
            days.zip(columns).all(|((due, covered), (d, c))| {
                due == i64::from(*d) && covered == i64::from(*c)
            })
        );
        assert!(portfolio.rows.chunks_exact(3).all(|row| row[2] > 0));
        assert_eq!(
            a_figure_an_instalment(&portfolio, &rows_indexed(&portfolio)),
            Ok(())
        );
    }
}
