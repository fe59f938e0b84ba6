//! The murabaha rules against known answers (every worked example of
//! `MURABAHA.md`, month-end clamps, late charges, settlement) and the
//! invariants of `MURABAHA.md` as property tests over random contracts of
//! every pricing method, recognition method and term from 1 to 420 months.

use mizan::date::CivilDate;
use mizan::murabaha::model::{Contract, LatePolicy, MurabahaInput};
use mizan::murabaha::{ContractResult, process, process_all};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// One contract case: the contract (over defaults), `as_of`, and the
/// fields of its result that must come out exactly so. An `instalments`
/// entry in `expect` lists, per field, the values of every instalment.
struct Case {
    name: &'static str,
    as_of: &'static str,
    contract: Value,
    expect: Value,
}

fn check(case: &Case) {
    let mut contract = json!({
        "id": "C1", "cost": "10000", "term_months": 12, "first_due": "2026-01-31",
        "pricing": { "method": "markup", "markup": "0.12" }
    });
    for (key, value) in case.contract.as_object().unwrap() {
        contract[key] = value.clone();
    }
    let document = json!({ "as_of": case.as_of, "contracts": [contract] });
    let input = MurabahaInput::from_json(&document.to_string())
        .unwrap_or_else(|e| panic!("{}: input refused: {e}", case.name));
    let output = process_all(&input).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    // The domain's engine (what `mizan murabaha process` runs) gives the
    // same result, byte for byte.
    let fast = mizan::murabaha::engine::process_all(&input).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&fast).unwrap(),
        serde_json::to_string_pretty(&output).unwrap(),
        "{}: the engine",
        case.name
    );
    let actual = serde_json::to_value(&output.contracts[0]).unwrap();
    for (field, expected) in case.expect.as_object().unwrap() {
        if field == "instalments" {
            for (column, values) in expected.as_object().unwrap() {
                let column_values: Vec<&Value> = actual["instalments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|row| &row[column])
                    .collect();
                let expected_values: Vec<&Value> = values.as_array().unwrap().iter().collect();
                assert_eq!(
                    column_values, expected_values,
                    "{}: instalments' {column}",
                    case.name
                );
            }
        } else {
            assert_eq!(&actual[field], expected, "{}: field {field}", case.name);
        }
    }
}

fn repeat(value: &str, times: usize) -> Vec<&str> {
    vec![value; times]
}

