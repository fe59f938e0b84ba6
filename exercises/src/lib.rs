//! Mizan's exercises: every lesson's naive form as a starting point, the
//! learner's attempts, and the list the checker (`cargo exercise`) reads.
//!
//! Nothing here is written by hand: `build.rs` generates each starting
//! point from its lesson (`workloads/lessons/<workload>/<technique>.rs`:
//! the naive form's text, the function renamed `attempt`, with the
//! lesson's hint and what the checker compares in its header) and the
//! list from the lessons whose `practice` is an exercise.
//!
//! - [`start`]: the starting points, as handed out (`cargo exercise start
//!   <id>` writes one to `attempts/`);
//! - [`attempts`]: the learner's copies, `attempts/<exercise>.rs`, compiled
//!   in place of the starting points once they exist.
//!
//! The checker's logic is [`mizan::lab::exercise`].

use mizan::lab::exercise::{Exercise, ExerciseDef};

/// This crate's folder; its parent is the checkout's root, where git and
/// the book are.
pub const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The folder of the attempts compiled in: `attempts/`, or a student's
/// folder `cargo exercise grade` built this checker from
/// (`MIZAN_ATTEMPTS`, read by `build.rs`).
pub const ATTEMPTS: &str = env!("MIZAN_ATTEMPTS_DIR");

/// An exercise of `$lesson`, from module `$module` of [`start`] and
/// [`attempts`].
macro_rules! exercise {
    ($module:ident, $lesson:expr) => {
        &ExerciseDef {
            lesson: &$lesson,
            attempt: attempts::$module::attempt,
            start: start::$module::attempt,
            file: concat!(stringify!($module), ".rs"),
            start_text: include_str!(concat!(
                env!("OUT_DIR"),
                "/start/",
                stringify!($module),
                ".rs"
            )),
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/exercises.rs"));
