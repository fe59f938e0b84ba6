//! Exercise `murabaha/pipeline`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/pipeline
//! ```
//!
//! `cargo exercise hint murabaha/pipeline` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Pipelines".

use mizan::input::InputError;
use mizan::murabaha::MurabahaInput;
use mizan::murabaha::lessons::pipeline::{
    MurabahaRun, Portfolio, PortfolioTotals, totals_too_large,
};
use mizan::murabaha::lessons::string_building::{self};
use mizan::murabaha::model::{Contract, ContractResult};
use rust_decimal::Decimal;

/// The exercise's signature: the lesson's input, the lesson's output.
pub fn attempt(portfolio: &Portfolio) -> Result<MurabahaRun, InputError> {
    run(&portfolio.input)
}

/// The reference processing and the naive statement of each contract in
/// turn, totals in `Decimal`. Contract by contract, as a month-end run
/// over a whole book must go: processed whole first, every schedule held
/// in `Decimal` and every statement in a `String` of its own, a bank's
/// portfolio needed 7.4 GB of heap at once (`mizan run murabaha/pipeline
/// --scale bank --runs 1`, when this form worked that way).
fn run(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let mut statements = String::new();
    let mut totals = Totals::default();
    for (idx, contract) in input.contracts.iter().enumerate() {
        let result = process_at(input, idx, contract)?;
        totals.add(&result);
        statements.push_str(&string_building::statement(&result, input.as_of));
    }
    Ok(MurabahaRun {
        statements: statements.into(),
        totals: totals.finish()?,
    })
}

/// The reference's processing of one contract, its error named as
/// [`mizan::murabaha::process_all`] names it.
fn process_at(
    input: &MurabahaInput,
    idx: usize,
    contract: &Contract,
) -> Result<ContractResult, InputError> {
    mizan::murabaha::process(contract, input.as_of, &input.late_policy)
        .map_err(|e| InputError::new(format!("contracts[{idx}].{}", e.at), e.message))
}

/// Totals in `Decimal`, whose overflow is reported after every contract
/// was processed (a contract's own error comes first, as in every form).
#[derive(Default)]
struct Totals {
    sums: PortfolioTotals,
    overflow: bool,
}

impl Totals {
    fn add(&mut self, result: &ContractResult) {
        if !self.overflow && add_result(&mut self.sums, result).is_err() {
            self.overflow = true;
        }
    }

    fn finish(self) -> Result<PortfolioTotals, InputError> {
        if self.overflow {
            return Err(totals_too_large());
        }
        Ok(self.sums)
    }
}

/// Adds one contract's figures to the totals.
fn add_result(t: &mut PortfolioTotals, c: &ContractResult) -> Result<(), InputError> {
    let add = |sum: &mut Decimal, value: Decimal| -> Result<(), InputError> {
        *sum = sum.checked_add(value).ok_or_else(totals_too_large)?;
        Ok(())
    };
    t.contracts += 1;
    add(&mut t.selling_price, c.selling_price)?;
    add(&mut t.paid, c.paid)?;
    add(&mut t.tawidh, c.tawidh)?;
    add(&mut t.gharamah, c.gharamah)?;
    add(&mut t.recognised_profit, c.recognised_profit)?;
    add(&mut t.deferred_profit, c.deferred_profit)?;
    if let Some(s) = &c.settlement {
        t.settlements += 1;
        add(&mut t.settlement_amount, s.amount)?;
    }
    Ok(())
}