fn cases() -> Vec<Case> {
    let markup_amounts = [repeat("933.33", 11), vec!["933.37"]].concat();
    vec![
        // ---- Worked examples of MURABAHA.md ----
        Case {
            name: "markup 12 %, 12 months, straight-line",
            as_of: "2026-01-01",
            contract: json!({ "recognition": "straight_line" }),
            expect: json!({
                "profit": "1200.00", "selling_price": "11200.00",
                "instalments": {
                    "amount": markup_amounts,
                    "profit": repeat("100.00", 12)
                }
            }),
        },
        Case {
            name: "markup 12 %, 12 months, rule of 78",
            as_of: "2026-01-01",
            contract: json!({ "recognition": "rule_of_78" }),
            expect: json!({
                "instalments": { "profit": [
                    "184.62", "169.23", "153.85", "138.46", "123.08", "107.69",
                    "92.31", "76.92", "61.54", "46.15", "30.77", "15.38"
                ] }
            }),
        },
        Case {
            name: "markup 12 %, 12 months, effective at 0.0178809323",
            as_of: "2026-01-01",
            contract: json!({ "recognition": "effective" }),
            expect: json!({
                "monthly_rate": "0.0178809323",
                "instalments": { "profit": [
                    "178.81", "165.32", "151.59", "137.61", "123.38", "108.90",
                    "94.15", "79.15", "63.88", "48.33", "32.50", "16.38"
                ] }
            }),
        },
        Case {
            name: "flat 4 % on 100,000 over 60 months, effective",
            as_of: "2026-01-01",
            contract: json!({
                "cost": "100000", "term_months": 60, "recognition": "effective",
                "pricing": { "method": "flat", "annual_rate": "0.04" }
            }),
            expect: json!({
                "profit": "20000.00", "selling_price": "120000.00",
                "instalments": { "amount": repeat("2000.00", 60) }
            }),
        },
        // ---- Annuity pricing (FORMATS.md's example) ----
        Case {
            name: "annuity 8 % on 100,000 over 36 months",
            as_of: "2027-02-01",
            contract: json!({
                "cost": "100000.00", "term_months": 36, "first_due": "2026-02-01",
                "pricing": { "method": "annuity", "annual_rate": "0.08" },
                "payments": [ { "date": "2026-02-01", "amount": "3133.64" } ],
                "early_settlement": { "date": "2027-02-01", "esc_annual_rate": "0.00" }
            }),
            expect: json!({
                "selling_price": "112810.92", "profit": "12810.92", "monthly_rate": "0.0066666667",
                "paid": "3133.64", "tawidh": "173.77", "gharamah": "0.00",
                "recognised_profit": "7351.95", "deferred_profit": "5458.97",
                "settlement": { "date": "2027-02-01", "esc": "0.00", "ibra": "5458.97", "amount": "104392.08" }
            }),
        },
        // ---- Month-end clamps ----
        Case {
            name: "first due on the 31st: every shorter month clamps, leap February too",
            as_of: "2026-01-01",
            contract: json!({ "first_due": "2027-12-31", "term_months": 6 }),
            expect: json!({ "instalments": { "due": [
                "2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"
            ] } }),
        },
        Case {
            name: "first due on 29 February: later months keep the 29th",
            as_of: "2026-01-01",
            contract: json!({ "first_due": "2028-02-29", "term_months": 13 }),
            expect: json!({ "instalments": { "due": [
                "2028-02-29", "2028-03-29", "2028-04-29", "2028-05-29", "2028-06-29", "2028-07-29",
                "2028-08-29", "2028-09-29", "2028-10-29", "2028-11-29", "2028-12-29", "2029-01-29",
                "2029-02-28"
            ] } }),
        },
        // ---- Payments and late charges ----
        Case {
            name: "payments cover in due order; a late one pays ta'widh and gharamah",
            as_of: "2026-04-15",
            contract: json!({
                "term_months": 3, "first_due": "2026-01-31", "cost": "3000",
                "pricing": { "method": "markup", "markup": "0" },
                "payments": [
                    { "date": "2026-03-02", "amount": "1000" },
                    { "date": "2026-01-30", "amount": "600" },
                    { "date": "2026-01-31", "amount": "400" }
                ]
            }),
            expect: json!({
                "paid": "2000.00",
                "instalments": {
                    "covered_on": ["2026-01-31", "2026-03-02", null],
                    "days_late": [0, 2, 15],
                    // 1000 × 1 % × 2 / 365 = 0.0548 → 0.05; × 15 → 0.41
                    "tawidh": ["0.00", "0.05", "0.41"]
                },
                "tawidh": "0.46"
            }),
        },
        Case {
            name: "gharamah is a charity payable, never added to the price",
            as_of: "2026-03-02",
            contract: json!({
                "term_months": 1, "first_due": "2025-03-02", "cost": "36500",
                "pricing": { "method": "markup", "markup": "0" }
            }),
            expect: json!({
                "selling_price": "36500.00",
                "instalments": { "days_late": [365], "tawidh": ["365.00"], "gharamah": ["0.00"] }
            }),
        },
        // ---- Early settlement ----
        Case {
            name: "rule of 78 rebate: 100 over 12 months settled after 3",
            as_of: "2026-03-31",
            contract: json!({
                "cost": "1000", "recognition": "rule_of_78",
                "pricing": { "method": "markup", "markup": "0.10" },
                "payments": [
                    { "date": "2026-01-31", "amount": "91.67" },
                    { "date": "2026-02-28", "amount": "91.67" },
                    { "date": "2026-03-31", "amount": "91.67" }
                ],
                "early_settlement": { "date": "2026-03-31" }
            }),
            // The textbook's 100 × 9 × 10 / 156 = 57.69 rounds the whole
            // fraction once; MURABAHA.md rounds each period's profit, and
            // the nine unearned periods add up to 57.70.
            expect: json!({
                "recognised_profit": "42.30",
                "settlement": { "date": "2026-03-31", "esc": "0.00", "ibra": "57.70", "amount": "767.29" }
            }),
        },
        Case {
            name: "an early-settlement charge larger than the deferred profit: no ibra'",
            as_of: "2026-01-31",
            contract: json!({
                "cost": "10000", "recognition": "straight_line",
                "pricing": { "method": "markup", "markup": "0.01" },
                "payments": [ { "date": "2026-01-31", "amount": "841.67" } ],
                "early_settlement": { "date": "2026-01-31", "esc_annual_rate": "0.05" }
            }),
            // p = 10000 − (841.67 − 8.33) = 9166.66; t = 334 days;
            // ESC = 9166.66 × 5 % × 334 / 365 = 419.41; deferred 91.67.
            expect: json!({
                "settlement": { "date": "2026-01-31", "esc": "419.41", "ibra": "0.00", "amount": "9258.33" }
            }),
        },
    ]
}

