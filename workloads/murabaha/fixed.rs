//! The murabaha rules in fixed point: the contract processing of the
//! optimized pipeline.
//!
//! Money is an `i64` count of cents, rates keep their own places, products
//! are taken in `i128`, and a contract's schedule lives in a [`Schedule`]
//! whose vectors are reused from contract to contract (no allocation once
//! they have grown to the longest term). The reference
//! ([`super::rules::process`]) computes in `Decimal`; as in
//! [`crate::zakat::fixed`], a contract whose arithmetic could leave the fast
//! domain (an input with more than two places, a product at or above
//! 2^96, a date past the calendar's end, a plan the rules refuse) is handed
//! back as `None` for the reference to process, so every contract gets
//! exactly the reference's figures, errors included.
//!
//! The effective monthly rate, which the reference finds by Newton's
//! method in `Decimal` (most of its time), is found here in `f64`, and then
//! proved: the rate `r` of 10 places is the reference's answer exactly when
//! the present value at `r − ½·10⁻¹⁰` is at least the cost and at
//! `r + ½·10⁻¹⁰` below it ([`super::rules::is_effective_rate`]). The `f64`
//! present values carry an error bound; where a margin is smaller than the
//! bound, the check is made in `Decimal`, as the reference makes it.

use rust_decimal::Decimal;

use super::model::{Contract, LatePolicy, Pricing, Recognition};
use super::rules::{
    DAYS_PER_YEAR, RATE_DP, annuity_instalment, annuity_monthly_rate, effective_monthly_rate,
    is_effective_rate,
};
use crate::date::CivilDate;
use crate::money::{Num, cents_num, div_round_half_up};

/// The scratch of one contract's schedule, kept from contract to contract.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// Instalment amounts, cents.
    pub amounts: Vec<i64>,
    /// Profit recognised each period, cents.
    pub profits: Vec<i64>,
    /// Due dates.
    pub dues: Vec<CivilDate>,
    /// The day each instalment was covered, if it was.
    pub covered_on: Vec<Option<CivilDate>>,
    /// Selling price outstanding after each instalment, cents.
    pub outstanding_price: Vec<i64>,
    /// Days late.
    pub days_late: Vec<u32>,
    /// Ta'widh on each instalment, cents.
    pub tawidh: Vec<i64>,
    /// Cost outstanding after each instalment, cents (filled only for a
    /// schedule made [`Schedule::with_every_column`]).
    pub outstanding_cost: Vec<i64>,
    /// Gharamah on each instalment, cents (likewise).
    pub gharamah: Vec<i64>,
    /// Whether to keep the columns that only a full result needs: the
    /// statements print neither, and two more pushes an instalment were a
    /// measurable share of the pipeline's instructions.
    every_column: bool,
    /// The payments in date order: (day, cents).
    payments: Vec<(CivilDate, i64)>,
}

impl Schedule {
    /// Scratch for `contracts`: room for the longest term and the most
    /// payments among them, so that it never grows while they are
    /// processed.
    pub fn for_contracts(contracts: &[Contract]) -> Schedule {
        let terms = contracts.iter().map(|c| c.term_months as usize).max();
        let payments = contracts.iter().map(|c| c.payments.len()).max();
        let (n, p) = (terms.unwrap_or(0), payments.unwrap_or(0));
        Schedule {
            amounts: Vec::with_capacity(n),
            profits: Vec::with_capacity(n),
            dues: Vec::with_capacity(n),
            covered_on: Vec::with_capacity(n),
            outstanding_price: Vec::with_capacity(n),
            days_late: Vec::with_capacity(n),
            tawidh: Vec::with_capacity(n),
            outstanding_cost: Vec::new(),
            gharamah: Vec::new(),
            every_column: false,
            payments: Vec::with_capacity(p),
        }
    }

    /// The same, keeping every column of the reference's instalments
    /// (what the engine's results need).
    pub fn with_every_column(mut self) -> Schedule {
        let n = self.amounts.capacity();
        self.outstanding_cost = Vec::with_capacity(n);
        self.gharamah = Vec::with_capacity(n);
        self.every_column = true;
        self
    }
}

