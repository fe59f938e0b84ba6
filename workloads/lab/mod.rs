//! The lab machinery: the lesson type, the registry of every lesson, the
//! runner that checks and times both forms, and allocation counting.
//!
//! - [`lesson`]: `Lesson`, `Prepared`, `LessonDef`, `Scale`, `Form`.
//! - [`registry`]: the one list of lessons that everything iterates.
//! - [`runner`]: both forms on the same input, checked equal, alternating
//!   timed runs, medians, allocation counts, the report.
//! - [`alloc`]: the counting global allocator, over the system allocator
//!   or mimalloc.
//! - [`instructions`]: instruction counts under callgrind.
//! - [`builds`]: the build-settings lessons (`mizan builds`): the
//!   optimized pipelines built four ways, timed in their own processes.
//! - [`profile`]: CPU profiles (flamegraph, pprof protobuf, top frames),
//!   heap profiles by allocation site (dhat), lock waits ([`lock`]).
//! - [`report`]: the book's generated tables and charts.
//! - [`process`]: timing forms in processes of their own, for the lessons
//!   about the allocator.
//! - [`machine`]: the fingerprint recorded beside every result, and the
//!   machine's effective parallelism.
//! - [`stats`]: the interval of a ratio of paired runs, and its verdict.
//! - [`why`]: a lesson's paragraph with its figures filled from the run.
//! - [`compare`]: two runs' results side by side (`mizan compare`).
//! - [`arbitrary`]: random lesson inputs out to the edges, for the
//!   property tests and the exercises.
//! - [`exercise`]: the exercise checker (correct, clean, fast), and
//!   [`diff`], the first difference between two outputs.

pub mod alloc;
pub mod arbitrary;
pub mod builds;
pub mod chart;
pub mod compare;
pub mod diff;
pub mod exercise;
pub mod instructions;
pub mod lesson;
pub mod lock;
pub mod machine;
pub mod process;
pub mod profile;
pub mod registry;
pub mod report;
pub mod runner;
pub mod stats;
pub mod why;
