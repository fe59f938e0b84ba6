//! The `mizan murabaha process` and `mizan generate murabaha` commands, run
//! as a user runs them: a good file, each kind of bad input, the generator.

mod common;

use common::{Refusal, check_refusals, mizan};
use serde_json::{Value, json};

fn example() -> Value {
    serde_json::from_str(include_str!("data/murabaha_formats_example.json")).unwrap()
}

fn contract(doc: &mut Value) -> &mut Value {
    &mut doc["contracts"][0]
}

#[test]
fn processes_the_formats_example() {
    let out = mizan(
        &[
            "murabaha",
            "process",
            "tests/data/murabaha_formats_example.json",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &actual["contracts"][0];
    assert_eq!(result["id"], "M1");
    assert_eq!(result["selling_price"], "112810.92");
    assert_eq!(result["monthly_rate"], "0.0066666667");
    assert_eq!(result["instalments"].as_array().unwrap().len(), 36);
    assert_eq!(
        result["instalments"][0],
        json!({ "n": 1, "due": "2026-02-01", "amount": "3133.64", "profit": "666.67",
                "principal": "2466.97", "outstanding_cost": "97533.03",
                "outstanding_price": "109677.28", "covered_on": "2026-02-01",
                "days_late": 0, "tawidh": "0.00", "gharamah": "0.00" })
    );
    assert_eq!(
        result["instalments"][35],
        json!({ "n": 36, "due": "2029-01-01", "amount": "3133.52", "profit": "20.75",
                "principal": "3112.77", "outstanding_cost": "0.00",
                "outstanding_price": "0.00", "covered_on": null,
                "days_late": 0, "tawidh": "0.00", "gharamah": "0.00" })
    );
    assert_eq!(
        result["settlement"],
        json!({ "date": "2027-02-01", "esc": "0.00", "ibra": "5458.97", "amount": "104392.08" })
    );
    let from_stdin = mizan(
        &["murabaha", "process", "-"],
        include_bytes!("data/murabaha_formats_example.json"),
    );
    assert_eq!(from_stdin.stdout, out.stdout);
}

#[test]
fn bad_input_names_the_field_and_record() {
    let cases: Vec<Refusal> = vec![
        (
            "term 0",
            |d| contract(d)["term_months"] = json!(0),
            "contracts[0].term_months: 0 is below 1",
        ),
        (
            "term above 50 years",
            |d| contract(d)["term_months"] = json!(601),
            "contracts[0].term_months: 601 is above 600",
        ),
        (
            "negative cost",
            |d| contract(d)["cost"] = json!("-100000.00"),
            "contracts[0].cost: -100000.00 is not above zero",
        ),
        (
            "unknown pricing method",
            |d| contract(d)["pricing"]["method"] = json!("ijara"),
            "contracts[0].pricing.method: unknown variant `ijara`, expected one of `markup`, `flat`, `annuity`",
        ),
        (
            "missing rate",
            |d| {
                contract(d)["pricing"]
                    .as_object_mut()
                    .unwrap()
                    .remove("annual_rate");
            },
            "contracts[0].pricing: missing field `annual_rate`, which a `annuity` record needs",
        ),
        (
            "a markup given to an annuity",
            |d| contract(d)["pricing"]["markup"] = json!("0.1"),
            "contracts[0].pricing: field `markup` does not belong to a `annuity` record",
        ),
        (
            "payment before the contract",
            |d| contract(d)["payments"][0]["date"] = json!("2025-12-31"),
            "contracts[0].payments[0].date: 2025-12-31 is before the contract began on 2026-01-01 (a month before the first instalment)",
        ),
        (
            "payment after as_of",
            |d| contract(d)["payments"][0]["date"] = json!("2027-02-02"),
            "contracts[0].payments[0].date: 2027-02-02 is after as_of 2027-02-01",
        ),
        (
            "payment of zero",
            |d| contract(d)["payments"][0]["amount"] = json!("0"),
            "contracts[0].payments[0].amount: 0 is not above zero",
        ),
        (
            "payments above the selling price",
            |d| contract(d)["payments"][0]["amount"] = json!("200000"),
            "contracts[0].payments: they total 200000.00, more than the selling price 112810.92",
        ),
        (
            "settlement date before first due",
            |d| contract(d)["early_settlement"]["date"] = json!("2026-01-31"),
            "contracts[0].early_settlement.date: 2026-01-31 is before the first instalment is due (2026-02-01)",
        ),
        (
            "settlement date after the last instalment",
            |d| contract(d)["early_settlement"]["date"] = json!("2029-01-02"),
            "contracts[0].early_settlement.date: 2029-01-02 is after the last instalment is due (2029-01-01): nothing is early",
        ),
        (
            "settlement before as_of",
            |d| contract(d)["early_settlement"]["date"] = json!("2027-01-31"),
            "contracts[0].early_settlement.date: 2027-01-31 is before as_of 2027-02-01: a quote is made as of as_of or later",
        ),
        (
            "bad date",
            |d| contract(d)["first_due"] = json!("2026-02-30"),
            "contracts[0].first_due: \"2026-02-30\" is not a date of the form YYYY-MM-DD",
        ),
        (
            "unknown recognition method",
            |d| contract(d)["recognition"] = json!("rule_of_79"),
            "contracts[0].recognition: unknown variant `rule_of_79`, expected one of `effective`, `straight_line`, `rule_of_78`",
        ),
        (
            "negative late-charge rate",
            |d| d["late_policy"]["tawidh_annual_rate"] = json!("-0.01"),
            "late_policy.tawidh_annual_rate: -0.01 is negative",
        ),
        (
            "unknown field",
            |d| contract(d)["customer"] = json!("X"),
            "contracts[0].customer: unknown field `customer`, expected one of `id`, `cost`, `pricing`, `term_months`, `first_due`, `recognition`, `payments`, `early_settlement`",
        ),
        (
            "missing field",
            |d| {
                contract(d).as_object_mut().unwrap().remove("first_due");
            },
            "contracts[0]: missing field `first_due`",
        ),
        (
            "two contracts with one id",
            |d| {
                let c = d["contracts"][0].clone();
                d["contracts"].as_array_mut().unwrap().push(c);
            },
            "contracts[1].id: \"M1\" is also the id of contracts[0]",
        ),
        (
            "cost as a JSON number",
            |d| contract(d)["cost"] = json!(100000),
            "contracts[0].cost: invalid type: integer `100000`, expected a decimal string such as \"1234.56\"",
        ),
    ];
    check_refusals(&["murabaha", "process", "-"], &example(), &cases);
    // The reference engine refuses them with the same words.
    check_refusals(
        &["murabaha", "process", "--engine", "reference", "-"],
        &example(),
        &cases,
    );
}

#[test]
fn generator_is_seeded_and_its_output_processes() {
    let args = ["generate", "murabaha", "--contracts", "300", "--seed", "3"];
    let a = mizan(&args, b"");
    let b = mizan(&args, b"");
    let c = mizan(
        &["generate", "murabaha", "--contracts", "300", "--seed", "4"],
        b"",
    );
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout, "same seed, same bytes");
    assert_ne!(a.stdout, c.stdout);
    let processed = mizan(&["murabaha", "process", "-"], &a.stdout);
    assert!(
        processed.status.success(),
        "{}",
        String::from_utf8_lossy(&processed.stderr)
    );
    let output: Value = serde_json::from_slice(&processed.stdout).unwrap();
    let contracts = output["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 300);
    // The mix: late instalments and early settlements both occur.
    let late = contracts
        .iter()
        .flat_map(|c| c["instalments"].as_array().unwrap())
        .filter(|i| i["days_late"].as_u64().unwrap() > 0)
        .count();
    let settled = contracts
        .iter()
        .filter(|c| !c["settlement"].is_null())
        .count();
    assert!(late > 0 && settled > 0, "late {late}, settled {settled}");
    // The default engine and the reference print the same bytes.
    let reference = mizan(
        &["murabaha", "process", "--engine", "reference", "-"],
        &a.stdout,
    );
    assert!(reference.status.success());
    assert_eq!(
        String::from_utf8(processed.stdout).unwrap(),
        String::from_utf8(reference.stdout).unwrap()
    );
    let example = std::fs::read("tests/data/murabaha_formats_example.json").unwrap();
    let fast = mizan(&["murabaha", "process", "-"], &example);
    let reference = mizan(
        &["murabaha", "process", "--engine", "reference", "-"],
        &example,
    );
    assert!(fast.status.success() && !fast.stdout.is_empty());
    assert_eq!(fast.stdout, reference.stdout);
}

/// Real currencies: a cost of 10^15 and rates with ten places, the same
/// under both engines (the fast one hands such a contract to the
/// reference), and a cost past the range refused by name.
#[test]
fn real_currencies_are_processed_exactly() {
    let mut doc = example();
    contract(&mut doc)["cost"] = json!("1000000000000000.00");
    contract(&mut doc)["pricing"] = json!({ "method": "markup", "markup": "0.1234567891" });
    contract(&mut doc)["payments"] = json!([]);
    let text = doc.to_string();
    let fast = mizan(&["murabaha", "process", "-"], text.as_bytes());
    assert!(
        fast.status.success(),
        "{}",
        String::from_utf8_lossy(&fast.stderr)
    );
    let reference = mizan(
        &["murabaha", "process", "--engine", "reference", "-"],
        text.as_bytes(),
    );
    assert_eq!(fast.stdout, reference.stdout);
    let output: Value = serde_json::from_slice(&fast.stdout).unwrap();
    // 10^15 × 0.1234567891 = 123,456,789,100,000.00 of profit.
    assert_eq!(output["contracts"][0]["profit"], "123456789100000.00");
    assert_eq!(
        output["contracts"][0]["selling_price"],
        "1123456789100000.00"
    );
}