/// One contract's figures, in cents, besides its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// The selling price.
    pub selling_price: i64,
    /// The profit.
    pub profit: i64,
    /// The monthly rate, in units of 10^-10.
    pub monthly_rate: i64,
    /// Payments received.
    pub paid: i64,
    /// Ta'widh charged.
    pub tawidh: i64,
    /// Gharamah charged.
    pub gharamah: i64,
    /// Profit recognised by the statement date.
    pub recognised_profit: i64,
    /// Profit deferred.
    pub deferred_profit: i64,
    /// The settlement quote: (day, charge, ibra', amount).
    pub settlement: Option<(CivilDate, i64, i64, i64)>,
}

/// What every contract of a file shares, computed once.
#[derive(Debug, Clone, Copy)]
pub struct Prepared {
    /// The statement date.
    pub as_of: CivilDate,
    as_of_day: i64,
    tawidh_rate: Num,
    gharamah_rate: Num,
}

/// Cents of a money input, if it has at most two places.
pub fn cents(value: Decimal) -> Option<i64> {
    (value.scale() <= 2)
        .then(|| Num::of(value).cents())
        .flatten()
}

/// A sum, or `None` past `i64` (the reference then processes the
/// contract: no figure here ever wraps).
fn checked_sum(values: impl IntoIterator<Item = i64>) -> Option<i64> {
    values.into_iter().try_fold(0i64, i64::checked_add)
}

/// `round(amount × rate × days / 365)` to the cent: the reference's
/// `late_charge`.
fn late_charge(amount: i64, rate: Num, days: u32) -> Option<i64> {
    if days == 0 || rate.mantissa == 0 {
        return Some(0);
    }
    cents_num(amount)
        .times(rate)?
        .times(Num::int(days))?
        .div_cents(i128::from(DAYS_PER_YEAR))
}

impl Prepared {
    /// Hoists the statement date's day number and the late-charge rates.
    pub fn new(as_of: CivilDate, late_policy: &LatePolicy) -> Prepared {
        Prepared {
            as_of,
            as_of_day: as_of.day_number_arith(),
            tawidh_rate: Num::of(late_policy.tawidh_annual_rate),
            gharamah_rate: Num::of(late_policy.gharamah_annual_rate),
        }
    }

