//! Exercise `murabaha/string-building`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/string-building
//! ```
//!
//! `cargo exercise hint murabaha/string-building` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "String building".

use mizan::date::CivilDate;
use mizan::money::format_fixed;
use mizan::murabaha::lessons::string_building::{Statements, TABLE_HEADING, listed};
use mizan::murabaha::model::ContractResult;
use rust_decimal::Decimal;

/// Each row a `format!`, each statement a `String`, the document a concat.
pub fn attempt(input: &Statements) -> String {
    input
        .results
        .iter()
        .map(|result| statement(result, input.as_of))
        .collect::<Vec<String>>()
        .concat()
}

/// One contract's statement, the readable way.
pub fn statement(c: &ContractResult, as_of: CivilDate) -> String {
    let money = |value: Decimal| format_fixed(value, 2);
    let mut text = format!("STATEMENT {} as of {}\n", c.id, as_of);
    text += &format!(
        "Selling price {}, profit {}, monthly rate {}\n",
        money(c.selling_price),
        money(c.profit),
        format_fixed(c.monthly_rate, 10)
    );
    text += TABLE_HEADING;
    for i in listed(c, as_of) {
        let covered = match i.covered_on {
            Some(day) => day.to_string(),
            None => "unpaid".to_string(),
        };
        text += &format!(
            "{:>5} {} {:>12} {:>12} {:>12} {:>11} {:>5} {:>9}\n",
            i.n,
            i.due,
            money(i.amount),
            money(i.profit),
            money(i.outstanding_price),
            covered,
            i.days_late,
            money(i.tawidh)
        );
    }
    if let Some(next) = c.instalments.iter().find(|i| i.due > as_of) {
        text += &format!(
            "Next instalment {} due {}: {}\n",
            next.n,
            next.due,
            money(next.amount)
        );
    }
    text += &format!(
        "Paid {}, ta'widh {}, gharamah (to charity) {}\n",
        money(c.paid),
        money(c.tawidh),
        money(c.gharamah)
    );
    text += &format!(
        "Profit recognised {}, deferred {}\n",
        money(c.recognised_profit),
        money(c.deferred_profit)
    );
    if let Some(s) = &c.settlement {
        text += &format!(
            "Early settlement on {}: charge {}, ibra' {}, amount due {}\n",
            s.date,
            money(s.esc),
            money(s.ibra),
            money(s.amount)
        );
    }
    text.push('\n');
    text
}
