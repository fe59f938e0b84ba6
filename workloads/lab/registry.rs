//! The registry: every lesson of the lab, in the order the runner, the
//! tests and the book present them. Adding a lesson is one module and one
//! line here.

use super::lesson::Lesson;

/// Every registered lesson.
pub fn lessons() -> Vec<&'static dyn Lesson> {
    vec![
        &crate::zakat::lessons::string_building::LESSON,
        &crate::murabaha::lessons::string_building::LESSON,
        &crate::zakat::lessons::pre_allocation::LESSON,
        &crate::murabaha::lessons::pre_allocation::LESSON,
        &crate::zakat::lessons::pooling::LESSON,
        &crate::murabaha::lessons::pooling::LESSON,
        &crate::zakat::lessons::sharding::LESSON,
        &crate::murabaha::lessons::sharding::LESSON,
        &crate::zakat::lessons::allocator_choice::LESSON,
        &crate::murabaha::lessons::allocator_choice::LESSON,
        &crate::zakat::lessons::pipeline::LESSON,
        &crate::murabaha::lessons::pipeline::LESSON,
        // Data and code, one thread.
        &crate::zakat::lessons::fixed_point::LESSON,
        &crate::murabaha::lessons::fixed_point::LESSON,
        &crate::zakat::lessons::hashing::LESSON,
        &crate::murabaha::lessons::hashing::LESSON,
        &crate::zakat::lessons::small_vectors::LESSON,
        &crate::zakat::lessons::copying::LESSON,
        &crate::zakat::lessons::hoisting::LESSON,
        &crate::murabaha::lessons::hoisting::LESSON,
        &crate::zakat::lessons::dispatch::LESSON,
        &crate::zakat::lessons::parsing::LESSON,
        &crate::zakat::lessons::algorithmic::LESSON,
        &crate::murabaha::lessons::algorithmic::LESSON,
        &crate::zakat::lessons::buffered_io::LESSON,
        &crate::murabaha::lessons::buffered_io::LESSON,
        &crate::murabaha::lessons::bounds_checks::LESSON,
        // Threads, memory and the build.
        &crate::zakat::lessons::data_parallelism::LESSON,
        &crate::murabaha::lessons::false_sharing::LESSON,
        &crate::murabaha::lessons::thread_spawn::LESSON,
        &crate::murabaha::lessons::channels::LESSON,
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

/// The lesson with this id.
pub fn find(id: &str) -> Option<&'static dyn Lesson> {
    lessons().into_iter().find(|lesson| lesson.id() == id)
}
