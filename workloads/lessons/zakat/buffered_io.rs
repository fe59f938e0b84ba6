//! `zakat/buffered-io`: writing the receipts, line by line, to where they
//! go: a file (the lab's run), or standard output (`MIZAN_IO_TO=stdout`,
//! for `scripts/syscalls`).
//!
//! The forms are in `lessons/inputs.rs`, shared with `murabaha/buffered-io`:
//!
//! - naive (`unbuffered`): `writeln!` straight into the `File`, or `println!`: every line
//!   is a `write` system call of its own (two, for `writeln!` on a `File`:
//!   the line and then its newline), and `println!` locks standard output
//!   for every line and flushes it at every newline;
//! - optimized (`buffered`): the same `writeln!` into a `BufWriter` around the file, or
//!   around standard output locked once: a system call per 8 KiB.
//!
//! The contrast is the same document in 64 KiB pieces: each write is then
//! larger than the buffer, which `BufWriter` passes straight through, and
//! the system calls are few either way.
//!
//! Every form reads the file back, so that the check compares the bytes on
//! disk; under `MIZAN_IO_TO=stdout` nothing is read back.

use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::lessons::inputs::{
    Document, buffered, each_line_and_its_newline, in_pieces, unbuffered, write_limit,
};
use crate::zakat::receipt::write_receipt;

use super::inputs::receipts;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Document, Vec<u8>> = LessonDef {
    id: "zakat/buffered-io",
    why: "A File in Rust is not buffered: every writeln! to it goes to the kernel as a \
          write for the line and another for its newline, and println! takes the standard \
          output's lock on every call and flushes at every newline, a system call a line. \
          The optimized form puts a BufWriter in front of the same writeln!, which gathers \
          the lines in memory and hands the kernel a block at a time; scripts/syscalls \
          counts both forms' calls with strace (the chapter's table). Callgrind counts \
          only the process's own instructions, not the kernel's work behind a call \
          ({instructions}), so it cannot show what the calls cost; the naive form's \
          profile, with most of its samples in __GI___libc_write, does. {?speedup|gain \
          Here buffering measured {speedup} for the same bytes on disk: the time follows \
          the system calls, not the bytes.|same Here the two are within the noise \
          ({speedup}), for the same bytes on disk.|loss Here buffering measured {speedup}, \
          for the same bytes on disk.} The contrast writes the same receipts in pieces \
          larger than the buffer, which BufWriter passes straight through; the newline \
          after each piece is a call of its own in either form, so by the code both make \
          about two calls a piece (strace does not count the contrast). \
          {?contrast.speedup|gain There buffering still measured {contrast.speedup}, which \
          the calls do not explain.|same There the two are within the noise \
          ({contrast.speedup}).|loss There buffering measured {contrast.speedup}, probably \
          the check of each write against the buffer and the copy of the newlines it \
          holds, with no call to spare.} Buffer where many small writes go to one file or \
          pipe and no reader waits for each line; where a line must reach its reader at \
          once (a log that must survive a crash, a prompt), flush it there.",
    build,
    elements: |input| input.lines.len() as u64,
    naive: unbuffered,
    optimized: buffered,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: write_limit,
    }),
    reference: None,
    arbitrary: crate::lessons::inputs::arbitrary_document,
    invariant: Some(each_line_and_its_newline),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "64 KiB pieces",
        scale: Scale::Default,
        input: ContrastInput::Build(pieces),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "A `File` has no buffer: every `writeln!` is a system call (two, in fact). Count them \
         with `strace -c`. Where could the lines wait until there are enough to be worth a call?",
        compares: "the bytes in the file, read back",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The receipts of the string-building lesson's population, as lines.
pub fn receipt_lines(scale: Scale, seed: u64) -> Vec<String> {
    // A tenth of the string-building lesson's payers: the naive form makes
    // two system calls a line.
    let smaller = scale.smaller().unwrap_or(Scale::Tiny);
    let receipts = receipts(smaller, seed);
    let mut text = String::new();
    for a in &receipts.assessments {
        write_receipt(&mut text, a, receipts.currency.as_str());
    }
    text.lines().map(str::to_owned).collect()
}

fn build(scale: Scale, seed: u64) -> Document {
    Document::new(receipt_lines(scale, seed))
}

fn pieces(scale: Scale, seed: u64) -> Document {
    Document::new(in_pieces(receipt_lines(scale, seed)))
}
