//! Exercise `zakat/fixed-point`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/fixed-point
//! ```
//!
//! `cargo exercise hint zakat/fixed-point` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Fixed point".

use mizan::zakat::ZakatInput;
use mizan::zakat::lessons::fixed_point::decimal_wealth;
use mizan::zakat::rules::Context;
use rust_decimal::Decimal;

/// Every payer in `Decimal`.
pub fn attempt(input: &ZakatInput) -> Vec<Option<Decimal>> {
    let context = Context::of(input);
    input
        .payers
        .iter()
        .map(|payer| decimal_wealth(payer, &context))
        .collect()
}
