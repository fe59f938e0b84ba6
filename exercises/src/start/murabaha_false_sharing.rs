//! Exercise `murabaha/false-sharing`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/false-sharing
//! ```
//!
//! `cargo exercise hint murabaha/false-sharing` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "False sharing".

use mizan::murabaha::MurabahaInput;
use mizan::murabaha::lessons::false_sharing::{Counters, Tally, post};

/// The slots side by side in the table.
pub fn attempt(input: &MurabahaInput) -> Tally {
    post::<Counters>(input, false)
}
