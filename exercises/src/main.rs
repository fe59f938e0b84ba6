//! `cargo exercise`: list, start, check, hint and reset the lab's
//! exercises (see [`mizan::lab::exercise`]).

use std::path::Path;
use std::process::ExitCode;

// Allocations are counted, as in the lab's own runs.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

fn main() -> ExitCode {
    let root = Path::new(mizan_exercises::DIR)
        .parent()
        .expect("the exercises crate is in the checkout");
    mizan::lab::exercise::main(mizan_exercises::EXERCISES, &mizan::lessons::lessons(), root)
}
