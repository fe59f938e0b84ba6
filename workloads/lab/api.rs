//! The lab as a lesson sees it: the one door from `lessons/` into `lab/`.
//!
//! A lesson declares itself with [`LessonDef`] and reaches the lab's
//! machinery only through what is re-exported here (the lock whose waits
//! `mizan profile` reads, the allocator backends, a started thread pool,
//! and, for the lessons with a command of their own, the measurement
//! helpers), never through the runner's internals.

pub use super::alloc::{ALLOCATOR_VARIABLE, Backend, backend};
pub use super::child::Request;
pub use super::lesson::{
    Constraint, Contrast, ContrastInput, Exercise, Input, Invariant, Lesson, LessonDef, Limit,
    Output, Practice, Prepare, SPEED_OF_LIGHT, Scale, Variant, ensure,
};
pub use super::lock::Mutex;
pub use super::machine::Machine;
pub use super::measure::{format_bytes, format_count, format_ns, median_ns, peak_rss_bytes, pool};
pub use super::stats::Ratio;
