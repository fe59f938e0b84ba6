//! The contract results as JSON, written by hand
//! ([`crate::json::JsonWriter`]): the same bytes as `serde_json` writes
//! for [`ContractResult`], pretty in a document or compact on a line of a
//! stream, several times faster. The engine's results are written straight
//! from the fixed-point schedule ([`write_figures`]: no `Decimal` and no
//! instalment vector on the way), the reference's from the model
//! ([`write_result`]); one layout serves both.

use rust_decimal::Decimal;

use super::fixed::{Figures, Schedule};
use super::model::{Contract, ContractResult};
use super::rules::RATE_DP;
use crate::date::CivilDate;
use crate::json::JsonWriter;
use crate::money::MONEY_DP;
use crate::text::{write_count, write_date, write_fixed, write_units_between};

/// An amount as a result holds it: a `Decimal`, or cents.
trait Money: Copy {
    fn write(self, w: &mut JsonWriter<'_>);
    /// The same text pushed onto `out` (a row written as text).
    fn push(self, out: &mut String);
}

impl Money for Decimal {
    #[inline]
    fn write(self, w: &mut JsonWriter<'_>) {
        w.money(self);
    }

    #[inline]
    fn push(self, out: &mut String) {
        out.push('"');
        write_fixed(out, self, MONEY_DP);
        out.push('"');
    }
}

/// Cents, as the fixed-point schedule holds them.
#[derive(Clone, Copy)]
struct Cents(i64);

impl Money for Cents {
    #[inline]
    fn write(self, w: &mut JsonWriter<'_>) {
        w.units(self.0, MONEY_DP);
    }

