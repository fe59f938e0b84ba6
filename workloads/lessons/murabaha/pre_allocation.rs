//! `murabaha/pre-allocation`: the month-end schedule export, one row per
//! instalment of every contract in the book (what a bank sends its ledger
//! and reporting systems), built from the processed portfolio.
//!
//! The naive form collects a `flat_map` into a `Vec`: `collect` sizes its
//! vector from the iterator's lower bound, which for a `flat_map` is zero,
//! so the vector starts small and doubles its way up, moving the rows it
//! already holds to a larger block at each step (the naive form's profile
//! has the copies, in `__memcpy`). The
//! optimized form counts the rows first (the lengths are known) and
//! allocates the table once.

use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};

use super::inputs::{
    Flows, OpenBook, ProcessedBook, book_contracts_at, flows_grown, flows_sized, maturing_book,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<ProcessedBook, Vec<ExportRow>> = LessonDef {
    id: "murabaha/pre-allocation",
    why: "The schedule export flattens every contract's instalments into one table. \
          Collecting a flat_map cannot size the vector up front (its lower size bound is \
          zero), so the table grows by doubling, and a step moves the rows so far to a \
          larger block: the naive form's profile has a large share of its samples in \
          __memcpy, and the allocation count counts the steps ({allocations:naive} \
          allocations grown against {allocations:optimized} sized). The optimized form \
          counts the rows first and allocates the table once, with no copies; callgrind \
          counts the instructions, {instructions}. What neither form can avoid is writing the \
          whole table ({peak:optimized}), which the speed of light does too; where that \
          memory is new to the process, every page written first is a minor fault \
          ({faults:naive} grown, {faults:optimized} sized, in this run). {?speedup|gain \
          Here sizing measured {speedup}.|same Here the two are within the noise \
          ({speedup}): once the copies are gone, what is left is writing the table, which \
          both forms do, probably with its page faults where the memory is new.|loss Here \
          sizing measured {speedup}.} The contrast is a stage of many small vectors: the \
          future cash flows of the contracts at or near maturity, three instalments or \
          fewer each, collected from a filter against each sized to its contract's \
          schedule. A Vec's first push reserves room for four, so a grown vector is \
          allocated once or not at all, while a sized one reserves a whole schedule, empty \
          or not ({contrast.allocations:naive} allocations grown against \
          {contrast.allocations:optimized} sized, for {contrast.records} contracts). \
          {?contrast.speedup|gain There sizing still measured {contrast.speedup}.|same \
          There the two are within the noise ({contrast.speedup}).|loss There sizing \
          measured {contrast.speedup}, probably the allocations it adds.} Pre-allocate \
          where growth repeatedly copies or rebuilds something large; size a vector to \
          what it will hold, not to an upper bound far above it.",
    build,
    elements: |input| input.results.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_processed_book,
    invariant: Some(a_row_an_instalment),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "maturing contracts' cash flows",
        scale: Scale::Default,
        input: ContrastInput::Stage(&FLOWS),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "`flat_map(..).collect()` cannot know the number of rows in advance, so the Vec doubles \
         as it goes. The number of rows is the sum of the schedules' lengths.",
        compares: "every export row, field by field, in order",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// One row of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ExportRow {
    /// The contract's position in the portfolio.
    pub contract_idx: u32,
    /// The instalment's number.
    pub n: u32,
    /// Its due date.
    pub due: CivilDate,
    /// Its amount.
    pub amount: Decimal,
    /// The profit recognised in its period.
    pub profit: Decimal,
    /// Selling price outstanding after it.
    pub outstanding_price: Decimal,
}

fn build(scale: Scale, seed: u64) -> ProcessedBook {
    let input = crate::murabaha::generate::generate(book_contracts_at(scale), seed);
    // The engine: the reference's results, exactly, in a fraction of its
    // time (see `string_building`'s input).
    ProcessedBook {
        results: crate::murabaha::engine::process_all(&input)
            .expect("generated contracts process")
            .contracts,
    }
}

/// One instalment of contract `contract_idx` as an export row.
pub fn row(contract_idx: usize, instalment: &crate::murabaha::model::Instalment) -> ExportRow {
    ExportRow {
        contract_idx: contract_idx as u32,
        n: instalment.n,
        due: instalment.due,
        amount: instalment.amount,
        profit: instalment.profit,
        outstanding_price: instalment.outstanding_price,
    }
}

// ANCHOR: naive
/// Collect the flattened rows: the vector grows as it goes.
pub fn naive(book: &ProcessedBook) -> Vec<ExportRow> {
    book.results
        .iter()
        .enumerate()
        .flat_map(|(idx, c)| c.instalments.iter().map(move |i| row(idx, i)))
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Count the rows, allocate the table once, fill it.
pub fn optimized(book: &ProcessedBook) -> Vec<ExportRow> {
    let n_rows = book.results.iter().map(|c| c.instalments.len()).sum();
    let mut rows = Vec::with_capacity(n_rows);
    for (idx, c) in book.results.iter().enumerate() {
        rows.extend(c.instalments.iter().map(|i| row(idx, i)));
    }
    rows
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: read every instalment once and write the table's
/// bytes into memory allocated once (the same as optimized, minus nothing
/// but the row construction: a copy of each instalment's fields).
fn limit(book: &ProcessedBook) -> u64 {
    let n_rows: usize = book.results.iter().map(|c| c.instalments.len()).sum();
    let mut bytes: Vec<u8> = vec![0; n_rows * std::mem::size_of::<ExportRow>()];
    let mut checksum = 0u64;
    for (chunk, i) in bytes
        .chunks_exact_mut(std::mem::size_of::<ExportRow>())
        .zip(book.results.iter().flat_map(|c| &c.instalments))
    {
        chunk[..4].copy_from_slice(&i.n.to_le_bytes());
        checksum ^= i.amount.mantissa() as u64;
    }
    checksum ^ bytes.len() as u64
}
// ANCHOR_END: limit

/// The contrast: another stage, each contract's future cash flows (what a
/// liquidity report sums by month), for the contracts at or near maturity:
/// collected by `filter().collect()` (naive) or sized up front to the
/// schedule's length (optimized).
pub const FLOWS: LessonDef<OpenBook, Vec<Flows>> = LessonDef {
    id: "murabaha/pre-allocation",
    why: "",
    build: maturing_book,
    elements: |input| input.results.len() as u64,
    naive: flows_grown,
    optimized: flows_sized,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_open_book,
    invariant: Some(the_instalments_due_after),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The invariant: a row for every instalment of every contract.
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn a_row_an_instalment(book: &ProcessedBook, rows: &Vec<ExportRow>) -> Result<(), String> {
    let instalments: usize = book.results.iter().map(|c| c.instalments.len()).sum();
    ensure(rows.len() == instalments, || {
        format!("{} rows for {instalments} instalments", rows.len())
    })
}

/// The contrast's invariant: each contract's flows are exactly its
/// instalments due after the book's day.
fn the_instalments_due_after(book: &OpenBook, flows: &Vec<Flows>) -> Result<(), String> {
    for (c, flows) in book.results.iter().zip(flows) {
        let after = c.instalments.iter().filter(|i| i.due > book.as_of).count();
        ensure(flows.len() == after, || {
            format!(
                "{}: {} flows for {after} instalments due",
                c.id,
                flows.len()
            )
        })?;
    }
    ensure(flows.len() == book.results.len(), || {
        "a contract without its flows".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn future_flows_are_the_instalments_due_after_the_day() {
        let book = crate::lessons::murabaha::inputs::open_book(Scale::Tiny, 1);
        let grown = flows_grown(&book);
        assert_eq!(grown, flows_sized(&book));
        assert_eq!(grown.len(), 100);
        for (c, flows) in book.results.iter().zip(&grown) {
            let due: Vec<(CivilDate, Decimal)> = c
                .instalments
                .iter()
                .skip_while(|i| i.due <= book.as_of)
                .map(|i| (i.due, i.amount))
                .collect();
            assert_eq!(flows, &due);
        }
        let future: usize = grown.iter().map(Vec::len).sum();
        let all: usize = book.results.iter().map(|c| c.instalments.len()).sum();
        assert!(future > 0 && future < all, "{future} of {all}");
        let maturing = maturing_book(Scale::Default, 1);
        assert_eq!(maturing.results.len(), 3_414);
        assert!(flows_grown(&maturing).iter().all(|flows| flows.len() <= 3));
    }
}
