//! Exercise `murabaha/algorithmic`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/algorithmic
//! ```
//!
//! `cargo exercise hint murabaha/algorithmic` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Algorithms first".

use mizan::date::CivilDate;
use mizan::murabaha::lessons::algorithmic::Ledgers;
use rust_decimal::Decimal;

/// Each instalment's cumulative due summed again, and the payments scanned
/// again from the first.
pub fn attempt(input: &Ledgers) -> Vec<Vec<Option<CivilDate>>> {
    let mut covered = Vec::with_capacity(input.contracts.len());
    for contract in &input.contracts {
        let mut covered_on = Vec::with_capacity(contract.amounts.len());
        for k in 0..contract.amounts.len() {
            let due: Decimal = contract.amounts[..=k].iter().sum();
            // Nothing due yet (zero instalments so far): no payment covers it.
            let mut day = None;
            let mut paid = Decimal::ZERO;
            for payment in contract.payments.iter().take_while(|_| due > Decimal::ZERO) {
                paid += payment.amount;
                if paid >= due {
                    day = Some(payment.date);
                    break;
                }
            }
            covered_on.push(day);
        }
        covered.push(covered_on);
    }
    covered
}
