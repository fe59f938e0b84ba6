//! The murabaha rules of `MURABAHA.md`, written for the reader in
//! `rust_decimal`: pricing and the instalment plan, the effective monthly
//! rate, profit recognition, payment posting, late charges and the
//! early-settlement quote. The reference every lesson is checked against.

use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::input::InputError;
use crate::money::{MONEY_DP, MoneyError, add_exact, mul_div_round, mul_exact, round_money};

use super::model::{
    Contract, ContractResult, Instalment, LatePolicy, MurabahaInput, MurabahaOutput, Pricing,
    Recognition, Settlement,
};

/// Decimal places of a monthly rate.
pub const RATE_DP: u32 = 10;

/// Days in the year of the late-charge and settlement-charge formulas.
pub const DAYS_PER_YEAR: u32 = 365;

/// A contract that cannot be processed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessError {
    /// The field within the contract, as `payments` or `cost`.
    pub at: String,
    /// What went wrong, without a trailing period.
    pub message: String,
}

impl ProcessError {
    #[cold]
    fn new(at: impl Into<String>, message: impl ToString) -> Self {
        ProcessError {
            at: at.into(),
            message: message.to_string(),
        }
    }
}

/// The instalment plan a pricing method produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The instalment amounts, the last one absorbing rounding.
    pub amounts: Vec<Decimal>,
    /// Their sum.
    pub selling_price: Decimal,
    /// `selling_price − cost`.
    pub profit: Decimal,
    /// The monthly rate of the effective method.
    pub monthly_rate: Decimal,
}