    /// Processes one contract into `schedule`, or `None` where the
    /// reference must (see the module's documentation).
    // ANCHOR: process
    pub fn process(&self, contract: &Contract, schedule: &mut Schedule) -> Option<Figures> {
        let n = contract.term_months as usize;
        let cost = cents(contract.cost)?;
        let monthly_rate = plan(contract, cost, &mut schedule.amounts)?;
        let selling_price = checked_sum(schedule.amounts.iter().copied())?;
        let profit = selling_price.checked_sub(cost)?;
        let monthly_rate = match monthly_rate {
            Some(rate) => rate,
            None => effective_rate(contract.cost, cost, &schedule.amounts)?,
        };
        recognise(
            contract.recognition,
            cost,
            profit,
            monthly_rate,
            &schedule.amounts,
            &mut schedule.profits,
        )?;

        // Payments in date order (a stable sort, as the reference's), and
        // the day each instalment is covered on.
        schedule.payments.clear();
        for payment in &contract.payments {
            schedule
                .payments
                .push((payment.date, cents(payment.amount)?));
        }
        if !schedule.payments.is_sorted_by_key(|p| p.0) {
            schedule.payments.sort_by_key(|p| p.0);
        }
        let paid = checked_sum(schedule.payments.iter().map(|p| p.1))?;
        if paid > selling_price {
            return None;
        }
        let (mut paid_so_far, mut due_so_far, mut next_payment) = (0i64, 0i64, 0);
        let mut last_date = None;

        schedule.dues.clear();
        schedule.covered_on.clear();
        schedule.outstanding_price.clear();
        schedule.days_late.clear();
        schedule.tawidh.clear();
        schedule.outstanding_cost.clear();
        schedule.gharamah.clear();
        let (mut tawidh_total, mut gharamah_total) = (0i64, 0i64);
        let mut outstanding_price = selling_price;
        let mut outstanding_cost = cost;
        let (mut recognised_profit, mut profit_to_settlement) = (0i64, 0i64);
        let mut settled_cost = None;
        let settlement_day = contract.early_settlement.map(|s| s.date);
        for k in 0..n {
            let amount = schedule.amounts[k];
            let due = contract.first_due.add_months_arith(k as u32)?;
            due_so_far = due_so_far.checked_add(amount)?;
            while paid_so_far < due_so_far && next_payment < schedule.payments.len() {
                let (day, cents) = schedule.payments[next_payment];
                paid_so_far = paid_so_far.checked_add(cents)?;
                last_date = Some(day);
                next_payment += 1;
            }
            let covered_on = if paid_so_far >= due_so_far {
                last_date
            } else {
                None
            };
            let late_to = match covered_on {
                Some(day) => day.day_number_arith(),
                None => self.as_of_day,
            };
            let days_late = (late_to - due.day_number_arith()).max(0) as u32;
            let tawidh = late_charge(amount, self.tawidh_rate, days_late)?;
            let gharamah = late_charge(amount, self.gharamah_rate, days_late)?;
            tawidh_total = tawidh_total.checked_add(tawidh)?;
            gharamah_total = gharamah_total.checked_add(gharamah)?;
            outstanding_price = outstanding_price.checked_sub(amount)?;
            let principal = amount.checked_sub(schedule.profits[k])?;
            outstanding_cost = outstanding_cost.checked_sub(principal)?;
            if due <= self.as_of {
                recognised_profit = recognised_profit.checked_add(schedule.profits[k])?;
            }
            if let Some(day) = settlement_day
                && due <= day
            {
                profit_to_settlement = profit_to_settlement.checked_add(schedule.profits[k])?;
                settled_cost = Some(outstanding_cost);
            }
            schedule.dues.push(due);
            schedule.covered_on.push(covered_on);
            schedule.outstanding_price.push(outstanding_price);
            schedule.days_late.push(days_late);
            schedule.tawidh.push(tawidh);
            if schedule.every_column {
                schedule.outstanding_cost.push(outstanding_cost);
                schedule.gharamah.push(gharamah);
            }
        }

        let settlement = match contract.early_settlement {
            None => None,
            Some(request) => {
                let last_due = *schedule.dues.last()?;
                let days_left =
                    (last_due.day_number_arith() - request.date.day_number_arith()) as u32;
                let esc = late_charge(
                    settled_cost?.max(0),
                    Num::of(request.esc_annual_rate),
                    days_left,
                )?;
                let deferred = profit.checked_sub(profit_to_settlement)?;
                let ibra = deferred.checked_sub(esc)?.max(0);
                let amount =
                    checked_sum([selling_price, -paid, tawidh_total, gharamah_total, -ibra])?;
                Some((request.date, esc, ibra, amount))
            }
        };
        Some(Figures {
            selling_price,
            profit,
            monthly_rate,
            paid,
            tawidh: tawidh_total,
            gharamah: gharamah_total,
            recognised_profit,
            deferred_profit: profit.checked_sub(recognised_profit)?,
            settlement,
        })
    }
    // ANCHOR_END: process
}

/// The instalment amounts of the pricing method into `amounts`; the
/// monthly rate where the method sets it (annuity), in 10^-10 units.
pub fn plan(contract: &Contract, cost: i64, amounts: &mut Vec<i64>) -> Option<Option<i64>> {
    let n = contract.term_months;
    amounts.clear();
    match contract.pricing {
        Pricing::Markup { markup } => {
            let profit = cents_num(cost).times(Num::of(markup))?.cents()?;
            level(cost.checked_add(profit)?, n, amounts)?;
            Some(None)
        }
        Pricing::Flat { annual_rate } => {
            let profit = cents_num(cost)
                .times(Num::of(annual_rate))?
                .times(Num::int(n))?
                .div_cents(12)?;
            level(cost.checked_add(profit)?, n, amounts)?;
            Some(None)
        }
        Pricing::Annuity { annual_rate } => {
            let i = annuity_monthly_rate(annual_rate);
            // The reference's own Decimal computation of the instalment (a
            // dozen operations a contract), on the cost as written.
            let instalment = cents(annuity_instalment(contract.cost, i, n).ok()?)?;
            let rate = Num::of(i);
            let mut outstanding = cost;
            for _ in 1..n {
                let profit = cents_num(outstanding).times(rate)?.cents()?;
                outstanding = outstanding.checked_sub(instalment.checked_sub(profit)?)?;
                amounts.push(instalment);
            }
            if outstanding < 0 {
                return None;
            }
            let last_profit = cents_num(outstanding).times(rate)?.cents()?;
            amounts.push(outstanding.checked_add(last_profit)?);
            Some(Some(rate.units(RATE_DP)?))
        }
    }
}

