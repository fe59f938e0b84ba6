//! Exercise `zakat/pre-allocation`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/pre-allocation
//! ```
//!
//! `cargo exercise hint zakat/pre-allocation` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Pre-allocation".

use mizan::zakat::ZakatInput;
use mizan::zakat::lessons::pre_allocation::{PayerValuation, is_wealth};
use mizan::zakat::rules::{Context, zakatable_value};
use rust_decimal::Decimal;

/// The output and each payer's lines grow from empty.
pub fn attempt(input: &ZakatInput) -> Vec<PayerValuation> {
    let context = Context::of(input);
    let mut valuations = Vec::new();
    for payer in &input.payers {
        let mut lines = Vec::new();
        let mut total = Decimal::ZERO;
        for (idx, asset) in payer.assets.iter().enumerate() {
            if is_wealth(asset) {
                let value = zakatable_value(asset, &context).expect("generated lines value");
                lines.push((idx as u16, value));
                total += value;
            }
        }
        valuations.push(PayerValuation { lines, total });
    }
    valuations
}
