//! Exercise `zakat/sharding`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/sharding
//! ```
//!
//! `cargo exercise hint zakat/sharding` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Sharding".

use mizan::zakat::lessons::sharding::{Key, Lines, Total, Totals, add, key};
use rayon::prelude::*;
use std::collections::HashMap;
// The lesson's Mutex: std's, which `mizan profile` can ask how long threads waited.
use mizan::lab::lock::Mutex;

/// Every thread locks the one map for every line.
pub fn attempt(input: &Lines) -> Totals {
    let totals: Mutex<HashMap<Key, Total>> = Mutex::new(HashMap::new());
    input.lines.par_iter().for_each(|line| {
        let mut totals = totals.lock().expect("no thread panics holding the lock");
        add(totals.entry(key(line)).or_default(), line);
    });
    totals
        .into_inner()
        .expect("no thread panicked")
        .into_iter()
        .collect()
}
