//! Exercise `zakat/small-vectors`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/small-vectors
//! ```
//!
//! `cargo exercise hint zakat/small-vectors` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Small vectors".

use mizan::zakat::lessons::small_vectors::{Summary, Valued, summary, wealth_lines};
use rust_decimal::Decimal;

/// Each payer's lines gathered into a `Vec`.
pub fn attempt(input: &Valued) -> Vec<Summary> {
    let mut summaries = Vec::with_capacity(input.payers.len());
    for lines in &input.payers {
        let mut wealth: Vec<(u16, Decimal)> = wealth_lines(lines).collect();
        wealth.sort_by_key(|line| std::cmp::Reverse(line.1));
        summaries.push(summary(&wealth));
    }
    summaries
}
