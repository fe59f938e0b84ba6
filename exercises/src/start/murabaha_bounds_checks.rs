//! Exercise `murabaha/bounds-checks`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/bounds-checks
//! ```
//!
//! `cargo exercise hint murabaha/bounds-checks` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Bounds checks".

use mizan::murabaha::lessons::bounds_checks::Aging;

/// Each schedule's vectors indexed by the loop counter.
pub fn attempt(input: &Aging) -> Vec<i32> {
    let mut late = vec![0; input.due.len()];
    let mut start = 0;
    for (due, covered) in input.schedules() {
        for i in 0..due.len() {
            let end = covered[i].min(input.as_of);
            late[start + i] = (end - due[i]).max(0);
        }
        start += due.len();
    }
    late
}
