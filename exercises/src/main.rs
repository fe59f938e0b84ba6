//! `cargo exercise`: list, start, check, hint, reset and grade the lab's
//! exercises. The command line is [`mizan_exercises::cli`]; the checker's
//! logic is [`mizan::lab::exercise`]. This binary has no attempt in it:
//! `check` builds and runs `mizan-attempt` for the attempt it checks.

// Allocations are counted, as in the lab's own runs.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

fn main() -> std::process::ExitCode {
    use mizan_exercises::cli::{Role, main};
    main(mizan_exercises::EXERCISES, Role::Checker)
}