#[test]
fn worked_examples() {
    for case in cases() {
        check(&case);
    }
}

#[test]
fn flat_example_first_month_profit_by_method() {
    for (method, expected) in [
        ("effective", "618.34"),
        ("straight_line", "333.33"),
        ("rule_of_78", "655.74"),
    ] {
        let document = json!({ "as_of": "2026-01-01", "contracts": [{
            "id": "F", "cost": "100000", "term_months": 60, "first_due": "2026-01-01",
            "recognition": method, "pricing": { "method": "flat", "annual_rate": "0.04" }
        }]});
        let output =
            process_all(&MurabahaInput::from_json(&document.to_string()).unwrap()).unwrap();
        let first = &output.contracts[0].instalments[0];
        assert_eq!(first.profit.to_string(), expected, "{method}");
    }
}

#[test]
fn a_cost_too_small_for_its_term_is_an_error() {
    let document = json!({ "as_of": "2026-01-01", "contracts": [{
        "id": "T", "cost": "0.10", "term_months": 12, "first_due": "2026-01-01",
        "pricing": { "method": "markup", "markup": "0" }
    }]});
    let err = process_all(&MurabahaInput::from_json(&document.to_string()).unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "contracts[0].cost: is too small to spread over 12 instalments (the last would be negative)"
    );
}

// ---- Invariants, as property tests ----

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

prop_compose! {
    fn contract_strategy()(
        cost_cents in 100_000i64..1_000_000_000,
        method in 0..3usize,
        rate_bp in 0i64..2_500,
        term_months in 1u32..=420,
        recognition in 0..3usize,
        first_due_day in 0i64..9_000,
        months_paid in 0u32..=430,
        late_days in proptest::collection::vec(0i64..120, 0..8),
        as_of_offset in 0i64..12_000,
        settle in any::<bool>(),
        esc_bp in 0i64..500,
    ) -> (Contract, CivilDate) {
        let first_due = CivilDate::from_day_number(
            CivilDate::new(2000, 1, 1).unwrap().day_number() + first_due_day,
        ).unwrap();
        let pricing = match method {
            0 => json!({ "method": "markup", "markup": Decimal::new(rate_bp * 4, 4).to_string() }),
            1 => json!({ "method": "flat", "annual_rate": Decimal::new(rate_bp, 4).to_string() }),
            _ => json!({ "method": "annuity", "annual_rate": Decimal::new(rate_bp, 4).to_string() }),
        };
        let recognition = ["effective", "straight_line", "rule_of_78"][recognition];
        let contract: Contract = serde_json::from_value(json!({
            "id": "P", "cost": money(cost_cents).to_string(), "pricing": pricing,
            "term_months": term_months, "first_due": first_due.to_string(),
            "recognition": recognition,
        })).unwrap();
        let as_of = CivilDate::from_day_number(first_due.day_number() - 40 + as_of_offset).unwrap();
        let plan = mizan::murabaha::rules::plan(&contract).unwrap();
        let dues = mizan::murabaha::rules::due_dates(first_due, term_months).unwrap();
        let mut contract = contract;
        for (k, (due, amount)) in dues.iter().zip(&plan.amounts).enumerate().take(months_paid as usize) {
            let late = late_days.get(k % late_days.len().max(1)).copied().unwrap_or(0);
            let date = CivilDate::from_day_number(due.day_number() + late).unwrap();
            if date <= as_of {
                contract.payments.push(serde_json::from_value(json!({
                    "date": date.to_string(), "amount": amount.to_string()
                })).unwrap());
            }
        }
        let last_due = *dues.last().unwrap();
        if settle && as_of >= first_due && as_of <= last_due {
            contract.early_settlement = Some(serde_json::from_value(json!({
                "date": as_of.to_string(),
                "esc_annual_rate": Decimal::new(esc_bp, 4).to_string()
            })).unwrap());
        }
        (contract, as_of)
    }
}

