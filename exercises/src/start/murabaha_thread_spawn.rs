//! Exercise `murabaha/thread-spawn`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/thread-spawn
//! ```
//!
//! `cargo exercise hint murabaha/thread-spawn` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Starting threads".

use mizan::murabaha::MurabahaInput;
use mizan::murabaha::lessons::thread_spawn::{BATCH, BatchTotals, spawned};

/// A thread started for every batch.
pub fn attempt(input: &MurabahaInput) -> Vec<BatchTotals> {
    spawned(input, BATCH)
}
