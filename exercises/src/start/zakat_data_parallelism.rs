//! Exercise `zakat/data-parallelism`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/data-parallelism
//! ```
//!
//! `cargo exercise hint zakat/data-parallelism` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Data parallelism".

use mizan::input::InputError;
use mizan::zakat::ZakatInput;
use mizan::zakat::lessons::data_parallelism::{assess_at, first_error_in_order};
use mizan::zakat::model::Assessment;
use mizan::zakat::rules::Context;

/// One payer after another, on one core, every result collected in order
/// as the parallel forms collect them.
pub fn attempt(input: &ZakatInput) -> Result<Vec<Assessment>, InputError> {
    let context = Context::of(input);
    let results: Vec<Result<Assessment, InputError>> = input
        .payers
        .iter()
        .enumerate()
        .map(|(idx, payer)| assess_at(idx, payer, &context))
        .collect();
    first_error_in_order(results)
}
