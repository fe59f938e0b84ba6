//! Exercise `murabaha/hoisting`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/hoisting
//! ```
//!
//! `cargo exercise hint murabaha/hoisting` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Hoisting".

use mizan::murabaha::lessons::hoisting::Plans;
use rust_decimal::Decimal;

/// The discount factor computed in every step.
pub fn attempt(input: &Plans) -> Vec<Decimal> {
    input
        .plans()
        .map(|(amounts, rate)| {
            amounts.iter().rev().fold(Decimal::ZERO, |pv, amount| {
                (pv + amount) * (Decimal::ONE / (Decimal::ONE + rate))
            })
        })
        .collect()
}
