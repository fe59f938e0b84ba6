//! Exercise `zakat/dispatch`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/dispatch
//! ```
//!
//! `cargo exercise hint zakat/dispatch` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Dispatch".

use mizan::zakat::lessons::dispatch::Census;
use mizan::zakat::model::AnimalCount;

/// Each herd a boxed trait object, its due found through the vtable.
pub fn attempt(input: &Census) -> Vec<[AnimalCount; 2]> {
    input.boxed.iter().map(|herd| herd.due()).collect()
}
