//! Exercise `zakat/algorithmic`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/algorithmic
//! ```
//!
//! `cargo exercise hint zakat/algorithmic` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Algorithms first".

use mizan::zakat::lessons::algorithmic::{Duplicate, Ids};

/// Each identifier against every earlier one, until a match.
pub fn attempt(input: &Ids) -> Vec<Duplicate> {
    let mut duplicates = Vec::new();
    for (at, id) in input.ids.iter().enumerate() {
        for (first, earlier) in input.ids[..at].iter().enumerate() {
            if earlier == id {
                duplicates.push(Duplicate {
                    at: at as u32,
                    first: first as u32,
                });
                break;
            }
        }
    }
    duplicates
}
