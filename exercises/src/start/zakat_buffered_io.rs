//! Exercise `zakat/buffered-io`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/buffered-io
//! ```
//!
//! `cargo exercise hint zakat/buffered-io` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Buffered I/O".

use mizan::zakat::lessons::buffered_io::{Destination, Document};
use std::fs::File;
use std::io::Write;

/// Every line written straight to the file, or printed.
pub fn attempt(input: &Document) -> Vec<u8> {
    match &input.to {
        Destination::File(path) => {
            let mut file = File::create(path).expect("a temporary file is writable");
            for line in &input.lines {
                writeln!(file, "{line}").expect("the write succeeds");
            }
        }
        Destination::Stdout => {
            for line in &input.lines {
                println!("{line}");
            }
        }
    }
    input.written()
}
