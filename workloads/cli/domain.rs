//! The domain commands: `mizan zakat assess`, `mizan murabaha process`
//! (the engines on real files, at scale: `mizan::tool`) and `mizan
//! generate` (seeded data sets in their input format).

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use mizan::input::Engine;
use mizan::tool::{self, Format};
use mizan::{murabaha, zakat};

#[derive(Subcommand)]
pub enum ZakatCommand {
    /// Assess zakat for the payers in a JSON document or a JSON Lines
    /// stream (`-` for standard input) and write the assessments as JSON.
    Assess {
        #[command(flatten)]
        io: ToolArgs,
    },
}

#[derive(Subcommand)]
pub enum MurabahaCommand {
    /// Process the contracts in a JSON document or a JSON Lines stream
    /// (`-` for standard input): schedules, profit recognition, payments,
    /// late charges, settlement quotes; write the results as JSON.
    Process {
        #[command(flatten)]
        io: ToolArgs,
    },
}

/// What both domain commands take.
#[derive(Args, Debug, Clone)]
pub struct ToolArgs {
    /// The input file, in the format of FORMATS.md; `-` reads stdin.
    file: PathBuf,
    /// `fast`: fixed point on every core, the reference for any record it
    /// cannot prove in range (the same output, byte for byte);
    /// `reference`: the reference rules alone, from the whole document.
    #[arg(long, value_enum, default_value_t = Engine::Fast)]
    engine: Engine,
    /// `json`: one document, pretty JSON out; `jsonl`: the context on the
    /// first line, then one record a line, and one result a line out, in
    /// memory that does not grow with the file. Default: `jsonl` for a
    /// `.jsonl` or `.ndjson` file, otherwise `json`.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// A document's results as compact JSON: the same JSON without
    /// indentation, line breaks or the space after each colon
    /// (`serde_json::to_writer`'s layout, and a newline at the end). A
    /// stream's results are compact already, one a line.
    #[arg(long)]
    compact: bool,
    /// Write here instead of standard output: to a temporary file beside
    /// it, renamed into place only when the run succeeds.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// For a stream: go on past bad records, writing each (its line,
    /// record, field and reason) to this JSON Lines file, and print the
    /// counts at the end. Without it the run stops at the first bad record.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// No progress bar (there is none anyway unless standard error is a
    /// terminal).
    #[arg(long)]
    quiet: bool,
    /// Megabytes of a document's results kept in memory when the output
    /// cannot be taken back (a pipe), packed where they can be: within
    /// them the document is read once; past them it is read and computed
    /// once to check it, then again to write.
    //
    // 768 MB: chosen, as the tool chapter says, so that the million
    // payers' 383 MB of results fit as text; no other cap was measured.
    // Since a plain assessment is held packed (`tool/held.rs`, some 65
    // bytes), a million payers hold about 65 MB: to /dev/null 0.28 s at a
    // 404 MB peak (the 324 MB file mapped being most of it) and 23,000
    // page faults, against 0.38-0.42 s at 711 MB and 99,000 faults when
    // their text was held (`/usr/bin/time` on `scripts/bench-tool`'s
    // file, fc2b7cd's build and the one before alternated, 2026-12-07;
    // the tool chapter's table has the runs of its own commit). A portfolio's 10 GB of
    // schedules does not fit and is read twice (200,000 contracts to
    // /dev/null in 6.31 s at 510 MB, ea84a1e). Holding against reading
    // twice was timed only across commits with other changes between
    // them: the zakat /dev/null row was 1.75 s at 340 MB in the table
    // committed with da16a37 (read twice), 0.93 s at 692 MB in 75a1585's
    // (held). The trade is memory as large as the results held against a
    // second pass over the whole document: a machine with less memory to
    // spare wants a lower cap, and output much larger than memory gains
    // nothing from a higher one.
    #[arg(long, value_name = "MB", default_value_t = 768)]
    hold_mb: usize,
}

impl ToolArgs {
    fn options(&self) -> tool::Options {
        tool::Options {
            input: self.file.clone(),
            format: self.format.unwrap_or_else(|| Format::of_path(&self.file)),
            output: self.output.clone(),
            engine: self.engine,
            compact: self.compact,
            rejects: self.rejects.clone(),
            progress: !self.quiet,
            chunk_bytes: None,
            hold_bytes: self.hold_mb << 20,
        }
    }
}

#[derive(Subcommand)]
pub enum GenerateCommand {
    /// A population of zakat payers, in the input format of `zakat assess`.
    Zakat {
        /// How many payers.
        #[arg(long, default_value_t = 10_000)]
        payers: usize,
        /// The seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// `json` (a document) or `jsonl` (the context, then one record a
        /// line); by default from the output's name, as the commands read.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// A bank portfolio, in the input format of `murabaha process`.
    Murabaha {
        /// How many contracts.
        #[arg(long, default_value_t = 10_000)]
        contracts: usize,
        /// The seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// `json` (a document) or `jsonl` (the context, then one record a
        /// line); by default from the output's name, as the commands read.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
}

/// Runs `mizan zakat assess`.
pub fn zakat(command: ZakatCommand) -> Result<()> {
    match command {
        ZakatCommand::Assess { io } => run_tool::<tool::Zakat>(&io, "payers"),
    }
}

/// Runs `mizan murabaha process`.
pub fn murabaha(command: MurabahaCommand) -> Result<()> {
    match command {
        MurabahaCommand::Process { io } => run_tool::<tool::Murabaha>(&io, "contracts"),
    }
}

/// Runs `mizan generate`.
pub fn generate(workload: GenerateCommand) -> Result<()> {
    match workload {
        GenerateCommand::Zakat {
            payers,
            seed,
            output,
            format,
        } => write_output(output.clone(), |out| match generated(format, &output) {
            Format::Json => zakat::generate::write_json(out, payers, seed),
            Format::Jsonl => zakat::generate::write_jsonl(out, payers, seed),
        }),
        GenerateCommand::Murabaha {
            contracts,
            seed,
            output,
            format,
        } => write_output(output.clone(), |out| match generated(format, &output) {
            Format::Json => murabaha::generate::write_json(out, contracts, seed),
            Format::Jsonl => murabaha::generate::write_jsonl(out, contracts, seed),
        }),
    }
}

/// Runs a domain command; with a rejects file, prints the counts.
fn run_tool<D: tool::Domain>(args: &ToolArgs, noun: &str) -> Result<()> {
    let summary = tool::run::<D>(&args.options())?;
    if let Some(rejects) = &args.rejects {
        eprintln!(
            "{} {noun} written, {} rejected (in {})",
            summary.written,
            summary.rejected,
            rejects.display()
        );
    }
    Ok(())
}

/// The form `mizan generate` writes: asked for, or from the file's name.
fn generated(format: Option<Format>, output: &Option<PathBuf>) -> Format {
    format.unwrap_or_else(|| output.as_deref().map_or(Format::Json, Format::of_path))
}

/// Runs a writer into a file, or into standard output when none is named.
fn write_output(
    path: Option<PathBuf>,
    write: impl FnOnce(Box<dyn Write>) -> io::Result<()>,
) -> Result<()> {
    match path {
        Some(path) => {
            let file = fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write(Box::new(file)).with_context(|| format!("cannot write {}", path.display()))
        }
        None => write(Box::new(io::stdout().lock())).context("cannot write to standard output"),
    }
}