/// `round(selling_price / n)` each, the last taking the rest.
fn level(selling_price: i64, n: u32, amounts: &mut Vec<i64>) -> Option<()> {
    let instalment =
        i64::try_from(div_round_half_up(i128::from(selling_price), i128::from(n))?).ok()?;
    let last = selling_price - instalment * i64::from(n - 1);
    if last < 0 {
        return None;
    }
    amounts.resize(n as usize - 1, instalment);
    amounts.push(last);
    Some(())
}

/// The profit recognised each period of the plan `amounts` into
/// `profits`.
pub fn recognise(
    method: Recognition,
    cost: i64,
    profit: i64,
    monthly_rate: i64,
    amounts: &[i64],
    profits: &mut Vec<i64>,
) -> Option<()> {
    let n = amounts.len();
    profits.clear();
    match method {
        Recognition::Effective => {
            let rate = Num {
                mantissa: i128::from(monthly_rate),
                scale: RATE_DP,
            };
            let mut outstanding = cost;
            for amount in &amounts[..n - 1] {
                let period = cents_num(outstanding).times(rate)?.cents()?;
                outstanding = outstanding.checked_add(period)?.checked_sub(*amount)?;
                profits.push(period);
            }
        }
        Recognition::StraightLine => {
            let each = i64::try_from(div_round_half_up(i128::from(profit), n as i128)?).ok()?;
            profits.resize(n - 1, each);
        }
        Recognition::RuleOf78 => {
            let digits = (n * (n + 1) / 2) as i128;
            for k in 1..n {
                let weight = (n - k + 1) as i128;
                let period = div_round_half_up(i128::from(profit) * weight, digits)?;
                profits.push(i64::try_from(period).ok()?);
            }
        }
    }
    let earlier = checked_sum(profits.iter().copied())?;
    profits.push(profit.checked_sub(earlier)?);
    Some(())
}

// ANCHOR: effective_rate
/// The effective monthly rate in 10^-10 units: Newton's method in `f64`,
/// then the answer proved (see the module's documentation), and the
/// reference's own search where no candidate can be proved; `None` for a
/// rate too large for the units (the reference then processes the
/// contract). `cost_as_written` is the cost as the reference holds it, for
/// the checks made in `Decimal`.
fn effective_rate(cost_as_written: Decimal, cost: i64, amounts: &[i64]) -> Option<i64> {
    let estimate = newton(cost as f64, amounts);
    let candidate = (estimate.max(0.0) * 1e10 + 0.5).floor() as i64;
    for r in [candidate, candidate - 1, candidate + 1] {
        if r >= 0 {
            match brackets(cost, amounts, r) {
                Some(true) => return Some(r),
                Some(false) => continue,
                None if decimal_brackets(cost_as_written, amounts, r) => return Some(r),
                None => continue,
            }
        }
    }
    let amounts: Vec<Decimal> = amounts.iter().map(|a| Decimal::new(*a, 2)).collect();
    let rate = effective_monthly_rate(cost_as_written, &amounts);
    Num::of(rate).units(RATE_DP)
}

