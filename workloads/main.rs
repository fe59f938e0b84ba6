//! The `mizan` command: the lab runner and the domain commands (see
//! [`cli`] for the subcommands).

mod cli;

use std::process::ExitCode;

use clap::Parser;

// Every allocation is counted, so that the lab can report allocations per
// run; the cost (two relaxed atomic adds per allocation) falls on both forms
// alike.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

fn main() -> ExitCode {
    // Die quietly of SIGPIPE, like other Unix filters, when the reader of
    // our output goes away (`mizan run | head`), rather than panic in
    // `println!`. Rust's runtime ignores the signal by default.
    // SAFETY: restoring a signal's default disposition at start-up, before
    // any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
