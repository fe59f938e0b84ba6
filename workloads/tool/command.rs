//! What a command is asked to do and what it answers: the input's
//! [`Format`], the [`Options`], the [`Summary`] of a run, and the progress
//! bar the options ask for. Every path of the driver (`document.rs`,
//! `one_pass.rs`, `stream.rs`) takes them, so they live in a file of their
//! own, which `mod.rs` re-exports: no path reaches back into `mod.rs`,
//! which imports the paths.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::Engine;

/// The form of a command's input (and so of its output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document, as `FORMATS.md` shows; pretty JSON out (or
    /// compact, with [`Options::compact`]).
    Json,
    /// JSON Lines: the context, then one record a line; one result a line
    /// out.
    Jsonl,
}

/// What a command was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The input file; `-` for standard input.
    pub input: PathBuf,
    /// The input's form.
    pub format: Format,
    /// Where the output goes (standard output when `None`).
    pub output: Option<PathBuf>,
    /// The engine.
    pub engine: Engine,
    /// A document's output without indentation or line breaks (the same
    /// JSON, as `serde_json::to_writer` writes it, and a newline at the
    /// end); a stream's results are compact anyway, one a line.
    pub compact: bool,
    /// For a stream: go on past bad records, writing each here.
    pub rejects: Option<PathBuf>,
    /// Draw a progress bar on standard error (when it is a terminal).
    pub progress: bool,
    /// Bytes of a document's records a task reads in the one-pass path,
    /// and of a stream's block (`None`: the domain's own sizes). Small
    /// sizes are for tests: they make every record's place in the chain
    /// of tasks, or a stream's first block and those after it, an edge.
    pub chunk_bytes: Option<usize>,
    /// Bytes of a document's results kept in memory when the output
    /// cannot be taken back (then the document is read once, not twice).
    /// The command's `--hold-mb` sets it (its default, and why, are in
    /// `cli/domain.rs`).
    pub hold_bytes: usize,
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records written to the output.
    pub written: u64,
    /// Records written to the rejects file instead.
    pub rejected: u64,
    /// Whether a document was read in one pass (no record kept).
    pub one_pass: bool,
}

impl Format {
    /// The form a file's name suggests: `.jsonl` or `.ndjson` for JSON
    /// Lines, anything else (and standard input) for a document.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => Format::Json,
        }
    }
}

/// The progress bar `options` ask for, on standard error, of `length`
/// units (`"bytes"`, or the domain's records) where the length is known:
/// hidden unless asked for and standard error is a terminal.
pub(super) fn progress_bar(options: &Options, length: Option<u64>, unit: &str) -> ProgressBar {
    if !options.progress || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match length {
        Some(length) => ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = match (length, unit) {
        (Some(_), "bytes") => {
            "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        }
        (Some(_), _) => {
            "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} {per_sec} eta {eta}"
        }
        (None, "bytes") => "{elapsed_precise} {spinner} {bytes} {bytes_per_sec}",
        (None, _) => "{elapsed_precise} {spinner} {human_pos} {per_sec}",
    };
    bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        assert_eq!(Format::of_path(Path::new("a/b.jsonl")), Format::Jsonl);
        assert_eq!(Format::of_path(Path::new("b.ndjson")), Format::Jsonl);
        assert_eq!(Format::of_path(Path::new("b.json")), Format::Json);
        assert_eq!(Format::of_path(Path::new("-")), Format::Json);
    }
}
