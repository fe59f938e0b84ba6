//! The `mizan` command: the lab runner and the domain commands.

use std::fs;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

use mizan::zakat::{ZakatInput, assess_all, generate};

/// Mizan: a Rust performance lab on zakat and murabaha workloads.
#[derive(Parser)]
#[command(name = "mizan", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Use the zakat domain directly.
    Zakat {
        #[command(subcommand)]
        command: ZakatCommand,
    },
    /// Generate a seeded synthetic data set as JSON.
    Generate {
        #[command(subcommand)]
        workload: GenerateCommand,
    },
}

#[derive(Subcommand)]
enum ZakatCommand {
    /// Assess zakat for the payers in a JSON file (`-` for standard input)
    /// and print the assessments as JSON.
    Assess {
        /// The input file, in the format of FORMATS.md; `-` reads stdin.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum GenerateCommand {
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => {
            // Until the lab runner lands, the bare command explains itself.
            use clap::CommandFactory;
            Cli::command().print_help()?;
            println!();
            Ok(())
        }
        Some(Command::Zakat {
            command: ZakatCommand::Assess { file },
        }) => {
            let text = read_input(&file)?;
            let input = ZakatInput::from_json(&text)
                .with_context(|| format!("bad input in {}", file.display()))?;
            let output =
                assess_all(&input).with_context(|| format!("cannot assess {}", file.display()))?;
            let mut stdout = io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &output)?;
            writeln!(stdout)?;
            Ok(())
        }
        Some(Command::Generate {
            workload:
                GenerateCommand::Zakat {
                    payers,
                    seed,
                    output,
                },
        }) => match output {
            Some(path) => {
                let file = fs::File::create(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                generate::write_json(file, payers, seed)
                    .with_context(|| format!("cannot write {}", path.display()))
            }
            None => generate::write_json(io::stdout().lock(), payers, seed)
                .context("cannot write to standard output"),
        },
    }
}

/// Reads a whole input file, or standard input for `-`.
fn read_input(path: &PathBuf) -> Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        Ok(text)
    } else {
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}
