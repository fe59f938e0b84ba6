//! The lab machinery: the lesson type, the runner that checks and times
//! every form, measurement, profiles, reports and the exercise checker.
//! It knows no workload: the lessons reach it through [`api`], and the
//! registry (`crate::lessons`) is handed to it.
//!
//! - [`lesson`]: `Lesson`, `Prepared`, `LessonDef`, `Scale`, `Form`.
//! - [`api`]: the lab as a lesson sees it (the one door from `lessons/`).
//! - [`runner`]: both forms on the same input, checked equal, alternating
//!   timed runs in slices within a budget, allocation counts.
//! - [`results`]: a run's results, the schema of `results.json`.
//! - [`tables`]: the results as Markdown tables.
//! - [`alloc`]: the counting global allocator, over the system allocator
//!   or mimalloc.
//! - [`instructions`]: instruction counts under callgrind; [`counters`],
//!   every form's instructions, branches, mispredictions and simulated
//!   cache misses (`mizan counters`).
//! - [`builds`]: the build-settings lessons (`mizan builds`): the
//!   optimized pipelines built four ways, timed in their own processes.
//! - [`profile`]: CPU profiles (flamegraph, pprof protobuf, top frames),
//!   heap profiles by allocation site (dhat), lock waits ([`lock`]).
//! - [`report`]: the book's generated tables and charts.
//! - [`process`]: timing forms in processes of their own, for the lessons
//!   about the allocator; [`child`], every child process's one typed
//!   request.
//! - [`machine`]: the fingerprint recorded beside every result, and the
//!   machine's effective parallelism.
//! - [`stats`]: the interval of a ratio of paired runs, and its verdict.
//! - [`stamp`]: where a generated page came from (commit, sources'
//!   digest), and whether it is still current.
//! - [`why`]: a lesson's paragraph with its figures filled from the run.
//! - [`compare`]: two runs' results side by side (`mizan compare`).
//! - [`measure`]: peak memory, page faults, medians, number formats,
//!   started thread pools.
//! - [`printed`]: an output as it prints, by which forms are compared.
//! - [`exercise`]: the exercise checker (correct, clean, fast), and
//!   [`diff`], the first difference between two outputs.

pub mod alloc;
pub mod api;
pub mod asm;
pub mod builds;
pub mod chart;
pub mod child;
pub mod compare;
pub mod counters;
pub mod diff;
pub mod exercise;
pub mod instructions;
pub mod lesson;
pub mod lock;
pub mod machine;
pub mod measure;
pub mod printed;
pub mod process;
pub mod profile;
pub mod report;
pub mod results;
pub mod runner;
pub mod stamp;
pub mod stats;
pub mod tables;
pub mod why;
