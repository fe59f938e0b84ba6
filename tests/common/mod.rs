//! Helpers shared by the command-line tests.

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the `mizan` binary with `args`, feeding `stdin`.
pub fn mizan(args: &[&str], stdin: &[u8]) -> Output {
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

/// Runs the `mizan` binary with `args` and no input, which must succeed
/// (its standard error shown if not); its standard output.
pub fn mizan_ok(args: &[&str]) -> String {
    let out = mizan(args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The error line of a refused standard input, without serde_json's
/// `at line L column C` (which points a user at the place in a big file).
pub fn error_message(stderr: &[u8]) -> String {
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

/// A bad input: what it is, how it changes a good document, the error.
pub type Refusal = (&'static str, fn(&mut serde_json::Value), &'static str);

/// Feeds each changed copy of `document` to `args` and checks that it is
/// refused with exactly the expected message: exit status 1 (not a panic),
/// nothing on standard output.
pub fn check_refusals(args: &[&str], document: &serde_json::Value, cases: &[Refusal]) {
    for (what, change, expected) in cases {
        let mut doc = document.clone();
        change(&mut doc);
        let out = mizan(args, doc.to_string().as_bytes());
        assert_eq!(out.status.code(), Some(1), "{what}: a clean refusal");
        assert!(out.stdout.is_empty(), "{what}: printed to stdout");
        assert_eq!(&error_message(&out.stderr), expected, "{what}");
    }
}
