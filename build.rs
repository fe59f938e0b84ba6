//! Records the compiler's version and its LLVM's for the lab's machine
//! fingerprint.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let verbose = Command::new(rustc)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .unwrap_or_default();
    // `rustc -vV` starts with the short version line, then `key: value`
    // lines, one of them `LLVM version: 22.1.2`.
    let version = verbose.lines().next().unwrap_or("unknown").trim();
    let llvm = verbose
        .lines()
        .find_map(|line| line.strip_prefix("LLVM version:"))
        .map(str::trim)
        .unwrap_or("unknown");
    println!("cargo:rustc-env=MIZAN_RUSTC_VERSION={version}");
    println!("cargo:rustc-env=MIZAN_LLVM_VERSION={llvm}");
    println!("cargo:rerun-if-changed=build.rs");
}
