//! `murabaha/pre-allocation`: the month-end schedule export, one row per
//! instalment of every contract in the book (what a bank sends its ledger
//! and reporting systems), built from the processed portfolio.
//!
//! The naive form collects a `flat_map` into a `Vec`: `collect` sizes its
//! vector from the iterator's lower bound, which for a `flat_map` is zero,
//! so the vector starts small and doubles its way up, copying every row it
//! already holds at each step and touching fresh pages each time. The
//! optimized form counts the rows first (the lengths are known) and
//! allocates the table once.

use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::lab::lesson::{LessonDef, Limit, SPEED_OF_LIGHT, Scale};
use crate::murabaha::model::ContractResult;

/// The lesson's registry entry.
pub const LESSON: LessonDef<ProcessedBook, Vec<ExportRow>> = LessonDef {
    id: "murabaha/pre-allocation",
    why: "The schedule export flattens every contract's instalments into one table. \
          Collecting a flat_map cannot size the vector up front (its lower size bound is \
          zero), so the table doubles its way up; counting the rows first and allocating \
          once avoids that. Measured here: {speedup}. Once the table is large, glibc's \
          realloc moves it with mremap, which remaps pages instead of copying them, and \
          both forms pay the same page faults to touch the table's fresh memory \
          ({peak:optimized} of it), which is nearly all of the speed-of-light time. \
          Pre-allocation pays for many small and mid-sized vectors, whose growth is a \
          malloc, a copy and a free each time; for one large table, the cost is the memory \
          itself.",
    build,
    elements: |input| input.results.len() as u64,
    naive,
    optimized,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::processed_book),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
};

/// The processed portfolio: every contract's schedule.
#[derive(Debug, Clone)]
pub struct ProcessedBook {
    /// One processed contract per customer.
    pub results: Vec<ContractResult>,
}

/// One row of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Contracts at each scale: a larger book than the other murabaha lessons,
/// as the export is the whole book's instalments.
pub fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 1_000,
        Scale::Default => 10_000,
        Scale::Bank => 200_000,
    }
}

fn build(scale: Scale, seed: u64) -> ProcessedBook {
    let input = crate::murabaha::generate::generate(contracts_at(scale), seed);
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