/// Processes every contract of a file, in order.
pub fn process_all(input: &MurabahaInput) -> Result<MurabahaOutput, InputError> {
    let contracts = input
        .contracts
        .iter()
        .enumerate()
        .map(|(idx, contract)| {
            process(contract, input.as_of, &input.late_policy)
                .map_err(|e| InputError::new(format!("contracts[{idx}].{}", e.at), e.message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MurabahaOutput { contracts })
}

/// Processes one contract as of `as_of`.
// ANCHOR: process
pub fn process(
    contract: &Contract,
    as_of: CivilDate,
    late_policy: &LatePolicy,
) -> Result<ContractResult, ProcessError> {
    let money = |at: &'static str| move |e: MoneyError| ProcessError::new(at, e);
    let plan = plan(contract)?;
    let n = contract.term_months;
    let due_dates =
        due_dates(contract.first_due, n).map_err(|e| ProcessError::new("first_due", e))?;
    let recognised =
        recognition(contract.recognition, contract.cost, &plan).map_err(money("cost"))?;
    let covered_on = cover(&contract.payments, &plan.amounts)?;

    let mut instalments = Vec::new();
    let mut outstanding_cost = contract.cost;
    let mut outstanding_price = plan.selling_price;
    let (mut tawidh_total, mut gharamah_total) = (Decimal::ZERO, Decimal::ZERO);
    for k in 0..n as usize {
        let amount = plan.amounts[k];
        let profit = recognised[k];
        let principal = amount - profit;
        outstanding_cost -= principal;
        outstanding_price -= amount;
        let due = due_dates[k];
        let days_late = match covered_on[k] {
            Some(day) => due.days_until(day).max(0),
            None => due.days_until(as_of).max(0),
        } as u32;
        let tawidh = late_charge(amount, late_policy.tawidh_annual_rate, days_late)
            .map_err(money("late_policy"))?;
        let gharamah = late_charge(amount, late_policy.gharamah_annual_rate, days_late)
            .map_err(money("late_policy"))?;
        tawidh_total += tawidh;
        gharamah_total += gharamah;
        instalments.push(Instalment {
            n: k as u32 + 1,
            due,
            amount,
            profit,
            principal,
            outstanding_cost,
            outstanding_price,
            covered_on: covered_on[k],
            days_late,
            tawidh,
            gharamah,
        });
    }

    let paid: Decimal = contract.payments.iter().map(|p| p.amount).sum();
    let recognised_profit = profit_due_by(&instalments, as_of);
    let settlement = match &contract.early_settlement {
        None => None,
        Some(request) => {
            let settled = instalments
                .iter()
                .take_while(|i| i.due <= request.date)
                .last()
                .expect("a settlement is on or after the first due date");
            let deferred = plan.profit - profit_due_by(&instalments, request.date);
            let days_left = request.date.days_until(due_dates[n as usize - 1]) as u32;
            let esc = late_charge(
                settled.outstanding_cost.max(Decimal::ZERO),
                request.esc_annual_rate,
                days_left,
            )
            .map_err(money("early_settlement.esc_annual_rate"))?;
            let ibra = (deferred - esc).max(Decimal::ZERO);
            Some(Settlement {
                date: request.date,
                esc,
                ibra,
                amount: plan.selling_price - paid + tawidh_total + gharamah_total - ibra,
            })
        }
    };

    Ok(ContractResult {
        id: contract.id.clone(),
        selling_price: plan.selling_price,
        profit: plan.profit,
        monthly_rate: plan.monthly_rate,
        instalments,
        paid,
        tawidh: tawidh_total,
        gharamah: gharamah_total,
        recognised_profit,
        deferred_profit: plan.profit - recognised_profit,
        settlement,
    })
}
// ANCHOR_END: process

/// The sum of the profit recognised on instalments due on or before `day`.
fn profit_due_by(instalments: &[Instalment], day: CivilDate) -> Decimal {
    instalments
        .iter()
        .take_while(|i| i.due <= day)
        .map(|i| i.profit)
        .sum()
}

/// The due dates: `first_due + (k − 1)` months, clamped to month ends.
pub fn due_dates(
    first_due: CivilDate,
    n_instalments: u32,
) -> Result<Vec<CivilDate>, crate::date::DateError> {
    (0..n_instalments)
        .map(|k| first_due.add_months(k))
        .collect()
}

/// The instalment plan of a contract's pricing method.
pub fn plan(contract: &Contract) -> Result<Plan, ProcessError> {
    let amounts = amounts(contract)?;
    let selling_price: Decimal = amounts.iter().sum();
    let profit = selling_price - contract.cost;
    let monthly_rate = match contract.pricing {
        Pricing::Annuity { annual_rate } => annuity_monthly_rate(annual_rate),
        Pricing::Markup { .. } | Pricing::Flat { .. } => {
            effective_monthly_rate(contract.cost, &amounts)
        }
    };
    Ok(Plan {
        amounts,
        selling_price,
        profit,
        monthly_rate,
    })
}

/// The instalment amounts of a contract's pricing method.
pub fn amounts(contract: &Contract) -> Result<Vec<Decimal>, ProcessError> {
    let n = contract.term_months;
    let cost = contract.cost;
    let money = |e: MoneyError| ProcessError::new("pricing", e);
    Ok(match contract.pricing {
        Pricing::Markup { markup } => {
            let profit = round_money(mul_exact(cost, markup).map_err(money)?);
            level_instalments(add_exact(cost, profit).map_err(money)?, n)?
        }
        Pricing::Flat { annual_rate } => {
            let profit = mul_div_round(
                mul_exact(
                    mul_exact(cost, annual_rate).map_err(money)?,
                    Decimal::from(n),
                )
                .map_err(money)?,
                Decimal::from(12),
                MONEY_DP,
            )
            .map_err(money)?;
            level_instalments(add_exact(cost, profit).map_err(money)?, n)?
        }
        Pricing::Annuity { annual_rate } => {
            annuity_instalments(cost, annuity_monthly_rate(annual_rate), n)?
        }
    })
}

/// `round(selling_price / n)` each, the last absorbing the difference.
fn level_instalments(selling_price: Decimal, n: u32) -> Result<Vec<Decimal>, ProcessError> {
    let instalment = mul_div_round(selling_price, Decimal::from(n), MONEY_DP)
        .map_err(|e| ProcessError::new("cost", e))?;
    let last = selling_price - instalment * Decimal::from(n - 1);
    if last.is_sign_negative() && !last.is_zero() {
        return Err(too_small(n));
    }
    let mut amounts = Vec::with_capacity(n as usize);
    amounts.resize(n as usize - 1, instalment);
    amounts.push(last);
    Ok(amounts)
}

#[cold]
fn too_small(n: u32) -> ProcessError {
    ProcessError::new(
        "cost",
        format!("is too small to spread over {n} instalments (the last would be negative)"),
    )
}

/// The monthly rate of annuity pricing: `annual_rate / 12`, to 10 places.
pub fn annuity_monthly_rate(annual_rate: Decimal) -> Decimal {
    mul_div_round(annual_rate, Decimal::from(12), RATE_DP)
        // An input rate is below 10^16 with at most ten places: its mantissa
        // times 10^10 fits an i128, and a twelfth of it a Decimal.
        .expect("a rate below 10^16 divides by 12 exactly enough")
}

/// Level instalments `round(cost × i / (1 − (1 + i)^−n))`, run on the
/// outstanding cost; the last is `O_{n−1} + round(O_{n−1} × i)`.
fn annuity_instalments(cost: Decimal, i: Decimal, n: u32) -> Result<Vec<Decimal>, ProcessError> {
    let money = |e: MoneyError| ProcessError::new("pricing", e);
    let instalment = annuity_instalment(cost, i, n)?;
    let mut amounts = Vec::with_capacity(n as usize);
    let mut outstanding = cost;
    for _ in 1..n {
        let profit = round_money(mul_exact(outstanding, i).map_err(money)?);
        outstanding -= instalment - profit;
        amounts.push(instalment);
    }
    if outstanding.is_sign_negative() && !outstanding.is_zero() {
        return Err(too_small(n));
    }
    amounts.push(outstanding + round_money(mul_exact(outstanding, i).map_err(money)?));
    Ok(amounts)
}

/// The level annuity instalment `round(cost × i / (1 − (1 + i)^−n))`.
pub fn annuity_instalment(cost: Decimal, i: Decimal, n: u32) -> Result<Decimal, ProcessError> {
    let money = |e: MoneyError| ProcessError::new("pricing", e);
    if i.is_zero() {
        return mul_div_round(cost, Decimal::from(n), MONEY_DP).map_err(money);
    }
    // (1 + i)^n to 28 significant digits: its error is some 10^-25 of the
    // instalment, far below the half cent the rounding looks at.
    let growth = pow(Decimal::ONE + i, n).ok_or_else(|| money(MoneyError::Overflow))?;
    let exact = cost
        .checked_mul(i)
        .and_then(|x| x.checked_mul(growth))
        .and_then(|x| x.checked_div(growth - Decimal::ONE))
        .ok_or_else(|| money(MoneyError::Overflow))?;
    Ok(round_money(exact))
}

/// `base^exponent` by repeated squaring, to `Decimal`'s precision.
fn pow(base: Decimal, mut exponent: u32) -> Option<Decimal> {
    let (mut result, mut square) = (Decimal::ONE, base);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result.checked_mul(square)?;
        }
        square = square.checked_mul(square)?;
        exponent >>= 1;
    }
    Some(result)
}

/// The present value of the instalments at monthly rate `i`:
/// `Σ amount_k / (1 + i)^k`, by Horner's rule from the last instalment.
pub fn present_value(amounts: &[Decimal], i: Decimal) -> Decimal {
    let discount = Decimal::ONE / (Decimal::ONE + i);
    amounts
        .iter()
        .rev()
        .fold(Decimal::ZERO, |acc, amount| (acc + amount) * discount)
}

/// The monthly rate at which the instalments' present value equals the
/// cost, rounded half-up to 10 places, with the rounding made certain: the
/// root is bracketed and the bracket narrowed until both ends round to the
/// same value.
///
/// The present value falls as the rate rises, so `[lo, hi]` brackets the
/// root while `pv(lo) >= cost > pv(hi)`. Newton's method finds the root to
/// far better than 10 places in a few steps; the answer is then checked by
/// the bracket `[r − ½·10⁻¹⁰, r + ½·10⁻¹⁰)` around its rounding `r`, and
/// only if that check fails (which no test input has done) does plain
/// bisection narrow a wide bracket to the same certainty.
pub fn effective_monthly_rate(cost: Decimal, amounts: &[Decimal]) -> Decimal {
    let round = |x: Decimal| crate::money::round_half_up(x, RATE_DP);
    let brackets = |r: Decimal| is_effective_rate(cost, amounts, r);

    let estimate = newton_rate(cost, amounts);
    let candidate = round(estimate.max(Decimal::ZERO));
    if brackets(candidate) {
        return candidate;
    }

    let (mut lo, mut hi) = (Decimal::ZERO, Decimal::ONE);
    while present_value(amounts, hi) >= cost {
        lo = hi;
        hi *= Decimal::TWO;
    }
    while round(lo) != round(hi) {
        let mid = (lo + hi) / Decimal::TWO;
        if present_value(amounts, mid) >= cost {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    round(lo)
}

/// Whether `r` (10 places) is the effective monthly rate: whether the
/// present value, computed as [`effective_monthly_rate`] computes it, is at
/// least `cost` at `r − ½·10⁻¹⁰` (or zero) and below it at `r + ½·10⁻¹⁰`.
/// The present value falls as the rate rises, even as rounded, so at most
/// one rate of 10 places passes, and the rate the function returns does.
pub fn is_effective_rate(cost: Decimal, amounts: &[Decimal], r: Decimal) -> bool {
    let half_step = Decimal::new(5, RATE_DP + 1);
    let lo = (r - half_step).max(Decimal::ZERO);
    present_value(amounts, lo) >= cost && present_value(amounts, r + half_step) < cost
}

/// Newton's method on `pv(i) − cost`, from the flat-rate rule of thumb.
fn newton_rate(cost: Decimal, amounts: &[Decimal]) -> Decimal {
    let total: Decimal = amounts.iter().sum();
    let n = Decimal::from(amounts.len());
    let mut rate = (total - cost) / cost * Decimal::TWO / (n + Decimal::ONE);
    let tolerance = Decimal::new(1, 16);
    for _ in 0..50 {
        let discount = Decimal::ONE / (Decimal::ONE + rate);
        // pv = Σ a_k v^k and pv' = −Σ k a_k v^(k+1), in one pass.
        let (mut pv, mut slope, mut power) = (Decimal::ZERO, Decimal::ZERO, Decimal::ONE);
        for (k, amount) in amounts.iter().enumerate() {
            power *= discount;
            pv += amount * power;
            slope -= Decimal::from(k + 1) * amount * power * discount;
        }
        if slope.is_zero() {
            break;
        }
        let step = (pv - cost) / slope;
        rate -= step;
        if rate <= -Decimal::ONE / Decimal::TWO {
            // Far off (never seen): stop, and let the caller's bracket
            // check fall back to bisection.
            return Decimal::ZERO;
        }
        if step.abs() < tolerance {
            break;
        }
    }
    rate
}

/// The profit recognised in each period under `method`; the last period
/// takes what the others leave, so the amounts sum to the plan's profit.
pub fn recognition(
    method: Recognition,
    cost: Decimal,
    plan: &Plan,
) -> Result<Vec<Decimal>, MoneyError> {
    let n = plan.amounts.len();
    let mut amounts = Vec::with_capacity(n);
    match method {
        Recognition::Effective => {
            let mut outstanding = cost;
            for amount in &plan.amounts[..n - 1] {
                let profit = round_money(mul_exact(outstanding, plan.monthly_rate)?);
                outstanding = outstanding + profit - amount;
                amounts.push(profit);
            }
        }
        Recognition::StraightLine => {
            let each = mul_div_round(plan.profit, Decimal::from(n), MONEY_DP)?;
            amounts.resize(n - 1, each);
        }
        Recognition::RuleOf78 => {
            let digits = Decimal::from(n * (n + 1) / 2);
            for k in 1..n {
                let weight = Decimal::from(n - k + 1);
                amounts.push(mul_div_round(
                    mul_exact(plan.profit, weight)?,
                    digits,
                    MONEY_DP,
                )?);
            }
        }
    }
    let earlier: Decimal = amounts.iter().sum();
    amounts.push(plan.profit - earlier);
    Ok(amounts)
}

/// Applies payments to instalments in due order: instalment k is covered
/// on the date of the payment that brings the payments' running total to
/// the sum of the first k instalments. Payments are taken in date order
/// (input order among payments of one day).
pub fn cover(
    payments: &[super::model::Payment],
    amounts: &[Decimal],
) -> Result<Vec<Option<CivilDate>>, ProcessError> {
    let mut by_date: Vec<_> = payments.to_vec();
    by_date.sort_by_key(|p| p.date);
    let selling_price: Decimal = amounts.iter().sum();
    let paid: Decimal = by_date.iter().map(|p| p.amount).sum();
    if paid > selling_price {
        return Err(ProcessError::new(
            "payments",
            format!(
                "they total {}, more than the selling price {}",
                crate::money::format_fixed(paid, MONEY_DP),
                crate::money::format_fixed(selling_price, MONEY_DP)
            ),
        ));
    }
    let mut covered_on = Vec::with_capacity(amounts.len());
    let mut payments = by_date.iter();
    let (mut paid_so_far, mut last_date) = (Decimal::ZERO, None);
    let mut due_so_far = Decimal::ZERO;
    for amount in amounts {
        due_so_far += amount;
        while paid_so_far < due_so_far {
            match payments.next() {
                Some(payment) => {
                    paid_so_far += payment.amount;
                    last_date = Some(payment.date);
                }
                None => break,
            }
        }
        covered_on.push(if paid_so_far >= due_so_far {
            last_date
        } else {
            None
        });
    }
    Ok(covered_on)
}

/// `round(amount × annual_rate × days / 365)`, rounded once.
pub fn late_charge(
    amount: Decimal,
    annual_rate: Decimal,
    days: u32,
) -> Result<Decimal, MoneyError> {
    if days == 0 || annual_rate.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let numerator = mul_exact(mul_exact(amount, annual_rate)?, Decimal::from(days))?;
    mul_div_round(numerator, Decimal::from(DAYS_PER_YEAR), MONEY_DP)
}
