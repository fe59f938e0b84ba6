//! Exercise `murabaha/pooling`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/pooling
//! ```
//!
//! `cargo exercise hint murabaha/pooling` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Pooling".

use mizan::murabaha::lessons::string_building::{Statements, write_statement};

/// A fresh `String` for every statement.
pub fn attempt(input: &Statements) -> Vec<u8> {
    let mut file = Vec::with_capacity(input.document_len);
    for c in &input.results {
        let mut text = String::new();
        write_statement(&mut text, c, input.as_of);
        file.extend_from_slice(text.as_bytes());
    }
    file
}
