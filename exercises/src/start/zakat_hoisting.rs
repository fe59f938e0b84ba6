//! Exercise `zakat/hoisting`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/hoisting
//! ```
//!
//! `cargo exercise hint zakat/hoisting` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Hoisting".

use mizan::zakat::lessons::hoisting::Hawl;
use mizan::zakat::rules::hawl_end;

/// Each payer's hawl end computed and compared with the zakat date.
pub fn attempt(input: &Hawl) -> Vec<bool> {
    input
        .starts
        .iter()
        .map(|&start| {
            let end = hawl_end(start, input.year).expect("a hawl end in range");
            input.zakat_date >= end
        })
        .collect()
}
