//! The `mizan zakat assess` and `mizan generate zakat` commands, run as a
//! user runs them: the output of a good file, the named error of each kind
//! of bad input (non-zero exit, nothing on stdout), and the generator.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn mizan(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mizan runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

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

/// A bad input, made by changing the example, and the error it must get.
struct Bad {
    what: &'static str,
    change: fn(&mut Value),
    error: &'static str,
}

fn asset(doc: &mut Value, idx: usize) -> &mut Value {
    &mut doc["payers"][0]["assets"][idx]
}

fn bad_inputs() -> Vec<Bad> {
    vec![
        Bad {
            what: "karat above 24",
            change: |d| asset(d, 1)["karat"] = json!(25),
            error: "payers[0].assets[1].karat: 25 is above 24",
        },
        Bad {
            what: "karat zero",
            change: |d| asset(d, 1)["karat"] = json!(0),
            error: "payers[0].assets[1].karat: 0 is below 1",
        },
        Bad {
            what: "fineness above 1000",
            change: |d| asset(d, 3)["fineness"] = json!(1001),
            error: "payers[0].assets[3].fineness: 1001 is above 1000",
        },
        Bad {
            what: "negative amount",
            change: |d| asset(d, 0)["amount"] = json!("-5.00"),
            error: "payers[0].assets[0].amount: -5.00 is negative",
        },
        Bad {
            what: "bad decimal",
            change: |d| asset(d, 0)["amount"] = json!("12,000.00"),
            error: "payers[0].assets[0].amount: \"12,000.00\" is not a decimal number like \"1234.56\"",
        },
        Bad {
            what: "a JSON number where a decimal string belongs",
            change: |d| asset(d, 0)["amount"] = json!(12000.5),
            error: "payers[0].assets[0].amount: invalid type: floating point `12000.5`, expected a decimal string such as \"1234.56\"",
        },
        Bad {
            what: "too many decimal places",
            change: |d| d["prices"]["gold_per_gram"] = json!("100.0000001"),
            error: "prices.gold_per_gram: \"100.0000001\" has more than 6 decimal places",
        },
        Bad {
            what: "bad date",
            change: |d| d["payers"][0]["hawl_start"] = json!("2025-02-29"),
            error: "payers[0].hawl_start: \"2025-02-29\" is not a date of the form YYYY-MM-DD",
        },
        Bad {
            what: "currency without an exchange rate",
            change: |d| asset(d, 4)["currency"] = json!("GBP"),
            error: "payers[0].assets[4].currency: GBP has no exchange rate in prices.fx (the reporting currency is USD)",
        },
        Bad {
            what: "debt currency without an exchange rate",
            change: |d| d["payers"][0]["debts"][1]["currency"] = json!("JPY"),
            error: "payers[0].debts[1].currency: JPY has no exchange rate in prices.fx (the reporting currency is USD)",
        },
        Bad {
            what: "not a currency code",
            change: |d| asset(d, 0)["currency"] = json!("usd"),
            error: "payers[0].assets[0].currency: \"usd\" is not a currency code of three capital letters",
        },
        Bad {
            what: "unknown species",
            change: |d| asset(d, 10)["species"] = json!("horses"),
            error: "payers[0].assets[10].species: unknown variant `horses`, expected one of `sheep`, `goats`, `cattle`, `camels`",
        },
        Bad {
            what: "unknown asset kind",
            change: |d| asset(d, 0)["kind"] = json!("crypto"),
            error: "payers[0].assets[0].kind: unknown variant `crypto`, expected one of `cash`, `gold`, `silver`, `shares`, `fund`, `trade_goods`, `receivable`, `crop`, `livestock`, `rikaz`",
        },
        Bad {
            what: "unknown field",
            change: |d| d["payers"][0]["nationality"] = json!("UK"),
            error: "payers[0].nationality: unknown field `nationality`, expected one of `id`, `region`, `hawl_start`, `assets`, `debts`",
        },
        Bad {
            what: "missing field",
            change: |d| {
                d["payers"][0].as_object_mut().unwrap().remove("hawl_start");
            },
            error: "payers[0]: missing field `hawl_start`",
        },
        Bad {
            what: "a field the kind needs is missing",
            change: |d| {
                asset(d, 1).as_object_mut().unwrap().remove("karat");
            },
            error: "payers[0].assets[1]: missing field `karat`, which a `gold` record needs",
        },
        Bad {
            what: "a field of another kind",
            change: |d| asset(d, 1)["currency"] = json!("USD"),
            error: "payers[0].assets[1]: field `currency` does not belong to a `gold` record",
        },
        Bad {
            what: "unknown policy value",
            change: |d| d["policy"]["nisab"] = json!("platinum"),
            error: "policy.nisab: unknown variant `platinum`, expected one of `gold`, `silver`, `lower`",
        },
        Bad {
            what: "ratio above one",
            change: |d| asset(d, 6)["zakatable_ratio"] = json!("1.5"),
            error: "payers[0].assets[6].zakatable_ratio: 1.5 is above 1",
        },
        Bad {
            what: "a price of zero",
            change: |d| d["prices"]["silver_per_gram"] = json!("0"),
            error: "prices.silver_per_gram: 0 is not above zero",
        },
        Bad {
            what: "a negative exchange rate",
            change: |d| d["prices"]["fx"]["EUR"] = json!("-1.10"),
            error: "prices.fx.EUR: -1.10 is not above zero",
        },
        Bad {
            what: "a count that is not a whole number",
            change: |d| asset(d, 10)["count"] = json!("65"),
            error: "payers[0].assets[10].count: invalid type: string \"65\", expected i64",
        },
        Bad {
            what: "two payers with one id",
            change: |d| {
                let payer = d["payers"][0].clone();
                d["payers"].as_array_mut().unwrap().push(payer);
            },
            error: "payers[1].id: \"H1\" is also the id of payers[0]",
        },
    ]
}

/// The error line, without serde_json's `at line L column C`, which the
/// test also checks is there (it points a user at the place in a big file).
fn error_message(stderr: &[u8]) -> String {
    let text = String::from_utf8(stderr.to_vec()).unwrap();
    let line = text.trim_end();
    let line = line
        .strip_prefix("error: bad input in -: ")
        .unwrap_or_else(|| panic!("unexpected stderr: {text}"));
    match line.rfind(" at line ") {
        Some(at) => line[..at].to_owned(),
        None => line.to_owned(),
    }
}

#[test]
fn bad_input_names_the_field_and_record() {
    for bad in bad_inputs() {
        let mut doc = example();
        (bad.change)(&mut doc);
        let out = mizan(&["zakat", "assess", "-"], doc.to_string().as_bytes());
        assert!(!out.status.success(), "{}: accepted", bad.what);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: a clean exit, not a panic",
            bad.what
        );
        assert!(out.stdout.is_empty(), "{}: printed to stdout", bad.what);
        assert_eq!(error_message(&out.stderr), bad.error, "{}", bad.what);
    }
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
fn bare_command_prints_help() {
    let out = mizan(&[], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Mizan: a Rust performance lab"), "{text}");
    assert!(text.contains("zakat"));
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
}
