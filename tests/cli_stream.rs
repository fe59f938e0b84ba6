//! The domain commands on JSON Lines streams and with `-o`, run as a user
//! runs them: a stream gives the document's results a line; a bad record
//! in the middle stops the run naming its line, record, id and field (or,
//! with `--rejects`, goes to the rejects file while the rest go on); a
//! truncated last line and an empty file are clear errors; `-o` leaves no
//! partial file behind. And the hand-written reader on mutated records:
//! the same record as `serde_json`, or the serde path.

mod common;

use std::path::PathBuf;

use common::mizan;
use mizan::zakat::generate;
use proptest::prelude::*;
use serde_json::Value;

/// A scratch directory of this test's own, removed when the test ends.
fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("mizan-cli-stream-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// A directory removed on drop (a failed test's too: it says what it saw).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn generated(dir: &std::path::Path, workload: &str, n: &str, file: &str) -> PathBuf {
    let path = dir.join(file);
    let count = if workload == "zakat" {
        "--payers"
    } else {
        "--contracts"
    };
    let out = mizan(
        &["generate", workload, count, n, "-o", path.to_str().unwrap()],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn a_stream_gives_the_documents_results_a_line() {
    let dir = scratch("same");
    for (workload, command, key) in [
        ("zakat", "assess", "assessments"),
        ("murabaha", "process", "contracts"),
    ] {
        let document = generated(&dir, workload, "300", &format!("{workload}.json"));
        let stream = generated(&dir, workload, "300", &format!("{workload}.jsonl"));
        let first = std::fs::read_to_string(&stream).unwrap();
        assert_eq!(
            first.lines().count(),
            301,
            "the context, then a record a line"
        );
        let whole = mizan(&[workload, command, document.to_str().unwrap()], b"");
        let lines = mizan(&[workload, command, stream.to_str().unwrap()], b"");
        assert!(whole.status.success() && lines.status.success());
        let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
        let mut lines: Vec<Value> = String::from_utf8(lines.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        if workload == "zakat" {
            assert_eq!(lines.remove(0), serde_json::json!({ "currency": "USD" }));
        }
        assert_eq!(lines.len(), 300);
        assert_eq!(Value::Array(lines), whole[key], "{workload}");
        // Standard input too, with the form named.
        let text = std::fs::read(&stream).unwrap();
        let piped = mizan(&[workload, command, "--format", "jsonl", "-"], &text);
        let named = mizan(&[workload, command, stream.to_str().unwrap()], b"");
        assert_eq!(piped.stdout, named.stdout);
    }
}

/// The generated stream with line `line` (1-based) replaced.
fn with_line(path: &std::path::Path, line: usize, text: &str) -> String {
    let mut lines: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    lines[line - 1] = text.to_owned();
    lines.join("\n") + "\n"
}

#[test]
fn a_bad_record_stops_the_run_and_names_its_line_record_and_field() {
    let dir = scratch("bad");
    let stream = generated(&dir, "zakat", "50", "in.jsonl");
    // Line 31 is payers[29]: its first asset given a karat of 25.
    let bad = r#"{"id":"P0000029","hawl_start":"2025-01-01","assets":[{"kind":"gold","grams":"1","karat":25,"use":"worn"}]}"#;
    let input = dir.join("bad.jsonl");
    std::fs::write(&input, with_line(&stream, 31, bad)).unwrap();
    let output = dir.join("out.jsonl");
    let out = mizan(
        &[
            "zakat",
            "assess",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        format!(
            "error: bad input in {}: line 31 (payers[29], id \"P0000029\"): assets[0].karat: 25 is above 24 at column 90",
            input.display()
        )
    );
    assert!(!output.exists(), "no partial output file");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "no temporary file left"
    );
    // To standard output: the records before it, then the error.
    let out = mizan(&["zakat", "assess", input.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        printed.lines().count(),
        1 + 29,
        "the head and payers[0..29]"
    );
}

#[test]
fn rejects_go_to_their_file_and_the_rest_go_on() {
    let dir = scratch("rejects");
    let stream = generated(&dir, "murabaha", "40", "in.jsonl");
    let text = with_line(&stream, 11, r#"{"id":"C9","cost":"-5"}"#);
    let text = text.replacen('\n', "\n{not json\n", 1);
    let input = dir.join("bad.jsonl");
    std::fs::write(&input, &text).unwrap();
    let (output, rejects) = (dir.join("out.jsonl"), dir.join("rejects.jsonl"));
    let out = mizan(
        &[
            "murabaha",
            "process",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim_end(),
        format!(
            "39 contracts written, 2 rejected (in {})",
            rejects.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap().lines().count(),
        39
    );
    let rejected: Vec<Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["line"], 2);
    assert_eq!(rejected[0]["record"], 0);
    assert_eq!(rejected[0]["id"], Value::Null);
    assert_eq!(rejected[0]["input"], "{not json");
    assert!(
        rejected[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("key must be a string")
    );
    assert_eq!(rejected[1]["line"], 12);
    assert_eq!(rejected[1]["record"], 10);
    assert_eq!(rejected[1]["id"], "C9");
    assert_eq!(rejected[1]["field"], "cost");
    assert_eq!(rejected[1]["error"], "-5 is not above zero at column 23");
}

#[test]
fn a_truncated_last_line_and_an_empty_file_are_clear_errors() {
    let dir = scratch("truncated");
    let stream = generated(&dir, "zakat", "10", "in.jsonl");
    let mut text = std::fs::read_to_string(&stream).unwrap();
    text.truncate(text.len() - 40);
    let input = dir.join("cut.jsonl");
    std::fs::write(&input, &text).unwrap();
    let out = mizan(&["zakat", "assess", input.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(message.contains("line 11 (payers[9]): "), "{message}");
    assert!(
        message.contains(
            "the last line stops before its record ends (a truncated file?): EOF while parsing"
        ),
        "{message}"
    );
    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    for workload in [["zakat", "assess"], ["murabaha", "process"]] {
        let out = mizan(&[workload[0], workload[1], empty.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("the stream is empty"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
    // A stream with its context and no records: the head alone.
    let context_only = dir.join("context.jsonl");
    std::fs::write(&context_only, text.lines().next().unwrap()).unwrap();
    let out = mizan(&["zakat", "assess", context_only.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, b"{\"currency\":\"USD\"}\n");
    // A bad context names line 1.
    let bad = dir.join("context-bad.jsonl");
    std::fs::write(&bad, "\n{\"as_of\":\"2026-13-01\"}\n").unwrap();
    let out = mizan(&["murabaha", "process", bad.to_str().unwrap()], b"");
    assert!(
        stderr(&out).contains("line 2 (the context): as_of:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_document_written_with_o_is_renamed_into_place_or_not_left() {
    let dir = scratch("document");
    let document = generated(&dir, "zakat", "20", "in.json");
    let output = dir.join("out.json");
    let out = mizan(
        &[
            "zakat",
            "assess",
            document.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success());
    let stdout = mizan(&["zakat", "assess", document.to_str().unwrap()], b"");
    assert_eq!(std::fs::read(&output).unwrap(), stdout.stdout);
    let rejects = mizan(
        &[
            "zakat",
            "assess",
            document.to_str().unwrap(),
            "--rejects",
            "r.jsonl",
        ],
        b"",
    );
    assert!(stderr(&rejects).contains("--rejects is for a stream"));
    // A bad document through `-o`: the error, and the old file kept.
    std::fs::write(dir.join("bad.json"), "{\"payers\": [}").unwrap();
    let bad = mizan(
        &[
            "zakat",
            "assess",
            dir.join("bad.json").to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(std::fs::read(&output).unwrap(), stdout.stdout, "untouched");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
}

/// Standard output redirected to a file: a document refused after its
/// first results went out (the one-pass path writes as it goes) leaves
/// the file as it stood before the run, whether the problem is found by
/// the reader or by the engine.
#[test]
fn a_refused_document_takes_back_standard_output_that_is_a_file() {
    let dir = scratch("rewind");
    let good = std::fs::read_to_string(generated(&dir, "zakat", "40000", "in.json")).unwrap();
    let record = good.find("{\"id\":\"P0039000\"").unwrap();
    let assets = record + good[record..].find("\"assets\":[").unwrap() + "\"assets\":[".len();
    let unknown_field = good.replacen(
        "{\"id\":\"P0039000\"",
        "{\"id\":\"P0039000\",\"bogus\":1",
        1,
    );
    let overflow = format!(
        "{}{{\"kind\":\"gold\",\"grams\":\"999999999999.999999\",\"karat\":24,\"use\":\"investment\"}},{}",
        &good[..assets],
        &good[assets..]
    )
    .replacen("\"gold_per_gram\":\"98.40\"", "\"gold_per_gram\":\"999999999999.999999\"", 1);
    assert_ne!(overflow, good, "the price was found");
    for (text, error) in [
        (&unknown_field, "payers[39000].bogus: unknown field `bogus`"),
        (
            &overflow,
            "payers[39000].assets[0]: the value is too large to compute exactly",
        ),
    ] {
        let input = dir.join("bad.json");
        std::fs::write(&input, text).unwrap();
        let output = dir.join("out.txt");
        std::fs::write(&output, "before\n").unwrap();
        let stdout = std::fs::OpenOptions::new()
            .append(true)
            .open(&output)
            .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mizan"))
            .args(["zakat", "assess", input.to_str().unwrap()])
            .stdout(stdout)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(error), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&output).unwrap(), "before\n");
    }
    // The good document through the same file: appended after what was
    // there, as the shell's `>>` asks.
    let output = dir.join("out.txt");
    let stdout = std::fs::OpenOptions::new()
        .append(true)
        .open(&output)
        .unwrap();
    let input = dir.join("in.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["zakat", "assess", input.to_str().unwrap()])
        .stdout(stdout)
        .output()
        .unwrap();
    assert!(out.status.success());
    let piped = mizan(&["zakat", "assess", input.to_str().unwrap()], b"");
    let mut expected = b"before\n".to_vec();
    expected.extend_from_slice(&piped.stdout);
    assert_eq!(std::fs::read(&output).unwrap(), expected);
}

/// Standard output that is a pipe: the document's results are kept in
/// memory until every record has been read (one pass), or, past
/// `--hold-mb`, the document is read twice; the same bytes either way, and
/// nothing at all for a refused document.
#[test]
fn a_pipe_gets_the_same_bytes_whether_the_results_are_kept_or_not() {
    let dir = scratch("pipe");
    // 8,000 payers: 2.6 MB, three one-pass chunks of a megabyte and eight
    // held segments of 1,024 records, formatted by every worker in turn.
    for (workload, command, count) in [("zakat", "assess", "8000"), ("murabaha", "process", "40")] {
        let input = generated(&dir, workload, count, "in.json");
        let input = input.to_str().unwrap();
        let kept = mizan(&[workload, command, input], b"");
        let twice = mizan(&[workload, command, input, "--hold-mb", "0"], b"");
        assert!(kept.status.success() && twice.status.success());
        assert!(kept.stdout.len() > 100_000, "{workload}");
        assert_eq!(kept.stdout, twice.stdout, "{workload}");
        let written = dir.join("out.json");
        let file = mizan(
            &[workload, command, input, "-o", written.to_str().unwrap()],
            b"",
        );
        assert!(file.status.success());
        assert_eq!(std::fs::read(&written).unwrap(), kept.stdout, "{workload}");
    }
    let good = std::fs::read_to_string(dir.join("in.json")).unwrap();
    let bad = good.replacen("\"term_months\":", "\"term_months\":0,\"x\":", 1);
    assert_ne!(bad, good);
    std::fs::write(dir.join("bad.json"), bad).unwrap();
    for hold in ["0", "768"] {
        let out = mizan(
            &[
                "murabaha",
                "process",
                dir.join("bad.json").to_str().unwrap(),
                "--hold-mb",
                hold,
            ],
            b"",
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "nothing printed (--hold-mb {hold})");
        assert!(stderr(&out).contains("contracts[0]"), "{}", stderr(&out));
    }
}

/// A reader that goes away after the first bytes: the command stops
/// (killed by SIGPIPE, as a Unix filter is), with the held results half
/// written, and does not hang.
#[test]
fn a_pipe_closed_early_stops_the_command() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch("closed-pipe");
    let input = generated(&dir, "zakat", "8000", "in.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["zakat", "assess", input.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"{\n  \"currency\""));
    // The pipe's reading end is dropped with the handle.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the command did not stop when its reader went away");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status:?}");
}

/// `--compact`: a document's results as `serde_json::to_string` writes the
/// reference's output, and a newline, byte for byte under both engines,
/// from a file and from standard input, into a pipe (the one-pass path's
/// results kept in memory); a stream is compact already and `--compact`
/// changes nothing. (`pipeline_properties` holds the other paths to the
/// reference: output to a file, chunks of every size, the records kept.)
#[test]
fn compact_output_is_serde_jsons_compact_layout_under_both_engines() {
    let dir = scratch("compact");
    for (workload, command, count) in [("zakat", "assess", "400"), ("murabaha", "process", "30")] {
        let input = generated(&dir, workload, count, "in.json");
        let text = std::fs::read_to_string(&input).unwrap();
        let mut expected = if workload == "zakat" {
            let parsed: mizan::zakat::ZakatInput = serde_json::from_str(&text).unwrap();
            serde_json::to_string(&mizan::zakat::assess_all(&parsed).unwrap()).unwrap()
        } else {
            let parsed: mizan::murabaha::MurabahaInput = serde_json::from_str(&text).unwrap();
            serde_json::to_string(&mizan::murabaha::process_all(&parsed).unwrap()).unwrap()
        };
        expected.push('\n');
        let path = input.to_str().unwrap();
        for engine in ["fast", "reference"] {
            for (source, stdin) in [(path, &b""[..]), ("-", text.as_bytes())] {
                let out = mizan(
                    &[workload, command, source, "--compact", "--engine", engine],
                    stdin,
                );
                assert!(out.status.success(), "{}", stderr(&out));
                assert!(
                    out.stdout == expected.as_bytes(),
                    "{workload} {engine} {source}: {} bytes, expected {}",
                    out.stdout.len(),
                    expected.len()
                );
            }
        }
        let pretty = mizan(&[workload, command, path], b"");
        assert!(expected.len() < pretty.stdout.len() * 3 / 4, "{workload}");
        let stream = generated(&dir, workload, count, "in.jsonl");
        let stream = stream.to_str().unwrap();
        assert_eq!(
            mizan(&[workload, command, stream, "--compact"], b"").stdout,
            mizan(&[workload, command, stream], b"").stdout
        );
    }
}

/// A file that starts with the UTF-8 byte-order mark, as Windows
/// PowerShell 5's `Out-File -Encoding utf8` writes one: the mark is skipped (RFC 8259, section 8.1), in a document and a
/// stream, under both engines, from a file and from standard input; CRLF
/// line endings as well.
#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = scratch("bom");
    for (workload, command, count) in [("zakat", "assess", "200"), ("murabaha", "process", "12")] {
        for file in ["in.json", "in.jsonl"] {
            let input = generated(&dir, workload, count, file);
            let plain = mizan(&[workload, command, input.to_str().unwrap()], b"");
            assert!(plain.status.success(), "{}", stderr(&plain));
            let text = std::fs::read_to_string(&input).unwrap();
            let marked = dir.join(format!("marked-{file}"));
            let with_mark = format!("\u{feff}{}", text.replace('\n', "\r\n"));
            std::fs::write(&marked, &with_mark).unwrap();
            assert!(std::fs::read(&marked).unwrap().starts_with(b"\xEF\xBB\xBF"));
            let format = if file.ends_with("jsonl") {
                "jsonl"
            } else {
                "json"
            };
            for engine in ["fast", "reference"] {
                for (source, stdin) in [
                    (marked.to_str().unwrap(), &b""[..]),
                    ("-", with_mark.as_bytes()),
                ] {
                    let out = mizan(
                        &[
                            workload, command, source, "--format", format, "--engine", engine,
                        ],
                        stdin,
                    );
                    assert!(
                        out.status.success(),
                        "{workload} {file} {engine} {source}: {}",
                        stderr(&out)
                    );
                    assert!(
                        out.stdout == plain.stdout,
                        "{workload} {file} {engine} {source}"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A generated payer's line with one byte changed: the hand reader
    /// gives what `serde_json` gives, or hands it over.
    #[test]
    fn the_hand_reader_is_serde_or_nothing(seed in 0u64..1_000, at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let payer = generate::payers(1, seed).next().unwrap();
        let mut text = serde_json::to_vec(&payer).unwrap();
        prop_assert_eq!(mizan::zakat::parse::payer(&text), Some(payer));
        let at = at.index(text.len());
        text[at] = byte;
        if let Some(read) = mizan::zakat::parse::payer(&text) {
            let serde: mizan::zakat::Payer = serde_json::from_slice(&text).expect("serde reads it too");
            prop_assert_eq!(read, serde);
        }
    }

    /// The same for a contract.
    #[test]
    fn the_contract_reader_is_serde_or_nothing(seed in 0u64..1_000, at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let contract = mizan::murabaha::generate::contracts(1, seed).next().unwrap();
        let mut text = serde_json::to_vec(&contract).unwrap();
        prop_assert_eq!(mizan::murabaha::parse::contract(&text), Some(contract));
        let at = at.index(text.len());
        text[at] = byte;
        if let Some(read) = mizan::murabaha::parse::contract(&text) {
            let serde: mizan::murabaha::Contract = serde_json::from_slice(&text).expect("serde reads it too");
            prop_assert_eq!(read, serde);
        }
    }
}