    #[inline]
    fn push(self, out: &mut String) {
        if self.0 == 0 {
            // Most rows' late charges.
            out.push_str("\"0.00\"");
        } else {
            write_units_between(out, self.0, MONEY_DP, Some(b'"'));
        }
    }
}

/// One instalment's fields, in the order of [`super::model::Instalment`].
struct Row<M> {
    n: u32,
    due: CivilDate,
    amount: M,
    profit: M,
    principal: M,
    outstanding_cost: M,
    outstanding_price: M,
    covered_on: Option<CivilDate>,
    days_late: u32,
    tawidh: M,
    gharamah: M,
}

/// The contract's own figures, in the order of [`ContractResult`].
struct Totals<M> {
    selling_price: M,
    profit: M,
    monthly_rate: Decimal,
    paid: M,
    tawidh: M,
    gharamah: M,
    recognised_profit: M,
    deferred_profit: M,
    settlement: Option<(CivilDate, M, M, M)>,
}

/// The writer of one instalment row in one layout: its text between the
/// figures pushed as constant runs, each key with the punctuation around
/// it in one run (and a missing `covered_on` with its neighbours' keys),
/// where the general layout writes every separator and key on its own.
/// The rows are most of a result's bytes. The same bytes as the general
/// layout (the tests hold the commands' output to `serde_json`'s). `$open`
/// starts the row up to its first key, `$sep` goes before each later key,
/// `$colon` after every key, `$close` ends the row.
macro_rules! row_writer {
    ($name:ident, $doc:literal, $open:literal, $sep:literal, $colon:literal, $close:literal) => {
        #[doc = $doc]
        fn $name<M: Money>(out: &mut String, i: &Row<M>) {
            macro_rules! key {
                ($key:literal) => {
                    concat!($sep, "\"", $key, "\"", $colon)
                };
            }
            out.push_str(concat!($open, "\"n\"", $colon));
            write_count(out, u64::from(i.n));
            out.push_str(concat!(key!("due"), "\""));
            write_date(out, i.due);
            out.push_str(concat!("\"", key!("amount")));
            i.amount.push(out);
            out.push_str(key!("profit"));
            i.profit.push(out);
            out.push_str(key!("principal"));
            i.principal.push(out);
            out.push_str(key!("outstanding_cost"));
            i.outstanding_cost.push(out);
            out.push_str(key!("outstanding_price"));
            i.outstanding_price.push(out);
            match i.covered_on {
                Some(date) => {
                    out.push_str(concat!(key!("covered_on"), "\""));
                    write_date(out, date);
                    out.push_str(concat!("\"", key!("days_late")));
                }
                None => out.push_str(concat!(key!("covered_on"), "null", key!("days_late"))),
            }
            write_count(out, u64::from(i.days_late));
            out.push_str(key!("tawidh"));
            i.tawidh.push(out);
            out.push_str(key!("gharamah"));
            i.gharamah.push(out);
            out.push_str($close);
        }
    };
}

row_writer!(
    write_row_pretty,
    "A row pretty in a document (the instalments array four deep).",
    "{\n          ",
    ",\n          ",
    ": ",
    "\n        }"
);

row_writer!(
    write_row_compact,
    "A row compact, in a result on a line of a stream.",
    "{",
    ",",
    ":",
    "}"
);

#[inline(always)]
fn money<M: Money>(w: &mut JsonWriter<'_>, key: &str, value: M) {
    w.key(key);
    value.write(w);
}

fn write<M: Money>(
    w: &mut JsonWriter<'_>,
    id: &str,
    t: &Totals<M>,
    rows: impl Iterator<Item = Row<M>>,
) {
    w.begin_object();
    w.key("id");
    w.string(id);
    money(w, "selling_price", t.selling_price);
    money(w, "profit", t.profit);
    w.key("monthly_rate");
    w.fixed(t.monthly_rate, RATE_DP);
    w.key("instalments");
    w.begin_array();
    for i in rows {
        w.element();
        if let Some(out) = w.text_at(true, 4) {
            write_row_pretty(out, &i);
            continue;
        }
        if let Some(out) = w.text_at(false, 2) {
            write_row_compact(out, &i);
            continue;
        }
        w.begin_object();
        w.key("n");
        w.number(u64::from(i.n));
        w.key("due");
        w.date(i.due);
        money(w, "amount", i.amount);
        money(w, "profit", i.profit);
        money(w, "principal", i.principal);
        money(w, "outstanding_cost", i.outstanding_cost);
        money(w, "outstanding_price", i.outstanding_price);
        w.key("covered_on");
        match i.covered_on {
            Some(date) => w.date(date),
            None => w.null(),
        }
        w.key("days_late");
        w.number(u64::from(i.days_late));
        money(w, "tawidh", i.tawidh);
        money(w, "gharamah", i.gharamah);
        w.end_object();
    }
    w.end_array();
    money(w, "paid", t.paid);
    money(w, "tawidh", t.tawidh);
    money(w, "gharamah", t.gharamah);
    money(w, "recognised_profit", t.recognised_profit);
    money(w, "deferred_profit", t.deferred_profit);
    w.key("settlement");
    match t.settlement {
        Some((date, esc, ibra, amount)) => {
            w.begin_object();
            w.key("date");
            w.date(date);
            money(w, "esc", esc);
            money(w, "ibra", ibra);
            money(w, "amount", amount);
            w.end_object();
        }
        None => w.null(),
    }
    w.end_object();
}

/// Writes one contract's result, field for field as its `Serialize` does.
pub fn write_result(w: &mut JsonWriter<'_>, r: &ContractResult) {
    let totals = Totals {
        selling_price: r.selling_price,
        profit: r.profit,
        monthly_rate: r.monthly_rate,
        paid: r.paid,
        tawidh: r.tawidh,
        gharamah: r.gharamah,
        recognised_profit: r.recognised_profit,
        deferred_profit: r.deferred_profit,
        settlement: r.settlement.map(|s| (s.date, s.esc, s.ibra, s.amount)),
    };
    let rows = r.instalments.iter().map(|i| Row {
        n: i.n,
        due: i.due,
        amount: i.amount,
        profit: i.profit,
        principal: i.principal,
        outstanding_cost: i.outstanding_cost,
        outstanding_price: i.outstanding_price,
        covered_on: i.covered_on,
        days_late: i.days_late,
        tawidh: i.tawidh,
        gharamah: i.gharamah,
    });
    write(w, &r.id, &totals, rows);
}

/// Writes the result the engine computed in fixed point: the bytes
/// [`write_result`] writes for [`super::engine::result`] of the same
/// figures, without building it.
pub fn write_figures(w: &mut JsonWriter<'_>, contract: &Contract, f: &Figures, s: &Schedule) {
    let totals = Totals {
        selling_price: Cents(f.selling_price),
        profit: Cents(f.profit),
        monthly_rate: Decimal::new(f.monthly_rate, RATE_DP),
        paid: Cents(f.paid),
        tawidh: Cents(f.tawidh),
        gharamah: Cents(f.gharamah),
        recognised_profit: Cents(f.recognised_profit),
        deferred_profit: Cents(f.deferred_profit),
        settlement: f
            .settlement
            .map(|(date, esc, ibra, amount)| (date, Cents(esc), Cents(ibra), Cents(amount))),
    };
    let rows = (0..contract.term_months as usize).map(|k| Row {
        n: k as u32 + 1,
        due: s.dues[k],
        amount: Cents(s.amounts[k]),
        profit: Cents(s.profits[k]),
        principal: Cents(s.amounts[k] - s.profits[k]),
        outstanding_cost: Cents(s.outstanding_cost[k]),
        outstanding_price: Cents(s.outstanding_price[k]),
        covered_on: s.covered_on[k],
        days_late: s.days_late[k],
        tawidh: Cents(s.tawidh[k]),
        gharamah: Cents(s.gharamah[k]),
    });
    write(w, &contract.id, &totals, rows);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::murabaha::fixed::Prepared;
    use crate::murabaha::model::MurabahaOutput;

    /// The engine's figures written by hand, pretty in a document and
    /// compact on a line, against `serde_json`'s text of the result they
    /// stand for: rows paid, late and unpaid, with and without settlement.
    #[test]
    fn figures_are_written_as_serde_writes_their_result() {
        let input = crate::murabaha::generate::generate(200, 13);
        let prepared = Prepared::new(input.as_of, &input.late_policy);
        let mut schedule = Schedule::for_contracts(&input.contracts).with_every_column();
        let (mut written, mut unpaid) = (0, 0);
        for contract in &input.contracts {
            let Some(f) = prepared.process(contract, &mut schedule) else {
                continue;
            };
            let result = crate::murabaha::engine::result(contract, &f, &schedule);
            unpaid += result
                .instalments
                .iter()
                .filter(|i| i.covered_on.is_none())
                .count();
            let mut pretty = String::new();
            let mut w = JsonWriter::new(&mut pretty, true);
            w.begin_object();
            w.key("contracts");
            w.begin_array();
            w.element();
            write_figures(&mut w, contract, &f, &schedule);
            w.end_array();
            w.end_object();
            let document = MurabahaOutput {
                contracts: vec![result.clone()],
            };
            assert_eq!(pretty, serde_json::to_string_pretty(&document).unwrap());
            let mut compact = String::new();
            let mut w = JsonWriter::new(&mut compact, false);
            w.element();
            write_figures(&mut w, contract, &f, &schedule);
            assert_eq!(compact, serde_json::to_string(&result).unwrap());
            written += 1;
        }
        assert!(written > 150 && unpaid > 0, "{written} {unpaid}");
    }
}
