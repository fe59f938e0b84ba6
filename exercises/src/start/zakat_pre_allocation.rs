//! Exercise `zakat/pre-allocation`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/pre-allocation
//! ```
//!
//! `cargo exercise hint zakat/pre-allocation` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Pre-allocation".

use std::collections::HashMap;

use mizan::zakat::lessons::algorithmic::{Duplicate, Ids};
use mizan::zakat::lessons::pre_allocation::duplicates;

/// The index grows from empty.
pub fn attempt(input: &Ids) -> Vec<Duplicate> {
    duplicates(&input.ids, HashMap::new())
}
