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

/// An amount as a result holds it: a `Decimal`, or cents.
trait Money: Copy {
    fn write(self, w: &mut JsonWriter<'_>);
}

impl Money for Decimal {
    #[inline]
    fn write(self, w: &mut JsonWriter<'_>) {
        w.money(self);
    }
}

/// Cents, as the fixed-point schedule holds them.
#[derive(Clone, Copy)]
struct Cents(i64);

impl Money for Cents {
    #[inline]
    fn write(self, w: &mut JsonWriter<'_>) {
        w.units(self.0, crate::money::MONEY_DP);
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
