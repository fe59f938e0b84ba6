//! `murabaha/buffered-io`: writing the month's statements, line by line, to
//! a file (the lab's run) or to standard output (`MIZAN_IO_TO=stdout`).
//! The forms are `zakat/buffered-io`'s (shared, in `lessons/inputs.rs`),
//! on another document: a
//! statement's lines (instalment rows) are some three times as long as a
//! receipt's, so each of the naive form's system calls carries more bytes,
//! and buffering saves less per byte.

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
    why: "Every statement line written straight to a File, or printed with println!, is a \
          system call of its own (two for writeln! on a File: the line and its newline), and \
          the kernel's fixed cost per call is most of the work. A BufWriter gathers the rows \
          and hands the kernel a block at a time: {speedup} for the same bytes on disk, less \
          than for the receipts because a statement's rows are longer, so each call the \
          naive form makes carries more. The contrast is the same statements \
          already written in large pieces, where BufWriter passes each piece straight \
          through and buys nothing ({contrast.speedup}).",
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
