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
//!   <id>` writes one to `attempts/`), and [`start_text`], their texts;
//! - [`EXERCISES`]: every exercise, each with its starting point in the
//!   attempt's place (what `check --start` checks);
//! - [`cli`]: the command line, shared by the checker (`exercise`) and the
//!   one-attempt binary `mizan-attempt` builds (`exercises/attempt/`).
//!
//! The learner's attempts are not compiled into this crate: `check` builds
//! `mizan-attempt` with the one attempt it checks and runs it, so that an
//! edit rebuilds only that crate. The checker's logic is
//! [`mizan::lab::exercise`].

use mizan::lab::exercise::{Exercise, ExerciseDef};

pub mod cli;

/// This crate's folder; its parent is the checkout's root, where git and
/// the book are.
pub const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// An exercise of `$lesson`, its starting point (module `$module` of
/// [`start`]) in the attempt's place.
macro_rules! exercise {
    ($module:ident, $lesson:expr) => {
        &ExerciseDef {
            lesson: &$lesson,
            attempt: start::$module::attempt,
            start: start::$module::attempt,
            file: concat!(stringify!($module), ".rs"),
            start_text: start_text::$module,
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/exercises.rs"));
