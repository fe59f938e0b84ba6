//! One learner's attempt at one exercise, as `cargo exercise check` builds
//! it: `MIZAN_EXERCISE` names the exercise (`zakat_pooling`) and
//! `MIZAN_ATTEMPTS` the folder of the attempt (`exercises/attempts/` by
//! default). Built without them (as `cargo build` of the workspace does),
//! it holds no exercise.
//!
//! Only this small crate is compiled again after an edit; the checker, the
//! lab and the other attempts are not.

use mizan::lab::exercise::Exercise;

include!(concat!(env!("OUT_DIR"), "/attempt.rs"));
