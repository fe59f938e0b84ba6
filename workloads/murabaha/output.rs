//! The contract results as JSON, written by hand
//! ([`crate::json::JsonWriter`]): the same bytes as `serde_json` writes
//! for [`ContractResult`], pretty in a document or compact on a line of a
//! stream, several times faster.

use super::model::ContractResult;
use super::rules::RATE_DP;
use crate::json::JsonWriter;

/// Writes one contract's result, field for field as its `Serialize` does.
pub fn write_result(w: &mut JsonWriter<'_>, r: &ContractResult) {
    w.begin_object();
    w.key("id");
    w.string(&r.id);
    w.key("selling_price");
    w.money(r.selling_price);
    w.key("profit");
    w.money(r.profit);
    w.key("monthly_rate");
    w.fixed(r.monthly_rate, RATE_DP);
    w.key("instalments");
    w.begin_array();
    for i in &r.instalments {
        w.element();
        w.begin_object();
        w.key("n");
        w.number(u64::from(i.n));
        w.key("due");
        w.date(i.due);
        w.key("amount");
        w.money(i.amount);
        w.key("profit");
        w.money(i.profit);
        w.key("principal");
        w.money(i.principal);
        w.key("outstanding_cost");
        w.money(i.outstanding_cost);
        w.key("outstanding_price");
        w.money(i.outstanding_price);
        w.key("covered_on");
        match i.covered_on {
            Some(date) => w.date(date),
            None => w.null(),
        }
        w.key("days_late");
        w.number(u64::from(i.days_late));
        w.key("tawidh");
        w.money(i.tawidh);
        w.key("gharamah");
        w.money(i.gharamah);
        w.end_object();
    }
    w.end_array();
    w.key("paid");
    w.money(r.paid);
    w.key("tawidh");
    w.money(r.tawidh);
    w.key("gharamah");
    w.money(r.gharamah);
    w.key("recognised_profit");
    w.money(r.recognised_profit);
    w.key("deferred_profit");
    w.money(r.deferred_profit);
    w.key("settlement");
    match &r.settlement {
        Some(s) => {
            w.begin_object();
            w.key("date");
            w.date(s.date);
            w.key("esc");
            w.money(s.esc);
            w.key("ibra");
            w.money(s.ibra);
            w.key("amount");
            w.money(s.amount);
            w.end_object();
        }
        None => w.null(),
    }
    w.end_object();
}
