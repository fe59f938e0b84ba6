//! A customer's statement of account, as text: the readable printer
//! ([`format_statement`], a `format!` a row) and the fast one
//! ([`write_statement`], written by hand into one buffer), which the tests
//! hold to the same bytes. The `murabaha/string-building` lesson is the
//! story of getting from one to the other; the pooling lesson and the
//! pipeline print statements with them.

use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::money::format_fixed;
use crate::murabaha::model::{ContractResult, Instalment};
use crate::text::{push_fixed_right_aligned, push_right_aligned, write_date, write_fixed};

/// The instalments a statement lists: those due on or before its date.
pub fn listed(result: &ContractResult, as_of: CivilDate) -> impl Iterator<Item = &Instalment> {
    result
        .instalments
        .iter()
        .take_while(move |i| i.due <= as_of)
}

/// The heading of the instalment table.
pub const TABLE_HEADING: &str =
    "   No        Due       Amount       Profit  Outstanding     Covered  Late   Ta'widh\n";

// ANCHOR: format
/// One contract's statement, the readable way.
pub fn format_statement(c: &ContractResult, as_of: CivilDate) -> String {
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
// ANCHOR_END: format

// ANCHOR: write
/// Writes one statement at the end of `out`, without allocating.
pub fn write_statement(out: &mut String, c: &ContractResult, as_of: CivilDate) {
    let mut digits = itoa::Buffer::new();
    out.push_str("STATEMENT ");
    out.push_str(&c.id);
    out.push_str(" as of ");
    write_date(out, as_of);
    out.push_str("\nSelling price ");
    write_fixed(out, c.selling_price, 2);
    out.push_str(", profit ");
    write_fixed(out, c.profit, 2);
    out.push_str(", monthly rate ");
    write_fixed(out, c.monthly_rate, 10);
    out.push('\n');
    out.push_str(TABLE_HEADING);
    for i in listed(c, as_of) {
        push_right_aligned(out, digits.format(i.n), 5);
        out.push(' ');
        write_date(out, i.due);
        out.push(' ');
        push_fixed_right_aligned(out, i.amount, 2, 12);
        out.push(' ');
        push_fixed_right_aligned(out, i.profit, 2, 12);
        out.push(' ');
        push_fixed_right_aligned(out, i.outstanding_price, 2, 12);
        out.push(' ');
        match i.covered_on {
            Some(day) => {
                out.push(' ');
                write_date(out, day);
            }
            None => out.push_str("     unpaid"),
        }
        out.push(' ');
        push_right_aligned(out, digits.format(i.days_late), 5);
        out.push(' ');
        push_fixed_right_aligned(out, i.tawidh, 2, 9);
        out.push('\n');
    }
    if let Some(next) = c
        .instalments
        .get(c.instalments.partition_point(|i| i.due <= as_of))
    {
        out.push_str("Next instalment ");
        out.push_str(digits.format(next.n));
        out.push_str(" due ");
        write_date(out, next.due);
        out.push_str(": ");
        write_fixed(out, next.amount, 2);
        out.push('\n');
    }
    out.push_str("Paid ");
    write_fixed(out, c.paid, 2);
    out.push_str(", ta'widh ");
    write_fixed(out, c.tawidh, 2);
    out.push_str(", gharamah (to charity) ");
    write_fixed(out, c.gharamah, 2);
    out.push_str("\nProfit recognised ");
    write_fixed(out, c.recognised_profit, 2);
    out.push_str(", deferred ");
    write_fixed(out, c.deferred_profit, 2);
    out.push('\n');
    if let Some(s) = &c.settlement {
        out.push_str("Early settlement on ");
        write_date(out, s.date);
        out.push_str(": charge ");
        write_fixed(out, s.esc, 2);
        out.push_str(", ibra' ");
        write_fixed(out, s.ibra, 2);
        out.push_str(", amount due ");
        write_fixed(out, s.amount, 2);
        out.push('\n');
    }
    out.push('\n');
}
// ANCHOR_END: write
