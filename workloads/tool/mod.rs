//! The domain commands at scale: `mizan zakat assess` and `mizan murabaha
//! process` reading a JSON document or a stream of JSON Lines, on every
//! core, writing the same bytes as the reference.
//!
//! Two input forms, one driver ([`run`]) over the two domains ([`Zakat`],
//! [`Murabaha`]):
//!
//! - **A JSON document** (`FORMATS.md`). When the record array is the
//!   document's last field (as `mizan generate` writes it), the command
//!   reads it in one pass (`one_pass.rs`), keeping no record: the array
//!   is cut into byte ranges, each task guesses where its first record
//!   starts and reads, checks, computes and writes the records that start
//!   in its range, and the task before confirms the guess; results go out
//!   as their task is confirmed. Otherwise, or at anything unexpected (a
//!   wrong guess, bad input, a record the hand reader or the engine gives
//!   up on, a repeated id), the structural [`scan`](crate::json::scan)
//!   finds the records, every record is kept, parsed on every core (by
//!   hand, or by `serde_json`), and written in parts while the next parts
//!   are computed (`document.rs`); anything unexpected there sends the
//!   whole document to the reference path, which names the problem as it
//!   always has. A document refused prints nothing: output that is a file
//!   (`-o`, or standard output redirected to one) is taken back to where
//!   it stood; output that cannot be taken back (a pipe) is written only
//!   after every record has been read and computed once.
//! - **JSON Lines** (`stream.rs`): the context on the first line, then one
//!   record a line (`mizan generate --format jsonl` writes it). Read in
//!   blocks, assessed on every core, written in input order as it goes,
//!   in memory that does not grow with the file. A bad record names its
//!   line, its record and its field; the run stops there, or with
//!   `--rejects FILE` writes it to the rejects file and goes on.
//!
//! With `-o FILE` the output goes to a temporary file beside `FILE`,
//! renamed over it only when the run succeeds.
//!
//! The files, one idea each: `command.rs` (what a command is asked and
//! what it answers), `output.rs` (where results go, and the writer
//! thread), `source.rs` (a document's bytes), `held.rs` (results held for a
//! pipe until the document is known good), `parts.rs` (how records are
//! cut for the cores), `document.rs` (a document read whole, and the
//! reference path), `one_pass.rs` (a document read in one pass),
//! `stream.rs` (JSON Lines), `domain.rs` (the trait the two domains
//! implement), `zakat.rs` and `murabaha.rs` (the two domains). This file
//! holds [`run`] alone: the others never import it, and no two of them
//! import each other, directly or through others (`tests/tidy.rs`).

mod command;
mod document;
mod domain;
mod held;
mod murabaha;
mod one_pass;
mod output;
mod parts;
mod source;
mod stream;
mod zakat;

use anyhow::{Result, bail};

use document::document;
use output::Output;
use stream::stream;

pub use command::{Format, Options, Summary};
pub use domain::Domain;
pub use held::Held;
pub use murabaha::Murabaha;
pub use stream::Reject;
pub use zakat::Zakat;

/// Runs a command: reads, computes and writes, as [`Options`] says.
pub fn run<D: Domain>(options: &Options) -> Result<Summary> {
    if options.rejects.is_some() && options.format != Format::Jsonl {
        bail!("--rejects is for a stream (--format jsonl): a document is refused whole");
    }
    let mut output = Output::open(options.output.as_deref())?;
    let summary = match options.format {
        Format::Json => document::<D>(options, &mut output).inspect_err(|_| {
            // A document refused prints nothing: standard output that is
            // a file is taken back to where it stood.
            output.take_back_after_failure();
        }),
        Format::Jsonl => stream::<D>(options, &mut output),
    }?;
    output.commit()?;
    Ok(summary)
}
