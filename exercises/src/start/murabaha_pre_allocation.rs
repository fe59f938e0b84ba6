//! Exercise `murabaha/pre-allocation`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/pre-allocation
//! ```
//!
//! `cargo exercise hint murabaha/pre-allocation` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Pre-allocation".

use mizan::murabaha::lessons::pre_allocation::{ExportRow, ProcessedBook, row};

/// Collect the flattened rows: the vector grows as it goes.
pub fn attempt(book: &ProcessedBook) -> Vec<ExportRow> {
    book.results
        .iter()
        .enumerate()
        .flat_map(|(idx, c)| c.instalments.iter().map(move |i| row(idx, i)))
        .collect()
}