fn run(contract: &Contract, as_of: CivilDate, late_policy: &LatePolicy) -> ContractResult {
    process(contract, as_of, late_policy).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn invariants_hold((contract, as_of) in contract_strategy()) {
        let policy = LatePolicy {
            tawidh_annual_rate: Decimal::new(1, 2),
            gharamah_annual_rate: Decimal::new(2, 2),
        };
        let result = run(&contract, as_of, &policy);
        let amounts: Decimal = result.instalments.iter().map(|i| i.amount).sum();
        prop_assert_eq!(amounts, result.selling_price, "instalments sum to the selling price");
        prop_assert_eq!(result.selling_price - contract.cost, result.profit);
        let recognised: Decimal = result.instalments.iter().map(|i| i.profit).sum();
        prop_assert_eq!(recognised, result.profit, "recognised profit sums to P");

        let mut recognised_so_far = Decimal::ZERO;
        for row in &result.instalments {
            recognised_so_far += row.profit;
            prop_assert_eq!(
                row.outstanding_price - row.outstanding_cost,
                result.profit - recognised_so_far,
                "outstanding price − outstanding cost = deferred profit at instalment {}", row.n
            );
        }
        let last = result.instalments.last().unwrap();
        prop_assert!(last.outstanding_cost.is_zero() && last.outstanding_price.is_zero());

        // Late charges never change the price or the plan.
        let without_charges = run(&contract, as_of, &LatePolicy {
            tawidh_annual_rate: Decimal::ZERO,
            gharamah_annual_rate: Decimal::ZERO,
        });
        prop_assert_eq!(without_charges.selling_price, result.selling_price);
        for (a, b) in without_charges.instalments.iter().zip(&result.instalments) {
            prop_assert_eq!(a.amount, b.amount);
            prop_assert_eq!(a.profit, b.profit);
        }
        prop_assert!(without_charges.tawidh.is_zero() && without_charges.gharamah.is_zero());

        if let Some(settlement) = &result.settlement {
            prop_assert!(settlement.ibra >= Decimal::ZERO, "0 <= ibra'");
            let outstanding_plus_charges =
                result.selling_price - result.paid + result.tawidh + result.gharamah;
            prop_assert!(settlement.amount <= outstanding_plus_charges);
        }
        prop_assert_eq!(result.recognised_profit + result.deferred_profit, result.profit);
    }

    /// The solved rate rounds correctly: the present value at half a step
    /// below it is at least the cost, and at half a step above it is less.
    #[test]
    fn effective_rate_brackets_the_root((contract, _as_of) in contract_strategy()) {
        let plan = mizan::murabaha::rules::plan(&contract).unwrap();
        if !matches!(contract.pricing, mizan::murabaha::model::Pricing::Annuity { .. }) {
            let half = Decimal::new(5, 11);
            let pv = |i: Decimal| {
                let v = Decimal::ONE / (Decimal::ONE + i);
                plan.amounts.iter().rev().fold(Decimal::ZERO, |acc, a| (acc + a) * v)
            };
            let lo = (plan.monthly_rate - half).max(Decimal::ZERO);
            prop_assert!(pv(lo) >= contract.cost);
            prop_assert!(pv(plan.monthly_rate + half) < contract.cost);
        }
    }
}
