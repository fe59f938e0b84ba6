//! The lessons: every technique the lab teaches, one file a lesson, and
//! the registry, the one list of them that the runner, the tests, the
//! benches, the profiler, the exercises and the book iterate.
//!
//! `zakat/<technique>.rs` and `murabaha/<technique>.rs`: each with its
//! `naive` and `optimized` forms, its input and its random inputs, and its
//! registry entry `LESSON`. What two or more of a workload's lessons share
//! (an input, its generator, a writer) is in that workload's `inputs.rs`;
//! what both workloads' lessons share, in [`inputs`].
//!
//! A lesson imports the lab's lesson API ([`crate::lab::api`]), its
//! workload's `inputs.rs`, [`inputs`] and the domain; never another lesson
//! and never `tool` (`tests/tidy.rs` checks it). Adding a lesson is its
//! file, its `pub mod` line below, its line in [`lessons`] and its book
//! section; `tests/lab.rs` fails on a lesson file missing from either
//! list or from the book.

use crate::lab::api::Lesson;

pub mod inputs;

/// The zakat lessons.
pub mod zakat {
    pub mod dense_inputs;
    pub mod inputs;
    pub mod processor_inputs;

    pub mod algorithmic;
    pub mod allocator_choice;
    pub mod branches;
    pub mod buffered_io;
    pub mod copying;
    pub mod data_layout;
    pub mod data_parallelism;
    pub mod dispatch;
    pub mod fixed_point;
    pub mod hashing;
    pub mod hoisting;
    pub mod inlining;
    pub mod parsing;
    pub mod pipeline;
    pub mod pooling;
    pub mod pre_allocation;
    pub mod sharding;
    pub mod small_vectors;
    pub mod string_building;
    pub mod vectorization;
}

/// The murabaha lessons.
pub mod murabaha {
    pub mod inputs;
    pub mod processor_inputs;

    pub mod algorithmic;
    pub mod allocator_choice;
    pub mod bounds_checks;
    pub mod buffered_io;
    pub mod channels;
    pub mod data_structures;
    pub mod false_sharing;
    pub mod fixed_point;
    pub mod hashing;
    pub mod hoisting;
    pub mod memory_access;
    pub mod memory_limits;
    pub mod pipeline;
    pub mod pooling;
    pub mod pre_allocation;
    pub mod sharding;
    pub mod string_building;
    pub mod thread_spawn;
    pub mod type_sizes;
}

/// Every registered lesson, in the order the runner, the tests and the
/// book present them.
pub fn lessons() -> Vec<&'static dyn Lesson> {
    vec![
        // The five named techniques, on both workloads.
        &zakat::string_building::LESSON,
        &murabaha::string_building::LESSON,
        &zakat::pre_allocation::LESSON,
        &murabaha::pre_allocation::LESSON,
        &zakat::pooling::LESSON,
        &murabaha::pooling::LESSON,
        &zakat::sharding::LESSON,
        &murabaha::sharding::LESSON,
        &zakat::allocator_choice::LESSON,
        &murabaha::allocator_choice::LESSON,
        &zakat::pipeline::LESSON,
        &murabaha::pipeline::LESSON,
        // Data and code, one thread.
        &zakat::fixed_point::LESSON,
        &murabaha::fixed_point::LESSON,
        &zakat::hashing::LESSON,
        &murabaha::hashing::LESSON,
        &zakat::small_vectors::LESSON,
        &zakat::copying::LESSON,
        &zakat::hoisting::LESSON,
        &murabaha::hoisting::LESSON,
        &zakat::dispatch::LESSON,
        &zakat::parsing::LESSON,
        &zakat::algorithmic::LESSON,
        &murabaha::algorithmic::LESSON,
        &zakat::buffered_io::LESSON,
        &murabaha::buffered_io::LESSON,
        &murabaha::bounds_checks::LESSON,
        // Threads, memory and the build.
        &zakat::data_parallelism::LESSON,
        &murabaha::false_sharing::LESSON,
        &murabaha::thread_spawn::LESSON,
        &murabaha::channels::LESSON,
        // The processor and its memory.
        &zakat::branches::LESSON,
        &zakat::data_layout::LESSON,
        &zakat::inlining::LESSON,
        &zakat::vectorization::LESSON,
        &murabaha::memory_access::LESSON,
        &murabaha::data_structures::LESSON,
        &murabaha::type_sizes::LESSON,
    ]
}

/// The lessons with a command of their own, not in the default run (they
/// build the lab again, or need a bank-scale portfolio in several
/// processes): each id with its command.
pub const OWN_COMMAND: [(&str, &str); 3] = [
    ("zakat/build-settings", "mizan builds"),
    ("murabaha/build-settings", "mizan builds"),
    ("murabaha/memory-limits", "mizan memory-limits"),
];

/// The forms whose machine code a chapter shows (`mizan asm --book` writes
/// each one's page into the book's `generated/asm/`): where the code is
/// the evidence of the lesson's mechanism.
pub const MACHINE_CODE_PAGES: [(&str, &str); 11] = [
    ("zakat/branches", "naive"),
    ("zakat/branches", "optimized"),
    ("zakat/vectorization", "naive"),
    ("zakat/vectorization", "portable"),
    ("zakat/vectorization", "optimized"),
    ("zakat/inlining", "naive"),
    ("zakat/inlining", "optimized"),
    ("murabaha/bounds-checks", "naive"),
    ("murabaha/bounds-checks", "optimized"),
    ("murabaha/bounds-checks", "lengths-asserted"),
    ("murabaha/bounds-checks", "contrast.naive"),
];

/// The lesson with this id.
pub fn find(id: &str) -> Option<&'static dyn Lesson> {
    lessons().into_iter().find(|lesson| lesson.id() == id)
}
