//! The checker's command line over the one attempt compiled in
//! ([`mizan_attempt::EXERCISES`]): `cargo exercise check` runs it.

// Allocations are counted, as the checker's and the lab's are.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

fn main() -> std::process::ExitCode {
    let role = mizan_exercises::cli::Role::Attempt {
        attempts: mizan_attempt::ATTEMPTS,
    };
    mizan_exercises::cli::main(mizan_attempt::EXERCISES, role)
}