/// Newton's method on `pv(i) − cost` in `f64`, from the same start as the
/// reference.
fn newton(cost: f64, amounts: &[i64]) -> f64 {
    let total: f64 = amounts.iter().map(|a| *a as f64).sum();
    let n = amounts.len() as f64;
    let mut rate = (total - cost) / cost * 2.0 / (n + 1.0);
    for _ in 0..50 {
        let discount = 1.0 / (1.0 + rate);
        let (mut pv, mut slope, mut power) = (0.0, 0.0, 1.0);
        for (k, amount) in amounts.iter().enumerate() {
            power *= discount;
            let term = *amount as f64 * power;
            pv += term;
            slope -= (k + 1) as f64 * term * discount;
        }
        if slope == 0.0 {
            break;
        }
        let step = (pv - cost) / slope;
        rate -= step;
        if rate.is_nan() || rate <= -0.5 {
            return 0.0;
        }
        if step.abs() < 1e-15 {
            break;
        }
    }
    rate
}

/// The present value in cents at `rate`, by Horner's rule as the reference
/// computes it, in `f64`.
fn present_value(amounts: &[i64], rate: f64) -> f64 {
    let discount = 1.0 / (1.0 + rate);
    amounts
        .iter()
        .rev()
        .fold(0.0, |acc, amount| (acc + *amount as f64) * discount)
}

/// Whether `r` brackets the root: `Some` where both margins exceed the
/// error bound, `None` where one of them is too close to call in `f64`.
///
/// The bound: each of the n Horner steps and the discount round once in
/// `f64` (relative error 2^-53 each) and the rate's own conversion moves
/// the value by less than n such errors; the reference's `Decimal` keeps
/// 28 digits, so its own error is some 10^-27 a step. (4n + 8) × 2^-52 of
/// the present value covers both with room to spare.
fn brackets(cost: i64, amounts: &[i64], r: i64) -> Option<bool> {
    let bound = |pv: f64| pv * (4.0 * amounts.len() as f64 + 8.0) * f64::EPSILON;
    let cost = cost as f64;
    let lo = ((r as f64 - 0.5) / 1e10).max(0.0);
    let hi = (r as f64 + 0.5) / 1e10;
    let (pv_lo, pv_hi) = (present_value(amounts, lo), present_value(amounts, hi));
    let lo_ok = pv_lo - cost;
    let hi_ok = cost - pv_hi;
    if lo_ok.abs() <= bound(pv_lo) || hi_ok.abs() <= bound(pv_hi) {
        return None;
    }
    Some(lo_ok > 0.0 && hi_ok > 0.0)
}

/// The bracket check made in `Decimal`, exactly as the reference makes it.
#[cold]
fn decimal_brackets(cost: Decimal, amounts: &[i64], r: i64) -> bool {
    // The reference's amounts all have two places, as these.
    let amounts: Vec<Decimal> = amounts.iter().map(|a| Decimal::new(*a, 2)).collect();
    is_effective_rate(cost, &amounts, Decimal::new(r, RATE_DP))
}
// ANCHOR_END: effective_rate

#[cfg(test)]
mod tests {
    use super::*;
    use crate::murabaha::model::Pricing;
    use crate::murabaha::rules::plan;

    /// The f64 search, its bound, and the Decimal check, against the
    /// reference's rate on generated contracts priced by markup and flat
    /// rate (annuity rates are set, not searched).
    #[test]
    fn the_proved_rate_is_the_references() {
        let input = crate::murabaha::generate::generate(300, 11);
        let mut searched = 0;
        for contract in &input.contracts {
            if matches!(contract.pricing, Pricing::Annuity { .. }) {
                continue;
            }
            let reference = plan(contract).unwrap();
            let amounts: Vec<i64> = reference
                .amounts
                .iter()
                .map(|a| Num::of(*a).cents().unwrap())
                .collect();
            let cost = Num::of(contract.cost).cents().unwrap();
            let expected = Num::of(reference.monthly_rate).units(RATE_DP).unwrap();
            assert_eq!(
                effective_rate(contract.cost, cost, &amounts),
                Some(expected),
                "{}",
                contract.id
            );
            // The exact check passes the rate and no neighbour, and the f64
            // check never says otherwise where it is sure.
            for (r, is_rate) in [
                (expected, true),
                (expected - 1, false),
                (expected + 1, false),
            ] {
                assert_eq!(decimal_brackets(contract.cost, &amounts, r), is_rate);
                assert!(brackets(cost, &amounts, r).is_none_or(|sure| sure == is_rate));
            }
            searched += 1;
        }
        assert!(searched > 150, "{searched}");
    }
}
