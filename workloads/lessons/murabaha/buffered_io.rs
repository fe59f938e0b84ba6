//! `murabaha/buffered-io`: writing the month's statements, line by line, to
//! a file (the lab's run) or to standard output (`MIZAN_IO_TO=stdout`).
//! The forms are `zakat/buffered-io`'s (shared, in `lessons/inputs.rs`),
//! on another document: a
//! statement's lines (instalment rows) are some three times as long as a
//! receipt's, so each of the naive form's system calls carries more bytes,
//! and there are fewer calls a byte for buffering to remove.

use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::lessons::inputs::{
    Document, buffered, each_line_and_its_newline, in_pieces, unbuffered, write_limit,
};
use crate::murabaha::statement::write_statement;

use super::inputs::statements;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Document, Vec<u8>> = LessonDef {
    id: "murabaha/buffered-io",
    why: "Every statement row written with writeln! straight to a File is a write for the \
          row and another for its newline, and println! takes the standard output's lock \
          on every call and flushes at every newline, a system call a row. The optimized \
          form puts a BufWriter in front of the same writeln!, which gathers the rows in \
          memory and hands the kernel a block at a time; scripts/syscalls counts both \
          forms' calls with strace (the chapter's table). A statement's rows are longer \
          than a receipt's, so each call the naive form makes carries more bytes than in \
          zakat/buffered-io; the two lessons' tables say what that does to the ratio. \
          Callgrind counts only the process's own instructions, not the kernel's work \
          behind a call ({instructions}), so it cannot show what the calls cost; the naive \
          form's profile, with most of its samples in __GI___libc_write, does. \
          {?speedup|gain Here buffering measured {speedup} for the same bytes on disk: the \
          time follows the system calls, not the bytes.|same Here the two are within the \
          noise ({speedup}), for the same bytes on disk.|loss Here buffering measured \
          {speedup}, for the same bytes on disk.} The contrast writes the same statements \
          in pieces larger than the buffer, which BufWriter passes straight through; the \
          newline after each piece is a call of its own in either form, so by the code \
          both make about two calls a piece (strace does not count the contrast). \
          {?contrast.speedup|gain There buffering still measured {contrast.speedup}, which \
          the calls do not explain.|same There the two are within the noise \
          ({contrast.speedup}).|loss There buffering measured {contrast.speedup}, probably \
          the check of each write against the buffer and the copy of the newlines it \
          holds, with no call to spare.} Buffer where many small writes go to one file or \
          pipe and no reader waits for each line; where a line must reach its reader at \
          once, flush it there.",
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
        hint: "Every statement row is a `write` system call to the file, and `println!` locks and \
         flushes standard output for every row. Gather the rows before they reach the kernel.",
        compares: "the bytes in the file, read back",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The statements of the string-building lesson's portfolio, as lines.
fn statement_lines(scale: Scale, seed: u64) -> Vec<String> {
    // A tenth of the string-building lesson's contracts: the naive form
    // makes two system calls a line.
    let smaller = scale.smaller().unwrap_or(Scale::Tiny);
    let statements = statements(smaller, seed);
    let mut text = String::new();
    for c in &statements.results {
        write_statement(&mut text, c, statements.as_of);
    }
    text.lines().map(str::to_owned).collect()
}

fn build(scale: Scale, seed: u64) -> Document {
    Document::new(statement_lines(scale, seed))
}

fn pieces(scale: Scale, seed: u64) -> Document {
    Document::new(in_pieces(statement_lines(scale, seed)))
}
