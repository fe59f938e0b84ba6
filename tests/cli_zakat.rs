//! The `mizan zakat assess` and `mizan generate zakat` commands, run as a
//! user runs them: the output of a good file, the named error of each kind
//! of bad input (non-zero exit, nothing on stdout), and the generator.

mod common;

use common::{Refusal, check_refusals, mizan};
use serde_json::{Value, json};

fn example() -> Value {
    serde_json::from_str(include_str!("data/zakat_formats_example.json")).unwrap()
}

#[test]
fn assesses_the_formats_example() {
    let out = mizan(
        &["zakat", "assess", "tests/data/zakat_formats_example.json"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = json!({
        "currency": "USD",
        "assessments": [{
            "id": "H1",
            "hawl_end": "2026-02-18",
            "hawl_complete": true,
            "zakatable_assets": "39285.00",
            "deductible_debts": "21000.00",
            "net_wealth": "18285.00",
            "nisab": "8500.00",
            "nisab_met": true,
            "wealth_zakat": "457.13",
            "crops": [ { "kg": "100.000", "value": "200.00" } ],
            "livestock": [ { "species": "cattle", "due": [ { "animal": "tabi", "count": 2 } ] } ],
            "rikaz_zakat": "200.00",
            "total_due": "857.13"
        }]
    });
    assert_eq!(actual, expected);
    assert!(out.stderr.is_empty());
}

#[test]
fn reads_standard_input() {
    let text = include_bytes!("data/zakat_formats_example.json");
    let from_stdin = mizan(&["zakat", "assess", "-"], text);
    let from_file = mizan(
        &["zakat", "assess", "tests/data/zakat_formats_example.json"],
        b"",
    );
    assert!(from_stdin.status.success());
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

fn asset(doc: &mut Value, idx: usize) -> &mut Value {
    &mut doc["payers"][0]["assets"][idx]
}

fn bad_inputs() -> Vec<Refusal> {
    vec![
        (
            "karat above 24",
            |d| asset(d, 1)["karat"] = json!(25),
            "payers[0].assets[1].karat: 25 is above 24",
        ),
        (
            "karat zero",
            |d| asset(d, 1)["karat"] = json!(0),
            "payers[0].assets[1].karat: 0 is below 1",
        ),
        (
            "fineness above 1000",
            |d| asset(d, 3)["fineness"] = json!(1001),
            "payers[0].assets[3].fineness: 1001 is above 1000",
        ),
        (
            "negative amount",
            |d| asset(d, 0)["amount"] = json!("-5.00"),
            "payers[0].assets[0].amount: -5.00 is negative",
        ),
        (
            "bad decimal",
            |d| asset(d, 0)["amount"] = json!("12,000.00"),
            "payers[0].assets[0].amount: \"12,000.00\" is not a decimal number like \"1234.56\"",
        ),
        (
            "a JSON number where a decimal string belongs",
            |d| asset(d, 0)["amount"] = json!(12000.5),
            "payers[0].assets[0].amount: invalid type: floating point `12000.5`, expected a decimal string such as \"1234.56\"",
        ),
        (
            "too many decimal places",
            |d| d["prices"]["gold_per_gram"] = json!("100.00000000001"),
            "prices.gold_per_gram: \"100.00000000001\" has more than 10 decimal places",
        ),
        (
            "too many digits before the point",
            |d| asset(d, 0)["amount"] = json!("10000000000000000"),
            "payers[0].assets[0].amount: \"10000000000000000\" is too large (at most 16 digits before the point)",
        ),
        (
            "bad date",
            |d| d["payers"][0]["hawl_start"] = json!("2025-02-29"),
            "payers[0].hawl_start: \"2025-02-29\" is not a date of the form YYYY-MM-DD",
        ),
        (
            "currency without an exchange rate",
            |d| asset(d, 4)["currency"] = json!("GBP"),
            "payers[0].assets[4].currency: GBP has no exchange rate in prices.fx (the reporting currency is USD)",
        ),
        (
            "debt currency without an exchange rate",
            |d| d["payers"][0]["debts"][1]["currency"] = json!("JPY"),
            "payers[0].debts[1].currency: JPY has no exchange rate in prices.fx (the reporting currency is USD)",
        ),
        (
            "not a currency code",
            |d| asset(d, 0)["currency"] = json!("usd"),
            "payers[0].assets[0].currency: \"usd\" is not a currency code of three capital letters",
        ),
        (
            "unknown species",
            |d| asset(d, 10)["species"] = json!("horses"),
            "payers[0].assets[10].species: unknown variant `horses`, expected one of `sheep`, `goats`, `cattle`, `camels`",
        ),
        (
            "unknown asset kind",
            |d| asset(d, 0)["kind"] = json!("crypto"),
            "payers[0].assets[0].kind: unknown variant `crypto`, expected one of `cash`, `gold`, `silver`, `shares`, `fund`, `trade_goods`, `receivable`, `crop`, `livestock`, `rikaz`",
        ),
        (
            "unknown field",
            |d| d["payers"][0]["nationality"] = json!("UK"),
            "payers[0].nationality: unknown field `nationality`, expected one of `id`, `region`, `hawl_start`, `assets`, `debts`",
        ),
        (
            "missing field",
            |d| {
                d["payers"][0].as_object_mut().unwrap().remove("hawl_start");
            },
            "payers[0]: missing field `hawl_start`",
        ),
        (
            "a field the kind needs is missing",
            |d| {
                asset(d, 1).as_object_mut().unwrap().remove("karat");
            },
            "payers[0].assets[1]: missing field `karat`, which a `gold` record needs",
        ),
        (
            "a field of another kind",
            |d| asset(d, 1)["currency"] = json!("USD"),
            "payers[0].assets[1]: field `currency` does not belong to a `gold` record",
        ),
        (
            "unknown policy value",
            |d| d["policy"]["nisab"] = json!("platinum"),
            "policy.nisab: unknown variant `platinum`, expected one of `gold`, `silver`, `lower`",
        ),
        (
            "ratio above one",
            |d| asset(d, 6)["zakatable_ratio"] = json!("1.5"),
            "payers[0].assets[6].zakatable_ratio: 1.5 is above 1",
        ),
        (
            "a price of zero",
            |d| d["prices"]["silver_per_gram"] = json!("0"),
            "prices.silver_per_gram: 0 is not above zero",
        ),
        (
            "a negative exchange rate",
            |d| d["prices"]["fx"]["EUR"] = json!("-1.10"),
            "prices.fx.EUR: -1.10 is not above zero",
        ),
        (
            "a count that is not a whole number",
            |d| asset(d, 10)["count"] = json!("65"),
            "payers[0].assets[10].count: invalid type: string \"65\", expected i64",
        ),
        (
            "two payers with one id",
            |d| {
                let payer = d["payers"][0].clone();
                d["payers"].as_array_mut().unwrap().push(payer);
            },
            "payers[1].id: \"H1\" is also the id of payers[0]",
        ),
    ]
}

#[test]
fn bad_input_names_the_field_and_record() {
    check_refusals(&["zakat", "assess", "-"], &example(), &bad_inputs());
    // The reference engine refuses them with the same words.
    check_refusals(
        &["zakat", "assess", "--engine", "reference", "-"],
        &example(),
        &bad_inputs(),
    );
}

#[test]
fn malformed_json_is_refused_with_its_position() {
    let cases: [(&[u8], &str); 4] = [
        (b"{\"zakat_date\": ", "error: bad input in -: zakat_date: EOF while parsing a value at line 1 column 15"),
        (b"", "error: bad input in -: EOF while parsing a value at line 1 column 0"),
        (b"[1, 2]", "error: bad input in -: [0]: invalid type: integer `1`, expected a string at line 1 column 2"),
        (
            b"{\"zakat_date\":\"2026-01-01\",\"currency\":\"USD\",\"prices\":{\"gold_per_gram\":\"1\",\"silver_per_gram\":\"1\"},\"payers\":[]} trailing",
            "error: bad input in -: trailing characters at line 1 column 111",
        ),
    ];
    for (input, expected) in cases {
        let out = mizan(&["zakat", "assess", "-"], input);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), expected);
    }
}

#[test]
fn a_missing_file_is_an_error() {
    let out = mizan(&["zakat", "assess", "no/such/file.json"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: cannot read no/such/file.json: "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_names_the_lab_and_its_commands() {
    let out = mizan(&["--help"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Mizan: a Rust performance lab"), "{text}");
    for command in ["list", "run", "zakat", "murabaha", "generate"] {
        assert!(
            text.contains(&format!("\n  {command} ")),
            "{command} in {text}"
        );
    }
}

#[test]
fn generator_is_seeded_and_its_output_assesses() {
    let a = mizan(
        &["generate", "zakat", "--payers", "500", "--seed", "7"],
        b"",
    );
    let b = mizan(
        &["generate", "zakat", "--payers", "500", "--seed", "7"],
        b"",
    );
    let c = mizan(
        &["generate", "zakat", "--payers", "500", "--seed", "8"],
        b"",
    );
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout, "same seed, same bytes");
    assert_ne!(a.stdout, c.stdout, "another seed, another population");

    let doc: Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(doc["payers"].as_array().unwrap().len(), 500);
    let assessed = mizan(&["zakat", "assess", "-"], &a.stdout);
    assert!(
        assessed.status.success(),
        "{}",
        String::from_utf8_lossy(&assessed.stderr)
    );
    let output: Value = serde_json::from_slice(&assessed.stdout).unwrap();
    assert_eq!(output["assessments"].as_array().unwrap().len(), 500);
    // The default engine and the reference print the same bytes.
    let reference = mizan(
        &["zakat", "assess", "--engine", "reference", "-"],
        &a.stdout,
    );
    assert!(reference.status.success());
    assert_eq!(
        String::from_utf8(assessed.stdout).unwrap(),
        String::from_utf8(reference.stdout).unwrap()
    );
    let example = std::fs::read("tests/data/zakat_formats_example.json").unwrap();
    let fast = mizan(&["zakat", "assess", "-"], &example);
    let reference = mizan(&["zakat", "assess", "--engine", "reference", "-"], &example);
    assert!(fast.status.success() && !fast.stdout.is_empty());
    assert_eq!(fast.stdout, reference.stdout);
}

/// Real currencies: an amount of 10^15 and more, rates with eight and ten
/// places, computed exactly, the same under both engines.
#[test]
fn real_currencies_are_assessed_exactly() {
    let document = json!({
        "zakat_date": "2026-02-18",
        "currency": "USD",
        "prices": {
            "gold_per_gram": "100.00",
            "silver_per_gram": "1.00",
            "fx": { "IDR": "0.00006123", "BTC": "65000.1234567891" }
        },
        "payers": [
            {
                "id": "rupiah",
                "hawl_start": "2025-03-01",
                "assets": [
                    { "kind": "cash", "amount": "9999999999999999.99", "currency": "IDR" }
                ]
            },
            {
                "id": "satoshis",
                "hawl_start": "2025-03-01",
                "assets": [
                    { "kind": "cash", "amount": "0.12345678", "currency": "BTC" },
                    { "kind": "cash", "amount": "1000000000000000", "currency": "USD" },
                    { "kind": "gold", "grams": "0.0000000001", "karat": 24, "use": "investment" }
                ]
            }
        ]
    });
    let text = document.to_string();
    let fast = mizan(&["zakat", "assess", "-"], text.as_bytes());
    assert!(
        fast.status.success(),
        "{}",
        String::from_utf8_lossy(&fast.stderr)
    );
    let reference = mizan(
        &["zakat", "assess", "--engine", "reference", "-"],
        text.as_bytes(),
    );
    assert_eq!(fast.stdout, reference.stdout);
    let output: Value = serde_json::from_slice(&fast.stdout).unwrap();
    // 9,999,999,999,999,999.99 IDR × 0.00006123 = 612,299,999,999.9999993877
    // USD: 612,300,000,000.00 to the cent; a quarter of a tenth of it due.
    let rupiah = &output["assessments"][0];
    assert_eq!(rupiah["zakatable_assets"], "612300000000.00");
    assert_eq!(rupiah["wealth_zakat"], "15307500000.00");
    // 0.12345678 BTC × 65,000.1234567891 = 8,024.7059...: 8,024.71; the
    // 10^15 dollars; 10^-10 g of gold at 100.00 a gram rounds to nothing.
    let satoshis = &output["assessments"][1];
    assert_eq!(satoshis["zakatable_assets"], "1000000000008024.71");
    assert_eq!(satoshis["wealth_zakat"], "25000000000200.62");
}
